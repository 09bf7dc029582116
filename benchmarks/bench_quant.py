"""int8 mapping against onnxruntime's QuantizeLinear and a hand-written numpy requantization."""

import numpy as np

import numformat as nf
from run import Case


def _onnx_quantize_linear(scale, zero_point):
    """A one-node QuantizeLinear model in onnxruntime, single thread: ``x -> int8``."""
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("QuantizeLinear", ["x", "scale", "zero_point"], ["q"])], "quantize",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None])],
        [helper.make_tensor_value_info("q", TensorProto.INT8, [None])],
        [numpy_helper.from_array(np.array(scale, dtype=np.float32), "scale"),
         numpy_helper.from_array(np.array(zero_point, dtype=np.int8), "zero_point")])
    model = helper.make_model_gen_version(graph, opset_imports=[helper.make_opsetid("", 13)])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {"x": x})[0]


def _tflite_requantize_numpy(acc, m0, shift, zero_point):
    """TFLite's double-rounding MultiplyByQuantizedMultiplier written directly in numpy (shift <= 0)."""
    product = acc * m0
    high = (product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))) // (1 << 31)  # C truncation, fixed below
    high = np.where((product < 0) & ((product + 1 - (1 << 30)) % (1 << 31) != 0), high + 1, high)
    mask = (1 << -shift) - 1
    threshold = (mask >> 1) + (high < 0)
    out = (high >> -shift) + ((high & mask) > threshold)
    return np.clip(out + zero_point, -128, 127).astype(np.int8)


def _same(ours, reference):
    np.testing.assert_array_equal(ours, reference)


def cases(quick=False):
    size = 1_000 if quick else 1_000_000
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(size) * 2).astype(np.float32)
    qp = nf.choose_qparams(min=-6.0, max=6.0)
    acc = rng.integers(-(2 ** 20), 2 ** 20, size)
    multiplier = 0.0123
    m0, shift = nf.quantize_multiplier(multiplier)
    table = [
        Case("`requantize(acc, m, mode=\"fixedpoint\")`, 10^6 int32", lambda: nf.requantize(acc, multiplier, 3, -128, 127),
             "numpy TFLite formula, no checks", lambda: _tflite_requantize_numpy(acc, m0, shift, 3),
             goal_ratio=2.0, check=_same),
        Case("`calibrate(x, \"entropy\")`, 10^6 float32", lambda: nf.calibrate(x, "entropy"),
             goal_seconds=0.1, repeats=3),
    ]
    try:
        quantize_linear = _onnx_quantize_linear(qp.scale, qp.zero_point)
    except ImportError:  # the dev extra is not installed: nothing to compare against
        return table
    table.insert(0, Case("`quantize(x, qp)`, 10^6 float32 → int8", lambda: nf.quantize(x, qp),
                         "onnxruntime QuantizeLinear, 1 thread", lambda: quantize_linear(x),
                         goal_ratio=6.0, check=_same))  # numpy makes 5 passes, MLAS one fused SIMD pass
    return table
