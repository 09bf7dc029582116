"""The spectrum of one record, as converter tests read it: windows, power per bin, a tone's bins.

A converter is measured by feeding it a pure sine and looking at what else comes out.  The DFT
of an ``n``-sample record puts a tone of ``cycles`` periods exactly on bin ``cycles`` when the
record holds a whole number of periods (*coherent sampling*, IEEE Std 1241-2010 §4.1.4.5); then
no window is needed and every other bin holds only noise and distortion.  A record that is not
coherent leaks the tone into its neighbours, and a window with low side lobes keeps the leak
within a few bins: the 4-term Blackman-Harris window (Harris, Proc. IEEE 66(1), 1978) keeps
every side lobe 92 dB down, so its ±4-bin main lobe holds the tone.

:func:`power_spectrum` scales the bins so that they add up to the record's mean square (a sine
of amplitude ``A`` contributes ``A²/2``); sums of bins are then powers in the signal's units.

Examples
--------
>>> n = 64
>>> x = np.cos(2 * np.pi * 5 * np.arange(n) / n)      # 5 whole periods: coherent
>>> power = power_spectrum(x)
>>> int(np.argmax(power)), round(float(power[5]), 12), round(float(power.sum()), 12)
(5, 0.5, 0.5)
>>> coherent_frequency(48000, 4096, 1000)            # 85 periods: odd, prime to 4096
996.09375
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import as_float64_array, check_int, check_mode, check_positive

# Window name -> half-width of its main lobe in bins (the bins either side of a tone's peak
# that still hold the tone).  Hann's lobe is ±2 bins; 4-term Blackman-Harris's ±4.
WINDOW_LOBES = {"rect": 0, "hann": 2, "blackmanharris": 4}

# Harris (1978), table 1: the minimum 4-term Blackman-Harris window, side lobes at -92 dB.
BLACKMAN_HARRIS_4 = (0.35875, 0.48829, 0.14128, 0.01168)

MIN_RECORD = 16  # the DC bin, a tone, its lobe and its neighbours need at least this many samples


def window_samples(name, n):
    """The ``n`` samples of a periodic (DFT-even) window: ``"rect"``, ``"hann"`` or ``"blackmanharris"``.

    Examples
    --------
    >>> window_samples("hann", 4).tolist()
    [0.0, 0.5, 1.0, 0.5]
    """
    check_mode(name, tuple(WINDOW_LOBES), "window")
    n = check_int(n, "n", low=1)
    phase = 2 * np.pi * np.arange(n) / n
    if name == "rect":
        return np.ones(n)
    if name == "hann":
        return 0.5 - 0.5 * np.cos(phase)
    a0, a1, a2, a3 = BLACKMAN_HARRIS_4
    return a0 - a1 * np.cos(phase) + a2 * np.cos(2 * phase) - a3 * np.cos(3 * phase)


def check_record(x, name="x", *, minimum=MIN_RECORD):
    """``x`` as a 1-D float64 array of at least ``minimum`` finite samples that are not all equal.

    Examples
    --------
    >>> check_record(np.ones(32))
    Traceback (most recent call last):
    ...
    ValueError: x is constant (every sample is 1.0): there is no sine to measure
    """
    record = as_float64_array(x, name)
    if record.ndim != 1:
        raise ValueError(f"{name} must be a 1-D record of samples, got shape {record.shape}")
    if record.size < minimum:
        raise ValueError(f"{name} holds {record.size} samples; this measurement needs at least {minimum}")
    if not np.all(np.isfinite(record)):
        raise ValueError(f"{name} must hold finite samples (no NaN or inf)")
    if np.all(record == record[0]):
        raise ValueError(f"{name} is constant (every sample is {float(record[0])!r}): there is no sine to measure")
    return record


def power_spectrum(x, window="rect"):
    """One-sided power per DFT bin (bins ``0 .. n//2``), scaled so that the bins sum to the mean square.

    With a window ``w`` the bins are ``|DFT(w·x)|² / (n · Σw²)``, doubled except at DC and
    Nyquist: the sum over a tone's lobe is then its power ``A²/2`` whatever the window (up to
    the sliver that leaks beyond the lobe), and white noise keeps its total power too.

    Examples
    --------
    >>> x = 0.5 + np.sin(2 * np.pi * 3 * np.arange(32) / 32)
    >>> power = power_spectrum(x)
    >>> round(float(power[0]), 12), round(float(power[3]), 12)   # DC: 0.5², the sine: 1²/2
    (0.25, 0.5)
    """
    record = as_float64_array(x, "x")
    weights = window_samples(window, record.size)
    bins = np.abs(np.fft.rfft(weights * record)) ** 2 / (record.size * np.sum(weights ** 2))
    bins[1: (record.size + 1) // 2] *= 2  # fold the negative frequencies in; DC and Nyquist stand alone
    return bins


def lobe(center, half_width, n_bins):
    """The bins ``center ± half_width`` that exist in a one-sided spectrum of ``n_bins`` bins.

    Examples
    --------
    >>> lobe(1, 2, 10).tolist()
    [0, 1, 2, 3]
    """
    return np.arange(max(center - half_width, 0), min(center + half_width, n_bins - 1) + 1)


def folded_bin(position, n):
    """The one-sided bin a frequency of ``position`` bins lands on after sampling (aliasing folds it).

    Examples
    --------
    >>> folded_bin(5 * 3, 16), folded_bin(7.4, 16)   # harmonic 5 of bin 3 folds to 1; 7.4 rounds to 7
    (1, 7)
    """
    wrapped = float(position) % n
    return int(round(min(wrapped, n - wrapped)))


def coherent_frequency(rate, n, target):
    """The test frequency nearest ``target`` that puts an odd number of periods, prime to ``n``, in the record.

    ``n`` samples at ``rate`` hold ``cycles = f · n / rate`` periods.  When ``cycles`` is a
    whole number the tone falls exactly on a DFT bin (no leakage, no window needed); when it is
    also prime to ``n`` (odd, for a power-of-two ``n``) the samples visit ``n`` distinct phases
    of the sine, so the quantization error is spread over every code instead of repeating
    (IEEE Std 1241-2010 §4.1.4.5, "coherent sampling").

    Parameters
    ----------
    rate : float
        The sample rate in Hz.
    n : int
        The record length, at least 16 samples.
    target : float
        The frequency wanted, in ``(0, rate/2)`` Hz.

    Examples
    --------
    >>> coherent_frequency(8000, 1024, 1000)       # 128 periods wanted: 127 is the nearest odd one
    992.1875
    >>> coherent_frequency(1000, 30, 100)          # 3 periods share the factor 3 with 30: 1 it is
    33.333333333333336
    """
    rate = check_positive(rate, "rate")
    n = check_int(n, "n", low=MIN_RECORD)
    target = check_positive(target, "target")
    if target >= rate / 2:
        raise ValueError(f"target={target!r} Hz must lie below the Nyquist frequency rate/2 = {rate / 2!r} Hz")
    wanted = target * n / rate
    highest = (n - 1) // 2  # below Nyquist
    radius = 1
    while True:  # widen the search until a window around `wanted` holds an allowed count
        low, high = max(1, math.floor(wanted - radius)), min(highest, math.ceil(wanted + radius))
        allowed = [c for c in range(low, high + 1) if c % 2 == 1 and math.gcd(c, n) == 1]
        if allowed:  # every count outside the window lies farther than `radius` from `wanted`
            return min(allowed, key=lambda c: (abs(c - wanted), c)) * rate / n
        radius *= 2
