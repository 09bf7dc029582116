"""numformat.integers against numpy's own integer casts, views, clips and binary_repr."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numformat as nf
from .strategies import int_widths

NATIVE = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
ODD_WIDTHS = [1, 3, 4, 7, 12, 24, 33, 48, 62, 63]


def bits_and_signed(dtype):
    info = np.iinfo(dtype)
    return info.bits, info.min < 0


def random_int64(rng, size):
    """Values spread over every magnitude of int64 (uniform draws would all be huge), plus the edges."""
    magnitudes = rng.integers(0, 2 ** 62, size) >> rng.integers(0, 62, size)
    values = np.where(rng.integers(0, 2, size) == 1, -magnitudes, magnitudes)
    edges = [-(2 ** 63), 2 ** 63 - 1, -(2 ** 63) + 1, -1, 0, 1]
    for bits in range(1, 63):
        edges += [2 ** bits - 1, 2 ** bits, -(2 ** bits), -(2 ** bits) - 1]
    return np.concatenate([values, np.array(edges, dtype=np.int64)])


# ---------------------------------------------------------------- ranges and dtypes


@pytest.mark.parametrize("dtype", NATIVE, ids=lambda d: np.dtype(d).name)
def test_int_range_matches_numpy_iinfo(dtype):
    bits, signed = bits_and_signed(dtype)
    info = np.iinfo(dtype)
    assert nf.int_range(bits, signed=signed) == (int(info.min), int(info.max))
    assert nf.int_dtype(bits, signed=signed) == np.dtype(dtype)


def test_odd_widths_live_in_the_next_numpy_dtype():
    assert [nf.int_dtype(bits).name for bits in (1, 9, 17, 33)] == ["int8", "int16", "int32", "int64"]
    assert nf.int_range(12) == (-2048, 2047) and nf.int_range(1) == (-1, 0)
    assert nf.int_range(1, signed=False) == (0, 1)


# ---------------------------------------------------------------- wrap and saturate


EVERY_INT16 = np.arange(-(2 ** 15), 2 ** 15, dtype=np.int16)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8], ids=lambda d: np.dtype(d).name)
def test_every_int16_wraps_like_numpy_astype(dtype):
    bits, signed = bits_and_signed(dtype)
    got = nf.cast_int(EVERY_INT16, bits, signed=signed)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, EVERY_INT16.astype(dtype))


@pytest.mark.parametrize("dtype", [np.int8, np.uint8], ids=lambda d: np.dtype(d).name)
def test_every_int16_saturates_like_numpy_clip(dtype):
    bits, signed = bits_and_signed(dtype)
    info = np.iinfo(dtype)
    got = nf.cast_int(EVERY_INT16, bits, signed=signed, overflow="saturate")
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, np.clip(EVERY_INT16, info.min, info.max).astype(dtype))


@pytest.mark.parametrize("dtype", NATIVE, ids=lambda d: np.dtype(d).name)
def test_random_int64_wraps_like_numpy_astype(dtype, rng):
    values = random_int64(rng, 100_000)
    bits, signed = bits_and_signed(dtype)
    np.testing.assert_array_equal(nf.cast_int(values, bits, signed=signed), values.astype(dtype))
    as_uint64 = values.astype(np.uint64)  # the same bits read unsigned: values up to 2**64 - 1
    np.testing.assert_array_equal(nf.cast_int(as_uint64, bits, signed=signed), as_uint64.astype(dtype))


@pytest.mark.parametrize("bits", ODD_WIDTHS)
def test_odd_widths_wrap_like_sign_extension(bits, rng):
    """Hardware reads an N-bit field by shifting it to the top and back (arithmetic shift)."""
    values = random_int64(rng, 20_000)
    shift = np.int64(64 - bits)
    np.testing.assert_array_equal(nf.cast_int(values, bits), (values << shift) >> shift)
    low_bits = values.astype(np.uint64) & np.uint64(2 ** bits - 1)
    np.testing.assert_array_equal(nf.cast_int(values, bits, signed=False), low_bits)


@pytest.mark.parametrize("bits", ODD_WIDTHS + [8, 16, 32, 64])
@pytest.mark.parametrize("signed", [True, False])
def test_saturate_matches_numpy_clip(bits, signed, rng):
    values = random_int64(rng, 20_000)
    lo, hi = nf.int_range(bits, signed=signed)
    expected = np.clip(values.astype(object), lo, hi).astype(nf.int_dtype(bits, signed=signed))
    np.testing.assert_array_equal(nf.cast_int(values, bits, signed=signed, overflow="saturate"), expected)


@given(st.integers(-(2 ** 80), 2 ** 80), int_widths, st.booleans(),
       st.sampled_from(["wrap", "saturate"]))
def test_scalar_python_ints_agree_with_arrays_and_stay_exact(value, bits, signed, overflow):
    got = nf.cast_int(value, bits, signed=signed, overflow=overflow)
    lo, hi = nf.int_range(bits, signed=signed)
    assert type(got) is int and lo <= got <= hi
    if overflow == "wrap":
        assert (got - value) % 2 ** bits == 0  # same low bits
    else:
        assert got == min(max(value, lo), hi)
    if -(2 ** 63) <= value < 2 ** 63:
        assert nf.cast_int(np.array([value]), bits, signed=signed, overflow=overflow).tolist() == [got]


def test_overflow_error_names_the_format_and_value():
    with pytest.raises(OverflowError, match=r"int8 value 128 is outside the range \[-128, 127\] \(and 1 more\)"):
        nf.cast_int(np.array([5, 128, 300]), 8, overflow="error")
    with pytest.raises(OverflowError, match=r"uint4 value -1 is outside the range \[0, 15\]"):
        nf.cast_int(-1, 4, signed=False, overflow="error")
    assert nf.cast_int(np.array([1, 2], dtype=np.uint8), 4, overflow="error").tolist() == [1, 2]


def test_empty_arrays_and_numpy_scalars():
    assert nf.cast_int(np.array([], dtype=np.int64), 8).dtype == np.int8
    assert nf.cast_int(np.int16(200), 8) == -56 and type(nf.cast_int(np.int16(200), 8)) is int


# ---------------------------------------------------------------- codes (bit patterns)


@pytest.mark.parametrize("dtype", [np.int8, np.int16], ids=lambda d: np.dtype(d).name)
def test_every_code_matches_numpy_view(dtype):
    bits, _ = bits_and_signed(dtype)
    values = np.arange(-(2 ** (bits - 1)), 2 ** (bits - 1), dtype=dtype)
    codes = values.view(f"uint{bits}")
    got_codes = nf.int_to_bits(values, bits)
    assert got_codes.dtype == codes.dtype
    np.testing.assert_array_equal(got_codes, codes)
    got_values = nf.int_from_bits(codes, bits)
    assert got_values.dtype == values.dtype
    np.testing.assert_array_equal(got_values, values)
    np.testing.assert_array_equal(nf.int_from_bits(codes, bits, signed=False), codes)


@pytest.mark.parametrize("dtype", [np.int32, np.int64], ids=lambda d: np.dtype(d).name)
def test_random_codes_match_numpy_view(dtype, rng):
    bits, _ = bits_and_signed(dtype)
    values = nf.cast_int(random_int64(rng, 100_000), bits)
    codes = values.view(f"uint{bits}")
    np.testing.assert_array_equal(nf.int_to_bits(values, bits), codes)
    np.testing.assert_array_equal(nf.int_from_bits(codes, bits), values)


@given(st.data(), int_widths, st.booleans())
def test_codes_round_trip(data, bits, signed):
    lo, hi = nf.int_range(bits, signed=signed)
    value = data.draw(st.integers(lo, hi))
    code = nf.int_to_bits(value, bits, signed=signed)
    assert 0 <= code < 2 ** bits
    assert code == value % 2 ** bits
    assert nf.int_from_bits(code, bits, signed=signed) == value


# ---------------------------------------------------------------- text forms


@given(st.data(), int_widths, st.booleans())
def test_binary_and_hex_match_numpy_binary_repr(data, bits, signed):
    lo, hi = nf.int_range(bits, signed=signed)
    value = data.draw(st.integers(lo, hi))
    expected = np.binary_repr(value, width=bits)  # two's complement for negative values
    assert nf.int_binary(value, bits, signed=signed, group=0) == expected
    assert nf.int_binary(value, bits, signed=signed).replace(" ", "") == expected
    assert all(len(part) == 4 for part in nf.int_binary(value, bits, signed=signed).split()[1:])
    assert int(nf.int_hex(value, bits, signed=signed), 16) == int(expected, 2)
    assert len(nf.int_hex(value, bits, signed=signed)) == 2 + -(-bits // 4)


@given(st.data(), int_widths, st.booleans())
def test_formula_adds_up_to_the_value(data, bits, signed):
    lo, hi = nf.int_range(bits, signed=signed)
    value = data.draw(st.integers(lo, hi))
    pattern, *terms = nf.int_formula(value, bits, signed=signed).split(" = ")
    assert pattern == nf.int_binary(value, bits, signed=signed)
    assert sum(int(term) for term in terms[0].split(" + ")) == value
    assert int(terms[-1]) == value


def test_worked_examples():
    assert nf.int_formula(-3, 8) == "1111 1101 = -128 + 64 + 32 + 16 + 8 + 4 + 1 = -3"
    assert nf.int_hex(-(2 ** 31), 32, group=4) == "0x8000 0000"
    assert nf.int_binary(-1, 6) == "11 1111"


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, message", [
    (lambda: nf.int_range(0), ValueError, "bits=0 is not supported; use 1 to 64"),
    (lambda: nf.int_range(65), ValueError, "bits=65 is not supported"),
    (lambda: nf.int_range(8.0), TypeError, "bits must be an int, got float 8.0"),
    (lambda: nf.int_range(True), TypeError, "bits must be an int, got bool"),
    (lambda: nf.int_range(8, signed="yes"), TypeError, "signed must be True or False, got str 'yes'"),
    (lambda: nf.int_dtype(None), TypeError, "bits must be an int, got NoneType"),
    (lambda: nf.cast_int(1.5, 8), TypeError, r"values must be integers, got float 1.5; round floats first"),
    (lambda: nf.cast_int([1.0, 2.0], 8), TypeError, r"got floats \(float64\); round them first"),
    (lambda: nf.cast_int("3", 8), TypeError, "got str '3'"),
    (lambda: nf.cast_int(None, 8), TypeError, "got NoneType"),
    (lambda: nf.cast_int([True, False], 8), TypeError, "got booleans"),
    (lambda: nf.cast_int(True, 8), TypeError, "got bool"),
    (lambda: nf.cast_int(1 + 2j, 8), TypeError, "got complex"),
    (lambda: nf.cast_int([2 ** 70], 8), TypeError, "integers beyond 64 bits one at a time"),
    (lambda: nf.cast_int([1], 8, overflow="clip"), ValueError, "overflow='clip' is not a known mode"),
    (lambda: nf.int_from_bits([256], 8), ValueError, r"codes must be 8-bit patterns \(0 to 2\*\*8 - 1\), got 256"),
    (lambda: nf.int_from_bits(-1, 4), ValueError, "got -1"),
    (lambda: nf.int_from_bits([0.5], 4), TypeError, "codes must be integers, got floats"),
    (lambda: nf.int_to_bits(128, 8), OverflowError, "int8 value 128 is outside the range"),
    (lambda: nf.int_binary([1, 2], 8), TypeError, "value must be an int, got list"),
    (lambda: nf.int_binary(1, 8, group=-1), ValueError, "group=-1 must be at least 0"),
    (lambda: nf.int_hex(256, 8, signed=False), OverflowError, "uint8 value 256 is outside the range"),
    (lambda: nf.int_formula(2.0, 8), TypeError, "value must be an int, got float"),
])
def test_bad_input_gets_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
