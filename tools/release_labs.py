"""Make student copies of every lab with nbgrader's own release machinery.

    python tools/release_labs.py              # every lab → release/<lab>/ and lessons/labs/<lab>/
    python tools/release_labs.py lab01_float_bits

This runs ``nbgrader generate_assignment <lab> --force`` from the repository root (where
nbgrader_config.py points nbgrader at labs/): solutions become ``raise NotImplementedError()``,
hidden tests disappear, outputs are cleared, and the test cells are locked by checksum.
Instructors distribute release/<lab>/ as usual.

Each released folder is also copied, byte for byte, to ``lessons/labs/<lab>/``: the student
copies that are committed with the course, so that a student who starts ``jupyter lab lessons/``
finds every lab in the file browser under ``labs/``.  nbgrader writes no timestamps or paths
into the notebook, so the same source lab always gives the same student copy; run with no
argument after changing a lab and commit what changed.  A run over every lab also removes the
student copy of a lab that no longer exists.
"""

import os
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = ROOT / "labs"
RELEASE = ROOT / "release"
STUDENT_COPIES = ROOT / "lessons" / "labs"


def lab_names():
    """Every lab folder of labs/ that holds its notebook, labs/<lab>/<lab>.ipynb, sorted."""
    return sorted(path.name for path in SOURCE.iterdir() if path.is_dir() and (path / f"{path.name}.ipynb").exists())


def generate_assignment(lab):
    """Run real ``nbgrader generate_assignment`` on one lab; its student copy lands in release/<lab>/."""
    if lab not in lab_names():
        raise ValueError(f"lab={lab!r} is not a lab of {SOURCE.relative_to(ROOT)}/; use one of {lab_names()}")
    # nbgrader creates gradebook.db by running the `alembic` script: find it beside this
    # interpreter even when its environment is not activated.
    path = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"],
                   cwd=ROOT, check=True, env={**os.environ, "PATH": path})


def copy_for_students(lab):
    """Replace lessons/labs/<lab>/ by the released folder release/<lab>/."""
    target = STUDENT_COPIES / lab
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(RELEASE / lab, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


def remove_stale_copies(labs):
    """Drop the student copy of any lab that is no longer in labs/."""
    if STUDENT_COPIES.exists():
        for folder in STUDENT_COPIES.iterdir():
            if folder.is_dir() and folder.name not in labs:
                shutil.rmtree(folder)


def main(argv=None):
    labs = list(argv) if argv else lab_names()
    for lab in labs:
        generate_assignment(lab)
        copy_for_students(lab)
        print(f"release/{lab}/{lab}.ipynb and lessons/labs/{lab}/{lab}.ipynb")
    if not argv:
        remove_stale_copies(labs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
