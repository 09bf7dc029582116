"""FP8 simulation: the CNN with its weights and activations rounded onto E4M3 or E5M2 grids.

FP8 (Micikevicius et al., "FP8 Formats for Deep Learning", 2022; the OCP 8-bit floating point
specification, 2023; NVIDIA Hopper and Blackwell, AMD MI350, Intel Gaudi 3 -- AMD MI300 and
Intel Gaudi 2 use an E4M3 variant whose largest value is 240) spends its 8 bits on a sign, an
exponent and a mantissa:

* **E4M3** (``float8_e4m3fn``): 3 mantissa bits, largest value 448, no infinities — for weights
  and activations in inference and the forward pass of training;
* **E5M2** (``float8_e5m2``): 2 mantissa bits, largest value 57344, IEEE-style inf and NaN —
  for gradients, whose range is wider.

Unlike int8's evenly spaced codes, a float grid is spaced in proportion to the value: every
binade ``[2**e, 2**(e+1))`` holds the same 8 (E4M3) or 4 (E5M2) steps, so small values keep
their relative precision and large ones lose absolute precision.

**Per-tensor scaling.**  The grid is fixed, but a tensor's values are not: weights of size
0.01-0.5 would use only E4M3's lowest binades and subnormals.  So each tensor is divided by a
float32 scale that puts its largest magnitude ``amax`` on the format's largest value, rounded
(nearest, ties to even, saturating), and multiplied back — NVIDIA Transformer Engine's delayed
scaling, ``scale = amax / max`` (it stores the inverse).  Weights take ``amax`` from the
weights themselves; activations from calibration images (the largest value seen).

The rounding is :func:`numformat.floats.round_to`, bit-exact with ``ml_dtypes``.
"""

from __future__ import annotations

import numpy as np

from ..floats import FLOAT8_E4M3FN, FLOAT8_E5M2, FloatFormat, float_format, round_to
from .ptq import check_model, float_twin, weight_layers
from .model import FloatCNN

FP8_FORMATS = (FLOAT8_E4M3FN, FLOAT8_E5M2)


def fp8_scale(amax, fmt):
    """The float32 scale that puts ``amax`` on ``fmt``'s largest finite value (1.0 for ``amax = 0``).

    >>> bool(fp8_scale(0.5, FLOAT8_E4M3FN) == np.float32(0.5 / 448))
    True
    """
    amax = float(amax)
    return float(np.float32(amax / float_format(fmt).max)) if amax > 0 else 1.0


def round_to_fp8(x, fmt, *, scale=1.0):
    """``x`` on the grid of ``fmt`` scaled by ``scale``: ``round_to(x / scale) · scale``, saturating.

    Examples
    --------
    >>> round_to_fp8([0.1, 0.013, 1000.0], FLOAT8_E4M3FN).tolist()   # unscaled: 448 is the top
    [0.1015625, 0.013671875, 448.0]
    >>> scale = fp8_scale(0.5, FLOAT8_E4M3FN)
    >>> [round(v, 6) for v in round_to_fp8([0.1, 0.013, 0.5], FLOAT8_E4M3FN, scale=scale).tolist()]
    [0.098214, 0.013393, 0.5]
    """
    fmt = float_format(fmt)
    if not isinstance(fmt, FloatFormat) or fmt not in FP8_FORMATS:
        raise ValueError(f"fmt={fmt.name!r} is not an FP8 format; use float8_e4m3fn or float8_e5m2")
    return round_to(np.asarray(x, dtype=np.float64) / scale, fmt, saturate=True) * scale


def fp8_weights(params, fmt, *, scaled=True):
    """A copy of ``params`` with each layer's weight on the ``fmt`` grid (one scale per tensor)."""
    rounded = dict(params)
    for layer in weight_layers(params):
        weight = params[f"{layer}_weight"]
        scale = fp8_scale(np.abs(weight).max(), fmt) if scaled else 1.0
        rounded[f"{layer}_weight"] = round_to_fp8(weight, fmt, scale=scale).astype(np.float32)
    return rounded


class FP8Activations:
    """An ``activation_transform`` rounding each activation onto a scaled FP8 grid.

    ``amax`` maps each activation name (``architecture.activation_names``) to the largest
    magnitude calibration saw (ignored when ``scaled`` is False).  The gradient passes everywhere (saturation only clips values beyond
    ``amax``, which calibration did not see).
    """

    def __init__(self, amax, fmt, *, scaled=True):
        self.fmt = float_format(fmt)
        self.scales = {name: fp8_scale(value, self.fmt) if scaled else 1.0 for name, value in amax.items()}

    def __call__(self, name, values, training):
        return round_to_fp8(values, self.fmt, scale=self.scales[name]), None


def fp8_model(model, calib_x, fmt, *, activations=True, scaled=True):
    """The model with FP8 weights (and activations), per-tensor scaled unless ``scaled=False``.

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> for fmt in FP8_FORMATS:
    ...     fp8 = fp8_model(load_pretrained(), x_train[:500], fmt)
    ...     print(fmt.name, round(fp8.accuracy(x_test, y_test), 4))
    float8_e4m3fn 0.9889
    float8_e5m2 0.9867
    """
    check_model(model)
    model.architecture.check_input(calib_x, "calib_x")
    weights = fp8_weights(model.params, fmt, scaled=scaled)
    if not activations:
        return float_twin(model, weights)
    observed = float_twin(model).activations(calib_x)
    amax = {name: float(np.abs(observed[name]).max()) for name in model.architecture.activation_names}
    return FloatCNN(weights, activation_transform=FP8Activations(amax, fmt, scaled=scaled),
                    architecture=model.architecture)
