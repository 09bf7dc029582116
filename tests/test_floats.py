"""numformat.floats (formats, array codecs, FloatBits) against numpy, ml_dtypes, struct and exact arithmetic."""

import decimal
import math
import struct
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numformat as nf
from numformat.floats.codecs import _round_to_codes

from .conftest import ORACLE_FORMATS, SMALL_ORACLE_FORMATS, format_id
from .strategies import finite_floats

OUR_FORMATS = [nf.FLOAT16, nf.BFLOAT16, nf.FLOAT8_E4M3FN, nf.FLOAT8_E5M2, nf.FLOAT32,
               nf.FloatFormat(3, 2), nf.FloatFormat(6, 9, bias=20), nf.FloatFormat(10, 40),
               nf.FLOAT8_E4M3FNUZ, nf.FLOAT8_E5M2FNUZ, nf.FLOAT8_E8M0FNU, nf.FLOAT6_E2M3FN, nf.FLOAT6_E3M2FN,
               nf.FLOAT4_E2M1FN, nf.FloatFormat(5, 0, finite_only=True, signed=False, bias=3)]


def same_floats(a, b):
    """Equal values, NaN equal to NaN, and the same sign everywhere (so -0.0 != 0.0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


def same_codes(ours, reference, inputs):
    """Bit patterns equal, except NaN payloads, where references disagree: there NaN-ness and sign."""
    nan = np.isnan(inputs)
    np.testing.assert_array_equal(ours[~nan], reference[~nan])
    assert ours.dtype == reference.dtype


# ---------------------------------------------------------------- the format table


@pytest.mark.parametrize("pair", ORACLE_FORMATS, ids=format_id)
def test_format_constants_match_oracle(pair):
    fmt, dtype = pair
    ml_dtypes = pytest.importorskip("ml_dtypes")
    info = ml_dtypes.finfo(dtype)  # np.finfo for numpy's own types
    assert fmt.width == getattr(info, "bits", 8 * dtype.itemsize)  # FP4/FP6 sit one to a byte
    assert fmt.max == float(info.max)
    assert fmt.min_normal == float(info.smallest_normal)
    assert fmt.min_subnormal == float(info.smallest_subnormal)
    assert fmt.eps == float(info.eps)


def test_named_formats():
    assert [nf.FLOAT64.width, nf.FLOAT32.bias, nf.FLOAT64.bias] == [64, 127, 1023]
    assert nf.float_format("e4m3fn") is nf.FLOAT8_E4M3FN and nf.float_format("float16") is nf.FLOAT16
    assert nf.FloatFormat(4, 3, finite_only=True) == nf.FLOAT8_E4M3FN  # names do not matter
    assert str(nf.FLOAT8_E5M2) == "float8_e5m2"


# ---------------------------------------------------------------- decoding every bit pattern


@pytest.mark.parametrize("pair", SMALL_ORACLE_FORMATS, ids=format_id)
def test_every_bit_pattern_decodes_like_oracle(pair):
    fmt, dtype = pair
    codes = np.arange(2 ** fmt.width, dtype=fmt.code_dtype)
    with np.errstate(invalid="ignore"):  # signalling NaN patterns are quieted by the cast
        expected = codes.view(dtype).astype(np.float64)
    same_floats(nf.from_bits(codes, fmt), expected)
    if fmt.width <= 8 or fmt in (nf.FLOAT16, nf.BFLOAT16):
        scalar = [nf.decode(int(code), fmt).value for code in codes]
        same_floats(scalar, expected)


@pytest.mark.parametrize("pair", SMALL_ORACLE_FORMATS, ids=format_id)
def test_every_bit_pattern_has_the_oracle_fields_and_kind(pair):
    fmt, dtype = pair
    codes = np.arange(2 ** fmt.width, dtype=fmt.code_dtype)
    with np.errstate(invalid="ignore"):
        values = codes.view(dtype).astype(np.float64)
    sign, exponent, mantissa = nf.fields(codes, fmt)
    assert np.all((sign.astype(np.uint64) << np.uint64(fmt.width - 1)) | (exponent.astype(np.uint64) << np.uint64(fmt.mantissa_bits)) | mantissa == codes)
    np.testing.assert_array_equal(sign == 1, np.signbit(values) & ~np.isnan(values) | (np.isnan(values) & (sign == 1)))
    kinds = np.array([nf.decode(int(code), fmt).kind for code in codes])
    magnitude = np.abs(values)
    expected = np.select([np.isnan(values), np.isinf(values), magnitude == 0, magnitude < fmt.min_normal],
                         ["nan", "inf", "zero", "subnormal"], "normal")
    np.testing.assert_array_equal(kinds, expected)


def test_float32_wide_decode_matches_numpy(rng):
    codes = rng.integers(0, 2 ** 32, 10 ** 6, dtype=np.uint64).astype(np.uint32)
    with np.errstate(invalid="ignore"):  # signalling NaN patterns are quieted by the cast
        expected = codes.view(np.float32).astype(np.float64)
    same_floats(nf.from_bits(codes, nf.FLOAT32), expected)
    # the arithmetic decoder behind custom wide formats, checked on float32's layout
    from numformat.floats.codecs import _decode
    same_floats(_decode(codes.astype(np.uint64), nf.FloatFormat(8, 23)), expected)


# ---------------------------------------------------------------- encoding against the oracles


def float32_test_inputs(rng, count=10 ** 6):
    """Random float32 bit patterns (every binade, subnormals, NaNs) plus boundary values."""
    random = rng.integers(0, 2 ** 32, count, dtype=np.uint64).astype(np.uint32).view(np.float32)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0 ** -149, 2.0 ** -126,
                        np.finfo(np.float32).max, 65504, 65520, 65519.996, 448, 464, 465, 480, 57344,
                        61440, 61439, 2.0 ** -24, 2.0 ** -25, 2.0 ** -25 * 1.0000001, 2.0 ** -9, 2.0 ** -10],
                       dtype=np.float32)
    return np.concatenate([random, special, -special])


def tie_inputs(fmt, dtype=np.float64):
    """Every midpoint between neighbouring values of a small format (exact in float64, and in
    float32 for 8-bit formats) and its neighbours one ulp of ``dtype`` away."""
    grid = np.unique(nf.from_bits(np.arange(2 ** fmt.width), fmt))
    grid = grid[np.isfinite(grid) & (grid >= 0)]
    mids = ((grid[:-1] + grid[1:]) / 2).astype(dtype)
    return np.concatenate([mids, np.nextafter(mids, dtype(np.inf)), np.nextafter(mids, dtype(-np.inf))])


@pytest.mark.parametrize("pair", ORACLE_FORMATS, ids=format_id)
def test_float32_inputs_encode_like_oracle(pair, rng):
    fmt, dtype = pair
    x = float32_test_inputs(rng)
    with np.errstate(all="ignore"):
        expected = x.astype(dtype).view(fmt.code_dtype)
    ours = nf.to_bits(x, fmt)
    same_codes(ours, expected, x)
    nan = np.isnan(x)
    if fmt.nan in ("ieee", "all_ones") and fmt.signed:  # NaN payloads differ; NaN-ness and sign do not
        assert np.all((ours[nan] & fmt.nan_code) == fmt.nan_code if fmt.finite_only else
                      ((ours[nan] >> fmt.mantissa_bits) & (2 ** fmt.exponent_bits - 1)) == 2 ** fmt.exponent_bits - 1)
        np.testing.assert_array_equal(ours[nan] >> (fmt.width - 1), np.signbit(x[nan]))
    else:  # a single NaN code (FNUZ, E8M0) or none at all (FP4, FP6): every code as ml_dtypes gives it
        np.testing.assert_array_equal(ours[nan], expected[nan])


@pytest.mark.parametrize("pair", [p for p in ORACLE_FORMATS if p[0].width <= 8], ids=format_id)
def test_ties_round_to_even_like_oracle(pair):
    fmt, dtype = pair
    ties = tie_inputs(fmt, np.float32)
    expected = ties.astype(dtype).view(fmt.code_dtype)
    np.testing.assert_array_equal(nf.to_bits(ties, fmt), expected)
    np.testing.assert_array_equal(nf.to_bits(-ties, fmt), (-ties).astype(dtype).view(fmt.code_dtype))


@pytest.mark.parametrize("saturate", [False, True])
@pytest.mark.parametrize("fmt", [f for f in OUR_FORMATS if f.width <= 8] + [nf.FloatFormat(4, 3, bias=140)], ids=str)
def test_float32_lookup_is_the_generic_encoder_for_every_top_half(fmt, saturate, rng):
    """float32 into a format of at most 8 bits goes through a table indexed by the top 16 bits
    and whether the low 16 are zero; every top half with low halves on and around the tie
    (0x8000), at both ends and at random, against the float64 encoder it was built from.  A
    format reaching below float32's subnormals (bias 140) must not take the table."""
    top = np.arange(1 << 16, dtype=np.uint32)[:, None] << np.uint32(16)
    low = np.concatenate([np.uint32([0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF]),
                          rng.integers(2, 0xFFFF, 4, dtype=np.uint32)])
    x = (top | low).reshape(-1).view(np.float32)
    with np.errstate(invalid="ignore"):
        expected = _round_to_codes(x.astype(np.float64), fmt, saturate)
    ours = nf.to_bits(x, fmt, saturate=saturate)
    assert ours.dtype == expected.dtype == np.uint8
    np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(nf.to_bits(x.reshape(-1, 5, 2)[:, :, ::2], fmt, saturate=saturate),
                                  expected.reshape(-1, 5, 2)[:, :, ::2])  # views and shapes too


