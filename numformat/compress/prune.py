"""Magnitude pruning: drop the smallest weights, keep a mask, fine-tune the rest.

Han, Pool, Tran & Dally ("Learning both weights and connections", NeurIPS 2015), the first
stage of Deep Compression: a trained network's small weights matter least, so set them to zero
and retrain the survivors (with the pruned ones held at zero) to win back the accuracy.  Here a
layer's *sparsity* (the fraction of its weights removed) is chosen per layer, because layers
differ: the first convolution has only 72 weights and each one matters, the fully connected
layer has 2,560 and most of them can go.

Only weights are pruned (each layer of the model's architecture: ``architecture.weight_names``);
biases (34 numbers in the digits CNN) stay.  Ties in magnitude are broken by position
(the earlier weight is kept), so a mask is deterministic.

Examples
--------
>>> magnitude_mask([[0.3, -0.1], [0.05, -0.9]], sparsity=0.5).tolist()
[[True, False], [False, True]]
"""

from __future__ import annotations

import numpy as np

from ..checks import check_fraction, check_int, is_real
from ..nn.architecture import DIGITS_CNN
from ..nn.ptq import check_model
from ..nn.model import FloatCNN
from ..nn.train import TrainConfig, train

WEIGHT_NAMES = DIGITS_CNN.weight_names      # the digits CNN's prunable weights


def kept_count(size, sparsity):
    """How many of ``size`` weights survive ``sparsity`` (the pruned count is rounded half to even)."""
    return size - int(np.rint(size * check_fraction(sparsity, "sparsity")))


def magnitude_mask(weights, sparsity):
    """True for the weights that survive pruning the smallest ``sparsity`` fraction by magnitude.

    Parameters
    ----------
    weights : array_like of float
    sparsity : float in [0, 1]
        Fraction of the weights to remove: ``round(sparsity · size)`` of them.

    Returns
    -------
    numpy.ndarray of bool, the weights' shape
    """
    weights = np.asarray(weights, dtype=np.float64)
    keep = kept_count(weights.size, sparsity)
    order = np.argsort(-np.abs(weights.ravel()), kind="stable")  # largest first; ties keep position order
    mask = np.zeros(weights.size, dtype=bool)
    mask[order[:keep]] = True
    return mask.reshape(weights.shape)


def check_sparsity(sparsity, weight_names=WEIGHT_NAMES):
    """``sparsity`` as ``{weight name: fraction}`` for every weight tensor in ``weight_names``
    (default: the digits CNN's three)."""
    if is_real(sparsity):
        sparsity = {name: sparsity for name in weight_names}
    if not isinstance(sparsity, dict):
        raise TypeError(f"sparsity must be a number or a dict {{weight name: fraction}}, got {type(sparsity).__name__}")
    unknown = sorted(set(sparsity) - set(weight_names))
    if unknown:
        raise ValueError(f"sparsity names {unknown}; the prunable weights are {list(weight_names)}")
    return {name: check_fraction(sparsity.get(name, 0.0), f"sparsity[{name!r}]") for name in weight_names}


def prune_masks(model, sparsity):
    """One :func:`magnitude_mask` per weight tensor of a ``FloatCNN`` (``architecture.weight_names``).

    ``sparsity`` is one fraction for every layer or a dict per weight name (missing names: 0).
    """
    weight_names = check_model(model).architecture.weight_names
    sparsity = check_sparsity(sparsity, weight_names)
    return {name: magnitude_mask(model.params[name], sparsity[name]) for name in weight_names}


def apply_masks(model, masks):
    """A new ``FloatCNN`` (same architecture) whose masked-out weights are exactly 0.0."""
    params = {name: value.copy() for name, value in model.params.items()}
    for name, mask in masks.items():
        params[name][~mask] = 0.0
    return FloatCNN(params, architecture=model.architecture)


def sparsity_of(masks):
    """Fraction of the masked weights that are pruned, per layer and ``"total"``."""
    table = {name: 1 - float(mask.mean()) for name, mask in masks.items()}
    table["total"] = 1 - sum(int(mask.sum()) for mask in masks.values()) / sum(mask.size for mask in masks.values())
    return table


def keep_pruned(masks):
    """An ``after_step`` hook for :func:`numformat.nn.train.train`: pruned weights back to 0.0.

    Adam moves every weight, pruned or not; zeroing them after each step keeps them out of
    the network (Han et al. 2015 mask the gradient; the effect is the same).
    """
    def after_step(params):
        for name, mask in masks.items():
            params[name][~mask] = 0.0
    return after_step


def prune_step(model, sparsity, step, steps, *, epochs=3, learning_rate=0.01, seed=0, data=None, stop_after=None,
               on_epoch=None):
    """Round ``step`` of :func:`prune`: prune to ``step/steps`` of ``sparsity``, then fine-tune.

    ``stop_after`` ends the fine-tuning after that many epochs (the learning-rate schedule
    still follows ``epochs``), to check the start of a long run quickly; ``seed`` (the
    shuffle), ``data`` and ``on_epoch`` go to :func:`numformat.nn.train.train`.

    Returns
    -------
    model, masks, history
        The pruned, fine-tuned model, the masks and the training history of this round.
    """
    masks = prune_masks(model, {name: fraction * step / steps for name, fraction in sparsity.items()})
    model = apply_masks(model, masks)
    history = {"digest": []}
    if epochs:
        config = TrainConfig(seed=seed, epochs=epochs, learning_rate=learning_rate)
        model, history = train(config, model=model, after_step=keep_pruned(masks), augment=False, data=data,
                               epochs=stop_after, on_epoch=on_epoch)
    return model, masks, history


def prune(model, sparsity, *, steps=3, epochs=3, learning_rate=0.01, seed=0, data=None, on_epoch=None):
    """Prune a ``FloatCNN`` by magnitude in ``steps`` rounds, fine-tuning after each.

    Round ``i`` prunes to ``i/steps`` of the final ``sparsity`` (the weights pruned before stay
    pruned: they are 0.0, the smallest magnitude), then fine-tunes the survivors for
    ``epochs`` with :func:`numformat.nn.train.train` (no augmentation, learning rate decaying
    linearly from ``learning_rate``).  Pruning gradually lets the network adapt, as Han et
    al.'s iterative pruning does.  ``seed``, ``data`` and ``on_epoch`` are passed to
    :func:`~numformat.nn.train.train` (default data: the whole training set).

    Returns
    -------
    model : FloatCNN
        The pruned, fine-tuned model (pruned weights exactly 0.0).
    masks : dict of str → numpy.ndarray of bool
        The surviving weights of each layer.
    """
    sparsity = check_sparsity(sparsity, model.architecture.weight_names)
    steps, epochs = check_int(steps, "steps", low=0), check_int(epochs, "epochs", low=0)
    masks = prune_masks(model, 0.0)
    for step in range(1, steps + 1):
        model, masks, _ = prune_step(model, sparsity, step, steps, epochs=epochs, learning_rate=learning_rate,
                                     seed=seed, data=data, on_epoch=on_epoch)
    return model, masks
