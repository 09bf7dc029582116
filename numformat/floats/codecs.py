"""Whole-array codecs between real values and the bit patterns of a float format.

:func:`to_bits`, :func:`from_bits`, :func:`fields`, :func:`round_to`, :func:`ulp`,
:func:`next_up` and :func:`next_down` work on numpy arrays without Python loops.  Rounding is
round-to-nearest-even, once, straight from float64 (exact: the rounding adds quanta of ``2**52``
in float64, where every step is exact).  float32 arrays bound for a format of at most 8 bits
take a shortcut with the same answers: a table of that encoder's codes, looked up by the top
16 bits of each float32 and whether its low 16 are zero.

Examples
--------
>>> to_bits([1.0, -2.0, 0.1], FLOAT16)
array([15360, 49152, 11878], dtype=uint16)
>>> from_bits([0x3C00, 0x7C00, 0x0001], FLOAT16)
array([1.00000000e+00,            inf, 5.96046448e-08])
"""

from __future__ import annotations

import functools

import numpy as np

from ..checks import as_float64_array
from .format import BFLOAT16, FLOAT8_E4M3FN, FLOAT16, FLOAT32, FLOAT64, float_format  # noqa: F401  (the examples use them)

_FLOAT64_EXPONENT_FIELD = np.uint64(0x7FF0_0000_0000_0000)
_BLOCK = 2 ** 14
_TABLE_STEP = 2.0 ** -132  # the smallest step of a format whose float32 codes a table can hold


def _as_codes(codes, fmt):
    """uint64 array of bit patterns, each checked to fit in ``fmt.width`` bits."""
    array = np.asarray(codes)
    if array.dtype.kind not in "iu":
        raise TypeError(f"codes must be integer bit patterns, got {array.dtype}")
    if array.size and (np.min(array) < 0 or np.max(array).astype(np.uint64) >> np.uint64(fmt.width - 1) > 1):
        bad = array[(array < 0) | (array.astype(np.uint64) >> np.uint64(fmt.width - 1) > 1)].flat[0]
        raise ValueError(f"codes must be bit patterns of {fmt.name} (0 to 2**{fmt.width} - 1), got {bad}")
    return array.astype(np.uint64)


def to_bits(x, fmt=FLOAT32, *, saturate=False):
    """Round real values to ``fmt`` (nearest, ties to even) in one step and return the bit patterns.

    Parameters
    ----------
    x : array_like of float or int
        Values; float16/32/64 and integers up to 2**53 are all exact in float64.
    fmt : FloatFormat or str
    saturate : bool
        Send values beyond the largest finite number, and infinities, to ±max instead of ±inf
        (or NaN in fn formats, which have no infinity).  NaN stays NaN: the format's quiet NaN
        with the input's sign (float32 and float64 keep the payload's top bits, as hardware does).

    Returns
    -------
    numpy.ndarray of the smallest unsigned dtype holding ``fmt.width`` bits

    Examples
    --------
    ``1 + 2**-4 + 2**-30`` lies just above the tie between 1.0 and 1.125 in E4M3FN, so it rounds
    up.  Converting through float32 first (``np.float32(x)``, then the narrow format; ml_dtypes
    0.6 and older did this with float64 input) lands on the tie and rounds down to 1.0:

    >>> code = to_bits(1 + 2**-4 + 2**-30, FLOAT8_E4M3FN)
    >>> hex(code), float(from_bits(code, FLOAT8_E4M3FN))
    ('0x39', 1.125)
    >>> to_bits([500.0, np.inf], FLOAT8_E4M3FN), to_bits([500.0, np.inf], FLOAT8_E4M3FN, saturate=True)
    (array([127, 127], dtype=uint8), array([126, 126], dtype=uint8))
    """
    fmt = float_format(fmt)
    if isinstance(x, np.ndarray) and x.dtype == np.float32:
        if fmt == FLOAT32:
            return x.view(np.uint32).copy()  # already float32: nothing to round
        if fmt.width <= 8 and fmt.min_subnormal >= _TABLE_STEP:
            return _codes_by_table(x, fmt, saturate)
    values = as_float64_array(x)
    if fmt == FLOAT64 or fmt == FLOAT32:
        # The hardware conversion is IEEE-754's correctly rounded one (tested against the
        # generic path below), and much faster.
        with np.errstate(over="ignore"):
            native = values.astype(np.float64 if fmt == FLOAT64 else np.float32)
        if saturate:
            native = np.where(np.isinf(native), np.copysign(fmt.max, native), native)
        return native.view(fmt.code_dtype)
    codes = np.empty(values.shape, fmt.code_dtype)
    flat_values, flat_codes = values.reshape(-1), codes.reshape(-1)
    # Blocks of 2**14 values keep every temporary (128 KB) in cache and off the page-fault path;
    # this loop runs over blocks, not elements.
    for start in range(0, flat_values.size, _BLOCK):
        block = slice(start, start + _BLOCK)
        flat_codes[block] = _round_to_codes(flat_values[block], fmt, saturate)
    return codes


