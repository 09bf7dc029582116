"""Export an ``Int8CNN`` to ONNX, so a deployment runtime (onnxruntime) runs the same integers.

The graph, in ONNX's standard operators (opset 13, the ``QOperator`` format)::

    image float32 ─ QuantizeLinear ─ QLinearConv ─ QLinearConv ─ MaxPool ─ Flatten ─┐
                                      (conv1+ReLU)  (conv2+ReLU)   (int8)            │
    ┌────────────────────────────────────────────────────────────────────────────────┘
    └ MatMulInteger ─ Add(int32 bias) ─ DequantizeLinear ─ logits float32       (int32 logits)
                                      └ Cast ─ Mul(multiplier) ─ QuantizeLinear(scale 1)
                                               ─ DequantizeLinear ─ logits float32    (int8 logits)

Why each piece reproduces :meth:`Int8CNN.forward(x, requant="float32") <Int8CNN.forward>` bit
for bit (each checked against onnxruntime in ``tests/test_onnx_export.py``):

* ``QuantizeLinear`` divides in float32 and rounds half to even — :func:`numformat.quant.quantize`
  on float32 input does the same;
* ``QLinearConv`` pads with the input zero point, adds the int32 bias to the int32
  accumulator, and requantizes with the float32 multiplier ``(x_scale · w_scale[o]) / y_scale``
  (onnxruntime's MLAS kernel): float32 product, clamp, round half to even, plus the zero
  point — :func:`numformat.quant.requantize` with ``mode="float32"``.  The fused ReLU needs no
  node: a ReLU output calibrated on ``[0, max]`` has zero point -128, so the clamp to int8 is
  the ReLU;
* ``MaxPool`` works on int8 tensors (opset 12 and later);
* the fully connected layer is ``MatMulInteger`` + ``Add``, because ``QLinearMatMul`` has no
  bias input: the int32 bias must join the accumulator *before* requantization, and
  ``MatMulInteger`` exposes that accumulator.  Its requantization is spelled out as ``Cast``
  (exact: accumulators stay below 2**24), a float32 ``Mul`` by the same multiplier, and a
  ``QuantizeLinear`` with scale 1 (round half to even, add the zero point, saturate);
* ``DequantizeLinear`` computes ``(q - zero_point) · scale`` in float32; for int32 logits it
  dequantizes the accumulator with the per-channel scale ``S_in · S_w[o]``.

onnx and onnxruntime are imported only here, inside the functions (the ``dev`` extra).
"""

from __future__ import annotations

import os

import numpy as np

from .int8 import Int8CNN
from .model import IMAGE_SHAPE, check_images

OPSET = 13
CODE_OUTPUTS = ("input", "conv1", "conv2", "pool", "logits")


def _require(module):
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(f"{module} is needed for ONNX export and inference: install the dev extra with "
                          f'pip install -e ".[dev]" (or pip install onnx onnxruntime)') from None


