"""Real nbgrader, in a temporary course directory, on every lab.

For each lab: ``nbgrader generate_assignment`` makes the student copy, then ``nbgrader
autograde`` grades three submissions.  The solved lab (the source notebook) must score full
marks, the untouched student copy 0 without crashing the grader, and a copy with the first
half of its solution cells filled in something in between.
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


@pytest.mark.parametrize("lab", LABS)
def test_nbgrader_releases_and_autogrades(lab, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(ROOT / "labs" / lab, course / "labs" / lab, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "nbgrader_config.py", course)

    nbgrader(course, "generate_assignment", lab, "--force")
    released = course / "release" / lab / f"{lab}.ipynb"
    source = json.loads((course / "labs" / lab / f"{lab}.ipynb").read_text())
    student_copy = json.loads(released.read_text())
    assert "### BEGIN SOLUTION" not in released.read_text()
    assert "### BEGIN HIDDEN TESTS" not in released.read_text()
    assert solution_cell_ids(student_copy) == solution_cell_ids(source)

    submissions = {"solved": source, "untouched": student_copy,
                   "partial": partly_solved(json.loads(released.read_text()), source)}
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
