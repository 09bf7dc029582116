"""A network is data: differently shaped networks (16×16 inputs, three convolutions, padding 0
and 1, stride 1 and 2, a 3×3 max-pool, a hidden dense layer, 5 classes), seeded random weights
and inputs, through everything the digits CNN goes through -- float forward against a float64
oracle, backpropagation against finite differences, both int8 engines against an int64
reference, onnxruntime bit for bit, fake quantization on Int8CNN's grids, QAT, FP8,
sensitivity, pruning, weight sharing and the encoded model."""

import numpy as np
import pytest

from numformat import compress, quant
from numformat.nn import (Architecture, Conv2d, Dense, Flatten, FloatCNN, MaxPool, ReLU, assign_bits, export_onnx,
                          fp8_model, layer_sensitivity, post_training_quantize, quantization_aware_training,
                          quantize_model, run_onnxruntime)
from numformat.nn.architecture import DIGITS_CNN, PARAMETRIC
from numformat.nn.ptq import weight_qparams
from numformat.nn.train import TrainConfig, train

from .test_nn import assert_gradients_match_finite_differences

CLASSES = 5
ARCHITECTURES = {
    # the brief's network: conv 3×3 1→4, relu, conv 3×3 4→8, relu, maxpool 2, conv 3×3 8→8, relu, flatten, dense → 5
    "three_convs": Architecture("three_convs", (1, 16, 16), (
        Conv2d("conv1", 1, 4, kernel=3, padding=1), ReLU(),
        Conv2d("conv2", 4, 8, kernel=3, padding=1), ReLU(),
        MaxPool("pool", 2),
        Conv2d("conv3", 8, 8, kernel=3, padding=1), ReLU(),
        Flatten(), Dense("fc", 8 * 8 * 8, CLASSES))),
    # padding 0 and stride 2, a 3×3 pool, a conv without ReLU, a hidden dense layer with one
    "strided": Architecture("strided", (2, 16, 16), (
        Conv2d("stem", 2, 6, kernel=3, padding=0, stride=2), ReLU(),     # 16 → 7
        Conv2d("mix", 6, 6, kernel=2, padding=1), MaxPool("pool3", 3),   # 7 → 8 → 2
        Conv2d("head", 6, 4, kernel=1, padding=0), ReLU(),               # 2 → 2
        Flatten(), Dense("hidden", 16, 12), ReLU(), Dense("out", 12, CLASSES))),
}


def random_network(architecture, seed=7):
    """A seeded random float model of ``architecture``, its biases away from 0, and 96 inputs in [0, 1]."""
    rng = np.random.default_rng(seed)
    model = FloatCNN.initial(rng, architecture)
    params = {name: value + (0.05 * rng.standard_normal(value.shape) if name.endswith("bias") else 0)
              for name, value in model.params.items()}
    model = FloatCNN(params, architecture=architecture)
    return model, rng.uniform(0, 1, (96, *architecture.input_shape)).astype(np.float32)


@pytest.fixture(scope="module", params=list(ARCHITECTURES))
def network(request):
    """:func:`random_network` of the architecture and labels it can learn."""
    model, x = random_network(ARCHITECTURES[request.param])
    y = model.predict(x)  # labels the model can learn (its own answers), so training has a signal
    return model, x, y


@pytest.fixture(scope="module")
def int8_network(network):
    model, x, _ = network
    return quantize_model(model, x[:64])


# --- the description -------------------------------------------------------------------------

def test_the_digits_vocabulary_is_derived_from_its_description():
    import importlib

    prune, encoding = (importlib.import_module(f"numformat.compress.{name}") for name in ("prune", "encoding"))
    from numformat.nn import ptq, model as model_module

    assert model_module.PARAMETER_SHAPES == DIGITS_CNN.parameter_shapes()
    assert (model_module.IMAGE_SHAPE, model_module.CLASSES) == (DIGITS_CNN.input_shape, DIGITS_CNN.classes)
    assert ptq.LAYERS == ("conv1", "conv2", "fc") and ptq.ACTIVATIONS == ("input", "conv1", "conv2")
    assert prune.WEIGHT_NAMES == DIGITS_CNN.weight_names and encoding.BIAS_NAMES == DIGITS_CNN.bias_names
    assert compress.PARAMETERS == sum(int(np.prod(shape)) for shape in DIGITS_CNN.parameter_shapes().values())


