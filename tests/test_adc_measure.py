"""Measuring converters (IEEE Std 1241): the sine fit, the dynamic measures, the histogram test, the model.

Oracles: scipy's least squares for the fits, scipy's periodogram for the spectrum, brute force for
the coherent frequency, the non-ideal ADC's known transition levels for the histogram test, and the
textbook formulas (6.02·N + 1.76 dB, jitter's −20·log10(2π·f·σ)) for the dynamic measures.
"""

import math

import numpy as np
import pytest

import numformat as nf
from numformat import adc

RATE = 48000.0


def coherent_sine(n, target, *, amplitude=1.0, offset=0.0, phase=0.0, rate=RATE):
    freq = adc.coherent_frequency(rate, n, target)
    return freq, offset + amplitude * np.cos(2 * np.pi * freq * np.arange(n) / rate + phase)


# ---------------------------------------------------------------- sine fit


@pytest.mark.parametrize("trial", range(5))
def test_three_parameter_fit_matches_scipy_least_squares(rng, trial):
    from scipy.optimize import least_squares

    n, freq = 500 + 97 * trial, 1000 + 371.5 * trial
    amplitude, phase, offset = rng.uniform(0.1, 2), rng.uniform(-3, 3), rng.uniform(-1, 1)
    k = np.arange(n)
    x = offset + amplitude * np.cos(2 * np.pi * freq * k / RATE + phase) + rng.normal(0, 0.05, n)
    fit = adc.sine_fit(x, RATE, freq=freq)

    def residual(p):
        return p[0] * np.cos(2 * np.pi * freq * k / RATE + p[1]) + p[2] - x

    reference = least_squares(residual, [1.0, 0.0, 0.0], xtol=1e-15, ftol=1e-15, gtol=1e-15).x
    ours = np.array([fit.amplitude, fit.phase, fit.offset])
    reference[1] = (reference[1] + np.pi) % (2 * np.pi) - np.pi  # phases compare modulo 2π
    if reference[0] < 0:
        reference[:2] = -reference[0], (reference[1] + 2 * np.pi) % (2 * np.pi) - np.pi
    np.testing.assert_allclose(ours, reference, rtol=0, atol=1e-7)  # scipy iterates to ~1e-9


@pytest.mark.parametrize("cycles", [2.5, 7.3, 31.0, 100.77])
def test_four_parameter_fit_matches_scipy_least_squares(rng, cycles):
    from scipy.optimize import least_squares

    n = 1024
    freq = cycles * RATE / n
    k = np.arange(n)
    x = 0.3 + 0.8 * np.sin(2 * np.pi * freq * k / RATE + 0.4) + rng.normal(0, 0.02, n)
    fit = adc.sine_fit(x, RATE)

    def residual(p):
        return p[0] * np.cos(2 * np.pi * p[3] * k / RATE + p[1]) + p[2] - x

    start = [fit.amplitude * 0.9, fit.phase + 0.05, 0.0, fit.freq * (1 + 1e-4)]
    reference = least_squares(residual, start, x_scale=[1, 1, 1, freq], xtol=1e-15, ftol=1e-15, gtol=1e-15).x
    assert fit.freq == pytest.approx(reference[3], rel=1e-9)
    assert fit.amplitude == pytest.approx(reference[0], abs=1e-8)
    assert fit.offset == pytest.approx(reference[2], abs=1e-8)
    assert math.remainder(fit.phase - reference[1], 2 * math.pi) == pytest.approx(0, abs=1e-7)
    assert fit.rms_error == pytest.approx(np.sqrt(np.mean(residual(reference) ** 2)), rel=1e-9)


