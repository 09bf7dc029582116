"""Dynamic measures of a converter from one record of a sine: SINAD, ENOB, SNR, THD, SFDR.

Feed the converter a pure sine, take the power spectrum of its output (:mod:`.spectrum`), and
sort the power into the tone (its bin and main lobe), DC, the harmonics ``2f, 3f, ...`` (folded
back below Nyquist where they alias) and everything else (IEEE Std 1241-2010 §4.1.6, §4.5;
the same bookkeeping as MATLAB's ``sinad``, ``snr``, ``thd`` and ``sfdr``):

==========  ================================================  ===============================
measure     ratio                                             an ideal N-bit converter
==========  ================================================  ===============================
SINAD       tone / (noise + harmonics)                        6.02·N + 1.76 dB
ENOB        (SINAD − 1.76 dB) / 6.02 dB                       N bits
SNR         tone / noise, harmonics left out                  6.02·N + 1.76 dB
THD         harmonics 2 .. ``harmonics`` / tone (negative)    far below −SINAD
SFDR        tone / the largest other component                grows ~9 dB per bit
==========  ================================================  ===============================

ENOB uses 10·log10(1.5) and 20·log10(2) unrounded (the 1.76 and 6.02 of
:func:`~numformat.adc.quantizer.theoretical_sqnr_db`).  A tone below full scale loses SINAD with
its amplitude; ``full_scale=`` refers ENOB to a full-scale tone, as datasheets do.

A coherent record (:func:`~numformat.adc.spectrum.coherent_frequency`) needs no window
(``window="rect"``, the default); any other record needs ``window="blackmanharris"``.

Examples
--------
>>> from numformat.adc import Quantizer, coherent_frequency
>>> n, rate = 4096, 48000
>>> freq = coherent_frequency(rate, n, 1000)
>>> x = 0.999 * np.sin(2 * np.pi * freq * np.arange(n) / rate)
>>> codes = Quantizer(12).quantize(x)
>>> m = analyze_tone(codes, rate)
>>> round(m.enob, 1), round(m.sinad_db, 1), bool(m.sfdr_db > 80)
(12.0, 74.0, True)
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..checks import check_int, check_mode, check_positive
from .spectrum import MIN_RECORD, WINDOW_LOBES, check_record, folded_bin, lobe, power_spectrum

DB_PER_BIT = 20 * math.log10(2.0)   # 6.0206 dB
SINE_CREST_DB = 10 * math.log10(1.5)  # 1.7609 dB: a full-scale sine's power over uniform noise's, per LSB²


@dataclasses.dataclass(frozen=True)
class ToneMeasures:
    """Everything one record of a sine says about the converter; powers in the signal's units squared."""

    freq: float
    amplitude: float
    signal_power: float
    noise_power: float
    harmonic_power: float
    spur_power: float
    spur_freq: float
    sinad_db: float
    snr_db: float
    thd_db: float
    sfdr_db: float
    enob: float


def enob_from_sinad(sinad_db, *, amplitude=None, full_scale=None):
    """Effective number of bits: ``(SINAD − 1.76) / 6.02``, referred to full scale when both are given.

    A tone of ``amplitude`` below ``full_scale`` has ``20·log10(full_scale / amplitude)`` dB
    less SINAD for the same noise; adding it back gives the ENOB a full-scale tone would show.

    Examples
    --------
    >>> round(enob_from_sinad(49.93), 2), round(enob_from_sinad(43.91, amplitude=0.5, full_scale=1.0), 2)
    (8.0, 8.0)
    """
    if (amplitude is None) != (full_scale is None):
        raise ValueError("amplitude and full_scale go together: give both or neither")
    if full_scale is not None:
        sinad_db = sinad_db + 20 * math.log10(check_positive(full_scale, "full_scale") /
                                              check_positive(amplitude, "amplitude"))
    return (sinad_db - SINE_CREST_DB) / DB_PER_BIT


def tone_bin(power, rate, n, freq, half_width):
    """The tone's bin: the one ``freq`` falls on, or the largest bin clear of DC's lobe."""
    if freq is not None:
        freq = check_positive(freq, "freq")
        if freq >= rate / 2:
            raise ValueError(f"freq={freq!r} Hz is not below the Nyquist frequency rate/2 = {rate / 2!r} Hz")
        center = folded_bin(freq * n / rate, n)
    else:
        center = int(np.argmax(power[1:])) + 1
    if center >= power.size:
        raise ValueError(f"the tone at bin {center} lies above the band edge (bin {power.size - 1})")
    if center <= 2 * half_width:
        raise ValueError(f"the tone sits in bin {center}, inside the DC lobe of the window; use a longer "
                         "record or a higher test frequency")
    return center


def harmonic_bins(position, n, n_bins, half_width, harmonics, taken):
    """Bins of harmonics 2 .. ``harmonics`` of a tone at fractional bin ``position``, folded, minus ``taken``.

    Only bins below ``n_bins`` count: a harmonic beyond a band edge is not in the band.
    """
    bins = set()
    for order in range(2, harmonics + 1):
        folded = folded_bin(order * position, n)
        if folded - half_width < n_bins:
            bins.update(lobe(folded, half_width, n_bins).tolist())
    return np.array(sorted(bins - taken), dtype=np.int64)


