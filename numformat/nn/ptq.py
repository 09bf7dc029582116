"""Fake quantization: a float model that computes with exactly the rounding of a quantized one.

``fake_quantize(x, qp)`` rounds real values onto a quantization grid and back, so a
:class:`~numformat.nn.FloatCNN` whose weights and activations pass through it computes what a
``bits``-bit integer model computes, for any width from 2 to 16, without an integer engine.
At 8 bits this simulation predicts what :class:`~numformat.nn.Int8CNN` predicts, image for
image (``tests/test_ptq.py``); below 8 bits it is how the accuracy of 6-, 4-, 3- and
2-bit models is measured here, as TensorFlow's and PyTorch's QAT tools measure it.

Post-training quantization (PTQ, :func:`post_training_quantize`) turns a trained float model
into a quantized one in three steps: **calibrate** (run a few hundred images through the
float model and choose each activation's range), **convert** (weights and activations onto
their grids), and optionally **optimise** (better ranges: MSE or entropy calibration,
per-channel scales).  Nothing is retrained.

* **weights**: symmetric, narrow range (codes ``-(2**(b-1) - 1) .. 2**(b-1) - 1``: at 2 bits
  the ternary -1, 0, 1, as TFLite's int8 weights at 8 bits), one scale per output channel
  (or per tensor); the range is ``max |w|``, or a fraction of it chosen by MSE;
* **activations** (the architecture's ``activation_names``; :data:`ACTIVATIONS` for the
  digits CNN: the input image and the outputs of conv1 and conv2, after ReLU; max-pool keeps
  its input's grid): asymmetric, ranges from :func:`numformat.quant.calibrate`;
* **biases and logits** stay float: an integer model keeps them in int32 with the scale
  ``S_in · S_w``, far finer than any rounding here (:func:`~numformat.nn.quantize_model`'s
  int32 logits).
"""

from __future__ import annotations

import numpy as np

from .. import quant
from ..checks import check_fraction, check_int, check_mode, is_int
from .architecture import DIGITS_CNN
from .model import FloatCNN

LAYERS = DIGITS_CNN.layer_names              # the digits CNN's layers whose weights are quantized
ACTIVATIONS = DIGITS_CNN.activation_names    # and the activations an int8 model of it quantizes
WEIGHT_METHODS = ("minmax", "mse")


def weight_layers(params):
    """The layers of a parameter dict: every ``{layer}_weight`` in order (any architecture's).

    >>> weight_layers({"conv1_weight": 0, "conv1_bias": 0, "fc_weight": 0, "fc_bias": 0})
    ('conv1', 'fc')
    """
    return tuple(name[:-len("_weight")] for name in params if name.endswith("_weight"))


def bits_for(names, bits, parameter):
    """``{name: bits or None}`` for every name: one width for all, or a dict (missing = float).

    >>> bits_for(LAYERS, 4, "weight_bits")
    {'conv1': 4, 'conv2': 4, 'fc': 4}
    >>> bits_for(LAYERS, {"conv2": 3}, "weight_bits")
    {'conv1': None, 'conv2': 3, 'fc': None}
    """
    if bits is None or is_int(bits):
        chosen = {name: bits for name in names}
    elif isinstance(bits, dict):
        unknown = sorted(set(bits) - set(names))
        if unknown:
            raise ValueError(f"{parameter} names {unknown[0]!r}, which is not one of {list(names)}")
        chosen = {name: bits.get(name) for name in names}
    else:
        raise TypeError(f"{parameter} must be an int, a dict of name → int, or None, got {type(bits).__name__}")
    return {name: None if width is None else check_int(width, f"{parameter}[{name!r}]", low=2, high=16)
            for name, width in chosen.items()}


def weight_qparams(weight, bits, *, per_channel=True, method="minmax", fraction=None):
    """Symmetric narrow-range ``QParams`` for a weight tensor: per output channel or per tensor.

    The range is ``±fraction · max |w|`` (per channel).  ``method="minmax"`` keeps the whole
    range (fraction 1); ``method="mse"`` clips where the quantize-dequantize error is least
    (:func:`mse_clip_fractions`): at 2-4 bits a few large weights otherwise stretch the step so
    far that most weights round to 0.  A given ``fraction`` (one per channel) overrides both.

    Examples
    --------
    >>> w = np.array([[0.5, -0.1, 0.02], [0.04, 0.01, -0.03]])
    >>> weight_qparams(w, 4).scale.tolist()          # max |w| / 7 per row
    [0.0714285746216774, 0.0057142856530845165]
    >>> np.round(quant.fake_quantize(w, weight_qparams(w, 4)), 4).tolist()
    [[0.5, -0.0714, 0.0], [0.04, 0.0114, -0.0286]]
    >>> np.round(quant.fake_quantize(w, weight_qparams(w, 4, per_channel=False)), 4).tolist()   # one step for both rows
    [[0.5, -0.0714, 0.0], [0.0714, 0.0, 0.0]]
    """
    check_mode(method, WEIGHT_METHODS, "method")
    channels = np.asarray(weight, dtype=np.float64).reshape(len(weight) if per_channel else 1, -1)
    amax = np.abs(channels).max(axis=1)
    if fraction is None:
        fraction = mse_clip_fractions(channels, bits) if method == "mse" else 1.0
    amax = amax * fraction
    options = {"bits": bits, "symmetric": True, "narrow_range": True}
    if not per_channel:
        return quant.choose_qparams(min=-amax[0], max=amax[0], **options)
    return quant.choose_qparams(min=-amax, max=amax, axis=0, **options)


