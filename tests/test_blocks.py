"""numformat.blocks and sub-byte packing against the OCP MX rule written out, ml_dtypes, ONNX and scipy."""

import math

import numpy as np
import pytest

import numformat as nf
from numformat.blocks import FORMATS, NF4_LEVELS, affine_codes, block_format, e8m0_codes

ml_dtypes = pytest.importorskip("ml_dtypes")

MX_ELEMENTS = {nf.MXFP8_E4M3: ml_dtypes.float8_e4m3fn, nf.MXFP8_E5M2: ml_dtypes.float8_e5m2,
               nf.MXFP6_E2M3: ml_dtypes.float6_e2m3fn, nf.MXFP6_E3M2: ml_dtypes.float6_e3m2fn,
               nf.MXFP4_E2M1: ml_dtypes.float4_e2m1fn}


def mx_blocks(rng, count=400):
    """Blocks of 32 spanning many binades, with an all-zero block, a max-exact block and ties."""
    x = rng.standard_normal((count, 32)) * 2.0 ** rng.integers(-30, 30, (count, 1))
    x[0] = 0.0
    x[1, :] = 6.0 * 2.0 ** rng.integers(-5, 5, 32)
    return x


def spec_mx_reference(x, dtype):
    """OCP MX v1.0 §6.3 written out: exact floor(log2 amax) with math.frexp, per block."""
    info = ml_dtypes.finfo(dtype)
    emax_elem = math.frexp(float(info.max))[1] - 1
    scale_codes, codes = [], []
    for block in x:
        amax = float(np.max(np.abs(block)))
        exponent = (math.frexp(amax)[1] - 1 if amax else -126) - emax_elem
        exponent = max(exponent, -127)
        scaled = np.clip(block / 2.0 ** exponent, -float(info.max), float(info.max))  # saturate normals
        codes.append(scaled.astype(dtype).view(np.uint8))  # ml_dtypes 0.7 rounds float64 once
        scale_codes.append(exponent + 127)
    return np.array(scale_codes), np.array(codes)


@pytest.mark.parametrize("fmt", list(MX_ELEMENTS), ids=lambda fmt: fmt.name)
def test_mx_block_quantize_matches_spec_and_ml_dtypes(fmt, rng):
    x = mx_blocks(rng)
    q = nf.block_quantize(x, fmt)
    scale_codes, codes = spec_mx_reference(x, MX_ELEMENTS[fmt])
    np.testing.assert_array_equal(q.scale_codes.reshape(-1), scale_codes)
    np.testing.assert_array_equal(q.codes, codes)
    scales = ml_dtypes.float8_e8m0fnu(0)  # the E8M0 decode is ml_dtypes' too
    decoded_scales = scale_codes.astype(np.uint8).view(type(scales)).astype(np.float64)
    np.testing.assert_array_equal(q.scales.reshape(-1), decoded_scales)
    expected = codes.view(MX_ELEMENTS[fmt]).astype(np.float64) * decoded_scales[:, None]
    np.testing.assert_array_equal(nf.block_dequantize(q), expected)


def test_mxint8_matches_spec(rng):
    x = mx_blocks(rng)
    q = nf.block_quantize(x, nf.MXINT8)
    amax = np.max(np.abs(x), axis=1)
    exponents = np.array([max((math.frexp(a)[1] - 1 if a else -126), -127) for a in amax])
    expected = np.clip(np.rint(x / 2.0 ** exponents[:, None] * 64), -127, 127)
    np.testing.assert_array_equal(q.codes, expected)
    np.testing.assert_array_equal(nf.block_dequantize(q), expected / 64 * 2.0 ** exponents[:, None])


def test_nan_or_inf_makes_the_whole_block_nan_and_spares_the_others(rng):
    x = rng.standard_normal((3, 32))
    x[0, 5], x[1, 7] = np.nan, -np.inf
    q = nf.block_quantize(x, nf.MXFP4_E2M1)
    assert q.scale_codes.reshape(-1).tolist()[:2] == [255, 255]
    decoded = nf.block_dequantize(q)
    assert np.isnan(decoded[:2]).all() and np.isfinite(decoded[2]).all()


def test_block_axis_and_shapes(rng):
    x = rng.standard_normal((64, 3, 5))
    q = nf.block_quantize(x, nf.MXFP8_E4M3, axis=0)
    assert q.codes.shape == x.shape and q.scales.shape == (2, 3, 5)
    moved = nf.block_quantize(np.moveaxis(x, 0, -1), nf.MXFP8_E4M3)
    np.testing.assert_array_equal(np.moveaxis(nf.block_dequantize(q), 0, -1), nf.block_dequantize(moved))