def test_generic_encoder_matches_numpy_float32_cast(rng):
    """The generic path, on float32's layout, against the hardware float64 -> float32 cast."""
    x = rng.standard_normal(10 ** 6) * 2.0 ** rng.integers(-160, 130, 10 ** 6)
    with np.errstate(over="ignore"):
        x[:1000] = np.float32(x[:1000]).astype(np.float64) * (1 + 2.0 ** -24)  # exact float32 ties
    with np.errstate(over="ignore"):
        expected = x.astype(np.float32).view(np.uint32)
    np.testing.assert_array_equal(_round_to_codes(x, nf.FloatFormat(8, 23)), expected)
    np.testing.assert_array_equal(nf.to_bits(x, nf.FLOAT32), expected)


def exact_grid_reference(x, fmt):
    """Round float64 values to a small format by its definition: the nearest grid value, ties to
    the even code (E8M0, with no mantissa bit to be even, ties upwards as ml_dtypes does); beyond
    max + half a step, overflow.  Midpoints of the grid are exact in float64, so comparing
    against them is exact arithmetic.  Then each family's own rules for signs and zero."""
    codes = np.arange(2 ** fmt.magnitude_bits)
    values = nf.from_bits(codes, fmt)
    finite = np.isfinite(values)
    codes, values = codes[finite], values[finite]
    step_beyond = values[-1] + nf.ulp(values[-1], fmt)  # where the next binade would start
    grid = np.append(values, step_beyond)
    magnitude = np.abs(x)
    upper = np.clip(np.searchsorted(grid, magnitude), 1, len(grid) - 1)
    lower = upper - 1
    midpoint = (grid[lower] + grid[upper]) / 2
    tie_goes_up = (upper % 2 == 0) if fmt.mantissa_bits else True
    choose_upper = (magnitude > midpoint) | ((magnitude == midpoint) & tie_goes_up)
    choose_upper |= magnitude >= grid[-1]
    index = np.where(choose_upper, upper, lower)
    overflow = index == len(grid) - 1
    overflow_code = {"ieee": fmt.inf_code, None: fmt.max_code}.get(fmt.nan, fmt.nan_code)
    result = np.where(overflow, overflow_code, np.append(codes, 0)[index])
    if not fmt.signed:  # E8M0: no zero, no negatives
        return np.where(x > 0, result, fmt.nan_code).astype(fmt.code_dtype)
    negative = np.signbit(x)
    if fmt.nan == "negative_zero":  # FNUZ: the pattern of -0 is NaN, so zero is unsigned
        negative &= result != 0
    return (result | (negative << fmt.magnitude_bits)).astype(fmt.code_dtype)


