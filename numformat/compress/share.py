"""Weight sharing: one-dimensional k-means turns a layer's weights into a small codebook and indices.

Deep Compression's "trained quantization" (Han, Mao & Dally, ICLR 2016, section 3): the kept
weights of a layer are clustered with k-means; each weight then stores only the index of its
cluster (``log2 k`` bits) and the layer stores the ``k`` centroids once.  The paper compares
three initialisations and recommends **linear** -- centroids spaced evenly between the smallest
and the largest weight -- because the rare large weights matter most and only linear
initialisation gives them centroids of their own (density-based and random initialisation
crowd the centroids around zero, where the weights are).  Linear initialisation makes the
result deterministic; ``init="random"`` (Forgy: k distinct weights drawn with ``seed``) and
``init="density"`` (evenly spaced quantiles) are there to compare.

:func:`kmeans_1d` is Lloyd's algorithm: assign every value to its nearest centroid (ties to the
lower-indexed one, as ``argmin`` does), move every centroid to the mean of its values (a
centroid left with no values stays where it is, as ``scipy.cluster.vq.kmeans2`` does), and stop
when no assignment changes.

Examples
--------
>>> centroids, labels = kmeans_1d([-1.0, -0.9, 0.1, 0.2, 0.3, 2.0], 3)
>>> centroids.tolist(), labels.tolist()
([-0.95, 0.2, 2.0], [0, 0, 1, 1, 1, 2])
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..nn.train import TrainConfig, train
from ..checks import check_int, check_mode, finite_floats

KMEANS_INITS = ("linear", "density", "random")


def initial_centroids(values, clusters, init="linear", seed=0):
    """The starting centroids of :func:`kmeans_1d` (sorted ascending).

    ``"linear"``: ``clusters`` points evenly spaced from ``min(values)`` to ``max(values)``;
    ``"density"``: the values' quantiles at evenly spaced probabilities (the CDF's linear
    spacing in the paper); ``"random"``: ``clusters`` distinct values drawn with ``seed``.

    Examples
    --------
    >>> initial_centroids([0.0, 1.0, 3.0], 4).tolist()
    [0.0, 1.0, 2.0, 3.0]
    """
    values = finite_floats(values, "values").astype(np.float64).ravel()
    clusters = check_int(clusters, "clusters", low=1)
    check_mode(init, KMEANS_INITS, "init")
    if init == "linear":
        return np.linspace(values.min(), values.max(), clusters)
    if init == "density":
        return np.quantile(values, np.linspace(0, 1, clusters))
    distinct = np.unique(values)
    if distinct.size < clusters:
        raise ValueError(f"init='random' needs {clusters} distinct values, got {distinct.size}")
    return np.sort(np.random.default_rng(seed).choice(distinct, size=clusters, replace=False))


def assign(values, centroids):
    """The index of the nearest centroid for every value (ties: the lower index)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    return np.abs(values[:, None] - np.asarray(centroids, dtype=np.float64)[None, :]).argmin(axis=1)


def kmeans_1d(values, clusters, *, init="linear", seed=0, max_iterations=300):
    """Lloyd's k-means on a 1-D array of values.

    Parameters
    ----------
    values : array_like of float
        The weights to cluster (any shape; flattened).
    clusters : int
        ``k``, the codebook size.
    init : {"linear", "density", "random"}
        How to place the starting centroids (see :func:`initial_centroids`).
    seed : int
        Only for ``init="random"``.
    max_iterations : int
        Stop here if the assignments have not settled.

    Returns
    -------
    centroids : numpy.ndarray of float64, shape (clusters,)
    labels : numpy.ndarray of int64
        The centroid index of every value, in the order of ``values``.
    """
    values = finite_floats(values, "values").astype(np.float64).ravel()
    max_iterations = check_int(max_iterations, "max_iterations", low=1)
    centroids = initial_centroids(values, clusters, init, seed)
    labels = assign(values, centroids)
    for _ in range(max_iterations):  # a loop over iterations; each one whole-array
        counts = np.bincount(labels, minlength=centroids.size)
        sums = np.bincount(labels, weights=values, minlength=centroids.size)
        centroids = np.where(counts > 0, sums / np.maximum(counts, 1), centroids)
        new_labels = assign(values, centroids)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
    return centroids, labels


@dataclasses.dataclass(frozen=True, eq=False)
class SharedWeights:
    """A layer stored as a codebook and indices: ``weight = codebook[indices]`` where ``mask``.

    ``indices`` has the weight's shape; where ``mask`` is False (a pruned weight) the weight
    is 0.0 and the index means nothing (0).
    """

    codebook: np.ndarray
    indices: np.ndarray
    mask: np.ndarray

    @property
    def clusters(self):
        return int(self.codebook.size)

    @property
    def shape(self):
        return self.indices.shape

    def values(self):
        """The weights this encodes, float32."""
        return np.where(self.mask, self.codebook[self.indices], 0.0).astype(np.float32)

    def with_codebook(self, codebook):
        """The same indices and mask with new centroids (after fine-tuning them)."""
        return SharedWeights(np.asarray(codebook, dtype=np.float32), self.indices, self.mask)


