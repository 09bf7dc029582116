"""The compressed file: byte-exact round trips of the format, a reader that rejects what does not
parse, and the shipped file -- its goal (ratio and accuracy from the file itself) and a real
check that the build that made it is deterministic."""

import hashlib
import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from numformat.compress import (
    FLOAT32_BITS,
    WEIGHT_NAMES,
    encode_model,
    from_bytes,
    load_compressed,
    prune_masks,
    quantize_bias,
    read_compressed,
    share_weights,
    to_bytes,
)
from numformat.compress.build import BUILD_SETTINGS, RECORD_PATH, training_data
from numformat.compress.file_format import COMPRESSED_PATH, BitReader, BitWriter
from numformat.compress.prune import check_sparsity, prune_step
from numformat.compress.encoding import BIAS_STORAGE


def random_encoded(model, rng, bias_dtype, codebook_dtype):
    sparsity = {name: float(rng.uniform(0, 0.95)) for name in WEIGHT_NAMES}
    masks = prune_masks(model, sparsity)
    clusters = {name: int(rng.integers(1, 16)) for name in WEIGHT_NAMES}
    shared = {name: share_weights(model.params[name], clusters[name], mask=masks[name]) for name in WEIGHT_NAMES}
    index_bits = {name: int(rng.integers(1, 9)) for name in WEIGHT_NAMES}
    weight_bits = {name: int(clusters[name]).bit_length() + int(rng.integers(0, 2)) for name in WEIGHT_NAMES}
    return encode_model(shared, model, index_bits=index_bits, weight_bits=weight_bits, codebook_dtype=codebook_dtype,
                        bias_dtype=bias_dtype)


@pytest.mark.parametrize("bias_dtype", BIAS_STORAGE)
@pytest.mark.parametrize("codebook_dtype", ["float32", "float16"])
def test_file_round_trip_is_byte_exact(pretrained, rng, bias_dtype, codebook_dtype):
    for _ in range(4):
        encoded = random_encoded(pretrained, rng, bias_dtype, codebook_dtype)
        data = to_bytes(encoded)
        assert len(data) == encoded.nbytes == (encoded.bits()["total"] + 7) // 8   # the size is the bit count
        parsed = from_bytes(data)
        assert parsed.bits() == encoded.bits()
        assert to_bytes(parsed) == data
        decoded, expected = parsed.decode(), encoded.decode()
        for name in expected.params:
            assert np.array_equal(decoded.params[name], expected.params[name]), name
        for name, layer in encoded.layers.items():
            assert (parsed.layers[name].entries, parsed.layers[name].fillers) == (layer.entries, layer.fillers)
            assert parsed.layers[name].codebook.dtype == np.dtype(codebook_dtype)


def test_int8_biases_are_a_scale_times_small_integers(pretrained):
    encoded = random_encoded(pretrained, np.random.default_rng(1), "int8", "float16")
    decoded = encoded.decode()
    for name, q in encoded.biases.items():
        scale = encoded.bias_scales[name]
        assert q.dtype == np.int8 and np.abs(q).max() == 127 and scale.dtype == np.float16
        assert np.array_equal(decoded.params[name], q.astype(np.float32) * np.float32(scale))
        # rounding to the nearest multiple of the (float16) scale: within half a step
        assert np.all(np.abs(decoded.params[name] - pretrained.params[name]) <= float(scale) / 2 + 1e-7)
    assert encoded.bits()["biases"] == 8 * 34 + 16 * 3


def test_quantize_bias_of_zeros_and_ties():
    q, scale = quantize_bias(np.zeros(4))
    assert q.tolist() == [0, 0, 0, 0] and scale == 0
    q, scale = quantize_bias(np.array([127.0, 0.5, 1.5, -2.5]))      # scale 1: ties to even
    assert float(scale) == 1.0 and q.tolist() == [127, 0, 2, -2]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 ** 20 - 1), st.integers(1, 32)), max_size=30).map(
    lambda fields: [(value % (1 << width), width) for value, width in fields]))
def test_bit_writer_and_reader_round_trip(fields):
    writer = BitWriter()
    for value, width in fields:
        writer.write(value, width)
    reader = BitReader(writer.to_bytes())
    assert [reader.read(width) for _, width in fields] == [value for value, _ in fields]
    reader.finish()


