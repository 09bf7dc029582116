"""What every stored lesson and lab must be, checked without running them (nbval runs them).

Lessons: executed and clean, say what the student will learn, teach with plots, end with
exercises.  Labs: nbgrader source notebooks worth 100 points with solutions, visible tests and
hidden tests.  The labs' student copies in lessons/labs/ are neither: nbval does not run them
(the root conftest.py ignores them) and tests/test_nbgrader.py checks them against nbgrader.
No stored output, of any of them, shows a path of the computer that ran it.
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS = sorted(ROOT.glob("lessons/*.ipynb"))
LABS = sorted(ROOT.glob("labs/*/*.ipynb"))
NOTEBOOKS = LESSONS + LABS
STUDENT_COPIES = sorted(ROOT.glob("lessons/labs/*/*.ipynb"))
PROGRESS_BAR = re.compile(r"\d+%\|[█▏▎▍▌▋▊▉ #]*\|")
# Absolute paths of the machine that executed a notebook: Unix homes and work folders, macOS
# homes, Windows drives, installed packages.
ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/(?:home|root|work|tmp|Users|usr|opt|var|private|mnt|srv)/"
                           r"|\b[A-Za-z]:\\|site-packages|dist-packages")


def load(path):
    return json.loads(path.read_text())


def text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def code_cells(notebook):
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]


def expects_error(cell):
    return "raises-exception" in cell["metadata"].get("tags", []) or "NBVAL_RAISES_EXCEPTION" in text(cell)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_clean(path):
    notebook = load(path)
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    counts = [cell["execution_count"] for cell in code_cells(notebook)]
    assert all(count is not None for count in counts), "every code cell must be stored executed"
    assert counts == list(range(1, len(counts) + 1)), "cells must be executed top to bottom in one run"
    for cell in code_cells(notebook):
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                assert expects_error(cell), f"unexpected error output in: {text(cell)[:80]}"
            shown = json.dumps(output.get("data", output.get("text", "")))
            assert not PROGRESS_BAR.search(shown), "no progress bars in stored outputs"
            assert not re.search(r"object at 0x[0-9a-f]+", shown), f"a repr with an address: {shown[:120]}"
        assert not re.search(r"\btime\.(time|perf_counter)\(|%%?timeit", text(cell)) or "NBVAL_IGNORE_OUTPUT" in text(cell), \
            "timings vary: mark the cell # NBVAL_IGNORE_OUTPUT"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_plots_end_with_show(path):
    for cell in code_cells(load(path)):
        source = text(cell)
        if re.search(r"\bplt\.(subplots|figure|plot)\(|\.plot\(", source) and "NBVAL_SKIP" not in source:
            assert "plt.show()" in source, f"end plot cells with plt.show(): {source[:80]}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_shape(path):
    notebook = load(path)
    markdown = [text(cell) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]
    assert re.search(r"you will learn", markdown[0], re.I), "open by saying what the student will learn"
    assert any(re.match(r"#+\s*Exercises", cell) for cell in markdown[-3:]), "end with an Exercises section"
    images = sum("image/png" in output.get("data", {}) for cell in code_cells(notebook) for output in cell["outputs"])
    assert images >= 2, "teach with plots"
    assert any("import numformat" in text(cell) or "from numformat" in text(cell) for cell in code_cells(notebook))


def nbgrader_cells(notebook):
    return [cell for cell in notebook["cells"] if "nbgrader" in cell["metadata"]]


@pytest.mark.parametrize("path", LABS, ids=lambda p: p.name)
def test_lab_is_a_100_point_nbgrader_source(path):
    assert path.parent.name == path.stem, "labs/<lab>/<lab>.ipynb"
    notebook = load(path)
    cells = nbgrader_cells(notebook)
    ids = [cell["metadata"]["nbgrader"]["grade_id"] for cell in cells]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    solutions = [cell for cell in cells if cell["metadata"]["nbgrader"]["solution"]]
    tests = [cell for cell in cells if cell["metadata"]["nbgrader"]["grade"]]
    for cell in cells:
        meta = cell["metadata"]["nbgrader"]
        assert meta["schema_version"] == 3
    for cell in solutions:
        assert "### BEGIN SOLUTION" in text(cell) and "### END SOLUTION" in text(cell)
        assert not cell["metadata"]["nbgrader"]["locked"]
    for cell in tests:
        assert cell["metadata"]["nbgrader"]["locked"] and cell["metadata"]["nbgrader"]["points"] > 0
    assert sum(cell["metadata"]["nbgrader"]["points"] for cell in tests) == 100
    hidden = [cell for cell in tests if "### BEGIN HIDDEN TESTS" in text(cell)]
    assert hidden, "labs grade with hidden tests"
    visible = [cell for cell in tests if re.search(r"^\s*assert", text(cell).split("### BEGIN HIDDEN TESTS")[0], re.M)]
    assert len(visible) == len(tests), "every graded cell gives immediate feedback with visible asserts"
    assert any("numformat" in text(cell) for cell in tests), "tests check answers against numformat"


NBVAL_MARKERS = {"NBVAL_IGNORE_OUTPUT", "NBVAL_SKIP", "NBVAL_RAISES_EXCEPTION", "NBVAL_CHECK_OUTPUT"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_nbval_markers_stand_alone(path):
    """nbval only honours a marker alone on its comment line; anything after it disables it silently."""
    for cell in code_cells(load(path)):
        for line in text(cell).splitlines():
            if "NBVAL_" in line:
                assert line.strip().lstrip("#").strip() in NBVAL_MARKERS, f"marker not alone on its line: {line!r}"


def shown_texts(output):
    """Every piece of text an output shows: streams, text-like MIME data, error messages and
    tracebacks (images are skipped: base64 can spell anything)."""
    texts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    for mime, value in output.get("data", {}).items():
        if not mime.startswith("image/") or mime == "image/svg+xml":
            texts.append(value if isinstance(value, str) else json.dumps(value))
    return ["".join(text) if isinstance(text, list) else text for text in texts]


@pytest.mark.parametrize("path", NOTEBOOKS + STUDENT_COPIES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_stored_output_shows_an_absolute_path(path):
    for index, cell in enumerate(load(path)["cells"]):
        for output in cell.get("outputs", []):
            for shown in shown_texts(output):
                found = ABSOLUTE_PATH.search(shown)
                assert not found, (f"cell {index} shows a path of this computer: "
                                   f"...{shown[max(found.start() - 40, 0):found.end() + 40]}...; print a relative one")


@pytest.mark.parametrize("pattern", ["from /work/main/numformat", "/home/ada/numformat/x.py", "/root/.cache",
                                     "/tmp/pytest-1/a.wav", "/Users/ada/course", "C:\\Users\\ada",
                                     "lib/python3.11/site-packages/numformat"])
def test_the_absolute_path_check_catches(pattern):
    assert ABSOLUTE_PATH.search(pattern)


@pytest.mark.parametrize("text", ["from ../numformat, this course folder's copy", "labs/lab01_float_bits/lab01.ipynb",
                                  "10 dB/octave", "int8/uint8", "e.g. ~/work/ is yours", "1/tmp"])
def test_the_absolute_path_check_lets_relative_text_through(text):
    assert not ABSOLUTE_PATH.search(text)


def test_student_copies_are_not_lessons():
    """lessons/labs/<lab>/<lab>.ipynb are the labs' student copies, one per lab: no lesson check
    applies to them, and they carry no outputs."""
    assert [path.parent.name for path in STUDENT_COPIES] == [path.parent.name for path in LABS]
    assert not set(STUDENT_COPIES) & set(LESSONS)
    assert all(path.parent == ROOT / "lessons" for path in LESSONS)
    for path in STUDENT_COPIES:
        assert path.stem == path.parent.name, "lessons/labs/<lab>/<lab>.ipynb"
        assert all(not cell.get("outputs") for cell in load(path)["cells"]), f"{path.name}: a student copy has no outputs"
