"""numformat.blocks.schemes and .outliers: weight schemes against ml_dtypes, numpy written out and
the block codecs; the outlier methods (keep 1%, AWQ, LLM.int8()) against their papers' recipes."""

import math

import numpy as np
import pytest

import numformat as nf
from numformat.blocks import (FORMATS, awq, bits_per_weight, keep_salient, llm_int8_matmul, outlier_study,
                              round_trip, salient_channels, storage_bits, synthetic_outlier_layer, weight_tradeoff)
from numformat.blocks.outliers import awq_scales, check_layer

ml_dtypes = pytest.importorskip("ml_dtypes")

MX_FORMATS = [fmt for fmt in FORMATS.values() if fmt.kind in ("mx", "affine")]


@pytest.mark.parametrize("fmt", MX_FORMATS, ids=lambda fmt: fmt.name)
def test_padded_round_trip_matches_whole_blocks_and_an_explicit_zero_tail(fmt, rng):
    whole = fmt.block_size * 2
    weight = rng.standard_normal((6, whole + 9)) * 2.0 ** rng.integers(-4, 4, (6, 1))
    ours = round_trip(weight, fmt)
    head = nf.block_dequantize(nf.block_quantize(weight[:, :whole], fmt))
    tail = np.pad(weight[:, whole:], [(0, 0), (0, fmt.block_size - 9)])
    np.testing.assert_array_equal(ours[:, :whole], head)
    np.testing.assert_array_equal(ours[:, whole:], nf.block_dequantize(nf.block_quantize(tail, fmt))[:, :9])


def test_round_trip_reads_a_convolution_row_by_output_channel(rng):
    weight = rng.standard_normal((16, 8, 3, 3))
    flat = round_trip(weight.reshape(16, 72), nf.MXFP8_E4M3)
    np.testing.assert_array_equal(round_trip(weight, nf.MXFP8_E4M3), flat.reshape(weight.shape))


def test_int_schemes_match_absmax_per_channel_written_out(rng):
    weight = rng.standard_normal((10, 256)) * rng.uniform(0.1, 3, (10, 1))
    for scheme, top in (("int8", 127), ("int4", 7)):
        scales = (np.abs(weight).max(axis=1, keepdims=True) / top).astype(np.float32).astype(np.float64)
        expected = np.clip(np.rint(weight / scales), -top, top) * scales
        np.testing.assert_array_equal(round_trip(weight, scheme), expected)
        scale = float(np.float32(np.abs(weight).max() / top))
        np.testing.assert_array_equal(round_trip(weight, f"{scheme}-tensor"), np.rint(weight / scale) * scale)


