"""Real nbgrader, in a temporary course directory, on every lab.

For each lab: ``nbgrader generate_assignment`` makes the student copy, then ``nbgrader
autograde`` grades three submissions.  The solved lab (the source notebook) must score full
marks, the untouched student copy 0 without crashing the grader, and a copy with the first
half of its solution cells filled in something in between.

The student copies committed in lessons/labs/ (what a student opens after ``jupyter lab
lessons/``) must be exactly what ``generate_assignment`` makes from the current source lab:
the whole notebook is compared, cell by cell (type, id, source, metadata with nbgrader's
checksums, outputs) and then as a document.  Nothing in nbgrader's output varies from run to
run or machine to machine (no timestamps, no paths), so nothing is ignored; comparing parsed
JSON rather than bytes only forgives line endings a checkout may change.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LABS = sorted(path.name for path in (ROOT / "labs").glob("*") if (path / f"{path.name}.ipynb").exists())

pytestmark = pytest.mark.slow


def nbgrader(course, *args):
    # nbgrader creates its gradebook by running the `alembic` script: find it beside this
    # interpreter even when the environment is not activated (e.g. /path/to/venv/bin/python -m pytest).
    path = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env={**os.environ, "PATH": path},
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def solution_cell_ids(notebook):
    return [cell["metadata"]["nbgrader"]["grade_id"] for cell in notebook["cells"]
            if cell["metadata"].get("nbgrader", {}).get("solution")]


def partly_solved(student_copy, source):
    """The student copy with the first half of its solution cells taken from the source."""
    solutions = {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"] for cell in source["cells"]
                 if cell["metadata"].get("nbgrader", {}).get("solution")}
    filled = solution_cell_ids(student_copy)[: len(solutions) // 2]
    for cell in student_copy["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") in filled:
            cell["source"] = solutions[cell["metadata"]["nbgrader"]["grade_id"]]
    return student_copy


def first_error(folder):
    """The first error the grader's kernel printed, to explain a score."""
    for path in folder.glob("*.ipynb"):
        for cell in json.loads(path.read_text())["cells"]:
            for output in cell.get("outputs", []):
                if output["output_type"] == "error":
                    return f"first error: {output['ename']}: {output['evalue']}"
    return "no errors in the graded notebook"


def scores(course, lab):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {submission.student_id: (submission.score, submission.max_score)
                for submission in gradebook.assignment_submissions(lab)}


@pytest.fixture(scope="module", params=LABS)
def released(request, tmp_path_factory):
    """A temporary course holding one lab, after real ``nbgrader generate_assignment``: (lab, course)."""
    lab = request.param
    course = tmp_path_factory.mktemp(lab) / "course"
    shutil.copytree(ROOT / "labs" / lab, course / "labs" / lab, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "nbgrader_config.py", course)
    nbgrader(course, "generate_assignment", lab, "--force")
    return lab, course


def cell_differences(committed, generated):
    """Where two notebooks' cells differ, as readable lines (empty when they are the same)."""
    if len(committed["cells"]) != len(generated["cells"]):
        return [f"{len(committed['cells'])} cells committed, nbgrader makes {len(generated['cells'])}"]
    differences = []
    for index, (old, new) in enumerate(zip(committed["cells"], generated["cells"])):
        name = new["metadata"].get("nbgrader", {}).get("grade_id", new.get("id"))
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                differences.append(f"cell {index} ({name}): {key} differs")
    return differences


def test_committed_student_copy_is_what_nbgrader_makes(released):
    lab, course = released
    committed_folder = ROOT / "lessons" / "labs" / lab
    fix = f"run `python tools/release_labs.py` and commit lessons/labs/{lab}/"
    assert committed_folder.is_dir(), f"no student copy of {lab} in lessons/labs/: {fix}"
    generated_files = sorted(path.relative_to(course / "release" / lab) for path in (course / "release" / lab).rglob("*"))
    committed_files = sorted(path.relative_to(committed_folder) for path in committed_folder.rglob("*")
                             if ".ipynb_checkpoints" not in path.parts)
    assert committed_files == generated_files, f"lessons/labs/{lab}/ holds other files than nbgrader releases: {fix}"
    committed = json.loads((committed_folder / f"{lab}.ipynb").read_text(encoding="utf-8"))
    generated = json.loads((course / "release" / lab / f"{lab}.ipynb").read_text(encoding="utf-8"))
    differences = cell_differences(committed, generated)
    assert not differences, f"the committed student copy of {lab} is stale ({fix}):\n" + "\n".join(differences[:10])
    assert committed == generated, f"the committed student copy of {lab} differs outside its cells: {fix}"
    text = json.dumps(committed)
    assert "### BEGIN SOLUTION" not in text and "### BEGIN HIDDEN TESTS" not in text


def test_nbgrader_releases_and_autogrades(released):
    lab, course = released
    student_copy_path = course / "release" / lab / f"{lab}.ipynb"
    source = json.loads((course / "labs" / lab / f"{lab}.ipynb").read_text())
    student_copy = json.loads(student_copy_path.read_text())
    assert "### BEGIN SOLUTION" not in student_copy_path.read_text()
    assert "### BEGIN HIDDEN TESTS" not in student_copy_path.read_text()
    assert solution_cell_ids(student_copy) == solution_cell_ids(source)

    submissions = {"solved": source, "untouched": student_copy,
                   "partial": partly_solved(json.loads(student_copy_path.read_text()), source)}
    for student, notebook in submissions.items():
        folder = course / "submitted" / student / lab
        shutil.copytree(course / "release" / lab, folder)
        (folder / f"{lab}.ipynb").write_text(json.dumps(notebook))

    nbgrader(course, "autograde", lab, "--force")
    graded = scores(course, lab)
    assert graded["solved"] == (100.0, 100.0), \
        f"the solved lab must score full marks out of 100; {first_error(course / 'autograded' / 'solved' / lab)}"
    assert graded["untouched"][0] == 0.0
    assert 0.0 < graded["partial"][0] < 100.0, f"partial submission scored {graded['partial'][0]}"