@functools.lru_cache(maxsize=None)
def _float32_table(fmt, saturate):
    """``fmt``'s code for every float32 by its top 16 bits and whether its low 16 bits are zero.

    A format of at most 8 bits keeps at most 6 mantissa bits, so its rounding bit is among
    float32's top 16 (sign, exponent and 7 mantissa bits) and the low 16 bits only say whether
    the value lies exactly on a tie -- provided the format's smallest step is not below
    ``2**-132``, twice the weight of float32's bit 16 among its subnormals.  Entry
    ``2 * top + sticky`` is the generic encoder's code for the float32 ``top << 16 | sticky``,
    which rounds like every float32 sharing those two facts.
    """
    top = np.arange(1 << 16, dtype=np.uint32) << np.uint32(16)
    representatives = np.stack([top, top | np.uint32(1)], axis=1).reshape(-1).view(np.float32)
    with np.errstate(invalid="ignore"):  # signalling NaNs are quieted, as every cast does
        table = _round_to_codes(representatives.astype(np.float64), fmt, saturate)
    table.setflags(write=False)  # shared by every call
    return table


def _codes_by_table(x, fmt, saturate):
    """:func:`to_bits` of float32 ``x`` into a format of at most 8 bits: one lookup per value
    (bit for bit the generic encoder's codes: ``tests/test_floats.py`` checks every top half)."""
    table = _float32_table(fmt, saturate)
    bits = np.ascontiguousarray(x).view(np.uint32).reshape(-1)
    codes = np.empty(bits.shape, table.dtype)
    for start in range(0, bits.size, _BLOCK):
        block = bits[start:start + _BLOCK]
        index = block >> np.uint32(15)
        index &= np.uint32(0x1FFFE)          # 2 × the top 16 bits
        sticky = block & np.uint32(0xFFFF)
        sticky += np.uint32(0xFFFF)          # carries into bit 16 exactly when the low bits are not 0
        sticky >>= np.uint32(16)
        index |= sticky
        np.take(table, index, out=codes[start:start + _BLOCK])
    return codes.reshape(x.shape)


def _round_to_codes(values, fmt, saturate=False):
    """The generic float64 → ``fmt`` encoder, exact for every format ``FloatFormat`` accepts."""
    shape, values = values.shape, values.reshape(-1)
    p, width = fmt.mantissa_bits, fmt.width
    if fmt.signed:
        sign_bits = values.view(np.uint64) >> np.uint64(63)
        sign_bits <<= np.uint64(width - 1)
    else:
        sign_bits = np.uint64(0)
    magnitude = np.abs(values)
    # Past 2**(emax+1) everything overflows alike; clamping keeps the sums below finite.
    np.minimum(magnitude, 2.0 ** (fmt.emax + 1), out=magnitude)
    # quantum = 2**(max(E, emin) - p) for magnitude in [2**E, 2**(E+1)).  Adding
    # magic = 2**52 × quantum puts the sum in a binade whose float64 spacing is exactly the
    # quantum, so the FPU's own round-to-nearest-even lands on the format's grid in one step.
    magic_bits = magnitude.view(np.uint64) & _FLOAT64_EXPONENT_FIELD
    np.maximum(magic_bits, np.float64(fmt.min_normal).view(np.uint64), out=magic_bits)
    magic_bits += np.uint64((52 - p) << 52)
    magic = magic_bits.view(np.float64)
    rounded = magnitude  # in place from here: every temporary is one more pass over memory
    rounded += magic
    rounded -= magic
    # Multiplying by 2**(bias - 1023) moves the format's exponent into float64's exponent field
    # (the format's subnormals become float64 subnormals), so the top bits are the code.
    rounded *= 2.0 ** (fmt.bias - 1023)
    codes = rounded.view(np.uint64)
    codes >>= np.uint64(52 - p)
    if fmt.nan in ("ieee", "all_ones") and fmt.signed:
        # Overflow lands on the inf pattern (IEEE) or on or beyond the NaN pattern (fn formats);
        # NaN inputs land far beyond it.  So one minimum leaves every NaN as the format's quiet
        # NaN (sign kept, as ml_dtypes does) and sends fn overflow to NaN.
        np.minimum(codes, np.uint64(fmt.nan_code), out=codes)
        if saturate:
            codes = np.where(np.isnan(values), np.uint64(fmt.nan_code), np.minimum(codes, np.uint64(fmt.max_code)))
        codes |= sign_bits
    else:
        codes = _special_codes(codes, values, sign_bits, fmt, saturate)
    return codes.astype(fmt.code_dtype).reshape(shape)


