"""Noise shaping and sigma-delta: the loop against a per-sample loop over Quantizer, the in-band
noise against the exact integral (checked by scipy's quad), sigma-delta against its theory."""

import math

import numpy as np
import pytest

import numformat as nf
from numformat import adc


def reference_noise_shape(x, quantizer, order, dither):
    """The same loop written with numformat's Quantizer, one sample at a time (slow, obvious)."""
    taps = [math.comb(order, k) * (-1) ** k for k in range(1, order + 1)]
    errors = [0.0] * order
    output = np.empty_like(x)
    for n in range(x.size):
        wanted = x[n] + sum(tap * error for tap, error in zip(taps, errors))
        output[n] = quantizer.quantize(wanted + dither[n])
        errors = [output[n] - wanted] + errors[:-1]
    return output


@pytest.mark.parametrize("kind", nf.QUANTIZER_KINDS)
@pytest.mark.parametrize("order", [0, 1, 2])
def test_noise_shape_matches_a_loop_over_quantizer(rng, kind, order):
    quantizer = nf.Quantizer(6, full_scale=2.0, kind=kind)
    x = 1.5 * np.sin(2 * np.pi * 0.013 * np.arange(3000)) + rng.normal(0, 0.01, 3000)
    x[::97] = np.round(x[::97] / quantizer.step) * quantizer.step + quantizer.step / 2  # ties on purpose
    dither = nf.tpdf_dither(x.shape, quantizer.step, rng=7)
    ours = adc.noise_shape(x, quantizer, order, rng=7)
    np.testing.assert_array_equal(ours, reference_noise_shape(x, quantizer, order, dither))
    undithered = adc.noise_shape(x, quantizer, order, dither=False)
    np.testing.assert_array_equal(undithered, reference_noise_shape(x, quantizer, order, np.zeros_like(x)))
    np.testing.assert_array_equal(quantizer.quantize(ours), ours)  # every output is a level


@pytest.mark.parametrize("order", range(0, 6))
@pytest.mark.parametrize("osr", [1, 2, 4, 8, 64, 100.5])
def test_inband_noise_fraction_matches_scipy_quad(order, osr):
    from scipy.integrate import quad

    exact, _ = quad(lambda w: (2 * math.sin(w / 2)) ** (2 * order), 0, math.pi / osr, epsabs=0, epsrel=1e-13)
    assert adc.inband_noise_fraction(order, osr) == pytest.approx(exact / math.pi, rel=1e-10)


def test_inband_noise_fraction_tends_to_the_textbook_formula():
    for order in (1, 2):
        textbook = math.pi ** (2 * order) / ((2 * order + 1) * 1024 ** (2 * order + 1))
        assert adc.inband_noise_fraction(order, 1024) == pytest.approx(textbook, rel=1e-5)


def test_noise_shaping_moves_noise_out_of_the_band():
    """8-bit requantization with TPDF dither: the in-band SNR rises with the order, as the model says."""
    n, osr = 2 ** 15, 8
    freq = adc.coherent_frequency(1.0, n, 0.01)
    x = 0.5 * np.sin(2 * np.pi * freq * np.arange(n))
    quantizer = nf.Quantizer(8)
    inband, total = [], []
    for order in (0, 1, 2):
        y = adc.noise_shape(x, quantizer, order, rng=order)
        inband.append(adc.sinad_db(y, 1.0, window="hann", band=1 / (2 * osr)))
        total.append(adc.sinad_db(y, 1.0, window="hann"))
        # dithered error: step²/12 of rounding plus step²/6 of TPDF dither = step²/12 · 3
        model = adc.theoretical_inband_sqnr_db(order, osr, amplitude=0.5, step=quantizer.step * math.sqrt(3))
        assert inband[-1] == pytest.approx(model, abs=0.5)
    assert inband[0] < inband[1] - 10 < inband[2] - 20
    assert total[0] > total[1] > total[2]  # more noise in all, pushed above the band


