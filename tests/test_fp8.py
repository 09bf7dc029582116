"""FP8 simulation: the scaled rounding against ml_dtypes, per-tensor scaling, and FP8 against
int8 at equal bit width on the shipped model (weight SQNR and accuracy)."""

import numpy as np
import pytest

import numformat as nf
from numformat.nn import fp8_model, post_training_quantize
from numformat.nn.ptq import LAYERS, fake_quantize_weights
from numformat.nn.fp8 import FP8_FORMATS, fp8_scale, fp8_weights, round_to_fp8

ml_dtypes = pytest.importorskip("ml_dtypes")
ML_DTYPES = {"float8_e4m3fn": ml_dtypes.float8_e4m3fn, "float8_e5m2": ml_dtypes.float8_e5m2}


@pytest.fixture(scope="module")
def calib(digits):
    return digits[0][:500]


@pytest.mark.parametrize("fmt", FP8_FORMATS, ids=lambda fmt: fmt.name)
def test_scaled_fp8_rounding_matches_ml_dtypes(rng, fmt):
    """10^5 values over 12 binades, ties and beyond-range values: ``round_to_fp8`` equals the
    ml_dtypes cast of ``x / scale`` (clipped to ±max first: ml_dtypes has no saturating cast)."""
    scale = fp8_scale(0.37, fmt)
    x = np.concatenate([rng.choice([-1, 1], 100_000) * 2.0 ** rng.uniform(-12, 0, 100_000) * 0.37,
                        [0.0, -0.0, 0.37, -0.37, 5.0, -1e9]])
    ties = nf.from_bits(np.arange(0, 2 ** 8 - 1, dtype=np.uint64), fmt)
    ties = ties[np.isfinite(ties)]
    x = np.concatenate([x, ((ties[:-1] + ties[1:]) / 2) * scale])
    quotient = np.clip(x / scale, -fmt.max, fmt.max)
    expected = quotient.astype(ML_DTYPES[fmt.name]).astype(np.float64) * scale
    np.testing.assert_array_equal(round_to_fp8(x, fmt, scale=scale), expected)


def test_scale_puts_the_largest_value_on_the_largest_code():
    for fmt in FP8_FORMATS:
        scale = fp8_scale(0.5, fmt)
        assert scale == float(np.float32(0.5 / fmt.max))
        assert round_to_fp8([0.5, 0.6], fmt, scale=scale).tolist() == [fmt.max * scale] * 2  # saturates
    assert fp8_scale(0.0, nf.FLOAT8_E4M3FN) == 1.0


def test_scaling_rescues_tensors_outside_the_format_range(pretrained):
    """Weights a thousand times smaller fall below E4M3's smallest subnormal (2**-9) unscaled and
    round to 0; with per-tensor scaling they keep the same 31-32 dB."""
    tiny = {name: value * np.float32(1e-3) for name, value in pretrained.params.items()}
    for scaled, low, high in ((False, -1, 3), (True, 31, 33)):
        rounded = fp8_weights(tiny, nf.FLOAT8_E4M3FN, scaled=scaled)
        for layer in LAYERS:
            assert low <= nf.sqnr_db(tiny[f"{layer}_weight"], rounded[f"{layer}_weight"]) <= high


def test_int8_weights_beat_fp8_at_equal_bit_width(pretrained):
    """Per-tensor int8 (and per-channel even more) has 7-13 dB more SQNR than E4M3 on every
    layer, E4M3 6 dB more than E5M2: these weights are bell-shaped, with no outliers for
    FP8's wide range to pay for its coarse mantissa."""
    for layer in LAYERS:
        weight = pretrained.params[f"{layer}_weight"]
        sqnr = {name: nf.sqnr_db(weight, rounded[f"{layer}_weight"]) for name, rounded in (
            ("int8 per channel", fake_quantize_weights(pretrained.params, 8)),
            ("int8 per tensor", fake_quantize_weights(pretrained.params, 8, per_channel=False)),
            ("e4m3", fp8_weights(pretrained.params, nf.FLOAT8_E4M3FN)),
            ("e5m2", fp8_weights(pretrained.params, nf.FLOAT8_E5M2)))}
        assert sqnr["int8 per channel"] > sqnr["int8 per tensor"] > sqnr["e4m3"] + 7 > sqnr["e5m2"] + 12
        assert 30 < sqnr["e4m3"] < 33 and 24 < sqnr["e5m2"] < 27


def test_fp8_models_stay_within_one_point_of_float(digits, pretrained, calib):
    x_test, y_test = digits[2], digits[3]
    float_accuracy = pretrained.accuracy(x_test, y_test)
    int8 = post_training_quantize(pretrained, calib, weight_bits=8, activation_bits=8).accuracy(x_test, y_test)
    assert int8 == float_accuracy
    for fmt in FP8_FORMATS:
        for activations in (False, True):
            model = fp8_model(pretrained, calib, fmt, activations=activations)
            assert model.accuracy(x_test, y_test) >= float_accuracy - 0.01, (fmt.name, activations)


def test_fp8_activations_are_on_the_scaled_grid(digits, pretrained, calib):
    model = fp8_model(pretrained, calib, nf.FLOAT8_E5M2)
    conv1 = model.activations(digits[2][:20])["conv1"]  # float32, as the model computes
    scale = model.activation_transform.scales["conv1"]
    assert scale == fp8_scale(np.abs(pretrained.activations(calib)["conv1"]).max(), nf.FLOAT8_E5M2)
    on_grid = nf.round_to(conv1.astype(np.float64) / scale, nf.FLOAT8_E5M2) * scale
    np.testing.assert_array_equal(on_grid.astype(np.float32), conv1)
    assert len(np.unique(conv1)) <= 128  # E5M2 has 4 steps per binade: few distinct values


@pytest.mark.parametrize("call, error, message", [
    (lambda m, x: round_to_fp8([1.0], nf.FLOAT16), ValueError, "fmt='float16' is not an FP8 format"),
    (lambda m, x: round_to_fp8([1.0], "e3m4"), ValueError, "e3m4"),
    (lambda m, x: fp8_model("model", x, nf.FLOAT8_E4M3FN), TypeError, "model must be a FloatCNN"),
    (lambda m, x: fp8_model(m, x[:, 0], nf.FLOAT8_E4M3FN), ValueError, "calib_x must have shape"),
])
def test_fp8_rejects_bad_input(pretrained, calib, call, error, message):
    with pytest.raises(error, match=message):
        call(pretrained, calib)
