"""Fixed-point conversion and arithmetic against apytypes and fxpmath, same modes on both sides.

apytypes' ``APyFixedArray.from_float`` always rounds to nearest with ties away from zero and
wraps (``RND_INF``, ``WRAP``), so its rows ask ``Fixed`` for the same.  fxpmath takes the mode
names; its rows use ``Fixed``'s defaults (nearest-even, saturate) and, separately, wrap.
The inputs are normal with sigma 3, so about 1 in 130 lands outside Q3.12's range [-8, 8).
"""

import numpy as np

import numformat as nf
from run import Case

Q3_12 = nf.QFormat(3, 12)


def _same_bits(ours, their_bits):
    np.testing.assert_array_equal(ours.bits, np.asarray(their_bits).astype(np.uint64))


def _same_raw(ours, their_raw):
    np.testing.assert_array_equal(ours.raw, their_raw)


def cases(quick=False):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1_000 if quick else 1_000_000) * 3
    x_small = x[: 1_000 if quick else 100_000]
    table = []
    try:
        import apytypes as apy
    except ImportError:  # the dev extra is not installed: nothing to compare against
        apy = None
    if apy is not None:
        a, b = nf.Fixed(x, Q3_12), nf.Fixed(x[::-1].copy(), Q3_12)
        # bit patterns as Python ints: apytypes 0.5.1 stores a uint64 ndarray's patterns without
        # sign-extending them (-0.4 in Q3.12 reads back as 15.6)
        apy_a, apy_b = (apy.APyFixedArray(v.bits.tolist(), int_bits=4, frac_bits=12) for v in (a, b))
        table += [
            Case("`Fixed(x, QFormat(3, 12), rounding='nearest_away', overflow='wrap')`, 10^6 float64",
                 lambda: nf.Fixed(x, Q3_12, rounding="nearest_away", overflow="wrap"),
                 "apytypes `APyFixedArray.from_float(x, int_bits=4, frac_bits=12)`",
                 lambda: apy.APyFixedArray.from_float(x, int_bits=4, frac_bits=12),
                 goal_ratio=1.5, check=lambda ours, theirs: _same_bits(ours, theirs.to_bits(numpy=True))),
            Case("`(a * b).cast(QFormat(3, 12), rounding='nearest_even')`, 10^6 Q3.12 pairs",
                 lambda: (a * b).cast(Q3_12, rounding="nearest_even"),
                 "apytypes `(a * b).cast(4, 12, RND_CONV, SAT)`",
                 lambda: (apy_a * apy_b).cast(int_bits=4, frac_bits=12, quantization=apy.QuantizationMode.RND_CONV,
                                               overflow=apy.OverflowMode.SAT),
                 goal_ratio=1.5, check=lambda ours, theirs: _same_bits(ours, theirs.to_bits(numpy=True))),
        ]
    try:
        from fxpmath import Fxp
    except ImportError:
        return table
    table += [
        Case("`Fixed(x, QFormat(3, 12))`, 10^5 float64",
             lambda: nf.Fixed(x_small, Q3_12),
             "fxpmath `Fxp(x, True, 16, 12, rounding='around')`",
             lambda: Fxp(x_small, True, 16, 12, rounding="around", overflow="saturate"),
             goal_ratio=0.01, check=lambda ours, theirs: _same_raw(ours, theirs.val)),
        Case("`Fixed(x, QFormat(3, 12), rounding='nearest_away', overflow='wrap')`, 10^5 float64",
             lambda: nf.Fixed(x_small, Q3_12, rounding="nearest_away", overflow="wrap"),
             "fxpmath `Fxp(..., rounding='nearest_away', overflow='wrap')`",
             lambda: Fxp(x_small, True, 16, 12, rounding="nearest_away", overflow="wrap"),
             goal_ratio=1.0, check=lambda ours, theirs: _same_raw(ours, theirs.val)),
    ]
    return table
