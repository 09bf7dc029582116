"""export_onnx: onnxruntime, a real deployment runtime, computes the same integers and the same
float32 logits as Int8CNN.forward(requant="float32"), on the whole test set and layer by layer."""

import builtins
import dataclasses

import numpy as np
import pytest

import numformat as nf
from numformat.nn import export_onnx, onnxruntime_session, quantize_model, run_onnxruntime

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module", params=["int32", "int8"])
def exported(request, digits, tmp_path_factory):
    model = quantize_model(nf.load_pretrained(), digits[0], logits=request.param)
    path = tmp_path_factory.mktemp("onnx") / f"digits_{request.param}.onnx"
    export_onnx(model, path, with_codes=True)
    return model, path


def test_onnxruntime_logits_match_forward_float32(exported, digits):
    model, path = exported
    x_test = digits[2]
    theirs = run_onnxruntime(path, x_test)
    ours = model.forward(x_test, requant="float32")
    assert theirs.dtype == ours.dtype == np.float32
    assert np.array_equal(theirs.view(np.uint32), ours.view(np.uint32))  # bit for bit, all 450 images
    assert np.array_equal(theirs.argmax(axis=1), model.predict(x_test, requant="float32"))


def test_onnxruntime_codes_match_layer_outputs(exported, digits):
    model, path = exported
    theirs = run_onnxruntime(path, digits[2], codes=True)
    ours = model.layer_outputs(digits[2], requant="float32")
    assert list(theirs) == list(ours)
    for name in ours:
        assert theirs[name].dtype == ours[name].dtype and np.array_equal(theirs[name], ours[name]), name


def test_onnxruntime_differs_from_fixedpoint_requantization(exported, digits):
    """The check above can fail: TFLite's integer requantization rounds some codes differently."""
    model, path = exported
    theirs = run_onnxruntime(path, digits[2], codes=True)["conv1"]
    assert not np.array_equal(theirs, model.layer_outputs(digits[2], requant="fixedpoint")["conv1"])


@pytest.mark.parametrize("seed", range(4))
def test_random_models_match_onnxruntime(seed, digits, tmp_path):
    """Random float weights and biases give other scales, multipliers and zero points: still equal."""
    rng = np.random.default_rng(seed)
    model = nf.FloatCNN.initial(rng)
    model.params = {name: (value + 0.3 * rng.standard_normal(value.shape)).astype(np.float32) if "bias" in name else value
                    for name, value in model.params.items()}
    calib = digits[0][rng.permutation(len(digits[0]))[:100]]
    for logits in ("int32", "int8"):
        int8_model = quantize_model(model, calib, method=["minmax", "percentile", "mse"][seed % 3], logits=logits)
        path = tmp_path / f"{logits}.onnx"
        export_onnx(int8_model, path, with_codes=True)
        theirs = run_onnxruntime(path, digits[2], codes=True)
        ours = int8_model.layer_outputs(digits[2], requant="float32")
        for name in ours:
            assert np.array_equal(theirs[name], ours[name]), (logits, name)


def test_graph_is_standard_opset_13(exported):
    model, path = exported
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    assert [(entry.domain, entry.version) for entry in proto.opset_import] == [("", 13)]
    ops = [node.op_type for node in proto.graph.node]
    assert ops[:6] == ["QuantizeLinear", "QLinearConv", "QLinearConv", "MaxPool", "Flatten", "MatMulInteger"]
    assert ops[-1] == "DequantizeLinear"
    conv = next(node for node in proto.graph.node if node.op_type == "QLinearConv")
    weight_scale = next(init for init in proto.graph.initializer if init.name == conv.input[4])
    assert list(weight_scale.dims) == [8]  # per-channel weight scales


def test_session_is_single_threaded_and_reusable(exported, digits):
    model, path = exported
    session = onnxruntime_session(path, threads=1)
    first = run_onnxruntime(session, digits[2][:5])
    assert np.array_equal(first, run_onnxruntime(session, digits[2][:5]))


def test_export_rejects_bad_input(exported, tmp_path):
    model, path = exported
    with pytest.raises(TypeError, match="int8_model must be an Int8CNN"):
        export_onnx(nf.load_pretrained(), tmp_path / "x.onnx")
    with pytest.raises(TypeError, match="path must be a str or os.PathLike, got int"):
        export_onnx(model, 3)
    shifted = dataclasses.replace(model.layers[0], output_qp=nf.QParams(model.layers[0].output_qp.scale, -100, -128, 127))
    broken = nf.nn.Int8CNN(model.input_qp, (shifted, *model.layers[1:]))
    with pytest.raises(ValueError, match="fused ReLU exports as the int8 clamp only when its output zero point is -128"):
        export_onnx(broken, tmp_path / "x.onnx")
    with pytest.raises(ValueError, match=r"x must have shape \(N, 1, 8, 8\)"):
        run_onnxruntime(path, np.zeros((2, 64), np.float32))  # the shape the exported graph declares


def test_missing_onnx_names_the_install_command(exported, tmp_path, monkeypatch):
    model, _ = exported
    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name.split(".")[0] in ("onnx", "onnxruntime"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(ImportError, match=r'onnx is needed .* pip install -e "\.\[dev\]"'):
        export_onnx(model, tmp_path / "x.onnx")
    with pytest.raises(ImportError, match="onnxruntime is needed"):
        onnxruntime_session(tmp_path / "x.onnx")
