"""Magnitude pruning: drop the smallest weights, keep a mask, fine-tune the rest.

Han, Pool, Tran & Dally ("Learning both weights and connections", NeurIPS 2015), the first
stage of Deep Compression: a trained network's small weights matter least, so set them to zero
and retrain the survivors (with the pruned ones held at zero) to win back the accuracy.  Here a
layer's *sparsity* (the fraction of its weights removed) is chosen per layer, because layers
differ: the first convolution has only 72 weights and each one matters, the fully connected
layer has 2,560 and most of them can go.

Only weights are pruned; biases (34 numbers) stay.  Ties in magnitude are broken by position
(the earlier weight is kept), so a mask is deterministic.

Examples
--------
>>> magnitude_mask([[0.3, -0.1], [0.05, -0.9]], sparsity=0.5).tolist()
[[True, False], [False, True]]
"""

from __future__ import annotations

import numbers

import numpy as np

from ..nn.train import TrainConfig, train

WEIGHT_NAMES = ("conv1_weight", "conv2_weight", "fc_weight")


def _check_fraction(value, name):
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__} {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name}={value} must be in [0, 1]")
    return float(value)


def kept_count(size, sparsity):
    """How many of ``size`` weights survive ``sparsity`` (the pruned count is rounded half to even)."""
    return size - int(np.rint(size * _check_fraction(sparsity, "sparsity")))


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


def check_sparsity(sparsity):
    """``sparsity`` as ``{weight name: fraction}`` for the three weight tensors of the CNN."""
    if isinstance(sparsity, (numbers.Real, np.floating)) and not isinstance(sparsity, bool):
        sparsity = {name: sparsity for name in WEIGHT_NAMES}
    if not isinstance(sparsity, dict):
        raise TypeError(f"sparsity must be a number or a dict {{weight name: fraction}}, got {type(sparsity).__name__}")
    unknown = sorted(set(sparsity) - set(WEIGHT_NAMES))
    if unknown:
        raise ValueError(f"sparsity names {unknown}; the prunable weights are {list(WEIGHT_NAMES)}")
    return {name: _check_fraction(sparsity.get(name, 0.0), f"sparsity[{name!r}]") for name in WEIGHT_NAMES}


def prune_masks(model, sparsity):
    """One :func:`magnitude_mask` per weight tensor of a ``FloatCNN``.

    ``sparsity`` is one fraction for every layer or a dict per weight name (missing names: 0).
    """
    sparsity = check_sparsity(sparsity)
    return {name: magnitude_mask(model.params[name], sparsity[name]) for name in WEIGHT_NAMES}


def apply_masks(model, masks):
    """A new ``FloatCNN`` whose masked-out weights are exactly 0.0."""
    params = {name: value.copy() for name, value in model.params.items()}
    for name, mask in masks.items():
        params[name][~mask] = 0.0
    return type(model)(params)


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


def prune(model, sparsity, *, steps=3, epochs=3, learning_rate=0.01):
    """Prune a ``FloatCNN`` by magnitude in ``steps`` rounds, fine-tuning after each.

    Round ``i`` prunes to ``i/steps`` of the final ``sparsity`` (the weights pruned before stay
    pruned: they are 0.0, the smallest magnitude), then fine-tunes the survivors for
    ``epochs`` with :func:`numformat.nn.train.train` (no augmentation, learning rate decaying
    linearly from ``learning_rate``).  Pruning gradually lets the network adapt, as Han et
    al.'s iterative pruning does.

    Returns
    -------
    model : FloatCNN
        The pruned, fine-tuned model (pruned weights exactly 0.0).
    masks : dict of str → numpy.ndarray of bool
        The surviving weights of each layer.
    """
    sparsity = check_sparsity(sparsity)
    for name, value in (("steps", steps), ("epochs", epochs)):
        if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative int, got {value!r}")
    masks = prune_masks(model, {name: 0.0 for name in WEIGHT_NAMES})
    for step in range(1, steps + 1):
        masks = prune_masks(model, {name: fraction * step / steps for name, fraction in sparsity.items()})
        model = apply_masks(model, masks)
        if epochs:
            config = TrainConfig(epochs=epochs, learning_rate=learning_rate)
            model, _ = train(config, model=model, after_step=keep_pruned(masks), augment=False)
    return model, masks
