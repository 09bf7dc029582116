"""Train the spoken-digit CNN from a seed and rebuild ``numformat/data/spoken_digits_cnn.npz`` bit for bit.

    python -m numformat.nn.spoken_train                  # the shipped weights: official training takes 5-49
    python -m numformat.nn.spoken_train --out my.npz --epochs 5
    python -m numformat.nn.spoken_train --validate --seed 1 --mixup 0.2   # a recipe on the validation takes
    python -m numformat.nn.spoken_train --validate --ensemble 3         # three networks, probabilities averaged
    python -m numformat.nn.spoken_train --validate --folds 5 --ensemble 3   # cross-validated on takes 5-49
    python -m numformat.nn.spoken_train --test --ensemble 3             # the same on the official test takes
    python -m numformat.nn.spoken_train --validate --folds 5 --channels 8,16   # the first network, two conv blocks
    python -m numformat.nn.spoken_train --validate --folds 5 --ensemble 3 --distill 3   # one network taught by three

This is the digits CNN's loop (:mod:`numformat.nn.train`: seeded He initialisation, Adam,
mini-batches of 32, a learning rate decaying linearly to 0, every float operation in a fixed
order) on :data:`~numformat.nn.spoken.SPOKEN_CNN` and the log-mel features of the recordings,
with augmentation made for spectrograms.  Each epoch sees every training clip once, changed at
random (seeded):

* **shift**: the picture moved by up to one mel band and one frame each way
  (:func:`numformat.nn.train.shift_images`): a voice a few percent higher or a word a frame
  later is the same digit;
* **masks** (SpecAugment, Park et al. 2019): a run of up to ``mask_bands`` mel bands and one of
  up to ``mask_frames`` frames set to 0, the band's mean, so no single band or instant decides;
* **mixup** (Zhang et al. 2018): with ``mixup > 0``, each clip's picture is blended with another
  one's, ``λ·x1 + (1 − λ)·x2`` with ``λ ~ Beta(mixup, mixup)``, and so are their one-hot targets.

``--validate`` and ``--test`` write nothing: they train one or more networks and print the
accuracy of each, of their averaged probabilities (an ensemble), and of both with **test
shifts** -- each network also shown the picture moved by one band and by one frame each way,
the shift augmentation at test time, five times the MACs -- on the validation takes 5-9, on
all of the training takes 5-49 in ``--folds`` interleaved folds (each clip validated once by
networks that never saw it: 2,700 clips instead of 300, so a recipe's gain of a quarter point
is about seven clips, not less than one), or on the official test takes.  With ``--distill T``
they also train one more network (seed ``--seed``) on the ensemble's answers instead of the
labels (knowledge distillation, :mod:`numformat.nn.distill`): half the one-hot label, half the
networks' probabilities at temperature ``T`` averaged over the test shifts
(:func:`ensemble_targets`), which would give one network's MACs the ensemble's accuracy if it
learned all of it.

The features are rounded to 32nds (:mod:`numformat.nn.features`) and the network trains on
them exactly; a CPU whose FFT or ``log`` differed in the last bit would move a feature only at an
exact half of a 32nd.  The file records the SHA-256 of the weights after every epoch, so a test
retraces the first epochs and compares, and the activation ranges (min/max over the training
features) with which :func:`numformat.nn.spoken.load_spoken_int8` quantizes it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np

from .. import quant
from .distill import blended_targets, softmax
from .model import FloatCNN
from .spoken import SPOKEN_CHANNELS, SPOKEN_CNN, WEIGHTS_PATH, load_spoken_digits, spoken_cnn
from .train import Adam, TrainConfig, progress_bar, shift_images, shifted, train_epoch, weights_digest

VALIDATION_TAKES = 10  # takes 5-9 of the training set validate the settings (validation_features)
FIRST_TRAINING_TAKE = 5  # the official training takes are 5-49 (cross-validation splits them into folds)
TEST_SHIFTS = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))  # (mel bands, frames): the picture and its 4 neighbours


@dataclasses.dataclass(frozen=True)
class SpokenConfig:
    """Everything that decides the spoken CNN's weights (the optimizer's settings are ``TrainConfig``'s)."""

    seed: int = 0
    epochs: int = 20
    learning_rate: float = 0.005
    shift: bool = True
    mask_bands: int = 0
    mask_frames: int = 0
    mixup: float = 0.0

    def optimizer(self):
        return TrainConfig(seed=self.seed, epochs=self.epochs, learning_rate=self.learning_rate)


