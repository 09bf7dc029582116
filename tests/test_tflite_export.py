"""export_tflite and run_litert against the LiteRT interpreter itself: one file, three kernel sets,
each set's integers reproduced bit for bit by a named ``requant=`` runtime of ``Int8CNN``.

The oracle is LiteRT (``ai-edge-litert``) running the exported file: every named tensor's codes
(``with_codes=True``) must equal :meth:`Int8CNN.layer_outputs` with the runtime's name, on the
digits CNN's 450 test images, on the two networks of ``tests/test_second_network.py``, and on
random single-operator models whose scales are powers of two (so ``acc · multiplier`` lands on
exact halves, where the rounding rules split) and whose multipliers go above 1.
"""

import numpy as np
import pytest

pytest.importorskip("ai_edge_litert")
pytest.importorskip("tflite")

from numformat import quant  # noqa: E402
from numformat.nn import (Architecture, Conv2d, Dense, Flatten, Int8CNN, MaxPool, QuantizedLayer, ReLU,  # noqa: E402
                          export_tflite, litert_interpreter, load_digits_split, load_pretrained, quantize_model,
                          run_litert)
from numformat.nn.litert import KERNELS, RUNTIME_OF_KERNELS  # noqa: E402
from numformat.nn.tflite_export import chw_columns_to_hwc, same_or_valid  # noqa: E402
from numformat.quant.requantization import RUNTIMES  # noqa: E402

from .test_second_network import ARCHITECTURES, random_network  # noqa: E402

ALL_KERNELS = list(KERNELS)


def assert_codes_match(path, int8_model, x, kernels):
    """Every named tensor, and the float32 logits, of LiteRT's run equal the engine's."""
    runtime = RUNTIME_OF_KERNELS[kernels]
    theirs, ours = run_litert(path, x, kernels=kernels, codes=True), int8_model.layer_outputs(x, requant=runtime)
    assert list(theirs) == list(ours)
    for name in ours:
        mismatches = int(np.count_nonzero(theirs[name] != ours[name]))
        assert mismatches == 0, f"{kernels}: {name} differs in {mismatches} of {ours[name].size} codes"
    logits, expected = run_litert(path, x, kernels=kernels), int8_model.forward(x, requant=runtime)
    if kernels == "optimized" and not int8_model.layers[-1].keeps_accumulator:
        # The optimized DEQUANTIZE computes q·s + (-zp·s) in float32, 8 values at a time, and
        # (q - zp)·s for the rest: the same codes, floats that can differ in the last bits.
        qp = int8_model.output_qp
        codes = ours["logits"].astype(np.float32)
        vectorised = codes * np.float32(qp.scale) + np.float32(-qp.zero_point) * np.float32(qp.scale)
        assert np.all((logits == expected) | (logits == vectorised))
    else:
        np.testing.assert_array_equal(logits, expected)


# --- the shipped digits CNN ------------------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    x_train, y_train, x_test, y_test = load_digits_split()
    return load_pretrained(), x_train, x_test, y_test


@pytest.mark.parametrize("logits", ["int32", "int8"])
@pytest.mark.parametrize("kernels", ALL_KERNELS)
def test_digits_cnn_matches_litert_on_every_test_image(digits, tmp_path, kernels, logits):
    model, x_train, x_test, y_test = digits
    int8_model = quantize_model(model, x_train, logits=logits)
    path = tmp_path / "digits.tflite"
    export_tflite(int8_model, path, with_codes=True)
    assert_codes_match(path, int8_model, x_test, kernels)


@pytest.fixture(scope="module")
def spoken_test_features():
    from numformat.nn import load_spoken_digits, spoken_digit_features

    _, test = load_spoken_digits()
    return spoken_digit_features(test.audio)


@pytest.mark.parametrize("kernels", ALL_KERNELS)
def test_spoken_digit_cnn_matches_litert_on_every_test_clip(spoken_test_features, tmp_path, kernels):
    """The other shipped network: the int8 spoken-digit CNN on all 300 official test clips."""
    from numformat.nn import load_spoken_int8

    int8_model = load_spoken_int8()
    path = tmp_path / "spoken.tflite"
    export_tflite(int8_model, path, with_codes=True)
    assert_codes_match(path, int8_model, spoken_test_features, kernels)


