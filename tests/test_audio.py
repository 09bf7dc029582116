"""numformat.audio: WAV files against scipy.io.wavfile, real PortAudio round trips through an ALSA
file device, and the errors that tell a student how to get sound working."""

import os
import pathlib
import platform
import subprocess
import sys
import textwrap
import wave

import numpy as np
import pytest

import numformat as nf
from numformat import audio
from .alsa_device import REQUIRE_AUDIO, device_folder, portaudio_missing, run_on_device

ROOT = pathlib.Path(__file__).resolve().parent.parent
WIDTHS = [(8, np.int8), (16, np.int16), (24, np.int32), (32, np.int32)]


def random_pcm(rng, bits, frames, channels):
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    codes = rng.integers(low, high + 1, (frames, channels), dtype=np.int64)
    codes[:2] = [[low], [high]]  # the extremes, always
    return codes if channels > 1 else codes[:, 0]


# ---------------------------------------------------------------- WAV files


@pytest.mark.parametrize("bits, dtype", WIDTHS)
@pytest.mark.parametrize("channels", [1, 2])
def test_wav_round_trip_of_raw_codes(bits, dtype, channels, tmp_path, rng):
    codes = random_pcm(rng, bits, 5000, channels)
    path = tmp_path / "x.wav"
    audio.write_wav(path, codes, 22050, bits=bits)
    back, rate = audio.read_wav(path, raw=True)
    assert rate == 22050 and back.dtype == dtype and back.shape == codes.shape
    np.testing.assert_array_equal(back, codes)
    floats, _ = audio.read_wav(path)
    np.testing.assert_array_equal(floats, codes / 2.0 ** (bits - 1))
    with wave.open(str(path)) as wav:
        assert (wav.getsampwidth(), wav.getnchannels(), wav.getnframes()) == (bits // 8, channels, 5000)


@pytest.mark.parametrize("bits, dtype", WIDTHS)
def test_wav_round_trip_of_floats_is_the_pcm_quantizer(bits, dtype, tmp_path, rng):
    x = np.concatenate([[-1.0, 1.0, 0.0], rng.uniform(-1, 1, 4000)])
    audio.write_wav(tmp_path / "x.wav", x, 8000, bits=bits)
    back, _ = audio.read_wav(tmp_path / "x.wav")
    np.testing.assert_array_equal(back, nf.Quantizer(bits).quantize(x))  # 1.0 saturates to the top code
    assert np.all(np.abs(back - x) <= 2.0 ** -(bits - 1))


@pytest.mark.parametrize("bits", [8, 16, 32])
def test_written_wav_matches_scipy(bits, tmp_path, rng):
    wavfile = pytest.importorskip("scipy.io.wavfile")
    codes = random_pcm(rng, bits, 3000, 2)
    audio.write_wav(tmp_path / "ours.wav", codes, 16000, bits=bits)
    rate, theirs = wavfile.read(tmp_path / "ours.wav")
    if bits == 8:  # scipy returns 8-bit WAV as it is stored: unsigned, silence at 128
        theirs = theirs.astype(np.int64) - 128
    assert rate == 16000
    np.testing.assert_array_equal(theirs, codes)
    # and the other way: a file scipy wrote reads back the same
    wavfile.write(tmp_path / "theirs.wav", 16000, codes.astype({8: np.uint8, 16: np.int16, 32: np.int32}[bits])
                  + (128 if bits == 8 else 0))
    np.testing.assert_array_equal(audio.read_wav(tmp_path / "theirs.wav", raw=True)[0], codes)


def test_24_bit_wav_matches_scipy(tmp_path, rng):
    wavfile = pytest.importorskip("scipy.io.wavfile")
    codes = random_pcm(rng, 24, 3000, 1)
    audio.write_wav(tmp_path / "x.wav", codes, 48000, bits=24)
    _, theirs = wavfile.read(tmp_path / "x.wav")  # scipy puts the 24 bits at the top of an int32
    np.testing.assert_array_equal(theirs >> 8, codes)


def test_default_width_follows_the_dtype(tmp_path):
    for array, width in [(np.zeros(4, np.int8), 1), (np.zeros(4, np.int16), 2), (np.zeros(4, np.int32), 4),
                         (np.zeros(4), 2), ([0, 1, 2], 2)]:
        audio.write_wav(tmp_path / "x.wav", array, 8000)
        with wave.open(str(tmp_path / "x.wav")) as wav:
            assert wav.getsampwidth() == width


def test_speech_sample_is_the_documented_clip():
    x, rate = audio.speech_sample()
    raw, _ = audio.speech_sample(raw=True)
    assert rate == 16000 and raw.dtype == np.int16 and raw.ndim == 1
    assert 3.5 < raw.size / rate < 5.0
    np.testing.assert_array_equal(x, raw / 32768)
    assert 0.5 < np.abs(x).max() <= 1.0 and audio.SPEECH_WAV.stat().st_size < 200_000
    readme = (audio.SPEECH_WAV.parent / "README.md").read_text()
    assert "espeak-ng -v en-us -s 160" in readme and "License" in readme


GARBAGE = {
    "random bytes": bytes(range(256)) * 4,
    "empty": b"",
    "text": b"this is not audio\n",
    "riff but not wave": b"RIFF\x04\x00\x00\x00AVI ",
}


@pytest.mark.parametrize("name", GARBAGE)
def test_garbage_wav_raises_a_clear_error(name, tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(GARBAGE[name])
    with pytest.raises(ValueError, match=r"is not a PCM WAV file that Python's wave module reads"):
        audio.read_wav(path)


def test_truncated_and_float_wavs_raise_clear_errors(tmp_path):
    audio.write_wav(tmp_path / "x.wav", np.zeros(1000, np.int16), 8000)
    data = (tmp_path / "x.wav").read_bytes()
    (tmp_path / "cut.wav").write_bytes(data[:-500])
    with pytest.raises(ValueError, match=r"is truncated: its header promises 1000 frames, the data holds 750"):
        audio.read_wav(tmp_path / "cut.wav")
    wavfile = pytest.importorskip("scipy.io.wavfile")
    wavfile.write(tmp_path / "float.wav", 8000, np.zeros(100, np.float32))
    with pytest.raises(ValueError, match="numformat reads uncompressed 8/16/24/32-bit integer PCM"):
        audio.read_wav(tmp_path / "float.wav")


@pytest.mark.parametrize("call, error, message", [
    (lambda p: audio.write_wav(p, np.zeros(10), 8000, bits=12), ValueError, r"bits=12 is not a PCM width; use one of \(8, 16, 24, 32\)"),
    (lambda p: audio.write_wav(p, np.zeros(10), 0), ValueError, "rate=0 must be at least 1"),
    (lambda p: audio.write_wav(p, np.zeros(10), -8000), ValueError, "rate=-8000 must be at least 1"),
    (lambda p: audio.write_wav(p, np.zeros(10), 8000.5), TypeError, "rate must be an int, got float 8000.5"),
    (lambda p: audio.write_wav(p, [0, 40000], 8000, bits=16), ValueError, r"x holds integers outside the 16-bit range \[-32768, 32767\]"),
    (lambda p: audio.write_wav(p, [0.5, 1.5], 8000), ValueError, r"x must lie in \[-1, 1\] \(full scale\), got 1.5"),
    (lambda p: audio.write_wav(p, [0.5, np.nan], 8000), ValueError, r"x must lie in \[-1, 1\]"),
    (lambda p: audio.write_wav(p, [], 8000), ValueError, r"x must be a non-empty array of shape \(frames,\) or \(frames, channels\)"),
    (lambda p: audio.write_wav(p, np.zeros((2, 2, 2)), 8000), ValueError, r"got shape \(2, 2, 2\)"),
    (lambda p: audio.write_wav(p, ["a"], 8000), TypeError, "x must hold audio samples"),
    (lambda p: audio.record(0, 16000), ValueError, "seconds=0 must be positive and finite"),
    (lambda p: audio.record(1, 0), ValueError, "rate=0 must be at least 1"),
    (lambda p: audio.record(1, 16000, channels=0), ValueError, "channels=0 must be at least 1"),
    (lambda p: audio.play([0.0, 2.0], 16000), ValueError, r"x must lie in \[-1, 1\]"),
    (lambda p: audio.play([0.0], -1), ValueError, "rate=-1 must be at least 1"),
    (lambda p: audio.playrec(np.zeros(0), 16000), ValueError, "x must be a non-empty array"),
    (lambda p: audio.available("speaker"), ValueError, "kind='speaker' is not a known mode; use one of 'input', 'output', 'both'"),
])
def test_bad_input_raises_a_clear_error(call, error, message, tmp_path):
    with pytest.raises(error, match=message):
        call(tmp_path / "x.wav")


# ---------------------------------------------------------------- no PortAudio, no device


@pytest.fixture
def fake_sounddevice(tmp_path, monkeypatch):
    """Put a stand-in sounddevice module, written by the test, first on the import path."""
    def install(source):
        folder = tmp_path / "fake"
        folder.mkdir(exist_ok=True)
        (folder / "sounddevice.py").write_text(textwrap.dedent(source))
        monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
        monkeypatch.syspath_prepend(str(folder))
    return install


def test_missing_portaudio_becomes_audio_unavailable_naming_the_fix(fake_sounddevice):
    fake_sounddevice("raise OSError('PortAudio library not found')  # what sounddevice does without it\n")
    ok, reason = audio.available()
    assert not ok
    for fix in ["PortAudio library not found", "sudo apt-get install libportaudio2",
                "conda install -c conda-forge python-sounddevice", "audio.speech_sample()"]:
        assert fix in reason
    with pytest.raises(audio.AudioUnavailable, match="apt-get install libportaudio2"):
        audio.record(0.1, 16000)
    with pytest.raises(audio.AudioUnavailable, match="libportaudio2"):
        audio.play(np.zeros(10), 16000)


def test_missing_sounddevice_becomes_audio_unavailable(monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)  # makes `import sounddevice` fail
    ok, reason = audio.available("output")
    assert not ok and "pip install sounddevice" in reason


def test_no_device_becomes_audio_unavailable_naming_the_fix(fake_sounddevice):
    fake_sounddevice("""
        class PortAudioError(Exception):
            pass

        def query_devices(kind=None):
            if kind == "input":
                raise PortAudioError("Error querying device -1")
            return {"name": "speaker"}
    """)
    assert audio.available("output") == (True, "output: speaker")
    ok, reason = audio.available()
    assert not ok and "no input sound device (Error querying device -1)" in reason
    assert "connect and enable a microphone" in reason and "python -m sounddevice" in reason
    with pytest.raises(audio.AudioUnavailable, match="no input sound device"):
        audio.record(0.1, 16000)


# ---------------------------------------------------------------- real PortAudio, ALSA file device


DEVICE_SCRIPT = """\
import json, pathlib, sys
import numpy as np
from numformat import audio

folder = pathlib.Path(sys.argv[1])
ok, reason = audio.available()
if not ok:
    print(json.dumps({"available": False, "reason": reason}))
    sys.exit(0)
played = lambda: np.fromfile(folder / "played.raw", dtype="<i2")
results = {"record_raw": audio.record(0.5, 16000, raw=True),
           "record_float": audio.record(0.25, 8000),
           "record_stereo": audio.record(0.1, 44100, channels=2, raw=True)}
tone = np.sin(2 * np.pi * 440 * np.arange(4000) / 16000) * 0.5
audio.play(tone, 16000)
results["played_tone"] = played()
stereo = np.arange(1, 3001, dtype=np.int16).reshape(1500, 2)
audio.play(stereo, 8000)
results["played_stereo"] = played()
results["playrec"] = audio.playrec(tone, 16000, raw=True)
results["playrec_played"] = played()
np.savez(folder / "results.npz", **results)
print(json.dumps({"available": True, "reason": reason,
                  "dtypes": {name: str(array.dtype) for name, array in results.items()}}))
"""


def contains_run(haystack, needle):
    """Whether ``needle`` appears in ``haystack`` as one contiguous run."""
    starts = np.flatnonzero(haystack[: haystack.size - needle.size + 1] == needle[0])
    return any(np.array_equal(haystack[start:start + needle.size], needle) for start in starts)


@pytest.fixture(scope="module")
def file_device(tmp_path_factory):
    """Run DEVICE_SCRIPT in a fresh interpreter whose ALSA default device is a pair of files.

    PortAudio reads the ALSA configuration once, when sounddevice is imported, so the device
    has to be configured in a new process: XDG_CONFIG_HOME points at a folder holding
    alsa/asoundrc (this overrides CI's own /dev/zero device for this process only).
    """
    if platform.system() != "Linux":
        pytest.skip("the ALSA file device exists only on Linux")
    folder = tmp_path_factory.mktemp("alsa_device")
    source = (np.arange(200_000) % 60001 - 30000).astype("<i2")  # 12 s at 16 kHz, longer than any recording
    env = {**device_folder(folder, source), "HOME": str(folder), "PYTHONPATH": str(ROOT)}
    summary = run_on_device(DEVICE_SCRIPT, env, str(folder))
    with np.load(folder / "results.npz", allow_pickle=False) as results:
        return {"source": source, "summary": summary, **{name: results[name] for name in results.files}}


def test_available_finds_the_file_device(file_device):
    assert file_device["summary"]["reason"] == "input: default; output: default"


def test_record_returns_the_known_file(file_device):
    source = file_device["source"]
    assert file_device["record_raw"].dtype == np.int16 and file_device["record_raw"].shape == (8000,)
    np.testing.assert_array_equal(file_device["record_raw"], source[:8000])
    assert file_device["record_float"].dtype == np.float64 and file_device["record_float"].shape == (2000,)
    np.testing.assert_array_equal(file_device["record_float"], source[:2000] / 32768)
    assert file_device["record_stereo"].shape == (4410, 2)
    np.testing.assert_array_equal(file_device["record_stereo"], source[:8820].reshape(4410, 2))


def test_play_writes_the_pcm_samples(file_device):
    tone = np.sin(2 * np.pi * 440 * np.arange(4000) / 16000) * 0.5
    assert contains_run(file_device["played_tone"], audio.to_pcm(tone))
    stereo = np.arange(1, 3001, dtype=np.int16)  # interleaved frames, as played
    assert contains_run(file_device["played_stereo"], stereo)


def test_playrec_plays_and_records_at_once(file_device):
    tone = np.sin(2 * np.pi * 440 * np.arange(4000) / 16000) * 0.5
    assert file_device["playrec"].shape == (4000,) and file_device["playrec"].dtype == np.int16
    np.testing.assert_array_equal(file_device["playrec"], file_device["source"][:4000])
    assert contains_run(file_device["playrec_played"], audio.to_pcm(tone))


def test_no_device_in_a_real_portaudio(tmp_path):
    """With no sound card and no ALSA configuration of our own, real PortAudio finds no device:
    a clear AudioUnavailable (skipped on machines that do have a card)."""
    if platform.system() != "Linux":
        pytest.skip("needs ALSA")
    script = ("from numformat import audio\nprint(audio.available('input')[1])\n"
              "try:\n    audio.record(0.1, 16000)\nexcept audio.AudioUnavailable as error:\n    print('raised', error)\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("ALSA_CONFIG_PATH", None)
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    if portaudio_missing(result.stdout):
        if REQUIRE_AUDIO:
            pytest.fail(result.stdout)
        pytest.skip("no PortAudio here")
    if result.stdout.startswith("input: "):
        pytest.skip("this machine has a sound input device")
    assert result.stdout.startswith("no input sound device (Error querying device -1)")
    assert "raised no input sound device" in result.stdout and "python -m sounddevice" in result.stdout
