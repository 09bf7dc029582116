"""Train the digits CNN with a seeded numpy loop and rebuild the shipped weights bit for bit.

    python -m numformat.nn.train                 # rebuild numformat/data/digits_cnn.npz
    python -m numformat.nn.train --out my.npz --epochs 5

Everything that decides a weight is seeded (initialisation, the shuffle each epoch) and every
float operation runs in a fixed order (see :mod:`numformat.nn.layers`), so the same seed gives
the same float32 bits on any machine.  The saved file records, for each epoch, a SHA-256
digest of all the weights: retraining a few epochs and comparing digests checks the whole
trajectory without training to the end.

Adam (Kingma & Ba, 2015) with the paper's β1 = 0.9, β2 = 0.999, on mini-batches of 32, with the
learning rate decayed linearly towards 0 over the epochs (so the last epochs settle).

The same loop fine-tunes a trained model (quantization-aware training, pruning, weight
sharing) through three hooks of :func:`train`:

``model``
    start from these weights instead of a fresh initialisation (the model is copied);
``weight_transform(params) -> params``
    the weights the forward pass uses, e.g. fake-quantized ones.  The gradient computed for
    the transformed weights updates the float weights unchanged: the straight-through
    estimator (Bengio, Léonard & Courville, 2013);
``after_step(params)``
    called after every optimizer step and free to change ``params`` in place, e.g. to zero the
    pruned weights again or to put frozen weights back.

Activations are transformed by the model itself (``FloatCNN(..., activation_transform=...)``).
Fine-tuning usually also passes ``data=`` (the split the model was trained on) and
``augment=False`` (a few epochs need to fit, not to generalise further).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
import time

import numpy as np

from .data import load_digits_split
from .architecture import DIGITS_CNN, check_architecture
from .model import WEIGHTS_PATH, FloatCNN


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Everything that decides the trained weights."""

    seed: int = 0
    epochs: int = 40
    batch_size: int = 32
    learning_rate: float = 0.01
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-7


def weights_digest(model):
    """SHA-256 of every parameter's float32 bytes, in the order of ``architecture.parameter_shapes()``."""
    digest = hashlib.sha256()
    for name in model.architecture.parameter_shapes():
        digest.update(np.ascontiguousarray(model.params[name], dtype=np.float32).tobytes())
    return digest.hexdigest()


class Adam:
    """Adam on float32 arrays; bias corrections are computed once per step in float64."""

    def __init__(self, params, config):
        self.config = config
        self.first = {name: np.zeros_like(value) for name, value in params.items()}
        self.second = {name: np.zeros_like(value) for name, value in params.items()}
        self.steps = 0

    def step(self, params, grads, learning_rate):
        c = self.config
        self.steps += 1
        step_size = np.float32(learning_rate * np.sqrt(1 - c.beta2 ** self.steps) / (1 - c.beta1 ** self.steps))
        for name, grad in grads.items():
            self.first[name] = np.float32(c.beta1) * self.first[name] + np.float32(1 - c.beta1) * grad
            self.second[name] = np.float32(c.beta2) * self.second[name] + np.float32(1 - c.beta2) * grad * grad
            params[name] -= step_size * self.first[name] / (np.sqrt(self.second[name]) + np.float32(c.epsilon))


def shifted(x, rows, columns):
    """Images ``x`` ``(N, C, H, W)`` moved by ``rows`` pixels down (up the mel bands of a
    spectrogram drawn with its origin low) and ``columns`` right, 0.0 where nothing moved in.

    >>> shifted(np.arange(1, 5, dtype=np.float32).reshape(1, 1, 2, 2), 1, 0)[0, 0].tolist()
    [[0.0, 0.0], [1.0, 2.0]]
    """
    pad = max(abs(rows), abs(columns))
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    return padded[:, :, pad - rows:pad - rows + x.shape[2], pad - columns:pad - columns + x.shape[3]]


