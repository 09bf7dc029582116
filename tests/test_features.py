"""The log-mel front end against scipy (STFT, window) and against what each step must mean."""

import numpy as np
import pytest

from numformat.nn import features
from numformat.nn.features import (FFT_SIZE, FRAME_LENGTH, FRAMES, MEL_BANDS, RATE_HZ, frame_starts, frames_of,
                                   hann_window, hz_to_mel, log_mel, mel_centres, mel_filterbank, mel_to_hz,
                                   power_spectrum, speech_bounds, spoken_digit_features)


def tone(freq_hz, seconds=0.5, amplitude=8000, rate=RATE_HZ):
    return np.round(amplitude * np.sin(2 * np.pi * freq_hz * np.arange(int(seconds * rate)) / rate)).astype(np.int16)


def test_hann_window_matches_scipy():
    import scipy.signal

    np.testing.assert_allclose(hann_window(FRAME_LENGTH), scipy.signal.get_window("hann", FRAME_LENGTH), atol=1e-15)


@pytest.mark.parametrize("hop", [1, 37, 100, 256, 400])
def test_power_spectrum_matches_scipy_stft(rng, hop):
    """Frames evenly spread with a whole-sample hop are an STFT: scipy's, unscaled, squared."""
    import scipy.signal

    pcm = rng.integers(-20000, 20000, FRAME_LENGTH + (FRAMES - 1) * hop).astype(np.int16)
    starts = frame_starts(pcm.size)
    assert np.array_equal(starts, np.arange(FRAMES) * hop)
    ours = power_spectrum(frames_of(pcm, starts))
    _, _, stft = scipy.signal.stft(pcm / 32768, window="hann", nperseg=FRAME_LENGTH, noverlap=FRAME_LENGTH - hop,
                                   nfft=FFT_SIZE, boundary=None, padded=False, detrend=False, scaling="spectrum")
    window_sum = hann_window().sum()  # scaling="spectrum" divides by the window's sum
    np.testing.assert_allclose(ours, (np.abs(stft.T) * window_sum) ** 2, rtol=1e-9, atol=1e-12)


def test_mel_scale_matches_htk_and_round_trips():
    assert hz_to_mel(700.0) == pytest.approx(2595 * np.log10(2))
    assert hz_to_mel(1000.0) == pytest.approx(1000, abs=0.1)  # the scale's anchor: 1 kHz is about 1000 mel
    hz = np.linspace(0, 4000, 101)
    np.testing.assert_allclose(mel_to_hz(hz_to_mel(hz)), hz, atol=1e-9)


