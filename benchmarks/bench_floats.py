"""Float codecs against hand-written numpy bit operations and ml_dtypes' casts."""

import numpy as np

import numformat as nf
from run import Case


def _hand_written_fields(x32):
    """What a programmer writes by hand for float32: view the bits, shift, mask."""
    bits = x32.view(np.uint32)
    return bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF


def _same_fields(ours, reference):
    for ours_field, reference_field in zip(ours, reference):
        np.testing.assert_array_equal(ours_field, reference_field)


def _agree_or_we_are_exact(x64, fmt, ours, theirs):
    """ml_dtypes rounds float64 through float32 first, so on rare inputs its double rounding
    differs from the single correct rounding; there, ours must be the exact answer."""
    differ = np.flatnonzero(ours != theirs)
    assert differ.size <= x64.size // 10_000, f"{differ.size} of {x64.size} codes differ"
    for index in differ:
        assert ours[index] == nf.encode(float(x64[index]), fmt).bits


def cases(quick=False):
    size = 1_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    x32 = (rng.standard_normal(size) * 100).astype(np.float32)
    x64 = rng.standard_normal(size) * 100
    table = [
        Case("`fields(to_bits(x, FLOAT32))`, 10^6 float32",
             lambda: nf.fields(nf.to_bits(x32, nf.FLOAT32), nf.FLOAT32),
             "numpy view + shifts and masks", lambda: _hand_written_fields(x32),
             goal_ratio=2.0, check=_same_fields),
    ]
    try:
        import ml_dtypes
    except ImportError:  # the dev extra is not installed: nothing to compare against
        return table
    table.append(Case("`to_bits(x, FLOAT8_E4M3FN)`, 10^6 float64",
                      lambda: nf.to_bits(x64, nf.FLOAT8_E4M3FN),
                      "ml_dtypes `astype(float8_e4m3fn)`", lambda: x64.astype(ml_dtypes.float8_e4m3fn).view(np.uint8),
                      goal_ratio=2.0, check=lambda ours, theirs: _agree_or_we_are_exact(x64, nf.FLOAT8_E4M3FN, ours, theirs)))
    return table
