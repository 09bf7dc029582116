"""The spoken-digit front end: from 8 kHz int16 samples to a 32 × 32 log-mel picture, in numpy.

Every step is one short function a student can read and redo by hand:

1. **find the speech** (:func:`speech_bounds`): 20 ms frames, their energy in dB, and the span
   of frames within 40 dB of the loudest one; a clip whose loudest frame is below −60 dBFS is
   silence;
2. **framing** (:func:`frame_starts`, :func:`frames_of`): 32 frames of 256 samples (32 ms)
   spread evenly over the speech, so every clip, short or long, gives the same number of frames
   (the hop is ``(samples − 256) / 31``, rounded per frame: overlapping frames for a short
   "eight", spaced ones for a slow "seven");
3. **window** (:func:`hann_window`): each frame times a periodic Hann window, so its ends fade
   to zero instead of leaking a jump into every frequency;
4. **FFT** (:func:`power_spectrum`): ``|rfft(frame, 512)|²``, zero-padded to 512 points (257
   bins 15.6 Hz apart from 0 to 4 kHz);
5. **mel filterbank** (:func:`mel_filterbank`): 32 triangles equally spaced on the mel scale
   ``2595·log10(1 + f/700)`` (HTK's), narrow at low frequencies where the ear resolves pitch
   finely, wide at high ones; each band sums the power under its triangle;
6. **log** (:func:`log_mel`): ``ln(band power + 1e-6)``: loudness is heard on a log scale, and a
   gain becomes an added constant, except in quiet bands whose power is near the ``1e-6``
   floor (which keeps silence finite and does not move with the gain);
7. **normalisation**: the picture minus its mean, which removes that constant -- the gain of
   the microphone, the distance to it -- wherever the floor does not matter, and divided by its
   standard deviation, so a loud and a soft voice span the same range; then rounded to 32nds, which float32 holds exactly (chosen
   on validation takes against each band's own mean, cepstral mean normalisation: 95.7% vs 95.0%).

:func:`spoken_digit_features` runs all seven on one clip or a list of clips and gives
``(N, 1, 32, 32)`` float32 (batch, channel, mel band from low to high, frame), the input of the
spoken-digit CNN.  The int8 model quantizes it like the digits images
(:func:`numformat.nn.quantize_model` calibrates its scale and zero point).

Examples
--------
A 1 kHz tone lands in band 14, whose triangle peaks at 963 Hz and reaches 0 at 870 and 1062 Hz:

>>> tone = (8000 * np.sin(2 * np.pi * 1000 * np.arange(4000) / RATE_HZ)).astype(np.int16)
>>> features = spoken_digit_features(tone)
>>> features.shape, features.dtype.name
((1, 1, 32, 32), 'float32')
>>> band = int(log_mel(tone).mean(axis=1).argmax())
>>> band, [round(float(hz)) for hz in mel_to_hz(mel_centres()[band:band + 3])]
(14, [870, 963, 1062])
"""

from __future__ import annotations

import numpy as np

from ..adc.recording import frame_power_dbfs
from ..audio import to_pcm
from ..checks import check_int

RATE_HZ = 8000
FRAME_LENGTH = 256          # samples per frame: 32 ms at 8 kHz
FFT_SIZE = 512              # the frame zero-padded: 257 bins, 15.625 Hz apart
MEL_BANDS = 32
FRAMES = 32
LOG_FLOOR = 1e-6            # added to the band power before the log: silence stays finite
FEATURE_STEP = 1 / 32       # features are rounded to 32nds of a standard deviation
ENERGY_FRAME = 160          # 20 ms frames for finding the speech
SILENCE_DBFS = -60.0        # a clip whose loudest 20 ms is quieter than this holds no speech
SPEECH_RANGE_DB = 40.0      # speech frames are within this many dB of the loudest frame
MAX_SPEECH_SECONDS = 3.0    # a spoken digit is shorter; longer speech is refused, not squeezed