def test_the_file_is_a_tflite_flatbuffer(digits, tmp_path):
    """Schema version 3, identifier TFL3, an empty buffer 0, one buffer per constant; read back
    with the schema's own bindings."""
    import tflite

    model, x_train, _, _ = digits
    int8_model = quantize_model(model, x_train)
    content = export_tflite(int8_model, tmp_path / "digits.tflite")
    assert content == (tmp_path / "digits.tflite").read_bytes() and content[4:8] == b"TFL3"
    parsed = tflite.Model.GetRootAsModel(content, 0)
    assert parsed.Version() == 3 and parsed.Buffers(0).DataLength() == 0
    graph = parsed.Subgraphs(0)
    tensors = [graph.Tensors(i) for i in range(graph.TensorsLength())]
    constants = [t for t in tensors if t.Buffer() != 0]
    assert len({t.Buffer() for t in constants}) == len(constants) == parsed.BuffersLength() - 1
    ops = [parsed.OperatorCodes(graph.Operators(i).OpcodeIndex()).BuiltinCode() for i in range(graph.OperatorsLength())]
    names = {value: name for name, value in vars(tflite.BuiltinOperator).items() if not name.startswith("_")}
    assert [names[op] for op in ops] == ["QUANTIZE", "CONV_2D", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "BATCH_MATMUL",
                                         "ADD", "CAST", "MUL"]
    conv1 = next(t for t in tensors if t.Name() == b"conv1_weight")
    quantization = conv1.Quantization()
    assert conv1.ShapeAsNumpy().tolist() == [8, 3, 3, 1]  # OHWI
    assert quantization.QuantizedDimension() == 0 and not quantization.ZeroPointAsNumpy().any()
    np.testing.assert_array_equal(quantization.ScaleAsNumpy(), int8_model.layers[0].weight_qp.scale.astype(np.float32))
    bias = next(t for t in tensors if t.Name() == b"conv1_bias").Quantization().ScaleAsNumpy()
    np.testing.assert_array_equal(bias, np.float32(int8_model.input_qp.scale)
                                  * int8_model.layers[0].weight_qp.scale.astype(np.float32))


# --- any architecture ------------------------------------------------------------------------

@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def second_network(request):
    return random_network(ARCHITECTURES[request.param])


@pytest.mark.parametrize("logits", ["int32", "int8"])
@pytest.mark.parametrize("kernels", ALL_KERNELS)
def test_second_networks_match_litert(second_network, tmp_path, kernels, logits):
    """16×16 inputs, three convolutions, padding 0 and 1 (one needs a PAD), stride 2, a 3×3
    pool, a hidden dense layer with a ReLU."""
    model, x = second_network
    int8_model = quantize_model(model, x[:64], logits=logits)
    path = tmp_path / "network.tflite"
    export_tflite(int8_model, path, with_codes=True)
    assert_codes_match(path, int8_model, x, kernels)


# --- random single-operator models where the rounding rules split ------------------------------

