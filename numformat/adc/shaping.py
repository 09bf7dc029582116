"""Noise shaping: requantize with error feedback, so the rounding noise moves out of the band you hear.

Rounding to fewer bits adds an error ``e`` that is white: its power ``step²/12`` spreads evenly up
to Nyquist.  *Error feedback* subtracts past errors from the next input, so that the output is ::

    y = x + NTF(z)·e,        NTF(z) = (1 − z⁻¹)^order

``NTF`` (the noise transfer function) is a high-pass: ``|NTF(e^{jω})|² = (2·sin(ω/2))^(2·order)``
is tiny near DC and up to ``4^order`` near Nyquist.  The total noise grows, but the noise in a
band ``[0, rate/(2·osr)]`` shrinks; :func:`inband_noise_fraction` integrates that exactly (the
textbook ``π^(2L) / ((2L+1)·osr^(2L+1))`` is its large-``osr`` limit: about 3 + 6·L dB less
noise per doubling of ``osr``, so 9 dB for order 1 and 15 dB for order 2).

TPDF dither (:func:`~numformat.adc.quantizer.tpdf_dither`) goes in front of the quantizer inside
the loop, so ``e`` stays signal-independent (its power becomes ``step²/4``: the rounding's
``step²/12`` plus the dither's ``step²/6``).  The same loop with a two-level quantizer is a
sigma-delta modulator (:mod:`.sigma_delta`).

The loop (:func:`error_feedback`) is the one place besides the integer MAC loop of
:mod:`numformat.nn` where numformat steps through samples in Python: each sample's input depends
on the previous samples' rounding, so there is no whole-array form.  It runs on Python floats
(about a microsecond a sample), not on numpy scalars.

Examples
--------
>>> from numformat.adc import Quantizer
>>> y = noise_shape(np.full(8, 0.3), Quantizer(3), order=1, dither=False)
>>> y.tolist()                                   # levels 0.25 and 0.5 that average to 0.3
[0.25, 0.25, 0.5, 0.25, 0.25, 0.25, 0.25, 0.5]
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import as_float64_array, check_bool, check_int, check_positive
from .quantizer import Quantizer, tpdf_dither

MAX_ORDER = 2  # beyond second order, error feedback around a coarse quantizer overloads and diverges


def ntf_taps(order):
    """The coefficients of ``NTF(z) − 1 = (1 − z⁻¹)^order − 1``, for ``z⁻¹, z⁻², ...``.

    >>> ntf_taps(1), ntf_taps(2)
    ([-1.0], [-2.0, 1.0])
    """
    return [float(math.comb(order, k) * (-1) ** k) for k in range(1, order + 1)]


def error_feedback(x, order, quantize_one, dither=None):
    """The error-feedback loop: ``y[n] = Q(u[n] + d[n])`` with ``u = x + (NTF − 1)·e`` and ``e = y − u``.

    ``quantize_one`` maps one Python float to its quantized value; ``dither`` is added to the
    quantizer's input only.  Returns ``y`` as a float64 array.

    Examples
    --------
    >>> error_feedback(np.array([0.4, 0.4, 0.4, 0.4, 0.4]), 1, lambda v: float(round(v))).tolist()
    [0.0, 1.0, 0.0, 1.0, 0.0]
    """
    taps = ntf_taps(order)
    errors = [0.0] * order  # e[n-1], e[n-2], ...
    noise = [0.0] * len(x) if dither is None else dither.tolist()
    output = []
    for sample, added in zip(x.tolist(), noise):
        wanted = sample + sum(tap * error for tap, error in zip(taps, errors))
        value = quantize_one(wanted + added)
        errors = [value - wanted] + errors[:-1]
        output.append(value)
    return np.array(output, dtype=np.float64)


def one_sample_quantizer(quantizer):
    """A Python-float function doing what ``quantizer.quantize`` does to one sample.

    Python's ``round`` rounds half to even, which is the quantizer's ``"nearest_even"``, and
    ``min``/``max`` saturate; so only quantizers with those modes are accepted.
    """
    if not isinstance(quantizer, Quantizer):
        raise TypeError(f"quantizer must be a numformat Quantizer, got {type(quantizer).__name__}")
    if quantizer.rounding != "nearest_even" or quantizer.overflow != "saturate":
        raise ValueError("noise shaping supports quantizers with rounding='nearest_even' and overflow='saturate', "
                         f"got rounding={quantizer.rounding!r}, overflow={quantizer.overflow!r}")
    step, low, high = quantizer.step, quantizer.code_min, quantizer.code_max
    shift = 0.5 if quantizer.kind == "mid-rise" else 0.0

    def quantize_one(value):
        return (min(max(round(value / step - shift), low), high) + shift) * step

    return quantize_one


def noise_shape(x, quantizer, order=1, *, dither=True, rng=None):
    """Requantize ``x`` onto ``quantizer``'s levels with error feedback of ``order`` 0, 1 or 2.

    Parameters
    ----------
    x : array_like
        The samples, 1-D, finite; keep them a few steps inside full scale (a saturating
        quantizer in the loop makes large errors that the feedback amplifies).
    quantizer : Quantizer
        The target resolution, with ``rounding="nearest_even"`` and ``overflow="saturate"``.
    order : int
        0 (plain rounding), 1 (``NTF = 1 − z⁻¹``) or 2 (``NTF = (1 − z⁻¹)²``).
    dither : bool
        Add TPDF dither of one step in front of the quantizer (inside the loop).
    rng : numpy.random.Generator or int, optional
        For the dither.

    Returns
    -------
    numpy.ndarray
        float64 values on the quantizer's levels (``quantizer.encode`` gives their codes).

    Examples
    --------
    >>> from numformat.adc import Quantizer
    >>> x = 0.5 * np.sin(2 * np.pi * np.arange(6) / 6)
    >>> noise_shape(x, Quantizer(4), order=2, dither=False).tolist()
    [0.0, 0.375, 0.5, 0.0, -0.375, -0.5]
    """
    quantize_one = one_sample_quantizer(quantizer)
    order = check_int(order, "order", low=0, high=MAX_ORDER)
    dither = check_bool(dither, "dither")
    samples = as_float64_array(x, "x")
    if samples.ndim != 1:
        raise ValueError(f"x must be a 1-D record of samples, got shape {samples.shape}")
    if not np.all(np.isfinite(samples)):
        raise ValueError("x must hold finite samples (no NaN or inf)")
    noise = tpdf_dither(samples.shape, quantizer.step, rng) if dither else None
    return error_feedback(samples, order, quantize_one, noise)


def inband_noise_fraction(order, osr):
    """The share of white noise's power that ``NTF = (1 − z⁻¹)^order`` leaves in the band ``[0, π/osr]``.

    Exactly ``(1/π) ∫₀^{π/osr} (2·sin(ω/2))^(2·order) dω``, from the expansion
    ``(2 − 2·cos ω)^L = C(2L, L) + 2·Σₖ (−1)^k·C(2L, L+k)·cos(kω)``; for large ``osr`` it tends
    to ``π^(2L) / ((2L+1)·osr^(2L+1))``.  Order 0 gives ``1/osr`` (plain oversampling).

    Examples
    --------
    >>> round(inband_noise_fraction(0, 64) * 64, 12)
    1.0
    >>> exact, textbook = inband_noise_fraction(2, 64), np.pi ** 4 / (5 * 64 ** 5)
    >>> round(float(10 * np.log10(exact / textbook)), 3)
    -0.0
    """
    order = check_int(order, "order", low=0, high=8)
    osr = check_positive(osr, "osr")
    if osr < 1:
        raise ValueError(f"osr={osr!r} must be at least 1 (the band is [0, rate / (2·osr)])")
    edge = math.pi / osr
    integral = math.comb(2 * order, order) * edge
    integral += 2 * sum((-1) ** k * math.comb(2 * order, order + k) * math.sin(k * edge) / k
                        for k in range(1, order + 1))
    return integral / math.pi


def theoretical_inband_sqnr_db(order, osr, *, amplitude, step):
    """In-band SQNR of a sine of ``amplitude`` after noise shaping of ``order`` at oversampling ``osr``.

    The error is taken as white with power ``step²/12`` (the usual model; add ``step²/6`` for
    TPDF dither by passing ``step·√3``), shaped by ``(1 − z⁻¹)^order`` (:func:`inband_noise_fraction`).

    Examples
    --------
    >>> round(theoretical_inband_sqnr_db(1, 64, amplitude=0.5, step=2.0), 1)   # 1-bit, ±1 levels
    44.8
    >>> round(theoretical_inband_sqnr_db(2, 64, amplitude=0.5, step=2.0), 1)
    73.2
    """
    amplitude = check_positive(amplitude, "amplitude")
    step = check_positive(step, "step")
    noise_power = step ** 2 / 12 * inband_noise_fraction(order, osr)
    return 10 * math.log10(amplitude ** 2 / 2 / noise_power)
