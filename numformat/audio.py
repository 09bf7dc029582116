"""Sound in and out: the microphone and speaker (sounddevice/PortAudio), WAV files, a speech clip.

Samples are float64 in ``[-1, 1)`` by default, the way the lessons reason about them, or the
integer PCM codes themselves with ``raw=True``.  Floats become integers through a
:class:`numformat.adc.Quantizer` of the file's width (nearest, ties to even, saturating at full
scale), integers become floats by dividing by ``2**(bits - 1)``: the same ADC the lessons build.

Live audio needs the PortAudio library.  When it is missing, or no microphone or speaker is
present, :func:`record`, :func:`play` and :func:`playrec` raise :class:`AudioUnavailable`
with the fix in the message; :func:`available` asks without raising, and
:func:`speech_sample` is always there as a fallback (play it in Jupyter with
``IPython.display.Audio(x, rate=rate)``).  sounddevice is imported only when a device is used.

Examples
--------
>>> x, rate = speech_sample()
>>> rate, x.dtype.name, bool(np.abs(x).max() <= 1)
(16000, 'float64', True)
>>> raw, _ = speech_sample(raw=True)
>>> raw.dtype.name, bool(np.array_equal(raw / 32768, x))
('int16', True)
"""

from __future__ import annotations

import os
import pathlib
import wave

import numpy as np

from .adc import Quantizer
from .checks import check_int, check_mode, check_positive
from .integers import int_range

SPEECH_WAV = pathlib.Path(__file__).resolve().parent / "data" / "speech.wav"
WAV_BITS = (8, 16, 24, 32)
_RAW_DTYPES = {8: np.int8, 16: np.int16, 24: np.int32, 32: np.int32}

_INSTALL_PORTAUDIO = ("install the PortAudio library: `sudo apt-get install libportaudio2` on Debian/Ubuntu, "
                      "or `conda install -c conda-forge python-sounddevice` (the macOS and Windows wheels of "
                      "sounddevice bring their own)")
_FALLBACK = "Meanwhile use audio.speech_sample() and IPython.display.Audio(x, rate=rate)."


class AudioUnavailable(RuntimeError):
    """No live audio here: PortAudio is missing, or there is no input or output device."""


def _sounddevice():
    """The sounddevice module, imported on first use; a missing PortAudio becomes AudioUnavailable."""
    try:
        import sounddevice
    except OSError as error:  # sounddevice raises OSError('PortAudio library not found') at import
        raise AudioUnavailable(f"sounddevice cannot load PortAudio ({error}): {_INSTALL_PORTAUDIO}. "
                               f"{_FALLBACK}") from error
    except ImportError as error:
        raise AudioUnavailable(f"the sounddevice package is not installed ({error}): `pip install sounddevice`, "
                               f"and {_INSTALL_PORTAUDIO}. {_FALLBACK}") from error
    return sounddevice


def _default_device(kind):
    """PortAudio's default input or output device, or AudioUnavailable naming the fix."""
    sounddevice = _sounddevice()
    try:
        return sounddevice.query_devices(kind=kind)
    except (sounddevice.PortAudioError, ValueError) as error:
        what = "microphone" if kind == "input" else "speaker or headphones"
        raise AudioUnavailable(
            f"no {kind} sound device ({error}): connect and enable a {what}, and check the {kind} device "
            f"with `python -m sounddevice`, which lists what PortAudio sees. {_FALLBACK}") from error


def available(kind="both"):
    """Whether live audio works here, without raising: ``(True, devices)`` or ``(False, reason)``.

    Parameters
    ----------
    kind : str
        ``"input"`` (a microphone), ``"output"`` (a speaker) or ``"both"``.

    Examples
    --------
    >>> ok, reason = available()
    >>> isinstance(ok, bool) and isinstance(reason, str)
    True
    """
    kinds = {"input": ("input",), "output": ("output",), "both": ("input", "output")}
    check_mode(kind, tuple(kinds), "kind")
    try:
        devices = [f"{each}: {_default_device(each)['name']}" for each in kinds[kind]]
    except AudioUnavailable as error:
        return False, str(error)
    return True, "; ".join(devices)


def _frames(seconds, rate):
    """How many frames ``seconds`` of sound at ``rate`` take (at least one)."""
    return max(1, round(check_positive(seconds, "seconds") * rate))


