"""The 8×8 handwritten digits: scikit-learn's bundled copy, split the same way on every machine.

``sklearn.datasets.load_digits`` ships 1797 images of 8×8 pixels with 17 grey levels
(0 to 16), read from a file inside the scikit-learn package: nothing is downloaded.  The split
is stratified (each digit keeps its share in train and test) and made with numpy's seeded
``Generator``, not with ``train_test_split``, so it does not move when scikit-learn changes
its splitting code: the shipped weights were trained on exactly this split.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_int, check_real

TEST_FRACTION = 0.25
VALIDATION_FOLDS = 5  # cross-validation on the training images, for choosing settings (validation_folds)
GREY_LEVELS = 16  # pixels are integers 0..16: x / 16 puts them in [0, 1] exactly


def load_digits_split(seed=0, *, test_fraction=TEST_FRACTION):
    """Digits as ``(x_train, y_train, x_test, y_test)``, images ``(N, 1, 8, 8)`` float32 in [0, 1].

    Parameters
    ----------
    seed : int
        Seeds ``numpy.random.default_rng`` for the stratified split.  ``seed=0`` is the split
        the shipped weights were trained and tested on.
    test_fraction : float
        Share of each digit class held out for the test set, in (0, 1).

    Returns
    -------
    x_train, y_train, x_test, y_test : numpy.ndarray
        Images as float32 of shape ``(N, 1, 8, 8)`` (batch, channel, height, width — the
        layout ONNX uses), labels as int64 of shape ``(N,)``.

    Examples
    --------
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> x_train.shape, x_test.shape, x_train.dtype.name
    ((1347, 1, 8, 8), (450, 1, 8, 8), 'float32')
    >>> float(x_train.min()), float(x_train.max()), np.bincount(y_test).tolist()
    (0.0, 1.0, [44, 46, 44, 46, 45, 46, 45, 45, 44, 45])
    """
    seed = check_int(seed, "seed")
    test_fraction = check_real(test_fraction, "test_fraction", low=0, high=1, low_open=True, high_open=True)
    from sklearn.datasets import load_digits  # lazily: `import numformat` stays light

    digits = load_digits()
    images = (digits.images / GREY_LEVELS).astype(np.float32)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    return _stratified_split(images, labels, test_fraction, np.random.default_rng(seed))


def _stratified_split(images, labels, fraction, rng):
    """``(x_kept, y_kept, x_held, y_held)``: ``fraction`` of each digit's images held out at random."""
    held = np.zeros(labels.size, dtype=bool)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        held[members[: round(fraction * members.size)]] = True
    kept, held = np.flatnonzero(~held), np.flatnonzero(held)
    return images[kept], labels[kept], images[held], labels[held]


def validation_folds(folds=VALIDATION_FOLDS, seed=0):
    """The training images of ``load_digits_split()`` in ``folds`` stratified folds, for cross-validation.

    Fold ``k`` is ``(x_fit, y_fit, x_val, y_val)``: its validation images are every
    ``folds``-th image of each digit (in a seeded random order), the others are for fitting.
    Settings -- how much to prune, how many shared values -- are chosen by training on the fit
    images and measuring on the validation images of every fold, so the test set stays out of
    every decision, and the average over the folds (all 1,347 training images) moves less than
    one small validation set would.

    Examples
    --------
    >>> folds = validation_folds()
    >>> [(len(y_fit), len(y_val)) for _, y_fit, _, y_val in folds]
    [(1073, 274), (1077, 270), (1078, 269), (1079, 268), (1081, 266)]
    """
    folds, seed = check_int(folds, "folds", low=2), check_int(seed, "seed")
    x_train, y_train, _, _ = load_digits_split(0)
    rng = np.random.default_rng(seed)
    fold_of = np.empty(y_train.size, dtype=np.int64)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(y_train == digit))
        fold_of[members] = np.arange(members.size) % folds
    return [(x_train[fold_of != k], y_train[fold_of != k], x_train[fold_of == k], y_train[fold_of == k])
            for k in range(folds)]
