"""What a recording, not a test tone, can say about its converter: noise floor, levels used, ENOB.

IEEE 1241 measures a converter with a known sine.  A speech recording has no known input, so a
sine fit is impossible and SINAD cannot be measured.  What *can* be read from the samples:

* the **noise floor**: the power of the quietest 20 ms frames (a low percentile of the frame
  powers, so a clip that is mostly speech still finds its pauses), in dBFS, 0 dBFS being the
  mean square of a ±32768 square wave;
* the **dynamic range**: a full-scale sine (−3.01 dBFS) against that floor, and the
  **ENOB-equivalent** ``(dynamic range − 1.76) / 6.02``, the bits of an ideal converter whose
  quantization noise alone would sit at that floor;
* the **speech-to-noise ratio**: the loudest frame against the floor;
* the **levels used** and the **low bits that are always zero**: a 16-bit file written from an
  8-bit converter keeps the low 8 bits at zero in every sample.

Every one of these is an upper bound on the converter's quality, not a measurement of it: the
floor of a quiet room, the microphone and the preamplifier lie above the converter's own noise,
and nothing here separates them.  A frame of digital silence (all zeros) is counted as the
ideal 16-bit quantization noise, ``(1/32768)² / 12``, so the ENOB-equivalent never exceeds 16.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> hiss = np.round(rng.normal(0, 32768 * 10 ** (-60 / 20), 8000)).astype(np.int16)   # −60 dBFS
>>> quality = recording_quality(hiss)
>>> round(quality.noise_floor_dbfs), round(quality.enob_equivalent, 1), quality.zero_low_bits
(-60, 9.3, 0)
"""

from collections import namedtuple

import numpy as np

from ..checks import check_int, check_real

FRAME_LENGTH = 160                            # 20 ms at 8 kHz, the frames speech trimming uses
FLOOR_PERCENTILE = 10.0                       # the quietest tenth of the frames is "no speech"
FULL_SCALE_SINE_DBFS = 10 * np.log10(0.5)     # −3.01 dBFS: a sine peaking at ±32768
IDEAL_16BIT_NOISE_DBFS = 10 * np.log10(1 / 12) - 20 * np.log10(32768)   # −101.1 dBFS, step²/12

RecordingQuality = namedtuple("RecordingQuality", [
    "peak_dbfs", "loudest_frame_dbfs", "noise_floor_dbfs", "dynamic_range_db",
    "speech_to_noise_db", "enob_equivalent", "levels_used", "zero_low_bits", "smallest_magnitude",
])
RecordingQuality.__doc__ = """What :func:`recording_quality` reads from one int16 clip (dB values in dBFS or dB)."""


def check_pcm16(pcm, frame_length=FRAME_LENGTH):
    """``pcm`` as a 1-D int16 array of at least one ``frame_length`` frame, or a clear error.

    >>> check_pcm16(np.zeros(10, np.int16))
    Traceback (most recent call last):
    ...
    ValueError: pcm has 10 samples; it needs at least one frame of frame_length=160
    """
    frame_length = check_int(frame_length, "frame_length", low=1)
    if not isinstance(pcm, np.ndarray) or pcm.dtype != np.int16:
        what = pcm.dtype if isinstance(pcm, np.ndarray) else type(pcm).__name__
        raise TypeError(f"pcm must be a numpy int16 array of samples, got {what}")
    if pcm.ndim != 1:
        raise ValueError(f"pcm must be one mono clip of shape (samples,), got shape {pcm.shape}")
    if pcm.size < frame_length:
        raise ValueError(f"pcm has {pcm.size} samples; it needs at least one frame of frame_length={frame_length}")
    return pcm