def to_pcm(x, bits=16):
    """Integer PCM codes of ``x``: floats in ``[-1, 1]`` are quantized, integers are range-checked.

    Examples
    --------
    >>> to_pcm([-1.0, -0.5, 0.0, 0.25, 1.0]).tolist()
    [-32768, -16384, 0, 8192, 32767]
    >>> to_pcm([-1.0, 1.0], bits=8).tolist()
    [-128, 127]
    """
    if bits not in WAV_BITS:
        raise ValueError(f"bits={bits!r} is not a PCM width; use one of {WAV_BITS}")
    array = np.asarray(x)
    low, high = int_range(bits)
    if array.dtype.kind in "iu":
        if array.size and (array.min() < low or array.max() > high):
            raise ValueError(f"x holds integers outside the {bits}-bit range [{low}, {high}] "
                             f"(from {array.min()} to {array.max()})")
        return array.astype(_RAW_DTYPES[bits])
    if array.dtype.kind != "f":
        raise TypeError(f"x must hold audio samples (floats in [-1, 1] or integer PCM), got {array.dtype}")
    outside = ~(np.abs(array) <= 1)  # NaN counts as outside
    if np.any(outside):
        raise ValueError(f"x must lie in [-1, 1] (full scale), got {float(array[outside].flat[0])}; "
                         "divide by np.abs(x).max() to normalise it")
    return Quantizer(bits).encode(array).astype(_RAW_DTYPES[bits])  # 1.0 saturates to the top code


def _as_samples(raw, bits, as_raw):
    """Integer codes as they are (``as_raw``) or as floats in [-1, 1); a mono column flattened."""
    if raw.ndim == 2 and raw.shape[1] == 1:
        raw = raw[:, 0]
    return raw if as_raw else Quantizer(bits).decode(raw)


def _as_frames(x, parameter="x"):
    array = np.asarray(x)
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(f"{parameter} must be a non-empty array of shape (frames,) or (frames, channels), "
                         f"got shape {array.shape}")
    return array


def record(seconds, rate=16000, *, channels=1, raw=False):
    """Record ``seconds`` of sound from the default microphone.

    Returns float64 samples in ``[-1, 1)`` (int16 codes with ``raw=True``) of shape
    ``(frames,)`` for mono or ``(frames, channels)``.  Raises :class:`AudioUnavailable` when
    there is no PortAudio or no microphone.
    """
    rate = check_int(rate, "rate", low=1)
    frames = _frames(seconds, rate)
    channels = check_int(channels, "channels", low=1)
    _default_device("input")
    recorded = _sounddevice().rec(frames, samplerate=rate, channels=channels, dtype="int16", blocking=True)
    return _as_samples(recorded, 16, raw)


def play(x, rate, *, blocking=True):
    """Play samples on the default speaker: floats in ``[-1, 1]`` or int16 PCM, mono or (frames, channels)."""
    rate = check_int(rate, "rate", low=1)
    pcm = to_pcm(_as_frames(x), 16)
    _default_device("output")
    _sounddevice().play(pcm, samplerate=rate, blocking=blocking)


def playrec(x, rate, *, channels=1, raw=False):
    """Play ``x`` and record from the microphone at the same time, as many frames as ``x`` has.

    Returns what :func:`record` returns.
    """
    rate = check_int(rate, "rate", low=1)
    pcm = to_pcm(_as_frames(x), 16)
    channels = check_int(channels, "channels", low=1)
    _default_device("input")
    _default_device("output")
    recorded = _sounddevice().playrec(pcm, samplerate=rate, channels=channels, dtype="int16", blocking=True)
    return _as_samples(recorded, 16, raw)


# ---------------------------------------------------------------- WAV files


