"""Time numformat against its reference libraries, side by side, and print the README's table.

    python benchmarks/run.py            # full sizes; paste the table into README.md
    python benchmarks/run.py --quick    # tiny sizes: every case runs and agrees (tests use this)
    python benchmarks/run.py floats     # only benchmarks/bench_floats.py

Every case runs numformat and the reference on the same input in one process, interleaved
(ours, reference, ours, reference, ...), and keeps each side's best time, so machine load
hits both alike.  The ratio is numformat's time over the reference's; the goal is a ratio too.
Before timing, each case checks that both sides computed the same thing.

On Linux the runner re-executes itself with glibc's malloc thresholds pinned
(MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_).  Otherwise glibc hands freed megabyte
buffers back to the OS and every later allocation page-faults them in again, which adds
milliseconds to whichever side happens to allocate after a free and drowns the arithmetic
being compared.  Both sides run under the same setting.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import os
import pathlib
import platform
import sys
import time
from typing import Callable, Optional

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


@dataclasses.dataclass
class Case:
    """One row of the table.

    ``goal_ratio`` bounds numformat's time over the reference's (``2`` = at most twice as
    slow, ``0.01`` = at least 100x faster).  A case with no reference has ``goal_seconds``.
    A case with neither is a measurement reported without a goal (a runtime compared with
    itself, where the number is the finding).
    ``check(ours_result, reference_result)`` raises if the two disagree.
    """

    name: str
    ours: Callable[[], object]
    reference_name: str = ""
    reference: Optional[Callable[[], object]] = None
    goal_ratio: Optional[float] = None
    goal_seconds: Optional[float] = None
    check: Optional[Callable[[object, object], None]] = None
    repeats: int = 7


def best_time(function, number):
    started = time.perf_counter()
    for _ in range(number):
        function()
    return (time.perf_counter() - started) / number


def calls_per_sample(function):
    """Enough calls per timing sample to last about 0.1 s."""
    once = best_time(function, 1)
    return max(1, min(1000, int(0.1 / max(once, 1e-7))))


def measure(case, quick):
    ours_result = case.ours()
    if case.reference is not None:
        reference_result = case.reference()
        if case.check is not None:
            case.check(ours_result, reference_result)
    if quick:
        return None, None
    ours_number = calls_per_sample(case.ours)
    reference_number = calls_per_sample(case.reference) if case.reference else 0
    ours_best = reference_best = float("inf")
    for _ in range(case.repeats):
        ours_best = min(ours_best, best_time(case.ours, ours_number))
        if case.reference:
            reference_best = min(reference_best, best_time(case.reference, reference_number))
    return ours_best, (reference_best if case.reference else None)


def seconds_text(seconds):
    if seconds is None:
        return "—"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def goal_text(case):
    if case.goal_seconds is None and case.goal_ratio is None:
        return "measured"
    if case.goal_seconds is not None:
        return f"≤ {seconds_text(case.goal_seconds)}"
    if case.goal_ratio >= 1:
        return f"≤ {case.goal_ratio:g}x its time"
    return f"≥ {1 / case.goal_ratio:g}x faster"


def row(case, ours, reference):
    if case.goal_seconds is None and case.goal_ratio is None:
        met, ratio = True, f"{ours / reference:.2f}"
        return (f"| {case.name} | {case.reference_name or '—'} | {seconds_text(ours)} | {seconds_text(reference)} "
                f"| {ratio} | {goal_text(case)} | — |"), met
    if case.goal_seconds is not None:
        met = ours <= case.goal_seconds
        ratio = "—"
    else:
        met = ours / reference <= case.goal_ratio
        ratio = f"{ours / reference:.2f}"
    return (f"| {case.name} | {case.reference_name or '—'} | {seconds_text(ours)} | {seconds_text(reference)} "
            f"| {ratio} | {goal_text(case)} | {'yes' if met else '**no**'} |"), met


# The table follows the course; modules not listed here come last, alphabetically.
TEACHING_ORDER = ["floats", "integers", "fixed", "adc", "measure", "quant", "nn", "runtimes", "qat", "compress", "blocks"]


def teaching_order(name):
    return (TEACHING_ORDER.index(name) if name in TEACHING_ORDER else len(TEACHING_ORDER), name)


def load_cases(names, quick):
    modules = names or sorted((path.stem[len("bench_"):] for path in HERE.glob("bench_*.py")), key=teaching_order)
    cases = []
    for name in modules:
        module = importlib.import_module(f"bench_{name}")
        cases += module.cases(quick=quick)
    return cases


MALLOC_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": str(2 ** 30), "MALLOC_TRIM_THRESHOLD_": str(2 ** 31)}


def pin_malloc():
    """Re-run this script with the malloc settings above (Linux only; once)."""
    if platform.system() == "Linux" and any(os.environ.get(key) != value for key, value in MALLOC_SETTINGS.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_SETTINGS})


def main(argv=None):
    if argv is None:
        pin_malloc()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="benchmark modules to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="tiny inputs, no timing: check the cases run and agree")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    cases = load_cases(args.modules, args.quick)
    if args.quick:
        for case in cases:
            measure(case, quick=True)
            print(f"ok  {case.name}")
        return 0
    import numpy

    print(f"Python {platform.python_version()}, numpy {numpy.__version__}, {platform.machine()}, "
          f"{platform.processor() or platform.system()}; best of {cases[0].repeats if cases else 0} runs, interleaved\n")
    print("| benchmark | reference | numformat | reference time | ratio | goal | met |")
    print("|---|---|---|---|---|---|---|")
    all_met = True
    for case in cases:
        line, met = row(case, *measure(case, quick=False))
        all_met &= met
        print(line, flush=True)
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