def mask_runs(x, rng, width, axis):
    """Set a random run of up to ``width`` rows (``axis=2``, mel bands) or columns (``axis=3``,
    frames) of each picture to 0, the mean of every band after normalisation."""
    sides = x.shape[axis]
    lengths = rng.integers(0, width + 1, len(x))
    starts = rng.integers(0, sides - width + 1, len(x))
    positions = np.arange(sides)
    masked = (positions >= starts[:, None]) & (positions < (starts + lengths)[:, None])  # (N, sides)
    shape = (len(x), 1, sides, 1) if axis == 2 else (len(x), 1, 1, sides)
    return np.where(masked.reshape(shape), np.float32(0), x)


def augment(x, y, rng, config):
    """One epoch's changed copy of the training pictures ``x`` and their targets ``y``."""
    if config.shift:
        x = shift_images(x, rng)
    if config.mask_bands:
        x = mask_runs(x, rng, config.mask_bands, axis=2)
    if config.mask_frames:
        x = mask_runs(x, rng, config.mask_frames, axis=3)
    if config.mixup > 0:
        partner = rng.permutation(len(x))
        share = rng.beta(config.mixup, config.mixup, len(x)).astype(np.float32)
        one_hot = np.eye(SPOKEN_CNN.classes, dtype=np.float32)[y]
        x = share[:, None, None, None] * x + (1 - share[:, None, None, None]) * x[partner]
        y = share[:, None] * one_hot + (1 - share[:, None]) * one_hot[partner]
    return x, y


def train_spoken(config=SpokenConfig(), data=None, *, epochs=None, show_progress=False, stream=None,
                 epoch_features=None, architecture=SPOKEN_CNN):
    """Train ``architecture`` (:data:`~numformat.nn.spoken.SPOKEN_CNN`) on ``data = (x_train, y_train, x_eval, y_eval)``.

    ``data`` defaults to the features of the official split.  Returns ``(model, history)``
    with, per epoch, ``loss``, ``eval_accuracy`` and ``digest`` (as :func:`numformat.nn.train.train`).
    ``epochs`` stops early (the learning-rate schedule still follows ``config.epochs``); with
    ``x_eval`` None nothing is evaluated (``eval_accuracy`` stays empty: a study that scores the
    network afterwards saves the time).
    ``epoch_features(rng)``, when given, makes each epoch's training pictures afresh (an
    augmentation of the front end, :mod:`numformat.nn.spoken_levers`) instead of ``x_train``.
    """
    stream = stream or sys.stderr
    x_train, y_train, x_eval, y_eval = official_features() if data is None else data
    rng = np.random.default_rng(config.seed)
    model = FloatCNN.initial(rng, architecture)
    optimizer = Adam(model.params, config.optimizer())
    history = {"loss": [], "eval_accuracy": [], "digest": []}
    started = time.perf_counter()
    for epoch in range(config.epochs if epochs is None else epochs):
        learning_rate = config.learning_rate * (config.epochs - epoch) / config.epochs
        x_source = x_train if epoch_features is None else epoch_features(rng)
        x_epoch, y_epoch = augment(x_source, y_train, rng, config)
        losses = train_epoch(model, optimizer, x_epoch, y_epoch, rng, learning_rate, augment=False)
        history["loss"].append(float(np.mean(losses)))
        if x_eval is not None:
            history["eval_accuracy"].append(model.accuracy(x_eval, y_eval))
        history["digest"].append(weights_digest(model))
        if show_progress:
            scored = f"  eval accuracy {history['eval_accuracy'][-1]:.2%}" if x_eval is not None else ""
            note = f"loss {history['loss'][-1]:.4f}{scored}  {time.perf_counter() - started:.0f} s"
            stream.write("\r" + progress_bar(epoch + 1, config.epochs, note=note))
            stream.flush()
    if show_progress:
        stream.write("\n")
    return model, history


def official_features(split="official"):
    """``(x_train, y_train, x_test, y_test)``: the log-mel features and labels of a split."""
    train, test = load_spoken_digits(split)
    return train.features(), train.labels, test.features(), test.labels


def validation_features():
    """``(x_fit, y_fit, x_val, y_val)``: the official training takes split again, takes 10-49 to fit
    and takes 5-9 (every speaker and digit) to validate, so settings are chosen without the test set."""
    train, _ = load_spoken_digits("official")
    x, fit = train.features(), train.takes >= VALIDATION_TAKES
    return x[fit], train.labels[fit], x[~fit], train.labels[~fit]


