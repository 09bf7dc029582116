"""A non-ideal ADC: the errors a real converter has, each one a number you can set and then measure.

:class:`~numformat.adc.quantizer.Quantizer` is the ideal converter: every code one LSB wide,
sampled at exact instants.  :class:`NonIdealADC` keeps its codes and its mid-tread levels but
moves the *transition levels* (the inputs where the output steps from one code to the next) and
disturbs the sampling:

===============  ===========================================================================
``offset``       every transition shifted by this many input units
``gain_error``   every transition scaled by ``1 + gain_error`` about zero
``inl_bow``      a parabolic bow, this many LSB at mid-scale and zero at both ends (a
                 converter whose middle codes sit high: second-order distortion)
``missing_codes`` codes of zero width that never come out (a DNL of −1)
``jitter_rms``   the sampling instants wander by this many seconds RMS (Gaussian); a sine of
                 frequency f then gets an SNR of at most ``−20·log10(2π·f·jitter_rms)``
``noise_rms``    Gaussian input-referred (thermal) noise, in input units RMS
===============  ===========================================================================

The true transition levels are known (:attr:`NonIdealADC.transitions`), so the histogram test
(:mod:`.histogram`) and the dynamic measures (:mod:`.measure`) can be checked against them.

Examples
--------
>>> adc = NonIdealADC(3, missing_codes=(1,))
>>> adc.transitions.tolist()
[-0.875, -0.625, -0.375, -0.125, 0.125, 0.125, 0.625]
>>> adc.convert([-0.2, 0.0, 0.2, 0.4]).tolist()        # 0.2 would be code 1: it is missing
[-1, 0, 2, 2]
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import as_float64_array, check_int, check_positive, check_real
from .histogram import MAX_BITS, MIN_BITS, linearity
from .quantizer import Quantizer


@dataclasses.dataclass(frozen=True)
class NonIdealADC:
    """A ``bits``-bit mid-tread converter over ``[-full_scale, full_scale)`` with the errors of a real one.

    Parameters
    ----------
    bits : int
        2 to 24.
    full_scale : float
        As for :class:`~numformat.adc.quantizer.Quantizer`: the ideal LSB is ``full_scale / 2**(bits-1)``.
    offset, gain_error, inl_bow, missing_codes, jitter_rms, noise_rms
        The errors, all zero by default (see the module's table).  ``missing_codes`` are inner
        codes (not the two end codes, which are open-ended).

    Examples
    --------
    >>> adc = NonIdealADC(4, offset=0.01, gain_error=0.02, inl_bow=0.5)
    >>> lin = adc.linearity()
    >>> round(lin.max_inl, 6), lin.missing_codes
    (0.5, [])
    """

    bits: int
    full_scale: float = 1.0
    offset: float = 0.0
    gain_error: float = 0.0
    inl_bow: float = 0.0
    missing_codes: tuple = ()
    jitter_rms: float = 0.0
    noise_rms: float = 0.0

    def __post_init__(self):
        bits = check_int(self.bits, "bits", low=MIN_BITS, high=MAX_BITS)
        object.__setattr__(self, "bits", bits)
        object.__setattr__(self, "full_scale", check_positive(self.full_scale, "full_scale"))
        object.__setattr__(self, "offset", check_real(self.offset, "offset"))
        object.__setattr__(self, "gain_error", check_real(self.gain_error, "gain_error", low=-1, low_open=True))
        object.__setattr__(self, "inl_bow", check_real(self.inl_bow, "inl_bow"))
        object.__setattr__(self, "jitter_rms", check_real(self.jitter_rms, "jitter_rms", low=0))
        object.__setattr__(self, "noise_rms", check_real(self.noise_rms, "noise_rms", low=0))
        low, high = -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 2
        missing = tuple(sorted({check_int(code, "missing_codes", low=low, high=high) for code in self.missing_codes}))
        object.__setattr__(self, "missing_codes", missing)
        if np.any(np.diff(self.transitions) < 0):
            raise ValueError(f"inl_bow={self.inl_bow!r} LSB bends the transfer curve back on itself; "
                             "a converter's transition levels must not decrease")

    @property
    def ideal(self):
        """The ideal converter this one departs from."""
        return Quantizer(self.bits, full_scale=self.full_scale)

    @property
    def transitions(self):
        """The ``2**bits − 1`` transition levels, lowest first: where code ``k`` becomes ``k + 1``."""
        step = self.ideal.step
        ideal = (np.arange(-(2 ** (self.bits - 1)), 2 ** (self.bits - 1) - 1) + 0.5) * step
        middle, half_span = (ideal[0] + ideal[-1]) / 2, (ideal[-1] - ideal[0]) / 2
        bow = self.inl_bow * step * (1 - ((ideal - middle) / half_span) ** 2)
        levels = self.offset + (1 + self.gain_error) * (ideal + bow)
        for code in self.missing_codes:  # code k loses its width: its upper transition meets its lower one
            index = code + 2 ** (self.bits - 1)
            levels[index] = levels[index - 1]
        return levels

    def linearity(self):
        """The true DNL, INL and missing codes, from :attr:`transitions` (what the histogram test should find)."""
        return linearity(self.transitions, self.bits)

    def convert(self, x, *, rng=None):
        """Output codes for input values ``x`` (thermal noise added first when ``noise_rms > 0``).

        A value exactly on a transition takes the upper code (ties up, as ``rounding="nearest_up"``).
        """
        values = as_float64_array(x, "x")
        if not np.all(np.isfinite(values)):
            raise ValueError("x must hold finite input values (no NaN or inf)")
        if self.noise_rms > 0:
            values = values + as_generator(rng).normal(0.0, self.noise_rms, values.shape)
        codes = np.searchsorted(self.transitions, values, side="right") - 2 ** (self.bits - 1)
        return codes.astype(np.int64)

    def sample(self, fn, rate, n, *, rng=None):
        """Sample ``fn(t)`` at ``n`` instants ``k / rate`` (plus jitter) and convert: the output codes.

        Examples
        --------
        >>> adc = NonIdealADC(8, jitter_rms=1e-6)
        >>> codes = adc.sample(lambda t: 0.9 * np.sin(2 * np.pi * 50 * t), rate=1000, n=20, rng=0)
        >>> codes.shape, codes.dtype.name
        ((20,), 'int64')
        """
        rate = check_positive(rate, "rate")
        n = check_int(n, "n", low=1)
        generator = as_generator(rng)
        times = np.arange(n) / rate
        if self.jitter_rms > 0:
            times = times + generator.normal(0.0, self.jitter_rms, n)
        return self.convert(fn(times), rng=generator)

    def decode(self, codes):
        """The ideal level each code stands for (``code · LSB``), as the ideal converter decodes it."""
        return self.ideal.decode(codes)


def as_generator(rng):
    """``rng`` itself if it is a numpy Generator, else a new one seeded with it."""
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