@pytest.mark.parametrize("trial", range(10))
def test_sine_fit_recovers_a_known_sine_in_noise(rng, trial):
    n = 4096
    freq = rng.uniform(50, RATE / 2 - 50)
    amplitude, phase, offset, sigma = rng.uniform(0.2, 1), rng.uniform(-3, 3), rng.uniform(-0.5, 0.5), 0.01
    x = offset + amplitude * np.cos(2 * np.pi * freq * np.arange(n) / RATE + phase) + rng.normal(0, sigma, n)
    bound = 6 * sigma / np.sqrt(n)  # each estimate's standard error is about σ·√(2/n) or less
    for fit in (adc.sine_fit(x, RATE, freq=freq), adc.sine_fit(x, RATE)):
        assert abs(fit.amplitude - amplitude) < 2 * bound
        assert abs(fit.offset - offset) < bound
        assert abs(math.remainder(fit.phase - phase, 2 * math.pi)) < 2 * bound / amplitude * 10
        assert fit.freq == pytest.approx(freq, abs=RATE / n * 1e-3)
        assert fit.rms_error == pytest.approx(sigma, rel=0.05)
        assert fit.rms_error == pytest.approx(np.sqrt(np.mean((x - fit.samples(n)) ** 2)), rel=1e-9)


def test_sine_fit_is_exact_on_a_clean_sine():
    t = np.arange(100) / 1000
    x = -0.1 + 0.5 * np.cos(2 * np.pi * 123.0 * t - 1.0)
    fit = adc.sine_fit(x, 1000, freq=123.0)
    assert (fit.amplitude, fit.phase, fit.offset) == pytest.approx((0.5, -1.0, -0.1), abs=1e-12)
    assert fit.rms_error < 1e-13 and fit.iterations == 0
    assert adc.sine_fit(x, 1000).freq == pytest.approx(123.0, rel=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.sine_fit(np.ones(3), 1000, freq=10), ValueError, "x holds 3 samples; this measurement needs at least 4"),
    (lambda: adc.sine_fit(np.sin(np.arange(10)), 1000), ValueError, "x holds 10 samples; this measurement needs at least 16"),
    (lambda: adc.sine_fit(np.sin(np.arange(64)), 1000, freq=600), ValueError, "freq=600.0 Hz is not below the Nyquist"),
    (lambda: adc.sine_fit(np.full(64, 0.5), 1000), ValueError, "x is constant (every sample is 0.5)"),
    (lambda: adc.sine_fit(np.full(64, 0.5), 1000, freq=10), ValueError, "x is constant"),
    (lambda: adc.sine_fit(np.ones((4, 16)), 1000), ValueError, "x must be a 1-D record"),
    (lambda: adc.sine_fit([0.0, np.nan, 1.0, 2.0], 1000, freq=10), ValueError, "finite samples"),
    (lambda: adc.sine_fit(np.sin(np.arange(64)), -1), ValueError, "rate=-1 must be positive"),
    (lambda: adc.sine_fit(np.sin(np.arange(64)), "8000"), TypeError, "rate must be a real number"),
    (lambda: adc.sine_fit(np.sin(np.arange(64)), 1000, freq=0), ValueError, "freq=0 must be positive"),
    (lambda: adc.sine_fit("abc", 1000), TypeError, "x must be real numbers"),
])
def test_sine_fit_refuses_bad_input(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


# ---------------------------------------------------------------- spectrum and coherent sampling


@pytest.mark.parametrize("window", list(adc.WINDOW_LOBES))
@pytest.mark.parametrize("n", [64, 1001, 4096])
def test_power_spectrum_matches_scipy_periodogram(rng, window, n):
    from scipy.signal import get_window, periodogram

    x = rng.normal(size=n)
    scipy_window = "boxcar" if window == "rect" else window
    _, reference = periodogram(x, fs=n, window=get_window(scipy_window, n, fftbins=True), detrend=False,
                               scaling="density")
    np.testing.assert_allclose(adc.power_spectrum(x, window), reference, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(adc.window_samples(window, n), get_window(scipy_window, n, fftbins=True), atol=1e-15)


@pytest.mark.parametrize("n", [16, 30, 97, 1000, 1024, 4096])
def test_coherent_frequency_matches_brute_force(n):
    rate = 1000.0
    allowed = [c for c in range(1, (n - 1) // 2 + 1) if c % 2 == 1 and math.gcd(c, n) == 1]
    for target in np.linspace(rate / n / 3, rate / 2 * 0.999, 37):
        best = min(allowed, key=lambda c: (abs(c - target * n / rate), c))
        assert adc.coherent_frequency(rate, n, target) == best * rate / n


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.coherent_frequency(8000, 1024, 4000), ValueError, "target=4000.0 Hz must lie below the Nyquist"),
    (lambda: adc.coherent_frequency(8000, 8, 1000), ValueError, "n=8 must be at least 16"),
    (lambda: adc.coherent_frequency(8000, 1024.0, 1000), TypeError, "n must be an int"),
    (lambda: adc.power_spectrum(np.ones(8), "hamming"), ValueError, "window='hamming' is not a known mode"),
])
def test_spectrum_helpers_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- dynamic measures


@pytest.mark.parametrize("bits", range(4, 21))
def test_enob_of_an_ideal_quantizer_is_within_a_tenth_of_a_bit(bits):
    quantizer = nf.Quantizer(bits)
    n = 2 ** 14
    # the largest sine that never clips: it reaches the top level's upper decision threshold
    _, x = coherent_sine(n, 997, amplitude=1 - quantizer.step / 2)
    measures = adc.analyze_tone(quantizer.quantize(x), RATE, full_scale=1.0)
    assert abs(measures.enob - bits) < 0.1
    assert abs(measures.sinad_db - nf.theoretical_sqnr_db(bits) - 20 * np.log10(measures.amplitude)) < 0.6


def test_sinad_matches_the_sine_fit_residual():
    """Two routes to one number: the spectrum's bookkeeping and IEEE 1241's fitted-sine residual."""
    for bits in (6, 10, 14):
        freq, x = coherent_sine(8192, 3000, amplitude=0.9, phase=0.3)
        codes = nf.Quantizer(bits).quantize(x)
        fit = adc.sine_fit(codes, RATE, freq=freq)
        fitted_sinad = 20 * np.log10(fit.amplitude / np.sqrt(2) / fit.rms_error)
        assert adc.sinad_db(codes, RATE) == pytest.approx(fitted_sinad, abs=1e-6)
        assert adc.enob(codes, RATE) == pytest.approx(adc.enob_from_sinad(fitted_sinad), abs=1e-6)


@pytest.mark.parametrize("window, rel", [("rect", 1e-9), ("blackmanharris", 2e-3)])
def test_thd_is_the_distortion_put_in(rng, window, rel):
    n = 8192
    cycles = 301 if window == "rect" else 301.37  # coherent, or not (then a window is needed)
    k = np.arange(n)
    levels = {2: 1e-3, 3: 3e-4, 5: 1e-4, 6: 2e-5, 7: 1e-3}  # harmonic 7 lies beyond the default six
    x = np.sin(2 * np.pi * cycles * k / n)
    for order, level in levels.items():
        x += level * np.sin(2 * np.pi * order * cycles * k / n + order)
    expected = 10 * np.log10(sum(level ** 2 for order, level in levels.items() if order <= 6))
    thd = adc.thd_db(x, float(n), window=window)
    assert 10 ** (thd / 10) == pytest.approx(10 ** (expected / 10), rel=rel)
    with_seventh = adc.thd_db(x, float(n), window=window, harmonics=7)
    assert 10 ** (with_seventh / 10) == pytest.approx(10 ** (expected / 10) + 1e-6, rel=rel)


def test_thd_follows_harmonics_that_alias():
    n = 4096
    cycles = 1601  # its 2nd harmonic (3202) folds to bin 894, its 3rd (4803) to 707
    k = np.arange(n)
    x = np.sin(2 * np.pi * cycles * k / n) + 0.01 * np.sin(2 * np.pi * 2 * cycles * k / n)
    x += 0.003 * np.sin(2 * np.pi * 3 * cycles * k / n)
    measures = adc.analyze_tone(x, float(n))
    assert 10 ** (measures.thd_db / 10) == pytest.approx(0.01 ** 2 + 0.003 ** 2, rel=1e-9)
    assert measures.spur_freq == nf.alias_frequency(2 * cycles, n)


@pytest.mark.parametrize("window, abs_db", [("rect", 1e-9), ("blackmanharris", 0.02)])
def test_sfdr_finds_a_known_spur(rng, window, abs_db):
    n = 8192
    cycles, spur_cycles = (411, 1234) if window == "rect" else (411.4, 1234.6)
    k = np.arange(n)
    x = 0.7 * np.sin(2 * np.pi * cycles * k / n) + 0.7e-4 * np.cos(2 * np.pi * spur_cycles * k / n)
    x += rng.normal(0, 1e-7, n)
    measures = adc.analyze_tone(x, float(n), window=window)
    assert measures.sfdr_db == pytest.approx(80.0, abs=abs_db + 1e-3)
    assert measures.spur_freq == pytest.approx(spur_cycles, abs=1)
    assert measures.freq == pytest.approx(cycles, abs=0.05)


def test_snr_leaves_the_harmonics_out(rng):
    n, sigma = 2 ** 14, 1e-3
    freq, x = coherent_sine(n, 1000)
    x = x + 0.01 * np.cos(2 * np.pi * 3 * freq * np.arange(n) / RATE) + rng.normal(0, sigma, n)
    measures = adc.analyze_tone(x, RATE)
    assert measures.snr_db == pytest.approx(10 * np.log10(0.5 / sigma ** 2), abs=0.1)
    assert measures.sinad_db == pytest.approx(10 * np.log10(0.5 / (sigma ** 2 + 0.01 ** 2 / 2)), abs=0.1)
    assert measures.thd_db == pytest.approx(-40.0, abs=0.05)
    assert adc.snr_db(x, RATE) == measures.snr_db and adc.sfdr_db(x, RATE) == measures.sfdr_db


def test_a_band_limits_what_counts_as_noise(rng):
    n = 2 ** 14
    freq, x = coherent_sine(n, 1000)
    high_noise = np.fft.irfft(np.where(np.arange(n // 2 + 1) > n // 4, 1.0, 0.0) * np.exp(2j * np.pi * rng.random(n // 2 + 1)), n)
    x = x + 0.01 * high_noise / high_noise.std()
    assert adc.sinad_db(x, RATE) == pytest.approx(10 * np.log10(0.5 / 1e-4), abs=0.05)
    assert adc.sinad_db(x, RATE, band=RATE / 4 - 10) > 250  # nothing left in the band but rounding


def test_a_large_offset_does_not_hide_a_small_tone(rng):
    n = 4096
    k = np.arange(n)
    x = 5.0 + 0.01 * np.sin(2 * np.pi * 100.3 * k / n) + rng.normal(0, 1e-5, n)
    measures = adc.analyze_tone(x, float(n), window="blackmanharris")
    assert measures.freq == pytest.approx(100.3, abs=0.05)
    assert measures.amplitude == pytest.approx(0.01, rel=0.01)
    assert measures.snr_db == pytest.approx(10 * np.log10(0.01 ** 2 / 2 / 1e-10), abs=0.3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.sinad_db(np.ones(64), RATE), ValueError, "x is constant"),
    (lambda: adc.enob(np.sin(np.arange(8)), RATE), ValueError, "x holds 8 samples; this measurement needs at least 16"),
    (lambda: adc.thd_db(np.sin(np.arange(64)), 1000, freq=700), ValueError, "freq=700.0 Hz is not below the Nyquist"),
    (lambda: adc.sfdr_db(np.sin(np.arange(64)), 1000, window="flat"), ValueError, "window='flat' is not a known mode"),
    (lambda: adc.snr_db(np.sin(np.arange(64)), 1000, harmonics=1), ValueError, "harmonics=1 must be at least 2"),
    (lambda: adc.sinad_db(np.cos(2 * np.pi * np.arange(64) / 64), 64.0, window="blackmanharris"), ValueError,
     "inside the DC lobe"),
    (lambda: adc.sinad_db(np.array([1.0, 0.0, -1.0, 0.0] * 8), 32.0), ValueError, "SINAD is infinite"),
    (lambda: adc.enob_from_sinad(50.0, amplitude=0.5), ValueError, "amplitude and full_scale go together"),
])
def test_dynamic_measures_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- the non-ideal model


def test_an_error_free_model_is_the_ideal_quantizer(rng):
    x = np.concatenate([rng.uniform(-1.2, 1.2, 10 ** 5), (np.arange(-256, 256) + 0.5) / 256])  # ties included
    for bits in (3, 9):
        model = adc.NonIdealADC(bits)
        expected = nf.Quantizer(bits, rounding="nearest_up").encode(x)  # ties up, as the model's ``side='right'``
        np.testing.assert_array_equal(model.convert(x), expected)
        lin = model.linearity()
        assert lin.max_dnl == 0 and lin.max_inl == 0 and lin.missing_codes == []


def test_model_transitions_carry_each_error():
    ideal = adc.NonIdealADC(6).transitions
    step = 1 / 32
    np.testing.assert_allclose(adc.NonIdealADC(6, offset=0.01).transitions, ideal + 0.01, atol=1e-15)
    np.testing.assert_allclose(adc.NonIdealADC(6, gain_error=-0.02).transitions, ideal * 0.98, atol=1e-15)
    bowed = adc.NonIdealADC(6, inl_bow=2.0)
    assert (bowed.transitions - ideal)[[0, -1]].tolist() == [0.0, 0.0]
    assert np.max(bowed.transitions - ideal) == pytest.approx(2.0 * step, rel=1e-3)
    lin = adc.NonIdealADC(6, offset=0.01, gain_error=0.03, inl_bow=2.0, missing_codes=(5, -7)).linearity()
    assert lin.missing_codes == [-7, 5]
    assert lin.dnl[lin.codes == 5].tolist() == [-1.0]


def test_jitter_limits_snr_as_theory_says(rng):
    n, sigma = 2 ** 14, 2e-7
    freq = adc.coherent_frequency(RATE, n, 15000)
    model = adc.NonIdealADC(20, jitter_rms=sigma)
    codes = model.sample(lambda t: 0.9 * np.sin(2 * np.pi * freq * t), RATE, n, rng=rng)
    assert adc.snr_db(codes, RATE) == pytest.approx(-20 * np.log10(2 * np.pi * freq * sigma), abs=0.3)


def test_thermal_noise_limits_snr_as_theory_says(rng):
    n, sigma = 2 ** 14, 1e-3
    freq = adc.coherent_frequency(RATE, n, 1000)
    model = adc.NonIdealADC(20, noise_rms=sigma)
    values = model.decode(model.sample(lambda t: 0.9 * np.sin(2 * np.pi * freq * t), RATE, n, rng=rng))
    assert adc.snr_db(values, RATE) == pytest.approx(10 * np.log10(0.9 ** 2 / 2 / sigma ** 2), abs=0.1)


# ---------------------------------------------------------------- the histogram test


def overdriven_codes(converter, bits, n=2 ** 18, amplitude=1.05):
    freq = adc.coherent_frequency(1.0, n, 0.0123)
    x = amplitude * np.sin(2 * np.pi * freq * np.arange(n))
    return converter(x)


@pytest.mark.parametrize("bits", [4, 8, 10])
def test_histogram_test_of_an_ideal_quantizer_finds_no_nonlinearity(bits):
    result = adc.histogram_test(overdriven_codes(nf.Quantizer(bits).encode, bits), bits, amplitude=1.05,
                                full_scale=1.0)
    assert result.max_dnl < 0.05 and result.max_inl < 0.05 and result.missing_codes == []
    ideal = nf.Quantizer(bits)
    np.testing.assert_allclose(result.transitions, (ideal.codes[:-1] + 0.5) * ideal.step, atol=0.05 * ideal.step)
    assert abs(result.offset_error) < 0.05 * ideal.step and abs(result.gain_error) < 1e-3
    assert result.counts.sum() == 2 ** 18


def test_histogram_test_recovers_the_model_errors():
    model = adc.NonIdealADC(8, offset=0.004, gain_error=-0.015, inl_bow=1.5, missing_codes=(17, -60))
    result = adc.histogram_test(overdriven_codes(model.convert, 8), 8, amplitude=1.05, full_scale=1.0)
    truth = model.linearity()
    assert result.missing_codes == truth.missing_codes == [-60, 17]
    np.testing.assert_allclose(result.dnl, truth.dnl, atol=0.03)
    np.testing.assert_allclose(result.inl, truth.inl, atol=0.03)
    np.testing.assert_allclose(result.transitions, model.transitions, atol=0.03 * model.ideal.step)
    assert result.max_inl == pytest.approx(1.5, abs=0.05)
    assert result.offset_error == pytest.approx(0.004, abs=0.03 * model.ideal.step)
    assert result.gain_error == pytest.approx(-0.015, abs=2e-4)


def test_histogram_test_blurs_but_keeps_dnl_under_thermal_noise(rng):
    model = adc.NonIdealADC(8, inl_bow=1.0, noise_rms=0.3 / 128)  # 0.3 LSB of noise
    codes = overdriven_codes(lambda x: model.convert(x, rng=rng), 8)
    result = adc.histogram_test(codes, 8, amplitude=1.05)
    np.testing.assert_allclose(result.inl, model.linearity().inl, atol=0.1)


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.histogram_test(np.zeros(100, dtype=int), 8), ValueError, "the sine must overdrive both ends"),
    (lambda: adc.histogram_test(np.zeros(100), 8), TypeError, "codes must be integers"),
    (lambda: adc.histogram_test(np.array([-9, 7]), 4), ValueError, r"codes must lie in \[-8, 7\]"),
    (lambda: adc.histogram_test(np.array([-8, 7]), 30), ValueError, "bits=30 is not supported; use 2 to 24"),
    (lambda: adc.histogram_test(np.array([-8, 7]), 4, amplitude=0), ValueError, "amplitude=0 must be positive"),
    (lambda: adc.NonIdealADC(4, missing_codes=(7,)), ValueError, "missing_codes=7 is not supported; use -7 to 6"),
    (lambda: adc.NonIdealADC(4, inl_bow=20.0), ValueError, "bends the transfer curve back"),
    (lambda: adc.NonIdealADC(4, jitter_rms=-1e-9), ValueError, "jitter_rms=-1e-09 must lie in"),
    (lambda: adc.NonIdealADC(4, gain_error=-1.0), ValueError, "gain_error=-1.0 must lie in"),
    (lambda: adc.NonIdealADC(4).convert([np.inf]), ValueError, "finite input values"),
    (lambda: adc.linearity(np.zeros(5), 3), ValueError, "a 3-bit converter has 7 transition levels"),
])
def test_static_measures_refuse_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- figures