def test_shapes_follow_padding_stride_and_pooling():
    shapes = ARCHITECTURES["strided"].tensor_shapes()
    assert shapes == {"input": (2, 16, 16), "stem": (6, 7, 7), "mix": (6, 8, 8), "pool3": (6, 2, 2),
                      "head": (4, 2, 2), "hidden": (12,), "logits": (CLASSES,)}
    assert ARCHITECTURES["strided"].activation_names == ("input", "stem", "mix", "head", "hidden")
    assert ARCHITECTURES["three_convs"].tensor_shapes()["conv3"] == (8, 8, 8)


@pytest.mark.parametrize("layers, message", [
    ((Conv2d("c", 1, 2), ReLU(), ReLU(), Flatten(), Dense("d", 128, 3)), "a ReLU must follow a Conv2d or a Dense"),
    ((MaxPool("p"), ReLU(), Flatten(), Dense("d", 16, 3)), "a ReLU must follow"),
    ((Conv2d("c", 1, 2), Flatten()), "the last layer of 'bad' must be a Dense"),
    ((Conv2d("c", 3, 2), Flatten(), Dense("d", 128, 3)), "conv2d 'c' takes 3 channels, its input has 1"),
    ((Conv2d("c", 1, 2, kernel=11, padding=0), Flatten(), Dense("d", 2, 3)), "does not fit a 8×8 input"),
    ((Conv2d("c", 1, 2), Flatten(), Dense("c", 128, 3)), r"\['c'\] appear more than once"),
    ((Flatten(), Conv2d("c", 1, 2), Dense("d", 2, 3)), r"needs an image input \(C, H, W\), got shape \(64,\)"),
])
def test_architecture_rejects_networks_an_engine_cannot_run(layers, message):
    with pytest.raises(ValueError, match=message):
        Architecture("bad", (1, 8, 8), layers)


@pytest.mark.parametrize("make, error, message", [
    (lambda: Architecture("bad", (1, 8, 8), (Conv2d("c", 1, 2), "relu", Dense("d", 2, 3))), TypeError, r"layers\[1\] is a str"),
    (lambda: Conv2d("input", 1, 2), ValueError, "'input' names a tensor of every network"),
    (lambda: Conv2d("c", 1, 2, stride=0), ValueError, "stride=0 must be at least 1"),
    (lambda: Conv2d("c", 1, 2, padding=-1), ValueError, "padding=-1 must be at least 0"),
    (lambda: Dense("d", 2.0, 3), TypeError, "in_features must be an int"),
    (lambda: FloatCNN({}, architecture="digits"), TypeError, "architecture must be an Architecture"),
])
def test_layers_reject_bad_arguments(make, error, message):
    with pytest.raises(error, match=message):
        make()


# --- float: forward against float64, backward against finite differences ---------------------

def pool_or_flatten(step, values):
    """A MaxPool step by reshaping (the incomplete windows at the edge dropped), or Flatten."""
    if not isinstance(step.layer, MaxPool):
        return values.reshape(len(values), -1)
    size, (channels, height, width) = step.layer.size, step.output_shape
    cropped = values[:, :, :height * size, :width * size]
    return cropped.reshape(len(values), channels, height, size, width, size).max(axis=(3, 5))


def reference_forward(architecture, params, x):
    """Logits in float64 straight from the definitions: zero padding, windows by index, einsum."""
    values = x.astype(np.float64)
    for step in architecture.steps:
        layer = step.layer
        if isinstance(layer, Conv2d):
            weight, bias = (params[f"{layer.name}_{part}"].astype(np.float64) for part in ("weight", "bias"))
            padded = np.pad(values, ((0, 0), (0, 0), (layer.padding,) * 2, (layer.padding,) * 2))
            height, width = step.output_shape[1:]
            out = np.zeros((len(values), *step.output_shape)) + bias[:, None, None]
            for dy in range(layer.kernel):
                for dx in range(layer.kernel):
                    window = padded[:, :, dy::layer.stride, dx::layer.stride][:, :, :height, :width]
                    out += np.einsum("nchw,oc->nohw", window, weight[:, :, dy, dx])
            values = out
        elif isinstance(layer, Dense):
            values = values @ params[f"{layer.name}_weight"].astype(np.float64).T + params[f"{layer.name}_bias"]
        else:
            values = pool_or_flatten(step, values)
        values = np.maximum(values, 0) if step.relu else values
    return values


