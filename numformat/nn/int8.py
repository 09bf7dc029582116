"""``Int8CNN``: a network with int8 weights and activations, run with integer arithmetic only.

:func:`quantize_model` turns a :class:`~numformat.nn.model.FloatCNN` -- the digits CNN or any
other :class:`~numformat.nn.architecture.Architecture` -- into an ``Int8CNN``:

* weights: int8, symmetric, one scale per output channel, codes -127..127 (TFLite's int8
  spec: ``narrow_range`` keeps ``-w`` representable whenever ``w`` is);
* activations (the input image and each layer's output): int8, asymmetric, ``[min, max]``
  from calibration images run through the float model (:func:`numformat.quant.calibrate`);
* biases: int32 with scale ``S_in · S_w[c]`` and zero point 0, so they add straight onto the
  int32 accumulator (``S_in`` is the layer's input scale, the lessons' ``S_x``);
* ReLU: fused into the requantization as the clamp ``[zero_point, 127]`` (the codes below the
  zero point are the negative reals ReLU removes);
* max-pool: on the int8 codes themselves (``scale · (q - zp)`` grows with ``q``, so the
  largest code is the largest value), keeping its input's scale and zero point;
* logits: the last layer's int32 accumulators themselves, in units of ``S_in · S_w[o]``
  (``logits="int8"`` requantizes them like every other activation instead — int8 end to
  end, at the price of ties between logits closer than one step).

One layer computes, for every output value::

    acc   = bias[o] + Σ_taps (x_q - x_zp) · w_q[o, tap]              int32 accumulator
    y_q   = clamp(round(acc · S_in·S_w[o]/S_out) + y_zp, lo, 127)      requantization

``Int8CNN.forward(x, engine=...)`` chooses how the sums are computed; both engines give
identical integers:

``"loop"``
    The explicit multiply-accumulate loop of :mod:`numformat.nn.mac_loop`, one product at a
    time, as a MAC unit does (and as students write it in lab 5);
``"vectorized"``
    Every neighbourhood unrolled into a row (``im2col``) and one matrix product per layer.

and ``requant=`` how accumulators become codes (:func:`numformat.quant.requantize`):
``"fixedpoint"`` (TFLite's integer-only ``M0 · 2^-shift``), ``"fixedpoint-single"``, or
``"float32"`` (onnxruntime's float32 multiplier; :func:`numformat.nn.export_onnx` gives a model
whose onnxruntime outputs equal ``forward(x, requant="float32")`` bit for bit); or a runtime's
name, ``"onnxruntime"``, ``"litert-xnnpack"``, ``"litert-reference"`` or ``"litert-optimized"``,
for that runtime's integers, each operator with the arithmetic the runtime uses for it
(:data:`numformat.quant.requantization.RUNTIMES`; :func:`numformat.nn.export_tflite`).
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from .. import quant
from ..checks import check_mode
from ..integers import INT32_MAX, INT32_MIN
from ..quant import ARITHMETIC_MODES, RUNTIMES, quantize_input
from . import layers, mac_loop
from .architecture import DIGITS_CNN, PARAMETRIC, Conv2d, MaxPool, check_architecture
from .model import FloatCNN

ENGINES = ("loop", "vectorized")
#: What ``requant=`` takes: an arithmetic mode, or a runtime whose integers to reproduce.
REQUANT_CHOICES = ARITHMETIC_MODES + tuple(RUNTIMES)
FLOAT32_EXACT = 2 ** 24  # every integer of magnitude up to 2**24 is a float32
_ACTIVATION = {"bits": 8, "signed": True, "symmetric": False}
_WEIGHT = {"bits": 8, "signed": True, "symmetric": True, "narrow_range": True}


@dataclasses.dataclass(frozen=True, eq=False)
class QuantizedLayer:
    """One int8 layer: a convolution (``padding``, ``stride``) or a fully connected layer.

    ``weight`` holds int8 codes (``(O, C, k, k)`` or ``(O, K)``), ``bias`` int32 codes
    ``(O,)`` in units of ``S_in · S_w[o]``; ``weight_qp`` is per output channel (axis 0).
    """

    name: str
    weight: np.ndarray
    bias: np.ndarray
    input_qp: quant.QParams
    weight_qp: quant.QParams
    output_qp: quant.QParams
    relu: bool
    padding: int = 1
    stride: int = 1

    @property
    def is_conv(self):
        return self.weight.ndim == 4

    @property
    def taps(self):
        """Products summed into each accumulator: C·k·k for a convolution, K for a dense layer."""
        return int(np.prod(self.weight.shape[1:]))

    @property
    def keeps_accumulator(self):
        """True when the output is the int32 accumulator itself (int32 logits): no requantization."""
        return self.output_qp.qmax == INT32_MAX

    @property
    def clamp(self):
        """``(lo, hi)`` of the output codes: a fused ReLU starts at the zero point."""
        qp = self.output_qp
        return (max(qp.qmin, qp.zero_point) if self.relu else qp.qmin), qp.qmax

    def arithmetic(self, requant):
        """The :func:`~numformat.quant.requantize` mode of ``requant`` (a mode, or a runtime) for this layer."""
        return RUNTIMES[requant]["conv" if self.is_conv else "dense"] if requant in RUNTIMES else requant

    def multiplier(self, requant):
        """``S_in · S_w[o] / S_out`` per output channel, in the precision ``requant`` uses."""
        if requant == "float32":  # onnxruntime's rounding of the product and quotient
            return quant.float32_multiplier(self.input_qp.scale, self.weight_qp.scale, self.output_qp.scale)
        return self.input_qp.scale * self.weight_qp.scale / self.output_qp.scale

    @functools.cached_property
    def largest_product(self):
        """The largest ``|x_q - x_zp| · |w_q|`` one tap can contribute."""
        qp = self.input_qp
        return max(qp.zero_point - qp.qmin, qp.qmax - qp.zero_point) * int(np.abs(self.weight).max(initial=0))

    @functools.cached_property
    def accumulator_bound(self):
        """No accumulator can exceed this in magnitude: ``taps · largest product + max |bias|``."""
        return self.taps * self.largest_product + int(np.abs(self.bias.astype(np.int64)).max(initial=0))

    @functools.cached_property
    def gemm_weight(self):
        """The weights as the ``(taps, O)`` matrix of the GEMM: float32 when that is exact, else int64.

        (Cached: the layer is frozen.)"""
        exact_in_float32 = self.taps * self.largest_product <= FLOAT32_EXACT
        work = np.float32 if exact_in_float32 else np.int64
        return np.ascontiguousarray(self.weight.reshape(self.weight.shape[0], -1).T, dtype=work)

    @property
    def nbytes(self):
        """int8 weights, int32 biases, a float32 scale and an int8 zero point per weight channel."""
        return self.weight.nbytes + self.bias.nbytes + 5 * self.weight.shape[0]


LOGITS = ("int32", "int8")


def quantize_model(model, calib_x, *, method="minmax", logits="int32", ranges=None, **calibrate_options):
    """Quantize a ``FloatCNN`` to an ``Int8CNN``, calibrating activations on ``calib_x``.

    Parameters
    ----------
    model : FloatCNN
        Any architecture; its conv2d and dense layers become :class:`QuantizedLayer` s.
    calib_x : numpy.ndarray, shape (N, *input_shape)
        Calibration inputs (a few hundred training images are plenty).
    method : {"minmax", "percentile", "mse", "entropy"}
        How :func:`numformat.quant.calibrate` picks each activation's range.
    logits : {"int32", "int8"}
        What the last layer hands out.  ``"int32"``: its accumulators themselves, in units of
        ``S_in · S_w[o]`` (no requantization: nothing the integer GEMM computed is rounded
        away), a different unit for each class, since the weights have one scale per output
        channel; :meth:`Int8CNN.predict` compares them as values, ``S_in · S_w[o] · acc[o]``.
        ``"int8"``: requantized to int8 like every other activation, one grid for every class —
        int8 end to end, but two logits closer than one step (about 0.24 here) become equal codes.
    ranges : dict, optional
        ``{activation name: (min, max)}`` to use instead of calibrating that activation.
    **calibrate_options
        Passed on to :func:`~numformat.quant.calibrate` (``percentile=99.99``, ...).

    Returns
    -------
    Int8CNN

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> int8_model = quantize_model(load_pretrained(), x_train)
    >>> int8_model.input_qp
    QParams(scale=0.003921568859368563, zero_point=-128, qmin=-128, qmax=127)
    >>> int8_model.layers[0].weight.dtype, int8_model.layers[0].bias.dtype
    (dtype('int8'), dtype('int32'))
    >>> round(int8_model.accuracy(x_test, y_test), 4)
    0.9911
    """
    if not isinstance(model, FloatCNN):
        raise TypeError(f"model must be a FloatCNN, got {type(model).__name__}")
    check_mode(logits, LOGITS, "logits")
    architecture = model.architecture
    architecture.check_input(calib_x, "calib_x")
    if len(calib_x) == 0:
        raise ValueError("calib_x is empty; calibration needs at least one image")
    activations = model.activations(calib_x)
    ranges = {} if ranges is None else ranges

    def activation_qp(name):
        low, high = ranges[name] if name in ranges else quant.calibrate(activations[name], method, **calibrate_options)
        return quant.choose_qparams(min=low, max=high, **_ACTIVATION)

    input_qp = activation_qp("input")
    built = []
    for step in architecture.steps:
        if isinstance(step.layer, PARAMETRIC):
            in_qp = built[-1].output_qp if built else input_qp
            built.append(quantize_layer(model, step, in_qp, activation_qp, logits))
    return Int8CNN(input_qp, tuple(built), architecture)


def quantize_layer(model, step, in_qp, activation_qp, logits="int32"):
    """The :class:`QuantizedLayer` of one parametric ``step`` of ``model``'s architecture.

    ``in_qp`` is its input's grid; ``activation_qp(name)`` gives an activation's grid.
    """
    layer = step.layer
    weight = model.params[f"{layer.name}_weight"]
    weight_qp = quant.choose_qparams(weight, axis=0, **_WEIGHT)
    # The bias scale as a runtime stores it: the float32 product S_in · S_w[o].
    bias_scale = (np.float32(in_qp.scale) * weight_qp.scale.astype(np.float32)).astype(np.float64)
    bias_qp = quant.QParams(bias_scale, np.zeros(weight.shape[0], dtype=np.int64), INT32_MIN, INT32_MAX, axis=-1)
    if step.output != "logits" or logits == "int8":
        output_qp = activation_qp(step.output)
    else:
        output_qp = bias_qp  # int32 logits: the accumulator is the output, in units of S_in · S_w[o]
    geometry = {"padding": layer.padding, "stride": layer.stride} if isinstance(layer, Conv2d) else {}
    quantized = QuantizedLayer(
        layer.name, quant.quantize(weight, weight_qp),
        quant.quantize(model.params[f"{layer.name}_bias"].astype(np.float64), bias_qp).astype(np.int32),
        in_qp, weight_qp, output_qp, step.relu, **geometry)
    if quantized.accumulator_bound > INT32_MAX:
        raise OverflowError(f"layer {layer.name}: accumulators could reach {quantized.accumulator_bound}, "
                            "beyond int32; the bias or the activation range is too large")
    return quantized


class Int8CNN:
    """An int8 network, integers from input to logits: for the digits CNN ``conv1 → conv2 →
    max-pool → fc``.

    Build one with :func:`quantize_model`.  ``layers`` holds one :class:`QuantizedLayer` per
    conv2d or dense layer of ``architecture`` (for the digits CNN ``conv1``, ``conv2``,
    ``fc``); max-pool and flatten have no parameters.
    """

    def __init__(self, input_qp, quantized_layers, architecture=DIGITS_CNN):
        self.input_qp = input_qp
        self.layers = tuple(quantized_layers)
        self.architecture = check_architecture(architecture)
        if len(self.layers) != len(architecture.parametric):
            raise ValueError(f"{architecture.name!r} has {len(architecture.parametric)} layers with weights, "
                             f"got {len(self.layers)} quantized layers")

    @property
    def nbytes(self):
        """Bytes of the parameters: weights, biases, weight scales and zero points, and the
        float32 scale and int8 zero point of the input and of each layer's output."""
        return sum(layer.nbytes for layer in self.layers) + 5 * (1 + len(self.layers))

    @property
    def output_qp(self):
        return self.layers[-1].output_qp

    def layer_outputs(self, x, *, engine="vectorized", requant="fixedpoint"):
        """Every named tensor's codes (``architecture.tensor_shapes()``): for the digits CNN
        ``input``, ``conv1``, ``conv2``, ``pool`` (int8) and ``logits`` (int32 accumulators, or
        int8 for a model quantized with ``logits="int8"``).

        Examples
        --------
        >>> from numformat.nn import load_digits_split, load_pretrained
        >>> x_train, y_train, x_test, y_test = load_digits_split()
        >>> int8_model = quantize_model(load_pretrained(), x_train)
        >>> codes = int8_model.layer_outputs(x_test[:1])
        >>> {name: (value.shape, value.dtype.name) for name, value in codes.items()}  # doctest: +NORMALIZE_WHITESPACE
        {'input': ((1, 1, 8, 8), 'int8'), 'conv1': ((1, 8, 8, 8), 'int8'), 'conv2': ((1, 16, 8, 8), 'int8'),
         'pool': ((1, 16, 4, 4), 'int8'), 'logits': ((1, 10), 'int32')}
        >>> codes["conv1"][0, 0, 3].tolist()          # one row of channel 0: ReLU's zeros are the code -128
        [-128, -128, -128, -90, -3, -54, -116, -128]
        >>> int(int8_model.predict(x_test[:1])[0]), int(y_test[0])   # logits compared as values (predict)
        (1, 1)
        """
        check_mode(engine, ENGINES, "engine")
        check_mode(requant, REQUANT_CHOICES, "requant")
        self.architecture.check_input(x)
        # The one float step: the input image onto its int8 grid (float32 division, half to
        # even, as ONNX QuantizeLinear does).
        # A runtime's QUANTIZE may multiply by 1/scale or round halves away (quantize_input).
        values = (quantize_input(x, self.input_qp, requant) if requant in RUNTIMES
                  else quant.quantize(x.astype(np.float32), self.input_qp))
        codes = {"input": values}
        quantized = iter(self.layers)
        for step in self.architecture.steps:
            if isinstance(step.layer, PARAMETRIC):
                values = self._layer(next(quantized), values, engine, requant)
            elif isinstance(step.layer, MaxPool):
                pool = mac_loop.maxpool if engine == "loop" else layers.maxpool
                values = pool(values, step.layer.size)
            else:  # Flatten
                values = values.reshape(len(values), -1)
            if step.output is not None:
                codes[step.output] = values
        return codes

    def accumulators(self, layer, codes, *, engine="vectorized"):
        """The int32 accumulators (bias included) of ``layer`` for its input ``codes``."""
        check_mode(engine, ENGINES, "engine")
        if engine == "loop":
            return mac_loop.accumulate(layer, codes)
        return accumulate_gemm(layer, codes)

    def _layer(self, layer, codes, engine, requant):
        acc = self.accumulators(layer, codes, engine=engine)
        if layer.keeps_accumulator:
            return acc.astype(np.int32)
        lo, hi = layer.clamp
        mode = layer.arithmetic(requant)
        return quant.requantize(acc, layer.multiplier(mode), layer.output_qp.zero_point, lo, hi, mode=mode, axis=1)

    def forward(self, x, *, engine="vectorized", requant="fixedpoint"):
        """Logits ``(N, classes)`` as float32: the output codes dequantized, ``scale · (q - zp)``.

        The float32 product is what ONNX ``DequantizeLinear`` computes, so with
        ``requant="float32"`` these are onnxruntime's outputs bit for bit.
        """
        logits = self.layer_outputs(x, engine=engine, requant=requant)["logits"]
        return quant.dequantize(logits, self.output_qp).astype(np.float32)

    def predict(self, x, *, engine="vectorized", requant="fixedpoint"):
        """The class with the largest logit (the first one on a tie), int64 ``(N,)``.

        The logits are compared as values, dequantized in float64 (:func:`numformat.quant.dequantize`):
        int32 logits are each class's accumulator in its own unit ``S_in · S_w[o]`` (one weight
        scale per output channel), so the largest code need not be the largest logit.  A device
        would do the same with ten multiplications, or give the last layer one weight scale for
        every class.
        """
        return quant.dequantize(self.layer_outputs(x, engine=engine, requant=requant)["logits"],
                                self.output_qp).argmax(axis=1)

    def accuracy(self, x, y, *, engine="vectorized", requant="fixedpoint"):
        """Fraction of inputs whose predicted class equals the label ``y``."""
        y = np.asarray(y)
        if y.shape != (len(x),):
            raise ValueError(f"y must have one label per image, shape ({len(x)},), got {y.shape}")
        return float(np.mean(self.predict(x, engine=engine, requant=requant) == y))

    def __repr__(self):
        shapes = ", ".join(f"{layer.name} {tuple(layer.weight.shape)}" for layer in self.layers)
        return f"Int8CNN({shapes}; {self.nbytes} bytes, {self.architecture.classes} classes)"


