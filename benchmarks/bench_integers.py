"""Integer casts against what a programmer writes by hand with numpy."""

import numpy as np

import numformat as nf
from run import Case


def _hand_written_wrap(x, bits):
    """Sign-extend the low ``bits`` bits: shift them to the top of int64 and back."""
    shift = np.int64(64 - bits)
    return ((x << shift) >> shift).astype(np.int16)


def _same(ours, reference):
    assert ours.dtype == reference.dtype
    np.testing.assert_array_equal(ours, reference)


def cases(quick=False):
    size = 1_000 if quick else 1_000_000
    x = np.random.default_rng(0).integers(-(2 ** 20), 2 ** 20, size)
    return [
        Case("`cast_int(x, 12)` (wrap), 10^6 int64", lambda: nf.cast_int(x, 12),
             "numpy shift left, arithmetic shift right", lambda: _hand_written_wrap(x, 12),
             goal_ratio=2.0, check=_same),
        Case("`cast_int(x, 8, overflow=\"saturate\")`, 10^6 int64",
             lambda: nf.cast_int(x, 8, overflow="saturate"),
             "`np.clip(x, -128, 127).astype(np.int8)`", lambda: np.clip(x, -128, 127).astype(np.int8),
             goal_ratio=2.0, check=_same),
    ]