def share_weights(weights, clusters, *, mask=None, init="linear", seed=0):
    """Cluster a layer's kept weights into ``clusters`` shared values.

    Parameters
    ----------
    weights : array_like of float
    clusters : int
        Codebook size (``2**bits`` for ``bits``-bit indices).
    mask : array_like of bool, optional
        The weights that survived pruning (default: the non-zero ones).  Only these are
        clustered; the others stay exactly 0.0.
    init, seed
        As in :func:`kmeans_1d`.

    Returns
    -------
    SharedWeights
        Codebook in float32 (the precision the layer computes in).

    Examples
    --------
    >>> shared = share_weights([[0.0, 0.5, 0.6], [-1.0, 0.0, 0.55]], 2)
    >>> shared.codebook.tolist(), shared.values().tolist()
    ([-1.0, 0.550000011920929], [[0.0, 0.550000011920929, 0.550000011920929], [-1.0, 0.0, 0.550000011920929]])
    """
    weights = finite_floats(weights, "weights").astype(np.float64)
    mask = weights != 0 if mask is None else np.asarray(mask)
    if mask.dtype != bool or mask.shape != weights.shape:
        raise ValueError(f"mask must be a boolean array of the weights' shape {weights.shape}, "
                         f"got {mask.dtype} of shape {mask.shape}")
    centroids, labels = kmeans_1d(weights[mask], clusters, init=init, seed=seed)
    indices = np.zeros(weights.shape, dtype=np.int64)
    indices[mask] = labels
    return SharedWeights(centroids.astype(np.float32), indices, mask.copy())


def share_model(model, bits, *, masks=None, init="linear", seed=0):
    """:func:`share_weights` for every weight tensor of a ``FloatCNN`` (``architecture.weight_names``).

    ``bits`` is the weight-index width, one int or a dict per weight name: each layer gets
    ``2^bits - 1`` shared values (code 0 stays free for the zeros of the sparse format, as in
    EIE).  ``masks`` (from pruning) default to the non-zero weights.
    """
    weight_names = model.architecture.weight_names
    bits = bits if isinstance(bits, dict) else dict.fromkeys(weight_names, bits)
    shared = {}
    for name in weight_names:
        clusters = (1 << check_int(bits[name], f"bits[{name!r}]", low=1)) - 1
        mask = None if masks is None else masks[name]
        shared[name] = share_weights(model.params[name], clusters, mask=mask, init=init, seed=seed)
    return shared


def shared_params(model, shared):
    """``model``'s parameters with every shared layer's weights replaced by ``codebook[indices]``."""
    return {**model.params, **{name: layer.values() for name, layer in shared.items()}}


def cluster_means(weights, layer):
    """The mean of ``weights`` over each cluster of ``layer`` (an empty cluster keeps its centroid)."""
    labels = layer.indices[layer.mask]
    counts = np.bincount(labels, minlength=layer.clusters)
    sums = np.bincount(labels, weights=weights[layer.mask], minlength=layer.clusters)
    return np.where(counts > 0, sums / np.maximum(counts, 1), layer.codebook)


def fine_tune_shared(model, shared, *, epochs=3, learning_rate=0.01, seed=0, data=None, on_epoch=None):
    """Train the shared centroids (and the biases) with the cluster structure fixed.

    Deep Compression (section 3.1) updates each centroid with the sum of its weights'
    gradients.  Here the shared training loop (:func:`numformat.nn.train.train`, Adam, no
    augmentation) updates every weight, and after each step every cluster's weights are set
    to their mean: a centroid moves by the *average* of its members' updates -- the paper's
    rule up to a per-cluster learning rate (exactly so under plain SGD).  Indices and pruned
    zeros never change.  ``seed``, ``data`` and ``on_epoch`` are passed to
    :func:`~numformat.nn.train.train` (default data: the whole training set).

    Returns
    -------
    model : FloatCNN
        The fine-tuned model, its weights exactly ``codebook[indices]`` (float32).
    shared : dict of str → SharedWeights
        The same indices and masks with the trained codebooks.
    """
    current = dict(shared)

    def project(params):
        for name, layer in current.items():
            current[name] = layer.with_codebook(cluster_means(params[name], layer))
            params[name][...] = current[name].values()

    start = model.with_params(shared_params(model, shared))
    tuned, _ = train(TrainConfig(seed=seed, epochs=epochs, learning_rate=learning_rate), model=start,
                     after_step=project, augment=False, data=data, on_epoch=on_epoch)
    return tuned, current
