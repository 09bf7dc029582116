"""numformat.rounding: the six modes on floats and on exact integer ratios, and overflow."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numformat.rounding import ROUNDING_MODES, apply_overflow, divide_round, round_half


def reference_round(value: Fraction, mode: str) -> int:
    """Rounding an exact rational by its definition."""
    below = value.numerator // value.denominator
    rest = value - below
    if mode == "floor":
        return below
    if mode == "ceil":
        return below + (rest > 0)
    if mode == "zero":
        return below if value >= 0 else below + (rest > 0)
    if rest != Fraction(1, 2):
        return below + (rest > Fraction(1, 2))
    return {"nearest_even": below + below % 2, "nearest_away": below + (value > 0),
            "nearest_up": below + 1}[mode]


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@given(numerator=st.integers(-(2 ** 70), 2 ** 70), denominator=st.integers(1, 2 ** 40))
def test_divide_round_matches_exact_definition(mode, numerator, denominator):
    assert divide_round(numerator, denominator, mode) == reference_round(Fraction(numerator, denominator), mode)


@pytest.mark.parametrize("mode", ROUNDING_MODES)
def test_divide_round_int64_arrays_match_python_ints(mode, rng):
    numerators = rng.integers(-(2 ** 62), 2 ** 62, 20_000)
    numerators[:1000] = rng.integers(-50, 50, 1000) * 8 + 4  # exact ties for denominator 8
    denominators = np.where(np.arange(20_000) < 1000, 8, rng.integers(1, 2 ** 62, 20_000))
    got = divide_round(numerators, denominators, mode)
    expected = [reference_round(Fraction(int(n), int(d)), mode) for n, d in zip(numerators, denominators)]
    assert got.dtype == np.int64
    assert got.tolist() == expected


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_round_half_matches_exact_definition(mode, x):
    assert round_half(x, mode) == reference_round(Fraction(x), mode)


def test_round_half_is_exact_where_adding_half_is_not():
    odd = 2.0 ** 52 + 1  # floor(odd + 0.5) would give 2**52 + 2
    assert round_half(odd, "nearest_up") == odd
    assert round_half(0.49999999999999994, "nearest_away") == 0.0


def test_overflow_modes():
    raw = np.array([-129, -128, 127, 128, 1000])
    assert apply_overflow(raw, -128, 127, "saturate").tolist() == [-128, -128, 127, 127, 127]
    assert apply_overflow(raw, -128, 127, "wrap").tolist() == [127, -128, 127, -128, -24]
    assert apply_overflow(raw, 0, 255, "wrap").tolist() == [127, 128, 127, 128, 232]
    with pytest.raises(OverflowError, match=r"-129 is outside the range \[-128, 127\] \(and 2 more\)"):
        apply_overflow(raw, -128, 127, "error")
    assert apply_overflow(5, 0, 7, "error") == 5


def test_wrap_needs_a_power_of_two_range():
    with pytest.raises(ValueError, match=r"\[-127, 127\] is 255 wide"):
        apply_overflow(np.array([200]), -127, 127, "wrap")


@pytest.mark.parametrize("call", [
    lambda: round_half(1.0, "round"),
    lambda: divide_round(1, 2, "banker"),
    lambda: apply_overflow(1, 0, 3, "clip"),
])
def test_unknown_modes_are_named_in_the_error(call):
    with pytest.raises(ValueError, match="is not a known mode; use one of"):
        call()


def test_mode_must_be_a_string():
    with pytest.raises(TypeError, match="rounding must be a string"):
        round_half(1.0, 3)


@pytest.mark.parametrize("lo, hi", [(-128, 127), (0, 255), (-(2 ** 61), 2 ** 61 - 1), (-8, 7)])
def test_wrap_of_int64_arrays_matches_python_modulo(lo, hi, rng):
    """Power-of-two spans take the bit-mask path: it must equal exact modulo, also where
    raw - lo overflows int64."""
    raw = rng.integers(-(2 ** 63), 2 ** 63 - 1, 5_000, endpoint=True)
    raw[:4] = [-(2 ** 63), 2 ** 63 - 1, lo - 1, hi + 1]
    expected = [(int(value) - lo) % (hi - lo + 1) + lo for value in raw]
    assert apply_overflow(raw, lo, hi, "wrap").tolist() == expected
