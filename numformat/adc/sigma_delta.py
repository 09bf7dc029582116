"""Sigma-delta conversion: one bit at 64 times the rate, noise shaped away, filtered back to many bits.

The audio converter in a laptop does not have a 24-bit quantizer.  It samples ``osr`` times
faster than needed (64× here) with a *one-bit* quantizer (two levels, ±1) inside an
error-feedback loop (:mod:`.shaping`): the output bitstream is ``y = x + NTF(z)·e`` with
``NTF = (1 − z⁻¹)^order``, so almost all of the huge rounding error sits far above the audio
band.  A low-pass *decimation* filter then removes it and keeps one sample in ``osr``: what is
left is the signal plus the little noise the NTF leaves in the band.  With the error modelled as
white of power ``step²/12 = 1/3`` the in-band SQNR rises about 9 dB per doubling of ``osr`` for
order 1 and 15 dB for order 2 (:func:`~numformat.adc.shaping.theoretical_inband_sqnr_db`);
:func:`inband_sqnr_db` measures it on a bitstream.

The white-noise model is a model.  A one-bit quantizer has no fixed gain (any positive scaling
of its input gives the same bits), and in a second-order loop its input swings well beyond ±1,
so the error is larger than ``1/3``: measured at ``osr = 64``, order 2 falls 1 to 2 dB short of
the model for a tone of amplitude 0.25 and about 3.5 dB for 0.5.  A first-order loop fed a sine
makes idle tones whose in-band power depends on the frequency (a few dB either way); TPDF dither
of ±0.75 (``dither=0.75``) spreads them into noise and lands within 1 dB of the model (with
``dither=0.5`` the tones still leave it 0.5 to 2.5 dB above; with ``dither=1`` the dither's own
noise puts it 2 dB below).  The loop is stable while the input stays inside about ±0.7 (order 2).

Examples
--------
>>> bits = sigma_delta_modulate(np.full(8, 0.25), order=1)
>>> bits.tolist(), float(bits.mean())          # a quarter more +1s than −1s: the mean is 0.25
([1, -1, 1, 1, -1, 1, -1, 1], 0.25)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import as_float64_array, check_int, check_positive, check_real
from .measure import analyze_tone
from .quantizer import tpdf_dither
from .shaping import MAX_ORDER, error_feedback

MAX_INPUT = 1.0
DECIMATION_TAPS_PER_OSR = 32   # the FIR low-pass has 32·osr + 1 taps
DECIMATION_KAISER_BETA = 12.0  # about 120 dB stop-band: the shaped noise above the band is that strong


def one_bit(value):
    """The two-level quantizer: +1 for ``value >= 0``, else −1."""
    return 1.0 if value >= 0 else -1.0


def check_signal(x, name="x"):
    signal = as_float64_array(x, name)
    if signal.ndim != 1:
        raise ValueError(f"{name} must be a 1-D record of samples, got shape {signal.shape}")
    if not np.all(np.isfinite(signal)):
        raise ValueError(f"{name} must hold finite samples (no NaN or inf)")
    if signal.size and np.max(np.abs(signal)) >= MAX_INPUT:
        raise ValueError(f"{name} reaches {float(np.max(np.abs(signal)))!r}; a one-bit modulator's input must "
                         f"stay inside (-{MAX_INPUT}, {MAX_INPUT}), and below about 0.7 for order 2 to be stable")
    return signal


def sigma_delta_modulate(x, order=2, *, dither=0.0, rng=None):
    """The bitstream (int8, ±1) of a sigma-delta modulator of ``order`` 1 or 2 fed the oversampled ``x``.

    ``dither`` > 0 adds TPDF dither of that step (values in ``(−dither, dither)``) in front of the
    one-bit quantizer, drawn from ``rng``.

    Examples
    --------
    >>> sigma_delta_modulate(np.zeros(8), order=2).tolist()     # silence: as many +1s as -1s
    [1, -1, -1, 1, 1, -1, -1, 1]
    """
    order = check_int(order, "order", low=1, high=MAX_ORDER)
    dither = check_real(dither, "dither", low=0.0, high=1.0)
    signal = check_signal(x)
    noise = tpdf_dither(signal.shape, dither, rng) if dither > 0 else None
    return error_feedback(signal, order, one_bit, noise).astype(np.int8)


def decimate(bitstream, osr):
    """Low-pass filter (a Kaiser-windowed FIR, scipy) and keep every ``osr``-th sample.

    The filter has ``32·osr + 1`` taps, cuts off at the band edge ``rate / (2·osr)`` and stops
    about 120 dB; a real converter does the same in stages (a CIC filter, then half-bands).

    Examples
    --------
    >>> out = decimate(sigma_delta_modulate(np.full(4096, 0.25), order=2), osr=16)
    >>> out.size, round(float(out[100:].mean()), 4)
    (256, 0.25)
    """
    from scipy import signal as scipy_signal

    osr = check_int(osr, "osr", low=2)
    stream = as_float64_array(bitstream, "bitstream")
    if stream.ndim != 1:
        raise ValueError(f"bitstream must be 1-D, got shape {stream.shape}")
    taps = scipy_signal.firwin(DECIMATION_TAPS_PER_OSR * osr + 1, 1 / osr, window=("kaiser", DECIMATION_KAISER_BETA))
    return scipy_signal.resample_poly(stream, 1, osr, window=taps)


@dataclasses.dataclass(frozen=True)
class SigmaDelta:
    """One trip through a sigma-delta converter: the oversampled input, its bitstream, the decimated output."""

    oversampled: np.ndarray
    bitstream: np.ndarray
    decimated: np.ndarray
    order: int
    osr: int


def sigma_delta(x, order=2, osr=64, *, dither=0.0, rng=None):
    """Convert ``x`` (at its own rate) with a sigma-delta modulator running ``osr`` times faster.

    ``x`` is interpolated to ``osr`` times its rate (scipy's polyphase ``resample_poly``),
    modulated to one bit per sample (:func:`sigma_delta_modulate`) and decimated back
    (:func:`decimate`): ``decimated`` has ``x``'s length and rate.

    Examples
    --------
    >>> x = 0.5 * np.sin(2 * np.pi * 5 * np.arange(256) / 256)
    >>> result = sigma_delta(x, order=2, osr=32)
    >>> result.bitstream.size, result.decimated.size
    (8192, 256)
    >>> bool(np.abs(result.decimated - x)[32:-32].max() < 0.01)
    True
    """
    from scipy import signal as scipy_signal

    order = check_int(order, "order", low=1, high=MAX_ORDER)
    osr = check_int(osr, "osr", low=2)
    signal = check_signal(x)
    oversampled = scipy_signal.resample_poly(signal, osr, 1)
    bitstream = sigma_delta_modulate(oversampled, order, dither=dither, rng=rng)
    return SigmaDelta(oversampled=oversampled, bitstream=bitstream, decimated=decimate(bitstream, osr),
                      order=order, osr=osr)


def inband_sqnr_db(bitstream, osr, *, freq_bin=None):
    """The SQNR a bitstream holds in its band ``[0, rate/(2·osr)]``: tone power over in-band noise, in dB.

    Measured on a Hann-windowed spectrum (its side lobes fall fast enough that the strong noise
    above the band does not leak into it); the tone is the largest in-band component, or the
    bin ``freq_bin`` (in bins of the bitstream's DFT).

    Examples
    --------
    >>> n = 2 ** 14
    >>> x = 0.25 * np.sin(2 * np.pi * 13 * np.arange(n) / n)
    >>> round(inband_sqnr_db(sigma_delta_modulate(x, order=2), osr=64))     # the model says 67.1
    66
    """
    osr = check_int(osr, "osr", low=2)
    rate = 1.0
    freq = None if freq_bin is None else check_positive(freq_bin, "freq_bin") / len(bitstream)
    return analyze_tone(bitstream, rate, freq=freq, window="hann", band=rate / (2 * osr)).sinad_db
