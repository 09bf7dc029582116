"""Export an ``Int8CNN`` as a LiteRT (TensorFlow Lite) flatbuffer, written without TensorFlow.

The file follows TFLite's schema (``schema.fbs``, version 3, file identifier ``TFL3``), built
with the ``flatbuffers`` package and the schema's generated bindings in the ``tflite`` package.
Tensors are NHWC, as TFLite's kernels expect; the graph for the digits CNN::

    image float32 (N,8,8,1) ─ QUANTIZE ─ CONV_2D+RELU ─ CONV_2D+RELU ─ MAX_POOL_2D ─ RESHAPE ─┐
                                          (conv1)       (conv2)        (pool)                 │
    ┌──────────────────────────────────────────────────────────────────────────────────────────┘
    └ BATCH_MATMUL ─ ADD(bias) ─ logits int32 accumulators ─ CAST ─ MUL(S_in·S_w[o]) ─ logits float32
      (logits="int8": FULLY_CONNECTED ─ int8 codes ─ DEQUANTIZE ─ logits float32)

What TFLite's int8 specification asks of each piece, and how the model's own numbers fit it:

* ``CONV_2D``: weights int8 OHWI, symmetric per output channel (``quantized_dimension`` 0,
  zero points 0); an int32 bias with scale ``S_in · S_w[o]`` and zero point 0; the ReLU fused
  (``fused_activation_function = RELU`` clamps at the output zero point, as the engine does).
  Padding: ``SAME`` or ``VALID`` where TFLite's rule gives the model's padding, otherwise an
  explicit ``PAD`` (int8 pads with the zero point, the engine's padded pixel) and ``VALID``;
* ``MAX_POOL_2D`` on the int8 codes (``VALID``, window = stride = the pool size);
* ``RESHAPE`` of an NHWC tensor flattens in ``(H, W, C)`` order, the engine in ``(C, H, W)``:
  the fully connected weights' columns are permuted to match, so the products are the same;
* ``FULLY_CONNECTED`` with per-channel int8 weights and an int32 bias; ``FULLY_CONNECTED`` has no int32
  output, so int32 logits (the accumulators themselves, no requantization) come from
  ``BATCH_MATMUL`` (int8 × int8 → int32, which ignores zero points: ``-zp · Σ w`` joins the
  bias) and ``ADD``, dequantized by ``CAST`` (exact: the accumulators stay below 2**24) and a
  float32 ``MUL`` by the per-class scale, which is what :func:`numformat.quant.dequantize` computes;
* ``QUANTIZE`` / ``DEQUANTIZE`` at the float input and the int8 output.

Every constant has its own buffer; buffer 0 is the empty buffer of every activation tensor.
:func:`numformat.nn.litert.run_litert` runs the file in the LiteRT interpreter.
"""

from __future__ import annotations

import os

import numpy as np

from .architecture import Conv2d, Dense, MaxPool
from .int8 import Int8CNN
from .model import FloatCNN
from .tflite_flatbuffer import Subgraph