@pytest.mark.parametrize("fmt", [f for f in OUR_FORMATS if f.width <= 16], ids=str)
def test_float64_inputs_encode_exactly(fmt, rng):
    """float64 inputs with bits below float32's precision, against exact arithmetic."""
    x = rng.uniform(-1, 1, 400_000) * fmt.max * 2.0 ** rng.integers(-fmt.width - 30, 2, 400_000)
    x = np.concatenate([x, tie_inputs(fmt) + tie_inputs(fmt) * 2.0 ** -40, -tie_inputs(fmt)])
    np.testing.assert_array_equal(nf.to_bits(x, fmt), exact_grid_reference(x, fmt))


def ml_dtypes_rounds_float64_once():
    """Whether the installed ml_dtypes converts float64 straight to its formats, with one rounding.

    ml_dtypes 0.5.x and 0.6.x convert float64 through float32 first (two roundings: 0.5.4 and
    0.6.0 give 1.0 for ``1 + 2**-4 + 2**-30`` in E4M3FN); 0.7.0 converts straight from float64
    and gives 1.125, as exact arithmetic does.
    """
    ml_dtypes = pytest.importorskip("ml_dtypes")
    major, minor = (int(part) for part in ml_dtypes.__version__.split(".")[:2])
    return (major, minor) >= (0, 7)


