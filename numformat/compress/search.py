"""Choose Deep Compression's settings by cross-validation on the training images, never the test set.

    python -m numformat.compress.search                       # the default grid (about an hour on one core)
    python -m numformat.compress.search --conv2 0.8 --fc 0.85,0.9 --clusters 15/7/7,7/3/3

The shipped float model has seen every training image, so a validation set carved from them
would flatter any compressed model.  Instead, for each of the 5 folds of
:func:`numformat.nn.validation_folds` a *proxy* float model is trained from scratch with the
shipped model's own recipe (:func:`numformat.nn.train.train`: seed, 40 epochs, shifted
images) on the fold's fit images only; each candidate setting is run on every proxy
(fine-tuning on the same fit images, distilled from the proxy as the build distils from the
shipped model) and measured on the fold's validation images, which the
proxy has never seen -- as the test images are new to the shipped model.  Pooled over the
folds, all 1,347 training images are validation images once, so a drop of accuracy is measured
on 1,347 images instead of 270.

A row of the result: the settings, the pooled validation accuracy of the proxies and of their
compressed files, the drop in percentage points, and the mean file size and ratio to float32.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time

import numpy as np

from ..nn.data import VALIDATION_FOLDS, validation_folds
from ..nn.distill import distillation_targets
from ..nn.train import TrainConfig, progress_bar, train
from .prune import WEIGHT_NAMES, check_sparsity, prune
from .pipeline import FLOAT32_BITS, share_and_encode

SEARCH_GRID = {
    "conv1_weight": (0.0, 0.3),
    "conv2_weight": (0.7, 0.8),
    "fc_weight": (0.8, 0.85, 0.9),
    "clusters": ((15, 7, 7), (15, 7, 3), (7, 7, 7), (7, 3, 3)),
}
SEARCH_SCHEDULE = {"prune_steps": 10, "prune_epochs": 10, "learning_rate": 0.01, "share_epochs": 10,
                   "share_learning_rate": 0.01, "codebook_dtype": "float16", "bias_dtype": "int8",
                   "temperature": 3.0, "label_weight": 0.5}


def proxy_models(folds, seed=0, stream=None):
    """One float model per fold, trained from scratch on its fit images (the shipped recipe)."""
    models = []
    for index, fold in enumerate(folds):
        model, _ = train(TrainConfig(seed=seed), data=fold)
        models.append(model)
        if stream is not None:
            stream.write(f"\rproxy float models: {index + 1}/{len(folds)}")
            stream.flush()
    if stream is not None:
        stream.write("\n")
    return models


def pooled_accuracy(models, folds):
    """Correct predictions over every fold's validation images / their number."""
    correct = sum(int(np.sum(model.predict(x_val) == y_val)) for model, (_, _, x_val, y_val) in zip(models, folds))
    return correct / sum(len(fold[3]) for fold in folds)


def evaluate(sparsity, clusters_list, folds, proxies, schedule=SEARCH_SCHEDULE, seed=0, on_fold=None):
    """Rows for one sparsity and several cluster counts: every fold pruned once, shared per count."""
    sparsity = check_sparsity(sparsity)
    encoded = {clusters: [] for clusters in clusters_list}
    for proxy, (x_fit, y_fit, x_val, y_val) in zip(proxies, folds):
        targets = distillation_targets(proxy, x_fit, y_fit, temperature=schedule["temperature"],
                                       label_weight=schedule["label_weight"])
        fold = (x_fit, targets, x_val, y_val)
        pruned, masks = prune(proxy, sparsity, steps=schedule["prune_steps"], epochs=schedule["prune_epochs"],
                              learning_rate=schedule["learning_rate"], seed=seed, data=fold)
        for clusters in clusters_list:
            *_, file = share_and_encode(
                pruned, masks, dict(zip(WEIGHT_NAMES, clusters)), share_epochs=schedule["share_epochs"],
                learning_rate=schedule["share_learning_rate"], codebook_dtype=schedule["codebook_dtype"],
                bias_dtype=schedule["bias_dtype"], seed=seed, data=fold)
            encoded[clusters].append(file)
        if on_fold is not None:
            on_fold()
    float_accuracy = pooled_accuracy(proxies, folds)
    rows = []
    for clusters, files in encoded.items():
        bits = float(np.mean([file.bits()["total"] for file in files]))
        accuracy = pooled_accuracy([file.decode() for file in files], folds)
        rows.append({"sparsity": sparsity, "clusters": dict(zip(WEIGHT_NAMES, clusters)), "bits": bits,
                     "ratio": FLOAT32_BITS / bits, "float_accuracy": float_accuracy, "accuracy": accuracy,
                     "drop_points": 100 * (float_accuracy - accuracy)})
    return rows