@pytest.mark.parametrize("corrupt, message", [
    (lambda data: data[:-3], "the file ends after"),
    (lambda data: data + b"\x00", "bits are left after the model"),
    (lambda data: bytes([0xF0]) + data[1:], "not a compressed CNN"),
    (lambda data: b"", "the file ends after 0 bits"),
])
def test_reader_rejects_files_that_do_not_parse(pretrained, corrupt, message):
    data = to_bytes(random_encoded(pretrained, np.random.default_rng(2), "int8", "float16"))
    with pytest.raises(ValueError, match=message):
        from_bytes(corrupt(data))


@pytest.mark.parametrize("call, error, message", [
    (lambda: to_bytes("model.bin"), TypeError, "encoded must be an EncodedModel"),
    (lambda: from_bytes("model.bin"), TypeError, "data must be bytes, got str"),
    (lambda: BitWriter().write(8, 3), ValueError, "8 does not fit in 3 bits"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the shipped file ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def record():
    return json.loads(RECORD_PATH.read_text())


def test_shipped_file_is_20x_smaller_within_one_point_of_float(digits, pretrained, record):
    _, _, x_test, y_test = digits
    data = COMPRESSED_PATH.read_bytes()
    encoded = from_bytes(data)
    bits = encoded.bits()
    assert len(data) == (bits["total"] + 7) // 8
    assert set(bits) == {"header", "codebook", "tables", "relative indices", "weight indices", "biases", "total"}
    assert FLOAT32_BITS / (8 * len(data)) >= 20.0                    # whole bytes, padding included
    float_accuracy = pretrained.accuracy(x_test, y_test)
    accuracy = load_compressed().accuracy(x_test, y_test)
    assert accuracy >= float_accuracy - 0.01
    assert accuracy == record["test_accuracy"]["file"] and bits == record["bits"]
    assert hashlib.sha256(data).hexdigest() == record["digests"]["file"]
    assert read_compressed().bias_dtype == "int8" and record["settings"] == BUILD_SETTINGS


def test_shipped_file_keeps_the_pruning_and_sharing_it_was_built_with(record):
    decoded = load_compressed()
    for name in WEIGHT_NAMES:
        weights = decoded.params[name]
        kept = np.count_nonzero(weights)
        expected = weights.size - int(np.rint(weights.size * BUILD_SETTINGS["sparsity"][name]))
        assert kept == expected
        assert np.unique(weights[weights != 0]).size <= BUILD_SETTINGS["clusters"][name]


def test_build_is_deterministic_first_epochs_match_the_record(pretrained, record):
    """Retrain the first two epochs of the build's first pruning round and compare digests."""
    x_train, targets, x_test, y_test = training_data(pretrained)
    s = BUILD_SETTINGS
    _, _, history = prune_step(pretrained, check_sparsity(s["sparsity"]), 1, s["prune_steps"], epochs=s["prune_epochs"],
                               learning_rate=s["learning_rate"], seed=s["seed"],
                               data=(x_train, targets, x_test[:1], y_test[:1]), stop_after=2)
    assert history["digest"] == record["digests"]["epochs"][:2]
    assert len(record["digests"]["epochs"]) == s["prune_steps"] * s["prune_epochs"] + s["share_epochs"]


def test_settings_search_rows_measure_validation_images_only(pretrained):
    """One quick row of the cross-validated search: proxies distilled, folds pooled, the test set unused."""
    from numformat.compress.search import SEARCH_SCHEDULE, evaluate, format_row
    from numformat.nn import validation_folds

    folds = validation_folds(2)
    schedule = {**SEARCH_SCHEDULE, "prune_steps": 1, "prune_epochs": 1, "share_epochs": 1}
    calls = []
    rows = evaluate({"conv1_weight": 0.0, "conv2_weight": 0.5, "fc_weight": 0.5}, [(15, 7, 7), (3, 3, 3)], folds,
                    [pretrained, pretrained], schedule, on_fold=lambda: calls.append(1))
    assert len(calls) == 2 and [row["clusters"]["fc_weight"] for row in rows] == [7, 3]
    validation_images = sum(len(fold[3]) for fold in folds)
    for row in rows:
        assert row["ratio"] == pytest.approx(FLOAT32_BITS / row["bits"])
        for accuracy in (row["float_accuracy"], row["accuracy"]):
            assert (accuracy * validation_images) == pytest.approx(round(accuracy * validation_images))
        assert row["drop_points"] == pytest.approx(100 * (row["float_accuracy"] - row["accuracy"]))
    assert rows[0]["bits"] > rows[1]["bits"]
    assert format_row(rows[0]).startswith("| 0.00/0.50/0.50 | 15/7/7 |")