def test_no_double_rounding():
    x = 1 + 2 ** -4 + 2 ** -30          # just above the tie between 1.0 and 1.125 in E4M3FN
    assert nf.encode(x, nf.FLOAT8_E4M3FN).value == 1.125
    assert nf.round_to(x, nf.FLOAT8_E4M3FN) == 1.125
    ml_dtypes = pytest.importorskip("ml_dtypes")
    # Through float32 the 2**-30 is lost, the value lands on the tie and rounds to even: 1.0, on
    # every version of numpy and ml_dtypes.  This is the double rounding lesson 2 teaches.
    assert float(np.float32(x).astype(ml_dtypes.float8_e4m3fn)) == 1.0
    direct = float(np.array(x).astype(ml_dtypes.float8_e4m3fn))
    assert direct == (1.125 if ml_dtypes_rounds_float64_once() else 1.0), (ml_dtypes.__version__, direct)


ML_DTYPES_FORMATS = [pair for pair in ORACLE_FORMATS if pair[0] is not nf.FLOAT32 and pair[0] is not nf.FLOAT16]


@pytest.mark.parametrize("pair", ML_DTYPES_FORMATS, ids=format_id)
def test_ml_dtypes_float64_conversion_by_version(pair):
    """What the installed ml_dtypes does with float64 input: one rounding from 0.7.0, two before.

    The inputs sit just beside the format's ties, where the two paths differ; numformat always
    agrees with exact arithmetic (``test_float64_inputs_encode_exactly``).
    """
    fmt, dtype = pair
    ties = tie_inputs(fmt)
    x = np.concatenate([ties + ties * 2.0 ** -40, ties - ties * 2.0 ** -40, -ties - ties * 2.0 ** -40])
    x = x[np.abs(x) < fmt.max]
    once = exact_grid_reference(x, fmt)
    twice = x.astype(np.float32).astype(dtype).view(fmt.code_dtype)
    assert not np.array_equal(once, twice), "these inputs must tell one rounding from two"
    theirs = x.astype(dtype).view(fmt.code_dtype)
    expected = once if ml_dtypes_rounds_float64_once() else twice
    np.testing.assert_array_equal(theirs, expected)
    np.testing.assert_array_equal(nf.to_bits(x, fmt), once)


def test_numpy_float16_rounds_float64_once():
    """numpy converts float64 straight to float16 (one rounding); only a float32 detour rounds twice."""
    ties = tie_inputs(nf.FLOAT16)
    x = np.concatenate([ties + ties * 2.0 ** -40, -ties + ties * 2.0 ** -40])
    x = x[np.abs(x) < nf.FLOAT16.max]
    once = exact_grid_reference(x, nf.FLOAT16)
    np.testing.assert_array_equal(x.astype(np.float16).view(np.uint16), once)
    assert not np.array_equal(x.astype(np.float32).astype(np.float16).view(np.uint16), once)


@pytest.mark.parametrize("fmt", OUR_FORMATS, ids=str)
def test_scalar_encode_matches_array_encode(fmt, rng):
    x = np.concatenate([rng.standard_normal(3000) * 2.0 ** rng.integers(-140, 140, 3000),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, fmt.max, fmt.min_subnormal / 2]])
    with np.errstate(over="ignore"):
        scalar = [nf.encode(float(v), fmt).bits for v in x]
    np.testing.assert_array_equal(nf.to_bits(x, fmt), np.array(scalar, dtype=fmt.code_dtype))


