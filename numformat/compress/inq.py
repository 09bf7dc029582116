"""Power-of-two weights, the INQ way: every weight becomes 0 or ±2^n, and a multiply becomes a shift.

Incremental Network Quantization (Zhou, Yao, Guo, Xu & Chen, ICLR 2017) restricts a layer's
weights to ``{0} ∪ {±2^n : n_low ≤ n ≤ n_high}``.  With ``b`` bits per weight (one of them
saying "zero") there are ``2^(b-2)`` exponents, and the paper sets (its equations 2 and 3)::

    n_high = floor(log2(4·s/3))          s = max |w| of the layer
    n_low  = n_high + 1 - 2^(b-1)/2

so the largest weight rounds to ``2^n_high`` and 5 bits give the 8 exponents n_high-7 .. n_high.
A weight rounds to the nearest level (equation 4): ``β`` when ``(α+β)/2 ≤ |w| < 3β/2`` for
neighbouring levels ``α < β`` -- ties go to the larger magnitude, and below ``2^(n_low-1)``
a weight becomes 0.

Rather than rounding everything at once (and losing accuracy), INQ goes in steps: partition the
float weights by magnitude, round the largest group, **freeze** it, and retrain the others to
make up for the error; repeat with the cumulative portions 50%, 75%, 87.5%, 100%.
:func:`inq_partition` makes one such split; :func:`inq` runs the whole procedure with the shared training loop.

Because ``x · 2^e`` is ``x`` shifted by ``e`` bits, a layer whose weights are all powers of two
needs no multiplier: counting in units of ``2^n_low``, every weight is a *left* shift by
``e - n_low`` (0 .. 2^(b-2) - 1) of the integer activation, then an add or a subtract.

Examples
--------
>>> grid = PowerOfTwoGrid.for_weights([0.9, -0.3, 0.011, 0.003], bits=5)
>>> grid.n_high, grid.n_low
(0, -7)
>>> grid.round([0.9, -0.3, 0.011, 0.003]).tolist()
[1.0, -0.25, 0.0078125, 0.0]
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import check_int, check_real
from ..nn.train import TrainConfig, train

INQ_PORTIONS = (0.5, 0.75, 0.875, 1.0)  # the paper's accumulated portions of quantized weights


@dataclasses.dataclass(frozen=True)
class PowerOfTwoGrid:
    """The levels ``{0} ∪ {±2^n : n_low ≤ n ≤ n_high}``, stored in ``bits`` bits per weight."""

    n_high: int
    n_low: int

    def __post_init__(self):
        for name in ("n_high", "n_low"):
            object.__setattr__(self, name, check_int(getattr(self, name), name))
        if self.n_low > self.n_high:
            raise ValueError(f"n_low={self.n_low} must not exceed n_high={self.n_high}")

    @classmethod
    def for_weights(cls, weights, bits=5):
        """INQ's grid for a layer: ``n_high`` from the largest magnitude, ``2^(bits-2)`` exponents."""
        bits = check_int(bits, "bits", low=2)  # a zero flag and a sign at least
        largest = float(np.max(np.abs(np.asarray(weights, dtype=np.float64))))
        if not np.isfinite(largest) or largest == 0:
            raise ValueError(f"weights need a finite, non-zero largest magnitude, got {largest}")
        n_high = int(np.floor(np.log2(4 * largest / 3)))
        return cls(n_high, n_high + 1 - 2 ** (bits - 1) // 2)

    @property
    def exponents(self):
        return self.n_high - self.n_low + 1

    @property
    def bits(self):
        """Bits per weight: a zero flag, a sign, and enough for the exponents (the paper's b)."""
        return 2 + max(0, (self.exponents - 1).bit_length())

    @property
    def levels(self):
        """Every value a weight can take, ascending (float64)."""
        powers = np.ldexp(1.0, np.arange(self.n_low, self.n_high + 1))
        return np.concatenate([-powers[::-1], [0.0], powers])

    def round(self, weights):
        """Nearest level to each weight (INQ's equation 4: ties to the larger magnitude), float64."""
        weights = np.asarray(weights, dtype=np.float64)
        magnitude = np.abs(weights)
        mantissa, exponent = np.frexp(magnitude)                # |w| = m · 2^e, m in [0.5, 1)
        rounded = exponent - 1 + (mantissa >= 0.75)             # 3/4 is the midpoint of 2^(e-1) and 2^e
        rounded = np.minimum(rounded, self.n_high)              # saturate above the grid
        small = magnitude < np.ldexp(1.0, self.n_low)           # below the smallest power: 2^n_low or 0
        rounded = np.where(small, self.n_low, rounded)
        value = np.ldexp(1.0, rounded)
        value = np.where(small & (magnitude < np.ldexp(1.0, self.n_low - 1)), 0.0, value)
        return np.copysign(value, weights) * (weights != 0)

    def shifts(self, values):
        """``(sign, shift)`` of grid values: ``value = sign · 2^(n_low + shift)``; sign 0 for zero.

        Raises ``ValueError`` for a value that is not on the grid.
        """
        values = np.asarray(values, dtype=np.float64)
        mantissa, exponent = np.frexp(np.abs(values))
        shift = exponent - 1 - self.n_low
        on_grid = (values == 0) | ((mantissa == 0.5) & (shift >= 0) & (shift < self.exponents))
        if not np.all(on_grid):
            raise ValueError(f"{float(values[~on_grid].flat[0])!r} is not a level of {self}")
        sign = np.sign(values).astype(np.int64)
        return sign, np.where(sign == 0, 0, shift).astype(np.int64)


def shift_add_dot(x_int, sign, shift):
    """``Σ_i sign_i · (x_i << shift_i)``: a dot product with power-of-two weights, no multiplies.

    ``x_int`` are integer activations; the result is in units of ``2^n_low`` of the grid
    (``(x · w).sum() == shift_add_dot(x, *grid.shifts(w)) · 2^n_low``).

    Examples
    --------
    >>> grid = PowerOfTwoGrid(n_high=0, n_low=-3)
    >>> sign, shift = grid.shifts([0.5, -0.125, 0.0, 1.0])
    >>> int(shift_add_dot([10, 20, 30, 40], sign, shift))      # (5 - 2.5 + 0 + 40) · 8
    340
    """
    x_int = np.asarray(x_int)
    if not np.issubdtype(x_int.dtype, np.integer):
        raise TypeError(f"x_int must be integers, got dtype {x_int.dtype}")
    shifted = np.left_shift(x_int.astype(np.int64), np.asarray(shift, dtype=np.int64))
    return np.sum(np.where(np.asarray(sign) < 0, -shifted, np.where(np.asarray(sign) > 0, shifted, 0)), axis=-1)


def inq_partition(weights, frozen, portion):
    """Grow the frozen set to the largest ``portion`` of all weights by magnitude.

    Parameters
    ----------
    weights : array_like of float
        The layer's current weights (the frozen ones already on the grid).
    frozen : array_like of bool
        Weights already quantized and frozen by earlier steps; they stay frozen.
    portion : float in (0, 1]
        The accumulated fraction of weights quantized after this step.

    Returns
    -------
    numpy.ndarray of bool
        The new frozen mask: the old one plus the largest of the still-free weights.

    Examples
    --------
    >>> inq_partition([0.1, -0.8, 0.4, 0.05], [False, False, False, False], 0.5).tolist()
    [False, True, True, False]
    """
    weights = np.asarray(weights, dtype=np.float64)
    frozen = np.asarray(frozen)
    if frozen.dtype != bool or frozen.shape != weights.shape:
        raise ValueError(f"frozen must be a boolean mask of shape {weights.shape}, got {frozen.dtype} {frozen.shape}")
    portion = check_real(portion, "portion", low=0, high=1, low_open=True)
    target = int(np.ceil(portion * weights.size))
    more = max(0, target - int(frozen.sum()))
    free = np.flatnonzero(~frozen.ravel())
    order = free[np.argsort(-np.abs(weights.ravel()[free]), kind="stable")]  # largest first, ties by position
    grown = frozen.ravel().copy()
    grown[order[:more]] = True
    return grown.reshape(weights.shape)


def keep_frozen(frozen, values):
    """An ``after_step`` hook: the frozen (already quantized) weights back to their grid values."""
    def after_step(params):
        for name, mask in frozen.items():
            params[name][mask] = values[name][mask]
    return after_step


def inq(model, bits=5, *, portions=INQ_PORTIONS, epochs=2, learning_rate=0.003, data=None):
    """Incremental Network Quantization of a ``FloatCNN``'s weights to ``bits``-bit powers of two.

    For each accumulated ``portion``: partition (:func:`inq_partition`), round the newly
    chosen weights onto the layer's :class:`PowerOfTwoGrid` and freeze them, then retrain the
    still-float weights (and the biases) for ``epochs`` with :func:`numformat.nn.train.train`
    (no augmentation; ``data`` as in :func:`~numformat.nn.train.train`, default the digits
    split).  After the last portion (1.0) every weight is on the grid.

    Returns
    -------
    model : FloatCNN
        Every weight a power of two or zero; biases float32.
    grids : dict of str → PowerOfTwoGrid
        Each layer's grid (fixed from the pretrained weights, as in the paper).
    """
    portions = tuple(portions)
    if not portions or any(not 0 < p <= 1 for p in portions) or list(portions) != sorted(portions) or portions[-1] != 1:
        raise ValueError(f"portions={portions!r} must rise within (0, 1] and end at 1")
    weight_names = model.architecture.weight_names
    grids = {name: PowerOfTwoGrid.for_weights(model.params[name], bits) for name in weight_names}
    frozen = {name: np.zeros(model.params[name].shape, dtype=bool) for name in weight_names}
    for portion in portions:
        params = {name: value.copy() for name, value in model.params.items()}
        for name, grid in grids.items():
            frozen[name] = inq_partition(params[name], frozen[name], portion)
            params[name][frozen[name]] = grid.round(params[name][frozen[name]])
        model = model.with_params(params)
        if portion < 1 and epochs:
            config = TrainConfig(epochs=epochs, learning_rate=learning_rate)
            values = {name: params[name].copy() for name in weight_names}
            model, _ = train(config, model=model, after_step=keep_frozen(frozen, values), augment=False, data=data)
    return model, grids