def train_networks(config, data, networks=1, **options):
    """``[(model, history)]`` of ``networks`` networks trained as :func:`train_spoken` trains one,
    from the seeds ``config.seed``, ``config.seed + 1``, ... (an ensemble, :func:`ensemble_predict`)."""
    return [train_spoken(dataclasses.replace(config, seed=seed), data, **options)
            for seed in range(config.seed, config.seed + networks)]


def ensemble_predict(models, x, shifts=False):
    """The digit each input ``x`` is most likely to be by the ``models``' averaged probabilities
    (one model: its own prediction); with ``shifts``, each model also sees the pictures moved by
    one band and one frame each way (:data:`TEST_SHIFTS`, the shift augmentation at test time)."""
    moves = TEST_SHIFTS if shifts else TEST_SHIFTS[:1]
    return sum(softmax(model.forward(shifted(x, *move))) for model in models for move in moves).argmax(axis=1)


def ensemble_targets(models, x, y, temperature, label_weight=0.5):
    """Distillation targets ``(N, 10)`` float32 for the pictures ``x`` with labels ``y``:
    ``label_weight · one_hot(y) + (1 − label_weight) · p``, with ``p`` the ``models``'
    probabilities at ``temperature`` averaged over the :data:`TEST_SHIFTS` (what
    :func:`ensemble_predict` with ``shifts=True`` takes the argmax of, at temperature 1)."""
    soft = sum(softmax(model.forward(shifted(x, *move)), temperature) for model in models for move in TEST_SHIFTS)
    return blended_targets(soft / (len(models) * len(TEST_SHIFTS)), y, label_weight)


def recipe_predictions(models, x, first_seed):
    """``{name: predicted digits}`` of each of ``models`` alone (``"seed 0"``, ...) and, with more
    than one, of their averaged probabilities, each without and with the :data:`TEST_SHIFTS`."""
    found = {}
    for seed, model in enumerate(models, start=first_seed):
        found[f"seed {seed}"] = ensemble_predict([model], x)
        found[f"seed {seed} + {len(TEST_SHIFTS)} shifts"] = ensemble_predict([model], x, shifts=True)
    if len(models) > 1:
        found[f"{len(models)} networks averaged"] = ensemble_predict(models, x)
        found[f"{len(models)} networks + {len(TEST_SHIFTS)} shifts averaged"] = ensemble_predict(models, x, shifts=True)
    return found


def activation_ranges(model, x):
    """``{activation: (min, max)}`` of ``model`` on ``x``: what int8 calibration would choose."""
    tensors = model.activations(x)
    return {name: quant.calibrate(tensors[name], "minmax") for name in SPOKEN_CNN.activation_names}


def parse_channels(parser, text):
    """``"8,16"`` as ``(8, 16)`` (one conv block per count), or the parser's error naming what is allowed."""
    parts = text.split(",")
    if not 2 <= len(parts) <= 3 or not all(part.strip().isdigit() and 0 < int(part) <= 256 for part in parts):
        parser.error(f"--channels {text!r} must be two or three channel counts from 1 to 256, e.g. 16,32 or 8,16,32")
    return tuple(int(part) for part in parts)


def fold_splits(folds):
    """``[(x_fit, y_fit, x_val, y_val)]`` for cross-validation on the official training takes 5-49:
    fold ``f`` of ``folds`` validates the takes ``t`` with ``(t - 5) % folds == f`` (every speaker
    and digit) and the other training takes fit; the test takes 0-4 stay out.  The features are
    computed once for all folds."""
    train, _ = load_spoken_digits("official")
    x, fold_of = train.features(), (train.takes - FIRST_TRAINING_TAKE) % folds
    return [(x[fold_of != fold], train.labels[fold_of != fold], x[fold_of == fold], train.labels[fold_of == fold])
            for fold in range(folds)]


