"""numformat.adc.recording: noise floor, levels used and ENOB-equivalent of a recording."""

import numpy as np
import pytest

import numformat as nf
from numformat.adc.recording import (
    IDEAL_16BIT_NOISE_DBFS, enob_equivalent, frame_power_dbfs, noise_floor_dbfs,
    recording_quality, zero_low_bits,
)


from .test_spoken import FSDD  # one place says where the recordings are

MULAW_IDLE_DBFS = IDEAL_16BIT_NOISE_DBFS + 20 * np.log10(8)   # −83.0 dBFS: G.711's step near zero
RECORDINGS = FSDD / "recordings"


def test_frame_power_matches_a_loop_over_frames(rng):
    pcm = rng.integers(-32768, 32768, 160 * 7 + 33).astype(np.int16)
    by_loop = [10 * np.log10(sum((int(s) / 32768) ** 2 for s in pcm[i:i + 160]) / 160) for i in range(0, 160 * 7, 160)]
    np.testing.assert_allclose(frame_power_dbfs(pcm), by_loop, rtol=0, atol=1e-9)


def test_noise_floor_matches_numpy_percentile_of_the_frames(rng):
    loud = rng.normal(0, 3000, 160 * 40)
    quiet = rng.normal(0, 30, 160 * 10)
    pcm = np.round(np.concatenate([quiet[:800], loud, quiet[800:]])).astype(np.int16)
    powers = frame_power_dbfs(pcm)
    assert noise_floor_dbfs(pcm) == np.percentile(powers, 10)
    assert noise_floor_dbfs(pcm, percentile=0) == powers.min()
    assert abs(noise_floor_dbfs(pcm) - 20 * np.log10(30 / 32768)) < 1.0   # the pauses' −60.8 dBFS


@pytest.mark.parametrize("bits", [6, 8, 10, 12])
def test_enob_equivalent_of_ideal_quantization_noise_matches_the_bits(rng, bits):
    """The error of an ideal N-bit quantizer on a busy signal, stored as 16-bit, reads as N bits."""
    signal = rng.uniform(-1, 1, 160 * 100)
    error = nf.Quantizer(bits).quantize(signal) - signal
    pcm = np.round(error * 32768).astype(np.int16)
    assert abs(recording_quality(pcm, percentile=50).enob_equivalent - bits) < 0.05


def test_digital_silence_reads_as_ideal_16_bits():
    quality = recording_quality(np.zeros(800, np.int16))
    assert quality.noise_floor_dbfs == IDEAL_16BIT_NOISE_DBFS
    assert round(quality.enob_equivalent, 2) == 16.0
    assert (quality.levels_used, quality.zero_low_bits, quality.smallest_magnitude) == (1, 16, 0)
    assert quality.peak_dbfs == -np.inf


@pytest.mark.parametrize("shift", range(16))
def test_zero_low_bits_and_levels_match_python(rng, shift):
    pcm = (rng.integers(-32768, 32768, 4000) & ~((1 << shift) - 1)).astype(np.int16)
    pcm[0] = np.int16(-32768 if shift == 15 else 1 << shift)   # at least one sample with bit `shift` set
    by_python = min(next(k for k in range(16) if (int(s) >> k) & 1) for s in pcm if s != 0)
    assert zero_low_bits(pcm) == by_python == shift
    quality = recording_quality(pcm)
    assert quality.levels_used == len(set(pcm.tolist()))
    assert quality.smallest_magnitude == min(abs(int(s)) for s in pcm if s != 0)


def test_enob_equivalent_matches_the_formula():
    for floor in (-30.0, -60.0, -90.0):
        assert enob_equivalent(floor) == (10 * np.log10(0.5) - floor - 1.76) / 6.02


@pytest.mark.parametrize("call, error, message", [
    (lambda: recording_quality([1, 2, 3]), TypeError, "pcm must be a numpy int16 array of samples, got list"),
    (lambda: recording_quality(np.zeros(400)), TypeError, "pcm must be a numpy int16 array of samples, got float64"),
    (lambda: recording_quality(np.zeros((2, 400), np.int16)), ValueError, "pcm must be one mono clip of shape (samples,), got shape (2, 400)"),
    (lambda: recording_quality(np.zeros(100, np.int16)), ValueError, "pcm has 100 samples; it needs at least one frame of frame_length=160"),
    (lambda: recording_quality(np.zeros(400, np.int16), frame_length=0), ValueError, "frame_length"),
    (lambda: recording_quality(np.zeros(400, np.int16), percentile=101), ValueError, "percentile"),
    (lambda: enob_equivalent("x"), TypeError, "floor_dbfs"),
])
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.skipif(not RECORDINGS.is_dir(), reason="the FSDD 16-bit recordings are not beside the repository")
def test_mulaw_storage_leaves_the_recordings_floors_matches_the_16bit_originals():
    """The shipped clips are the μ-law round trip of the originals; μ-law moves a floor only near −83 dBFS.

    μ-law's smallest step is 8 LSB (−83 dBFS idle noise), below the pauses of almost every
    recording, so the floor, dynamic range and ENOB-equivalent are the recording's, not G.711's; the levels
    used drop from thousands to at most 256 codes, and an 8-bit speaker's zero low bits vanish.
    """
    from numformat.nn.spoken_build import read_recordings

    clips = read_recordings(RECORDINGS)
    train, test = nf.nn.load_spoken_digits()
    shipped = {(s, int(d), int(k)): a for part in (train, test)
               for a, d, s, k in zip(part.audio, part.labels, part.speakers.tolist(), part.takes)}
    for pcm, digit, speaker, take in clips[::7]:
        round_trip = nf.mulaw_decode(nf.mulaw_encode(pcm))
        np.testing.assert_array_equal(shipped[(speaker, digit, take)], round_trip)
        original, stored = recording_quality(pcm), recording_quality(round_trip)
        if original.noise_floor_dbfs > MULAW_IDLE_DBFS + 13:   # pauses well above μ-law's own noise
            assert abs(stored.noise_floor_dbfs - original.noise_floor_dbfs) < 0.5
        else:                                                 # μ-law's noise adds: the floor rises
            assert stored.noise_floor_dbfs > original.noise_floor_dbfs
        assert stored.levels_used <= min(256, original.levels_used)
        assert stored.smallest_magnitude >= 8