def format_row(row):
    sparsity = "/".join(f"{row['sparsity'][name]:.2f}" for name in WEIGHT_NAMES)
    clusters = "/".join(str(row["clusters"][name]) for name in WEIGHT_NAMES)
    return (f"| {sparsity} | {clusters} | {row['bits']:,.0f} | {row['ratio']:.1f} | {row['float_accuracy']:.2%} "
            f"| {row['accuracy']:.2%} | {row['drop_points']:+.2f} |")


def _floats(text):
    return tuple(float(value) for value in text.split(","))


def _clusters(text):
    return tuple(tuple(int(count) for count in item.split("/")) for item in text.split(","))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.compress.search", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, flag in (("conv1_weight", "--conv1"), ("conv2_weight", "--conv2"), ("fc_weight", "--fc")):
        parser.add_argument(flag, type=_floats, default=SEARCH_GRID[name], help=f"sparsities of {name}, comma-separated")
    parser.add_argument("--clusters", type=_clusters, default=SEARCH_GRID["clusters"],
                        help="shared values per layer, conv1/conv2/fc, comma-separated (e.g. 15/7/7,7/3/3)")
    for key in ("prune_steps", "prune_epochs", "share_epochs"):
        parser.add_argument("--" + key.replace("_", "-"), type=int, default=SEARCH_SCHEDULE[key])
    for key in ("learning_rate", "share_learning_rate", "temperature", "label_weight"):
        parser.add_argument("--" + key.replace("_", "-"), type=float, default=SEARCH_SCHEDULE[key])
    parser.add_argument("--folds", type=int, default=VALIDATION_FOLDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jsonl", help="also append every row as a JSON line to this file")
    args = parser.parse_args(argv)
    folds = validation_folds(args.folds, args.seed)
    proxies = proxy_models(folds, args.seed, stream=sys.stderr)
    schedule = {**SEARCH_SCHEDULE, **{key: getattr(args, key) for key in SEARCH_SCHEDULE if hasattr(args, key)}}
    grid = list(itertools.product(args.conv1, args.conv2, args.fc))
    done, started = [0], time.perf_counter()

    def on_fold():
        done[0] += 1
        sys.stderr.write("\r" + progress_bar(done[0], len(grid) * len(folds), note=f"{time.perf_counter() - started:.0f} s")
                         .replace("epochs", "folds"))
        sys.stderr.flush()

    print("| sparsity conv1/conv2/fc | shared values | bits | × smaller | float (validation) | compressed | drop (points) |")
    print("|---|---|---|---|---|---|---|")
    for conv1, conv2, fc in grid:
        sparsity = {"conv1_weight": conv1, "conv2_weight": conv2, "fc_weight": fc}
        for row in evaluate(sparsity, args.clusters, folds, proxies, schedule, seed=args.seed, on_fold=on_fold):
            row["schedule"] = schedule
            sys.stderr.write("\r")
            print(format_row(row), flush=True)
            if args.jsonl:
                with open(args.jsonl, "a") as out:
                    out.write(json.dumps(row) + "\n")
    sys.stderr.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