def test_nvfp4_two_level_scales(rng):
    x = rng.standard_normal((8, 64)) * 3
    q = nf.block_quantize(x, nf.NVFP4)
    tensor_scale = np.float32(np.max(np.abs(x)) / (448 * 6))
    assert q.tensor_scale == float(tensor_scale)
    block_amax = np.max(np.abs(x.reshape(8, 4, 16)), axis=-1)
    e4m3 = (block_amax / 6 / float(tensor_scale)).astype(ml_dtypes.float8_e4m3fn)
    np.testing.assert_array_equal(q.scale_codes, e4m3.view(np.uint8))
    scales = e4m3.astype(np.float64) * float(tensor_scale)
    elements = (x.reshape(8, 4, 16) / scales[..., None]).astype(ml_dtypes.float4_e2m1fn)
    np.testing.assert_array_equal(q.codes, elements.view(np.uint8).reshape(8, 64))


def run_onnx(node, inputs, outputs):
    from onnx import helper
    from onnx.reference import ReferenceEvaluator

    graph = helper.make_graph([node], "g", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    return ReferenceEvaluator(model)


@pytest.mark.parametrize("group", [32, 64, 128])
def test_int4_groups_match_onnx_blocked_quantize_and_dequantize(group, rng):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    x = (rng.standard_normal((4, 256)) + rng.uniform(-1, 1, (4, 1))).astype(np.float32).astype(np.float64)
    q = nf.block_quantize(x, nf.int4_groups(group))
    scales = q.scales.astype(np.float32)
    zero_points = numpy_helper.from_array(q.zero_points.astype(ml_dtypes.uint4), "zp")
    node = helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], axis=1, block_size=group)
    io = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape),
          helper.make_tensor_value_info("s", TensorProto.FLOAT, scales.shape),
          helper.make_tensor_value_info("zp", TensorProto.UINT4, scales.shape)]
    session = run_onnx(node, io, [helper.make_tensor_value_info("y", TensorProto.UINT4, x.shape)])
    (codes,) = session.run(None, {"x": x.astype(np.float32), "s": scales, "zp": numpy_helper.to_array(zero_points)})
    np.testing.assert_array_equal(q.codes, codes.astype(np.uint8))
    node = helper.make_node("DequantizeLinear", ["q", "s", "zp"], ["y"], axis=1, block_size=group)
    io = [helper.make_tensor_value_info("q", TensorProto.UINT4, x.shape), *io[1:]]
    session = run_onnx(node, io, [helper.make_tensor_value_info("y", TensorProto.FLOAT, x.shape)])
    (values,) = session.run(None, {"q": codes, "s": scales, "zp": numpy_helper.to_array(zero_points)})
    np.testing.assert_array_equal(nf.block_dequantize(q), values.astype(np.float64))
    assert onnx.__version__


@pytest.mark.parametrize("bits, onnx_type, dtype", [(4, "INT4", "int4"), (8, "INT8", "int8")])
def test_signed_affine_codes_match_onnx_blocked_quantize(bits, onnx_type, dtype, rng):
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x = rng.standard_normal((3, 64)).astype(np.float32)
    scales = rng.uniform(0.05, 0.5, (3, 2)).astype(np.float32)
    zero = np.zeros((3, 2), getattr(ml_dtypes, dtype) if bits == 4 else np.int8)
    node = helper.make_node("QuantizeLinear", ["x", "s", "zp"], ["y"], axis=1, block_size=32)
    element = getattr(TensorProto, onnx_type)
    io = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x.shape),
          helper.make_tensor_value_info("s", TensorProto.FLOAT, scales.shape),
          helper.make_tensor_value_info("zp", element, scales.shape)]
    session = run_onnx(node, io, [helper.make_tensor_value_info("y", element, x.shape)])
    (codes,) = session.run(None, {"x": x, "s": scales, "zp": zero})
    ours = affine_codes(x.astype(np.float64), np.repeat(scales, 32, axis=1).astype(np.float64), 0, bits, signed=True)
    np.testing.assert_array_equal(ours, codes.astype(np.int64))


def test_nf4_levels_match_qlora_construction():
    norm = pytest.importorskip("scipy.stats").norm
    offset = 0.9677083  # bitsandbytes' create_normal_map: (1 - 1/(2·15) + 1 - 1/(2·16)) / 2
    positive = norm.ppf(np.linspace(offset, 0.5, 9)[:-1])
    negative = -norm.ppf(np.linspace(offset, 0.5, 8)[:-1])
    levels = np.sort(np.concatenate([positive, [0.0], negative]))
    levels /= np.max(levels)
    # bitsandbytes built its float32 table in torch; scipy's float64 quantiles agree within 2**-22
    np.testing.assert_allclose(levels, NF4_LEVELS, rtol=0, atol=2.0 ** -22)
    assert NF4_LEVELS[7] == 0.0 and NF4_LEVELS[0] == -1.0 and NF4_LEVELS[-1] == 1.0


def test_nf4_codes_are_nearest_levels_and_double_quant_is_close(rng):
    x = rng.standard_normal((16, 1024))
    q = nf.block_quantize(x, nf.NF4)
    blocks = x.reshape(16, 16, 64)
    absmax = np.max(np.abs(blocks), axis=-1, keepdims=True)
    distance = np.abs(blocks[..., None] / absmax[..., None] - np.asarray(NF4_LEVELS))
    np.testing.assert_array_equal(q.codes.reshape(16, 16, 64), np.argmin(distance, axis=-1))
    # double quantization: the absmaxes come back within half an int8 step of their second-level scale
    assert np.max(np.abs(q.scales - absmax[..., 0])) <= np.max(np.abs(absmax - absmax.mean())) / 127 / 2 + 1e-12