def check_clip(audio, name="audio"):
    """``audio`` as a 1-D int16 array of 8 kHz samples, or a clear error.

    Floats in ``[-1, 1]`` are quantized to 16 bits (:func:`numformat.audio.to_pcm`); NaN, values
    beyond full scale, other shapes and empty clips are refused.

    >>> check_clip(np.array([0.5, -1.0])).tolist()
    [16384, -32768]
    >>> check_clip(np.zeros((2, 100), np.int16))
    Traceback (most recent call last):
    ...
    ValueError: audio must be one mono clip of shape (samples,), got shape (2, 100); take one channel, e.g. audio[:, 0]
    """
    if not isinstance(audio, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of int16 samples at {RATE_HZ} Hz, got {type(audio).__name__}")
    if audio.ndim != 1:
        hint = "; take one channel, e.g. audio[:, 0]" if audio.ndim == 2 else ""
        raise ValueError(f"{name} must be one mono clip of shape (samples,), got shape {audio.shape}{hint}")
    if audio.size == 0:
        raise ValueError(f"{name} is empty; a clip needs at least one sample")
    if audio.dtype == np.int16:
        return audio
    if audio.dtype.kind == "f":
        return to_pcm(audio, 16)
    raise TypeError(f"{name} must hold int16 PCM samples (or floats in [-1, 1]), got dtype {audio.dtype}")


def speech_bounds(audio):
    """``(start, stop)`` of the spoken part of a clip; ``(0, 0)`` when it is silence.

    The span of 20 ms frames within :data:`SPEECH_RANGE_DB` of the loudest, widened by one
    frame each side; a clip shorter than one frame is all speech (unless silent).

    >>> quiet, loud = np.zeros(800, np.int16), np.full(480, 3000, np.int16)
    >>> speech_bounds(np.concatenate([quiet, loud, quiet]))
    (640, 1440)
    >>> speech_bounds(np.zeros(8000, np.int16))
    (0, 0)
    """
    pcm = check_clip(audio)
    energy_db = frame_power_dbfs(pcm, min(ENERGY_FRAME, pcm.size))  # 20 ms frames, in dBFS
    if energy_db.max() < SILENCE_DBFS:
        return 0, 0
    if pcm.size < ENERGY_FRAME:
        return 0, pcm.size
    loud = np.flatnonzero(energy_db >= energy_db.max() - SPEECH_RANGE_DB)
    start = max(0, (loud[0] - 1) * ENERGY_FRAME)
    stop = pcm.size if loud[-1] + 2 >= energy_db.size else (loud[-1] + 2) * ENERGY_FRAME
    return int(start), int(stop)


def frame_starts(samples, frames=FRAMES, frame_length=FRAME_LENGTH):
    """Where each of ``frames`` frames starts, spread evenly from 0 to ``samples - frame_length``.

    >>> frame_starts(256 + 31 * 100).tolist()[:4]
    [0, 100, 200, 300]
    """
    last = max(0, samples - frame_length)
    return np.round(np.linspace(0, last, frames)).astype(np.int64)


def frames_of(pcm, starts, frame_length=FRAME_LENGTH):
    """``(frames, frame_length)`` float64 samples in ``[-1, 1)``, zero-padded past the clip's end."""
    samples = np.pad(pcm.astype(np.float64) / 32768, (0, max(0, starts[-1] + frame_length - pcm.size)))
    return samples[starts[:, None] + np.arange(frame_length)]


def hann_window(length=FRAME_LENGTH):
    """The periodic Hann window ``0.5 − 0.5·cos(2πn/length)`` (scipy's ``get_window("hann")``)."""
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(length) / length)


def power_spectrum(frames, fft_size=FFT_SIZE):
    """``|rfft(frame · window, fft_size)|²`` of every frame: ``(frames, fft_size // 2 + 1)``."""
    return np.abs(np.fft.rfft(frames * hann_window(frames.shape[-1]), fft_size)) ** 2


def hz_to_mel(hz):
    """HTK's mel scale: ``2595 · log10(1 + f / 700)``; 1000 Hz is about 1000 mel."""
    return 2595 * np.log10(1 + np.asarray(hz, dtype=np.float64) / 700)


def mel_to_hz(mel):
    """The inverse of :func:`hz_to_mel`."""
    return 700 * (10 ** (np.asarray(mel, dtype=np.float64) / 2595) - 1)


def mel_centres(bands=MEL_BANDS, rate_hz=RATE_HZ):
    """The ``bands + 2`` edges and centres, in mel, equally spaced from 0 Hz to ``rate_hz / 2``."""
    return np.linspace(0, hz_to_mel(rate_hz / 2), bands + 2)


