"""Measuring a converter on 10^6 samples: the 4-parameter sine fit against scipy's least squares, the
histogram test against plain numpy, the spectrum measures against scipy's periodogram."""

import numpy as np

import numformat as nf
from numformat import adc
from run import Case


def _record(size, bits):
    """An overdriven, slightly noisy sine through a ``bits``-bit converter: codes and their values."""
    freq = adc.coherent_frequency(1.0, size, 0.0123)
    x = 1.02 * np.sin(2 * np.pi * freq * np.arange(size) + 0.3) + np.random.default_rng(0).normal(0, 1e-4, size)
    quantizer = nf.Quantizer(bits)
    return quantizer.encode(x), quantizer.quantize(x)


def _scipy_four_parameter_fit(values, start):
    """The same model fitted by scipy's trust-region least squares from the same start."""
    from scipy.optimize import least_squares

    k = np.arange(values.size)

    def residual(p):
        return p[0] * np.cos(2 * np.pi * p[3] * k + p[1]) + p[2] - values

    return least_squares(residual, start, x_scale=[1, 1, 1, start[3]], xtol=1e-12, ftol=1e-12).x


def _same_fit(ours, reference):
    assert abs(ours.freq - reference[3]) <= 1e-9 * ours.freq
    assert abs(ours.amplitude - reference[0]) <= 1e-7 and abs(ours.offset - reference[2]) <= 1e-7


def _numpy_histogram_dnl(codes, bits):
    """What one writes by hand: np.histogram, the cumulative share, the arcsine inversion, diff."""
    counts, _ = np.histogram(codes, bins=np.arange(-(2 ** (bits - 1)), 2 ** (bits - 1) + 1) - 0.5)
    transitions = -np.cos(np.pi * np.cumsum(counts)[:-1] / counts.sum())
    widths = np.diff(transitions)
    return widths / widths.mean() - 1


def _scipy_sinad(values):
    from scipy.signal import periodogram

    _, power = periodogram(values - values.mean(), fs=values.size, window="boxcar", detrend=False, scaling="density")
    tone = int(np.argmax(power))
    return 10 * np.log10(power[tone] / (power.sum() - power[tone] - power[0]))


def cases(quick=False):
    size = 4_096 if quick else 1_000_000
    codes, values = _record(size, 12)
    start = adc.sine_fit(values[:4096], 1.0)  # the reference starts where ours ends on a short piece
    start_params = [start.amplitude, start.phase, start.offset, start.freq]
    return [
        Case("`sine_fit(x, rate)` 4-parameter, 10^6 samples", lambda: adc.sine_fit(values, 1.0),
             "scipy `least_squares`, same model", lambda: _scipy_four_parameter_fit(values, start_params),
             goal_ratio=1.0, check=_same_fit, repeats=3),
        Case("`histogram_test(codes, 12)`, 10^6 codes", lambda: adc.histogram_test(codes, 12, amplitude=1.02),
             "numpy `histogram`, `cumsum`, `cos`", lambda: _numpy_histogram_dnl(codes, 12), goal_ratio=1.0,
             check=lambda ours, theirs: np.testing.assert_allclose(ours.dnl, theirs, atol=1e-9)),
        Case("`sinad_db(x, rate)`, 10^6 samples", lambda: adc.sinad_db(values, 1.0),
             "scipy `periodogram`", lambda: _scipy_sinad(values), goal_ratio=2.0,
             check=lambda ours, theirs: np.testing.assert_allclose(ours, theirs, rtol=1e-9)),
    ]
