"""The 8×8 handwritten digits: scikit-learn's bundled copy, split the same way on every machine.

``sklearn.datasets.load_digits`` ships 1797 images of 8×8 pixels with 17 grey levels
(0 to 16), read from a file inside the scikit-learn package: nothing is downloaded.  The split
is stratified (each digit keeps its share in train and test) and made with numpy's seeded
``Generator``, not with ``train_test_split``, so it does not move when scikit-learn changes
its splitting code: the shipped weights were trained on exactly this split.
"""

from __future__ import annotations

import numbers

import numpy as np

TEST_FRACTION = 0.25
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
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__} {seed!r}")
    if not isinstance(test_fraction, numbers.Real) or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction!r} must be a number strictly between 0 and 1")
    from sklearn.datasets import load_digits  # lazily: `import numformat` stays light

    digits = load_digits()
    images = (digits.images / GREY_LEVELS).astype(np.float32)[:, None, :, :]
    labels = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    test_mask = np.zeros(labels.size, dtype=bool)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_mask[members[: round(test_fraction * members.size)]] = True
    train, test = np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
    return images[train], labels[train], images[test], labels[test]