def test_measurement_figures_draw_the_library_values(plots):
    freq, x = coherent_sine(4096, 1000, amplitude=0.9)
    codes = nf.Quantizer(8).quantize(x)
    fit = adc.sine_fit(codes, RATE)
    left, right = plots.plot_sine_fit(codes, fit, count=100)
    np.testing.assert_allclose(left.lines[1].get_ydata(), fit.samples(100))
    np.testing.assert_allclose(right.lines[0].get_ydata(), (codes - fit.samples(4096))[:100])
    ax = plots.plot_tone_spectrum(codes, RATE)
    measures = adc.analyze_tone(codes, RATE)
    assert f"ENOB {measures.enob:.2f} bits" in ax.get_title()
    assert ax.lines[1].get_xdata()[0] == pytest.approx(freq)
    model = adc.NonIdealADC(6, inl_bow=1.0, missing_codes=(3,))
    result = adc.histogram_test(overdriven_codes(model.convert, 6, n=2 ** 14), 6, amplitude=1.05)
    dnl_ax, inl_ax = plots.plot_linearity(result, truth=model.linearity())
    assert [bar.get_height() for bar in dnl_ax.patches] == pytest.approx(result.dnl.tolist())
    np.testing.assert_allclose(inl_ax.lines[0].get_ydata(), result.inl)
    assert dnl_ax.lines[0].get_xdata().tolist() == [3]


def test_sigma_delta_figures_draw_the_library_values(plots):
    result = adc.sigma_delta(0.25 * np.sin(2 * np.pi * 3 * np.arange(128) / 128), order=2, osr=16)
    top, bottom = plots.plot_bitstream(result, start=100, count=50)
    np.testing.assert_array_equal(top.lines[0].get_ydata(), result.bitstream[100:150])
    np.testing.assert_allclose(bottom.lines[0].get_ydata(), result.decimated)
    errors = {"order 1": np.sin(np.arange(256)), "order 2": np.cos(np.arange(256))}
    ax = plots.plot_shaped_noise(errors, 1.0, band=0.05)
    power = adc.power_spectrum(errors["order 2"], "hann")
    np.testing.assert_allclose(ax.lines[1].get_ydata(), 10 * np.log10(np.maximum(power, 1e-16)))