def random_model(architecture, rng, *, ties, above_one):
    """An ``Int8CNN`` with random int8 weights and chosen grids.

    ``ties``: every scale a power of two, so ``acc · S_in·S_w/S_out`` is often exactly k + 1/2.
    ``above_one``: multipliers between 1 and 4 (small weights keep the outputs in range).
    """
    def scale(low, high, size=None):
        if ties:
            return 2.0 ** rng.integers(int(np.log2(low)), int(np.log2(high)) + 1, size)
        return np.float32(rng.uniform(low, high, size)).astype(np.float64)

    input_qp = quant.QParams(float(scale(2 ** -7, 2 ** -4)), int(rng.integers(-128, 128)), -128, 127)
    in_qp, built, quantized = input_qp, [], iter(architecture.steps)
    for step in quantized:
        if not isinstance(step.layer, (Conv2d, Dense)):
            continue
        shape = step.layer.weight_shape
        channels, taps = shape[0], int(np.prod(shape[1:]))
        weight = rng.integers(-2, 3, shape) if above_one else rng.integers(-127, 128, shape)
        weight_scale = scale(2 ** -9, 2 ** -5, channels)
        if above_one:
            out_scale = float(np.float32(in_qp.scale * float(weight_scale.min()) / float(scale(1.0, 4.0))))
        else:  # about 40 output steps per accumulator standard deviation
            typical = in_qp.scale * float(weight_scale.mean()) * 64 * 73 * np.sqrt(taps) / 40
            out_scale = 2.0 ** np.round(np.log2(typical)) if ties else float(np.float32(typical))
        output_qp = quant.QParams(out_scale, int(rng.integers(-100, 100)), -128, 127)
        bias = rng.integers(-(2 ** 12), 2 ** 12, channels)
        geometry = {"padding": step.layer.padding, "stride": step.layer.stride} if isinstance(step.layer, Conv2d) else {}
        built.append(QuantizedLayer(step.layer.name, weight.astype(np.int8), bias.astype(np.int32), in_qp,
                                    quant.QParams(weight_scale, np.zeros(channels, np.int64), -127, 127, axis=0),
                                    output_qp, step.relu, **geometry))
        in_qp = output_qp
    return Int8CNN(input_qp, built, architecture)


def random_inputs(int8_model, rng, count, offsets=(0.0, 0.5, 0.25, -0.5)):
    """Inputs on and between the input grid's points (``offsets`` in steps); 0.5 and -0.5 are
    exact ties of QUANTIZE."""
    qp = int8_model.input_qp
    codes = rng.integers(-128, 127, (count, *int8_model.architecture.input_shape)) - qp.zero_point
    offsets = rng.choice(offsets, codes.shape)
    return np.float32((codes + offsets) * qp.scale)


SINGLE_OPS = {
    "conv": Architecture("conv", (3, 6, 6), (Conv2d("conv", 3, 8, kernel=3, padding=1), ReLU(),
                                             Flatten(), Dense("fc", 288, 4))),
    "conv_strided": Architecture("conv_strided", (2, 7, 7), (Conv2d("conv", 2, 4, kernel=2, padding=1, stride=2),
                                                             MaxPool("pool", 2), Flatten(), Dense("fc", 16, 4))),
    "dense": Architecture("dense", (40,), (Dense("hidden", 40, 16), ReLU(), Dense("fc", 16, 6))),
    "dense_alone": Architecture("dense_alone", (40,), (Dense("fc", 40, 16),)),
}


@pytest.mark.parametrize("above_one", [False, True], ids=["below_one", "above_one"])
@pytest.mark.parametrize("ties", [True, False], ids=["pow2_scales", "random_scales"])
@pytest.mark.parametrize("name", list(SINGLE_OPS))
def test_random_single_op_models_match_all_three_kernel_sets(name, ties, above_one, tmp_path):
    rng = np.random.default_rng([20261122, len(name), ties, above_one])
    for trial in range(3):
        int8_model = random_model(SINGLE_OPS[name], rng, ties=ties, above_one=above_one)
        x = random_inputs(int8_model, rng, 64)
        path = tmp_path / f"{name}_{trial}.tflite"
        export_tflite(int8_model, path, with_codes=True)
        for kernels in ALL_KERNELS:
            assert_codes_match(path, int8_model, x, kernels)


def test_the_three_kernel_sets_really_disagree(tmp_path):
    """Not three names for one arithmetic: on tie-heavy models each pair of runtimes splits, by
    one step (inputs on the grid, so every runtime sees the same input codes and accumulators)."""
    rng = np.random.default_rng(5)
    int8_model = random_model(SINGLE_OPS["dense_alone"], rng, ties=True, above_one=False)
    x = random_inputs(int8_model, rng, 256, offsets=(0.0,))
    path = tmp_path / "dense.tflite"
    export_tflite(int8_model, path, with_codes=True)
    logits = {kernels: run_litert(path, x, kernels=kernels, codes=True)["logits"] for kernels in ALL_KERNELS}
    for first, second in [("xnnpack", "reference"), ("xnnpack", "optimized"), ("reference", "optimized")]:
        differ = np.count_nonzero(logits[first] != logits[second])
        assert 0 < differ and np.abs(logits[first].astype(int) - logits[second]).max() == 1, (first, second)


