"""The course's table of contents: which lessons and labs this copy of the course holds, what
each teaches, how long it takes, and how a lab is graded.

The README's course table is the one place where the course is described (one row per
notebook: label, link, what it teaches, time).  :func:`course_map` reads it and keeps only the
rows whose notebook exists here, in the table's (teaching) order, so lesson 0 never advertises
a notebook that is not there; a notebook the table does not list yet is added at the end with
the title of its first heading.  :func:`graded_parts` reads a lab's nbgrader metadata.

Examples
--------
>>> import pathlib
>>> root = pathlib.Path(__file__).resolve().parent.parent
>>> first = course_map(root)[0]
>>> first.label, first.path, first.kind, first.short_title
('Lesson 0', 'lessons/00_start_here.ipynb', 'lesson', 'Start here')
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import re

_ROW = re.compile(r"^\|\s*((?:Lesson|Lab) \d+[a-z]?(?: \(bonus\))?)\s*\|\s*\[[^\]]*\]\(([^)]+\.ipynb)\)\s*\|\s*(.*?)\s*\|\s*(\d+)\s*min\s*\|\s*$")


@dataclasses.dataclass(frozen=True)
class Notebook:
    """One lesson or lab: ``label`` ("Lesson 3", "Lab 2"), ``path`` relative to the course root,
    ``title`` (its first heading), ``teaches`` and ``minutes`` (from the README; empty and None
    for a notebook the table does not list yet)."""

    label: str
    path: str
    title: str
    teaches: str = ""
    minutes: int | None = None

    @property
    def kind(self):
        """``"lesson"`` or ``"lab"``."""
        return "lab" if self.path.startswith("labs/") else "lesson"

    @property
    def opens_as(self):
        """Where a student finds it in JupyterLab started with ``jupyter lab lessons/``, whose file
        browser starts in lessons/: a lesson by its file name, a lab as its nbgrader student copy
        in ``labs/`` there (lessons/labs/<lab>/<lab>.ipynb in the course folder, made by
        ``python tools/release_labs.py``).

        >>> Notebook("Lab 2", "labs/lab02_fixed_point/lab02_fixed_point.ipynb", "Lab 2 — Fixed point").opens_as
        'labs/lab02_fixed_point/lab02_fixed_point.ipynb'
        >>> Notebook("Lesson 3", "lessons/03_fixed_point.ipynb", "Lesson 3 — Fixed point").opens_as
        '03_fixed_point.ipynb'
        """
        return self.path.removeprefix("lessons/") if self.kind == "lesson" else self.path

    @property
    def short_title(self):
        """The title without its "Lesson 3 —" prefix: ``'Fixed point Qm.n'``."""
        return self.title.split("—", 1)[-1].strip()


@dataclasses.dataclass(frozen=True)
class GradedPart:
    """One graded test cell of a lab: its nbgrader ``grade_id``, ``points``, and whether it
    holds hidden tests (which only count when the instructor autogrades)."""

    grade_id: str
    points: float
    hidden_tests: bool


def _course_root(root):
    root = pathlib.Path(root)
    if not (root / "README.md").is_file():
        raise ValueError(f"root={str(root)!r} holds no README.md; pass the course folder (the one with lessons/ and labs/)")
    return root


def _notebook_cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _title(path):
    """The first markdown heading of a notebook, without the ``#``s (the file name if none)."""
    for cell in _notebook_cells(path):
        if cell["cell_type"] == "markdown":
            for line in _source(cell).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def _label(relative):
    """"Lesson 6" for lessons/06_x.ipynb, "Lesson 5b" for lessons/05b_x.ipynb, "Lab 4" for labs/lab04_x/lab04_x.ipynb.

    >>> _label("lessons/05b_measuring_adcs.ipynb"), _label("labs/lab04_int8_mapping/lab04_int8_mapping.ipynb")
    ('Lesson 5b', 'Lab 4')
    """
    match = re.match(r"lessons/(\d+)([a-z]?)_|labs/lab(\d+)_", relative)
    if match is None:
        return pathlib.PurePosixPath(relative).stem
    lesson, suffix, lab = match.groups()
    return f"Lesson {int(lesson)}{suffix}" if lesson is not None else f"Lab {int(lab)}"


def notebooks_here(root):
    """Every lesson and lab notebook under ``root``, as paths relative to it (POSIX style)."""
    root = pathlib.Path(root)
    found = sorted(root.glob("lessons/*.ipynb")) + sorted(root.glob("labs/*/*.ipynb"))
    return [path.relative_to(root).as_posix() for path in found if ".ipynb_checkpoints" not in path.parts]


def course_map(root):
    """The lessons and labs present under ``root``, in teaching order, as :class:`Notebook` s.

    Parameters
    ----------
    root : str or path
        The course folder: the one holding README.md, lessons/ and labs/ (``".."`` from a lesson).
    """
    root = _course_root(root)
    present = notebooks_here(root)
    listed = []
    for line in (root / "README.md").read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match and match.group(2) in present and match.group(2) not in [nb.path for nb in listed]:
            label, path, teaches, minutes = match.groups()
            listed.append(Notebook(label, path, _title(root / path), teaches, int(minutes)))
    known = {nb.path for nb in listed}
    return listed + [Notebook(_label(path), path, _title(root / path)) for path in present if path not in known]


def graded_parts(path):
    """The graded test cells of an nbgrader lab notebook, in order.

    >>> import pathlib
    >>> lab = pathlib.Path(__file__).resolve().parent.parent / "labs" / "lab01_float_bits" / "lab01_float_bits.ipynb"
    >>> sum(part.points for part in graded_parts(lab))
    100
    """
    parts = []
    for cell in _notebook_cells(pathlib.Path(path)):
        grading = cell.get("metadata", {}).get("nbgrader", {})
        if grading.get("grade"):
            parts.append(GradedPart(grading["grade_id"], grading["points"], "### BEGIN HIDDEN TESTS" in _source(cell)))
    return parts
