"""The sine-wave fit of IEEE Std 1241 (and 1057): what a converter would have output, were it perfect.

A converter under test digitises a pure sine; the sine that best fits the record, in the least
squares sense, is what an ideal converter would have given, and the residual is everything the
real one added (noise, distortion, missing codes).  The record ``x[k]`` at times ``t[k] = k / rate``
is modelled as ::

    x[k] ≈ a·cos(ω t[k]) + b·sin(ω t[k]) + offset = amplitude·cos(ω t[k] + phase) + offset

*Three parameters* (IEEE Std 1241-2010 §4.1.4.3, "known frequency"): with ω known the model is
linear in ``a, b, offset``; one least-squares solve of ``D·[a, b, offset] = x`` with the columns
``D = [cos ωt, sin ωt, 1]`` gives them.

*Four parameters* (§4.1.4.4): ω is unknown too.  Starting from an estimate ``ω₀``, each
iteration linearises the model in ω, adding the column ``t·(b·cos ωt − a·sin ωt)`` (the
derivative with respect to ω) and solving for ``[a, b, offset, Δω]``; ``ω += Δω`` until the
change is negligible.  The start comes from the record's DFT: the peak bin of a Hann-windowed
spectrum and the two-bin interpolation ``δ = (2r − 1)/(r + 1)``, ``r`` the ratio of the larger
neighbour to the peak (Grandke, IEEE Trans. Instrum. Meas. 32(2), 1983), which lands within a
small fraction of a bin, close enough for the iteration to converge.

Examples
--------
>>> t = np.arange(1000) / 8000
>>> x = 0.2 + 0.9 * np.cos(2 * np.pi * 440 * t + 0.3)
>>> fit = sine_fit(x, rate=8000, freq=440)                 # 3 parameters
>>> round(fit.amplitude, 9), round(fit.phase, 9), round(fit.offset, 9)
(0.9, 0.3, 0.2)
>>> round(sine_fit(x, rate=8000).freq, 6)                  # 4 parameters: the frequency found
440.0
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..checks import check_int, check_positive
from .spectrum import check_record, power_spectrum

MIN_SAMPLES_3 = 4    # three unknowns, and at least one sample left over for the residual
MIN_SAMPLES_4 = 16   # the DFT start needs a peak away from DC with neighbours on both sides


@dataclasses.dataclass(frozen=True)
class SineFit:
    """A fitted sine ``amplitude·cos(2π·freq·k/rate + phase) + offset``.

    ``rms_error`` is the root mean square of the residual (the record minus the fitted sine);
    ``iterations`` is 0 for the 3-parameter fit.
    """

    amplitude: float
    phase: float
    offset: float
    freq: float
    rate: float
    rms_error: float
    iterations: int = 0

    def samples(self, n):
        """The fitted sine at the record's first ``n`` sample times."""
        n = check_int(n, "n", low=0)
        t = np.arange(n) / self.rate
        return self.amplitude * np.cos(2 * np.pi * self.freq * t + self.phase) + self.offset


def fit_three(record, rate, freq):
    """The 3-parameter fit at a known ``freq``: ``(a, b, offset, residual)`` by one least-squares solve."""
    omega_t = 2 * np.pi * freq * np.arange(record.size) / rate
    columns = np.column_stack([np.cos(omega_t), np.sin(omega_t), np.ones(record.size)])
    (a, b, offset), *_ = np.linalg.lstsq(columns, record, rcond=None)
    return a, b, offset, record - columns @ np.array([a, b, offset])


def dft_frequency_estimate(record, rate):
    """A starting frequency for the 4-parameter fit: the Hann-windowed DFT peak, interpolated."""
    power = power_spectrum(record - record.mean(), window="hann")
    peak = int(np.argmax(power[1:-1])) + 1  # neither DC nor the Nyquist bin
    neighbour = peak + 1 if power[peak + 1] >= power[peak - 1] else peak - 1
    ratio = math.sqrt(power[neighbour] / power[peak])
    shift = (2 * ratio - 1) / (ratio + 1)  # Grandke's interpolation for the Hann window
    position = peak + max(shift, 0.0) * (neighbour - peak)
    return position * rate / record.size


