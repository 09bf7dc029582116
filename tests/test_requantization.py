"""numformat.quant.requantization against literal Python transliterations of TFLite/gemmlowp and against onnxruntime.

The references below copy the C++ line by line (``fixedpoint.h``, ``quantization_util.cc``,
``common.h``) with Python's unbounded integers, so they share no code with the numpy
implementation they check.
"""

import math
from fractions import Fraction

import numpy as np
import pytest

from numformat.quant import requantization
from numformat.integers import INT32_MAX, INT32_MIN
from numformat.quant import QParams
from numformat.quant.requantization import (float32_multiplier, quantize_multiplier, requantize,
                               rounding_divide_by_pot, saturating_rounding_doubling_high_mul)

N_RANDOM = 100_000
EDGES = [INT32_MIN, INT32_MIN + 1, -(2 ** 30) - 1, -(2 ** 30), -(2 ** 30) + 1, -65536, -3, -2, -1, 0, 1, 2, 3,
         65535, 2 ** 30 - 1, 2 ** 30, 2 ** 30 + 1, INT32_MAX - 1, INT32_MAX]


# ---------------------------------------------------------------- references (C++ transliterated)


def c_divide(numerator, denominator):
    """C's integer division: truncates towards zero."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def ref_srdhm(a, b):
    """gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul(int32 a, int32 b)."""
    overflow = a == b and a == INT32_MIN
    ab_64 = a * b
    nudge = (1 << 30) if ab_64 >= 0 else (1 - (1 << 30))
    ab_x2_high32 = c_divide(ab_64 + nudge, 1 << 31)
    return INT32_MAX if overflow else ab_x2_high32


def ref_rdbpot(x, exponent):
    """gemmlowp fixedpoint.h RoundingDivideByPOT(int32 x, int exponent), scalar path."""
    mask = (1 << exponent) - 1
    remainder = x & mask  # Python's & sees negative ints as infinite two's complement, as C does int32
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def tflite_round(value):
    """std::round on a double: halves away from zero (exactly, via Fraction)."""
    exact = Fraction(value)
    magnitude = math.floor(abs(exact) + Fraction(1, 2))
    return magnitude if exact >= 0 else -magnitude


def ref_quantize_multiplier(double_multiplier):
    """TFLite quantization_util.cc QuantizeMultiplier."""
    if double_multiplier == 0.0:
        return 0, 0
    q, shift = math.frexp(double_multiplier)
    q_fixed = tflite_round(q * (1 << 31))
    assert q_fixed <= (1 << 31)
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    assert q_fixed <= INT32_MAX
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def ref_multiply_double_rounding(x, quantized_multiplier, shift):
    """TFLite common.h MultiplyByQuantizedMultiplier, the default (double rounding) build."""
    left_shift = shift if shift > 0 else 0
    right_shift = 0 if shift > 0 else -shift
    shifted = x * (1 << left_shift)
    assert INT32_MIN <= shifted <= INT32_MAX
    return ref_rdbpot(ref_srdhm(shifted, quantized_multiplier), right_shift)


def ref_multiply_single_rounding(x, quantized_multiplier, shift):
    """TFLite common.h MultiplyByQuantizedMultiplier with TFLITE_SINGLE_ROUNDING."""
    assert quantized_multiplier >= 0 and -31 <= shift <= 30
    total_shift = 31 - shift
    round_ = 1 << (total_shift - 1)
    result = (x * quantized_multiplier + round_) >> total_shift
    assert INT32_MIN <= result <= INT32_MAX
    return result


def ref_multiply_double_rounding_up(x, quantized_multiplier, shift):
    """TFLite's optimized kernels on x86 (ai-edge-litert 2.3, measured): the same M0 and shift,
    both roundings half up: ``(x·M0 + 2**30) >> 31``, then ``(t + 2**(r-1)) >> r``."""
    left_shift, right_shift = max(shift, 0), max(-shift, 0)
    shifted = x * (1 << left_shift)
    assert INT32_MIN <= shifted <= INT32_MAX
    high = (shifted * quantized_multiplier + (1 << 30)) >> 31
    return (high + (1 << (right_shift - 1))) >> right_shift if right_shift else high


def ref_requantize(acc, multiplier, zero_point, qmin, qmax, mode):
    if mode == "float64-away":  # TFLite reference FULLY_CONNECTED: std::round(double(acc) * double(m))
        return min(max(tflite_round(float(acc) * multiplier) + zero_point, qmin), qmax)
    if mode == "fixedpoint-up":
        return min(max(ref_multiply_double_rounding_up(acc, *ref_quantize_multiplier(multiplier)) + zero_point,
                       qmin), qmax)
    if mode == "float32":  # MLAS MlasRequantizeOutput, one element at a time with numpy float32 scalars
        scaled = np.float32(acc) * np.float32(multiplier)
        scaled = min(max(scaled, np.float32(qmin - zero_point)), np.float32(qmax - zero_point))
        return int(np.rint(scaled)) + zero_point
    multiply = ref_multiply_single_rounding if mode == "fixedpoint-single" else ref_multiply_double_rounding
    return min(max(multiply(acc, *ref_quantize_multiplier(multiplier)) + zero_point, qmin), qmax)


# ---------------------------------------------------------------- random inputs


def random_int32(rng, size):
    """A mix of full-range values and small ones (where ties are common)."""
    wide = rng.integers(INT32_MIN, INT32_MAX, size, endpoint=True)
    small = rng.integers(-(2 ** 16), 2 ** 16, size)
    return np.where(rng.random(size) < 0.5, wide, small)


def test_srdhm_matches_gemmlowp_reference(rng):
    a, b = random_int32(rng, N_RANDOM), random_int32(rng, N_RANDOM)
    # exact ties: 2**30 times an odd number is an odd multiple of half of 2**31
    a[:2000], b[:2000] = 2 ** 30, rng.integers(-(2 ** 20), 2 ** 20, 2000) * 2 + 1
    edge_a, edge_b = np.meshgrid(EDGES, EDGES)
    a, b = np.concatenate([a, edge_a.ravel()]), np.concatenate([b, edge_b.ravel()])
    ours = saturating_rounding_doubling_high_mul(a, b)
    expected = [ref_srdhm(int(x), int(y)) for x, y in zip(a, b)]
    np.testing.assert_array_equal(ours, expected)
    assert ours.dtype == np.int32


def test_srdhm_edge_cases():
    assert saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN) == INT32_MAX  # the one overflow
    assert saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX) == -INT32_MAX
    assert saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX) == INT32_MAX - 1
    # halves go towards +inf: 1·2**30/2**31 = 0.5 -> 1, -0.5 -> 0, -1.5 -> -1
    assert saturating_rounding_doubling_high_mul([1, -1, -3], 2 ** 30).tolist() == [1, 0, -1]


def test_rdbpot_matches_gemmlowp_reference(rng):
    x = random_int32(rng, N_RANDOM)
    exponent = rng.integers(0, 32, N_RANDOM)
    ties = rng.integers(-(2 ** 10), 2 ** 10, 2000) * 2 + 1  # odd multiples of 2**(e-1)
    x[:2000], exponent[:2000] = ties << 9, 10
    edge_x, edge_e = np.meshgrid(EDGES, np.arange(32))
    x, exponent = np.concatenate([x, edge_x.ravel()]), np.concatenate([exponent, edge_e.ravel()])
    ours = rounding_divide_by_pot(x, exponent)
    np.testing.assert_array_equal(ours, [ref_rdbpot(int(v), int(e)) for v, e in zip(x, exponent)])


def test_rdbpot_rounds_halves_away_from_zero():
    assert rounding_divide_by_pot([3, -3, 1, -1, 4, -4], 1).tolist() == [2, -2, 1, -1, 2, -2]
    assert rounding_divide_by_pot(INT32_MIN, 31) == -1 and rounding_divide_by_pot(INT32_MAX, 31) == 1
    assert rounding_divide_by_pot(12345, 0) == 12345


def multipliers(rng, size):
    m = 2.0 ** rng.uniform(-40, 8, size)
    n = rng.integers(2 ** 30, 2 ** 31, 500)
    special = [0.0, 2.0 ** -32, 2.0 ** -31, 0.999 * 2.0 ** -32, 0.5, 1.0, 2.0 ** 10,
               1 - 2.0 ** -33, 1 - 2.0 ** -32, (1 - 2.0 ** -32) / 8, (2 ** 31 - 0.5) / 2 ** 31 * 2.0 ** -20]
    ties = (n + 0.5) / 2.0 ** 31 * 2.0 ** rng.integers(-20, 3, n.size)  # q·2**31 exactly halfway
    return np.concatenate([m, -m[:1000], ties, special])


def test_quantize_multiplier_matches_tflite_reference(rng):
    m = multipliers(rng, N_RANDOM)
    m0, shift = quantize_multiplier(m)
    expected = [ref_quantize_multiplier(float(v)) for v in m]
    np.testing.assert_array_equal(m0, [e[0] for e in expected])
    np.testing.assert_array_equal(shift, [e[1] for e in expected])


def test_quantize_multiplier_edge_cases():
    assert quantize_multiplier(1 - 2.0 ** -32) == (2 ** 30, 1)  # q·2**31 = 2**31 - 0.5 rounds away: carry
    assert quantize_multiplier(1 - 2.0 ** -31) == (2 ** 31 - 1, 0)  # just below the carry
    assert quantize_multiplier(2.0 ** -32) == (2 ** 30, -31)  # smallest kept
    assert quantize_multiplier(0.999 * 2.0 ** -32) == (0, 0)  # flushed to zero
    assert quantize_multiplier(0.0) == (0, 0)
    for m in [0.1, 0.0123, 0.75, 3.0]:
        m0, shift = quantize_multiplier(m)
        assert 2 ** 30 <= m0 < 2 ** 31 and abs(m0 * 2.0 ** (shift - 31) - m) <= 2.0 ** (shift - 32)


@pytest.mark.parametrize("mode", requantization.ARITHMETIC_MODES)
def test_requantize_matches_its_definition(mode, rng):
    size = 20_000
    acc = random_int32(rng, size) >> rng.integers(0, 16, size)  # accumulators of every magnitude
    m = 2.0 ** rng.uniform(-24, 0, size)
    if mode == "float32":
        m = m.astype(np.float32)
    zero_point, qmin, qmax = -7, -128, 127
    ours = np.array([requantize(int(a), float(s), zero_point, qmin, qmax, mode=mode) for a, s in zip(acc[:50], m[:50])])
    whole = requantize(acc, m, zero_point, qmin, qmax, mode=mode)  # per-element multipliers broadcast
    expected = [ref_requantize(int(a), float(s), zero_point, qmin, qmax, mode) for a, s in zip(acc, m)]
    np.testing.assert_array_equal(whole, expected)
    np.testing.assert_array_equal(ours, expected[:50])
    assert whole.dtype == np.int8


@pytest.mark.parametrize("mode", requantization.ARITHMETIC_MODES)
def test_requantize_per_channel_along_an_axis(mode, rng):
    acc = rng.integers(-(2 ** 20), 2 ** 20, (4, 3, 5, 5))
    m = np.array([0.001, 0.0003, 0.01], dtype=np.float32)
    ours = requantize(acc, m, 10, 10, 255, mode=mode, axis=1)  # uint8 with a fused ReLU at the zero point
    for channel in range(3):
        np.testing.assert_array_equal(ours[:, channel], requantize(acc[:, channel], m[channel], 10, 10, 255, mode=mode))
    assert ours.dtype == np.uint8 and ours.min() >= 10


def test_float32_ties_round_to_even():
    """float32(0.1)·5 = 0.50000000745 rounds to the float32 0.5, a tie: onnxruntime gets 0, 2, 2, 4, 4."""
    acc = [5, 15, 25, 35, 45]
    assert requantize(acc, np.float32(0.1), 0, -128, 127, mode="float32").tolist() == [0, 2, 2, 4, 4]
    assert requantize(acc, 0.1, 0, -128, 127, mode="float32").tolist() == [0, 2, 2, 4, 4]  # rounded to float32
    assert requantize(acc, 0.1, 0, -128, 127, mode="fixedpoint").tolist() == [1, 2, 3, 4, 5]
    # M0·2**-34 = 0.0999999999767 is just below 0.1: single rounding sees 0.4999999999 and rounds down,
    # double rounding first rounds 5·M0/2**31 = 3.9999999998 up to 4, then 4/8 = 0.5 away from zero.
    assert requantize(acc, 0.1, 0, -128, 127, mode="fixedpoint-single").tolist() == [0, 1, 2, 3, 4]


def test_fixedpoint_double_rounding_is_off_by_one_where_single_is_exact():
    """SRDHM rounds once (to 2**-right), RDBPOT again: a value just inside a half can become a tie.

    Single rounding is the exact value rounded half up; double rounding stays within
    0.5 + 2**-(right+1) of it, and differs from single rounding on some accumulators.
    """
    m = 0.0123
    m0, shift = quantize_multiplier(m)
    acc = np.arange(-300_000, 300_000, 7)
    double = requantize(acc, m, 0, INT32_MIN, INT32_MAX, mode="fixedpoint")
    single = requantize(acc, m, 0, INT32_MIN, INT32_MAX, mode="fixedpoint-single")
    exact = [Fraction(int(a) * m0, 2 ** (31 - shift)) for a in acc]
    assert single.tolist() == [math.floor(v + Fraction(1, 2)) for v in exact]
    error = np.array([float(abs(d - v)) for d, v in zip(double.tolist(), exact)])
    assert error.max() <= 0.5 + 2.0 ** (shift - 1)
    assert 0 < np.count_nonzero(double != single) < acc.size // 50


@pytest.mark.parametrize("multiplier", [2.0 ** -1, 2.0 ** -3, 2.0 ** -6, 1.0, 2.0, 3.0 * 2 ** -5])
def test_every_mode_matches_its_definition_on_ties(multiplier):
    """Power-of-two multipliers put ``acc · m`` on exact halves, where the rules split: TFLite's
    M0 is exactly 2**30 and both double roundings see true ties."""
    acc = np.arange(-600, 601)
    answers = {}
    for mode in requantization.ARITHMETIC_MODES:
        ours = requantize(acc, multiplier, 3, -128, 127, mode=mode)
        np.testing.assert_array_equal(ours, [ref_requantize(int(a), multiplier, 3, -128, 127, mode) for a in acc])
        answers[mode] = tuple(ours.tolist())
    if multiplier < 1:  # half up, away from zero and to even each appear
        assert len(set(answers.values())) >= 3
        assert answers["fixedpoint-up"] != answers["float64-away"] != answers["float32"]


def test_quantize_input_matches_each_runtime_definition(rng):
    """float32 division or reciprocal, then rounding, one value at a time with numpy scalars."""
    qp = QParams(float(np.float32(0.0123)), -7, -128, 127)
    x = np.concatenate([np.float32(rng.uniform(-2, 2, 5000)),
                        np.float32((np.arange(-130, 130) + 0.5) * np.float32(qp.scale))])
    scale = np.float32(qp.scale)
    for runtime, (how, rounding) in [("onnxruntime", ("divide", "even")), ("litert-xnnpack", ("reciprocal", "even")),
                                     ("litert-reference", ("divide", "away")),
                                     ("litert-optimized", ("reciprocal", "even"))]:
        expected = []
        for value in x:
            scaled = value / scale if how == "divide" else value * (np.float32(1) / scale)
            code = int(np.rint(scaled)) if rounding == "even" else tflite_round(float(scaled))
            expected.append(min(max(code + qp.zero_point, qp.qmin), qp.qmax))
        np.testing.assert_array_equal(requantization.quantize_input(x, qp, runtime), expected)


def test_float32_accumulator_conversion_rounds_above_2_24():
    acc = 2 ** 24 + 1  # not a float32: becomes 2**24 before the multiply, as in MLAS
    assert requantize(acc, 2.0 ** -20, 0, -128, 127, mode="float32") == 16
    assert requantize(acc, 2.0 ** -24 * 100, 0, -128, 127, mode="float32") == 100


def test_float32_multiplier_rounds_like_onnxruntime():
    x_scale, w_scale, y_scale = np.float32(0.02), np.float32(0.003), np.float32(0.05)
    m = float32_multiplier(x_scale, w_scale, y_scale)
    assert m == np.float32(np.float32(x_scale * w_scale) / y_scale) and m.dtype == np.float32
    per_channel = float32_multiplier(0.02, [0.003, 0.004], 0.05)
    assert per_channel.shape == (2,) and per_channel[1] == np.float32(np.float32(0.02) * np.float32(0.004)) / np.float32(0.05)


# ---------------------------------------------------------------- onnxruntime oracle


def onnx_session(graph):
    """An onnxruntime CPU session for an opset-13 graph, one thread, no graph rewriting."""
    onnx = pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    model = onnx.helper.make_model_gen_version(graph, opset_imports=[onnx.helper.make_opsetid("", 13)])
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def differing_multiplier_scales(rng):
    """Scales where onnxruntime's float32 (x·w)/y differs from float32 of the float64 product."""
    while True:
        x_scale, w_scale, y_scale = (rng.uniform(0.001, 0.1, 3)).astype(np.float32)
        if float32_multiplier(x_scale, w_scale, y_scale) != np.float32(float(x_scale) * float(w_scale) / float(y_scale)):
            return x_scale, w_scale, y_scale


