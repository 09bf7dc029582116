"""Quantization: an ADC rounds each sample to one of ``2**bits`` levels.

A :class:`Quantizer` with step ``full_scale / 2**(bits - 1)`` adds an error of at most half a
step, which for a full-scale sine gives the signal-to-quantization-noise ratio
:func:`theoretical_sqnr_db` = 6.02·N + 1.76 dB that :func:`sqnr_db` measures;
:func:`tpdf_dither` trades that error's correlation with the signal for a little more noise.
In Jupyter a Quantizer shows its step, levels, range and a table of codes
(:mod:`numformat.html_repr`).

Examples
--------
>>> x = np.sin(2 * np.pi * np.arange(8) / 8)          # one period of a full-scale sine, 8 samples
>>> q = Quantizer(3)
>>> q.encode(x).tolist()
[0, 3, 3, 3, 0, -3, -4, -3]
>>> q.quantize(x).tolist()
[0.0, 0.75, 0.75, 0.75, 0.0, -0.75, -1.0, -0.75]
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import as_float64_array, check_int, check_mode, check_positive, like_input
from ..integers import int_range
from ..rounding import apply_overflow, check_overflow, check_rounding, round_half

QUANTIZER_KINDS = ("mid-tread", "mid-rise")


@dataclasses.dataclass(frozen=True)
class Quantizer:
    """A uniform ``bits``-bit quantizer covering ``[-full_scale, full_scale)``.

    Codes are two's complement integers ``-2**(bits-1) .. 2**(bits-1) - 1`` and the step is
    ``full_scale / 2**(bits - 1)``.  A *mid-tread* quantizer has a level at zero (code ``k``
    means ``k · step``: silence stays silent, as in PCM audio); a *mid-rise* one has its
    decision threshold at zero (code ``k`` means ``(k + 1/2) · step``: no zero level, but the
    levels sit symmetrically about zero).

    Parameters
    ----------
    bits : int
        1 to 32.
    full_scale : float
        The positive amplitude the codes span on each side of zero.
    kind : str
        ``"mid-tread"`` or ``"mid-rise"``.
    rounding : str
        How a sample between two levels is rounded, one of :data:`numformat.ROUNDING_MODES`.
    overflow : str
        What a sample beyond full scale does: ``"saturate"`` (clip, as an ADC does),
        ``"wrap"`` or ``"error"``.

    Examples
    --------
    >>> q = Quantizer(3, kind="mid-tread")
    >>> q.step, q.levels, q.decode(q.codes).tolist()
    (0.25, 8, [-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75])
    >>> Quantizer(3, kind="mid-rise").decode(q.codes).tolist()
    [-0.875, -0.625, -0.375, -0.125, 0.125, 0.375, 0.625, 0.875]
    >>> q.encode([0.1, 0.125, 0.375, 2.0]).tolist()   # ties to even, then saturate
    [0, 0, 2, 3]
    """

    bits: int
    full_scale: float = 1.0
    kind: str = "mid-tread"
    rounding: str = "nearest_even"
    overflow: str = "saturate"

    def __post_init__(self):
        object.__setattr__(self, "bits", check_int(self.bits, "bits", low=1, high=32))
        object.__setattr__(self, "full_scale", check_positive(self.full_scale, "full_scale"))
        check_mode(self.kind, QUANTIZER_KINDS, "kind")
        check_rounding(self.rounding)
        check_overflow(self.overflow)

    @property
    def step(self):
        """The distance between neighbouring levels (one LSB)."""
        return self.full_scale / 2 ** (self.bits - 1)

    @property
    def levels(self):
        """How many output values there are: ``2**bits``."""
        return 2 ** self.bits

    @property
    def code_min(self):
        return int_range(self.bits)[0]

    @property
    def code_max(self):
        return int_range(self.bits)[1]

    @property
    def codes(self):
        """Every code, lowest first (an int64 array of ``levels`` entries; up to 16 bits)."""
        if self.bits > 16:
            raise ValueError(f"a {self.bits}-bit quantizer has {self.levels} codes, too many to list; "
                             "codes lists them up to 16 bits")
        return np.arange(self.code_min, self.code_max + 1, dtype=np.int64)

    @property
    def _offset(self):
        return 0.5 if self.kind == "mid-rise" else 0.0

    def _codes(self, x):
        """Codes of the samples as integral float64 (int64 when overflow='error', for its message)."""
        x = as_float64_array(x, "x")
        with np.errstate(over="ignore"):  # samples near float64's limit may overflow: handled below
            # One fast sum finds a NaN or inf; only then (or when huge values overflow it) look closer.
            if not np.isfinite(np.sum(x)) and not np.all(np.isfinite(x)):
                raise ValueError("x must hold finite samples (no NaN or inf)")
            # x / step is exact when full_scale is a power of two; the rounding is numformat's one.
            nearest = round_half(x / self.step - self._offset, self.rounding)
        if self.overflow == "wrap" and not np.isfinite(np.sum(nearest)) and not np.all(np.isfinite(nearest)):
            raise ValueError("x holds samples too large to wrap: x / step overflows float64")
        if self.overflow == "error" and np.all(np.abs(nearest) < 2.0 ** 62):
            nearest = nearest.astype(np.int64)  # so that the OverflowError shows an integer code
        # Saturating and wrapping work on the integral floats exactly, even far beyond int64.
        return np.asarray(apply_overflow(nearest, self.code_min, self.code_max, self.overflow, what="code"))

    def encode(self, x):
        """Integer codes of the samples ``x``: an int64 array, or an int for a scalar."""
        return like_input(x, self._codes(x).astype(np.int64))

    def decode(self, codes):
        """The level each code stands for: float64 values (a float for a scalar)."""
        array = np.asarray(codes)
        if array.dtype.kind not in "iu":
            raise TypeError(f"codes must be integers, got {array.dtype}")
        if array.size and (array.min() < self.code_min or array.max() > self.code_max):
            raise ValueError(f"codes must lie in [{self.code_min}, {self.code_max}] for a {self.bits}-bit "
                             f"quantizer, got values from {array.min()} to {array.max()}")
        return like_input(array, (array.astype(np.float64) + self._offset) * self.step)

    def quantize(self, x):
        """The samples rounded onto the quantizer's levels: ``decode(encode(x))``."""
        return like_input(x, (self._codes(x) + self._offset) * self.step)