def fit_four(record, rate, freq_start, *, tolerance=1e-12, max_iterations=50):
    """The 4-parameter fit from ``freq_start``: ``(a, b, offset, freq, residual, iterations)``."""
    k = np.arange(record.size)
    a, b, offset, _ = fit_three(record, rate, freq_start)
    omega = 2 * np.pi * freq_start / rate  # radians per sample, so the time column stays well scaled
    for iteration in range(1, max_iterations + 1):
        phase = omega * k
        cos, sin = np.cos(phase), np.sin(phase)
        columns = np.column_stack([cos, sin, np.ones(record.size), k * (b * cos - a * sin)])
        (a, b, offset, step), *_ = np.linalg.lstsq(columns, record, rcond=None)
        omega += step
        if not 0 < omega < np.pi:
            break
        if abs(step) <= tolerance * omega:
            a, b, offset, residual = fit_three(record, rate, omega * rate / (2 * np.pi))
            return a, b, offset, omega * rate / (2 * np.pi), residual, iteration
    raise ValueError(f"the 4-parameter sine fit did not converge from {freq_start!r} Hz in {max_iterations} "
                     "iterations; pass freq= (3-parameter fit) or a record holding a clearer sine")


def sine_fit(x, rate, freq=None, *, tolerance=1e-12, max_iterations=50):
    """Fit a sine to the record ``x`` sampled at ``rate``: 3 parameters when ``freq`` is given, else 4.

    Parameters
    ----------
    x : array_like
        The record, 1-D; at least 4 samples (3-parameter) or 16 (4-parameter), not constant.
    rate : float
        The sample rate in Hz.
    freq : float, optional
        The sine's frequency in Hz, in ``(0, rate/2)``.  Given, the fit is the linear
        3-parameter one (IEEE Std 1241-2010 §4.1.4.3); omitted, the frequency is estimated too,
        by the iterated 4-parameter fit (§4.1.4.4).
    tolerance : float
        The 4-parameter fit stops when a step changes the frequency by less than this fraction.
    max_iterations : int
        More than this many steps raises ``ValueError``.

    Returns
    -------
    SineFit

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(4096) / 48000
    >>> x = 0.5 * np.sin(2 * np.pi * 1234.5 * t) + rng.normal(0, 0.01, t.size)
    >>> fit = sine_fit(x, rate=48000)
    >>> round(fit.freq, 1), round(fit.amplitude, 3), round(fit.rms_error, 3)
    (1234.5, 0.5, 0.01)
    >>> sine_fit(x[:3], rate=48000, freq=1000)
    Traceback (most recent call last):
    ...
    ValueError: x holds 3 samples; this measurement needs at least 4
    """
    rate = check_positive(rate, "rate")
    tolerance = check_positive(tolerance, "tolerance")
    max_iterations = check_int(max_iterations, "max_iterations", low=1)
    if freq is None:
        record = check_record(x, minimum=MIN_SAMPLES_4)
        start = dft_frequency_estimate(record, rate)
        a, b, offset, freq, residual, iterations = fit_four(record, rate, start, tolerance=tolerance,
                                                            max_iterations=max_iterations)
    else:
        record = check_record(x, minimum=MIN_SAMPLES_3)
        freq = check_positive(freq, "freq")
        if freq >= rate / 2:
            raise ValueError(f"freq={freq!r} Hz is not below the Nyquist frequency rate/2 = {rate / 2!r} Hz; "
                             "a sampled sine's frequency lies in (0, rate/2)")
        (a, b, offset, residual), iterations = fit_three(record, rate, freq), 0
    return SineFit(amplitude=float(math.hypot(a, b)), phase=float(math.atan2(-b, a)), offset=float(offset),
                   freq=float(freq), rate=rate, rms_error=float(np.sqrt(np.mean(residual ** 2))),
                   iterations=iterations)
