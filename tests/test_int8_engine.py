"""The int8 CNN: how quantize_model maps each tensor, that the MAC loop and the GEMM engine give
identical integers (and equal an int64 reference), accuracy against float, errors."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import numformat as nf
from numformat.nn import int8, mac_loop, quantize_model

INT32_MAX = 2 ** 31 - 1


@pytest.fixture(scope="module")
def int8_model(digits, pretrained):
    return quantize_model(pretrained, digits[0])


@pytest.fixture(scope="module")
def int8_logits_model(digits, pretrained):
    return quantize_model(pretrained, digits[0], logits="int8")


def reference_accumulators(layer, codes):
    """Accumulators in int64 straight from the definition: pad with the zero point, sum
    (x - zp)·w over the 3×3 window of every channel (np.einsum on int64, no float anywhere)."""
    shifted = codes.astype(np.int64) - layer.input_qp.zero_point
    weight = layer.weight.astype(np.int64)
    if not layer.is_conv:
        return shifted @ weight.T + layer.bias
    height, width = codes.shape[2:]
    padded = np.pad(shifted, ((0, 0), (0, 0), (1, 1), (1, 1)))  # 0 in the shifted domain = the code zp
    acc = np.zeros((len(codes), weight.shape[0], height, width), dtype=np.int64)
    for dy in range(3):
        for dx in range(3):
            acc += np.einsum("nchw,oc->nohw", padded[:, :, dy:dy + height, dx:dx + width], weight[:, :, dy, dx])
    return acc + layer.bias[:, None, None]


# --- how the model is quantized -------------------------------------------------------------

def test_weights_are_int8_symmetric_per_channel(int8_model, pretrained):
    for layer in int8_model.layers:
        float_weight = pretrained.params[f"{layer.name}_weight"]
        assert layer.weight.dtype == np.int8 and layer.weight_qp.axis == 0
        assert (layer.weight_qp.qmin, layer.weight_qp.qmax) == (-127, 127)
        assert np.all(layer.weight_qp.zero_point == 0)
        # each output channel's largest |w| lands on ±127: its own scale, the full range
        assert np.all(np.abs(layer.weight.reshape(len(layer.weight), -1)).max(axis=1) == 127)
        error = np.abs(nf.dequantize(layer.weight, layer.weight_qp) - float_weight)
        assert np.all(error <= layer.weight_qp.broadcast(float_weight.ndim)[0] / 2 * (1 + 1e-6))


def test_biases_are_int32_in_units_of_input_times_weight_scale(int8_model, pretrained):
    for layer in int8_model.layers:
        bias_scale = np.float32(layer.input_qp.scale) * layer.weight_qp.scale.astype(np.float32)
        assert layer.bias.dtype == np.int32
        error = np.abs(layer.bias * bias_scale.astype(np.float64) - pretrained.params[f"{layer.name}_bias"])
        assert np.all(error <= bias_scale / 2 * (1 + 1e-6))


def test_activations_are_int8_asymmetric_with_relu_fused(int8_model, digits):
    assert int8_model.input_qp == nf.QParams(np.float32(1 / 255), -128, -128, 127)
    codes = int8_model.layer_outputs(digits[2])
    for layer in int8_model.layers[:2]:
        qp = layer.output_qp
        assert (qp.qmin, qp.qmax) == (-128, 127) and qp.zero_point == -128  # [0, max]: 0.0 is the lowest code
        assert layer.relu and layer.clamp == (qp.zero_point, 127)
        assert codes[layer.name].dtype == np.int8 and codes[layer.name].min() == qp.zero_point
    # max-pool keeps its input's codes: each pooled code is one of its 2×2 window's
    assert np.array_equal(codes["pool"], codes["conv2"].reshape(-1, 16, 4, 2, 4, 2).max(axis=(3, 5)))


def test_int8_activations_track_the_float_ones(int8_model, pretrained, digits):
    """Dequantized conv1 codes stay within 1.5 output steps of the float activations (half a
    step of rounding plus the input's and the weights' rounding carried through 9 taps)."""
    x_test = digits[2]
    error = np.abs(nf.dequantize(int8_model.layer_outputs(x_test)["conv1"], int8_model.layers[0].output_qp)
                   - pretrained.activations(x_test)["conv1"])
    assert error.max() <= 1.5 * int8_model.layers[0].output_qp.scale


def test_nbytes_counts_int8_weights_int32_biases_and_scales(int8_model, pretrained):
    weights = sum(layer.weight.size for layer in int8_model.layers)
    biases = 4 * sum(layer.bias.size for layer in int8_model.layers)
    channel_params = 5 * sum(len(layer.weight) for layer in int8_model.layers)
    assert int8_model.nbytes == weights + biases + channel_params + 5 * 4
    assert pretrained.nbytes == 4 * sum(value.size for value in pretrained.params.values())
    assert 3.5 < pretrained.nbytes / int8_model.nbytes < 4


# --- the two engines ------------------------------------------------------------------------

@pytest.mark.parametrize("requant", nf.REQUANT_MODES)
@pytest.mark.parametrize("logits", ["int32", "int8"])
def test_loop_matches_vectorized(digits, pretrained, int8_model, int8_logits_model, requant, logits):
    model = int8_model if logits == "int32" else int8_logits_model
    x = digits[2][:4]
    loop = model.layer_outputs(x, engine="loop", requant=requant)
    vectorized = model.layer_outputs(x, engine="vectorized", requant=requant)
    assert list(loop) == ["input", "conv1", "conv2", "pool", "logits"]
    for name in loop:
        assert loop[name].dtype == vectorized[name].dtype
        assert np.array_equal(loop[name], vectorized[name]), name
    assert np.array_equal(model.forward(x, engine="loop", requant=requant),
                          model.forward(x, engine="vectorized", requant=requant))


def test_gemm_accumulators_match_int64_einsum(int8_model, digits):
    """The float32 GEMM is exact: its accumulators equal an int64 computation on the whole test set."""
    codes = int8_model.layer_outputs(digits[2])
    inputs = {"conv1": codes["input"], "conv2": codes["conv1"], "fc": codes["pool"].reshape(len(digits[2]), -1)}
    for layer in int8_model.layers:
        assert layer.taps * layer.largest_product <= int8.FLOAT32_EXACT  # the bound that makes float32 exact
        expected = reference_accumulators(layer, inputs[layer.name])
        assert np.array_equal(int8.accumulate_gemm(layer, inputs[layer.name]), expected), layer.name
        assert np.abs(expected).max() <= layer.accumulator_bound


def random_layer(rng, is_conv, channels, outputs, zero_point, bias_limit):
    shape = (outputs, channels, 3, 3) if is_conv else (outputs, channels)
    weight = rng.integers(-127, 128, shape).astype(np.int8)
    input_qp = nf.QParams(0.02, zero_point, -128, 127)
    weight_qp = nf.QParams(np.full(outputs, 0.01), np.zeros(outputs, dtype=np.int64), -127, 127, axis=0)
    output_qp = nf.QParams(0.05, -128, -128, 127)
    bias = rng.integers(-bias_limit, bias_limit + 1, outputs).astype(np.int32)
    return int8.QuantizedLayer("random", weight, bias, input_qp, weight_qp, output_qp, True)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), zero_point=st.integers(-128, 127), is_conv=st.booleans(),
       channels=st.integers(1, 5), outputs=st.integers(1, 4))
def test_loop_and_gemm_match_int64_reference_on_random_layers(seed, zero_point, is_conv, channels, outputs):
    rng = np.random.default_rng(seed)
    layer = random_layer(rng, is_conv, channels if is_conv else 16 * channels, outputs, zero_point, 10 ** 6)
    shape = (2, channels, 5, 4) if is_conv else (2, 16 * channels)
    codes = rng.integers(-128, 128, shape).astype(np.int8)
    expected = reference_accumulators(layer, codes)
    assert np.array_equal(mac_loop.accumulate(layer, codes), expected)
    assert np.array_equal(int8.accumulate_gemm(layer, codes), expected)


def test_gemm_falls_back_to_int64_beyond_the_float32_bound(rng):
    layer = random_layer(rng, False, 2000, 3, -128, 0)  # 2000 · 255 · 127 > 2**24
    assert layer.taps * layer.largest_product > int8.FLOAT32_EXACT
    codes = np.full((2, 2000), 127, dtype=np.int8)
    assert np.array_equal(int8.accumulate_gemm(layer, codes), reference_accumulators(layer, codes))


def test_mac_loop_reports_int32_overflow(rng):
    layer = dataclasses.replace(random_layer(rng, False, 4, 1, -128, 0), bias=np.array([INT32_MAX - 10], np.int32),
                                weight=np.full((1, 4), 127, np.int8))
    # (INT32_MAX - 10) + 4 · (127 - (-128)) · 127 = 2147613177
    with pytest.raises(OverflowError, match=r"int32 accumulator overflowed at output 0: 2147613177 is outside"):
        mac_loop.accumulate(layer, np.full((1, 4), 127, dtype=np.int8))


def test_quantize_model_refuses_accumulators_beyond_int32(pretrained, digits):
    params = dict(pretrained.params, conv1_bias=np.full(8, 1e9, dtype=np.float32))
    with pytest.raises(OverflowError, match="layer conv1: accumulators could reach"):
        quantize_model(nf.FloatCNN(params), digits[0][:50])


# --- accuracy -------------------------------------------------------------------------------

def test_float_accuracy_is_at_least_98_percent(pretrained, digits):
    assert pretrained.accuracy(digits[2], digits[3]) >= 0.98


@pytest.mark.parametrize("requant", nf.REQUANT_MODES)
def test_int8_accuracy_within_0_3_points_of_float(int8_model, pretrained, digits, requant):
    float_accuracy = pretrained.accuracy(digits[2], digits[3])
    int8_accuracy = int8_model.accuracy(digits[2], digits[3], requant=requant)
    assert abs(int8_accuracy - float_accuracy) <= 0.003


def test_int8_logits_lose_only_ties(int8_model, int8_logits_model, digits):
    """Requantizing the logits to int8 changes a prediction only where two top logits round to
    the same code (argmax then takes the first)."""
    x_test = digits[2]
    codes = int8_logits_model.layer_outputs(x_test)["logits"]
    changed = np.flatnonzero(codes.argmax(axis=1) != int8_model.predict(x_test))
    top_two = np.sort(codes[changed], axis=1)[:, -2:]
    assert np.all(top_two[:, 0] == top_two[:, 1])


def test_requant_modes_differ_only_by_rounding(int8_model, digits):
    """fixedpoint and float32 round differently near halves: codes differ by at most 1 at conv1."""
    fixed = int8_model.layer_outputs(digits[2], requant="fixedpoint")["conv1"].astype(int)
    single = int8_model.layer_outputs(digits[2], requant="float32")["conv1"].astype(int)
    assert 0 < np.count_nonzero(fixed != single) and np.abs(fixed - single).max() == 1


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda m, x: m.forward(x, engine="fast"), ValueError,
     "engine='fast' is not a known mode; use one of 'loop', 'vectorized'"),
    (lambda m, x: m.forward(x, requant="float64"), ValueError, "requant='float64' is not a known mode"),
    (lambda m, x: m.forward(x, engine=1), TypeError, "engine must be a string"),
    (lambda m, x: m.layer_outputs(x[:, 0]), ValueError, r"x must have shape \(N, 1, 8, 8\)"),
    (lambda m, x: m.predict(x.tolist()), TypeError, "x must be a numpy array"),
    (lambda m, x: m.forward(x.astype(bool)), TypeError, "x must hold real numbers"),
    (lambda m, x: m.accuracy(x, np.zeros(3)), ValueError, "one label per image"),
    (lambda m, x: m.accumulators(m.layers[0], x, engine="gpu"), ValueError, "engine='gpu'"),
])
def test_int8_model_rejects_bad_input(int8_model, digits, call, error, message):
    with pytest.raises(error, match=message):
        call(int8_model, digits[2][:2])


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("weights", None), {}, TypeError, "model must be a FloatCNN, got str"),
    ((None, np.zeros((0, 1, 8, 8))), {}, ValueError, "calib_x is empty"),
    ((None, np.zeros((5, 64))), {}, ValueError, r"calib_x must have shape \(N, 1, 8, 8\)"),
    ((None, np.zeros((5, 1, 8, 8))), {"method": "kl"}, ValueError, "method='kl' is not a known mode"),
    ((None, np.zeros((5, 1, 8, 8))), {"logits": "int16"}, ValueError, "logits='int16' is not a known mode"),
    ((None, np.zeros((5, 1, 8, 8))), {"percentile": 99.9}, TypeError, "unknown option 'percentile'"),
])
def test_quantize_model_rejects_bad_input(pretrained, args, kwargs, error, message):
    model = pretrained if args[0] is None else args[0]
    with pytest.raises(error, match=message):
        quantize_model(model, args[1], **kwargs)
