"""Every benchmark case runs and both sides agree (tiny sizes; no timing is asserted)."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_benchmark_cases_run_and_agree():
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--quick"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok  ") >= 2


def test_readme_quotes_the_benchmark_table():
    readme = (ROOT / "README.md").read_text()
    assert "| benchmark | reference | numformat | reference time | ratio | goal | met |" in readme
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import run

    for case in run.load_cases([], quick=True):
        assert case.name in readme, f"README's benchmark table lacks the row {case.name}"
