"""Integer-only requantization as TFLite and gemmlowp define it, and as onnxruntime does it in float32.

An int8 layer accumulates ``sum((x_q - x_zp) * (w_q - w_zp))`` in int32.  That accumulator is a
real number in units of ``S_in * S_w``; the next layer wants units of ``S_out``, so the
accumulator is scaled by the real multiplier ``m = S_in * S_w / S_out`` (usually < 1), rounded,
shifted by the output zero point and clamped.  Three ways to do that multiplication:

``"fixedpoint"``
    TFLite's reference kernels: ``m`` becomes a 31-bit fixed-point significand ``M0`` and a
    power-of-two ``shift`` (:func:`quantize_multiplier`); the accumulator is multiplied with
    :func:`saturating_rounding_doubling_high_mul` and shifted right with
    :func:`rounding_divide_by_pot` -- two roundings, both from gemmlowp's ``fixedpoint.h``.
``"fixedpoint-single"``
    TFLite built with ``TFLITE_SINGLE_ROUNDING``: one 64-bit product ``acc * M0`` rounded once
    (half up) by the whole shift.
``"float32"``
    onnxruntime's CPU ``QLinearConv``/``QLinearMatMul`` (MLAS ``MlasRequantizeOutput``): the
    accumulator converted to float32, multiplied by a float32 multiplier, clamped, rounded half
    to even, plus the zero point.

Two more, each what one LiteRT kernel does (measured on ai-edge-litert 2.3 and checked in
``tests/test_tflite_export.py``):

``"fixedpoint-up"``
    TFLite's optimized kernels (``BUILTIN_WITHOUT_DEFAULT_DELEGATES``): the same ``M0`` and
    ``shift``, two roundings, but both half up: ``t = (acc·M0 + 2**30) >> 31``, then
    ``(t + 2**(r-1)) >> r`` (gemmlowp's ``RoundingDivideByPOT`` rounds -2.5 to -3, this to -2).
``"float64-away"``
    TFLite's reference ``FULLY_CONNECTED`` (``BUILTIN_REF``): no fixed-point multiplier at all,
    ``round(double(acc) · double(multiplier))`` with halves away from zero (``std::round``).

A runtime can use different arithmetic for different operators; :data:`RUNTIMES` says which
mode each runtime uses for a convolution and for a fully connected layer.

Every function is vectorised over int32/int64 numpy arrays; per-channel multipliers are arrays.
Scalars in, Python ints out.

Examples
--------
>>> quantize_multiplier(0.1)
(1717986918, -3)
>>> requantize([5, 15, 25, 35, 45], 0.1, 0, -128, 127, mode="fixedpoint").tolist()
[1, 2, 3, 4, 5]
>>> requantize([5, 15, 25, 35, 45], 0.1, 0, -128, 127, mode="fixedpoint-single").tolist()
[0, 1, 2, 3, 4]
>>> requantize([5, 15, 25, 35, 45], 0.1, 0, -128, 127, mode="float32").tolist()
[0, 2, 2, 4, 4]
>>> requantize([-5, -3, 3, 5], 0.5, 0, -128, 127, mode="fixedpoint-up").tolist()   # -2.5, -1.5, 1.5, 2.5 half up
[-2, -1, 2, 3]
>>> requantize([-5, -3, 3, 5], 0.5, 0, -128, 127, mode="float64-away").tolist()
[-3, -2, 2, 3]

Three answers for ``acc · 0.1``, exactly 0.5, 1.5, ... in real arithmetic: TFLite's ``M0 ·
2**-34`` is 0.0999999999767, so single rounding sees 0.4999999999 and rounds down; double
rounding first rounds ``5 · M0 / 2**31`` = 3.9999999998 up to 4, then ``4 / 8`` = 0.5 away from
zero; float32 holds 0.1 as 0.100000001490, whose products round to the float32 ties 0.5, 1.5,
... and then to even.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..checks import check_int, check_mode, positive_floats
from ..integers import INT32_MAX, INT32_MIN, code_dtype
from ..rounding import divide_round, round_half

REQUANT_MODES = ("fixedpoint", "fixedpoint-single", "float32")
#: Every arithmetic :func:`requantize` knows: the course's three and two more LiteRT kernels use.
ARITHMETIC_MODES = REQUANT_MODES + ("fixedpoint-up", "float64-away")
#: What each runtime does, by operator: ``{runtime: {"conv": mode, "dense": mode, "input": rule}}``.
#: ``mode`` is a :func:`requantize` mode; ``rule`` is how its ``QUANTIZE`` puts the float input
#: on the int8 grid (:func:`quantize_input`).  XNNPACK (LiteRT's default delegate) requantizes
#: as onnxruntime's MLAS does, but quantizes the input by multiplying with ``1/scale``.
RUNTIMES = {
    "onnxruntime": {"conv": "float32", "dense": "float32", "input": ("divide", "nearest_even")},
    "litert-xnnpack": {"conv": "float32", "dense": "float32", "input": ("reciprocal", "nearest_even")},
    "litert-reference": {"conv": "fixedpoint", "dense": "float64-away", "input": ("divide", "nearest_away")},
    "litert-optimized": {"conv": "fixedpoint-up", "dense": "fixedpoint-up", "input": ("reciprocal", "nearest_even")},
}


def quantize_input(x, qp, runtime):
    """Float inputs to int8 codes as ``runtime``'s ``QUANTIZE`` operator computes them.

    All three work in float32: onnxruntime and TFLite's reference kernel divide by the scale,
    XNNPACK and TFLite's optimized kernel multiply by the float32 reciprocal ``1/scale``
    (which can differ from the quotient in the last bit); TFLite's reference kernel rounds
    halves away from zero (``TfLiteRound``), the others to even.  Then ``+ zero_point``, clamp.

    Examples
    --------
    >>> from numformat.quant import QParams
    >>> qp = QParams(0.5, 0, -128, 127)
    >>> x = [0.25, 0.75, -0.25, 100.0]          # the codes 0.5, 1.5, -0.5 and far beyond 127
    >>> quantize_input(x, qp, "litert-xnnpack").tolist(), quantize_input(x, qp, "litert-reference").tolist()
    ([0, 2, 0, 127], [1, 2, -1, 127])
    """
    check_mode(runtime, tuple(RUNTIMES), "runtime")
    how, rounding = RUNTIMES[runtime]["input"]
    x, scale = np.asarray(x, dtype=np.float32), np.float32(qp.scale)
    scaled = x * (np.float32(1.0) / scale) if how == "reciprocal" else x / scale
    codes = np.clip(round_half(scaled, rounding), qp.qmin - qp.zero_point, qp.qmax - qp.zero_point)
    return (codes.astype(np.int64) + qp.zero_point).astype(code_dtype(qp.qmin, qp.qmax))


def int_array(value, name, lo=INT32_MIN, hi=INT32_MAX):
    """``value`` as an int64 array after checking it holds integers in ``[lo, hi]``."""
    array = np.asarray(value)
    if array.dtype == object and all(isinstance(v, numbers.Integral) for v in array.flat):
        too_big = [v for v in array.flat if not lo <= v <= hi]
        raise ValueError(f"{name} holds {too_big[0]}, outside [{lo}, {hi}]")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got {array.dtype} values such as {array.flat[0]!r}"
                        if array.size else f"{name} must hold integers, got an empty {array.dtype} array")
    array = array.astype(np.int64)
    outside = (array < lo) | (array > hi)
    if np.any(outside):
        raise ValueError(f"{name} holds {array[outside].flat[0]}, outside [{lo}, {hi}]")
    return array


def as_result(array, dtype=np.int64):
    """A 0-d result as a Python int, anything else as an array of ``dtype``."""
    array = np.asarray(array)
    return int(array) if array.ndim == 0 else array.astype(dtype)


def quantize_multiplier(multiplier):
    """Split a real multiplier into TFLite's 31-bit significand and power-of-two shift.

    ``multiplier ≈ M0 · 2**(shift - 31)`` with ``2**30 <= |M0| < 2**31``: ``frexp`` gives
    ``multiplier = q · 2**shift`` with ``0.5 <= |q| < 1``, and ``M0 = round(q · 2**31)`` with
    halves away from zero (TFLite's ``QuantizeMultiplier``, ``TfLiteRound``).  ``shift`` is a
    left shift: a multiplier below 0.5 has a negative shift, i.e. a right shift by ``-shift``.

    Two edge cases follow TFLite exactly: when ``q`` rounds up to ``2**31`` (the carry case) it
    becomes ``2**30`` with ``shift + 1``; and a multiplier below ``2**-32`` (``shift < -31``)
    flushes to ``(0, 0)`` -- every result would shift out to zero.

    Parameters
    ----------
    multiplier : float or array_like of float
        Finite (usually ``S_in * S_w / S_out``, positive).  Arrays give per-channel results.

    Returns
    -------
    (M0, shift) : Python ints for a scalar, int64 arrays for an array

    Examples
    --------
    >>> quantize_multiplier(0.5), quantize_multiplier(0.1), quantize_multiplier(1.0)
    ((1073741824, 0), (1717986918, -3), (1073741824, 1))
    >>> quantize_multiplier(1 - 2**-33)    # the carry case: 0.99999... rounds up to 2**31
    (1073741824, 1)
    >>> M0, shift = quantize_multiplier([0.0123, 0.5, 0.0])
    >>> M0.tolist(), shift.tolist()
    ([1690499128, 1073741824, 0], [-6, 0, 0])
    """
    multiplier = np.asarray(multiplier, dtype=np.float64)
    if not np.all(np.isfinite(multiplier)):
        bad = multiplier[~np.isfinite(multiplier)].flat[0] if multiplier.ndim else multiplier
        raise ValueError(f"multiplier must be finite, got {float(bad)!r}")
    significand, shift = np.frexp(multiplier)  # multiplier = significand * 2**shift, 0.5 <= |sig| < 1
    shift = shift.astype(np.int64)
    m0 = round_half(significand * 2.0 ** 31, "nearest_away").astype(np.int64)  # exact: a power-of-two scaling
    carry = m0 == 2 ** 31
    m0 = np.where(carry, m0 // 2, m0)
    shift = shift + carry
    flush = shift < -31
    m0, shift = np.where(flush, 0, m0), np.where(flush | (m0 == 0), 0, shift)
    return as_result(m0), as_result(shift)


def saturating_rounding_doubling_high_mul(a, b):
    """gemmlowp's ``SaturatingRoundingDoublingHighMul``: ``round(a · b / 2**31)`` for int32 a, b.

    The high 32 bits of the doubled 64-bit product, rounded to nearest with halves towards
    +inf (gemmlowp adds ``2**30``, or ``1 - 2**30`` for a negative product, then truncates).
    The one product that does not fit, ``INT32_MIN · INT32_MIN`` (= 2**31 after the doubling
    high half), saturates to ``INT32_MAX``.

    Parameters
    ----------
    a, b : int or array_like of int
        Values in the int32 range; they broadcast against each other.

    Examples
    --------
    >>> saturating_rounding_doubling_high_mul(2**30, 2**30)      # 0.5 · 0.5 in Q0.31
    536870912
    >>> saturating_rounding_doubling_high_mul([3, -3, 1], [2**30, 2**30, 2**30]).tolist()  # 1.5, -1.5, 0.5
    [2, -1, 1]
    >>> saturating_rounding_doubling_high_mul(-2**31, -2**31)
    2147483647
    """
    a = int_array(a, "a")
    b = int_array(b, "b")
    high = divide_round(a * b, 2 ** 31, "nearest_up")  # |a·b| <= 2**62: exact in int64
    return as_result(np.minimum(high, INT32_MAX), np.int32)  # only INT32_MIN·INT32_MIN reaches 2**31


def rounding_divide_by_pot(x, exponent):
    """gemmlowp's ``RoundingDivideByPOT``: ``x / 2**exponent`` rounded, halves away from zero.

    Parameters
    ----------
    x : int or array_like of int
        int32 values.
    exponent : int or array_like of int
        0 to 31 (an array gives one shift per channel); broadcasts against ``x``.

    Examples
    --------
    >>> rounding_divide_by_pot([5, -5, 6, -6, 7], 1).tolist()     # 2.5, -2.5, 3, -3, 3.5
    [3, -3, 3, -3, 4]
    >>> rounding_divide_by_pot(2**31 - 1, 31)
    1
    """
    x = int_array(x, "x")
    exponent = int_array(exponent, "exponent", 0, 31)
    return as_result(divide_round(x, np.left_shift(1, exponent), "nearest_away"), np.int32)


def float32_multiplier(x_scale, w_scale, y_scale):
    """The requantization multiplier as onnxruntime computes it: ``(x_scale · w_scale) / y_scale`` in float32.

    Each scale is first rounded to float32 (as it is stored in an ONNX model), then each
    operation rounds to float32 (``QLinearConv``: ``X_scale * W_scale[i] / Y_scale``).  Pass the
    result to :func:`requantize` with ``mode="float32"`` to get onnxruntime's integers bit for bit.

    Examples
    --------
    >>> m = float32_multiplier(0.1, 0.2, 0.3)
    >>> m.dtype, float(m), 0.1 * 0.2 / 0.3
    (dtype('float32'), 0.06666667014360428, 0.06666666666666668)
    """
    x_scale, w_scale, y_scale = (positive_floats(scale, name, np.float32) for scale, name in
                                 ((x_scale, "x_scale"), (w_scale, "w_scale"), (y_scale, "y_scale")))
    return (x_scale * w_scale) / y_scale


def requantize(acc, multiplier, zero_point, qmin, qmax, *, mode="fixedpoint", axis=None):
    """Scale int32 accumulators to output codes: ``clamp(round(acc · multiplier) + zero_point)``.

    Parameters
    ----------
    acc : array_like of int
        int32 accumulators (the bias already added).
    multiplier : float or array_like of float
        The real ``S_in · S_w / S_out`` (> 0); an array gives one multiplier per output channel.
        ``"fixedpoint"`` and ``"fixedpoint-single"`` turn it into ``(M0, shift)`` with
        :func:`quantize_multiplier`.  ``"float32"`` rounds it to float32 (a no-op for a float32
        value): for onnxruntime's bits pass ``float32_multiplier(x_scale, w_scale, y_scale)``,
        which rounds the way onnxruntime does; a float64 ``S_in*S_w/S_out`` rounded to float32
        can differ from it in the last bit.
    zero_point : int
        The output zero point, in ``[qmin, qmax]``.
    qmin, qmax : int
        The output range; a fused ReLU narrows ``qmin`` to ``zero_point``.
    mode : {"fixedpoint", "fixedpoint-single", "float32", "fixedpoint-up", "float64-away"}
        See the module docstring: TFLite double rounding (SRDHM then RDBPOT), TFLite single
        rounding, onnxruntime's float32 product with round-half-to-even, TFLite's optimized
        kernels' double rounding half up, or its reference fully connected layer's float64
        product with halves away from zero.
    axis : int, optional
        With a 1-D per-channel ``multiplier``: the axis of ``acc`` it runs along.  Without it,
        ``multiplier`` broadcasts against ``acc`` by numpy's rules.

    Returns
    -------
    numpy.ndarray of the smallest integer dtype holding ``[qmin, qmax]`` (int for scalar ``acc``)

    Examples
    --------
    >>> acc = [-1000, -5, 0, 250, 12000]                  # · 0.0123 = -12.3, -0.06, 0, 3.075, 147.6
    >>> requantize(acc, 0.0123, -10, -128, 127).tolist()      # + zero point -10, clamped at 127
    [-22, -10, -10, -7, 127]
    >>> requantize(acc, 0.0123, -10, -10, 127).tolist()       # fused ReLU: clamp at the zero point
    [-10, -10, -10, -7, 127]
    >>> requantize(acc, 0.0123, -10, -128, 127).dtype
    dtype('int8')
    >>> requantize([[100, 100], [200, 200]], [0.5, 0.25], 0, -128, 127, axis=0).tolist()
    [[50, 50], [50, 50]]
    """
    check_mode(mode, ARITHMETIC_MODES, "mode")
    acc = int_array(acc, "acc")
    qmin, qmax, zero_point = check_int(qmin, "qmin"), check_int(qmax, "qmax"), check_int(zero_point, "zero_point")
    if qmin > qmax:
        raise ValueError(f"qmin={qmin} is above qmax={qmax}")
    if not qmin <= zero_point <= qmax:
        raise ValueError(f"zero_point={zero_point} is outside [qmin, qmax] = [{qmin}, {qmax}]")
    multiplier = _per_channel(positive_floats(multiplier, "multiplier"), acc.ndim, axis)
    if mode == "float32":
        codes = _requantize_float32(acc, multiplier, zero_point, qmin, qmax)
    elif mode == "float64-away":  # exact: |acc| < 2**31 and the product rounds once, in float64
        codes = np.clip(round_half(acc * multiplier, "nearest_away").astype(np.int64) + zero_point, qmin, qmax)
    else:
        scaled = _multiply_fixedpoint(acc, *quantize_multiplier(multiplier), mode)
        codes = np.clip(scaled + zero_point, qmin, qmax)
    return as_result(codes, code_dtype(qmin, qmax))


def _per_channel(multiplier, ndim, axis):
    """Shape a 1-D per-channel multiplier to broadcast along ``axis`` of an ``ndim`` array."""
    if axis is None or multiplier.ndim == 0:
        return multiplier
    if multiplier.ndim != 1:
        raise ValueError(f"with axis={axis}, multiplier must be 1-D (one per channel), got shape {multiplier.shape}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for acc with {ndim} dimensions")
    shape = [1] * ndim
    shape[axis] = multiplier.size
    return multiplier.reshape(shape)


def _multiply_fixedpoint(acc, m0, shift, mode):
    """TFLite's ``MultiplyByQuantizedMultiplier`` on int64 arrays (values in int32)."""
    m0, shift = np.asarray(m0), np.asarray(shift)
    if mode == "fixedpoint-single":
        # TFLITE_SINGLE_ROUNDING: (acc*M0 + 2**(t-1)) >> t with t = 31 - shift, i.e. halves up.
        if np.any(shift > 30):
            raise ValueError("mode='fixedpoint-single' needs multiplier < 2**30 (TFLite: shift <= 30)")
        product = divide_round(acc * m0, np.left_shift(1, 31 - shift), "nearest_up")
        return _check_int32(product, "acc · multiplier")
    left, right = np.maximum(shift, 0), np.maximum(-shift, 0)
    shifted = _check_int32(acc << left, "acc shifted left by the multiplier's exponent")
    if mode == "fixedpoint-up":  # the optimized kernels: both steps add half and shift (floor)
        high = divide_round(shifted * m0, 2 ** 31, "nearest_up")
        return divide_round(high, np.left_shift(1, right), "nearest_up")
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, m0), right)


def _check_int32(values, what):
    outside = (values < INT32_MIN) | (values > INT32_MAX)
    if np.any(outside):
        raise OverflowError(f"{what} = {values[outside].flat[0]} leaves the int32 range "
                            "(TFLite would overflow here); use a smaller multiplier")
    return values


def _requantize_float32(acc, multiplier, zero_point, qmin, qmax):
    """MLAS ``MlasRequantizeOutput``: float(acc) * scale, clamp to [qmin-zp, qmax-zp], rint, + zp."""
    scale = multiplier.astype(np.float32)
    scaled = acc.astype(np.float32) * scale  # int32 -> float32 rounds to nearest even above 2**24
    clamped = np.clip(scaled, np.float32(qmin - zero_point), np.float32(qmax - zero_point))
    return np.rint(clamped).astype(np.int64) + zero_point  # rint: round half to even, as MLAS does
