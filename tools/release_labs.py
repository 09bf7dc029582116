"""Make student copies of every lab with nbgrader's own release machinery.

    python tools/release_labs.py              # release/<lab>/<lab>.ipynb for every lab
    python tools/release_labs.py lab01_float_bits

This runs ``nbgrader generate_assignment <lab> --force`` from the repository root (where
nbgrader_config.py points nbgrader at labs/): solutions become ``raise NotImplementedError()``,
hidden tests disappear, outputs are cleared, and the test cells are locked by checksum.
Self-learners open the copies in release/; instructors distribute them as usual.
"""

import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main(argv=None):
    labs = argv if argv else sorted(path.name for path in (ROOT / "labs").iterdir() if path.is_dir()
                                    and (path / f"{path.name}.ipynb").exists())
    # nbgrader creates gradebook.db by running the `alembic` script: find it beside this
    # interpreter even when its environment is not activated.
    path = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    for lab in labs:
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab, "--force"],
                       cwd=ROOT, check=True, env={**os.environ, "PATH": path})
        print(f"release/{lab}/{lab}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