def test_forward_matches_float64_reference(network):
    model, x, _ = network
    logits = model.forward(x)
    assert logits.dtype == np.float32 and logits.shape == (len(x), CLASSES)
    np.testing.assert_allclose(logits, reference_forward(model.architecture, model.params, x), rtol=1e-4, atol=1e-5)
    assert set(model.activations(x[:2])) == set(model.architecture.tensor_shapes())


def test_gradients_match_finite_differences(network, rng):
    """Backpropagation against central differences of the loss, in float64 (as the digits test)."""
    model, x, y = network
    float64 = FloatCNN.initial(rng, model.architecture)
    float64.params = {name: value.astype(np.float64) for name, value in model.params.items()}
    assert_gradients_match_finite_differences(float64, x[:5].astype(np.float64), y[:5], rng)


def test_training_lowers_the_loss_and_is_seeded(network):
    model, x, y = network
    data = (x, y, x, y)
    start = FloatCNN.initial(np.random.default_rng(1), model.architecture)
    trained, history = train(TrainConfig(epochs=3, learning_rate=0.01), model=start, data=data, augment=False)
    again, history_again = train(TrainConfig(epochs=3, learning_rate=0.01), model=start, data=data, augment=False)
    assert history["digest"] == history_again["digest"]
    assert history["loss"][-1] < history["loss"][0]
    with pytest.raises(ValueError, match="data=None means the digits split"):
        train(TrainConfig(epochs=1), architecture=model.architecture)


# --- int8: both engines, an int64 reference, onnxruntime --------------------------------------

def reference_codes(int8_model, x, requant):
    """Every tensor's codes with int64 accumulators straight from the definition (pad with the
    zero point, sum (x - zp)·w over every window) and the shared requantization."""
    values = quant.quantize(x.astype(np.float32), int8_model.input_qp)
    codes = {"input": values}
    quantized = iter(int8_model.layers)
    for step in int8_model.architecture.steps:
        layer = step.layer
        if isinstance(layer, PARAMETRIC):
            q = next(quantized)
            shifted = values.astype(np.int64) - q.input_qp.zero_point
            weight = q.weight.astype(np.int64)
            if isinstance(layer, Conv2d):
                padded = np.pad(shifted, ((0, 0), (0, 0), (layer.padding,) * 2, (layer.padding,) * 2))
                height, width = step.output_shape[1:]
                acc = np.zeros((len(values), *step.output_shape), dtype=np.int64) + q.bias[:, None, None]
                for dy in range(layer.kernel):
                    for dx in range(layer.kernel):
                        window = padded[:, :, dy::layer.stride, dx::layer.stride][:, :, :height, :width]
                        acc += np.einsum("nchw,oc->nohw", window, weight[:, :, dy, dx])
            else:
                acc = shifted @ weight.T + q.bias
            if q.keeps_accumulator:
                values = acc.astype(np.int32)
            else:
                values = quant.requantize(acc, q.multiplier(requant), q.output_qp.zero_point, *q.clamp,
                                          mode=requant, axis=1)
        else:
            values = pool_or_flatten(step, values)
        if step.output is not None:
            codes[step.output] = values
    return codes


@pytest.mark.parametrize("requant", quant.REQUANT_MODES)
def test_engines_match_int64_reference(network, int8_network, requant):
    _, x, _ = network
    few = x[:3]
    expected = reference_codes(int8_network, few, requant)
    for engine in ("loop", "vectorized"):
        codes = int8_network.layer_outputs(few, engine=engine, requant=requant)
        assert list(codes) == list(expected)
        for name, value in expected.items():
            assert codes[name].dtype == value.dtype and np.array_equal(codes[name], value), (engine, name)


def test_int8_model_is_int8_and_close_to_float(network, int8_network):
    model, x, _ = network
    assert len(int8_network.layers) == len(model.architecture.parametric)
    assert all(layer.weight.dtype == np.int8 and layer.bias.dtype == np.int32 for layer in int8_network.layers)
    agreement = np.mean(int8_network.predict(x) == model.predict(x))
    assert agreement >= 0.9, agreement
    assert f"{CLASSES} classes" in repr(int8_network)