def mse_clip_fractions(channels, bits, steps=100):
    """For each row of ``channels``, the clipping fraction ``k/steps`` of ``max |w|`` whose
    symmetric ``bits``-bit grid has the least mean squared quantize-dequantize error.

    The search of :func:`numformat.quant.calibrate` (``method="mse"``, ``symmetric=True``),
    done for every row and every candidate at once: the candidates become extra channels of
    one per-channel :func:`~numformat.quant.fake_quantize`.  Same candidates, same rounding,
    same choice (the first of equal minima).

    Two rows of 1000 normal samples: the fewer the bits, the more of the tails is cut off.

    >>> w = np.random.default_rng(0).standard_normal((2, 1000))
    >>> [mse_clip_fractions(w, bits).tolist() for bits in (2, 3, 4, 8)]
    [[0.3, 0.39], [0.5, 0.62], [0.67, 0.74], [0.99, 1.0]]
    """
    fractions = np.arange(1, steps + 1) / steps
    amax = np.abs(channels).max(axis=1)
    candidates = (fractions[:, None] * amax[None, :]).ravel()  # (steps · rows,): candidate-major
    qp = quant.choose_qparams(min=-candidates, max=candidates, bits=bits, symmetric=True, narrow_range=True, axis=0)
    tiled = np.broadcast_to(channels, (steps,) + channels.shape).reshape(len(candidates), -1)
    errors = np.mean((quant.fake_quantize(tiled, qp) - tiled) ** 2, axis=1).reshape(steps, len(channels))
    return fractions[np.argmin(errors, axis=0)]


def fake_quantize_weights(params, bits, *, per_channel=True, method="minmax", fractions=None):
    """A copy of ``params`` with each layer's weight on its ``bits``-bit grid (biases unchanged).

    ``bits`` is one width for every layer, or a dict ``{layer: bits}`` (layers left out stay
    float): mixed precision.  ``fractions`` (from :func:`clip_fractions`) fixes how much of
    each channel's ``max |w|`` the range keeps, instead of choosing it by ``method`` from
    these weights.  The result is float32, like the model's own weights.
    """
    widths = bits_for(weight_layers(params), bits, "weight_bits")
    quantized = dict(params)
    for layer, width in widths.items():
        if width is not None:
            weight = params[f"{layer}_weight"]
            qp = weight_qparams(weight, width, per_channel=per_channel, method=method,
                                fraction=None if fractions is None else fractions[layer])
            quantized[f"{layer}_weight"] = quant.fake_quantize(weight, qp).astype(np.float32)
    return quantized


def clip_fractions(params, bits, *, per_channel=True, method="minmax"):
    """``{layer: fractions}``: how much of each channel's ``max |w|`` ``method`` keeps at ``bits``.

    >>> from numformat.nn import load_pretrained
    >>> clip_fractions(load_pretrained().params, {"conv1": 2}, method="mse")["conv1"].tolist()
    [0.78, 0.79, 0.56, 0.74, 0.8, 0.67, 0.56, 0.61]
    """
    fractions = {}
    for layer, width in bits_for(weight_layers(params), bits, "weight_bits").items():
        weight = np.asarray(params[f"{layer}_weight"], dtype=np.float64)
        channels = weight.reshape(len(weight) if per_channel else 1, -1)
        fractions[layer] = (mse_clip_fractions(channels, width) if method == "mse" and width is not None
                            else np.ones(len(channels)))
    return fractions