def test_fp8_scheme_matches_ml_dtypes_and_the_fp8_model(rng):
    from numformat.nn.fp8 import fp8_weights

    weight = rng.standard_normal((16, 8, 3, 3)) * 0.3
    scale = float(np.float32(np.abs(weight).max() / 448))
    expected = np.clip(weight / scale, -448, 448).astype(ml_dtypes.float8_e4m3fn).astype(np.float64) * scale
    np.testing.assert_array_equal(round_trip(weight, "fp8"), expected)
    ours = round_trip(weight.astype(np.float32), "fp8").astype(np.float32)
    np.testing.assert_array_equal(ours, fp8_weights({"conv_weight": weight.astype(np.float32)}, nf.FLOAT8_E4M3FN)
                                  ["conv_weight"])


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=lambda fmt: fmt.name)
def test_storage_bits_of_whole_blocks_agree_with_bits_per_value(fmt):
    shape = (16, fmt.block_size * 256 // 16)  # 256 blocks: one NF4 second-level scale, exactly
    count = math.prod(shape)
    assert storage_bits(shape, fmt) / count == pytest.approx(nf.bits_per_value(fmt, count=count), rel=1e-12)


def test_storage_bits_count_the_padded_blocks_scales():
    shapes = nf.nn.DIGITS_CNN.parameter_shapes()
    weights = [shapes[name] for name in nf.nn.DIGITS_CNN.weight_names]
    # conv1 rows of 9, conv2 rows of 72, fc rows of 256: 1, 3 and 8 MX blocks per row
    mx_scales = 8 * 1 + 16 * 3 + 10 * 8
    assert bits_per_weight(weights, nf.MXFP4_E2M1) == (3784 * 4 + mx_scales * 8) / 3784
    assert bits_per_weight(weights, "int8") == (3784 * 8 + 34 * 32) / 3784
    assert bits_per_weight(weights, "fp8") == (3784 * 8 + 3 * 32) / 3784
    assert bits_per_weight(weights, "int4-tensor") == (3784 * 4 + 3 * 32) / 3784


def test_weight_tradeoff_on_the_digits_cnn():
    model = nf.nn.load_pretrained()
    _, _, x_test, y_test = nf.nn.load_digits_split()
    names = model.architecture.weight_names
    rows = weight_tradeoff(model.params, names, lambda params: model.with_params(params).accuracy(x_test, y_test),
                           ["int8", "nvfp4"])
    for row, scheme in zip(rows, ["int8", nf.NVFP4]):
        rounded = {name: round_trip(model.params[name], scheme) for name in names}
        assert row["score"] == model.with_params({**model.params, **rounded}).accuracy(x_test, y_test)
        originals = np.concatenate([model.params[name].ravel() for name in names])
        assert row["sqnr_db"] == nf.sqnr_db(originals, np.concatenate([rounded[name].ravel() for name in names]))
    assert rows[0]["sqnr_db"] > rows[1]["sqnr_db"] + 15  # 8 bits against 4.5: about 6 dB a bit
    assert rows[0]["bits_per_weight"] > 8 and 4.5 < rows[1]["bits_per_weight"] < 5


def test_salient_channels_are_the_largest_mean_magnitudes(rng):
    x = rng.standard_normal((64, 200))
    x[:, [17, 3]] *= [30.0, 10.0]
    assert salient_channels(x, 0.01).tolist() == [17, 3]
    assert salient_channels(x, 0.0).tolist() == [17]  # at least one


def test_keep_salient_stores_those_columns_in_float16(rng):
    x, weight = synthetic_outlier_layer(rng, tokens=32, features=128, outputs=16)
    kept = keep_salient(x, weight, "int4-g32", fraction=0.02)
    columns = salient_channels(x, 0.02)
    np.testing.assert_array_equal(kept[:, columns], weight[:, columns].astype(np.float16).astype(np.float64))
    others = np.setdiff1d(np.arange(128), columns)
    np.testing.assert_array_equal(kept[:, others], round_trip(weight, "int4-g32")[:, others])


def test_awq_scales_and_search(rng):
    x, weight = synthetic_outlier_layer(rng, tokens=64, features=128, outputs=32)
    scales = awq_scales(x, 0.5)
    assert math.isclose(scales.max() * scales.min(), 1.0)
    raw = np.mean(np.abs(x), 0) ** 0.5
    np.testing.assert_allclose(scales, raw / np.sqrt(raw.max() * raw.min()), rtol=1e-14)
    rtn = round_trip(weight, "int4-g128")
    only_rtn, alpha = awq(x, weight, "int4-g128", grid=1)  # α = 0 alone: s = 1
    np.testing.assert_array_equal(only_rtn, rtn)
    assert alpha == 0.0
    effective, alpha = awq(x, weight, "int4-g128")
    reference = x @ weight.T
    assert np.sum((x @ effective.T - reference) ** 2) <= np.sum((x @ rtn.T - reference) ** 2)
    assert alpha in np.arange(20) / 20
    s = awq_scales(x, alpha)
    np.testing.assert_array_equal(effective, round_trip(weight * s, "int4-g128") / s)


def llm_int8_written_out(x, weight, threshold):
    """Dettmers et al. 2022, eq. 3-4: float16 outlier columns plus vector-wise absmax int8."""
    outliers = np.any(np.abs(x) >= threshold, axis=0)
    half = x[:, outliers].astype(np.float16).astype(np.float64) @ weight[:, outliers].astype(np.float16).astype(np.float64).T
    rest_x, rest_w = x[:, ~outliers], weight[:, ~outliers]
    sx = (np.abs(rest_x).max(1) / 127).astype(np.float32).astype(np.float64)
    sw = (np.abs(rest_w).max(1) / 127).astype(np.float32).astype(np.float64)
    qx, qw = np.rint(rest_x / sx[:, None]), np.rint(rest_w / sw[:, None])
    return half + (qx @ qw.T) * sx[:, None] * sw[None, :]


@pytest.mark.parametrize("threshold", [6.0, np.inf])
def test_llm_int8_matches_the_paper_written_out(threshold, rng):
    x, weight = synthetic_outlier_layer(rng, tokens=48, features=96, outputs=24, magnitude=25.0)
    np.testing.assert_allclose(llm_int8_matmul(x, weight, threshold), llm_int8_written_out(x, weight, threshold),
                               rtol=1e-13, atol=1e-12)


def test_llm_int8_all_outliers_is_a_float16_matmul(rng):
    x, weight = rng.standard_normal((8, 16)) * 10, rng.standard_normal((4, 16))
    expected = x.astype(np.float16).astype(np.float64) @ weight.astype(np.float16).astype(np.float64).T
    np.testing.assert_array_equal(llm_int8_matmul(x, weight, 1e-9), expected)


def test_outlier_study_on_the_synthetic_layer_shows_what_the_papers_report(rng):
    x, weight = synthetic_outlier_layer(rng, tokens=256, features=256, outputs=64)
    study = outlier_study(x, weight, "int4-g128")
    sqnr = {name: value for name, (value, _) in study.items()}
    assert sqnr["keep 1% in float16"] > sqnr["round to nearest"] + 6
    assert sqnr["AWQ scaling"] > sqnr["round to nearest"] + 3
    assert sqnr["LLM.int8()"] > sqnr["int8 per token"] + 10
    bits = {name: value for name, (_, value) in study.items()}
    assert bits["round to nearest"] == nf.bits_per_value("int4-g128")
    assert bits["keep 1% in float16"] == bits["round to nearest"] + 3 * (64 * 16 + 16) / weight.size


@pytest.mark.parametrize("call, error, message", [
    (lambda: round_trip(np.ones((2, 32)), "int5"), ValueError, "scheme='int5' is not a known weight scheme"),
    (lambda: round_trip(np.ones((2, 32)), 4.0), TypeError, "scheme must be a BlockFormat or a scheme name, got float"),
    (lambda: round_trip(np.ones(32), "int8"), ValueError, "weight must have an output-channel axis"),
    (lambda: storage_bits((32,), "int8"), ValueError, "shape must have an output-channel axis"),
    (lambda: storage_bits((2, 0), "int8"), ValueError, "shape=0"),
    (lambda: check_layer(np.ones((4, 8)), np.ones((2, 7))), ValueError, "the same features; got x"),
    (lambda: check_layer(np.full((4, 8), np.inf), np.ones((2, 8))), ValueError, "must be finite"),
    (lambda: salient_channels(np.ones((4, 8)), 1.5), ValueError, "fraction=1.5 must be in"),
    (lambda: llm_int8_matmul(np.ones((4, 8)), np.ones((2, 8)), 0.0), ValueError, "threshold"),
    (lambda: awq(np.ones((4, 8)), np.ones((2, 8)), "nf4", grid=0), ValueError, "grid=0"),
    (lambda: synthetic_outlier_layer(0), TypeError, "rng must be a numpy Generator"),
    (lambda: weight_tradeoff({"a": np.ones((2, 2))}, ["b"], len, ["int8"]), ValueError, r"weight_names \['b'\]"),
    (lambda: weight_tradeoff({"a": np.ones((2, 2))}, ["a"], 3, ["int8"]), TypeError, "evaluate must be a function"),
])
def test_bad_input_gets_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("fmt", [fmt for fmt in FORMATS.values() if fmt.kind != "mx"], ids=lambda fmt: fmt.name)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused_where_the_format_has_no_code_for_it(fmt, bad, rng):
    """MX blocks turn NaN (test_blocks.py); NVFP4, int groups and NF4 would store garbage: refuse."""
    x = rng.standard_normal((2, 256))
    x[1, 100] = bad
    with pytest.raises(ValueError, match=f"x holds {bad} .1 non-finite values.; {fmt.name} has no code for NaN"):
        nf.block_quantize(x, fmt)


@pytest.mark.parametrize("bits", [8, 4])
@pytest.mark.parametrize("per_channel", [True, False])
def test_int_schemes_match_the_ptq_weights_of_lesson_8(bits, per_channel):
    from numformat.nn.ptq import fake_quantize_weights

    model = nf.nn.load_pretrained()
    expected = fake_quantize_weights(model.params, bits, per_channel=per_channel)
    scheme = f"int{bits}" if per_channel else f"int{bits}-tensor"
    for name in model.architecture.weight_names:
        np.testing.assert_array_equal(round_trip(model.params[name], scheme).astype(np.float32), expected[name])
