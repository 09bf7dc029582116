"""Pruning, k-means weight sharing, the Deep Compression file format, INQ, and the pinned goals on
the shipped CNN: Deep Compression within 1 percentage point of float, INQ 5-bit within 1 point."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numformat.compress import (
    FLOAT32_BITS,
    PowerOfTwoGrid,
    ReportRow,
    deep_compression,
    encode_layer,
    entry_positions,
    initial_centroids,
    inq,
    inq_partition,
    kmeans_1d,
    magnitude_mask,
    power_of_two_bits,
    prune_masks,
    relative_indices,
    report_table,
    share_model,
    share_weights,
    shift_add_dot,
)
from numformat.compress.encoding import LAYER_HEADER_BITS
from numformat.nn import FloatCNN


# --- k-means -------------------------------------------------------------------------------------

def kmeans_cases(rng, trials):
    for _ in range(trials):
        size = int(rng.integers(50, 3000))
        values = rng.standard_normal(size) * rng.uniform(0.01, 2)
        if rng.integers(2):
            values = values ** 3  # heavy tails, like trained weights
        yield values, int(rng.integers(2, 33))


@pytest.mark.filterwarnings("ignore:One of the clusters is empty")
def test_kmeans_matches_scipy_kmeans2(rng):
    """Same linear start, same Lloyd steps; an empty cluster keeps its centroid in both."""
    from scipy.cluster.vq import kmeans2

    empty = 0
    for values, clusters in kmeans_cases(rng, 80):
        centroids, labels = kmeans_1d(values, clusters)
        empty += np.any(np.bincount(labels, minlength=clusters) == 0)
        start = initial_centroids(values, clusters)
        reference, reference_labels = kmeans2(values, start.copy(), iter=400, minit="matrix", missing="warn")
        assert np.array_equal(labels, reference_labels)
        np.testing.assert_allclose(centroids, reference, rtol=1e-12, atol=1e-15)
    assert empty > 0  # the heavy-tailed cases exercise empty clusters


def test_kmeans_matches_sklearn_with_the_same_init(rng):
    from sklearn.cluster import KMeans

    for values, clusters in list(kmeans_cases(rng, 30)):
        centroids, labels = kmeans_1d(values, clusters)
        if np.any(np.bincount(labels, minlength=clusters) == 0):
            continue
        start = initial_centroids(values, clusters).reshape(-1, 1)
        fitted = KMeans(clusters, init=start, n_init=1, algorithm="lloyd", tol=0, max_iter=400).fit(values.reshape(-1, 1))
        assert np.array_equal(labels, fitted.labels_)
        np.testing.assert_allclose(centroids, fitted.cluster_centers_[:, 0], rtol=1e-9, atol=1e-12)


def test_kmeans_is_deterministic_and_assigns_every_value_to_its_nearest_centroid(pretrained):
    weights = pretrained.params["fc_weight"]
    first, again = share_weights(weights, 15), share_weights(weights, 15)
    assert np.array_equal(first.codebook, again.codebook) and np.array_equal(first.indices, again.indices)
    distances = np.abs(weights.ravel()[:, None] - first.codebook.astype(np.float64)[None, :])
    chosen = distances[np.arange(weights.size), first.indices.ravel()]
    assert np.all(chosen <= distances.min(axis=1) + 1e-7)
    # each centroid is the mean of its weights (Lloyd's fixed point)
    for cluster in range(first.clusters):
        members = weights[first.indices == cluster]
        if members.size:
            assert first.codebook[cluster] == pytest.approx(members.astype(np.float64).mean(), abs=1e-6)


def test_linear_init_spans_the_weights_and_random_init_is_seeded(rng):
    values = rng.standard_normal(500)
    linear = initial_centroids(values, 7)
    assert linear[0] == values.min() and linear[-1] == values.max()
    np.testing.assert_allclose(np.diff(linear), (values.max() - values.min()) / 6)
    assert np.array_equal(initial_centroids(values, 7, "random", seed=3), initial_centroids(values, 7, "random", seed=3))
    assert set(initial_centroids(values, 7, "random", seed=3)) <= set(values)


def test_share_model_uses_two_to_the_bits_minus_one_values_and_keeps_pruned_zeros(pretrained):
    masks = prune_masks(pretrained, {"conv2_weight": 0.5, "fc_weight": 0.8})
    shared = share_model(pretrained, {"conv1_weight": 4, "conv2_weight": 3, "fc_weight": 2}, masks=masks)
    assert [layer.clusters for layer in shared.values()] == [15, 7, 3]
    for name, layer in shared.items():
        values = layer.values()
        assert np.all(values[~masks[name]] == 0)
        assert set(np.unique(values[masks[name]])) <= set(layer.codebook)


# --- pruning -------------------------------------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=200), st.floats(0, 1))
def test_magnitude_mask_keeps_the_largest(values, sparsity):
    values = np.array(values)
    mask = magnitude_mask(values, sparsity)
    assert mask.sum() == values.size - int(np.rint(values.size * sparsity))
    if mask.any() and (~mask).any():
        assert np.abs(values[mask]).min() >= np.abs(values[~mask]).max()


# --- the storage format --------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=300), st.integers(1, 5))
def test_relative_indices_round_trip(mask, index_bits):
    mask = np.array(mask)
    skips, is_filler = relative_indices(mask, index_bits)
    assert np.all((0 <= skips) & (skips < 2 ** index_bits))
    positions = entry_positions(skips)
    assert np.array_equal(positions[~is_filler], np.flatnonzero(mask))
    assert not np.any(mask[positions[is_filler]])  # fillers sit on zeros
    gaps = np.diff(np.flatnonzero(mask), prepend=-1) - 1
    assert is_filler.sum() == np.sum(gaps // 2 ** index_bits)


@pytest.mark.parametrize("codebook_dtype", ["float32", "float16"])
def test_encoded_layer_decodes_to_the_shared_weights(pretrained, codebook_dtype):
    masks = prune_masks(pretrained, {"fc_weight": 0.85})
    layer = share_weights(pretrained.params["fc_weight"], 7, mask=masks["fc_weight"])
    encoded = encode_layer(layer, index_bits=3, weight_bits=3, codebook_dtype=codebook_dtype)
    expected = np.where(layer.mask, layer.codebook.astype(codebook_dtype)[layer.indices], 0).astype(np.float32)
    assert np.array_equal(encoded.decode(), expected)
    bits = encoded.bits()
    assert bits["header"] == LAYER_HEADER_BITS
    used = np.unique(layer.indices[layer.mask])       # linear k-means leaves the pruned gap's centroid empty
    assert used.size == 6 and np.array_equal(encoded.codebook, layer.codebook[used].astype(codebook_dtype))
    assert bits["codebook"] == used.size * (32 if codebook_dtype == "float32" else 16)
    assert bits["relative indices"] == encoded.skip_stream[1] and bits["weight indices"] == encoded.symbol_stream[1]
    assert encoded.entries == layer.mask.sum() + encoded.fillers
    assert sum(bits.values()) < encoded.fixed_width_bits() + bits["tables"]  # Huffman saves bits here


def test_report_rows_and_table():
    row = ReportRow("half", FLOAT32_BITS // 2, 0.5)
    assert row.ratio == 2.0 and row.bits_per_parameter == 16.0 and row.nbytes == FLOAT32_BITS // 16
    assert "| half | 16.00 | 7,636 | 2.0 | 50.00% |" in report_table([row])


# --- power-of-two weights ------------------------------------------------------------------------

def nearest_level(values, grid):
    """Independent reference: the nearest level by distance, ties to the larger magnitude."""
    levels = grid.levels
    distance = np.abs(values[:, None] - levels[None, :])
    best = distance.min(axis=1, keepdims=True)
    tied = distance == best
    return np.array([levels[row].max(initial=-np.inf) if value > 0 else levels[row].min(initial=np.inf)
                     for value, row in zip(values, tied)])


def test_power_of_two_round_matches_nearest_level_oracle(rng):
    for bits in (3, 4, 5, 6):
        grid = PowerOfTwoGrid.for_weights([1.3], bits)
        levels = grid.levels
        midpoints = (levels[1:] + levels[:-1]) / 2
        values = np.concatenate([rng.uniform(-2.5, 2.5, 20_000), rng.standard_normal(20_000) * 2.0 ** grid.n_low,
                                 midpoints, levels, [0.0, 2.0 ** (grid.n_low - 1)]])
        values = values[values != 0]
        np.testing.assert_array_equal(grid.round(values), nearest_level(values, grid))


def test_inq_grid_follows_the_paper():
    grid = PowerOfTwoGrid.for_weights([0.3, -1.2, 0.05], bits=5)
    assert (grid.n_high, grid.n_low, grid.exponents, grid.bits) == (0, -7, 8, 5)  # floor(log2(1.6)) = 0
    assert grid.round([-1.2])[0] == -1.0  # the largest weight lands on 2^n_high
    assert PowerOfTwoGrid.for_weights([1.2], bits=3).exponents == 2


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(-128, 127), st.floats(-1.5, 1.5, allow_nan=False)), min_size=1, max_size=64))
def test_shift_add_dot_equals_the_float_dot(pairs):
    grid = PowerOfTwoGrid(0, -7)
    x = np.array([p[0] for p in pairs])
    weights = grid.round(np.array([p[1] for p in pairs]))
    sign, shift = grid.shifts(weights)
    assert int(shift_add_dot(x, sign, shift)) * 2.0 ** grid.n_low == float(np.dot(x, weights))


def test_inq_partition_grows_by_magnitude(rng):
    weights = rng.standard_normal(1000)
    frozen = np.zeros(1000, dtype=bool)
    for portion in (0.5, 0.75, 0.875, 1.0):
        grown = inq_partition(weights, frozen, portion)
        assert np.all(grown[frozen]) and grown.sum() == int(np.ceil(portion * 1000))
        new = grown & ~frozen
        if (~grown).any():
            assert np.abs(weights[new]).min() >= np.abs(weights[~grown]).max()
        frozen = grown


# --- the goals, on the shipped model -------------------------------------------------------------

@pytest.fixture(scope="module")
def compressed(pretrained):
    return deep_compression(pretrained)


def test_deep_compression_stays_within_one_point_and_is_16x_smaller(digits, pretrained, compressed):
    _, _, x_test, y_test = digits
    float_accuracy = pretrained.accuracy(x_test, y_test)
    rows = {row.stage: row for row in compressed.report(x_test, y_test, pretrained)}
    assert rows["Huffman coding"].accuracy >= float_accuracy - 0.01
    assert rows["Huffman coding"].ratio >= 16.0
    # every stage is smaller than the one before
    sizes = [row.bits for row in rows.values()]
    assert sizes == sorted(sizes, reverse=True)
    assert rows["Huffman coding"].bits == compressed.encoded.bits()["total"]


def test_deep_compression_file_decodes_to_the_trained_shared_model(compressed):
    decoded = compressed.decoded()
    for name, layer in compressed.shared.items():
        expected = np.where(layer.mask, layer.codebook.astype(np.float16)[layer.indices], 0).astype(np.float32)
        assert np.array_equal(decoded.params[name], expected)
        assert np.count_nonzero(decoded.params[name]) <= layer.mask.sum()
    for name, bias in compressed.encoded.biases.items():
        assert np.array_equal(decoded.params[name], bias.astype(np.float32))
    # pruning reached the requested sparsity and the masks survived both fine-tunings
    assert compressed.masks["conv2_weight"].mean() == pytest.approx(0.3, abs=1e-3)
    assert compressed.masks["fc_weight"].mean() == pytest.approx(0.25, abs=1e-3)
    assert np.all(compressed.pruned.params["fc_weight"][~compressed.masks["fc_weight"]] == 0)


def test_inq_5_bit_powers_of_two_stay_within_one_point(digits, pretrained):
    _, _, x_test, y_test = digits
    model, grids = inq(pretrained, bits=5, epochs=1)
    for name, grid in grids.items():
        assert grid.bits == 5
        grid.shifts(model.params[name])  # raises unless every weight is on the grid
    assert model.accuracy(x_test, y_test) >= pretrained.accuracy(x_test, y_test) - 0.01
    assert FLOAT32_BITS / power_of_two_bits(grids) > 6.0


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, message", [
    (lambda: kmeans_1d([1.0, 2.0], 0), ValueError, "clusters=0 must be at least 1"),
    (lambda: kmeans_1d([1.0, 2.0], 2.5), TypeError, "clusters must be an int"),
    (lambda: kmeans_1d([], 2), ValueError, "values is empty"),
    (lambda: kmeans_1d([1.0, np.nan], 2), ValueError, "values contains nan"),
    (lambda: kmeans_1d([1.0, 2.0], 2, init="kmeans++"), ValueError, "init='kmeans\\+\\+'"),
    (lambda: initial_centroids([1.0, 1.0], 2, "random"), ValueError, "needs 2 distinct values"),
    (lambda: share_weights([[1.0, 2.0]], 2, mask=[True, False]), ValueError, "mask must be a boolean array"),
    (lambda: magnitude_mask([1.0, 2.0], 1.5), ValueError, "sparsity=1.5 must be in"),
    (lambda: prune_masks(FloatCNN.initial(np.random.default_rng(0)), {"conv3_weight": 0.5}), ValueError,
     "the prunable weights are"),
    (lambda: prune_masks(None, 0.5), TypeError, "model must be a FloatCNN, got NoneType"),
    (lambda: relative_indices([True], 0), ValueError, "index_bits=0 is not supported; use 1 to 16"),
    (lambda: encode_layer(share_weights([1.0, 2.0, 3.0, 4.0], 4), index_bits=2, weight_bits=2), ValueError,
     "4 shared values need more than weight_bits=2"),
    (lambda: encode_layer(share_weights([1.0, 2.0], 1), index_bits=2, weight_bits=2, codebook_dtype="bfloat16"),
     ValueError, "codebook_dtype='bfloat16' is not a storage type"),
    (lambda: encode_layer([1.0], index_bits=2, weight_bits=2), TypeError, "shared must be a SharedWeights"),
    (lambda: PowerOfTwoGrid.for_weights([0.0], 5), ValueError, "non-zero largest magnitude"),
    (lambda: PowerOfTwoGrid.for_weights([1.0], 1), ValueError, "bits=1 must be at least 2"),
    (lambda: PowerOfTwoGrid(-3, 0), ValueError, "n_low=0 must not exceed n_high=-3"),
    (lambda: PowerOfTwoGrid(0, -3).shifts([0.3]), ValueError, "0.3 is not a level"),
    (lambda: inq_partition([1.0, 2.0], [True], 0.5), ValueError, "frozen must be a boolean mask"),
    (lambda: inq_partition([1.0, 2.0], [True, False], 0), ValueError, r"portion=0 must lie in \(0, 1\]"),
    (lambda: inq(None, portions=(0.5, 0.9)), ValueError, "must rise within \\(0, 1\\] and end at 1"),
    (lambda: shift_add_dot([1.5], [1], [0]), TypeError, "x_int must be integers"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