def shift_images(x, rng, max_shift=1):
    """Move each image by a random whole number of pixels (at most ``max_shift``) each way.

    Data augmentation: a digit drawn one pixel to the left is still the same digit, and
    showing the network such copies makes it generalise from only 1347 training images.
    Uncovered pixels become 0.0 (background).
    """
    dy, dx = rng.integers(0, 2 * max_shift + 1, size=(2, len(x)))
    moved = np.empty_like(x)
    for oy in range(2 * max_shift + 1):  # a loop over the few possible shifts, each a whole-array copy
        for ox in range(2 * max_shift + 1):
            chosen = (dy == oy) & (dx == ox)
            moved[chosen] = shifted(x[chosen], max_shift - oy, max_shift - ox)
    return moved


def progress_bar(done, total, width=30, note=""):
    """``[#########.....]  12/24 epochs  note`` as one line of text."""
    filled = width * done // total
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:>3}/{total} epochs  {note}"


def train(config=TrainConfig(), *, model=None, weight_transform=None, after_step=None, data=None, epochs=None,
          augment=True, on_epoch=None, show_progress=False, stream=None, architecture=DIGITS_CNN):
    """Train a ``FloatCNN`` on the digits split of ``config.seed`` (or on ``data``).

    The steps: check the hooks and the data (:func:`check_training_data`), start from a copy
    of ``model`` or from fresh weights, then for every epoch shuffle and take one Adam step per
    mini-batch (:func:`train_epoch`) and record the loss, the accuracy and the digest.

    Parameters
    ----------
    config : TrainConfig
        Seed, epochs, batch size and Adam's settings.
    model : FloatCNN, optional
        Fine-tune a copy of this model (its ``activation_transform`` included) instead of
        training fresh He-initialised weights.  ``model`` itself is left unchanged.
    weight_transform : callable, optional
        ``params -> params``: the weights every forward pass uses (see the module docstring).
    after_step : callable, optional
        ``after_step(params)`` after every optimizer step; may change ``params`` in place.
    data : tuple of four arrays, optional
        ``(x_train, y_train, x_eval, y_eval)``: train on the first pair and measure
        ``history["test_accuracy"]`` on the second (default: ``load_digits_split(config.seed)``).
        ``y_train`` may also hold target distributions ``(N, 10)`` instead of labels, such as
        :func:`~numformat.nn.distill.distillation_targets`.
        Fine-tuning passes the split the model was trained on, so that ``config.seed`` varies
        only the shuffle and the augmentation (another split would train on test images);
        choosing settings on a validation split carved from the training images keeps the
        test set out of every decision.
    epochs : int, optional
        Stop after this many epochs (the schedule still follows ``config.epochs``), to check
        the start of the trajectory quickly.
    augment : bool
        Shift each training image by up to a pixel (:func:`shift_images`).  A few epochs of
        fine-tuning recover more accuracy without it: they need to fit, not to generalise further.
    on_epoch : callable, optional
        ``on_epoch(model, history)`` after every epoch (history so far), e.g. to draw a
        progress bar over a longer pipeline or to record the digests.
    show_progress : bool
        Draw a progress bar on ``stream`` (default ``sys.stderr``).
    architecture : Architecture
        The network to initialise when ``model`` is None (default: the digits CNN; any other
        one needs its own ``data``).

    Returns
    -------
    model : FloatCNN
        The trained float weights (apply ``weight_transform`` to get the ones it was trained for).
    history : dict of str → list
        Per epoch: ``loss`` (mean training loss), ``test_accuracy`` (on the test images or
        ``data``'s evaluation pair, with ``weight_transform`` applied), ``digest`` (SHA-256 of
        the float weights at the end of the epoch).

    Examples
    --------
    Two epochs of fine-tuning with every weight rounded to a multiple of 1/64, the float
    weights still carrying the small updates the rounding hides:

    >>> from numformat.nn import load_pretrained
    >>> def to_64ths(params):
    ...     return {name: np.round(value * 64) / 64 for name, value in params.items()}
    >>> tuned, history = train(TrainConfig(epochs=2, learning_rate=0.001), model=load_pretrained(),
    ...                        weight_transform=to_64ths)
    >>> [round(accuracy, 4) for accuracy in history["test_accuracy"]]
    [0.9889, 0.9933]
    """
    stream = stream or sys.stderr
    epochs = config.epochs if epochs is None else epochs
    for name, hook, takes in (("weight_transform", weight_transform, "the parameters dict"),
                              ("after_step", after_step, "the parameters dict"),
                              ("on_epoch", on_epoch, "(model, history)")):
        if hook is not None and not callable(hook):
            raise TypeError(f"{name} must be a function of {takes} or None, got {type(hook).__name__}")
    rng = np.random.default_rng(config.seed)
    if model is None:
        model = FloatCNN.initial(rng, check_architecture(architecture))
    elif isinstance(model, FloatCNN):
        model = model.copy()
    else:
        raise TypeError(f"model must be a FloatCNN or None, got {type(model).__name__}")
    x_train, y_train, x_test, y_test = check_training_data(data, model.architecture, config.seed)
    optimizer = Adam(model.params, config)
    history = {"loss": [], "test_accuracy": [], "digest": []}
    started = time.perf_counter()
    for epoch in range(epochs):
        learning_rate = config.learning_rate * (config.epochs - epoch) / config.epochs  # linear decay
        losses = train_epoch(model, optimizer, x_train, y_train, rng, learning_rate, weight_transform=weight_transform,
                             after_step=after_step, augment=augment)
        history["loss"].append(float(np.mean(losses)))
        deployed = model if weight_transform is None else model.with_params(weight_transform(model.params))
        history["test_accuracy"].append(deployed.accuracy(x_test, y_test))
        history["digest"].append(weights_digest(model))
        if on_epoch is not None:
            on_epoch(model, history)
        if show_progress:
            note = (f"loss {history['loss'][-1]:.4f}  test accuracy {history['test_accuracy'][-1]:.2%}"
                    f"  {time.perf_counter() - started:.0f} s")
            stream.write("\r" + progress_bar(epoch + 1, epochs, note=note))
            stream.flush()
    if show_progress:
        stream.write("\n")
    return model, history