def accumulate_gemm(layer, codes):
    """Accumulators of ``layer`` for all images at once: im2col and one exact matrix product.

    The products are integers: ``(x_q - x_zp)`` (at most 255 in magnitude) times ``w_q`` (at
    most 127).  When ``taps · largest product ≤ 2**24`` every product and every partial sum is
    an integer float32 holds exactly, so a float32 BLAS matrix product gives the exact integer
    result in any summation order (sgemm, FMA and all) — and runs some 50 times faster than
    numpy's integer matmul, which has no BLAS.  The digits CNN's largest layer needs at most
    256 · 255 · 127 ≈ 8.3 million < 2**24 ≈ 16.8 million.  Beyond the bound this falls back
    to an int64 product.  Returns int64 accumulators, shaped ``(N, O, H, W)`` or ``(N, O)``.
    """
    weight = layer.gemm_weight
    # In the shifted domain x_q - x_zp a padded pixel (code x_zp) is 0 again.
    shifted = codes.astype(weight.dtype) - weight.dtype.type(layer.input_qp.zero_point)
    if layer.is_conv:
        cols = layers.im2col(shifted, padding=layer.padding, pad_value=0, kernel=layer.weight.shape[-1],
                             stride=layer.stride)
        products = cols.reshape(-1, cols.shape[-1]) @ weight
        acc = products.reshape(*cols.shape[:3], -1).transpose(0, 3, 1, 2)
        return acc.astype(np.int64) + layer.bias[:, None, None]
    return (shifted @ weight).astype(np.int64) + layer.bias
