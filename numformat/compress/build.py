"""Build the shipped compressed CNN: Deep Compression's full pipeline, from the shipped float model.

    python -m numformat.compress.build              # rebuild numformat/data/digits_cnn_compressed.bin and .json
    python -m numformat.compress.build --out my.bin

The long version of :func:`~numformat.compress.pipeline.deep_compression` (whose defaults stay
short enough for a lesson): prune in many rounds of many epochs each, as Han et al.'s iterative
pruning does, share weights by k-means and fine-tune the centroids, Huffman-code, and store the
biases in int8.  Every fine-tuning learns from the float model's softened answers as well as
the labels (knowledge distillation, :mod:`numformat.nn.distill`).  A minute on one core: a
test or a lesson cannot wait that long, so the result ships as a file, as the float weights
do (:mod:`numformat.nn.train`).

Every setting in :data:`BUILD_SETTINGS` was chosen by cross-validation on the training images
(:mod:`numformat.compress.search`); the build fine-tunes on all the training images, as the
float model was trained, and touches the test set once, at the end, to report.  Everything is
seeded and runs in a fixed order, so the same seed gives the same bytes.  The record written
beside the file (``.json``) holds a SHA-256 digest of the weights after every epoch, of the
k-means codes before and after fine-tuning and of the file itself, so a test can retrain the
first epochs and compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import sys
import time

import numpy as np

from ..nn.data import load_digits_split
from ..nn.distill import distillation_targets
from ..nn.pretrained import load_pretrained
from ..nn.train import progress_bar
from .file_format import COMPRESSED_PATH, save_compressed, to_bytes
from .prune import WEIGHT_NAMES
from .pipeline import deep_compression

RECORD_PATH = COMPRESSED_PATH.with_suffix(".json")

# Chosen by cross-validation (python -m numformat.compress.search; the table is in numformat/data/README.md).
BUILD_SETTINGS = {
    "seed": 0,
    "sparsity": {"conv1_weight": 0.3, "conv2_weight": 0.7, "fc_weight": 0.85},
    "clusters": {"conv1_weight": 15, "conv2_weight": 7, "fc_weight": 7},
    "prune_steps": 10,
    "prune_epochs": 10,
    "learning_rate": 0.01,
    "share_epochs": 10,
    "share_learning_rate": 0.01,
    "codebook_dtype": "float16",
    "bias_dtype": "int8",
    "distillation": {"temperature": 3.0, "label_weight": 0.5},
}


def shared_digest(shared):
    """SHA-256 of every layer's codebook (float32), indices (int64) and mask, in layer order."""
    digest = hashlib.sha256()
    for name in WEIGHT_NAMES:
        layer = shared[name]
        for array in (layer.codebook.astype(np.float32), layer.indices.astype(np.int64), layer.mask.astype(np.uint8)):
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


class Progress:
    """An ``on_epoch`` hook: records every epoch's digest and draws one bar over the whole build."""

    def __init__(self, settings, stream=None):
        self.prune_epochs = settings["prune_steps"] * settings["prune_epochs"]
        self.total = self.prune_epochs + settings["share_epochs"]
        self.digests, self.stream, self.started = [], stream, time.perf_counter()

    def __call__(self, model, history):
        self.digests.append(history["digest"][-1])
        if self.stream is not None:
            stage = "pruning" if len(self.digests) <= self.prune_epochs else "centroids"
            note = f"{stage}  loss {history['loss'][-1]:.4f}  {time.perf_counter() - self.started:.0f} s"
            self.stream.write("\r" + progress_bar(len(self.digests), self.total, note=note).ljust(80))
            self.stream.flush()


def training_data(model, settings=BUILD_SETTINGS):
    """The fine-tuning data: the training images with ``model``'s distillation targets as labels.

    The test pair is only the evaluation pair of ``train``'s history: nothing is decided on it.
    """
    x_train, y_train, x_test, y_test = load_digits_split(0)
    return x_train, distillation_targets(model, x_train, y_train, **settings["distillation"]), x_test, y_test


def build(settings=BUILD_SETTINGS, *, model=None, stream=None):
    """Run the whole pipeline on the shipped model (or ``model``), fine-tuning on the training images.

    Returns
    -------
    result : DeepCompression
        Every stage; ``result.encoded`` is the file.
    record : dict
        The settings, the digests (every epoch, k-means, centroids, file) and the bits.
    """
    model = load_pretrained() if model is None else model
    progress = Progress(settings, stream)
    options = {key: value for key, value in settings.items() if key not in ("seed", "distillation")}
    result = deep_compression(model, **options, index_bits="best", seed=settings["seed"],
                              data=training_data(model, settings), on_epoch=progress)
    if stream is not None:
        stream.write("\n")
    digests = {"epochs": progress.digests, "k-means": shared_digest(result.shared_before_tuning),
               "centroids": shared_digest(result.shared), "file": hashlib.sha256(to_bytes(result.encoded)).hexdigest()}
    record = {"settings": settings, "digests": digests, "bits": result.encoded.bits(),
              "stage_bits": result.encoded.stage_bits(),
              "index_bits": {name: layer.index_bits for name, layer in result.encoded.layers.items()}}
    return result, record


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.compress.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(COMPRESSED_PATH),
                        help="the compressed file (default: the shipped one); the record goes beside it as .json")
    parser.add_argument("--seed", type=int, default=BUILD_SETTINGS["seed"], help="seeds every shuffle")
    args = parser.parse_args(argv)
    model = load_pretrained()
    result, record = build({**BUILD_SETTINGS, "seed": args.seed}, model=model, stream=sys.stderr)
    _, _, x_test, y_test = load_digits_split(0)   # the test images, once, after everything is decided
    record["test_accuracy"] = {"float32": model.accuracy(x_test, y_test),
                               "pruned": result.pruned.accuracy(x_test, y_test),
                               "file": result.decoded().accuracy(x_test, y_test)}
    out = pathlib.Path(args.out)
    size = save_compressed(result.encoded, out)
    out.with_suffix(".json").write_text(json.dumps(record, indent=1) + "\n")
    accuracy = record["test_accuracy"]
    print(f"test accuracy: float32 {accuracy['float32']:.2%}, pruned {accuracy['pruned']:.2%}, file {accuracy['file']:.2%}")
    print(f"{size:,} bytes ({record['bits']['total']:,} bits), {record['stage_bits']['float32'] / (8 * size):.1f}× "
          "smaller than float32")
    print(f"wrote {out} and {out.with_suffix('.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