def _decode_frames(data, width, channels):
    """Little-endian PCM bytes to signed integers, shape (frames, channels)."""
    if width == 1:  # 8-bit WAV is unsigned, with silence at 128
        codes = (np.frombuffer(data, np.uint8).astype(np.int16) - 128).astype(np.int8)
    elif width == 3:  # put each 3-byte sample in the top of an int32, then shift back: sign extends
        padded = np.zeros((len(data) // 3, 4), np.uint8)
        padded[:, 1:] = np.frombuffer(data, np.uint8).reshape(-1, 3)
        codes = padded.view("<i4")[:, 0] >> 8
    else:
        codes = np.frombuffer(data, f"<i{width}")
    return codes.astype(_RAW_DTYPES[8 * width]).reshape(-1, channels)


def _encode_frames(pcm, bits):
    if bits == 8:
        return (pcm.astype(np.int16) + 128).astype(np.uint8).tobytes()
    if bits == 24:
        return pcm.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    return pcm.astype(f"<i{bits // 8}").tobytes()


def _wav_problem(error):
    """What a ``wave`` exception means, in words (some carry no message at all)."""
    if isinstance(error, RuntimeError):  # the chunk module's seek past the end of the RIFF chunk
        return "a chunk's size runs past the end of the RIFF chunk that holds it"
    if isinstance(error, EOFError):
        return "the file ends inside a chunk header"
    return str(error) or type(error).__name__


def _check_wav_fields(path, channels, width, rate, frames, available):
    """The header's fields against what numformat reads and the bytes the file really has."""
    if width not in (1, 2, 3, 4):
        raise ValueError(f"{path!r} has {8 * width}-bit samples; numformat reads 8, 16, 24 or 32-bit PCM")
    if rate < 1:
        raise ValueError(f"{path!r} has a sample rate of {rate} Hz; a WAV file needs at least 1")
    if frames > available // (width * channels):  # checked before reading: no allocation from a header
        raise ValueError(f"{path!r} is truncated: its header promises {frames} frames, the data holds "
                         f"{available // (width * channels)}")


def read_wav(path, *, raw=False):
    """Read a PCM WAV file (8, 16, 24 or 32 bits, any number of channels) with the stdlib ``wave``.

    Every malformed file gives a ``ValueError`` that names the file and the problem; the frame
    count of the header is checked against the file's real size before any sample is read.

    Returns
    -------
    (x, rate) : samples of shape ``(frames,)`` for mono or ``(frames, channels)``, float64 in
        ``[-1, 1)``, or with ``raw=True`` the signed integer codes (int8, int16, int32, int32),
        and the sample rate in Hz.
    """
    path = os.fspath(path)
    with open(path, "rb") as file:
        try:
            with wave.open(file, "rb") as wav:
                channels, width, rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
                available = os.fstat(file.fileno()).st_size - file.tell()   # wave stops at the samples
                _check_wav_fields(path, channels, width, rate, frames, available)
                data = wav.readframes(frames)
        except (wave.Error, EOFError, RuntimeError) as error:
            raise ValueError(f"{path!r} is not a PCM WAV file that Python's wave module reads ({_wav_problem(error)}); "
                             "numformat reads uncompressed 8/16/24/32-bit integer PCM") from error
    if len(data) != frames * width * channels:
        raise ValueError(f"{path!r} is truncated: its header promises {frames} frames, the data holds "
                         f"{len(data) // (width * channels)}")
    return _as_samples(_decode_frames(data, width, channels), 8 * width, raw), rate


def write_wav(path, x, rate, *, bits=None):
    """Write samples to a PCM WAV file with the stdlib ``wave``.

    Parameters
    ----------
    path : str or path-like
    x : array_like
        Shape ``(frames,)`` (mono) or ``(frames, channels)``; floats in ``[-1, 1]`` or integer
        PCM codes that fit in ``bits``.
    rate : int
        Samples per second.
    bits : int, optional
        8, 16, 24 or 32; by default 16 for floats and the integer dtype's width (int8, int16,
        int32) for integers.

    Examples
    --------
    >>> import tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tone.wav"
    >>> write_wav(path, np.array([0, 1000, -1000], np.int16), 8000)
    >>> x, rate = read_wav(path, raw=True)
    >>> x.tolist(), rate
    ([0, 1000, -1000], 8000)
    """
    rate = check_int(rate, "rate", low=1)
    array = _as_frames(x)
    if bits is None:
        bits = 8 * array.dtype.itemsize if array.dtype.kind in "iu" and array.dtype.itemsize <= 4 else 16
    pcm = to_pcm(array, bits)
    channels = 1 if pcm.ndim == 1 else pcm.shape[1]
    with wave.open(os.fspath(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(bits // 8)
        wav.setframerate(rate)
        wav.writeframes(_encode_frames(pcm, bits))


def speech_sample(*, raw=False):
    """The bundled spoken sentence (16 kHz mono; see ``numformat/data/README.md`` for how it was made).

    Returns ``(x, rate)`` as :func:`read_wav` does.
    """
    return read_wav(SPEECH_WAV, raw=raw)