@pytest.mark.parametrize("fmt", OUR_FORMATS, ids=str)
def test_scalar_encode_of_exact_rationals(fmt, rng):
    """Fractions and Decimals are rounded from their exact value: compare with brute force."""
    for numerator, denominator in rng.integers(1, 10 ** 12, (300, 2)):
        value = Fraction(int(numerator), int(denominator)) * Fraction(2) ** int(rng.integers(-20, 20))
        bits = nf.encode(value, fmt)
        if bits.kind in ("inf", "nan"):
            assert value > fmt.max
            continue
        stored = Fraction(bits.value)
        neighbours = [float(nf.next_down(bits.value, fmt)), float(nf.next_up(bits.value, fmt))]
        for neighbour in filter(math.isfinite, neighbours):
            # no neighbour is closer, and a tie went to the even mantissa
            assert abs(stored - value) <= abs(Fraction(neighbour) - value)
            if abs(stored - value) == abs(Fraction(neighbour) - value):
                assert bits.mantissa % 2 == 0
    assert nf.encode(decimal.Decimal("0.1"), nf.FLOAT32).bits == 0x3DCCCCCD
    assert nf.encode(2 ** 64 + 1, nf.FLOAT32).bits == 0x5F800000


@pytest.mark.parametrize("saturate", [False, True])
@pytest.mark.parametrize("fmt", [nf.FLOAT16, nf.FLOAT8_E4M3FN, nf.FLOAT8_E5M2, nf.FLOAT32], ids=str)
def test_overflow_and_saturation(fmt, saturate):
    huge = np.array([fmt.max * 1.5, np.inf, -np.inf, -fmt.max * 4, np.nan])
    with np.errstate(over="ignore"):
        values = nf.round_to(huge, fmt, saturate=saturate)
    top = fmt.max if saturate else (np.nan if fmt.finite_only else np.inf)
    same_floats(values[:4], [top, top, -top, -top])
    assert np.isnan(values[4])
    assert [nf.encode(v, fmt, saturate=saturate).value for v in huge[:2]] == pytest.approx([top, top], nan_ok=True)


# ---------------------------------------------------------------- struct, properties


@given(st.floats(width=32, allow_nan=False))
def test_float32_matches_struct(x):
    assert nf.encode_float32(x).bits == struct.unpack(">I", struct.pack(">f", x))[0]
    assert nf.to_bits(x, nf.FLOAT32) == struct.unpack(">I", struct.pack(">f", x))[0]


@given(st.floats(allow_nan=False))
def test_float64_matches_struct(x):
    expected = struct.unpack(">Q", struct.pack(">d", x))[0]
    assert nf.encode(x, nf.FLOAT64).bits == expected == nf.to_bits(x, nf.FLOAT64)
    assert nf.decode(expected, nf.FLOAT64).value == x


@given(finite_floats)
def test_struct_rounds_float64_to_float32_like_us(x):
    try:
        expected = struct.unpack(">I", struct.pack(">f", x))[0]
    except OverflowError:  # struct refuses what rounds to inf
        assert nf.encode_float32(x).kind == "inf"
        return
    assert nf.encode_float32(x).bits == expected


@pytest.mark.parametrize("fmt", OUR_FORMATS, ids=str)
@given(data=st.data())
def test_bit_patterns_round_trip(fmt, data):
    code = data.draw(st.integers(0, 2 ** fmt.width - 1))
    bits = nf.decode(code, fmt)
    if bits.kind == "nan":
        return
    assert nf.encode(bits.value, fmt).bits == code
    assert nf.to_bits(bits.value, fmt) == code
    assert nf.decode(bits.hex, fmt) == bits == nf.decode(bits.binary, fmt)


@pytest.mark.parametrize("fmt", OUR_FORMATS, ids=str)
@given(x=finite_floats)
def test_rounded_value_is_nearest(fmt, x):
    value = float(nf.round_to(x, fmt))
    if math.isinf(value) or math.isnan(value):
        assert abs(x) >= fmt.max or (not fmt.signed and x <= 0)  # E8M0 has no zero and no sign
        return
    if abs(x) > fmt.max and fmt.nan is None:  # FP4 and FP6 saturate: nothing lies beyond max
        assert value == math.copysign(fmt.max, x)
        return
    if abs(x) < fmt.min_subnormal and not fmt.mantissa_bits:  # no zero: the smallest value stands in
        assert value == fmt.min_subnormal
        return
    above = nf.next_up(value, fmt)  # NaN past max in formats without inf: nothing lies above
    assert (nf.next_down(value, fmt) <= x and (x <= above or np.isnan(above))) or value == x
    assert abs(Fraction(value) - Fraction(x)) <= Fraction(float(nf.ulp(value, fmt))) / 2 + (
        Fraction(float(nf.ulp(value, fmt))) / 2 if value and abs(value) == 2.0 ** math.floor(math.log2(abs(value))) else 0)