def evaluate(config, channels, networks, splits, where, distill=None):
    """Train ``networks`` networks (seeds ``config.seed`` on) on each ``(x_fit, y_fit, x_eval,
    y_eval)`` of ``splits`` and print, pooled over the splits, the accuracy of each network, of
    their averaged probabilities and of both with the test shifts (:func:`recipe_predictions`);
    with ``distill`` (a temperature), also of one network trained on their :func:`ensemble_targets`."""
    pooled = {}
    architecture = spoken_cnn(*channels)
    for x_fit, y_fit, x_eval, y_eval in splits:
        trained = train_networks(config, (x_fit, y_fit, x_eval, y_eval), networks, show_progress=True,
                                 architecture=architecture)
        models = [model for model, _ in trained]
        found = recipe_predictions(models, x_eval, config.seed)
        if distill is not None:
            targets = ensemble_targets(models, x_fit, y_fit, distill)
            student, _ = train_spoken(config, (x_fit, targets, x_eval, y_eval), show_progress=True, architecture=architecture)
            name = f"one network distilled from {networks} networks + {len(TEST_SHIFTS)} shifts at T = {distill:g}"
            found[name] = ensemble_predict([student], x_eval)
            found[f"{name}, itself with {len(TEST_SHIFTS)} shifts"] = ensemble_predict([student], x_eval, shifts=True)
        for name, predicted in found.items():
            pooled.setdefault(name, []).append(predicted == y_eval)
    for name, right in pooled.items():
        right = np.concatenate(right)
        print(f"{where} accuracy {right.mean():.2%} ({right.size - right.sum()} of {right.size} wrong), {name}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.nn.spoken_train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(WEIGHTS_PATH), help="where to write the .npz (default: the shipped file)")
    parser.add_argument("--seed", type=int, default=SpokenConfig.seed)
    parser.add_argument("--epochs", type=int, default=SpokenConfig.epochs)
    parser.add_argument("--mixup", type=float, default=SpokenConfig.mixup, help="mixup's Beta parameter (0: off)")
    parser.add_argument("--mask-bands", type=int, default=SpokenConfig.mask_bands, help="SpecAugment band mask width")
    parser.add_argument("--mask-frames", type=int, default=SpokenConfig.mask_frames, help="SpecAugment frame mask width")
    shipped_channels = ",".join(map(str, SPOKEN_CHANNELS))
    parser.add_argument("--channels", default=shipped_channels,
                        help=f"each convolution's channels, e.g. 8,16 or 16,32 (with --validate or --test only: "
                             f"the shipped file holds {shipped_channels})")
    parser.add_argument("--ensemble", type=int, default=1,
                        help="with --validate or --test: train this many networks (seeds --seed, --seed + 1, "
                             "...) and report their averaged probabilities too")
    parser.add_argument("--distill", type=float, default=None, metavar="T",
                        help="with --validate or --test: also train one network on the ensemble's answers at temperature T")
    parser.add_argument("--validate", action="store_true",
                        help="fit takes 10-49, report takes 5-9, write nothing: how the settings were chosen")
    parser.add_argument("--folds", type=int, default=0,
                        help="with --validate: cross-validate instead, takes 5-49 in this many interleaved folds")
    parser.add_argument("--test", action="store_true",
                        help="fit the official training takes, report the test takes 0-4, write nothing")
    args = parser.parse_args(argv)
    config = SpokenConfig(seed=args.seed, epochs=args.epochs, mixup=args.mixup, mask_bands=args.mask_bands,
                          mask_frames=args.mask_frames)
    channels = parse_channels(parser, args.channels)
    if not 1 <= args.ensemble <= 10:
        parser.error(f"--ensemble {args.ensemble} must be a number of networks from 1 to 10")
    if args.folds and not (args.validate and 2 <= args.folds <= 9):
        parser.error(f"--folds {args.folds} needs --validate and must be from 2 to 9 folds of the takes 5-49")
    if args.validate and args.test:
        parser.error("--validate and --test: choose one")
    if args.distill is not None and (not (args.validate or args.test) or not 0 < args.distill <= 100 or args.mixup):
        parser.error(f"--distill {args.distill:g} needs --validate or --test, a temperature above 0 up to 100, "
                     "and no --mixup (its targets are already soft)")
    if args.validate:
        splits = fold_splits(args.folds) if args.folds else [validation_features()]
        where = f"{args.folds}-fold cross-validation (takes 5-49)" if args.folds else "validation (takes 5-9)"
        return evaluate(config, channels, args.ensemble, splits, where, args.distill)
    if args.test:
        return evaluate(config, channels, args.ensemble, [official_features()], "official test (takes 0-4)", args.distill)
    if args.ensemble != 1:
        parser.error(f"--ensemble {args.ensemble} needs --validate or --test: the shipped file holds one network")
    if channels != SPOKEN_CHANNELS:
        parser.error(f"--channels {args.channels} needs --validate or --test: the shipped network has "
                     f"{shipped_channels} channels")
    data = official_features()
    model, history = train_spoken(config, data, show_progress=True)
    ranges = activation_ranges(model, data[0])
    model.save(args.out, **dataclasses.asdict(config), loss=history["loss"],
               test_accuracy=history["eval_accuracy"], digest=history["digest"],
               **{f"range_{name}": bounds for name, bounds in ranges.items()})
    print(f"official test accuracy {history['eval_accuracy'][-1]:.2%}; weights {history['digest'][-1]}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