class ActivationQuantizer:
    """Fake-quantization nodes for the activations: a ``FloatCNN`` ``activation_transform``.

    Parameters
    ----------
    ranges : dict of str → (float, float)
        The ``[min, max]`` of each quantized activation (copied; the quantizer keeps its own).
    bits : int or dict
        One width for every activation, or ``{name: bits}`` (names left out stay float).
    averaging_constant : float
        ``c`` of the moving average that training batches move the ranges by; 0 freezes them.
    names : tuple of str
        The activations of the network (``architecture.activation_names``; default: the digits
        CNN's :data:`ACTIVATIONS`).

    Examples
    --------
    >>> node = ActivationQuantizer({"input": (0.0, 1.0), "conv1": (0.0, 6.0), "conv2": (0.0, 6.0)}, 2)
    >>> values, passes = node("conv1", np.array([0.1, 1.2, 2.9, 7.5]), False)
    >>> values.tolist(), passes.tolist()           # four levels: 0, 2, 4, 6
    ([0.0, 2.0, 2.0, 6.0], [True, True, True, False])
    """

    def __init__(self, ranges, bits, *, averaging_constant=0.0, names=ACTIVATIONS):
        averaging_constant = check_fraction(averaging_constant, "averaging_constant")
        self.names = tuple(names)
        self.bits = bits_for(self.names, bits, "activation_bits")
        missing = [name for name, width in self.bits.items() if width is not None and name not in ranges]
        if missing:
            raise ValueError(f"ranges lacks {missing[0]!r}; give (min, max) for each quantized activation")
        self.ranges = {name: (float(low), float(high)) for name, (low, high) in ranges.items()}
        self.averaging_constant = averaging_constant

    @classmethod
    def calibrated(cls, model, calib_x, bits, *, method="minmax", averaging_constant=0.0, activations=None):
        """Ranges from :func:`numformat.quant.calibrate` on the float ``model``'s activations
        for ``calib_x`` (only for the activations that are quantized).

        ``activations``: those activations, ``float_twin(model).activations(calib_x)``,
        if already computed (a sweep over widths then runs the model once, not once per width).
        """
        names = model.architecture.activation_names
        model.architecture.check_input(calib_x, "calib_x")
        check_mode(method, quant.CALIBRATION_METHODS, "method")
        widths = bits_for(names, bits, "activation_bits")
        ranges = {}
        if any(width is not None for width in widths.values()):
            if activations is None:
                activations = float_twin(model).activations(calib_x)  # float: no transform of its own
            for name, width in widths.items():
                if width is not None:
                    options = {"bits": width} if method in ("mse", "entropy") else {}
                    ranges[name] = quant.calibrate(activations[name], method, **options)
        return cls(ranges, widths, averaging_constant=averaging_constant, names=names)

    def frozen(self):
        """The same nodes with the ranges as they are now and no more averaging."""
        return ActivationQuantizer(self.ranges, self.bits, names=self.names)

    def qparams(self, name):
        """The ``QParams`` activation ``name`` is quantized with now (None if it stays float)."""
        if self.bits[name] is None:
            return None
        low, high = self.ranges[name]
        return quant.choose_qparams(min=low, max=high, bits=self.bits[name])

    def __call__(self, name, values, training):
        if self.bits.get(name) is None:
            return values, None
        if training and self.averaging_constant:
            low, high = self.ranges[name]
            c = self.averaging_constant
            self.ranges[name] = (low + c * (float(values.min()) - low), high + c * (float(values.max()) - high))
        qp = self.qparams(name)
        low, high = qp.real_range
        return quant.fake_quantize(values, qp), (values >= low) & (values <= high)


def post_training_quantize(model, calib_x, *, weight_bits=8, activation_bits=None, method="minmax",
                           per_channel=True, activations=None):
    """PTQ, simulated: weights on their grid, activations calibrated on ``calib_x``.

    Parameters
    ----------
    model : FloatCNN
        Any architecture.
    calib_x : numpy.ndarray, shape (N, *input_shape)
    weight_bits, activation_bits : int, dict or None
        One width, ``{name: bits}`` per layer (``architecture.layer_names``; :data:`LAYERS`
        for the digits CNN) or activation (``architecture.activation_names``;
        :data:`ACTIVATIONS`), or None for float.
    method : {"minmax", "mse", "entropy", "percentile"}
        How ranges are chosen.  Weights: ``"mse"`` clips each channel by MSE, every other
        method takes ``max |w|`` (as TensorRT does for its entropy calibration); activations:
        :func:`numformat.quant.calibrate` with this method (at the activation width).
    per_channel : bool
        One weight scale per output channel, or one per tensor.
    activations : dict, optional
        ``model.activations(calib_x)`` if already computed (step 1, calibration, runs the
        float model once; a sweep over widths can share it).

    Returns
    -------
    FloatCNN
        With fake-quantized weights and a frozen :class:`ActivationQuantizer`.

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> float_model = load_pretrained()
    >>> for bits in (8, 4, 2):
    ...     ptq = post_training_quantize(float_model, x_train[:500], weight_bits=bits)
    ...     print(bits, round(ptq.accuracy(x_test, y_test), 4))
    8 0.9933
    4 0.96
    2 0.2467
    """
    check_model(model)
    check_mode(method, quant.CALIBRATION_METHODS, "method")
    weights = fake_quantize_weights(model.params, weight_bits, per_channel=per_channel,
                                    method="mse" if method == "mse" else "minmax")
    nodes = ActivationQuantizer.calibrated(model, calib_x, activation_bits, method=method, activations=activations)
    return FloatCNN(weights, activation_transform=nodes, architecture=model.architecture)


def check_model(model):
    if not isinstance(model, FloatCNN):
        raise TypeError(f"model must be a FloatCNN, got {type(model).__name__}")
    return model


def float_twin(model, params=None):
    """``model``'s architecture with ``params`` (default: its own) and no activation transform."""
    return FloatCNN(model.params if params is None else params, architecture=model.architecture)