def _special_codes(codes, values, sign_bits, fmt, saturate):
    """Overflow, NaN, signs and zeros of the formats without IEEE's specials (ml_dtypes' rules).

    * no NaN (FP4, FP6): overflow and infinities always saturate to ±max; NaN, which has no
      code, becomes a zero of the opposite sign (ml_dtypes' cast, which ONNX's Cast uses);
    * FNUZ: one NaN, the code of -0, so -0 (and a negative value that rounds to 0) becomes +0;
    * unsigned (E8M0): zero and negative values are NaN, and values below the smallest
      ``2**-bias`` land on it.
    """
    max_code = np.uint64(fmt.max_code)
    if saturate or fmt.nan is None:
        np.minimum(codes, max_code, out=codes)
    else:
        codes = np.where(codes > max_code, np.uint64(fmt.nan_code), codes)
    nan_input = np.isnan(values)
    if fmt.nan is None:
        codes |= sign_bits
        if nan_input.any():  # rare: fix only those, in place (a zero whose sign is the NaN's flipped)
            sign_bit = np.uint64(1 << fmt.magnitude_bits)
            codes[nan_input] = (codes[nan_input] & sign_bit) ^ sign_bit
        return codes
    if not fmt.signed:
        return np.where(nan_input | ~(values > 0), np.uint64(fmt.nan_code), codes)
    # FNUZ: NaN's code already has the top bit set; zero keeps no sign.
    codes = np.where(codes == 0, codes, codes | sign_bits)
    return np.where(nan_input, np.uint64(fmt.nan_code), codes)


def fields(codes, fmt=FLOAT32):
    """Split bit patterns into their ``(sign, exponent, mantissa)`` fields (exponent biased).

    >>> sign, exponent, mantissa = fields(np.float32([8.625, -0.15625]).view(np.uint32), FLOAT32)
    >>> sign.tolist(), exponent.tolist(), [f"{m:023b}" for m in mantissa]
    ([0, 1], [130, 124], ['00010100000000000000000', '01000000000000000000000'])
    """
    fmt = float_format(fmt)
    codes = np.asarray(codes)
    if codes.dtype != fmt.code_dtype:
        codes = _as_codes(codes, fmt).astype(fmt.code_dtype)
    dtype = codes.dtype.type
    sign = codes >> dtype(fmt.width - 1) if fmt.signed else np.zeros_like(codes)
    exponent = (codes >> dtype(fmt.mantissa_bits)) & dtype(2 ** fmt.exponent_bits - 1)
    mantissa = codes & dtype(2 ** fmt.mantissa_bits - 1)
    return sign, exponent, mantissa


def from_bits(codes, fmt=FLOAT32):
    """Decode bit patterns of ``fmt`` to their exact values as float64.

    >>> from_bits([0x7E, 0x7F, 0x80, 0x01], FLOAT8_E4M3FN)
    array([ 4.480000e+02,           nan, -0.000000e+00,  1.953125e-03])
    """
    fmt = float_format(fmt)
    codes = _as_codes(codes, fmt)
    if fmt == FLOAT64:
        return codes.view(np.float64)
    if fmt == FLOAT32:
        with np.errstate(invalid="ignore"):  # signalling NaN patterns are quieted
            return codes.astype(np.uint32).view(np.float32).astype(np.float64)
    if fmt.width <= 16:
        return _decode_table(fmt)[codes]
    return _decode(codes, fmt)


def _decode(codes, fmt):
    """Arithmetic decoder: the encoder's exponent shift run backwards (exact)."""
    shape, codes = codes.shape, codes.reshape(-1)
    p = fmt.mantissa_bits
    magnitude_codes = codes & np.uint64(2 ** fmt.magnitude_bits - 1)
    values = (magnitude_codes << np.uint64(52 - p)).view(np.float64) * 2.0 ** (1023 - fmt.bias)
    if p == 0:  # no mantissa: exponent field 0 is the number 2**-bias, not zero
        values[magnitude_codes == 0] = fmt.min_normal
    if fmt.nan == "ieee":
        special = magnitude_codes >= fmt.inf_code
        values[special] = np.where(magnitude_codes[special] == fmt.inf_code, np.inf, np.nan)
    elif fmt.nan == "all_ones":
        values[magnitude_codes == fmt.nan_code] = np.nan
    elif fmt.nan == "negative_zero":
        values[codes == fmt.nan_code] = np.nan
    if not fmt.signed:
        return values.reshape(shape)
    return np.where(codes >> np.uint64(fmt.width - 1) == 1, -values, values).reshape(shape)


