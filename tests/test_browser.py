"""End to end: the course in real JupyterLab, in a real (headless) Chromium, started as a student does.

A copy of the course (lessons/, with the labs' student copies in lessons/labs/, and README.md)
is served by ``jupyter lab lessons/`` run from the course folder, on a free localhost port, so
the file browser's root is lessons/ exactly as a student sees it (a copy, because running cells
marks notebooks changed and JupyterLab would save them).  Then, with Playwright:

- the IEEE-754 lesson runs every cell from the Run menu with no cell showing an error; clicking
  one exponent bit of the float explorer changes the decimal value shown to exactly what
  numformat says the new bit pattern means; a screenshot is saved;
- in the file browser, opening ``labs/`` lists every lab, and opening a lab's folder and then its
  notebook opens the nbgrader student copy (its solution cells raise NotImplementedError), with
  a kernel, as ``labs/<lab>/<lab>.ipynb`` of that server.

Skips with a reason when Chromium or Playwright is missing on a developer's machine; CI sets
NUMFORMAT_REQUIRE_BROWSER=1, which turns the skip into a failure.
"""

import json
import os
import pathlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
import types
import urllib.request

import pytest

import numformat as nf

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSON = ROOT / "lessons" / "02_ieee754.ipynb"
CHROMIUM = os.environ.get("NUMFORMAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Tracebacks and anything written to stderr (warnings included) render with this MIME type.
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def require_browser():
    """Skip (or, in CI, fail) when the browser stack is not installed."""
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "Python playwright is not installed (pip install -e '.[dev]')"
    if missing is None and not shutil.which(CHROMIUM):
        missing = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("NUMFORMAT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"NUMFORMAT_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(server, token, path, method="GET"):
    """One call to the Jupyter server's REST API, its JSON answer (None when it sends none)."""
    request = urllib.request.Request(f"{server}/api/{path}", method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
    return json.loads(body) if body else None


def write_lab_settings(config):
    """No news pop-up, no autosave, and every cell kept in the page (no virtual scrolling), so that
    all the execution prompts can be read."""
    settings = config / "lab" / "user-settings" / "@jupyterlab"
    for extension, plugin, values in [("apputils-extension", "notification", {"fetchNews": "false"}),
                                      ("notebook-extension", "tracker", {"windowingMode": "none"}),
                                      ("docmanager-extension", "plugin", {"autosave": False})]:
        (settings / extension).mkdir(parents=True, exist_ok=True)
        (settings / extension / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """``jupyter lab lessons/`` run from a copy of the course folder: (url, token, course folder)."""
    require_browser()
    tmp_path = tmp_path_factory.mktemp("browser")
    course = tmp_path / "numformat"
    shutil.copytree(ROOT / "lessons", course / "lessons", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "README.md", course)
    config = tmp_path / "jupyter-config"
    write_lab_settings(config)
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    # The student's command, `jupyter lab lessons/`, plus what a test needs: a fixed port and
    # token, no browser of its own, no network checks.
    command = [sys.executable, "-m", "jupyterlab", "lessons/", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", "--allow-root",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(command, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not start:\n{(tmp_path / 'jupyter.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield types.SimpleNamespace(url=f"http://127.0.0.1:{port}", token=token, course=course,
                                    workspaces=tmp_path / "workspaces")
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def jupyter_lab(jupyter_server):
    """The shared server, left as a fresh start after each test: no session (so no kernel) and
    no saved workspace (which would reopen the last test's notebook)."""
    server, token = jupyter_server.url, jupyter_server.token
    yield server, token
    for session in api(server, token, "sessions"):
        api(server, token, f"sessions/{session['id']}", method="DELETE")
    shutil.rmtree(jupyter_server.workspaces, ignore_errors=True)


@pytest.fixture
def browser_page():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser.new_page(viewport={"width": 1400, "height": 1000})
        finally:
            browser.close()


def wait_for_one_connected_idle_kernel(server, token):
    """JupyterLab may start a second kernel while it sets up the session and shut the first one
    down; running cells before that settles loses them.  Wait until the server reports exactly
    one kernel, connected and idle."""
    deadline = time.monotonic() + 120
    while True:
        with urllib.request.urlopen(f"{server}/api/kernels?token={token}", timeout=5) as response:
            kernels = json.load(response)
        if len(kernels) == 1 and kernels[0]["connections"] >= 1 and kernels[0]["execution_state"] == "idle":
            return
        if time.monotonic() > deadline:
            pytest.fail(f"no single connected idle kernel after 120 s: {kernels}")
        time.sleep(0.5)


def wait_for_session_kernel(server, token, path):
    """The kernel of the one session the server holds, once it is for ``path`` and idle."""
    deadline = time.monotonic() + 120
    while True:
        sessions = api(server, token, "sessions")
        if [session["path"] for session in sessions] == [path] and sessions[0]["kernel"]["execution_state"] == "idle":
            return sessions[0]["kernel"]
        if time.monotonic() > deadline:
            pytest.fail(f"no idle kernel for {path} after 120 s: {sessions}")
        time.sleep(0.5)


def run_all_cells(page, cell_count):
    """Run > Run All Cells, and wait until every cell ran or one failed."""
    prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt")
    # Menu commands act on the current panel: make sure it is the notebook.
    page.locator(".jp-Notebook .jp-Cell").first.click()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # Done when every code cell shows an execution number (none blank, none busy), or when a
    # cell failed (Run All stops there).
    page.wait_for_function(
        "([n, error]) => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];"
        " return document.querySelector(error) !== null"
        "   || (p.length === n && p.every(e => /\\[[0-9]+\\]/.test(e.textContent))); }",
        arg=[cell_count, ERROR_OUTPUT], timeout=180_000)
    return prompts


def test_lesson_runs_and_float_explorer_responds_to_a_click(jupyter_lab, browser_page, tmp_path):
    notebook = json.loads(LESSON.read_text())
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    page = browser_page
    server, token = jupyter_lab
    # The server's root is lessons/, so the lesson is at the top of the file browser.
    page.goto(f"{server}/lab/tree/{LESSON.name}?token={token}")
    page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=120_000)
    wait_for_one_connected_idle_kernel(server, token)
    try:
        run_all_cells(page, code_cells)
        errors = page.locator(ERROR_OUTPUT)
        assert errors.count() == 0, f"a cell shows an error or a warning:\n{errors.first.inner_text()}"

        explorer = page.locator(".nf-float-explorer").first
        explorer.scroll_into_view_if_needed()
        bits_before = int(explorer.locator(".nf-hex input").input_value(), 16)
        fmt = nf.float_format(explorer.locator("select").input_value().replace("float8 ", "").lower())
        exponent_lsb = fmt.mantissa_bits
        explorer.locator(f".nf-bit-{exponent_lsb}").click()
        expected = nf.decode(bits_before ^ (1 << exponent_lsb), fmt)
        page.wait_for_function(
            "([hex]) => [...document.querySelectorAll('.nf-float-explorer .nf-hex input')]"
            ".some(input => input.value === hex)", arg=[expected.hex], timeout=20_000)
        shown = float(explorer.locator(".nf-decimal input").input_value())
        assert shown == expected.value, f"clicking bit {exponent_lsb} showed {shown}, expected {expected.value}"
        assert expected.value != nf.decode(bits_before, fmt).value
    finally:
        page.screenshot(path=str(tmp_path / "jupyterlab.png"), full_page=True)


def open_in_file_browser(page, name):
    """Double-click ``name`` in the file browser's current folder, as a student does."""
    page.locator(".jp-DirListing-content .jp-DirListing-itemText").get_by_text(name, exact=True).dblclick()


def listed_names(page):
    return set(page.locator(".jp-DirListing-content .jp-DirListing-itemText").all_inner_texts())


def test_the_file_browser_reaches_every_lab_and_opens_its_student_copy(jupyter_lab, jupyter_server, browser_page,
                                                                      tmp_path):
    server, token = jupyter_lab
    course = jupyter_server.course
    labs = sorted(path.name for path in (course / "lessons" / "labs").iterdir() if path.is_dir())
    assert labs, "lessons/labs/ holds no student copy: run python tools/release_labs.py"
    lab = labs[0]
    student_copy = json.loads((course / "lessons" / "labs" / lab / f"{lab}.ipynb").read_text())
    page = browser_page
    page.goto(f"{server}/lab?token={token}")
    try:
        page.locator(".jp-DirListing-content .jp-DirListing-itemText").first.wait_for(timeout=120_000)
        # The root a student starts in: the lessons and the labs/ folder.
        page.wait_for_function("() => [...document.querySelectorAll('.jp-DirListing-itemText')]"
                               ".some(e => e.textContent.trim() === 'labs')", timeout=30_000)
        assert {"00_start_here.ipynb", "labs"} <= listed_names(page)
        open_in_file_browser(page, "labs")
        page.locator(".jp-DirListing-content .jp-DirListing-itemText").get_by_text(lab, exact=True).wait_for()
        assert set(labs) <= listed_names(page), "every lab is one click away in labs/"
        open_in_file_browser(page, lab)
        open_in_file_browser(page, f"{lab}.ipynb")

        page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=120_000)
        assert page.locator(".lm-TabBar-tab.jp-mod-current .lm-TabBar-tabLabel").inner_text() == f"{lab}.ipynb"
        # Every cell of the student copy is rendered (windowing is off).
        page.wait_for_function("([n]) => document.querySelectorAll('.jp-Notebook .jp-Cell').length === n",
                               arg=[len(student_copy["cells"])], timeout=30_000)
        stubs = page.locator(".jp-Notebook .jp-CodeCell .jp-InputArea-editor").filter(has_text="raise NotImplementedError()")
        assert stubs.count() == sum("raise NotImplementedError()" in "".join(cell["source"])
                                    for cell in student_copy["cells"] if cell["cell_type"] == "code") > 0, \
            "the student copy, its solutions replaced by raise NotImplementedError()"
        assert page.locator(".jp-Notebook").filter(has_text="### BEGIN SOLUTION").count() == 0
        # nbgrader's JupyterLab extension gives the copy the Validate button lesson 0 describes.
        assert page.locator(".jp-NotebookPanel-toolbar").get_by_text("Validate", exact=True).is_visible()
        # The server rooted at lessons/ opened the student copy, and a kernel runs it.
        kernel = wait_for_session_kernel(server, token, f"labs/{lab}/{lab}.ipynb")
        assert kernel["execution_state"] == "idle"
    finally:
        page.screenshot(path=str(tmp_path / "student_copy.png"), full_page=True)
