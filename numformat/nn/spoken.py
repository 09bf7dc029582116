"""Spoken digits: real recordings, a CNN that hears them, and a microphone that feeds it integers.

The pipeline of the course's capstone, as a device would run it::

    microphone → 8 kHz int16 → G.711 μ-law (8 bits) → log-mel features → int8 CNN (MAC loop) → digit

* :func:`load_spoken_digits` gives the Free Spoken Digit Dataset (3,000 recordings, 6 speakers
  × 10 digits × 50 takes; CC BY-SA 4.0), shipped as μ-law codes in
  ``numformat/data/spoken_digits.npz`` (``python -m numformat.nn.spoken_build`` makes it) and
  decoded here to int16 with :func:`numformat.adc.mulaw_decode`;
* :data:`SPOKEN_CNN` is the network, a second instance of the engine beside the digits CNN:
  the 32 × 32 log-mel picture of :func:`numformat.nn.features.spoken_digit_features` → three
  blocks of conv 3×3 (8, 16 and 32 channels) → ReLU → max-pool → dense → 10 digits;
* :func:`load_spoken_model` gives its trained float weights (``python -m
  numformat.nn.spoken_train`` rebuilds them from a seed), :func:`load_spoken_int8` the int8
  model with the activation ranges calibrated at build time;
* :func:`recognise` records from the microphone, finds the spoken part and prints the digit.

Examples
--------
>>> train, test = load_spoken_digits()
>>> len(train), len(test), test.audio[0].dtype.name, test.rate_hz
(2700, 300, 'int16', 8000)
>>> sorted(set(test.speakers.tolist())) == list(SPEAKERS)
True
"""

from __future__ import annotations

import dataclasses
import pathlib

import numpy as np

from ..adc import mulaw_decode, mulaw_encode
from ..checks import check_real
from .architecture import Architecture, Conv2d, Dense, Flatten, MaxPool, ReLU
from .features import FRAMES, MEL_BANDS, RATE_HZ, SILENCE_DBFS, check_clip, speech_bounds, spoken_digit_features
from .int8 import quantize_model
from .model import FloatCNN

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data"
DATA_PATH = DATA_DIR / "spoken_digits.npz"
WEIGHTS_PATH = DATA_DIR / "spoken_digits_cnn.npz"
SPEAKERS = ("george", "jackson", "lucas", "nicolas", "theo", "yweweler")
SPOKEN_CHANNELS = (8, 16, 32)  # the shipped network's conv blocks (spoken_cnn)
OFFICIAL_TEST_TAKES = 5  # the dataset's split: takes 0-4 of every speaker and digit are the test set


