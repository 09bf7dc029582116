"""End to end: the IEEE-754 lesson in real JupyterLab, in a real (headless) Chromium.

Starts ``jupyter lab`` on a free localhost port over a copy of lessons/02_ieee754.ipynb, opens
it with Playwright, runs every cell from the Run menu, checks that no cell shows an error,
clicks one exponent bit of the float explorer and checks that the decimal value shown changes
to exactly what numformat says the new bit pattern means, and saves a screenshot.

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


@pytest.fixture
def jupyter_lab(tmp_path):
    """A JupyterLab server over a temporary folder holding a copy of the lesson."""
    require_browser()
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(LESSON, root / LESSON.name)
    config = tmp_path / "jupyter-config"
    settings = config / "lab" / "user-settings" / "@jupyterlab"
    # No news pop-up; and every cell kept in the page (no virtual scrolling), so that all the
    # execution prompts can be read.
    for extension, plugin, values in [("apputils-extension", "notification", {"fetchNews": "false"}),
                                      ("notebook-extension", "tracker", {"windowingMode": "none"})]:
        (settings / extension).mkdir(parents=True)
        (settings / extension / f"{plugin}.jupyterlab-settings").write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}", "--allow-root",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}"]
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
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
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


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


def test_lesson_runs_and_float_explorer_responds_to_a_click(jupyter_lab, tmp_path):
    from playwright.sync_api import sync_playwright

    notebook = json.loads(LESSON.read_text())
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            server, token = jupyter_lab
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
        finally:
            browser.close()