# --- geometry helpers ------------------------------------------------------------------------

def test_same_valid_or_pad_follow_tflite_padding_rule():
    assert same_or_valid(Conv2d("c", 1, 1, kernel=3, padding=1), 8) == "SAME"
    assert same_or_valid(Conv2d("c", 1, 1, kernel=5, padding=2, stride=2), 9) == "SAME"   # 5 outputs, 2 before
    assert same_or_valid(Conv2d("c", 1, 1, kernel=3, padding=1, stride=2), 8) is None     # SAME pads 0 before
    assert same_or_valid(Conv2d("c", 1, 1, kernel=3, padding=0, stride=2), 16) == "VALID"


def test_dense_columns_follow_the_nhwc_flatten(rng):
    chw = rng.integers(-5, 5, (3, 4, 5))
    weight = rng.integers(-5, 5, (2, 60))
    hwc_weight = chw_columns_to_hwc(weight, (3, 4, 5))
    np.testing.assert_array_equal(hwc_weight @ chw.transpose(1, 2, 0).ravel(), weight @ chw.ravel())


def test_runtime_names_cover_litert_kernels():
    assert set(RUNTIME_OF_KERNELS.values()) <= set(RUNTIMES)
    for operator in ("conv", "dense"):  # XNNPACK requantizes as onnxruntime does; only QUANTIZE differs
        assert RUNTIMES["litert-xnnpack"][operator] == RUNTIMES["onnxruntime"][operator]


# --- bad input -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def digits_file(digits, tmp_path_factory):
    model, x_train, _, _ = digits
    path = tmp_path_factory.mktemp("litert") / "digits.tflite"
    export_tflite(quantize_model(model, x_train), path)
    return path