def test_mel_filterbank_triangles():
    bank = mel_filterbank()
    assert bank.shape == (MEL_BANDS, FFT_SIZE // 2 + 1)
    edges_hz = mel_to_hz(mel_centres())
    bin_hz = np.arange(FFT_SIZE // 2 + 1) * RATE_HZ / FFT_SIZE
    inside = (bin_hz >= edges_hz[1]) & (bin_hz <= edges_hz[-2])
    np.testing.assert_allclose(bank[:, inside].sum(axis=0), 1.0, atol=1e-12)  # neighbours add up to 1
    for band in range(MEL_BANDS):
        support = bin_hz[bank[band] > 0]
        assert support.min() > edges_hz[band] and support.max() < edges_hz[band + 2]
        assert bin_hz[bank[band].argmax()] == pytest.approx(edges_hz[band + 1], abs=RATE_HZ / FFT_SIZE)
    assert np.all(np.diff(edges_hz) > 0) and np.all(np.diff(np.diff(edges_hz)) > 0)  # wider and wider in Hz


@pytest.mark.parametrize("freq_hz", [300, 1000, 2500])
def test_a_tone_lights_the_band_around_it(freq_hz):
    centres_hz = mel_to_hz(mel_centres())[1:-1]
    assert np.abs(centres_hz - freq_hz).argmin() == log_mel(tone(freq_hz)).mean(axis=1).argmax()


def test_log_mel_is_the_log_of_the_filterbank_of_the_power_spectrum(rng):
    """The seven steps written out once more, by hand, on a clip without silence to trim."""
    pcm = rng.integers(-10000, 10000, 3000).astype(np.int16)
    assert speech_bounds(pcm) == (0, pcm.size)
    starts = np.round(np.linspace(0, pcm.size - FRAME_LENGTH, FRAMES)).astype(int)
    frames = np.stack([pcm[s:s + FRAME_LENGTH] / 32768 for s in starts])
    power = np.abs(np.fft.rfft(frames * hann_window(), FFT_SIZE)) ** 2
    expected = np.log(power @ mel_filterbank().T + features.LOG_FLOOR).T
    np.testing.assert_allclose(log_mel(pcm), expected, rtol=1e-12)
    standardised = (expected - expected.mean()) / expected.std()
    got = spoken_digit_features(pcm)[0, 0]
    assert np.all(np.abs(got - standardised) <= features.FEATURE_STEP / 2 + 1e-6)
    assert np.all(got * 32 == np.round(got * 32))  # 32nds, exact in float32
    assert abs(float(got.mean())) < 0.01 and abs(float(got.std()) - 1) < 0.01


def test_gain_changes_nothing_after_normalisation(rng):
    """A gain is an added constant after the log; the mean removes it (up to the log's floor,
    which noise in every band keeps far below)."""
    loud = tone(700, amplitude=16000) + rng.integers(-2000, 2000, 4000).astype(np.int16)
    quiet = (loud // 4).astype(np.int16)
    difference = spoken_digit_features(loud) - spoken_digit_features(quiet)
    assert np.mean(np.abs(difference)) < 0.02


def test_speech_bounds_find_the_word_in_silence():
    silence, word = np.zeros(4000, np.int16), tone(500, 0.3)
    clip = np.concatenate([silence, word, silence])
    start, stop = speech_bounds(clip)
    assert start <= 4000 < 4000 + word.size <= stop and stop - start <= word.size + 2 * features.ENERGY_FRAME
    np.testing.assert_array_equal(spoken_digit_features(clip), spoken_digit_features(clip[start:stop]))
    assert speech_bounds(np.zeros(8000, np.int16)) == (0, 0)


def test_every_clip_length_gives_the_fixed_shape():
    for samples in (1, 100, FRAME_LENGTH, 1148, 8000, 18262):
        clip = tone(440, samples / RATE_HZ) if samples > 10 else np.full(samples, 5000, np.int16)
        out = spoken_digit_features(clip)
        assert out.shape == (1, 1, MEL_BANDS, FRAMES) and out.dtype == np.float32 and np.all(np.isfinite(out))
    batch = spoken_digit_features([tone(300), tone(600, 1.2)])
    assert batch.shape == (2, 1, MEL_BANDS, FRAMES)


def test_float_clips_are_quantized_to_16_bits():
    clip = tone(440)
    np.testing.assert_array_equal(spoken_digit_features(clip / 32768), spoken_digit_features(clip))


@pytest.mark.parametrize("audio, error, message", [
    ([1, 2, 3], TypeError, "must be a numpy array of int16"),
    ([], TypeError, "must be a 1-D numpy array"),
    ("clip.wav", TypeError, "must be a 1-D numpy array"),
    (np.zeros((100, 2), np.int16), ValueError, r"shape \(samples,\).*audio\[:, 0\]"),
    (np.zeros(0, np.int16), ValueError, "is empty"),
    (np.array([0.1, np.nan, 0.2]), ValueError, r"must lie in \[-1, 1\]"),
    (np.array([0.5, 2.0]), ValueError, r"must lie in \[-1, 1\]"),
    (np.zeros(100, np.int32), TypeError, "int16 PCM"),
    (np.zeros(8000, np.int16), ValueError, "holds no speech"),
    (np.full(10 * 60 * RATE_HZ, 9000, np.int16), ValueError, r"lasts 600\.0 s"),
])
def test_bad_clips_get_clear_errors(audio, error, message):
    with pytest.raises(error, match=message):
        spoken_digit_features(audio)


@pytest.mark.parametrize("rate_hz, error, message", [
    (16000, ValueError, r"rate_hz=16000 is not supported.*resample_poly\(x, 8000, 16000\)"),
    (8000.0, TypeError, "rate_hz must be an int"),
])
def test_other_rates_are_refused(rate_hz, error, message):
    with pytest.raises(error, match=message):
        spoken_digit_features(tone(440), rate_hz=rate_hz)
