"""The project installs as documented: pyproject.toml, environment.yml, README and the import contract."""

import pathlib
import re
import subprocess
import sys
try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONDA_TO_PIP = {"python-sounddevice": "sounddevice"}


def requirement(text):
    """('name', '>=1.2') from 'name>=1.2'."""
    match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*?)\s*", text)
    return match.group(1).lower(), match.group(2)


def test_environment_yml_lists_the_runtime_dependencies():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_side = dict(requirement(dep) for dep in pyproject["project"]["dependencies"])
    conda_side = {}
    for dep in environment["dependencies"]:
        if isinstance(dep, str):
            name, version = requirement(dep)
            if name not in ("python", "pip"):
                conda_side[CONDA_TO_PIP.get(name, name)] = version
    assert conda_side == pip_side
    pip_entries = next(dep["pip"] for dep in environment["dependencies"] if isinstance(dep, dict))
    assert "-e ." in pip_entries
    assert "conda-forge" in environment["channels"]


def test_reference_libraries_are_dev_only_except_the_runtime_lesson_7_runs():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime = {requirement(dep)[0] for dep in pyproject["project"]["dependencies"]}
    dev = {requirement(dep)[0] for dep in pyproject["project"]["optional-dependencies"]["dev"]}
    assert {"ml-dtypes", "apytypes", "fxpmath", "ai-edge-litert", "pytest", "hypothesis", "playwright"} <= dev
    assert {"onnx", "onnxruntime"} <= runtime  # a student's `pip install -e .` runs every lesson cell
    assert not runtime & dev


REFERENCES = {"numpy", "scipy", "scikit-learn", "nbval", "nbgrader", "ml-dtypes", "apytypes", "fxpmath", "onnx",
              "onnxruntime", "ai-edge-litert"}


def test_reference_libraries_have_upper_bounds():
    """A library a test compares against may not move to a new minor version unseen."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    deps = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["dev"]
    bounds = dict(requirement(dep) for dep in deps)
    for name in REFERENCES:
        assert re.search(r"<\s*[0-9]", bounds[name]), f"{name}{bounds[name]} has no upper bound"
    assert pyproject["project"]["scripts"]["numformat"] == "numformat.cli:main"


def test_import_stays_light():
    """`import numformat` must not drag in plotting, widgets, audio, sklearn or onnx."""
    heavy = ["matplotlib", "ipywidgets", "sounddevice", "sklearn", "onnx", "onnxruntime", "scipy", "ai_edge_litert",
             "tflite", "flatbuffers"]
    code = f"import sys, numformat; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


def test_readme_documents_every_notebook_and_the_commands():
    readme = (ROOT / "README.md").read_text()
    notebooks = sorted(ROOT.glob("lessons/*.ipynb")) + sorted(ROOT.glob("labs/*/*.ipynb"))
    for notebook in notebooks:
        assert str(notebook.relative_to(ROOT)) in readme, f"README's course table misses {notebook.name}"
    for linked in re.findall(r"\((lessons/[^)]+\.ipynb|labs/[^)]+\.ipynb)\)", readme):
        assert (ROOT / linked).exists(), f"README links {linked}, which does not exist"
    for command in ['pip install -e ".[dev]"', "conda env create -f environment.yml", "jupyter lab lessons/",
                    "pytest --nbval labs/", "python tools/release_labs.py", "nbgrader autograde",
                    "python tools/execute_notebooks.py", "python benchmarks/run.py", "numformat float 8.625",
                    "apt-get install libportaudio2"]:
        assert command in readme, f"README does not show `{command}`"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = re.search(r"The test command.*?```(?:bash|sh)?\n(.*?)\n```", readme, re.S).group(1).strip()
    assert test_command == "pytest"
    assert re.search(r"^pytest$", ci, re.M)
    assert 'pip install -q -e ".[dev]"' in ci and "libportaudio2" in ci and "chromium" in ci


def test_nbgrader_config_points_at_labs():
    namespace = {}

    class Config(dict):
        def __getattr__(self, name):
            return self.setdefault(name, Config())

        def __setattr__(self, name, value):
            self[name] = value

    config = Config()
    exec((ROOT / "nbgrader_config.py").read_text(), {"get_config": lambda: config}, namespace)
    assert config["CourseDirectory"]["source_directory"] == "labs"


RUNNABLE = sorted(path.relative_to(ROOT).with_suffix("").as_posix().replace("/", ".")
                  for path in (ROOT / "numformat").rglob("*.py") if 'if __name__ == "__main__":' in path.read_text())


@pytest.mark.parametrize("module", RUNNABLE)
def test_every_python_m_command_starts_without_warnings(module):
    """`python -m <module> --help` prints its usage with runpy's warnings made errors: a module the
    package imports at `import numformat` would warn that it "may result in unpredictable behaviour"."""
    done = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", module, "--help"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0 and "usage:" in done.stdout, done.stderr[-2000:]