def test_bad_files_and_inputs_get_clear_errors(digits_file, tmp_path):
    not_flatbuffer = tmp_path / "notes.tflite"
    not_flatbuffer.write_text("these are not the bytes of a model")
    with pytest.raises(ValueError, match="is not a TFLite flatbuffer: bytes 4-8 are b'e ar'"):
        run_litert(not_flatbuffer, np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        run_litert(digits_file, np.zeros((2, 8, 8, 1)))
    with pytest.raises(ValueError, match="kernels='gpu' is not a known mode"):
        run_litert(digits_file, np.zeros((1, 1, 8, 8)), kernels="gpu")
    with pytest.raises(TypeError, match="int8_model must be an Int8CNN .* or a FloatCNN, got dict"):
        export_tflite(load_pretrained().params, tmp_path / "weights.tflite")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike"):
        run_litert(3, np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match="export it with export_tflite"):
        run_litert(digits_file, np.zeros((1, 1, 8, 8)), codes=True)


def test_an_operator_litert_cannot_run_is_a_clear_error(digits_file, tmp_path):
    """A model whose CONV_2D reads a float32 image directly (the QUANTIZE removed): LiteRT refuses
    it at preparation, and the error names the file and LiteRT's reason."""
    import tflite

    content = bytearray(digits_file.read_bytes())
    parsed = tflite.Model.GetRootAsModel(content, 0)
    graph = parsed.Subgraphs(0)
    conv_inputs = graph.Operators(1).InputsAsNumpy()
    # Point the first convolution at tensor 0, the float32 image, in place in the flatbuffer.
    vector = graph.Operators(1)._tab.Vector(graph.Operators(1)._tab.Offset(8))
    content[vector:vector + 4] = int(0).to_bytes(4, "little")
    assert conv_inputs[0] != 0
    broken = tmp_path / "broken.tflite"
    broken.write_bytes(bytes(content))
    with pytest.raises(ValueError, match=r"LiteRT cannot run .*broken.tflite.* with kernels='reference'"):
        litert_interpreter(broken, kernels="reference")


# --- two traps of the format -----------------------------------------------------------------

def export_with_bias_qp(int8_model, path, change):
    """Export, with ``change(qp)`` applied to every conv bias's (scale, zero point, axis)."""
    from numformat.nn.tflite_export import TfliteGraph

    graph = TfliteGraph(int8_model, with_codes=True)
    for layer in int8_model.layers:
        if layer.is_conv:
            tensor = next(t for t in graph.tensors if t["name"] == f"{layer.name}_bias")
            tensor["qp"] = change(tensor["qp"])
    path.write_bytes(graph.serialize("bias trap"))


def test_a_conv_bias_without_quantization_leaves_xnnpack(digits, tmp_path):
    """XNNPACK delegates a CONV_2D only when its bias is quantized: without the parameters the
    file still runs, but those convolutions fall back to TFLite's optimized kernels, so one model
    mixes two roundings (conv: fixed point half up; fully connected: XNNPACK's float32)."""
    model, x_train, x_test, _ = digits
    int8_model = quantize_model(model, x_train, logits="int8")
    path = tmp_path / "no_bias_qp.tflite"
    export_with_bias_qp(int8_model, path, lambda qp: None)
    theirs = run_litert(path, x_test, kernels="xnnpack", codes=True)
    optimized = int8_model.layer_outputs(x_test, requant="litert-optimized")
    xnnpack = int8_model.layer_outputs(x_test, requant="litert-xnnpack")
    for name in ("conv1", "conv2"):
        np.testing.assert_array_equal(theirs[name], optimized[name])
        assert np.count_nonzero(theirs[name] != xnnpack[name]) > 0
    # the fully connected layer stayed with XNNPACK: its rounding on the fallback convs' codes
    fc = int8_model.layers[-1]
    acc = int8_model.accumulators(fc, theirs["pool"].reshape(len(x_test), -1))
    expected = quant.requantize(acc, fc.multiplier("float32"), fc.output_qp.zero_point, *fc.clamp, mode="float32",
                                axis=1)
    np.testing.assert_array_equal(theirs["logits"], expected)


@pytest.mark.parametrize("kernels", ALL_KERNELS)
def test_a_wrong_bias_scale_is_accepted_and_ignored(digits, tmp_path, kernels):
    """The int32 bias is added as it is: a bias scale 3× too large changes nothing."""
    model, x_train, x_test, _ = digits
    int8_model = quantize_model(model, x_train, logits="int8")
    path = tmp_path / "wrong_bias_scale.tflite"
    export_with_bias_qp(int8_model, path, lambda qp: (qp[0] * np.float32(3), qp[1], qp[2]))
    assert_codes_match(path, int8_model, x_test, kernels)


# --- the float32 model of the same network (the speed baseline) ------------------------------

@pytest.mark.parametrize("kernels", ALL_KERNELS)
def test_float_model_exports_and_matches_its_forward_pass(digits, second_network, tmp_path, kernels):
    """A FloatCNN exports as the float32 network: the same logits up to float32 summation order."""
    for model, x in [(digits[0], digits[2]), second_network]:
        path = tmp_path / f"{model.architecture.name}_float.tflite"
        export_tflite(model, path)
        theirs, ours = run_litert(path, x, kernels=kernels), model.forward(x)
        np.testing.assert_allclose(theirs, ours, rtol=1e-5, atol=1e-5 * np.abs(ours).max())
        np.testing.assert_array_equal(theirs.argmax(axis=1), ours.argmax(axis=1))


def test_float_export_is_the_same_bytes_from_a_copy_of_the_model(digits, tmp_path):
    """The file's description holds the model's repr, which names no memory address."""
    model = digits[0]
    export_tflite(model, tmp_path / "a.tflite")
    export_tflite(model.copy(), tmp_path / "b.tflite")
    assert (tmp_path / "a.tflite").read_bytes() == (tmp_path / "b.tflite").read_bytes()