def in_band_sqnr(order, osr, *, n=2 ** 17, amplitude=0.25, dither=0.0):
    freq = adc.coherent_frequency(1.0, n, 1 / (2 * osr) / 5)
    x = amplitude * np.sin(2 * np.pi * freq * np.arange(n))
    return adc.inband_sqnr_db(adc.sigma_delta_modulate(x, order, dither=dither, rng=1), osr)


@pytest.mark.parametrize("order, dither", [(1, 0.75), (2, 0.0)])
def test_sigma_delta_reaches_its_theoretical_inband_sqnr_at_64x(order, dither):
    measured = in_band_sqnr(order, 64, dither=dither)
    model = adc.theoretical_inband_sqnr_db(order, 64, amplitude=0.25, step=2.0)
    assert measured == pytest.approx(model, abs=2.0)


@pytest.mark.parametrize("order, dither, db_per_doubling", [(1, 0.75, 9.0), (2, 0.0, 15.0)])
def test_sigma_delta_gains_9_or_15_db_per_doubling_of_the_rate(order, dither, db_per_doubling):
    slow, fast = in_band_sqnr(order, 32, dither=dither), in_band_sqnr(order, 128, dither=dither)
    assert (fast - slow) / 2 == pytest.approx(db_per_doubling, abs=1.0)


def test_decimated_output_keeps_the_inband_sqnr():
    n, osr = 1024, 64
    freq = adc.coherent_frequency(1.0, n, 0.02)
    x = 0.25 * np.sin(2 * np.pi * freq * np.arange(n))
    result = adc.sigma_delta(x, order=2, osr=osr)
    assert result.bitstream.dtype == np.int8 and set(np.unique(result.bitstream).tolist()) == {-1, 1}
    assert result.decimated.shape == x.shape and result.oversampled.shape == (n * osr,)
    inner = result.decimated[64:-64]  # the FIR filter's start-up and run-out at the ends are not the signal
    assert adc.sinad_db(inner, 1.0, window="blackmanharris") == pytest.approx(
        adc.inband_sqnr_db(result.bitstream, osr), abs=2.0)


def test_a_bitstream_averages_to_its_input():
    bits = adc.sigma_delta_modulate(np.full(4096, -0.3), order=1)
    assert bits.mean() == pytest.approx(-0.3, abs=1 / 4096 + 1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.noise_shape(np.zeros(4), nf.Quantizer(8), order=3), ValueError, "order=3 is not supported; use 0 to 2"),
    (lambda: adc.noise_shape(np.zeros(4), nf.Quantizer(8, rounding="floor")), ValueError, "rounding='nearest_even'"),
    (lambda: adc.noise_shape(np.zeros(4), 8), TypeError, "quantizer must be a numformat Quantizer, got int"),
    (lambda: adc.noise_shape(np.zeros(4), nf.Quantizer(8), dither=1), TypeError, "dither must be True or False"),
    (lambda: adc.noise_shape(np.zeros((2, 2)), nf.Quantizer(8)), ValueError, "x must be a 1-D record"),
    (lambda: adc.noise_shape([0.0, np.nan], nf.Quantizer(8)), ValueError, "finite samples"),
    (lambda: adc.sigma_delta_modulate(np.full(4, 1.0)), ValueError, "x reaches 1.0; a one-bit modulator's input"),
    (lambda: adc.sigma_delta_modulate(np.zeros(4), order=3), ValueError, "order=3 is not supported; use 1 to 2"),
    (lambda: adc.sigma_delta_modulate(np.zeros(4), dither=2.0), ValueError, "dither=2.0 must lie in"),
    (lambda: adc.sigma_delta(np.zeros(4), osr=1), ValueError, "osr=1 must be at least 2"),
    (lambda: adc.decimate(np.ones(64), osr=4.0), TypeError, "osr must be an int"),
    (lambda: adc.inband_noise_fraction(1, 0.5), ValueError, "osr=0.5 must be at least 1"),
    (lambda: adc.theoretical_inband_sqnr_db(1, 64, amplitude=0, step=2.0), ValueError, "amplitude=0 must be positive"),
])
def test_shaping_refuses_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