# ---------------------------------------------------------------- ulp, next_up, next_down


@pytest.mark.parametrize("pair", [(nf.FLOAT16, np.float16), (nf.FLOAT32, np.float32)], ids=format_id)
def test_ulp_and_neighbours_match_numpy(pair, rng):
    fmt, dtype = pair
    if fmt.width == 16:
        x = np.arange(2 ** 16, dtype=np.uint16).view(np.float16)
    else:
        x = rng.integers(0, 2 ** 32, 10 ** 5, dtype=np.uint64).astype(np.uint32).view(np.float32)
    x = x[np.isfinite(x)]
    wide = x.astype(np.float64)
    with np.errstate(over="ignore"):
        # numpy.spacing(max) is inf (the next value up is inf); ulp(max) is its binade's spacing
        below_max = np.abs(wide) < fmt.max
        np.testing.assert_array_equal(nf.ulp(wide, fmt)[below_max], np.spacing(np.abs(x)).astype(np.float64)[below_max])
        assert np.all(nf.ulp(wide, fmt)[~below_max] == fmt.max - float(nf.next_down(fmt.max, fmt)))
        same_floats(nf.next_up(wide, fmt), np.nextafter(x, dtype(np.inf)).astype(np.float64))
        same_floats(nf.next_down(wide, fmt), np.nextafter(x, dtype(-np.inf)).astype(np.float64))


def test_next_up_between_grid_points_and_at_the_ends():
    assert nf.next_up(1.0001, nf.FLOAT16) == 1 + 2 ** -10
    assert nf.next_down(1.0001, nf.FLOAT16) == 1.0
    same_floats(nf.next_up([nf.FLOAT16.max, np.inf, -np.inf, np.nan], nf.FLOAT16),
                [np.inf, np.inf, -nf.FLOAT16.max, np.nan])
    same_floats(nf.next_up([448.0, 1e9, -1e9], nf.FLOAT8_E4M3FN), [np.nan, np.nan, -448.0])
    assert nf.ulp(1e300, nf.FLOAT16) == np.inf and np.isnan(nf.ulp(np.nan, nf.FLOAT16))


# ---------------------------------------------------------------- FloatBits


def test_floatbits_of_8_625():
    bits = nf.encode_float32(8.625)
    assert (bits.sign, bits.exponent, bits.mantissa, bits.unbiased_exponent) == (0, 130, 655360, 3)
    assert (bits.kind, bits.bits, bits.hex, bits.value) == ("normal", 0x410A0000, "0x410A0000", 8.625)
    assert bits.binary == "0 10000010 00010100000000000000000"
    assert "(-1)^0 × 2^(130-127) × 1.078125 = 8.625" in str(bits)
    html = bits._repr_html_()
    assert html.count("<span title=\"exponent\"") == 8 and html.count("<span title=\"mantissa\"") == 23


def test_floatbits_of_special_values():
    assert nf.encode_float32(-0.15625).hex == "0xBE200000"
    assert nf.decode_float32(1).kind == "subnormal" and nf.decode_float32(1).value == 2.0 ** -149
    assert nf.decode_float32(0x80000000).kind == "zero" and str(nf.decode_float32(0x80000000).value) == "-0.0"
    assert nf.encode_float32(float("-inf")).hex == "0xFF800000"
    assert nf.encode_float32(float("nan")).kind == "nan"
    assert nf.encode(float("inf"), "e4m3fn").kind == "nan"
    assert nf.decode(0x7E, "e4m3fn").kind == "normal" and nf.decode(0x78, "e4m3fn").value == 256.0
    sub = nf.decode(0x0001, "float16")
    assert "(-1)^0 × 2^(1-15) × 0.0009765625 = 5.960464477539063e-08" in str(sub)
    assert nf.encode(0.1, "float32").error == pytest.approx(1.4901161193847656e-09)
    assert "exact     0.100000001490116119384765625" in str(nf.encode(0.1, "float32"))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("value, error, message", [
    (None, TypeError, "x must be a real number, got NoneType"),
    (1 + 2j, TypeError, "got complex"),
    ([1.0, 2.0], TypeError, "for arrays use numformat.to_bits"),
    ("8.625", TypeError, "got str"),
    (True, TypeError, "got bool"),
])
def test_encode_rejects_non_numbers(value, error, message):
    with pytest.raises(error, match=message):
        nf.encode(value)