def check_training_data(data, architecture, seed):
    """``data`` as ``(x_train, y_train, x_eval, y_eval)``; None means the digits split of ``seed``."""
    if data is None:
        if architecture != DIGITS_CNN:
            raise ValueError(f"data=None means the digits split, which does not fit {architecture.name!r}; "
                             "pass data=(x_train, y_train, x_eval, y_eval)")
        data = load_digits_split(seed)
    if not isinstance(data, tuple) or len(data) != 4:
        got = f"a tuple of {len(data)}" if isinstance(data, tuple) else type(data).__name__
        raise TypeError(f"data must be a tuple of four arrays (x_train, y_train, x_eval, y_eval), got {got}")
    return data


def train_epoch(model, optimizer, x_train, y_train, rng, learning_rate, *, weight_transform=None, after_step=None,
                augment=True):
    """One pass over the shuffled training pairs, one Adam step per mini-batch; the batch losses.

    ``model.params`` are updated in place.  The gradient computed for the transformed weights
    updates the float weights: the straight-through estimator.
    """
    order = rng.permutation(len(x_train))
    losses = []
    for start in range(0, len(order), optimizer.config.batch_size):
        batch = order[start:start + optimizer.config.batch_size]
        forward_model = model if weight_transform is None else model.with_params(weight_transform(model.params))
        images = shift_images(x_train[batch], rng) if augment else x_train[batch]
        loss, grads = forward_model.loss_and_gradients(images, y_train[batch])
        optimizer.step(model.params, grads, learning_rate)
        if after_step is not None:
            after_step(model.params)
        losses.append(loss)
    return losses


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.nn.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(WEIGHTS_PATH), help="where to write the .npz (default: the shipped file)")
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    args = parser.parse_args(argv)
    config = TrainConfig(seed=args.seed, epochs=args.epochs)
    model, history = train(config, show_progress=True)
    model.save(args.out, **{key: value for key, value in dataclasses.asdict(config).items()},
               loss=history["loss"], test_accuracy=history["test_accuracy"], digest=history["digest"])
    print(f"test accuracy {history['test_accuracy'][-1]:.2%}; weights {history['digest'][-1]}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
