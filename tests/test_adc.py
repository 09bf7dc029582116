"""numformat.adc: sampling and aliasing, the uniform quantizer, SQNR and dither."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numformat as nf
from numformat.rounding import ROUNDING_MODES, divide_round


def sine(frequency_hz, rate_hz, seconds, amplitude=1.0, phase=0.1):
    return nf.sample(lambda t: amplitude * np.sin(2 * np.pi * frequency_hz * t + phase), rate_hz, seconds)


def dominant_frequency(x, rate_hz):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return np.fft.rfftfreq(x.size, 1 / rate_hz)[np.argmax(spectrum)]


# ---------------------------------------------------------------- sampling and aliasing


def test_sample_times_and_values():
    t, x = nf.sample(np.cos, rate=10, duration=0.5, start=1.0)
    np.testing.assert_allclose(t, 1.0 + np.arange(5) / 10)
    np.testing.assert_array_equal(x, np.cos(t))
    t, x = nf.sample(lambda t: 3, rate=8000, duration=0.1)  # a constant broadcasts
    assert t.size == x.size == 800 and np.all(x == 3.0)


@pytest.mark.parametrize("f, rate, expected", [
    (1000, 8000, 1000), (4000, 8000, 4000), (5000, 8000, 3000), (7000, 8000, 1000),
    (8000, 8000, 0), (9000, 8000, 1000), (12345, 8000, 3655), (-1000, 8000, 1000),
    (23, 24, 1), (25, 24, 1), (44100 - 440, 44100, 440), (0.6, 1, 0.4),
])
def test_alias_frequency(f, rate, expected):
    assert nf.alias_frequency(f, rate) == pytest.approx(expected)


@pytest.mark.parametrize("f, rate, expected", [(23, 24, -1), (25, 24, 1), (11, 24, 11), (13, 24, -11)])
def test_signed_alias_is_the_wagon_wheel(f, rate, expected):
    assert nf.alias_frequency(f, rate, signed=True) == pytest.approx(expected)


@pytest.mark.parametrize("f", [300.0, 3700.0, 4300.0, 7700.0, 9100.0, 15900.0])
def test_alias_frequency_matches_the_sampled_spectrum(f):
    """The spectrum of the samples peaks where alias_frequency says, and the samples are identical
    (up to sign) to those of a tone at the alias."""
    rate = 8000.0
    t, x = sine(f, rate, 0.5, phase=0.0)
    assert abs(dominant_frequency(x, rate) - nf.alias_frequency(f, rate)) <= 2.0
    folded = nf.alias_frequency(f, rate, signed=True)
    np.testing.assert_allclose(x, np.sin(2 * np.pi * folded * t), atol=1e-9)


@given(st.floats(-1e6, 1e6), st.floats(1, 1e5))
def test_alias_lies_in_the_nyquist_band_and_differs_by_whole_rates(f, rate):
    folded = nf.alias_frequency(f, rate)
    assert 0 <= folded <= rate / 2 * (1 + 1e-12)
    cycles = (abs(f) - folded) / rate, (abs(f) + folded) / rate
    assert min(abs(c - round(c)) for c in cycles) < 1e-6


def test_reconstruct_recovers_a_band_limited_signal_between_samples():
    rate = 100.0
    t_samples, samples = sine(7.0, rate, 4.0)
    t_fine = np.linspace(1.5, 2.5, 301)  # well inside the record, away from its ends
    rebuilt = nf.reconstruct(samples, rate, t_fine)
    np.testing.assert_allclose(rebuilt, np.sin(2 * np.pi * 7.0 * t_fine + 0.1), atol=0.02)
    np.testing.assert_allclose(nf.reconstruct(samples, rate, t_samples[:50]), samples[:50], atol=1e-12)


# ---------------------------------------------------------------- the quantizer


@pytest.mark.parametrize("bits", [1, 2, 3, 8, 16, 24, 32])
def test_levels_step_and_codes(bits):
    q = nf.Quantizer(bits, full_scale=2.0)
    assert q.levels == 2 ** bits
    if bits <= 16:
        assert q.codes.size == q.levels and q.codes[0] == q.code_min and q.codes[-1] == q.code_max
    assert q.step == 2.0 / 2 ** (bits - 1)
    assert (q.code_min, q.code_max) == (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)


@pytest.mark.parametrize("bits", range(1, 9))
def test_mid_tread_has_a_zero_level_and_mid_rise_does_not(bits):
    tread, rise = nf.Quantizer(bits, kind="mid-tread"), nf.Quantizer(bits, kind="mid-rise")
    assert 0.0 in tread.decode(tread.codes)
    assert 0.0 not in rise.decode(rise.codes)
    np.testing.assert_array_equal(rise.decode(rise.codes), -rise.decode(rise.codes)[::-1])  # symmetric
    assert tread.quantize(1e-9) == 0.0 and rise.quantize(1e-9) == rise.step / 2


@pytest.mark.parametrize("kind", nf.QUANTIZER_KINDS)
@pytest.mark.parametrize("rounding", ROUNDING_MODES)
def test_encode_matches_exact_integer_rounding(kind, rounding, rng):
    """Samples that are exact multiples of step/8 (ties included) encode as divide_round says."""
    q = nf.Quantizer(6, full_scale=4.0, kind=kind, rounding=rounding)
    eighths = rng.integers(-8 * 40, 8 * 40, 20_000)  # x = eighths · step/8, some beyond full scale
    x = eighths * (q.step / 8)
    offset = 4 if kind == "mid-rise" else 0  # mid-rise levels sit half a step (4 eighths) up
    expected = np.clip(divide_round(eighths - offset, 8, rounding), q.code_min, q.code_max)
    np.testing.assert_array_equal(q.encode(x), expected)


@pytest.mark.parametrize("kind", nf.QUANTIZER_KINDS)
def test_quantize_picks_the_nearest_level(kind, rng):
    q = nf.Quantizer(5, kind=kind)
    x = rng.uniform(-1, 1, 10_000)
    levels = q.decode(q.codes)
    nearest = levels[np.argmin(np.abs(x[:, None] - levels[None, :]), axis=1)]
    np.testing.assert_array_equal(q.quantize(x), nearest)
    inside = np.abs(x) < 1 - q.step
    assert np.all(np.abs(x - q.quantize(x))[inside] <= q.step / 2)


def test_overflow_modes():
    x = np.array([-1.5, 0.0, 0.999, 1.25])
    assert nf.Quantizer(3).encode(x).tolist() == [-4, 0, 3, 3]
    assert nf.Quantizer(3, overflow="wrap").encode(x).tolist() == [2, 0, -4, -3]
    with pytest.raises(OverflowError, match=r"code -6 is outside the range \[-4, 3\] \(and 2 more\)"):
        nf.Quantizer(3, overflow="error").encode(x)


def test_huge_finite_samples_saturate_and_nan_or_inf_raise():
    q = nf.Quantizer(8)
    assert q.encode([1e308, 1e308, -1e308]).tolist() == [127, 127, -128]  # their sum overflows; still fine
    for bad in ([0.0, np.inf], [-np.inf], [1e308, 1e308, np.nan]):
        with pytest.raises(ValueError, match="x must hold finite samples"):
            q.quantize(bad)
    with pytest.raises(ValueError, match="x holds samples too large to wrap"):
        nf.Quantizer(8, overflow="wrap").encode([1e308])
    with pytest.raises(OverflowError, match="code inf is outside the range"):
        nf.Quantizer(8, overflow="error").encode([1e308])


def test_sixteen_bit_quantizer_is_pcm():
    q = nf.Quantizer(16)
    assert q.encode([-1.0, -0.5, 0.5, 1.0]).tolist() == [-32768, -16384, 16384, 32767]
    assert q.decode(np.array([-32768, 1], np.int16)).tolist() == [-1.0, 1 / 32768]
    assert isinstance(q.encode(0.25), int) and isinstance(q.decode(8192), float)


@given(st.integers(1, 32), st.sampled_from(nf.QUANTIZER_KINDS), st.integers(-2 ** 31, 2 ** 31 - 1))
def test_decode_then_encode_is_identity(bits, kind, code):
    q = nf.Quantizer(bits, full_scale=0.75, kind=kind)
    code = min(max(code, q.code_min), q.code_max)
    assert q.encode(q.decode(code)) == code


# ---------------------------------------------------------------- SQNR


@pytest.mark.parametrize("bits", range(4, 17))
def test_full_scale_sine_sqnr_is_6_02n_plus_1_76(bits):
    """The largest sine a mid-rise quantizer reproduces without clipping (peaks on its top level)
    measures within 0.25 dB of 6.02·N + 1.76 dB from 4 bits up."""
    q = nf.Quantizer(bits, kind="mid-rise")
    _, x = sine(997.0, 48000.0, 1.0, amplitude=q.decode(q.code_max))
    assert nf.sqnr_db(x, q.quantize(x)) == pytest.approx(nf.theoretical_sqnr_db(bits), abs=0.25)


@pytest.mark.parametrize("bits", range(6, 17))
def test_mid_tread_sine_sqnr_approaches_the_rule(bits):
    q = nf.Quantizer(bits)
    _, x = sine(997.0, 48000.0, 1.0, amplitude=q.decode(q.code_max))
    assert nf.sqnr_db(x, q.quantize(x)) == pytest.approx(nf.theoretical_sqnr_db(bits), abs=0.25)


def test_theoretical_sqnr_values():
    assert nf.theoretical_sqnr_db(1) == pytest.approx(6.0206 + 1.7609, abs=1e-4)
    assert nf.theoretical_sqnr_db([8, 16]).tolist() == pytest.approx([6.0206 * 8 + 1.7609, 6.0206 * 16 + 1.7609], abs=1e-3)
    assert nf.theoretical_sqnr_db(16) - nf.theoretical_sqnr_db(15) == pytest.approx(20 * np.log10(2))


def test_sqnr_of_known_noise():
    x = np.tile([1.0, -1.0], 500)
    assert nf.sqnr_db(x, x * 0.99) == pytest.approx(40.0)
    assert nf.sqnr_db(x, x) == float("inf")


# ---------------------------------------------------------------- dither


def test_tpdf_dither_is_triangular_with_step_squared_over_6_variance():
    step = 0.01
    d = nf.tpdf_dither(400_000, step, np.random.default_rng(1))
    assert np.abs(d).max() < step
    assert d.var() == pytest.approx(step ** 2 / 6, rel=0.01)
    assert abs(d.mean()) < step / 200
    counts, _ = np.histogram(d, bins=4, range=(-step, step))
    assert counts[1] / counts[0] == pytest.approx(3.0, rel=0.05)  # a triangle: 1/8, 3/8, 3/8, 1/8
    np.testing.assert_array_equal(nf.tpdf_dither((3, 2), step, 7), nf.tpdf_dither((3, 2), step, 7))


def test_dither_keeps_a_signal_smaller_than_one_step():
    """A tone of 0.4 step rounds to silence; with TPDF dither its amplitude survives in the output."""
    q = nf.Quantizer(8)
    t, x = sine(50.0, 8000.0, 2.0, amplitude=0.4 * q.step, phase=0.0)
    assert np.all(q.quantize(x) == 0)
    dithered = q.quantize(x + nf.tpdf_dither(x.shape, q.step, np.random.default_rng(2)))
    reference = np.sin(2 * np.pi * 50.0 * t)
    amplitude = 2 * np.mean(dithered * reference)  # the output's component along the tone
    assert amplitude == pytest.approx(0.4 * q.step, rel=0.1)
    np.testing.assert_allclose(np.mean(dithered - x), 0, atol=q.step / 50)  # unbiased


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, message", [
    (lambda: nf.Quantizer(0), ValueError, "bits=0 is not supported; use 1 to 32"),
    (lambda: nf.Quantizer(33), ValueError, "bits=33 is not supported; use 1 to 32"),
    (lambda: nf.Quantizer(-4), ValueError, "bits=-4 is not supported"),
    (lambda: nf.Quantizer(8.0), TypeError, "bits must be an int, got float 8.0"),
    (lambda: nf.Quantizer(True), TypeError, "bits must be an int"),
    (lambda: nf.Quantizer(8, full_scale=0), ValueError, "full_scale=0 must be positive and finite"),
    (lambda: nf.Quantizer(8, full_scale=float("inf")), ValueError, "full_scale=inf must be positive"),
    (lambda: nf.Quantizer(8, full_scale="1"), TypeError, "full_scale must be a real number, got str"),
    (lambda: nf.Quantizer(8, kind="midtread"), ValueError, "kind='midtread' is not a known mode; use one of 'mid-tread', 'mid-rise'"),
    (lambda: nf.Quantizer(8, rounding="round"), ValueError, "rounding='round' is not a known mode"),
    (lambda: nf.Quantizer(8, overflow="clip"), ValueError, "overflow='clip' is not a known mode"),
    (lambda: nf.Quantizer(24).codes, ValueError, "a 24-bit quantizer has 16777216 codes, too many to list"),
    (lambda: nf.Quantizer(8).encode([0.1, np.nan]), ValueError, "x must hold finite samples"),
    (lambda: nf.Quantizer(8).encode("0.5"), TypeError, "x must be real numbers"),
    (lambda: nf.Quantizer(8).decode([0.5]), TypeError, "codes must be integers, got float64"),
    (lambda: nf.Quantizer(8).decode([0, 128]), ValueError, r"codes must lie in \[-128, 127\] for a 8-bit quantizer"),
    (lambda: nf.sample(np.sin, rate=0, duration=1), ValueError, "rate=0 must be positive and finite"),
    (lambda: nf.sample(np.sin, rate=-8000, duration=1), ValueError, "rate=-8000 must be positive"),
    (lambda: nf.sample(np.sin, rate=8000, duration=0), ValueError, "duration=0 must be positive"),
    (lambda: nf.sample("sin", rate=8000, duration=1), TypeError, "fn must be a function of time, got str"),
    (lambda: nf.alias_frequency(100, rate=0), ValueError, "rate=0 must be positive and finite"),
    (lambda: nf.alias_frequency(100, rate=None), TypeError, "rate must be a real number, got NoneType"),
    (lambda: nf.alias_frequency(np.inf, rate=8000), ValueError, "f must hold finite frequencies"),
    (lambda: nf.reconstruct([[1.0]], 10, [0.0]), ValueError, "samples must be one-dimensional"),
    (lambda: nf.sqnr_db([1.0, 2.0], [1.0]), ValueError, "must have the same shape"),
    (lambda: nf.sqnr_db([0.0, 0.0], [0.1, 0.0]), ValueError, "reference has zero power"),
    (lambda: nf.theoretical_sqnr_db(0), ValueError, "bits must be positive"),
    (lambda: nf.tpdf_dither(10, step=0), ValueError, "step=0 must be positive and finite"),
])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
