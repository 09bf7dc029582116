"""numformat.course: lesson 0's map lists exactly the notebooks present, in the README's order."""

import json
import pathlib

import pytest

from numformat import course

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_the_map_of_this_repository_lists_every_notebook_once_in_readme_order():
    notebooks = course.course_map(ROOT)
    paths = [notebook.path for notebook in notebooks]
    assert sorted(paths) == sorted(course.notebooks_here(ROOT)) and len(set(paths)) == len(paths)
    readme = (ROOT / "README.md").read_text()
    assert [readme.index(f"]({path})") for path in paths] == sorted(readme.index(f"]({path})") for path in paths)
    for notebook in notebooks:
        assert notebook.minutes and notebook.minutes > 0 and notebook.teaches
        assert f"| {notebook.label} | [{notebook.path}]({notebook.path}) | {notebook.teaches} | {notebook.minutes} min |" in readme
        first_heading = json.loads((ROOT / notebook.path).read_text())["cells"][0]["source"]
        assert notebook.title in "".join(first_heading)
        assert notebook.title.startswith(f"{notebook.label} — "), f"{notebook.path}: title must read '{notebook.label} — ...'"
        assert notebook.kind == ("lab" if notebook.label.startswith("Lab") else "lesson")
    assert notebooks[0].path == "lessons/00_start_here.ipynb" and notebooks[0].short_title == "Start here"


def test_every_notebook_opens_from_the_lessons_folder():
    """`jupyter lab lessons/` roots the file browser at lessons/: each lesson and each lab's
    student copy must be there, under the path lesson 0 gives."""
    for notebook in course.course_map(ROOT):
        opened = ROOT / "lessons" / notebook.opens_as
        assert opened.is_file(), f"{notebook.label}: lessons/{notebook.opens_as} is missing"
        if notebook.kind == "lab":
            student_copy = opened.read_text(encoding="utf-8")
            assert "raise NotImplementedError()" in student_copy and "### BEGIN SOLUTION" not in student_copy
        else:
            assert opened == ROOT / notebook.path


def write_notebook(path, heading):
    path.parent.mkdir(parents=True, exist_ok=True)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [f"# {heading}\n", "\n", "In this lesson..."]}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_rows_of_missing_notebooks_are_left_out_and_unlisted_notebooks_added(tmp_path):
    (tmp_path / "README.md").write_text(
        "| # | notebook | what it teaches | time |\n|---|---|---|---|\n"
        "| Lesson 1 | [lessons/01_a.ipynb](lessons/01_a.ipynb) | a things | 30 min |\n"
        "| Lesson 2 | [lessons/02_b.ipynb](lessons/02_b.ipynb) | b things, not written yet | 40 min |\n"
        "| Lab 1 | [labs/lab01_c/lab01_c.ipynb](labs/lab01_c/lab01_c.ipynb) | c things | 60 min |\n")
    write_notebook(tmp_path / "lessons" / "01_a.ipynb", "Lesson 1 — A")
    write_notebook(tmp_path / "labs" / "lab01_c" / "lab01_c.ipynb", "Lab 1 — C")
    write_notebook(tmp_path / "lessons" / "07_new.ipynb", "Lesson 7 — Brand new")
    write_notebook(tmp_path / "lessons" / ".ipynb_checkpoints" / "01_a-checkpoint.ipynb", "Lesson 1 — A")
    notebooks = course.course_map(tmp_path)
    assert [(nb.label, nb.path, nb.short_title, nb.teaches, nb.minutes) for nb in notebooks] == [
        ("Lesson 1", "lessons/01_a.ipynb", "A", "a things", 30),
        ("Lab 1", "labs/lab01_c/lab01_c.ipynb", "C", "c things", 60),
        ("Lesson 7", "lessons/07_new.ipynb", "Brand new", "", None),
    ]


def test_graded_parts_read_nbgrader_metadata():
    for notebook in course.course_map(ROOT):
        if notebook.kind == "lab":
            parts = course.graded_parts(ROOT / notebook.path)
            lab = json.loads((ROOT / notebook.path).read_text())
            graded = [cell for cell in lab["cells"] if cell["metadata"].get("nbgrader", {}).get("grade")]
            assert [part.grade_id for part in parts] == [cell["metadata"]["nbgrader"]["grade_id"] for cell in graded]
            assert sum(part.points for part in parts) == 100 and all(part.hidden_tests for part in parts)
    assert course.graded_parts(ROOT / "lessons" / "00_start_here.ipynb") == []


def test_a_folder_without_a_readme_is_refused(tmp_path):
    with pytest.raises(ValueError, match="holds no README.md; pass the course folder"):
        course.course_map(tmp_path)
