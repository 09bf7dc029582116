"""Compression: k-means weight sharing against scipy's kmeans2, and a Huffman round trip."""

import warnings

import numpy as np

from numformat.compress import HuffmanCode, huffman_decode, huffman_encode, initial_centroids, kmeans_1d
from run import Case


def _same_clustering(ours, reference):
    np.testing.assert_array_equal(ours[1], reference[1])
    np.testing.assert_allclose(ours[0], reference[0], rtol=1e-12)


def cases(quick=False):
    from scipy.cluster.vq import kmeans2

    rng = np.random.default_rng(0)
    values = rng.standard_normal(500 if quick else 10_000) * 0.1   # a layer's kept weights
    start = initial_centroids(values, 15)
    _, labels = kmeans_1d(values, 15)
    # kmeans2 runs a fixed number of Lloyd steps: give it exactly as many as ours needed to settle
    steps = 1
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = kmeans2(values, start.copy(), iter=steps, minit="matrix", missing="warn")
        if np.array_equal(reference[1], labels):
            break
        steps += 1

    def scipy_kmeans():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return kmeans2(values, start.copy(), iter=steps, minit="matrix", missing="warn")

    symbols = np.minimum(rng.geometric(0.3, 10_000 if quick else 1_000_000) - 1, 15)
    code = HuffmanCode.from_symbols(symbols, 16)

    def round_trip():
        packed, nbits = huffman_encode(symbols, code)
        return huffman_decode(packed, nbits, code, symbols.size)

    return [
        Case("`kmeans_1d(w, 15)`, linear init, run to convergence, 10,000 weights",
             lambda: kmeans_1d(values, 15), f"scipy `kmeans2(w, init, iter={steps}, minit='matrix')` (as many steps)", scipy_kmeans,
             goal_ratio=2.0, check=_same_clustering),
        Case("Huffman encode + decode, 10^6 4-bit indices", round_trip, goal_seconds=1.0),
    ]