@pytest.mark.parametrize("code_type", ["int8", "uint8"])
def test_requantize_float32_matches_onnxruntime_qlinearmatmul(code_type, rng):
    from onnx import TensorProto, helper, numpy_helper

    k = 200
    dtype = np.dtype(code_type)
    elem = TensorProto.INT8 if code_type == "int8" else TensorProto.UINT8
    x_scale, w_scale, y_scale = differing_multiplier_scales(rng)
    y_zero = dtype.type(-5 if code_type == "int8" else 120)
    constants = [numpy_helper.from_array(np.array(x_scale), "xs"), numpy_helper.from_array(np.array(dtype.type(0)), "xz"),
                 numpy_helper.from_array(np.array(w_scale), "ws"), numpy_helper.from_array(np.array(dtype.type(0)), "wz"),
                 numpy_helper.from_array(np.array(y_scale), "ys"), numpy_helper.from_array(np.array(y_zero), "yz")]
    graph = helper.make_graph(
        [helper.make_node("QLinearMatMul", ["a", "xs", "xz", "b", "ws", "wz", "ys", "yz"], ["y"])], "matmul",
        [helper.make_tensor_value_info("a", elem, [None, k]), helper.make_tensor_value_info("b", elem, [k, None])],
        [helper.make_tensor_value_info("y", elem, [None, None])], constants)
    info = np.iinfo(dtype)
    a = rng.integers(info.min, info.max, (500, k), endpoint=True).astype(dtype)
    b = rng.integers(info.min, info.max, (k, 200), endpoint=True).astype(dtype)
    expected = onnx_session(graph).run(None, {"a": a, "b": b})[0]
    acc = a.astype(np.int64) @ b.astype(np.int64)
    ours = requantize(acc, float32_multiplier(x_scale, w_scale, y_scale), int(y_zero), int(info.min), int(info.max),
                      mode="float32")
    np.testing.assert_array_equal(ours, expected)
    assert ours.dtype == expected.dtype