def spoken_cnn(*channels):
    """The spoken-digit CNN's layers: one conv 3×3 → ReLU → max-pool 2 block per entry of
    ``channels`` (its output channels), then a dense layer to the 10 digits.  :data:`SPOKEN_CNN`
    is the shipped :data:`SPOKEN_CHANNELS` ``(8, 16, 32)``, chosen by cross-validation on the
    training takes over the first ``(8, 16)``; the levers study tries wider and deeper ones.

    >>> SPOKEN_CNN.multiply_accumulates, spoken_cnn(8, 16).multiply_accumulates
    (668672, 378880)
    >>> spoken_cnn(16, 32).multiply_accumulates
    1347584
    """
    channels = channels or SPOKEN_CHANNELS
    name = "spoken_digits" if channels == SPOKEN_CHANNELS else "spoken_digits_" + "x".join(map(str, channels))
    layers, previous = [], 1
    for index, width in enumerate(channels, start=1):
        layers += [Conv2d(f"conv{index}", previous, width, kernel=3, padding=1), ReLU(), MaxPool(f"pool{index}", 2)]
        previous = width
    side = 2 ** len(channels)
    layers += [Flatten(), Dense("fc", previous * (MEL_BANDS // side) * (FRAMES // side), 10)]
    return Architecture(name, (1, MEL_BANDS, FRAMES), tuple(layers))


#: The spoken-digit CNN: 32 mel bands × 32 frames → 10 digits; 668,672 multiply-accumulates per clip.
SPOKEN_CNN = spoken_cnn()


@dataclasses.dataclass(frozen=True, eq=False)
class SpokenDigits:
    """Recordings with their digit, speaker and take; ``audio[i]`` is clip ``i``'s int16 samples at 8 kHz."""

    audio: tuple
    labels: np.ndarray
    speakers: np.ndarray
    takes: np.ndarray
    rate_hz: int = RATE_HZ

    def __len__(self):
        return len(self.audio)

    def subset(self, chosen):
        """The clips where the boolean mask ``chosen`` is True (or at the indices ``chosen``)."""
        indices = np.flatnonzero(chosen) if np.asarray(chosen).dtype == bool else np.asarray(chosen)
        return SpokenDigits(tuple(self.audio[i] for i in indices), self.labels[indices], self.speakers[indices],
                            self.takes[indices], self.rate_hz)

    def features(self):
        """:func:`~numformat.nn.features.spoken_digit_features` of every clip: ``(N, 1, 32, 32)`` float32."""
        return spoken_digit_features(self.audio)


def read_spoken_file(path=DATA_PATH):
    """Every clip of the shipped file as one :class:`SpokenDigits` (μ-law decoded to int16)."""
    with np.load(path, allow_pickle=False) as stored:
        pcm = mulaw_decode(stored["codes"])
        offsets = stored["offsets"]
        names = stored["speaker_names"]
        return SpokenDigits(tuple(pcm[start:stop] for start, stop in zip(offsets[:-1], offsets[1:])),
                            stored["labels"].astype(np.int64), names[stored["speakers"]],
                            stored["takes"].astype(np.int64), int(stored["rate_hz"]))


def load_spoken_digits(split="official"):
    """The Free Spoken Digit Dataset as ``(train, test)`` :class:`SpokenDigits`, from the shipped file.

    Parameters
    ----------
    split : str
        ``"official"``: takes 0-4 of every speaker and digit are the test set (300 clips), takes
        5-49 the training set (2,700), as the dataset defines it.  ``"speaker:<name>"``: every
        clip of one speaker is the test set (500 clips) and the other five speakers' the
        training set: a speaker-independent test, the network never heard that voice.

    Examples
    --------
    >>> train, test = load_spoken_digits("speaker:theo")
    >>> len(train), len(test), set(test.speakers.tolist())
    (2500, 500, {'theo'})
    >>> load_spoken_digits("speaker:alice")
    Traceback (most recent call last):
    ...
    ValueError: split='speaker:alice' names no speaker; use 'official' or 'speaker:<name>' with a name from george, jackson, lucas, nicolas, theo, yweweler
    """
    if not isinstance(split, str):
        raise TypeError(f"split must be a str such as 'official' or 'speaker:theo', got {type(split).__name__}")
    everything = read_spoken_file()
    if split == "official":
        held = everything.takes < OFFICIAL_TEST_TAKES
    elif split.startswith("speaker:") and split[len("speaker:"):] in SPEAKERS:
        held = everything.speakers == split[len("speaker:"):]
    else:
        raise ValueError(f"split={split!r} names no speaker; use 'official' or 'speaker:<name>' with a name from "
                         + ", ".join(SPEAKERS))
    return everything.subset(~held), everything.subset(held)


def load_spoken_model(path=WEIGHTS_PATH):
    """The shipped float :class:`~numformat.nn.model.FloatCNN` of :data:`SPOKEN_CNN`."""
    return FloatCNN.load(path, SPOKEN_CNN)


def shipped_ranges(path=WEIGHTS_PATH):
    """``{activation: (min, max)}`` calibrated on the training features when the weights were built."""
    with np.load(path, allow_pickle=False) as stored:
        return {name: tuple(float(bound) for bound in stored[f"meta_range_{name}"])
                for name in SPOKEN_CNN.activation_names}


def load_spoken_int8(path=WEIGHTS_PATH):
    """The shipped model quantized to int8 with the activation ranges stored beside its weights
    (min/max over the training features; no features need to be computed to load it)."""
    model = load_spoken_model(path)
    placeholder = np.zeros((1, *SPOKEN_CNN.input_shape), dtype=np.float32)  # every range is given
    return quantize_model(model, placeholder, ranges=shipped_ranges(path))


MAX_RECORD_SECONDS = 10.0


@dataclasses.dataclass(frozen=True, eq=False)
class Recognition:
    """What :func:`recognise` heard: ``digit`` (None for silence), ``confidence`` (the softmax of the
    int8 model's dequantized logits), ``source`` (``"microphone"`` or the test clip used), the
    int16 ``audio`` after its G.711 μ-law round trip, and the ``(start, stop)`` of the speech in it."""

    digit: int | None
    confidence: float
    source: str
    audio: np.ndarray
    speech: tuple

    def __str__(self):
        if self.digit is None:
            return f"heard no speech ({self.source}): every 20 ms was below {SILENCE_DBFS:g} dBFS"
        return f"digit {self.digit} ({self.confidence:.0%} confident; {self.source})"


def fallback_clip(index=0):
    """``(audio, description)`` of official test clip ``index``, for machines without a microphone."""
    _, test = load_spoken_digits("official")
    return test.audio[index], (f"test clip {index}: {test.speakers[index]} saying {test.labels[index]}, "
                               f"take {test.takes[index]}")


def recognise(seconds=1.0, *, int8_model=None, engine="loop", stream=None):
    """Say a digit: record ``seconds`` from the microphone, find the speech, recognise it with integers only.

    microphone (sounddevice, 8 kHz int16) → G.711 μ-law and back (what a telephone line delivers)
    → :func:`~numformat.nn.features.speech_bounds` → log-mel features → the int8 CNN (``engine="loop"``:
    the explicit integer MAC loop) → the digit.  Without a microphone (or PortAudio) it says why
    and recognises a test clip instead.  Prints the result on ``stream`` (default ``sys.stdout``)
    and returns a :class:`Recognition`.

    Parameters
    ----------
    seconds : float
        How long to record, more than 0 and at most 10.
    int8_model : Int8CNN, optional
        Default: :func:`load_spoken_int8`.
    engine : {"loop", "vectorized"}
    """
    import sys

    from .. import audio as sound

    seconds = check_real(seconds, "seconds", low=0, high=MAX_RECORD_SECONDS, low_open=True)
    int8_model = load_spoken_int8() if int8_model is None else int8_model
    stream = stream or sys.stdout
    available, reason = sound.available("input")
    if available:
        pcm, source = sound.record(seconds, RATE_HZ, raw=True), "microphone"
    else:
        pcm, source = fallback_clip()
        stream.write(f"no microphone ({reason.split(':')[0]}); recognising {source} instead\n")
    result = recognise_clip(pcm, int8_model, engine=engine, source=source)
    stream.write(f"{result}\n")
    return result


def recognise_clip(pcm, int8_model, *, engine="loop", source="clip"):
    """:func:`recognise` on samples already recorded (int16 at 8 kHz): a :class:`Recognition`."""
    received = mulaw_decode(mulaw_encode(check_clip(pcm, "pcm")))
    start, stop = speech_bounds(received)
    if stop == start:
        return Recognition(None, 0.0, source, received, (0, 0))
    logits = int8_model.forward(spoken_digit_features(received[start:stop]), engine=engine)[0].astype(np.float64)
    probabilities = np.exp(logits - logits.max())
    probabilities /= probabilities.sum()
    digit = int(probabilities.argmax())
    return Recognition(digit, float(probabilities[digit]), source, received, (start, stop))