def export_onnx(int8_model, path, *, with_codes=False):
    """Write ``int8_model`` as an ONNX model (opset 13) to ``path`` and return the ``ModelProto``.

    Parameters
    ----------
    int8_model : Int8CNN
    path : str or os.PathLike
    with_codes : bool
        Also output each layer's integer codes (``input_codes``, ``conv1_codes``, ...,
        ``logits_codes``), to compare layer by layer with :meth:`Int8CNN.layer_outputs`
        through ``run_onnxruntime(..., codes=True)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from numformat.nn import load_digits_split, load_pretrained, quantize_model
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> int8_model = quantize_model(load_pretrained(), x_train)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "digits_int8.onnx"
    >>> [node.op_type for node in export_onnx(int8_model, path).graph.node]  # doctest: +NORMALIZE_WHITESPACE
    ['QuantizeLinear', 'QLinearConv', 'QLinearConv', 'MaxPool', 'Flatten', 'MatMulInteger', 'Add',
     'DequantizeLinear']
    >>> logits = run_onnxruntime(path, x_test)
    >>> bool(np.array_equal(logits, int8_model.forward(x_test, requant="float32")))
    True
    """
    if not isinstance(int8_model, Int8CNN):
        raise TypeError(f"int8_model must be an Int8CNN (from quantize_model), got {type(int8_model).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    onnx = _require("onnx")
    from onnx import TensorProto, helper, numpy_helper

    nodes, initializers = [], []

    def constant(name, value):
        initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def scale_and_zero_point(prefix, qp):
        """Initializers for a per-tensor int8 QParams: float32 scale, int8 zero point."""
        return (constant(f"{prefix}_scale", np.float32(qp.scale)),
                constant(f"{prefix}_zero_point", np.int8(qp.zero_point)))

    input_scale, input_zero_point = scale_and_zero_point("input", int8_model.input_qp)
    nodes.append(helper.make_node("QuantizeLinear", ["image", input_scale, input_zero_point], ["input_codes"]))
    current, current_qp = "input_codes", (input_scale, input_zero_point)
    conv1, conv2, fc = int8_model.layers
    for layer in (conv1, conv2):
        if layer.relu and layer.output_qp.zero_point != layer.output_qp.qmin:
            raise ValueError(f"layer {layer.name}: a fused ReLU exports as the int8 clamp only when its output "
                             f"zero point is {layer.output_qp.qmin}, got {layer.output_qp.zero_point}")
        out_scale, out_zero_point = scale_and_zero_point(layer.name, layer.output_qp)
        inputs = [current, *current_qp,
                  constant(f"{layer.name}_weight", layer.weight),
                  constant(f"{layer.name}_weight_scale", layer.weight_qp.scale.astype(np.float32)),
                  constant(f"{layer.name}_weight_zero_point", layer.weight_qp.zero_point.astype(np.int8)),
                  out_scale, out_zero_point, constant(f"{layer.name}_bias", layer.bias)]
        current = f"{layer.name}_codes"
        nodes.append(helper.make_node("QLinearConv", inputs, [current], kernel_shape=[3, 3], pads=[1, 1, 1, 1]))
        current_qp = (out_scale, out_zero_point)
    nodes.append(helper.make_node("MaxPool", [current], ["pool_codes"], kernel_shape=[2, 2], strides=[2, 2]))
    nodes.append(helper.make_node("Flatten", ["pool_codes"], ["pool_flat"], axis=1))
    weight_t = constant("fc_weight_t", np.ascontiguousarray(fc.weight.T))
    nodes.append(helper.make_node("MatMulInteger", ["pool_flat", weight_t, current_qp[1]], ["fc_product"]))
    accumulator = "logits_codes" if fc.keeps_accumulator else "fc_accumulator"
    nodes.append(helper.make_node("Add", ["fc_product", constant("fc_bias", fc.bias)], [accumulator]))
    if fc.keeps_accumulator:  # int32 logits: dequantize the accumulator, scale S_in·S_w[o] per class
        nodes.append(helper.make_node(
            "DequantizeLinear", [accumulator, constant("logits_scale", fc.output_qp.scale.astype(np.float32)),
                                 constant("logits_zero_point", np.zeros(fc.weight.shape[0], np.int32))],
            ["logits"], axis=1))
    else:  # int8 logits: requantize as QLinearConv does, then dequantize
        nodes.append(helper.make_node("Cast", [accumulator], ["fc_accumulator_float"], to=TensorProto.FLOAT))
        nodes.append(helper.make_node("Mul", ["fc_accumulator_float", constant("fc_multiplier", fc.multiplier("float32"))],
                                      ["fc_scaled"]))
        logits_scale, logits_zero_point = scale_and_zero_point("logits", fc.output_qp)
        nodes.append(helper.make_node("QuantizeLinear", ["fc_scaled", constant("unit_scale", np.float32(1.0)),
                                                         logits_zero_point], ["logits_codes"]))
        nodes.append(helper.make_node("DequantizeLinear", ["logits_codes", logits_scale, logits_zero_point], ["logits"]))

    batch, classes = "N", fc.weight.shape[0]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [batch, classes])]
    if with_codes:
        int8, logits_type = TensorProto.INT8, (TensorProto.INT32 if fc.keeps_accumulator else TensorProto.INT8)
        side = IMAGE_SHAPE[1]
        shapes = {"input": (int8, IMAGE_SHAPE), "conv1": (int8, (conv1.weight.shape[0], side, side)),
                  "conv2": (int8, (conv2.weight.shape[0], side, side)),
                  "pool": (int8, (conv2.weight.shape[0], side // 2, side // 2)), "logits": (logits_type, (classes,))}
        outputs += [helper.make_tensor_value_info(f"{name}_codes", shapes[name][0], [batch, *shapes[name][1]])
                    for name in CODE_OUTPUTS]
    graph = helper.make_graph(
        nodes, "numformat_digits_int8",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [batch, *IMAGE_SHAPE])], outputs, initializers)
    # make_model would stamp the newest IR version, which onnxruntime may not read yet.
    model = helper.make_model_gen_version(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                          producer_name="numformat")
    model.doc_string = repr(int8_model)
    onnx.checker.check_model(model)
    onnx.save(model, os.fspath(path))
    return model


def onnxruntime_session(path, *, threads=1):
    """An onnxruntime ``InferenceSession`` on the CPU for ``path``, with ``threads`` intra-op threads."""
    ort = _require("onnxruntime")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])


def run_onnxruntime(model, x, *, threads=1, codes=False):
    """Run an exported model on images ``x`` with onnxruntime's CPU provider.

    Parameters
    ----------
    model : str, os.PathLike or onnxruntime.InferenceSession
        A file written by :func:`export_onnx`, or a session from :func:`onnxruntime_session`
        (reuse one to time repeated runs).
    x : numpy.ndarray, shape (N, 1, 8, 8)
    threads : int
        onnxruntime's ``intra_op_num_threads`` when ``model`` is a path.
    codes : bool
        Return each layer's integer codes, as :meth:`Int8CNN.layer_outputs` does (the model
        must be exported ``with_codes=True``), instead of the float32 logits.

    Returns
    -------
    numpy.ndarray of float32 logits ``(N, 10)``, or a dict of code arrays
    """
    check_images(x)
    session = model if hasattr(model, "run") else onnxruntime_session(model, threads=threads)
    names = [f"{name}_codes" for name in CODE_OUTPUTS] if codes else ["logits"]
    fetched = session.run(names, {"image": np.ascontiguousarray(x, dtype=np.float32)})
    return dict(zip(CODE_OUTPUTS, fetched)) if codes else fetched[0]
