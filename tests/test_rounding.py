"""numformat.rounding: the six modes on floats and on exact integer ratios, and overflow."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from numformat.rounding import ROUNDING_MODES, apply_overflow, divide_round, round_half
from .strategies import finite_floats


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
@given(finite_floats)
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
@pytest.mark.parametrize("mode", ROUNDING_MODES)
@pytest.mark.parametrize("shift", [0, 1, 4, 12, 31, 32, 52, 62, 63])
def test_divide_round_by_powers_of_two_matches_python_ints(mode, shift, rng):
    """int64 arrays divided by 2**shift take the shift-and-mask path; Python ints take ``//``."""
    numerators = rng.integers(-(2 ** 63), 2 ** 63 - 1, 5_000, endpoint=True)
    ties = rng.integers(-(2 ** 20), 2 ** 20, 500) * 2 + 1
    numerators[:500] = ties << (shift - 1) if shift else ties
    numerators[500:504] = [-(2 ** 63), 2 ** 63 - 1, 0, -1]
    got = divide_round(numerators, 2 ** shift, mode)
    assert got.dtype == np.int64
    assert got.tolist() == [divide_round(int(n), 2 ** shift, mode) for n in numerators]


@pytest.mark.parametrize("lo, hi", [(-128, 127), (0, 255), (-(2 ** 62), 2 ** 62 - 1), (0, 2 ** 63 - 1),
                                    (-(2 ** 63), 2 ** 63 - 1)])
def test_wrap_of_int64_arrays_matches_python_ints(lo, hi, rng):
    """int64 arrays wrap with masks, exactly, up to a 64-bit word; each int64 stands for
    itself modulo 2**64."""
    raw = rng.integers(-(2 ** 63), 2 ** 63 - 1, 5_000, endpoint=True)
    raw[:4] = [-(2 ** 63), 2 ** 63 - 1, lo, hi]
    expected = [(int(value) - lo) % (hi - lo + 1) + lo for value in raw]
    assert apply_overflow(raw, lo, hi, "wrap").tolist() == expected


def test_round_half_away_on_arrays_keeps_infinities_and_ties():
    x = np.array([np.inf, -np.inf, 0.5, -0.5, 2.5, -2.5, 0.49999999999999994, 2.0 ** 52 + 1, -(2.0 ** 53)])
    assert round_half(x, "nearest_away").tolist() == [np.inf, -np.inf, 1, -1, 3, -3, 0, 2.0 ** 52 + 1, -(2.0 ** 53)]
    assert np.isnan(round_half(np.array([np.nan, 1.5]), "nearest_away")[0])


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@given(st.lists(finite_floats, min_size=1, max_size=20))
def test_round_half_arrays_match_exact_definition(mode, values):
    assert round_half(np.array(values), mode).tolist() == [reference_round(Fraction(x), mode) for x in values]


def test_divide_round_takes_numpy_integer_denominators():
    numerators = np.array([5, -5, 6, 7], dtype=np.int64)
    for denominator in (np.int64(2), np.int32(2), np.left_shift(1, 1), 2):
        assert divide_round(numerators, denominator, "nearest_away").tolist() == [3, -3, 3, 4]
