"""Sub-byte float codecs against ml_dtypes' casts, and MX block quantization against one per-tensor cast."""

import numpy as np

import numformat as nf
from run import Case


def _same_codes(ours, theirs):
    np.testing.assert_array_equal(ours, theirs)


def _mx_codes_are_the_elements_of_x_over_the_scales(x, quantized):
    """The MXFP4 codes are ml_dtypes' E2M1 casts of each value over its block's power-of-two scale."""
    import ml_dtypes

    scaled = x.reshape(-1, 32) / quantized.scales.reshape(-1, 1)
    expected = np.clip(scaled, -6.0, 6.0).astype(ml_dtypes.float4_e2m1fn).view(np.uint8).reshape(x.shape)
    np.testing.assert_array_equal(quantized.codes, expected)


def cases(quick=False):
    size = 1_024 if quick else 1_048_576  # 2**20: a whole number of blocks of 32 and of 16
    rng = np.random.default_rng(0)
    # float32 inputs: ml_dtypes rounds float64 through float32 first (two roundings), so on
    # float32 both sides round once and must agree on every code.  Values within the formats'
    # ranges (±6 for E2M1, ±7.5 for E2M3, ±28 for E3M2), where neither side saturates.
    x32 = (rng.standard_normal(size) * 2).astype(np.float32)
    table = []
    try:
        import ml_dtypes
    except ImportError:  # the dev extra is not installed: nothing to compare against
        ml_dtypes = None
    if ml_dtypes is not None:
        for fmt, dtype in ((nf.FLOAT4_E2M1FN, ml_dtypes.float4_e2m1fn), (nf.FLOAT6_E2M3FN, ml_dtypes.float6_e2m3fn),
                           (nf.FLOAT6_E3M2FN, ml_dtypes.float6_e3m2fn)):
            inside = np.clip(x32, -fmt.max, fmt.max)
            table.append(Case(f"`to_bits(x, {fmt.name.upper()})`, 2^20 float32",
                              lambda inside=inside, fmt=fmt: nf.to_bits(inside, fmt),
                              f"ml_dtypes `astype({dtype.__name__})`",
                              lambda inside=inside, dtype=dtype: inside.astype(dtype).view(np.uint8),
                              goal_ratio=2.0, check=_same_codes))
    x64 = x32.astype(np.float64)
    table.append(Case("`block_quantize(x, MXFP4_E2M1)`, 2^20 float64 (blocks of 32)",
                      lambda: nf.block_quantize(x64, nf.MXFP4_E2M1),
                      "`to_bits(x, FLOAT4_E2M1FN)`, one per-tensor cast", lambda: nf.to_bits(x64, nf.FLOAT4_E2M1FN),
                      goal_ratio=4.0,
                      check=(lambda ours, _: _mx_codes_are_the_elements_of_x_over_the_scales(x64, ours))
                      if ml_dtypes is not None else None))
    return table
