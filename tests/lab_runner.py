"""Run a lab as a student sees it, with some solution cells replaced, and report what each test says.

The lab tests keep the plausible wrong answers a student writes (off by one step, the wrong
rounding or tie rule, a forgotten saturation ...) as *mutants*: a solution cell's replacement
source.  ``run_lab`` executes the lab's code cells in order in one namespace, with the hidden
tests removed (the student copy's view), and returns what every graded test cell raised.  A
mutant test then asserts that a visible test caught the mistake with a helpful message::

    outcome = run_lab("lab05_int8_cnn", {"split_multiplier": WRONG})
    assert_caught(outcome, "test_split_multiplier", "carry")

Executing in-process (``exec``) instead of a kernel keeps a mutant to the time its cells take.
"""

import contextlib
import io
import json
import os
import pathlib
import re
import textwrap
import warnings

import matplotlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)


def lab_cells(lab):
    """The lab's code cells as ``(grade_id or None, source, is_graded_test)``, hidden tests removed."""
    notebook = json.loads((ROOT / "labs" / lab / f"{lab}.ipynb").read_text())
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        meta = cell["metadata"].get("nbgrader", {})
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cells.append((meta.get("grade_id"), HIDDEN.sub("", source), bool(meta.get("grade"))))
    return cells


class LabOutcome(dict):
    """``{grade_id: exception or None}`` for every graded test cell that ran, in order."""

    def first_failure(self):
        return next(((name, error) for name, error in self.items() if error is not None), (None, None))


def run_lab(lab, replacements=None, *, stop_after=None):
    """Execute ``lab``'s cells (hidden tests removed) with solution cells replaced; return a LabOutcome.

    replacements: ``{grade_id: source}`` for solution cells (the source is dedented).  A setup or
    solution cell that raises stops the run (later cells could not run either).  ``stop_after``:
    a grade_id after which to stop, to save time.
    """
    replacements = dict(replacements or {})
    cells = lab_cells(lab)
    unknown = set(replacements) - {grade_id for grade_id, _, _ in cells}
    if unknown:
        raise ValueError(f"no solution cells {sorted(unknown)} in {lab}")
    matplotlib.use("Agg")
    namespace = {"__name__": "__main__"}
    outcome = LabOutcome()
    cwd = os.getcwd()
    os.chdir(ROOT / "labs" / lab)
    try:
        # A mutant's 0/0 warns as a student's would; the test judges what the visible tests say.
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for grade_id, source, graded in cells:
                if grade_id in replacements:
                    source = textwrap.dedent(replacements[grade_id])
                code = compile(source, f"<{lab}:{grade_id}>", "exec")
                if graded:
                    try:
                        exec(code, namespace)  # noqa: S102 - the lab's own cells
                        outcome[grade_id] = None
                    except Exception as error:  # noqa: BLE001 - report what the test cell said
                        outcome[grade_id] = error
                else:
                    exec(code, namespace)  # noqa: S102
                if stop_after is not None and grade_id == stop_after:
                    break
    finally:
        os.chdir(cwd)
        import matplotlib.pyplot as plt

        plt.close("all")
    return outcome


def assert_caught(outcome, test_id, message):
    """Assert that the visible test ``test_id`` failed with an AssertionError whose text matches ``message``.

    A bare ``assert`` (no message) does not count: the student must be told what is wrong.
    """
    assert test_id in outcome, f"test cell {test_id} did not run; outcome: {dict(outcome)}"
    error = outcome[test_id]
    assert error is not None, f"the mutant passed the visible test {test_id}"
    assert isinstance(error, AssertionError), f"{test_id} raised {type(error).__name__}: {error}, not an assertion"
    assert str(error), f"{test_id} caught the mutant with a bare assert (no message for the student)"
    assert re.search(message, str(error), re.I), f"{test_id} said {str(error)!r}; expected a message matching {message!r}"


def assert_all_pass(outcome):
    """Assert that every graded test cell that ran passed."""
    failed = {name: repr(error) for name, error in outcome.items() if error is not None}
    assert not failed, f"visible tests failed: {failed}"


def lab_tests(lab, mutants):
    """The two tests of a lab's mutant file, for ``lab`` and its ``mutants``.

    ``mutants`` maps a name to ``(solution grade_id, replacement source, test grade_id, message
    regex)``.  Use as ``test_reference_solution_passes_every_visible_test, test_visible_tests_catch
    = lab_tests(LAB, MUTANTS)``.
    """
    import pytest

    def test_reference_solution_passes_every_visible_test():
        assert_all_pass(run_lab(lab))

    @pytest.mark.parametrize("name", list(mutants))
    def test_visible_tests_catch(name):
        solution_id, source, test_id, message = mutants[name]
        assert_caught(run_lab(lab, {solution_id: source}, stop_after=test_id), test_id, message)

    return test_reference_solution_passes_every_visible_test, test_visible_tests_catch
