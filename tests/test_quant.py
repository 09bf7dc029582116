"""numformat.quant: the affine mapping and calibration: invariants, references, onnxruntime."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numformat as nf
from numformat.quant.calibration import CALIBRATION_METHODS, entropy_threshold
from numformat.quant import QParams, calibrate, choose_qparams, code_range, dequantize, fake_quantize, quantize

from .test_requantization import onnx_session
from .strategies import int8, int16, ranges

# (bits, signed, symmetric, narrow_range): every kind of mapping the tests walk through
MAPPINGS = [(8, True, False, False), (8, False, False, False), (8, True, True, True), (8, True, True, False),
            (8, False, True, False), (4, True, False, False), (16, True, True, True), (2, False, False, True)]



def mapping_id(mapping):
    bits, signed, symmetric, narrow = mapping
    return f"{'' if signed else 'u'}int{bits}-{'sym' if symmetric else 'asym'}{'-narrow' if narrow else ''}"


def params(low, high, mapping, **kwargs):
    bits, signed, symmetric, narrow = mapping
    return choose_qparams(min=low, max=high, bits=bits, signed=signed, symmetric=symmetric,
                          narrow_range=narrow, **kwargs)


# ---------------------------------------------------------------- invariants (hypothesis)


@pytest.mark.parametrize("mapping", MAPPINGS, ids=mapping_id)
@given(bounds=ranges)
def test_zero_is_exactly_representable(mapping, bounds):
    low, high = min(bounds), max(bounds)
    qp = params(low, high, mapping)
    assert qp.qmin <= qp.zero_point <= qp.qmax
    assert quantize(0.0, qp) == qp.zero_point and quantize(np.float32(0), qp) == qp.zero_point
    assert dequantize(qp.zero_point, qp) == 0.0
    assert fake_quantize(np.zeros(3), qp).tolist() == [0.0, 0.0, 0.0]
    assert qp.scale == float(np.float32(qp.scale)) and qp.scale > 0


@pytest.mark.parametrize("mapping", MAPPINGS, ids=mapping_id)
@given(bounds=ranges, where=st.lists(st.floats(0, 1), min_size=1, max_size=20))
def test_round_trip_error_is_at_most_half_a_step_inside_the_range(mapping, bounds, where):
    low, high = min(bounds), max(bounds)
    qp = params(low, high, mapping)
    if qp.scale == 1.0 and low == high == 0.0:
        return  # a range of zeros: only 0 exists
    low0, high0 = min(low, 0.0), max(high, 0.0)
    if mapping[2]:  # symmetric covers [-max|x|, max|x|]
        low0, high0 = -max(-low0, high0), max(-low0, high0)
    x = low0 + np.array(where) * (high0 - low0)
    x = np.clip(np.append(x, [low0, high0]), low0, high0)
    error = np.abs(fake_quantize(x, qp) - x)
    assert np.all(error <= qp.scale * (0.5 + 1e-6)), (qp, x[error.argmax()], error.max() / qp.scale)


@pytest.mark.parametrize("mapping", MAPPINGS, ids=mapping_id)
@given(bounds=ranges, beyond=st.floats(1.0, 1e30))
def test_values_beyond_the_range_saturate(mapping, bounds, beyond):
    qp = params(min(bounds), max(bounds), mapping)
    low, high = qp.real_range
    codes = quantize([low - beyond * qp.scale, high + beyond * qp.scale, -np.inf, np.inf], qp)
    assert codes.tolist() == [qp.qmin, qp.qmax, qp.qmin, qp.qmax]
    assert codes.dtype == qp.dtype


@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=50))
def test_quantize_is_monotonic_and_nearest(values):
    x = np.sort(np.array(values))
    qp = choose_qparams(x)
    codes = quantize(x, qp).astype(np.int64)
    assert np.all(np.diff(codes) >= 0)
    # no other code is nearer: the neighbours' dequantized values are at least as far
    for neighbour in (-1, 1):
        other = np.clip(codes + neighbour, qp.qmin, qp.qmax)
        assert np.all(np.abs(dequantize(codes, qp) - x) <= np.abs(dequantize(other, qp) - x) + 1e-12)


@given(int16, st.floats(1e-6, 1e3), int8)
def test_dequantize_is_exact(code, scale, zero_point):
    scale = float(np.float32(scale))
    qp = QParams(scale, zero_point, -(2 ** 15), 2 ** 15 - 1)
    from fractions import Fraction
    assert Fraction(float(dequantize(code, qp))) == Fraction(scale) * (code - zero_point)


def test_asymmetric_mapping_of_a_worked_example():
    qp = choose_qparams(min=-1.0, max=3.0)
    assert qp.scale == float(np.float32(4.0 / 255))
    assert qp.zero_point == -128 - round(-1.0 / (4.0 / 255))  # -128 + 64 = -64 (63.75 rounds to 64)
    assert quantize([-1.0, 0.0, 3.0], qp).tolist() == [-128, -64, 127]


def test_symmetric_scale_fits_both_ends():
    for signed, narrow, zero in [(True, True, 0), (True, False, 0), (False, False, 128), (False, True, 128)]:
        qp = choose_qparams([-2.0, 1.0], symmetric=True, signed=signed, narrow_range=narrow)
        assert qp.zero_point == zero and qp.scale == float(np.float32(2.0 / 127))
        assert np.all(np.abs(fake_quantize([-2.0, 2.0], qp) - [-2.0, 2.0]) <= qp.scale / 2)


def test_ranges_are_widened_to_contain_zero():
    positive = choose_qparams([2.0, 6.0], signed=False)
    assert positive.zero_point == 0 and positive.scale == float(np.float32(6.0 / 255))
    negative = choose_qparams([-6.0, -2.0])
    assert negative.zero_point == 127 and negative.real_range[1] == 0.0


def test_all_zero_data_gets_a_usable_mapping():
    for signed in (True, False):
        qp = choose_qparams(np.zeros(5), signed=signed)
        assert qp.scale == 1.0 and quantize(0.0, qp) == qp.zero_point and dequantize(qp.zero_point, qp) == 0


@pytest.mark.parametrize("mapping", MAPPINGS, ids=mapping_id)
def test_per_channel_equals_per_tensor_on_each_channel(mapping, rng):
    bits, signed, symmetric, narrow = mapping
    w = rng.standard_normal((6, 3, 3, 4)) * rng.uniform(0.01, 10, (6, 1, 1, 1))
    w[2] = np.abs(w[2])  # one channel all positive
    for axis in (0, 3, -1):
        qp = choose_qparams(w, bits=bits, signed=signed, symmetric=symmetric, narrow_range=narrow, axis=axis)
        assert qp.axis == axis % 4
        codes = quantize(w, qp)
        for channel in range(w.shape[axis]):
            part = np.take(w, channel, axis=axis)
            alone = choose_qparams(part, bits=bits, signed=signed, symmetric=symmetric, narrow_range=narrow)
            assert (qp.scale[channel], qp.zero_point[channel]) == (alone.scale, alone.zero_point)
            np.testing.assert_array_equal(np.take(codes, channel, axis=axis), quantize(part, alone))
        np.testing.assert_array_equal(dequantize(codes, qp), fake_quantize(w, qp))


def test_per_channel_beats_per_tensor_on_channels_of_different_size(rng):
    w = rng.standard_normal((8, 50)) * np.logspace(-2, 1, 8)[:, None]
    per_tensor = choose_qparams(w, symmetric=True, narrow_range=True)
    per_channel = choose_qparams(w, symmetric=True, narrow_range=True, axis=0)
    error_tensor = np.mean((fake_quantize(w, per_tensor) - w) ** 2, axis=1)
    error_channel = np.mean((fake_quantize(w, per_channel) - w) ** 2, axis=1)
    assert np.all(error_channel <= error_tensor) and error_channel[0] < error_tensor[0] / 100


def test_per_channel_min_and_max_arrays():
    qp = choose_qparams(min=[-1.0, 0.0], max=[1.0, 2.0], axis=1, signed=False)
    assert qp.zero_point.tolist() == [128, 0] and qp.axis == 1
    first, second = choose_qparams(min=-1.0, max=1.0, signed=False), choose_qparams(min=0.0, max=2.0, signed=False)
    x = np.array([[-1.0, 2.0], [0.3, 0.3]])
    assert quantize(x, qp).tolist() == np.stack([quantize(x[:, 0], first), quantize(x[:, 1], second)], axis=1).tolist()


def test_qparams_value_semantics():
    assert QParams(0.5, 3, 0, 255) == QParams(np.float64(0.5), np.int64(3), 0, 255)
    assert QParams([0.5, 0.25], [0, 1], 0, 255, axis=0) != QParams([0.5, 0.25], [0, 2], 0, 255, axis=0)
    qp = QParams([0.5, 0.25], 0, 0, 255, axis=0)
    assert qp.zero_point.tolist() == [0, 0]
    with pytest.raises(ValueError):
        qp.scale[0] = 1.0  # read-only: QParams is a value
    assert qp.quantize(np.ones((2, 2))).tolist() == quantize(np.ones((2, 2)), qp).tolist()
    assert code_range(8) == (-128, 127) and code_range(16, signed=False) == (0, 65535)


def test_float32_inputs_are_quantized_in_float32():
    """ONNX QuantizeLinear divides in float32: 0.35/0.1 = 3.4999998882 becomes the float32 tie 3.5."""
    qp = QParams(float(np.float32(0.1)), 0, -128, 127)
    x = np.float32(0.35)
    assert x / np.float32(0.1) == np.float32(3.5)
    assert quantize(x, qp) == 4 and quantize(np.float64(x), qp) == 3


# ---------------------------------------------------------------- onnxruntime oracles


@pytest.mark.parametrize("code_type, zero_point", [("int8", -3), ("uint8", 131)])
def test_quantize_and_dequantize_match_onnxruntime(code_type, zero_point, rng):
    from onnx import TensorProto, helper, numpy_helper

    elem = TensorProto.INT8 if code_type == "int8" else TensorProto.UINT8
    scale = np.float32(0.0123)
    constants = [numpy_helper.from_array(np.array(scale), "s"),
                 numpy_helper.from_array(np.array(zero_point, dtype=code_type), "z")]
    graph = helper.make_graph(
        [helper.make_node("QuantizeLinear", ["x", "s", "z"], ["q"]), helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"])],
        "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
        [helper.make_tensor_value_info("q", elem, [None]), helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])],
        constants)
    ties = ((np.arange(-300, 300) + 0.5) * scale).astype(np.float32)
    x = np.concatenate([(rng.standard_normal(100_000) * 1.5).astype(np.float32), ties,
                        np.float32([0.0, -0.0, np.inf, -np.inf, 3e38, -3e38])])
    q_ort, y_ort = onnx_session(graph).run(None, {"x": x})
    qp = QParams(float(scale), zero_point, *code_range(8, signed=code_type == "int8"))
    q = quantize(x, qp)
    np.testing.assert_array_equal(q, q_ort)
    assert q.dtype == q_ort.dtype
    np.testing.assert_array_equal(dequantize(q, qp).astype(np.float32), y_ort)


def test_choose_qparams_matches_onnxruntime_compute_scale_zp(rng):
    quant_utils = pytest.importorskip("onnxruntime.quantization.quant_utils")
    bounds = (rng.standard_normal((3000, 2)) * 10.0 ** rng.uniform(-4, 4, (3000, 1))).astype(np.float32)
    bounds = np.concatenate([bounds, np.float32([[0, 0], [0, 1e-3], [-5, 0], [1, 2], [-2, -1]])])
    configurations = [(np.int8, False, False), (np.uint8, False, False), (np.int8, True, True)]
    for low, high in np.sort(bounds, axis=1):
        for dtype, symmetric, narrow in configurations:
            qmin = np.iinfo(dtype).min + narrow
            zero_point, scale = quant_utils.compute_scale_zp(low, high, np.array(qmin, dtype), np.array(np.iinfo(dtype).max, dtype),
                                                             symmetric=symmetric)
            qp = choose_qparams(min=float(low), max=float(high), signed=dtype is np.int8, symmetric=symmetric,
                                narrow_range=narrow)
            assert (qp.scale, qp.zero_point) == (float(scale), int(zero_point)), (low, high, dtype, symmetric)


# ---------------------------------------------------------------- calibration


@pytest.fixture
def outlier_data(rng):
    """10,000 standard normal values and one outlier at 40."""
    return np.append(rng.standard_normal(10_000), 40.0)


def mse(x, low, high):
    qp = choose_qparams(min=low, max=high)
    return np.mean((fake_quantize(x, qp) - x) ** 2)


def test_minmax_and_percentile_on_data_with_an_outlier(outlier_data):
    assert calibrate(outlier_data) == (outlier_data.min(), 40.0)
    low, high = calibrate(outlier_data, "percentile", percentile=99.9)
    assert (low, high) == (np.percentile(outlier_data, 100 - 99.9), np.percentile(outlier_data, 99.9))
    assert high < 4 and calibrate(outlier_data, "percentile", percentile=100) == (outlier_data.min(), 40.0)


def test_entropy_ignores_exact_zeros(outlier_data):
    """ReLU outputs: half exact zeros.  They are exact in every range, so they must not move it."""
    relu = np.maximum(outlier_data, 0.0)
    assert np.mean(relu == 0) > 0.45
    assert calibrate(relu, "entropy") == (0.0, entropy_threshold(relu[relu > 0])[0])
    assert calibrate(np.zeros(10), "entropy") == (0.0, 0.0)


def test_entropy_clips_the_outlier(outlier_data):
    low, high = calibrate(outlier_data, "entropy")
    assert 2.5 < high < 5 and low == -high
    assert calibrate(np.abs(outlier_data), "entropy")[0] == np.abs(outlier_data).min()  # never beyond the data


def test_mse_finds_the_least_error_in_its_family(outlier_data, rng):
    for x in (outlier_data, np.append(rng.laplace(size=20_000), 30.0)):
        low, high = calibrate(x, "mse")
        best = mse(x, low, high)
        candidates = [(k / 100 * min(x.min(), 0), k / 100 * x.max()) for k in range(1, 101)]
        assert best == min(mse(x, *c) for c in candidates)
        assert best <= mse(x, *calibrate(x, "minmax"))
    laplace = rng.laplace(size=20_000)
    low, high = calibrate(laplace, "mse")  # heavy tails: clipping pays
    assert high < laplace.max() and mse(laplace, low, high) < mse(laplace, *calibrate(laplace))
    assert calibrate(outlier_data, "mse")[1] > 35  # one far outlier in few samples: clipping it costs more


def reference_tensorrt_entropy(magnitudes, bins=2048, levels=128):
    """The pseudocode of Migacz's GTC 2017 slides, one bin at a time (slow, independent)."""
    counts, edges = np.histogram(magnitudes, bins=bins, range=(0.0, float(np.max(magnitudes))))
    counts = [int(c) for c in counts]
    best = (math.inf, None)
    for i in range(max(levels, 128), bins + 1):
        reference = counts[:i]
        reference[i - 1] += sum(counts[i:])
        candidate = [0.0] * i
        for level in range(levels):
            start, stop = -(-level * i // levels), -(-(level + 1) * i // levels)  # bins j with j*levels//i == level
            group = counts[start:stop]
            nonzero = sum(1 for c in group if c)
            for j in range(start, stop):
                candidate[j] = sum(group) / nonzero if counts[j] else 0.0
        p_total, q_total = sum(reference), sum(candidate)
        divergence = 0.0
        for p, q in zip(reference, candidate):
            if p:
                divergence = math.inf if q == 0 else divergence + p / p_total * math.log((p / p_total) / (q / q_total))
        if divergence <= best[0]:
            best = (divergence, float(edges[i]))
    return best[1]


@pytest.mark.parametrize("seed", [0, 1])
def test_entropy_threshold_matches_tensorrt_pseudocode(seed):
    rng = np.random.default_rng(seed)
    x = np.abs(np.append(rng.laplace(size=3000), [25.0, -12.0]))
    threshold, kept, divergence = entropy_threshold(x, bins=512, bits=6)
    assert threshold == reference_tensorrt_entropy(x, bins=512, levels=32)
    assert kept.tolist() == list(range(128, 513)) and divergence.shape == kept.shape


def test_calibration_methods_are_listed_and_deterministic(outlier_data):
    assert CALIBRATION_METHODS == ("minmax", "percentile", "mse", "entropy")
    for method in CALIBRATION_METHODS:
        assert calibrate(outlier_data, method) == calibrate(outlier_data.copy(), method)
        assert calibrate(np.full(10, 2.5), method)[1] == 2.5


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, message", [
    (lambda: choose_qparams([]), ValueError, "x is empty"),
    (lambda: choose_qparams([1.0, float("nan")]), ValueError, "x contains nan (1 non-finite values)"),
    (lambda: choose_qparams([1.0, float("inf")]), ValueError, "x contains inf"),
    (lambda: choose_qparams(["a"]), TypeError, "x must hold real numbers"),
    (lambda: choose_qparams(), TypeError, "needs x, or both min= and max="),
    (lambda: choose_qparams(min=0.0), TypeError, "needs x, or both min= and max="),
    (lambda: choose_qparams([1.0], min=0.0, max=1.0), TypeError, "either x or min= and max="),
    (lambda: choose_qparams(min=1.0, max=0.0), ValueError, "min=1.0 is above max=0.0"),
    (lambda: choose_qparams(min=float("nan"), max=1.0), ValueError, "min contains nan"),
    (lambda: choose_qparams(min=[0.0, 1.0], max=[1.0, 2.0]), ValueError, "give axis= for per-channel"),
    (lambda: choose_qparams([1.0], bits=1), ValueError, "bits=1 is not supported; use 2 to 32"),
    (lambda: choose_qparams([1.0], bits=8.0), TypeError, "bits must be an int, got float 8.0"),
    (lambda: choose_qparams(np.ones((2, 3)), axis=2), ValueError, "axis=2 is out of range for data with 2 dimensions"),
    (lambda: choose_qparams(np.ones((2, 3)), axis=1.0), TypeError, "axis must be an int or None"),
    (lambda: choose_qparams(np.ones((2, 0)), axis=0), ValueError, "x is empty"),
    (lambda: QParams(0.0, 0, -128, 127), ValueError, "scale must be positive and finite, got 0.0"),
    (lambda: QParams(-0.1, 0, -128, 127), ValueError, "scale must be positive and finite, got -0.1"),
    (lambda: QParams(float("nan"), 0, -128, 127), ValueError, "scale must be positive and finite, got nan"),
    (lambda: QParams([0.1, 0.0], [0, 0], -128, 127, axis=0), ValueError, "scale must be positive and finite, got 0.0"),
    (lambda: QParams(0.1, 200, -128, 127), ValueError, "zero_point=200 is outside [qmin, qmax] = [-128, 127]"),
    (lambda: QParams(0.1, [0, -129], -128, 127, axis=0), ValueError, "zero_point=-129 is outside"),
    (lambda: QParams(0.1, 0.5, -128, 127), TypeError, "zero_point must be an integer, got float64 0.5"),
    (lambda: QParams(0.1, 0, 5, 5), ValueError, "qmin=5 must be below qmax=5"),
    (lambda: QParams(0.1, 0, -128, 127.0), TypeError, "qmax must be an int, got float 127.0"),
    (lambda: QParams([0.1, 0.2], [0, 0], -128, 127), ValueError, "give axis= for per-channel arrays"),
    (lambda: QParams([[0.1, 0.2]], 0, -128, 127, axis=0), ValueError, "must be 1-D"),
    (lambda: quantize([float("nan")], QParams(0.1, 0, -128, 127)), ValueError, "x contains NaN"),
    (lambda: quantize([1.0], (0.1, 0)), TypeError, "qp must be a QParams, got tuple"),
    (lambda: quantize(["1"], QParams(0.1, 0, -128, 127)), TypeError, "x must hold real numbers"),
    (lambda: quantize(np.ones((3, 4)), QParams([0.1, 0.2], 0, -128, 127, axis=0)), ValueError,
     "the tensor has 3 channels along axis=0, but qp has 2 scales"),
    (lambda: quantize(np.ones(3), QParams([0.1, 0.2], 0, -128, 127, axis=1)), ValueError, "axis=1 is out of range"),
    (lambda: dequantize([0.5], QParams(0.1, 0, -128, 127)), TypeError, "q must hold integer codes, got float64"),
    (lambda: calibrate([]), ValueError, "samples is empty"),
    (lambda: calibrate([1.0, float("nan")], "entropy"), ValueError, "samples contains nan"),
    (lambda: calibrate([1.0], "kl"), ValueError,
     "method='kl' is not a known mode; use one of 'minmax', 'percentile', 'mse', 'entropy'"),
    (lambda: calibrate([1.0], "minmax", bins=3), TypeError, "calibrate(method='minmax') got an unknown option 'bins'"),
    (lambda: calibrate([1.0], "percentile", percentile=101), ValueError, "percentile=101 must lie in (50, 100]"),
    (lambda: calibrate([1.0], "entropy", bins=64), ValueError, "bins=64 must be at least the 128 quantized levels"),
    (lambda: calibrate([1.0], "mse", steps=0), ValueError, "steps=0 must be at least 1"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


@pytest.mark.parametrize("args, expected", [
    (["int8", "--min", "-1", "--max", "3", "--", "-1", "0", "5"],
     ["codes -128..127", "zero point  -64", "0.01568627543747425", "-128", "-2.004"]),
    (["int8", "--min", "-0.5", "--max", "2", "--unsigned"], ["uint8", "zero point  51"]),
    (["int8", "--min", "-0.3", "--max", "0.9", "--symmetric", "--narrow-range", "--bits", "4"],
     ["codes -7..7", "zero point  0"]),
    (["int8", "--multiplier", "0.1", "5", "15", "25"], ["1717986918 · 2^(-3 - 31)", "fixedpoint-single"]),
])
def test_int8_command(args, expected, capsys):
    from numformat.cli import main

    assert main(args) == 0
    output = capsys.readouterr().out
    for text in expected:
        assert text in output
    if "--multiplier" in args:  # the three modes of acc = 15: 2, 1, 2
        assert output.splitlines()[3].split() == ["15", "2", "1", "2"]


@pytest.mark.parametrize("args, message", [
    (["int8", "--min", "3", "--max", "1"], "min=3.0 is above max=1.0"),
    (["int8", "--max", "1"], "give --min and --max"),
    (["int8", "--min", "0", "--max", "1", "--bits", "40"], "bits=40 is not supported"),
])
def test_int8_command_errors(args, message, capsys):
    from numformat.cli import main

    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_public_names_are_exported():
    for name in ["QParams", "choose_qparams", "quantize", "dequantize", "fake_quantize", "calibrate",
                 "quantize_multiplier", "saturating_rounding_doubling_high_mul", "rounding_divide_by_pot", "requantize"]:
        assert getattr(nf, name) is getattr(nf.quant, name)


def test_the_mse_search_is_remembered_by_content_not_by_object():
    from numformat.quant import calibration

    x = np.random.default_rng(7).standard_normal(1000).astype(np.float32)
    first = calibration._mse(x, 4, True, 50)
    assert calibration._mse(x.copy(), 4, True, 50) == first == calibration._mse_search(x, 4, True, 50)
    x[0] = 40.0  # changed in place: searched again, not served from the memo
    assert calibration._mse(x, 4, True, 50) == calibration._mse_search(x, 4, True, 50) != first


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_mse_searchs_error_is_fake_quantizes_bit_for_bit(dtype):
    from numformat.quant.calibration import _grid_error

    rng = np.random.default_rng(11)
    for trial in range(40):
        x = (rng.standard_normal(2000) * 10 ** rng.uniform(-3, 3) + rng.uniform(-1, 1) * trial % 3).astype(dtype)
        low, high = min(x.min(), 0.0), max(x.max(), 0.0)
        for bits in (2, 4, 8):
            for symmetric in (False, True):
                fraction = rng.uniform(0.01, 1)
                qp = choose_qparams(min=fraction * low, max=fraction * high, bits=bits, signed=True,
                                    symmetric=symmetric, narrow_range=symmetric)
                assert _grid_error(x, qp) == np.mean((fake_quantize(x, qp) - x) ** 2)