def frame_power_dbfs(pcm, frame_length=FRAME_LENGTH):
    """Mean power of each whole frame in dBFS, digital silence counted as ideal 16-bit noise.

    >>> frame_power_dbfs(np.full(320, -32768, np.int16)).tolist()
    [0.0, 0.0]
    >>> round(float(frame_power_dbfs(np.zeros(160, np.int16))[0]), 2)
    -101.1
    """
    pcm = check_pcm16(pcm, frame_length)
    frames = pcm[: pcm.size // frame_length * frame_length].reshape(-1, frame_length) / 32768
    power_dbfs = 10 * np.log10(np.maximum(np.mean(frames ** 2, axis=1), 10 ** (IDEAL_16BIT_NOISE_DBFS / 10)))
    return power_dbfs


def noise_floor_dbfs(pcm, frame_length=FRAME_LENGTH, percentile=FLOOR_PERCENTILE):
    """The ``percentile``-th percentile of the frame powers (dBFS): the clip's pauses.

    >>> clip = np.concatenate([np.full(800, 33, np.int16), np.full(800, 3300, np.int16)])
    >>> round(noise_floor_dbfs(clip), 1)
    -59.9
    """
    percentile = check_real(percentile, "percentile", low=0, high=100)
    return float(np.percentile(frame_power_dbfs(pcm, frame_length), percentile))


def enob_equivalent(floor_dbfs):
    """Bits of an ideal converter whose quantization noise alone sits at ``floor_dbfs``.

    ``(SNR − 1.76) / 6.02`` with SNR the full-scale sine (−3.01 dBFS) over the floor.

    >>> round(enob_equivalent(IDEAL_16BIT_NOISE_DBFS), 2)   # 6.02 and 1.76 are rounded
    16.0
    """
    floor_dbfs = check_real(floor_dbfs, "floor_dbfs")
    return float((FULL_SCALE_SINE_DBFS - floor_dbfs - 1.76) / 6.02)


def zero_low_bits(pcm):
    """How many low bits are zero in every sample (16 for digital silence).

    >>> zero_low_bits(np.array([256, -512, 0], np.int16)), zero_low_bits(np.array([3, 8], np.int16))
    (8, 0)
    """
    pcm = check_pcm16(pcm, 1)
    ored = int(np.bitwise_or.reduce(pcm.astype(np.int32) & 0xFFFF))
    return 16 if ored == 0 else (ored & -ored).bit_length() - 1


def recording_quality(pcm, frame_length=FRAME_LENGTH, percentile=FLOOR_PERCENTILE):
    """Everything the samples of one int16 clip say about the chain that made them.

    Parameters
    ----------
    pcm : numpy.ndarray of int16
        One mono clip.
    frame_length : int
        Samples per frame (160 = 20 ms at 8 kHz).
    percentile : float
        Which percentile of the frame powers is taken as the noise floor.

    Returns
    -------
    RecordingQuality
        ``peak_dbfs`` (largest ``|sample|``), ``loudest_frame_dbfs``, ``noise_floor_dbfs``,
        ``dynamic_range_db`` (full-scale sine over the floor), ``speech_to_noise_db`` (loudest
        frame over the floor), ``enob_equivalent``, ``levels_used`` (distinct sample values),
        ``zero_low_bits`` and ``smallest_magnitude`` (smallest nonzero ``|sample|``, 0 if none).

    Examples
    --------
    >>> eight_bit = np.repeat(np.array([0, 256, -256, 2560, -2560], np.int16), 160)
    >>> quality = recording_quality(eight_bit, percentile=0)   # the quietest frame is the floor
    >>> quality.levels_used, quality.zero_low_bits, quality.smallest_magnitude
    (5, 8, 256)
    >>> round(quality.noise_floor_dbfs, 1), round(quality.loudest_frame_dbfs, 1), round(quality.speech_to_noise_db, 1)
    (-101.1, -22.1, 78.9)
    """
    pcm = check_pcm16(pcm, frame_length)
    power_dbfs = frame_power_dbfs(pcm, frame_length)
    floor_dbfs = noise_floor_dbfs(pcm, frame_length, percentile)
    magnitudes = np.abs(pcm.astype(np.int32))
    nonzero = magnitudes[magnitudes > 0]
    peak = int(magnitudes.max())
    return RecordingQuality(
        peak_dbfs=float(20 * np.log10(peak / 32768)) if peak else -np.inf,
        loudest_frame_dbfs=float(power_dbfs.max()),
        noise_floor_dbfs=floor_dbfs,
        dynamic_range_db=float(FULL_SCALE_SINE_DBFS - floor_dbfs),
        speech_to_noise_db=float(power_dbfs.max() - floor_dbfs),
        enob_equivalent=float(enob_equivalent(floor_dbfs)),
        levels_used=int(np.unique(pcm).size),
        zero_low_bits=zero_low_bits(pcm),
        smallest_magnitude=int(nonzero.min()) if nonzero.size else 0,
    )