_TABLES = {}


def _decode_table(fmt):
    """Every value of a format of at most 16 bits, indexed by bit pattern (built once)."""
    if fmt not in _TABLES:
        table = _decode(np.arange(2 ** fmt.width, dtype=np.uint64), fmt)
        table.setflags(write=False)
        _TABLES[fmt] = table
    return _TABLES[fmt]


def round_to(x, fmt=FLOAT32, *, saturate=False):
    """Values rounded onto ``fmt``'s grid (nearest, ties to even), returned as float64.

    >>> round_to([0.1, 1000.1, 3.0e38], FLOAT16).tolist()
    [0.0999755859375, 1000.0, inf]
    >>> round_to([1.0 + 2**-8, 1.0 + 3 * 2**-8], "bfloat16").tolist()
    [1.0, 1.015625]
    """
    fmt = float_format(fmt)
    return from_bits(to_bits(x, fmt, saturate=saturate), fmt)


def ulp(x, fmt=FLOAT32):
    """Unit in the last place: the gap between the two values of ``fmt`` around ``|x|``.

    A power of two counts as the lower end of its gap, as ``numpy.spacing`` does.  Zero and
    subnormals all have the smallest gap, ``min_subnormal``; the largest binade keeps its own
    spacing up to ``max`` (where ``numpy.spacing`` answers inf, the next value up being inf);
    beyond that binade the answer is inf, and for inf or NaN it is NaN.

    >>> ulp([1.0, 1000.0, 0.0], FLOAT16)
    array([9.765625e-04, 5.000000e-01, 5.960464e-08])
    >>> float(ulp(1.0, FLOAT32)) == 2.0 ** -23
    True
    """
    fmt = float_format(fmt)
    magnitude = np.abs(as_float64_array(x))
    binade = np.where(magnitude > 0, np.frexp(magnitude)[1] - 1, fmt.emin)
    gap = np.ldexp(1.0, np.maximum(binade, fmt.emin) - fmt.mantissa_bits)
    gap = np.where(binade > fmt.emax, np.inf, gap)
    return np.where(np.isfinite(magnitude), gap, np.nan)


def next_up(x, fmt=FLOAT32):
    """The smallest value of ``fmt`` strictly greater than ``x`` (IEEE-754 nextUp).

    After the largest finite value comes +inf, or NaN in fn formats, which have no infinity.

    >>> next_up([1.0, -0.0, 1.01], FLOAT16)
    array([1.00097656e+00, 5.96046448e-08, 1.01074219e+00])
    >>> next_up([448.0, -np.inf], FLOAT8_E4M3FN)
    array([  nan, -448.])
    """
    fmt = float_format(fmt)
    values = as_float64_array(x)
    codes = to_bits(values, fmt, saturate=True).astype(np.uint64)
    nearest = from_bits(codes, fmt)
    magnitude_codes = codes & np.uint64(2 ** fmt.magnitude_bits - 1)
    negative = codes != magnitude_codes
    towards_zero = codes - np.uint64(1)
    if fmt.nan == "negative_zero":  # -min_subnormal steps to +0: there is no -0 (its code is NaN)
        towards_zero = np.where(magnitude_codes == 1, np.uint64(0), towards_zero)
    # Up the number line: away from zero for positives, towards zero for negatives, -0 to +min.
    stepped = np.where(~negative, codes + np.uint64(1),
                       np.where(magnitude_codes == 0, np.uint64(1), towards_zero))
    # NaN stays put; +inf was saturated to max, so it steps on to +inf (or NaN in fn formats).
    stepped = np.where(np.isnan(nearest) | (stepped > 2 ** fmt.width - 1), codes, stepped)
    result = np.where(nearest > values, nearest, from_bits(stepped, fmt))
    if fmt.nan is None:  # nothing lies above max, not even inf or NaN: say so with NaN
        result = np.where(~negative & (codes == fmt.max_code) & ~(nearest > values), np.nan, result)
    if not fmt.signed:  # zero and negatives are NaN codes, but the next value up is the smallest
        result = np.where(values < fmt.min_subnormal, fmt.min_subnormal, result)
    return result


def next_down(x, fmt=FLOAT32):
    """The largest value of ``fmt`` strictly less than ``x`` (IEEE-754 nextDown): ``-next_up(-x)``.

    >>> next_down([1.0, 0.0], FLOAT16)
    array([ 9.99511719e-01, -5.96046448e-08])
    """
    return -next_up(-as_float64_array(x), fmt)