def analyze_tone(x, rate, *, freq=None, window="rect", harmonics=6, full_scale=None, band=None):
    """Sort a sine record's power into tone, harmonics, DC and noise; return every dynamic measure.

    Parameters
    ----------
    x : array_like
        The converter's output record (values or codes), 1-D, at least 16 samples, not constant.
    rate : float
        The sample rate in Hz.
    freq : float, optional
        The test tone's frequency in ``(0, rate/2)``; by default the largest component found.
    window : str
        ``"rect"`` for a coherent record, ``"blackmanharris"`` (or ``"hann"``) otherwise.
    harmonics : int
        THD counts the harmonics ``2 .. harmonics`` (MATLAB's default, 6); SNR leaves them out.
    full_scale : float, optional
        Refer ENOB to a full-scale tone of this amplitude (:func:`enob_from_sinad`).
    band : float, optional
        Count noise, harmonics and spurs only up to this frequency in Hz (an oversampled or
        noise-shaped record's band of interest); by default up to Nyquist.

    Returns
    -------
    ToneMeasures

    Examples
    --------
    >>> k = np.arange(1024)
    >>> x = np.sin(2 * np.pi * 31 * k / 1024) + 0.01 * np.sin(2 * np.pi * 93 * k / 1024)  # -40 dB 3rd harmonic
    >>> m = analyze_tone(x, 1024.0)
    >>> round(m.thd_db, 6), round(m.sfdr_db, 6), m.spur_freq
    (-40.0, 40.0, 93.0)
    """
    rate = check_positive(rate, "rate")
    check_mode(window, tuple(WINDOW_LOBES), "window")
    harmonics = check_int(harmonics, "harmonics", low=2)
    record = check_record(x, minimum=MIN_RECORD)
    n = record.size
    # DC is no part of any measure; taking the mean out keeps a large offset from leaking past DC's lobe
    power = power_spectrum(record - record.mean(), window)
    if band is not None:
        band = check_positive(band, "band")
        power = power[: min(int(band * n / rate), power.size - 1) + 1]  # the bins up to the band edge
    half_width = WINDOW_LOBES[window]
    center = tone_bin(power, rate, n, freq, half_width)
    tone = lobe(center, half_width, power.size)
    dc = lobe(0, half_width, power.size)
    position = float(np.sum(tone * power[tone]) / np.sum(power[tone]))  # the lobe's centroid: the tone's bin
    taken = set(tone.tolist()) | set(dc.tolist())
    harmonic = harmonic_bins(position, n, power.size, half_width, harmonics, taken)
    rest = np.ones(power.size, dtype=bool)
    rest[list(taken)] = False
    signal_power = float(np.sum(power[tone]))
    noise_and_distortion = float(np.sum(power[rest]))
    if noise_and_distortion == 0:
        raise ValueError("x holds the tone and nothing else: its SINAD is infinite")
    harmonic_power = float(np.sum(power[harmonic]))
    spur_center = int(np.flatnonzero(rest)[np.argmax(power[rest])])
    spur = [b for b in lobe(spur_center, half_width, power.size).tolist() if b not in taken]
    spur_power = float(np.sum(power[spur]))
    sinad_db = 10 * math.log10(signal_power / noise_and_distortion)
    amplitude = math.sqrt(2 * signal_power)
    noise_only = noise_and_distortion - harmonic_power
    return ToneMeasures(
        freq=position * rate / n, amplitude=amplitude, signal_power=signal_power, noise_power=noise_only,
        harmonic_power=harmonic_power, spur_power=spur_power, spur_freq=spur_center * rate / n,
        sinad_db=sinad_db,
        snr_db=10 * math.log10(signal_power / noise_only) if noise_only > 0 else math.inf,
        thd_db=10 * math.log10(harmonic_power / signal_power) if harmonic_power > 0 else -math.inf,
        sfdr_db=10 * math.log10(signal_power / spur_power),
        enob=enob_from_sinad(sinad_db, **({} if full_scale is None else
                                          {"amplitude": amplitude, "full_scale": full_scale})),
    )


def sinad_db(x, rate, **options):
    """Signal to noise and distortion in dB (:func:`analyze_tone` takes the same options).

    >>> k = np.arange(256)
    >>> round(sinad_db(np.sin(2 * np.pi * 7 * k / 256) + 0.001 * np.cos(2 * np.pi * 40 * k / 256), 256.0), 6)
    60.0
    """
    return analyze_tone(x, rate, **options).sinad_db


def enob(x, rate, **options):
    """Effective number of bits, ``(SINAD − 1.76) / 6.02`` (:func:`analyze_tone` takes the same options).

    >>> from numformat.adc import Quantizer
    >>> k = np.arange(4096)
    >>> round(enob(Quantizer(10).quantize(0.999 * np.sin(2 * np.pi * 101 * k / 4096)), 4096.0), 1)
    10.0
    """
    return analyze_tone(x, rate, **options).enob


def snr_db(x, rate, **options):
    """Signal to noise in dB, harmonics left out (:func:`analyze_tone` takes the same options).

    >>> k = np.arange(256)
    >>> x = np.sin(2 * np.pi * 7 * k / 256) + 0.1 * np.sin(2 * np.pi * 14 * k / 256)
    >>> snr_db(x, 256.0) > 200          # only a harmonic: no noise at all, to rounding
    True
    """
    return analyze_tone(x, rate, **options).snr_db


def thd_db(x, rate, **options):
    """Total harmonic distortion in dB: harmonics 2 .. ``harmonics`` over the tone (negative).

    >>> k = np.arange(256)
    >>> round(thd_db(np.sin(2 * np.pi * 7 * k / 256) + 0.1 * np.sin(2 * np.pi * 14 * k / 256), 256.0), 6)
    -20.0
    """
    return analyze_tone(x, rate, **options).thd_db


def sfdr_db(x, rate, **options):
    """Spurious-free dynamic range in dB: the tone over the largest other component.

    >>> k = np.arange(256)
    >>> round(sfdr_db(np.sin(2 * np.pi * 7 * k / 256) + 0.01 * np.sin(2 * np.pi * 50 * k / 256), 256.0), 6)
    40.0
    """
    return analyze_tone(x, rate, **options).sfdr_db