@pytest.mark.parametrize("logits", ["int32", "int8"])
def test_onnxruntime_matches_forward_float32(network, tmp_path, logits):
    pytest.importorskip("onnxruntime")
    model, x, _ = network
    int8_model = quantize_model(model, x[:64], logits=logits)
    path = tmp_path / f"{model.architecture.name}.onnx"
    export_onnx(int8_model, path, with_codes=True)
    theirs, ours = run_onnxruntime(path, x), int8_model.forward(x, requant="float32")
    assert theirs.dtype == ours.dtype == np.float32
    assert np.array_equal(theirs.view(np.uint32), ours.view(np.uint32))  # bit for bit
    their_codes, our_codes = run_onnxruntime(path, x, codes=True), int8_model.layer_outputs(x, requant="float32")
    assert list(their_codes) == list(our_codes)
    for name, value in our_codes.items():
        assert their_codes[name].dtype == value.dtype and np.array_equal(their_codes[name], value), name
    with pytest.raises(ValueError, match=r"x must have shape \(N, " + ", ".join(map(str, model.architecture.input_shape))):
        run_onnxruntime(path, x[:, 0])


# --- beyond int8 ------------------------------------------------------------------------------

def test_fake_quantization_at_8_bits_uses_int8_grids(network, int8_network):
    model, x, _ = network
    ptq = post_training_quantize(model, x[:64], weight_bits=8, activation_bits=8)
    nodes = ptq.activation_transform
    assert nodes.names == model.architecture.activation_names
    grids = [int8_network.input_qp] + [layer.output_qp for layer in int8_network.layers[:-1]]
    for name, grid in zip(model.architecture.activation_names, grids):
        qp = nodes.qparams(name)
        assert (float(qp.scale), qp.zero_point) == (float(grid.scale), grid.zero_point), name
    for layer in int8_network.layers:
        weight = model.params[f"{layer.name}_weight"]
        assert np.array_equal(weight_qparams(weight, 8).scale, layer.weight_qp.scale)
        assert np.array_equal(ptq.params[f"{layer.name}_weight"],
                              quant.dequantize(layer.weight, layer.weight_qp).astype(np.float32))
    assert np.mean(ptq.predict(x) == int8_network.predict(x)) >= 0.95


def test_qat_fp8_and_sensitivity_run(network):
    model, x, y = network
    qat, history = quantization_aware_training(model, x[:64], weight_bits=4, activation_bits=8, data=(x, y, x, y))
    assert qat.architecture == model.architecture and len(history["digest"]) == 1
    assert qat.accuracy(x, y) >= 0.5
    assert fp8_model(model, x[:64], "float8_e4m3fn").accuracy(x, y) >= 0.9
    table = layer_sensitivity(model, x[:64], x, y, bits=(8, 2))
    assert set(table.accuracy) == {("weights", name) for name in model.architecture.layer_names} | {
        ("activations", name) for name in model.architecture.activation_names}
    assert set(table.weight_counts) == set(model.architecture.layer_names)
    budget = 8 * sum(table.weight_counts.values())
    assert assign_bits(table, budget) == dict.fromkeys(model.architecture.layer_names, 8)


def test_pruning_sharing_and_encoding_run(network):
    model, x, y = network
    data = (x, y, x, y)
    weight_names = model.architecture.weight_names
    pruned, masks = compress.prune(model, 0.5, steps=1, epochs=1, data=data)
    assert set(masks) == set(weight_names)
    assert all(np.all(pruned.params[name][~masks[name]] == 0) for name in weight_names)
    assert abs(compress.sparsity_of(masks)["total"] - 0.5) < 0.01
    shared = compress.share_model(pruned, 3, masks=masks)
    encoded = compress.encode_model(shared, pruned, index_bits="best", weight_bits=3)
    decoded = encoded.decode()
    assert decoded.architecture == model.architecture
    for name in weight_names:
        assert np.array_equal(decoded.params[name], shared[name].values())
    data_bytes = compress.to_bytes(encoded)                       # the file, for this architecture
    assert len(data_bytes) == -(-encoded.bits()["total"] // 8)
    reread = compress.from_bytes(data_bytes, model.architecture)
    assert compress.to_bytes(reread) == data_bytes
    for name in model.architecture.parameter_shapes():
        assert np.array_equal(reread.decode().params[name], decoded.params[name]), name
    with pytest.raises(ValueError):                               # the digits CNN's shapes do not fit it
        compress.from_bytes(data_bytes)
    result = compress.deep_compression(model, sparsity=0.5, weight_bits=3, index_bits=4, prune_steps=1,
                                       prune_epochs=1, share_epochs=1, data=data)
    rows = result.report(x, y, model)
    assert rows[0].parameters == model.architecture.parameter_count and rows[-1].ratio > 4
    powers, grids = compress.inq(model, portions=(0.5, 1.0), epochs=1, data=data)
    assert all(np.array_equal(grids[name].round(powers.params[name]), powers.params[name]) for name in weight_names)