def test_requantize_float32_matches_onnxruntime_per_channel_qlinearconv(rng):
    from onnx import TensorProto, helper, numpy_helper

    channels_in, channels_out = 64, 8
    x_scale, y_scale = np.float32(0.0173), np.float32(0.0419)
    w_scale = rng.uniform(0.001, 0.01, channels_out).astype(np.float32)
    # 7-bit weights (onnxruntime's reduce_range): on a CPU with AVX2 but no VNNI, onnxruntime's
    # uint8 x int8 kernel adds pairs of products in int16 (vpmaddubsw), which saturates above
    # 32,767 = 255 * 128.5; with full int8 weights it then gives other integers on such a CPU
    # (seen with onnxruntime 1.31.1 and 1.32.0 on an AVX2-only AMD EPYC) than on one with VNNI.
    weights = rng.integers(-64, 64, (channels_out, channels_in, 1, 1)).astype(np.int8)
    bias = rng.integers(-5000, 5000, channels_out).astype(np.int32)
    constants = [numpy_helper.from_array(np.array(x_scale), "xs"), numpy_helper.from_array(np.array(np.uint8(3)), "xz"),
                 numpy_helper.from_array(weights, "w"), numpy_helper.from_array(w_scale, "ws"),
                 numpy_helper.from_array(np.zeros(channels_out, np.int8), "wz"),
                 numpy_helper.from_array(np.array(y_scale), "ys"), numpy_helper.from_array(np.array(np.uint8(128)), "yz"),
                 numpy_helper.from_array(bias, "bias")]
    graph = helper.make_graph(
        [helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "bias"], ["y"])], "conv",
        [helper.make_tensor_value_info("x", TensorProto.UINT8, [None, channels_in, 10, 10])],
        [helper.make_tensor_value_info("y", TensorProto.UINT8, [None, channels_out, 10, 10])], constants)
    x = rng.integers(0, 256, (20, channels_in, 10, 10)).astype(np.uint8)
    expected = onnx_session(graph).run(None, {"x": x})[0]
    acc = np.einsum("nchw,oc->nohw", x.astype(np.int64) - 3, weights[:, :, 0, 0].astype(np.int64)) + bias[:, None, None]
    ours = requantize(acc, float32_multiplier(x_scale, w_scale, y_scale), 128, 0, 255, mode="float32", axis=1)
    np.testing.assert_array_equal(ours, expected)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, message", [
    (lambda: quantize_multiplier(float("inf")), ValueError, "multiplier must be finite, got inf"),
    (lambda: quantize_multiplier([0.1, float("nan")]), ValueError, "multiplier must be finite, got nan"),
    (lambda: saturating_rounding_doubling_high_mul(2 ** 31, 1), ValueError, "a holds 2147483648, outside"),
    (lambda: saturating_rounding_doubling_high_mul(1, 2 ** 80), ValueError, "b holds"),
    (lambda: saturating_rounding_doubling_high_mul(1.5, 2), TypeError, "a must hold integers, got float64"),
    (lambda: rounding_divide_by_pot(5, 32), ValueError, "exponent holds 32, outside [0, 31]"),
    (lambda: rounding_divide_by_pot(5, -1), ValueError, "exponent holds -1"),
    (lambda: requantize([1], 0.1, 0, -128, 127, mode="float64"), ValueError,
     "mode='float64' is not a known mode; use one of 'fixedpoint', 'fixedpoint-single', 'float32', "
     "'fixedpoint-up', 'float64-away'"),
    (lambda: requantization.quantize_input([0.5], QParams(0.1, 0, -128, 127), "tflite"), ValueError,
     "runtime='tflite' is not a known mode; use one of 'onnxruntime', 'litert-xnnpack'"),
    (lambda: requantize([1], 0.0, 0, -128, 127), ValueError, "multiplier must be positive and finite"),
    (lambda: requantize([1], -0.1, 0, -128, 127), ValueError, "multiplier must be positive and finite"),
    (lambda: requantize([1], float("nan"), 0, -128, 127), ValueError, "multiplier must be positive"),
    (lambda: requantize([1], 0.1, 200, -128, 127), ValueError, "zero_point=200 is outside [qmin, qmax] = [-128, 127]"),
    (lambda: requantize([1], 0.1, 0, 127, -128), ValueError, "qmin=127 is above qmax=-128"),
    (lambda: requantize([1], 0.1, 0.5, -128, 127), TypeError, "zero_point must be an int, got float 0.5"),
    (lambda: requantize([1.5], 0.1, 0, -128, 127), TypeError, "acc must hold integers"),
    (lambda: requantize([2 ** 31], 0.1, 0, -128, 127), ValueError, "acc holds 2147483648, outside"),
    (lambda: requantize([2 ** 20], 2.0 ** 12, 0, -128, 127), OverflowError, "leaves the int32 range"),
    (lambda: requantize([1], 2.0 ** 31, 0, -128, 127, mode="fixedpoint-single"), ValueError, "shift <= 30"),
    (lambda: requantize(np.ones((2, 3), int), [0.1, 0.2, 0.3], 0, -128, 127, axis=2), ValueError,
     "axis=2 is out of range for acc with 2 dimensions"),
    (lambda: requantize(np.ones((2, 3), int), [[0.1]], 0, -128, 127, axis=0), ValueError, "multiplier must be 1-D"),
    (lambda: float32_multiplier(0.1, 0.0, 0.3), ValueError, "w_scale must be positive and finite"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)