def test_bits_per_value_counts_scales():
    for fmt in FORMATS.values():
        expected = fmt.element_bits + fmt.scale_bits / fmt.block_size
        expected += 32 / (fmt.block_size * 256) if fmt.double_quant else 0
        assert nf.bits_per_value(fmt) == expected
    assert [nf.bits_per_value(f) for f in (nf.MXFP8_E4M3, nf.MXFP6_E2M3, nf.MXFP4_E2M1, nf.NVFP4)] == [8.25, 6.25, 4.25, 4.5]
    assert round(nf.bits_per_value(nf.NF4), 3) == 4.127  # QLoRA's 4.127 bits (section 3)


def test_e8m0_codes_follow_onnx_rounding_modes():
    x = np.array([1.0, 1.25, 1.5, 1.75, 3.0, 2.0 ** -130, 2.0 ** 130])
    expected_down = np.array([127, 127, 127, 127, 128, 0, 254])
    np.testing.assert_array_equal(e8m0_codes(x, "down"), expected_down)
    np.testing.assert_array_equal(e8m0_codes(x, "up"), [127, 128, 128, 128, 129, 0, 254])
    nearest = e8m0_codes(x[:5], "nearest")
    np.testing.assert_array_equal(nearest, nf.to_bits(x[:5], nf.FLOAT8_E8M0FNU))  # ml_dtypes' nearest
    np.testing.assert_array_equal(e8m0_codes([0.0, 2.0 ** 130, np.inf], "nearest", saturate=False), [255] * 3)


@pytest.mark.parametrize("bits, dtype", [(4, "int4"), (4, "uint4"), (2, "int2"), (2, "uint2")])
def test_packing_matches_onnx(bits, dtype, rng):
    numpy_helper = pytest.importorskip("onnx.numpy_helper")
    signed = not dtype.startswith("u")
    low, high = nf.int_range(bits, signed)
    for count in (1, 7, 64, 1001):
        values = rng.integers(low, high + 1, count)
        packed = nf.pack_ints(values, bits, signed=signed)
        onnx_packed = numpy_helper.from_array(values.astype(getattr(ml_dtypes, dtype))).raw_data
        assert packed.tobytes() == onnx_packed
        np.testing.assert_array_equal(nf.unpack_ints(packed, bits, count, signed=signed), values)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nf.block_quantize(np.ones(48), nf.MXFP4_E2M1), ValueError, "48 values, not a multiple of mxfp4_e2m1's block_size=32"),
    (lambda: nf.block_quantize(1.0, nf.MXFP4_E2M1), ValueError, "x must have at least one axis"),
    (lambda: nf.block_quantize(np.ones(32), "mxfp3"), ValueError, "fmt='mxfp3' is not a known block format"),
    (lambda: nf.block_quantize(np.ones(32), 4), TypeError, "fmt must be a BlockFormat or a format name, got int"),
    (lambda: nf.block_quantize(np.ones((2, 32)), nf.MXFP4_E2M1, axis=2), ValueError, "axis=2 is out of range"),
    (lambda: nf.BlockFormat("x", "gptq", element_bits=4), ValueError, "kind='gptq' is not a block format kind"),
    (lambda: nf.int4_groups(128, bits=1), ValueError, "bits=1 is not supported; use 2 to 8"),
    (lambda: nf.block_dequantize(np.ones(3)), TypeError, "q must be what block_quantize returns"),
    (lambda: e8m0_codes([1.0], "ceil"), ValueError, "rounding='ceil' is not a known mode"),
    (lambda: nf.pack_ints([1, 2], 3), ValueError, "bits=3 does not divide a byte"),
    (lambda: nf.pack_ints([8], 4), OverflowError, "8"),
])
def test_bad_input_gets_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_block_format_names():
    assert block_format("int4-g128").block_size == 128 and block_format("NF4") is nf.NF4


def test_mx_scale_exponent_is_the_exact_floor_of_log2():
    """OCP MX v1.0's floor(log2(amax)), exactly: also a hair below a power of two, where np.log2 rounds up."""
    import math

    from numformat.blocks import mx_scale_exponents

    rng = np.random.default_rng(5)
    powers = 2.0 ** np.arange(-120, 120)
    amax = np.concatenate([np.nextafter(powers, 0), powers, np.nextafter(powers, np.inf),
                           rng.uniform(0, 1, 10_000) * 2.0 ** rng.integers(-100, 100, 10_000)])
    amax = amax[amax > 0]
    expected = np.array([math.frexp(value)[1] - 1 for value in amax], dtype=np.float64) - 2
    np.testing.assert_array_equal(mx_scale_exponents(amax, 2), np.maximum(expected, -127))
    assert np.floor(np.log2(np.nextafter(8.0, 0))) == 3.0, "np.log2 rounds up here, which is why frexp is used"
