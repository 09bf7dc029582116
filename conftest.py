"""Root pytest configuration: every notebook nbval runs must finish in NOTEBOOK_SECONDS.

Lessons and labs promise to run in well under 30 s on a student's laptop; this turns that
promise into a failing test run when a notebook grows too slow.
"""

import re
from collections import defaultdict

NOTEBOOK_SECONDS = 30.0

# lessons/labs/ holds the labs' nbgrader student copies (made by tools/release_labs.py): their
# solution cells raise NotImplementedError and they carry no outputs, so nbval must not run them.
# tests/test_nbgrader.py checks them against what nbgrader makes from labs/ instead.
collect_ignore = ["lessons/labs"]

_notebook_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    path, _, _ = report.nodeid.partition("::")
    if path.endswith(".ipynb"):
        _notebook_seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter):
    if not _notebook_seconds:
        return
    terminalreporter.section("notebook run times")
    for path, seconds in sorted(_notebook_seconds.items()):
        flag = "  TOO SLOW" if seconds > NOTEBOOK_SECONDS else ""
        terminalreporter.write_line(f"{seconds:6.1f} s  {path}{flag}")


def pytest_sessionfinish(session, exitstatus):
    slow = {path: seconds for path, seconds in _notebook_seconds.items() if seconds > NOTEBOOK_SECONDS}
    if slow and session.exitstatus == 0:
        session.exitstatus = 1
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            for path, seconds in slow.items():
                reporter.write_line(f"FAILED {path}: ran {seconds:.1f} s, over the {NOTEBOOK_SECONDS:.0f} s budget",
                                    red=True)


_LAB = re.compile(r"lab(\d\d)")


def pytest_collection_modifyitems(config, items):
    """Mark every item that checks a lab with ``labNN``, so ``pytest -m lab05`` runs exactly lab 5's checks.

    An item belongs to lab NN when its node id names it: the lab notebook itself under nbval
    (``labs/lab05_int8_cnn/...``), a parameter (``[lab05_int8_cnn]``) or a test file of its own
    (``tests/test_lab05_mutants.py``).
    """
    for item in items:
        for number in set(_LAB.findall(item.nodeid)):
            item.add_marker(f"lab{number}")
