"""Knowledge distillation: train a small or compressed model on its float teacher's soft answers.

Hinton, Vinyals & Dean ("Distilling the knowledge in a neural network", 2015) train a student
on the teacher's probabilities, softened by a temperature ``T``: ``softmax(logits / T)``.
With ``T > 1`` the wrong digits keep some probability -- a 3 that looks a little like an 8
says so -- and that "dark knowledge" carries more information per image than the label
alone.  On a few thousand images it also keeps a pruned or weight-shared model from
over-fitting the labels while it fine-tunes.

:func:`distillation_targets` gives, for every training image, the target distribution
``label_weight · one_hot(label) + (1 - label_weight) · softmax(teacher_logits / T)``; pass it
as the labels of ``train``'s ``data`` and the cross-entropy is taken against it (the
student's own logits stay at temperature 1).
"""

from __future__ import annotations

import numpy as np

from ..checks import check_real
from .layers import fixed_order_exp
from .model import FloatCNN


def softmax(logits, temperature=1.0):
    """Probabilities ``softmax(logits / temperature)`` row by row, float64, the same bits everywhere.

    Examples
    --------
    >>> softmax(np.array([[2.0, 0.0]]), temperature=1.0).round(4).tolist()
    [[0.8808, 0.1192]]
    >>> softmax(np.array([[2.0, 0.0]]), temperature=2.0).round(4).tolist()   # softer
    [[0.7311, 0.2689]]
    """
    temperature = check_real(temperature, "temperature", low=0.0, low_open=True)
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    exps = fixed_order_exp(scaled - scaled.max(axis=1, keepdims=True))
    return exps / exps.sum(axis=1, keepdims=True)


def distillation_targets(teacher, x, y, *, temperature=3.0, label_weight=0.5):
    """Soft targets ``(N, 10)`` float32 for training a student on ``teacher``'s answers for ``x``.

    Parameters
    ----------
    teacher : FloatCNN
        The model whose knowledge is passed on (usually the float model being compressed).
    x, y : numpy.ndarray
        The training images ``(N, 1, 8, 8)`` and their labels ``(N,)``.
    temperature : float
        ``T > 0``: the teacher's logits are divided by it before the softmax (``T = 1``: its
        plain probabilities; larger: softer).
    label_weight : float
        In ``[0, 1]``: how much of each target is the one-hot label (``1``: no distillation).

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, _, _ = load_digits_split()
    >>> targets = distillation_targets(load_pretrained(), x_train[:2], y_train[:2])
    >>> targets.shape, targets.dtype, bool(np.allclose(targets.sum(axis=1), 1))
    ((2, 10), dtype('float32'), True)
    >>> [int(row.argmax()) for row in targets] == y_train[:2].tolist()
    True
    """
    if not isinstance(teacher, FloatCNN):
        raise TypeError(f"teacher must be a FloatCNN, got {type(teacher).__name__}")
    return blended_targets(softmax(teacher.forward(x), temperature), y, label_weight)


def blended_targets(soft, y, label_weight):
    """``label_weight · one_hot(y) + (1 − label_weight) · soft`` as float32: the labels ``y``
    ``(N,)`` mixed with the teacher's probabilities ``soft`` ``(N, classes)``.

    >>> blended_targets(np.array([[0.5, 0.5]]), np.array([1]), 0.5).tolist()
    [[0.25, 0.75]]
    """
    label_weight = check_real(label_weight, "label_weight", low=0.0, high=1.0)
    classes = soft.shape[1]
    y = np.asarray(y)
    if y.shape != (len(soft),) or not np.issubdtype(y.dtype, np.integer) or y.size and not 0 <= y.min() <= y.max() < classes:
        raise ValueError(f"y must hold one digit 0..{classes - 1} per image, shape ({len(soft)},), got {y.dtype} {y.shape}")
    one_hot = np.eye(classes)[y]
    return (label_weight * one_hot + (1.0 - label_weight) * soft).astype(np.float32)