def export_tflite(int8_model, path, *, with_codes=False):
    """Write ``int8_model`` as a ``.tflite`` flatbuffer to ``path`` and return its bytes.

    Parameters
    ----------
    int8_model : Int8CNN or FloatCNN
        Any architecture (conv2d with any padding and stride, max-pool, flatten, dense, fused
        ReLU).  A ``FloatCNN`` gives the float32 model of the same network (float32 weights,
        ``CONV_2D`` / ``FULLY_CONNECTED`` in float32): the baseline int8 is timed against.
    path : str or os.PathLike
    with_codes : bool
        Also output every named tensor's integer codes (``input_codes``, ``conv1_codes``, ...,
        ``logits_codes``, NHWC), for :func:`~numformat.nn.litert.run_litert` ``(..., codes=True)``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from numformat.nn import load_digits_split, load_pretrained, quantize_model, run_litert
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> int8_model = quantize_model(load_pretrained(), x_train)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "digits_int8.tflite"
    >>> flatbuffer = export_tflite(int8_model, path)
    >>> flatbuffer[4:8], len(flatbuffer) < 8000
    (b'TFL3', True)
    >>> logits = run_litert(path, x_test, kernels="reference")
    >>> bool(np.array_equal(logits, int8_model.forward(x_test, requant="litert-reference")))
    True
    """
    if not isinstance(int8_model, (Int8CNN, FloatCNN)):
        raise TypeError(f"int8_model must be an Int8CNN (from quantize_model) or a FloatCNN, "
                        f"got {type(int8_model).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    if isinstance(int8_model, FloatCNN):
        graph, kind = FloatGraph(int8_model), "float32"
    else:
        graph, kind = TfliteGraph(int8_model, with_codes), "int8"
    flatbuffer = graph.serialize(f"numformat {int8_model.architecture.name} {kind}: {int8_model!r}")
    with open(path, "wb") as file:
        file.write(flatbuffer)
    return flatbuffer


def same_or_valid(layer, input_hw):
    """``"SAME"`` or ``"VALID"`` when TFLite's padding rule gives the conv layer's own padding, else None.

    TFLite's ``SAME`` makes ``ceil(H / s)`` outputs and pads ``total // 2`` before (the rest
    after); ``VALID`` pads nothing.

    >>> same_or_valid(Conv2d("c", 1, 8, kernel=3, padding=1), 8), same_or_valid(Conv2d("c", 1, 8, padding=0), 8)
    ('SAME', 'VALID')
    >>> same_or_valid(Conv2d("c", 1, 8, kernel=2, padding=1), 7) is None    # 8 outputs; SAME gives 7
    True
    """
    kernel, padding, stride = layer.kernel, layer.padding, layer.stride
    if padding == 0:
        return "VALID"
    same_outputs = -(-input_hw // stride)
    total = max((same_outputs - 1) * stride + kernel - input_hw, 0)
    own_outputs = (input_hw + 2 * padding - kernel) // stride + 1
    return "SAME" if same_outputs == own_outputs and total // 2 == padding else None


class TfliteGraph(Subgraph):
    """The tensors, buffers and operators of an ``Int8CNN``'s subgraph, added layer by layer.

    ``current`` is the index of the tensor the next layer reads and ``current_qp`` its grid
    (max-pool and reshape keep their input's).
    """

    def __init__(self, int8_model, with_codes=False):
        super().__init__()
        self.with_codes = with_codes
        architecture = int8_model.architecture
        channels_last = nhwc(architecture.input_shape)
        image = self.tensor("image", (1, *channels_last), "FLOAT32")
        self.inputs, self.outputs, self.code_outputs = [image], [], []
        self.current_qp = int8_model.input_qp
        self.operator("QUANTIZE", [image], self.activation("input_codes", channels_last, self.current_qp))
        self.mark_codes()
        quantized = iter(int8_model.layers)
        for step in architecture.steps:
            if isinstance(step.layer, Conv2d):
                self.conv(next(quantized), step)
            elif isinstance(step.layer, Dense):
                self.dense(next(quantized), step)
            elif isinstance(step.layer, MaxPool):
                size = step.layer.size
                self.operator("MAX_POOL_2D", [self.current],
                              self.activation(f"{step.output}_codes", nhwc(step.output_shape), self.current_qp),
                              options=("Pool2DOptions", {"Padding": 1, "StrideW": size, "StrideH": size,
                                                         "FilterWidth": size, "FilterHeight": size}))
                self.mark_codes()
            else:  # Flatten: (H, W, C) order; the next dense layer's columns follow it
                shape = step.output_shape
                new_shape = self.tensor("flat_shape", (2,), "INT32", data=np.array([-1, shape[0]], np.int32))
                self.operator("RESHAPE", [self.current, new_shape],
                              self.activation(f"{self.tensors[self.current]['name']}_flat", shape, self.current_qp),
                              options=("ReshapeOptions", {"NewShape": [-1, shape[0]]}))
        self.outputs = [self.current] + self.code_outputs

    def activation(self, name, shape, qp, dtype="INT8"):
        """An int8 activation tensor on the grid ``qp`` (per tensor)."""
        return self.tensor(name, (1, *shape), dtype, qp=(np.float32(qp.scale), qp.zero_point, 0))

    def mark_codes(self):
        if self.with_codes:
            self.code_outputs.append(self.current)

    # --- layers -------------------------------------------------------------------------------

    def weight_and_bias(self, layer, weight):
        weight_qp = (layer.weight_qp.scale.astype(np.float32), np.zeros(weight.shape[0], np.int64), 0)
        bias_scale = (np.float32(layer.input_qp.scale) * layer.weight_qp.scale.astype(np.float32)).astype(np.float32)
        bias_qp = (bias_scale, np.zeros(weight.shape[0], np.int64), 0)
        return (self.tensor(f"{layer.name}_weight", None, "INT8", data=weight.astype(np.int8), qp=weight_qp),
                self.tensor(f"{layer.name}_bias", None, "INT32", data=layer.bias.astype(np.int32), qp=bias_qp))

    def conv(self, layer, step):
        """``CONV_2D`` (OHWI weights), after a ``PAD`` where SAME/VALID cannot express the padding."""
        in_channels, in_height, in_width = step.input_shape
        padding = same_or_valid(step.layer, in_height) if in_height == in_width else None
        if padding is None:
            pad = layer.padding
            pads = self.tensor(f"{layer.name}_pads", None, "INT32",
                               data=np.array([[0, 0], [pad, pad], [pad, pad], [0, 0]], np.int32))
            padded_shape = (in_height + 2 * pad, in_width + 2 * pad, in_channels)
            self.operator("PAD", [self.current, pads],
                          self.activation(f"{layer.name}_padded", padded_shape, self.current_qp))
            padding = "VALID"
        weight, bias = self.weight_and_bias(layer, np.transpose(layer.weight, (0, 2, 3, 1)))
        output = self.activation(f"{step.output}_codes", nhwc(step.output_shape), layer.output_qp)
        self.operator("CONV_2D", [self.current, weight, bias], output,
                      options=("Conv2DOptions", {"Padding": 0 if padding == "SAME" else 1,
                                                 "StrideW": layer.stride, "StrideH": layer.stride,
                                                 "FusedActivationFunction": int(step.relu),
                                                 "DilationWFactor": 1, "DilationHFactor": 1}))
        self.current_qp = layer.output_qp
        self.mark_codes()

    def dense(self, layer, step):
        """``FULLY_CONNECTED``: int8 output requantized, or the int32 accumulators as logits."""
        weight = layer.weight
        if len(step.input_shape) == 1 and self.flattened_from is not None:
            weight = chw_columns_to_hwc(weight, self.flattened_from)
        if layer.keeps_accumulator:
            self.logits_accumulator(layer, weight, step.output_shape)
            return
        weight, bias = self.weight_and_bias(layer, weight)
        fc_options = ("FullyConnectedOptions", {"FusedActivationFunction": int(step.relu)})
        output = self.activation(f"{step.output}_codes", step.output_shape, layer.output_qp)
        self.operator("FULLY_CONNECTED", [self.current, weight, bias], output, options=fc_options)
        self.current_qp = layer.output_qp
        self.mark_codes()
        if step.output == "logits":
            self.operator("DEQUANTIZE", [output], self.tensor("logits", (1, *step.output_shape), "FLOAT32"))

    def logits_accumulator(self, layer, weight, shape):
        """int32 logits: ``FULLY_CONNECTED`` has no int32 output, so ``BATCH_MATMUL`` (int8 × int8
        → int32, the input zero point subtracted) + ``ADD`` the int32 bias, then the float32
        logits ``CAST`` and ``MUL`` by the per-class scale ``S_in · S_w[o]``."""
        weight_t = self.tensor(f"{layer.name}_weight_t", None, "INT8", data=np.ascontiguousarray(weight.T).astype(np.int8),
                               qp=(np.float32(1.0), 0, 0))
        product = self.operator("BATCH_MATMUL", [self.current, weight_t],
                                self.tensor(f"{layer.name}_product", (1, *shape), "INT32"),
                                options=("BatchMatMulOptions", {"AdjX": False, "AdjY": False}))
        # BATCH_MATMUL multiplies the codes themselves: Σ (x - zp)·w = Σ x·w - zp·Σ w, so the
        # zero point's term joins the bias constant (integers: exact).
        folded_bias = layer.bias.astype(np.int64) - layer.input_qp.zero_point * weight.astype(np.int64).sum(axis=1)
        bias = self.tensor(f"{layer.name}_bias_folded", None, "INT32", data=folded_bias.astype(np.int32))
        self.operator("ADD", [product, bias], self.tensor("logits_codes", (1, *shape), "INT32"),
                      options=("AddOptions", {"FusedActivationFunction": 0}))
        self.mark_codes()
        as_float = self.operator("CAST", [self.current], self.tensor("logits_float", (1, *shape), "FLOAT32"))
        scale = self.tensor("logits_scale", None, "FLOAT32", data=layer.output_qp.scale.astype(np.float32))
        self.operator("MUL", [as_float, scale], self.tensor("logits", (1, *shape), "FLOAT32"),
                      options=("MulOptions", {"FusedActivationFunction": 0}))

    @property
    def flattened_from(self):
        """The ``(C, H, W)`` shape the current flat tensor was reshaped from, or None."""
        for op, inputs, outputs, _ in reversed(self.operators):
            if outputs[0] == self.current and op == "RESHAPE":
                shape = self.tensors[inputs[0]]["shape"][1:]
                return (shape[2], shape[0], shape[1])
            if outputs[0] == self.current:
                return None
        return None

class FloatGraph(Subgraph):
    """The float32 subgraph of a ``FloatCNN``: the same operators and layouts, float32 tensors."""

    def __init__(self, model):
        super().__init__()
        self.inputs = [self.tensor("image", (1, *nhwc(model.architecture.input_shape)), "FLOAT32")]
        self.current, flat_from = self.inputs[0], None
        for step in model.architecture.steps:
            layer, shape = step.layer, (1, *nhwc(step.output_shape))
            if isinstance(layer, (Conv2d, Dense)):
                weight, bias = (model.params[f"{layer.name}_{part}"].astype(np.float32) for part in ("weight", "bias"))
                relu = ("FusedActivationFunction", int(step.relu))
                if isinstance(layer, Conv2d):
                    padding = self.pad(layer, step.input_shape)
                    weight = np.transpose(weight, (0, 2, 3, 1))
                    op, options = "CONV_2D", ("Conv2DOptions", dict([relu], Padding=padding, StrideW=layer.stride,
                                                                   StrideH=layer.stride))
                else:
                    weight = weight if flat_from is None else chw_columns_to_hwc(weight, flat_from)
                    op, options, flat_from = "FULLY_CONNECTED", ("FullyConnectedOptions", dict([relu])), None
                inputs = [self.current, self.tensor(f"{layer.name}_weight", None, "FLOAT32", data=weight),
                          self.tensor(f"{layer.name}_bias", None, "FLOAT32", data=bias)]
                self.operator(op, inputs, self.tensor(step.output or layer.name, shape, "FLOAT32"), options=options)
            elif isinstance(layer, MaxPool):
                size = layer.size
                self.operator("MAX_POOL_2D", [self.current], self.tensor(step.output, shape, "FLOAT32"),
                              options=("Pool2DOptions", {"Padding": 1, "StrideW": size, "StrideH": size,
                                                         "FilterWidth": size, "FilterHeight": size}))
            else:  # Flatten
                flat_from = step.input_shape
                new_shape = self.tensor("flat_shape", None, "INT32", data=np.array([-1, step.output_shape[0]], np.int32))
                self.operator("RESHAPE", [self.current, new_shape], self.tensor("flat", shape, "FLOAT32"),
                              options=("ReshapeOptions", {"NewShape": [-1, step.output_shape[0]]}))
        self.outputs = [self.current]

    def pad(self, layer, input_shape):
        """TFLite's padding code (0 SAME, 1 VALID) for ``layer``, after a ``PAD`` (zeros) where needed."""
        channels, height, width = input_shape
        padding = same_or_valid(layer, height) if height == width else None
        if padding is None:
            pad = layer.padding
            pads = self.tensor(f"{layer.name}_pads", None, "INT32",
                               data=np.array([[0, 0], [pad, pad], [pad, pad], [0, 0]], np.int32))
            self.operator("PAD", [self.current, pads], self.tensor(f"{layer.name}_padded",
                                                                   (1, height + 2 * pad, width + 2 * pad, channels),
                                                                   "FLOAT32"))
        return 0 if padding == "SAME" else 1


def nhwc(shape):
    """A ``(C, H, W)`` shape as TFLite's ``(H, W, C)``; a vector's ``(K,)`` stays."""
    return (*shape[1:], shape[0]) if len(shape) == 3 else tuple(shape)


def chw_columns_to_hwc(weight, chw_shape):
    """Dense weights ``(O, C·H·W)`` reordered for an input flattened in ``(H, W, C)`` order.

    >>> chw_columns_to_hwc(np.arange(8).reshape(1, 8), (2, 2, 2)).tolist()   # column c·4 + h·2 + w → h·4 + w·2 + c
    [[0, 4, 1, 5, 2, 6, 3, 7]]
    """
    channels, height, width = chw_shape
    return weight.reshape(-1, channels, height, width).transpose(0, 2, 3, 1).reshape(weight.shape[0], -1)