def sqnr_db(reference, quantized):
    """Signal-to-quantization-noise ratio in dB: ``10·log10(Σ reference² / Σ (reference - quantized)²)``.

    Returns ``inf`` when the two are identical.

    Examples
    --------
    >>> round(sqnr_db([1.0, -1.0, 1.0, -1.0], [0.9, -0.9, 0.9, -0.9]), 2)
    20.0
    """
    reference = as_float64_array(reference, "reference")
    quantized = as_float64_array(quantized, "quantized")
    if reference.shape != quantized.shape:
        raise ValueError(f"reference and quantized must have the same shape, got {reference.shape} "
                         f"and {quantized.shape}")
    signal_power = np.sum(reference ** 2)
    noise_power = np.sum((reference - quantized) ** 2)
    if not (np.isfinite(signal_power) and np.isfinite(noise_power)):
        raise ValueError("reference and quantized must hold finite samples")
    if signal_power == 0:
        raise ValueError("reference has zero power, so no ratio to it exists")
    if noise_power == 0:
        return float("inf")
    return float(10 * np.log10(signal_power / noise_power))


def theoretical_sqnr_db(bits):
    """SQNR of a full-scale sine through an ideal ``bits``-bit quantizer: 6.02·N + 1.76 dB.

    The sine's power is ``A²/2`` with ``A = 2**(N-1)·step``; the rounding error, uniform over
    one step, has power ``step²/12``; their ratio is ``1.5 · 4**N``, which is
    ``20·log10(2)·N + 10·log10(1.5)`` = 6.0206·N + 1.7609 dB (computed here unrounded).

    Examples
    --------
    >>> round(theoretical_sqnr_db(16), 2), round(theoretical_sqnr_db(8), 2)
    (98.09, 49.93)
    """
    bits = as_float64_array(bits, "bits")
    if np.any(bits <= 0):
        raise ValueError("bits must be positive")
    return like_input(bits, 20 * np.log10(2.0) * bits + 10 * np.log10(1.5))


def tpdf_dither(shape, step, rng=None):
    """Triangular-PDF dither: the sum of two independent uniform noises of width one ``step``.

    Added before rounding, it makes the quantization error's mean and variance independent of
    the signal (Lipshitz, Wannamaker & Vanderkooy, JAES 1992), so a tone quieter than one step
    survives as a tone in noise instead of vanishing.  Its values lie in ``(-step, step)``.

    Parameters
    ----------
    shape : int or tuple of int
    step : float
        The quantizer step.
    rng : numpy.random.Generator or int, optional
        The generator (or a seed for one).

    Examples
    --------
    >>> d = tpdf_dither(100_000, step=0.5, rng=0)
    >>> bool(np.abs(d).max() < 0.5), round(float(d.var() / (0.5**2 / 6)), 1)
    (True, 1.0)
    """
    step = check_positive(step, "step")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    return rng.uniform(-step / 2, step / 2, shape) + rng.uniform(-step / 2, step / 2, shape)