def mel_filterbank(bands=MEL_BANDS, fft_size=FFT_SIZE, rate_hz=RATE_HZ, edges_hz=None):
    """``(bands, fft_size // 2 + 1)`` triangles: band ``b`` rises from centre ``b − 1`` to 1 at
    centre ``b`` and falls to 0 at centre ``b + 1`` (linear in Hz, centres equally spaced in mel;
    ``edges_hz``, the ``bands + 2`` edges and centres in Hz, moves them elsewhere).

    Between the first and the last centre, neighbouring triangles add up to exactly 1.

    >>> bank = mel_filterbank()
    >>> bank.shape, float(bank.max())
    ((32, 257), 1.0)
    """
    edges_hz = mel_to_hz(mel_centres(bands, rate_hz)) if edges_hz is None else np.asarray(edges_hz, np.float64)
    bin_hz = np.arange(fft_size // 2 + 1) * rate_hz / fft_size
    low, centre, high = edges_hz[:-2, None], edges_hz[1:-1, None], edges_hz[2:, None]
    rising, falling = (bin_hz - low) / (centre - low), (high - bin_hz) / (high - centre)
    return np.maximum(0, np.minimum(rising, falling))


def speech_power(audio, frames=FRAMES):
    """``(frames, FFT_SIZE // 2 + 1)`` power spectra of the spoken part of one clip (steps 1-4)."""
    pcm = check_clip(audio)
    start, stop = speech_bounds(pcm)
    if stop == start:
        raise ValueError(f"audio holds no speech: every 20 ms frame is below {SILENCE_DBFS:g} dBFS")
    if stop - start > MAX_SPEECH_SECONDS * RATE_HZ:
        raise ValueError(f"the spoken part of audio lasts {(stop - start) / RATE_HZ:.1f} s; a spoken digit lasts "
                         f"under {MAX_SPEECH_SECONDS:g} s (cut the recording around one word)")
    speech = pcm[start:stop]
    return power_spectrum(frames_of(speech, frame_starts(speech.size, frames)))


def log_mel(audio, frames=FRAMES):
    """``(bands, frames)`` natural-log mel energies of the spoken part of one clip (steps 1-6)."""
    return np.log(speech_power(audio, frames) @ mel_filterbank().T + LOG_FLOOR).T


def normalise(log_energies):
    """The picture minus its mean, over its standard deviation, rounded to :data:`FEATURE_STEP`,
    as float32 (step 7); a picture with no variation at all becomes zeros."""
    centred = log_energies - log_energies.mean()
    spread = centred.std()
    return to_feature_steps(centred / spread if spread > 0 else centred)


def to_feature_steps(scaled):
    """``scaled`` rounded to the nearest :data:`FEATURE_STEP` (halves to even), as float32.

    >>> to_feature_steps(np.array([0.01, 0.02, -1 / 64])).tolist()
    [0.0, 0.03125, -0.0]
    """
    return (np.round(scaled / FEATURE_STEP) * FEATURE_STEP).astype(np.float32)


def spoken_digit_features(audio, rate_hz=RATE_HZ):
    """The CNN's input for one clip or a sequence of clips: ``(N, 1, 32, 32)`` float32.

    Parameters
    ----------
    audio : numpy.ndarray or sequence of numpy.ndarray
        Mono clips at 8 kHz: int16 PCM (floats in ``[-1, 1]`` are quantized to 16 bits first).
    rate_hz : int
        The clips' sample rate, which must be 8000: the filterbank's frequencies assume it
        (resample other rates first, e.g. ``scipy.signal.resample_poly(x, 8000, rate)``).

    Returns
    -------
    numpy.ndarray
        Standardised log-mel energies, mel band (low to high) by frame, in 32nds.

    Raises
    ------
    TypeError, ValueError
        For a clip that is not mono 8 kHz PCM, holds NaN, is silent, or whose spoken part lasts
        longer than :data:`MAX_SPEECH_SECONDS`.
    """
    if check_int(rate_hz, "rate_hz") != RATE_HZ:
        raise ValueError(f"rate_hz={rate_hz} is not supported: the front end works on {RATE_HZ} Hz clips; resample "
                         f"first, e.g. scipy.signal.resample_poly(x, {RATE_HZ}, {rate_hz})")
    clips = [audio] if isinstance(audio, np.ndarray) else audio  # an array is one clip, checked as such
    if not isinstance(clips, (list, tuple)) or len(clips) == 0:
        raise TypeError("audio must be a 1-D numpy array (one clip) or a non-empty list or tuple of them, "
                        f"got {type(audio).__name__}")
    features = np.empty((len(clips), 1, MEL_BANDS, FRAMES), dtype=np.float32)
    for index, clip in enumerate(clips):  # clips differ in length: one at a time, each fully vectorised
        features[index, 0] = normalise(log_mel(clip, FRAMES))
    return features