@pytest.mark.parametrize("bits, fmt, error, message", [
    ("0x1FF", "e4m3fn", ValueError, "wider than float8_e4m3fn's 8 bits"),
    ("0 1000 00", "e4m3fn", ValueError, "has 7 binary digits; float8_e4m3fn needs exactly 8"),
    ("0xZZ", "float32", ValueError, "is not a bit pattern"),
    ("hello", "float32", ValueError, "is not a bit pattern"),
    (-1, "float32", ValueError, "negative"),
    (2 ** 32, "float32", ValueError, "wider than float32's 32 bits"),
    (1.5, "float32", TypeError, "bits must be an int or a binary/hex string, got float"),
    (None, "float32", TypeError, "got NoneType"),
])
def test_decode_rejects_malformed_patterns(bits, fmt, error, message):
    with pytest.raises(error, match=message):
        nf.decode(bits, fmt)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nf.to_bits(["1.0"], nf.FLOAT16), TypeError, "x must hold real numbers .float or int., got strings"),
    (lambda: nf.to_bits([1 + 1j]), TypeError, "got complex"),
    (lambda: nf.to_bits(None), TypeError, "x must be real numbers"),
    (lambda: nf.to_bits([True]), TypeError, "got booleans"),
    (lambda: nf.to_bits(np.array([2 ** 60 + 1]), nf.FLOAT16), ValueError, "beyond 2\\*\\*53"),
    (lambda: nf.from_bits([256], nf.FLOAT8_E5M2), ValueError, "0 to 2\\*\\*8 - 1\\), got 256"),
    (lambda: nf.from_bits([-1], nf.FLOAT16), ValueError, "got -1"),
    (lambda: nf.from_bits([1.0], nf.FLOAT16), TypeError, "codes must be integer bit patterns"),
    (lambda: nf.to_bits([1.0], "float12"), ValueError, "fmt='float12' is not a known float format"),
    (lambda: nf.to_bits([1.0], 16), TypeError, "fmt must be a FloatFormat or a format name, got int"),
    (lambda: nf.FloatFormat(1, 3), ValueError, "exponent_bits=1 is not supported"),
    (lambda: nf.FloatFormat(4, -1), ValueError, "mantissa_bits=-1 is not supported; use 0 to 51"),
    (lambda: nf.FloatFormat(4, 0), ValueError, "mantissa_bits=0 leaves no mantissa to tell IEEE's NaN from inf"),
    (lambda: nf.FloatFormat(4, 3, nan=None), ValueError, "nan=None is not allowed with finite_only=False"),
    (lambda: nf.FloatFormat(4, 3, finite_only=True, nan="zero"), ValueError, "nan='zero' is not allowed"),
    (lambda: nf.FloatFormat(4, 3, finite_only=True, nan="negative_zero", signed=False), ValueError,
     "nan='negative_zero' needs a sign bit"),
    (lambda: nf.FloatFormat(4, 3, finite_only=True, nan=None, signed=False), ValueError,
     "signed=False needs a NaN code for zero and negative inputs"),
    (lambda: nf.FloatFormat(4, 3, signed=1), TypeError, "signed must be True or False, got int 1"),
    (lambda: nf.FloatFormat(4.0, 3), TypeError, "exponent_bits must be an int, got float"),
    (lambda: nf.FloatFormat(5, 10, bias=2000), ValueError, "bias=2000 puts the format outside"),
    (lambda: nf.FloatBits(2, 0, 0), ValueError, "sign=2 does not fit"),
    (lambda: nf.FloatBits(0, 0, 2 ** 23), ValueError, "mantissa=8388608 does not fit"),
])
def test_bad_arguments_get_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
