"""Per-layer sensitivity and mixed precision: which tensors can take fewer bits.

Not every layer can or should be quantized alike.  To find out which ones mind, quantize one
tensor at a time — one layer's weights, or one activation — at each bit width, leave the rest
float, and measure two things:

* the **accuracy drop** on labelled test images, in percentage points (what a user sees);
* the **output divergence** on unlabelled calibration images: the mean Kullback-Leibler
  divergence ``KL(p_float || p_quantized)`` of the predicted class probabilities.  It changes
  smoothly where accuracy moves in steps of one image, and needs no labels, so decisions
  built on it do not peek at the test set.

A **mixed-precision assignment** (:func:`assign_bits`) then gives each layer its own weight
width: the combination with the least total divergence whose weights fit a budget of bits,
treating the layers' divergences as adding up (the assumption HAWQ-V3, Yao et al. 2021, makes
for its integer program).  The digits CNN's three layers and five widths make 125
combinations: they are all tried.
"""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np

from .architecture import DIGITS_CNN
from .ptq import ActivationQuantizer, check_model, fake_quantize_weights, float_twin
from .model import FloatCNN

BITS = (8, 6, 4, 3, 2)


def tensors_of(architecture):
    """``(kind, name)`` of every tensor quantized alone: each layer's weights, each activation."""
    return (tuple(("weights", layer) for layer in architecture.layer_names)
            + tuple(("activations", name) for name in architecture.activation_names))


def weight_counts_of(architecture):
    """``{layer: number of weights}``, in layer order."""
    return {layer.name: math.prod(layer.weight_shape) for layer in architecture.parametric}


TENSORS = tensors_of(DIGITS_CNN)                 # the digits CNN's
WEIGHT_COUNTS = weight_counts_of(DIGITS_CNN)


def output_divergence(reference_logits, logits):
    """Mean ``KL(softmax(reference) || softmax(logits))`` over the rows, in nats.

    >>> output_divergence(np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([[2.0, 0.0], [0.0, 1.0]]))
    0.0
    >>> round(output_divergence(np.array([[2.0, 0.0]]), np.array([[0.0, 0.0]])), 4)
    0.3278
    """
    def log_softmax(values):
        shifted = np.asarray(values, dtype=np.float64) - np.max(values, axis=1, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))

    log_p, log_q = log_softmax(reference_logits), log_softmax(logits)
    return float(np.mean(np.sum(np.exp(log_p) * (log_p - log_q), axis=1)))


@dataclasses.dataclass(frozen=True)
class Sensitivity:
    """What quantizing one tensor at a time costs; :func:`layer_sensitivity` builds it.

    ``accuracy[tensor]`` and ``divergence[tensor]`` hold one value per width in ``bits``, for
    each ``tensor`` of the network (:func:`tensors_of`; :data:`TENSORS` for the digits CNN:
    ``("weights", "conv1")``, ..., ``("activations", "input")``, ...).  ``weight_counts`` is
    each layer's number of weights (:func:`weight_counts_of`; default the digits CNN's).
    """

    bits: tuple
    float_accuracy: float
    accuracy: dict
    divergence: dict
    weight_counts: dict = dataclasses.field(default_factory=lambda: dict(WEIGHT_COUNTS))

    def drop(self, tensor, bits):
        """Accuracy lost, in percentage points, with only ``tensor`` at ``bits``."""
        return 100 * (self.float_accuracy - self.accuracy[tensor][self.bits.index(bits)])

    def table(self, value="drop"):
        """The table as text: one row per tensor, one column per width.

        ``value="drop"``: accuracy drop in percentage points; ``"divergence"``: KL in millinats.
        """
        if value not in ("drop", "divergence"):
            raise ValueError(f"value={value!r} is not a table; use 'drop' or 'divergence'")
        unit = "accuracy drop, points" if value == "drop" else "output KL, millinats"
        lines = [f"{unit:24}" + "".join(f"{bits:>7}-bit" for bits in self.bits)]
        for tensor in self.accuracy:
            cells = [self.drop(tensor, bits) if value == "drop" else 1000 * self.divergence[tensor][i]
                     for i, bits in enumerate(self.bits)]
            lines.append(f"{tensor[1] + ' ' + tensor[0]:24}" + "".join(f"{cell:11.2f}" for cell in cells))
        return "\n".join(lines)


