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

from .architecture import Conv2d, Dense, MaxPool, check_batch
from .int8 import Int8CNN

OPSET = 13
CODE_OUTPUTS = ("input", "conv1", "conv2", "pool", "logits")  # the digits CNN's; any model: its tensor names


def _require(module):
    try:
        return __import__(module)
    except ImportError:
        raise ImportError(f"{module} is needed for ONNX export and inference: install the dev extra with "
                          f'pip install -e ".[dev]" (or pip install onnx onnxruntime)') from None


def export_onnx(int8_model, path, *, with_codes=False):
    """Write ``int8_model`` as an ONNX model (opset 13) to ``path`` and return the ``ModelProto``.

    Three steps: the nodes, one or a few per layer of the model's architecture
    (:class:`OnnxGraphBuilder`); the graph's inputs and outputs (:func:`graph_outputs`); the
    model, checked and saved.

    Parameters
    ----------
    int8_model : Int8CNN
    path : str or os.PathLike
    with_codes : bool
        Also output each named tensor's integer codes (``input_codes``, ``conv1_codes``, ...,
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
    from onnx import TensorProto, helper

    builder = OnnxGraphBuilder(int8_model)
    architecture = int8_model.architecture
    graph = helper.make_graph(
        builder.nodes, f"numformat_{architecture.name}_int8",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", *architecture.input_shape])],
        graph_outputs(int8_model, with_codes), builder.initializers)
    # make_model would stamp the newest IR version, which onnxruntime may not read yet.
    model = helper.make_model_gen_version(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                          producer_name="numformat")
    model.doc_string = repr(int8_model)
    onnx.checker.check_model(model)
    onnx.save(model, os.fspath(path))
    return model


def graph_outputs(int8_model, with_codes):
    """The graph's outputs: ``logits`` float32, and with ``with_codes`` every named tensor's codes."""
    from onnx import TensorProto, helper

    shapes = int8_model.architecture.tensor_shapes()
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", *shapes["logits"]])]
    if with_codes:
        logits_type = TensorProto.INT32 if int8_model.layers[-1].keeps_accumulator else TensorProto.INT8
        outputs += [helper.make_tensor_value_info(f"{name}_codes", logits_type if name == "logits" else TensorProto.INT8,
                                                  ["N", *shape]) for name, shape in shapes.items()]
    return outputs


class OnnxGraphBuilder:
    """The nodes and initializers of an ``Int8CNN``'s graph, added layer by layer.

    ``current`` is the name of the int8 tensor the next layer reads, ``current_qp`` the names
    of its scale and zero point (max-pool and flatten keep their input's).
    """

    def __init__(self, int8_model):
        from onnx import helper, numpy_helper

        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes, self.initializers, self.names = [], [], set()
        self.current_qp = self.scale_and_zero_point("input", int8_model.input_qp)
        self.node("QuantizeLinear", ["image", *self.current_qp], "input_codes")
        self.current = "input_codes"
        quantized = iter(int8_model.layers)
        for step in int8_model.architecture.steps:
            if isinstance(step.layer, Conv2d):
                self.conv(next(quantized), step)
            elif isinstance(step.layer, Dense):
                self.dense(next(quantized), step)
            elif isinstance(step.layer, MaxPool):
                self.node("MaxPool", [self.current], f"{step.output}_codes",
                          kernel_shape=[step.layer.size] * 2, strides=[step.layer.size] * 2)
            else:  # Flatten
                self.node("Flatten", [self.current], self.current.replace("_codes", "") + "_flat", axis=1)

    def node(self, op_type, inputs, output, **attributes):
        self.nodes.append(self.helper.make_node(op_type, inputs, [output], **attributes))
        self.current = output

    def constant(self, name, value):
        """An initializer (once: a second use of ``name`` refers to the first)."""
        if name not in self.names:
            self.names.add(name)
            self.initializers.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def scale_and_zero_point(self, prefix, qp):
        """Initializers for a per-tensor int8 QParams: float32 scale, int8 zero point."""
        return (self.constant(f"{prefix}_scale", np.float32(qp.scale)),
                self.constant(f"{prefix}_zero_point", np.int8(qp.zero_point)))

    def check_relu(self, layer):
        if layer.relu and layer.output_qp.zero_point != layer.output_qp.qmin:
            raise ValueError(f"layer {layer.name}: a fused ReLU exports as the int8 clamp only when its output "
                             f"zero point is {layer.output_qp.qmin}, got {layer.output_qp.zero_point}")

    def conv(self, layer, step):
        """``QLinearConv``: pads with the input zero point, adds the bias, requantizes in float32."""
        self.check_relu(layer)
        out_qp = self.scale_and_zero_point(step.output, layer.output_qp)
        inputs = [self.current, *self.current_qp,
                  self.constant(f"{layer.name}_weight", layer.weight),
                  self.constant(f"{layer.name}_weight_scale", layer.weight_qp.scale.astype(np.float32)),
                  self.constant(f"{layer.name}_weight_zero_point", layer.weight_qp.zero_point.astype(np.int8)),
                  *out_qp, self.constant(f"{layer.name}_bias", layer.bias)]
        kernel = layer.weight.shape[-1]
        strides = {} if layer.stride == 1 else {"strides": [layer.stride] * 2}  # 1 is ONNX's default
        self.node("QLinearConv", inputs, f"{step.output}_codes", kernel_shape=[kernel, kernel],
                  pads=[layer.padding] * 4, **strides)
        self.current_qp = out_qp

    def dense(self, layer, step):
        """``MatMulInteger`` + ``Add`` (the int32 accumulator), then int32 logits dequantized, or
        an int8 output requantized as ``QLinearConv`` does: ``Cast``, ``Mul``, ``QuantizeLinear``."""
        self.check_relu(layer)
        weight_t = self.constant(f"{layer.name}_weight_t", np.ascontiguousarray(layer.weight.T))
        self.node("MatMulInteger", [self.current, weight_t, self.current_qp[1]], f"{layer.name}_product")
        accumulator = "logits_codes" if layer.keeps_accumulator else f"{layer.name}_accumulator"
        self.node("Add", [self.current, self.constant(f"{layer.name}_bias", layer.bias)], accumulator)
        if layer.keeps_accumulator:  # int32 logits: dequantize the accumulator, scale S_in·S_w[o] per class
            scale = self.constant("logits_scale", layer.output_qp.scale.astype(np.float32))
            zero_point = self.constant("logits_zero_point", np.zeros(layer.weight.shape[0], np.int32))
            self.node("DequantizeLinear", [accumulator, scale, zero_point], "logits", axis=1)
            return
        from onnx import TensorProto

        self.node("Cast", [accumulator], f"{accumulator}_float", to=TensorProto.FLOAT)
        self.node("Mul", [self.current, self.constant(f"{layer.name}_multiplier", layer.multiplier("float32"))],
                  f"{layer.name}_scaled")
        out_qp = self.scale_and_zero_point(step.output, layer.output_qp)
        self.node("QuantizeLinear", [self.current, self.constant("unit_scale", np.float32(1.0)), out_qp[1]],
                  f"{step.output}_codes")
        self.current_qp = out_qp
        if step.output == "logits":
            self.node("DequantizeLinear", ["logits_codes", *out_qp], "logits")


def onnxruntime_session(path, *, threads=1):
    """An onnxruntime ``InferenceSession`` on the CPU for ``path``, with ``threads`` intra-op threads."""
    ort = _require("onnxruntime")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(os.fspath(path), options, providers=["CPUExecutionProvider"])


def run_onnxruntime(model, x, *, threads=1, codes=False):
    """Run an exported model on inputs ``x`` with onnxruntime's CPU provider.

    Parameters
    ----------
    model : str, os.PathLike or onnxruntime.InferenceSession
        A file written by :func:`export_onnx`, or a session from :func:`onnxruntime_session`
        (reuse one to time repeated runs).
    x : numpy.ndarray, shape (N, *input_shape)
        For the digits CNN ``(N, 1, 8, 8)``; the shape the exported graph declares.
    threads : int
        onnxruntime's ``intra_op_num_threads`` when ``model`` is a path.
    codes : bool
        Return each named tensor's integer codes, as :meth:`Int8CNN.layer_outputs` does (the
        model must be exported ``with_codes=True``), instead of the float32 logits.

    Returns
    -------
    numpy.ndarray of float32 logits ``(N, classes)``, or a dict of code arrays
    """
    session = model if hasattr(model, "run") else onnxruntime_session(model, threads=threads)
    check_batch(x, tuple(session.get_inputs()[0].shape[1:]))
    names = [output.name for output in session.get_outputs() if output.name.endswith("_codes")] if codes else ["logits"]
    fetched = session.run(names, {"image": np.ascontiguousarray(x, dtype=np.float32)})
    return {name[:-len("_codes")]: value for name, value in zip(names, fetched)} if codes else fetched[0]
