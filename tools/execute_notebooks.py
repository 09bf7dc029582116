"""Re-execute every lesson and lab notebook in place, deterministically.

    python tools/execute_notebooks.py                 # all of lessons/ and labs/
    python tools/execute_notebooks.py lessons/02_ieee754.ipynb

Each notebook runs top to bottom in a fresh kernel of this Python environment, from its own
folder, with PYTHONHASHSEED fixed; outputs are stored so that nbval can compare them later.
No timing metadata is recorded, consecutive prints are merged into one stream output (their
split otherwise depends on timing), and live widgets are stored as their text repr only (their
model ids are random and mean nothing without a kernel), so re-running leaves unchanged
notebooks byte-identical.
"""

import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent


def notebooks(paths):
    if paths:
        return [pathlib.Path(path).resolve() for path in paths]
    found = sorted((ROOT / "lessons").glob("*.ipynb")) + sorted((ROOT / "labs").glob("*/*.ipynb"))
    return [path for path in found if ".ipynb_checkpoints" not in path.parts]


def execute(path, timeout):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                            coalesce_streams=True, store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.kernel_manager_class = "jupyter_client.manager.KernelManager"
    started = time.perf_counter()
    client.execute(cwd=str(path.parent), env=os.environ.copy())
    seconds = time.perf_counter() - started
    drop_widget_views(notebook)
    nbformat.write(notebook, path)
    return seconds


def drop_widget_views(notebook):
    """Keep a widget output's text repr, drop its (random) model id; a student re-runs the cell."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", help="notebooks to run (default: every lesson and lab)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell")
    args = parser.parse_args(argv)
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    for path in notebooks(args.paths):
        seconds = execute(path, args.timeout)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{seconds:6.1f} s  {shown}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
