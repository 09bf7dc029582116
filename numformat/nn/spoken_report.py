"""Measure the spoken-digit recogniser: input formats, int8 and every speaker held out in turn.

    python -m numformat.nn.spoken_report                      # writes numformat/data/spoken_digits_cnn.json
    python -m numformat.nn.spoken_report --source DIR         # also 16-bit PCM from the FSDD recordings

Three measurements, each recorded in the JSON file beside the shipped weights (the README and
lesson 10 quote it):

``formats``
    The shipped model on the official test clips as they reach it in five forms: the original
    16-bit PCM (only with the recordings, ``--source``), G.711 μ-law (what the package ships),
    uniform 8-bit and 4-bit PCM (the 16-bit samples rounded to 8 or 4 bits by
    :class:`numformat.adc.Quantizer`: mid-tread, nearest even, saturating) -- float32 and int8;
``int8``
    Float32 against the int8 model (``requant="fixedpoint"``, TFLite's integer-only arithmetic,
    and ``"float32"``, onnxruntime's) on the official test split;
``speakers``
    Speaker independence: for each of the six speakers, a model trained from the same seed and
    settings on the other five (``load_spoken_digits("speaker:<name>")``) and tested on all 500
    clips of the voice it never heard.  Six trainings: the slow part (minutes).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import sys

import numpy as np

from ..adc import Quantizer, mulaw_decode, mulaw_encode
from .int8 import quantize_model
from .spoken import SPEAKERS, WEIGHTS_PATH, load_spoken_digits, load_spoken_int8, load_spoken_model
from .spoken_build import DEFAULT_SOURCE, read_recordings
from .spoken_train import SpokenConfig, activation_ranges, official_features, train_spoken

REPORT_PATH = WEIGHTS_PATH.with_suffix(".json")


def uniform_pcm(pcm, bits):
    """int16 samples rounded to ``bits`` bits (mid-tread, nearest even, saturating), back in int16 units.

    >>> uniform_pcm(np.array([100, 200, -32768, 32767], np.int16), 8).tolist()
    [0, 256, -32768, 32512]
    """
    quantizer = Quantizer(bits)
    return np.round(quantizer.quantize(pcm / 32768) * 32768).astype(np.int16)


def format_clips(test_pcm=None, test_mulaw=None):
    """``{format: clips}`` of the same test clips: from the 16-bit originals when given, else from μ-law."""
    if test_pcm is None:
        return {"mulaw8": list(test_mulaw)}
    return {"pcm16": list(test_pcm), "mulaw8": [mulaw_decode(mulaw_encode(pcm)) for pcm in test_pcm],
            "uniform8": [uniform_pcm(pcm, 8) for pcm in test_pcm], "uniform4": [uniform_pcm(pcm, 4) for pcm in test_pcm]}


def formats_accuracy(model, int8_model, clips_by_format, labels):
    """``{format: {"float32": accuracy, "int8": accuracy, "silent": clips}}`` on each form of the clips.

    A clip that a coarse format rounds to silence (4-bit PCM of a quiet speaker) gets no answer
    and counts as wrong; ``silent`` says how many did.
    """
    from .features import speech_bounds, spoken_digit_features

    table = {}
    for name, clips in clips_by_format.items():
        heard = np.array([speech_bounds(clip)[1] > 0 for clip in clips])
        x = spoken_digit_features([clip for clip, kept in zip(clips, heard) if kept])
        table[name] = {"float32": float(np.sum(model.predict(x) == labels[heard]) / len(labels)),
                       "int8": float(np.sum(int8_model.predict(x) == labels[heard]) / len(labels)),
                       "silent": int(np.sum(~heard))}
    return table


def official_test_pcm(source):
    """The 16-bit originals of the official test clips, in ``load_spoken_digits``' order."""
    clips = read_recordings(source)
    return [pcm for pcm, _, _, take in clips if take < 5]


def speaker_independence(config=SpokenConfig(), speakers=SPEAKERS, *, show_progress=False):
    """``{speaker: {"float32": accuracy, "int8": accuracy}}``, each speaker held out in turn."""
    results = {}
    for speaker in speakers:
        data = official_features(f"speaker:{speaker}")
        model, history = train_spoken(config, data, show_progress=show_progress)
        int8_model = quantize_model(model, data[0], ranges=activation_ranges(model, data[0]))
        results[speaker] = {"float32": history["eval_accuracy"][-1], "int8": int8_model.accuracy(data[2], data[3])}
        if show_progress:
            print(f"held out {speaker}: float32 {results[speaker]['float32']:.2%}, int8 {results[speaker]['int8']:.2%}",
                  file=sys.stderr)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.nn.spoken_report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default=None, help=f"the FSDD recordings folder (e.g. {DEFAULT_SOURCE})")
    parser.add_argument("--out", default=str(REPORT_PATH))
    parser.add_argument("--skip-speakers", action="store_true", help="only the formats and int8 (seconds, not minutes)")
    args = parser.parse_args(argv)
    model, int8_model = load_spoken_model(), load_spoken_int8()
    _, test = load_spoken_digits("official")
    x_test = test.features()
    pcm = official_test_pcm(args.source) if args.source else None
    report = {"config": dataclasses.asdict(SpokenConfig()),
              "int8": {"float32": model.accuracy(x_test, test.labels),
                       **{f"int8_{mode}": int8_model.accuracy(x_test, test.labels, requant=mode)
                          for mode in ("fixedpoint", "float32")}},
              "formats": formats_accuracy(model, int8_model, format_clips(pcm, test.audio), test.labels)}
    if not args.skip_speakers:
        report["speakers"] = speaker_independence(show_progress=True)
    pathlib.Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