def layer_sensitivity(model, calib_x, x, y, *, bits=BITS, method="mse", per_channel=True):
    """Quantize each tensor (:func:`tensors_of`) alone at each width in ``bits``; measure the cost.

    Parameters
    ----------
    model : FloatCNN
        Any architecture.
    calib_x : numpy.ndarray, shape (N, *input_shape)
        Calibration images: activation ranges and the output divergence are measured on them.
    x, y : numpy.ndarray
        Labelled images for the accuracy drop.
    bits : tuple of int
    method : {"minmax", "mse", "entropy", "percentile"}
        How ranges are chosen (:func:`~numformat.nn.ptq.post_training_quantize`).
    per_channel : bool

    Returns
    -------
    Sensitivity

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> table = layer_sensitivity(load_pretrained(), x_train[:500], x_test, y_test, bits=(4, 2))
    >>> round(table.drop(("weights", "conv1"), 2), 2), round(table.drop(("weights", "fc"), 2), 2)
    (7.11, 4.89)
    """
    check_model(model)
    bits = tuple(bits)
    float_activations = float_twin(model).activations(calib_x)
    float_logits = float_activations["logits"]
    accuracy, divergence = {}, {}
    for kind, name in tensors_of(model.architecture):
        accuracy[kind, name], divergence[kind, name] = [], []
        for width in bits:
            if kind == "weights":
                quantized = float_twin(model, fake_quantize_weights(model.params, {name: width}, per_channel=per_channel,
                                                                    method="mse" if method == "mse" else "minmax"))
            else:
                quantized = FloatCNN(model.params, architecture=model.architecture,
                                     activation_transform=ActivationQuantizer.calibrated(
                                         model, calib_x, {name: width}, method=method, activations=float_activations))
            accuracy[kind, name].append(quantized.accuracy(x, y))
            divergence[kind, name].append(output_divergence(float_logits, quantized.forward(calib_x)))
    return Sensitivity(bits, model.accuracy(x, y), {key: tuple(values) for key, values in accuracy.items()},
                       {key: tuple(values) for key, values in divergence.items()}, weight_counts_of(model.architecture))


def weight_bits_total(assignment, weight_counts=None):
    """Bits the weights of ``assignment`` (``{layer: bits}``) take: Σ count · bits.

    ``weight_counts``: each layer's number of weights (default: the digits CNN's :data:`WEIGHT_COUNTS`).
    """
    weight_counts = WEIGHT_COUNTS if weight_counts is None else weight_counts
    return sum(weight_counts[layer] * width for layer, width in assignment.items())


def assign_bits(sensitivity, budget_bits):
    """The weight widths, one per layer, with the least total divergence within ``budget_bits``.

    Every combination of the widths in ``sensitivity.bits`` is tried; among those whose
    weights take at most ``budget_bits`` bits, the one with the smallest sum of per-layer
    output divergences wins (the fewer bits on a tie).

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> table = layer_sensitivity(load_pretrained(), x_train[:500], x_test, y_test, bits=(8, 3, 2))
    >>> budget = int(2.5 * sum(WEIGHT_COUNTS.values()))        # 2.5 bits per weight on average
    >>> assign_bits(table, budget), weight_bits_total(assign_bits(table, budget)) / 3784
    ({'conv1': 8, 'conv2': 3, 'fc': 2}, 2.4186046511627906)
    """
    if not isinstance(sensitivity, Sensitivity):
        raise TypeError(f"sensitivity must be a Sensitivity, got {type(sensitivity).__name__}")
    counts = sensitivity.weight_counts
    smallest = weight_bits_total({layer: min(sensitivity.bits) for layer in counts}, counts)
    if budget_bits < smallest:
        raise ValueError(f"budget_bits={budget_bits} is below {smallest}, the weights at {min(sensitivity.bits)} bits each")
    best = None
    for widths in itertools.product(sensitivity.bits, repeat=len(counts)):
        assignment = dict(zip(counts, widths))
        size = weight_bits_total(assignment, counts)
        if size <= budget_bits:
            cost = sum(sensitivity.divergence["weights", layer][sensitivity.bits.index(width)]
                       for layer, width in assignment.items())
            if best is None or (cost, size) < best[:2]:
                best = (cost, size, assignment)
    return best[2]
