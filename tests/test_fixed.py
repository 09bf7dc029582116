"""numformat.fixed against apytypes and fxpmath, exact rational arithmetic, and hypothesis."""

import decimal
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numformat as nf
from numformat.fixed import Fixed, QFormat
from numformat.fixed.qformat import negated_format, product_format, sum_format

from .conftest import FIXED_FORMATS
from .strategies import finite_floats, int16

apy = pytest.importorskip("apytypes")
fxpmath = pytest.importorskip("fxpmath")

ROUNDINGS = nf.ROUNDING_MODES
# The same six modes under apytypes' names (TRN_ZERO, not TRN_MAG: TRN_MAG adds one LSB to
# every negative value, even exact ones) and fxpmath's.
APYTYPES_ROUNDING = {"floor": "TRN", "ceil": "TRN_INF", "zero": "TRN_ZERO", "nearest_even": "RND_CONV",
                     "nearest_away": "RND_INF", "nearest_up": "RND"}
FXPMATH_ROUNDING = {"floor": "floor", "ceil": "ceil", "zero": "trunc", "nearest_even": "around",
                    "nearest_away": "nearest_away", "nearest_up": "nearest_posinf"}
APYTYPES_OVERFLOW = {"saturate": "SAT", "wrap": "WRAP"}
# fxpmath skips rounding on its object-dtype path for words of 64 bits and more
FXPMATH_FORMATS = [fmt for fmt in FIXED_FORMATS if fmt.word_bits < 64]


def fmt_id(fmt):
    return str(fmt)


def exact_value(fixed):
    return Fraction(fixed.raw, 2 ** fixed.fmt.n)


def reference_raw(value, fmt, rounding, overflow):
    """The definition, on exact rationals: round value * 2**n, then saturate or wrap."""
    scaled = Fraction(value) * 2 ** fmt.n
    raw = nf.rounding.divide_round(scaled.numerator, scaled.denominator, rounding)
    if overflow == "saturate":
        return min(max(raw, fmt.raw_min), fmt.raw_max)
    return (raw - fmt.raw_min) % 2 ** fmt.word_bits + fmt.raw_min


# ---------------------------------------------------------------- test inputs


def oracle_values(fmt, rng, count=100_000):
    """Random values across and beyond the range, tiny and huge ones, exact ties and edges."""
    reach = 2.0 ** fmt.m * (1.5 if fmt.signed else 1.0)
    quarter = count // 4
    parts = [
        rng.uniform(-1.5 * reach, 1.5 * reach, quarter),                       # across the range, overflowing
        rng.uniform(-64, 64, quarter) * fmt.resolution,                         # a few steps around zero
        np.ldexp(rng.uniform(-1, 1, quarter), rng.integers(-70, 70, quarter)),  # every magnitude
    ]
    raw_span = min(fmt.word_bits, 52)  # ties k + 1/2 steps must stay exact in float64
    ties = (rng.integers(-(2 ** raw_span), 2 ** raw_span, count - 3 * quarter) + 0.5) * fmt.resolution
    edges = np.array([fmt.raw_min, fmt.raw_max], dtype=np.float64) * fmt.resolution
    edges = np.concatenate([edges, edges + fmt.resolution / 2, edges - fmt.resolution / 2,
                            np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf), [0.0, -0.0]])
    return np.concatenate(parts + [ties, edges])


def apytypes_wide(x):
    """x in an apytypes format wide enough to hold every value exactly."""
    mantissa, exponent = np.frexp(x)
    nonzero = x != 0
    frac_bits = int(max(0, (53 - exponent[nonzero]).max())) if nonzero.any() else 0
    return apy.APyFixedArray.from_float(x, int_bits=int(exponent.max()) + 2, frac_bits=frac_bits)


def apytypes_raw(wide, fmt, rounding, overflow):
    """What apytypes' cast gives, as our raw integers.  apytypes is two's complement only and
    counts the sign bit in int_bits: Qm.n is int_bits=m+1.  An unsigned word that wraps is the
    signed word of the same width read as unsigned (to_bits gives the pattern); an unsigned word
    that saturates is the signed word one bit wider, clamped at zero below."""
    quantization = getattr(apy.QuantizationMode, APYTYPES_ROUNDING[rounding])
    mode = getattr(apy.OverflowMode, APYTYPES_OVERFLOW[overflow])
    int_bits = fmt.m + 1 if fmt.signed or overflow == "saturate" else fmt.m
    cast = wide.cast(int_bits=int_bits, frac_bits=fmt.n, quantization=quantization, overflow=mode)
    if not (fmt.signed or overflow == "saturate"):
        return cast.to_bits(numpy=True).astype(np.uint64)
    if cast.bits <= 64:  # sign-extend the patterns: shift the sign bit to the top of an int64
        spare = 64 - cast.bits
        raw = (cast.to_bits(numpy=True).astype(np.uint64) << np.uint64(spare)).view(np.int64) >> spare
    else:  # a 65-bit word: Python ints
        patterns = np.array(cast.to_bits(), dtype=object)
        raw = np.where(patterns >> (cast.bits - 1), patterns - (1 << cast.bits), patterns)
    return raw if fmt.signed else np.maximum(raw, 0)


@pytest.fixture(scope="module")
def oracle_inputs():
    """Per format: the values and their exact apytypes form, built once for every mode."""
    rng = np.random.default_rng(20261122)
    cache = {}

    def inputs(fmt):
        if fmt not in cache:
            x = oracle_values(fmt, rng)
            cache[fmt] = (x, apytypes_wide(x))
        return cache[fmt]

    return inputs


# ---------------------------------------------------------------- conversion oracles


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
def test_conversion_matches_apytypes(fmt, rounding, overflow, oracle_inputs):
    x, wide = oracle_inputs(fmt)
    ours = Fixed(x, fmt, rounding=rounding, overflow=overflow)
    theirs = apytypes_raw(wide, fmt, rounding, overflow)
    assert ours.raw.dtype == fmt.raw_dtype
    mismatch = np.flatnonzero(ours.raw != theirs)
    assert mismatch.size == 0, f"{mismatch.size} differ, first x={x[mismatch[0]]!r}"


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
@pytest.mark.parametrize("rounding", ROUNDINGS)
@pytest.mark.parametrize("fmt", FXPMATH_FORMATS, ids=fmt_id)
def test_conversion_matches_fxpmath(fmt, rounding, overflow, oracle_inputs):
    x, _ = oracle_inputs(fmt)
    x = x[np.abs(x) < 2.0 ** 40]  # fxpmath keeps float64 raws only below 2**63
    ours = Fixed(x, fmt, rounding=rounding, overflow=overflow)
    theirs = fxpmath.Fxp(x, signed=fmt.signed, n_word=fmt.word_bits, n_frac=fmt.n,
                         rounding=FXPMATH_ROUNDING[rounding], overflow=overflow).val
    np.testing.assert_array_equal(ours.raw, theirs)


@pytest.mark.parametrize("overflow", ["saturate", "wrap"])
@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
def test_huge_values_match_apytypes(fmt, overflow, rng):
    """Values whose x * 2**n passes int64, or even float64 (inf), still round and wrap exactly."""
    exponents = rng.integers(60, 1023, 300)
    x = np.ldexp(rng.uniform(-1, 1, 300), exponents)
    x = np.concatenate([x, [np.finfo(np.float64).max, -np.finfo(np.float64).max, 2.0 ** 64 + 2 ** 12, -(2.0 ** 63)]])
    wide = apytypes_wide(x)
    for rounding in ROUNDINGS:
        ours = Fixed(x, fmt, rounding=rounding, overflow=overflow).raw
        np.testing.assert_array_equal(ours, apytypes_raw(wide, fmt, rounding, overflow))


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
def test_apytypes_default_conversion_is_nearest_away_and_wrap(fmt, rng):
    """APyFixedArray.from_float itself (RND_INF, WRAP), the call the benchmark times."""
    if not fmt.signed:
        pytest.skip("apytypes has no unsigned type")
    x = rng.uniform(-3, 3, 10_000) * 2.0 ** fmt.m
    theirs = apy.APyFixedArray.from_float(x, int_bits=fmt.m + 1, frac_bits=fmt.n).to_bits(numpy=True)
    ours = Fixed(x, fmt, rounding="nearest_away", overflow="wrap")
    np.testing.assert_array_equal(ours.bits, theirs.astype(np.uint64))


# ---------------------------------------------------------------- casts and arithmetic oracles


def random_raw(fmt, rng, count):
    """Raw integers of every size up to the whole word, both ends of the range included."""
    patterns = rng.integers(0, 2 ** 63, count, dtype=np.uint64) * np.uint64(2) + rng.integers(0, 2, count, dtype=np.uint64)
    raw = Fixed.from_raw(patterns >> np.uint64(64 - fmt.word_bits), fmt, overflow="wrap").raw
    raw = raw >> rng.integers(0, fmt.word_bits, count) if raw.dtype != object else raw // 2 ** rng.integers(0, 64, count)
    raw[:2] = [fmt.raw_min, fmt.raw_max]
    return Fixed.from_raw(raw, fmt)


def apytypes_array(fixed):
    fmt = fixed.fmt
    return apy.APyFixedArray(fixed.bits.astype(object).tolist(), int_bits=fmt.m + 1, frac_bits=fmt.n)


SIGNED_FORMATS = [fmt for fmt in FIXED_FORMATS if fmt.signed]
CAST_PAIRS = [(a, b) for a in SIGNED_FORMATS for b in SIGNED_FORMATS if a != b]


@pytest.mark.parametrize("source, target", CAST_PAIRS, ids=lambda f: str(f))
def test_cast_matches_apytypes(source, target, rng):
    fixed = random_raw(source, rng, 3_000)
    # via an exact wider format: apytypes 0.5.1 wraps instead of saturating when it casts a
    # word of 64 bits or fewer into a 64-bit word with more fraction bits (see the test below)
    theirs = apytypes_array(fixed).cast(int_bits=max(source.m, target.m) + 2, frac_bits=max(source.n, target.n) + 1)
    for rounding in ROUNDINGS:
        for overflow in ("saturate", "wrap"):
            ours = fixed.cast(target, rounding=rounding, overflow=overflow)
            cast = theirs.cast(int_bits=target.m + 1, frac_bits=target.n,
                               quantization=getattr(apy.QuantizationMode, APYTYPES_ROUNDING[rounding]),
                               overflow=getattr(apy.OverflowMode, APYTYPES_OVERFLOW[overflow]))
            np.testing.assert_array_equal(ours.bits, cast.to_bits(numpy=True).astype(np.uint64))


def test_apytypes_saturating_cast_into_64_bit_words_wraps_where_ours_saturates():
    """A known apytypes 0.5.1 defect, pinned so that a fixed release shows up here: -8.0 in
    Q3.12 saturated into Q0.63 is -1, but apytypes returns 0 (the wrapped value)."""
    source = Fixed([-8.0, 7.5], "Q3.12")
    theirs = apytypes_array(source).cast(int_bits=1, frac_bits=63, overflow=apy.OverflowMode.SAT)
    ours = source.cast("Q0.63", overflow="saturate")
    assert ours.raw.tolist() == [-(2 ** 63), 2 ** 63 - 1]
    wrapped = source.cast("Q0.63", overflow="wrap")  # -8 → 0 and 7.5 → -0.5, modulo 2
    assert theirs.to_bits() == wrapped.bits.tolist() == [0, 2 ** 64 - 2 ** 62]


ARITHMETIC_PAIRS = [(QFormat(3, 4), QFormat(2, 6)), (QFormat(3, 4), QFormat(3, 4)), (QFormat(0, 15), QFormat(0, 15)),
                    (QFormat(15, 16), QFormat(15, 16)), (QFormat(7, 0), QFormat(0, 15)), (QFormat(3, 12), QFormat(31, 0)),
                    (QFormat(30, 32), QFormat(0, 0))]


@pytest.mark.parametrize("a_fmt, b_fmt", ARITHMETIC_PAIRS, ids=lambda f: str(f))
def test_growth_rules_and_results_match_apytypes(a_fmt, b_fmt, rng):
    """Q3.4 + Q2.6 → Q4.6 and Q3.4 × Q3.4 → Q7.8 in apytypes' int_bits (sign included),
    and the results bit for bit, on random words including both ends of each range."""
    a, b = random_raw(a_fmt, rng, 5_000), random_raw(b_fmt, rng, 5_000)
    apy_a, apy_b = apytypes_array(a), apytypes_array(b)
    for ours, theirs in [(a + b, apy_a + apy_b), (a - b, apy_a - apy_b), (a * b, apy_a * apy_b), (-a, -apy_a)]:
        assert (ours.fmt.m + 1, ours.fmt.n) == (theirs.int_bits, theirs.frac_bits)
        np.testing.assert_array_equal(ours.bits, theirs.to_bits(numpy=True).astype(np.uint64))


def test_growth_rules_by_name():
    assert str(sum_format(QFormat(3, 4), QFormat(2, 6))) == "Q4.6"
    assert str(product_format(QFormat(3, 4), QFormat(3, 4))) == "Q7.8"
    assert str(product_format(QFormat(15, 16), QFormat(15, 16))) == "Q31.32"  # 32 x 32 bits: a 64-bit word
    assert str(product_format(QFormat(8, 8, False), QFormat(8, 8, False))) == "UQ16.16"
    assert str(sum_format(QFormat(8, 8, False), QFormat(8, 8, False), subtract=True)) == "Q9.8"
    assert str(negated_format(QFormat(0, 15))) == "Q1.15"
    assert str(Fixed(3.0, "Q3.4").sum()) == "3"


def test_products_of_32_bit_words_stay_exact(rng):
    """int32 × int32 raws reach 2**62: exact in int64, and the 64-bit unsigned product in
    Python ints."""
    for fmt in (QFormat(31, 0), QFormat(15, 16), QFormat(32, 0, signed=False)):
        a, b = random_raw(fmt, rng, 2_000), random_raw(fmt, rng, 2_000)
        product = a * b
        assert product.fmt.word_bits == 64
        assert [Fraction(int(r), 2 ** product.fmt.n) for r in product.raw] == \
            [Fraction(int(x), 2 ** fmt.n) * Fraction(int(y), 2 ** fmt.n) for x, y in zip(a.raw, b.raw)]


# ---------------------------------------------------------------- properties


def values_in(fmt):
    return st.fractions(min_value=Fraction(fmt.raw_min, 2 ** fmt.n), max_value=Fraction(fmt.raw_max, 2 ** fmt.n))


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
@given(data=st.data())
@settings(max_examples=60)  # per format: 8 formats × 60 examples
def test_representable_values_round_trip_exactly(fmt, data):
    raw = data.draw(st.integers(fmt.raw_min, fmt.raw_max))
    value = Fraction(raw, 2 ** fmt.n)
    rounding = data.draw(st.sampled_from(ROUNDINGS))
    assert Fixed(value, fmt, rounding=rounding, overflow="error").raw == raw
    assert Fixed(decimal.Decimal(Fixed.from_raw(raw, fmt).exact), fmt, rounding=rounding).raw == raw
    if abs(raw) < 2 ** 53:  # exactly a float64: the array path too
        assert Fixed(np.array([float(value)]), fmt, rounding=rounding).raw[0] == raw


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
@given(data=st.data())
@settings(max_examples=60)  # per format: 8 formats × 60 examples
def test_error_is_within_one_step_or_half_a_step(fmt, data):
    value = data.draw(values_in(fmt))
    rounding = data.draw(st.sampled_from(ROUNDINGS))
    error = abs(exact_value(Fixed(value, fmt, rounding=rounding, overflow="error")) - value)
    step = Fraction(1, 2 ** fmt.n)
    assert error <= (step / 2 if rounding.startswith("nearest") else step)


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
@given(x=st.lists(finite_floats, min_size=1, max_size=10),
       rounding=st.sampled_from(ROUNDINGS), overflow=st.sampled_from(["saturate", "wrap"]))
@settings(max_examples=60)  # per format: 8 formats × 60 examples
def test_array_path_matches_exact_definition(fmt, x, rounding, overflow):
    """Whole-array float64 conversion = the exact definition, and = the scalar Python-int path."""
    expected = [reference_raw(value, fmt, rounding, overflow) for value in x]
    assert Fixed(np.array(x), fmt, rounding=rounding, overflow=overflow).raw.tolist() == expected
    assert [Fixed(value, fmt, rounding=rounding, overflow=overflow).raw for value in x] == expected


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
@given(x=finite_floats, rounding=st.sampled_from(ROUNDINGS))
@settings(max_examples=60)  # per format: 8 formats × 60 examples
def test_saturate_never_leaves_the_range(fmt, x, rounding):
    raw = Fixed(x, fmt, rounding=rounding).raw
    assert fmt.raw_min <= raw <= fmt.raw_max
    if Fraction(x) > Fraction(fmt.raw_max, 2 ** fmt.n):
        assert raw == fmt.raw_max
    if Fraction(x) < Fraction(fmt.raw_min, 2 ** fmt.n):
        assert raw == fmt.raw_min


@given(a=int16, b=int16,
       a_n=st.integers(0, 20), b_n=st.integers(0, 20))
def test_arithmetic_and_comparisons_are_exact(a, b, a_n, b_n):
    x, y = Fixed.from_raw(a, QFormat(15 - min(a_n, 15), a_n)), Fixed.from_raw(b, QFormat(15 - min(b_n, 15), b_n))
    fx, fy = exact_value(x), exact_value(y)
    assert exact_value(x + y) == fx + fy and exact_value(x - y) == fx - fy
    assert exact_value(x * y) == fx * fy and exact_value(-x) == -fx
    assert (x < y, x <= y, x == y, x != y, x > y, x >= y) == (fx < fy, fx <= fy, fx == fy, fx != fy, fx > fy, fx >= fy)


# ---------------------------------------------------------------- behaviour


def test_qformat_attributes_and_spellings():
    q = QFormat.parse("Q4.12")
    assert (q.m, q.n, q.signed, q.word_bits) == (4, 12, True, 17)
    assert (q.resolution, q.min, q.max, q.raw_min, q.raw_max) == (2 ** -12, -16.0, 16 - 2 ** -12, -65536, 65535)
    assert QFormat.parse("Q1.15", convention="arm") == QFormat(0, 15) == QFormat.parse("q15")
    assert QFormat.parse("UQ8.8", convention="arm") == QFormat(8, 8, signed=False)
    assert [str(QFormat.parse(text)) for text in ("Q3.12", "UQ8.8", "Q15", " q0.31 ")] == ["Q3.12", "UQ8.8", "Q0.15", "Q0.31"]
    assert QFormat(31, 32).raw_dtype == np.int64 and QFormat(32, 32, signed=False).raw_dtype == object


def test_fixed_shows_its_bits():
    x = Fixed(3.14159, QFormat(3, 12))
    assert (x.raw, x.hex, x.binary, x.exact, float(x)) == (12868, "0x3244", "0011.001001000100", "3.1416015625", 3.1416015625)
    assert Fixed(-1, "Q3.12").binary == "1111.000000000000" and Fixed(-1, "Q3.12").hex == "0xF000"
    assert Fixed(5, "Q7.0").binary == "00000101" and Fixed(0.75, "UQ0.8").binary == ".11000000"
    assert repr(Fixed([0.5, -1.25], "Q3.4")) == "Fixed([ 0.5 , -1.25], 'Q3.4')"
    assert repr(Fixed(-0.1, "Q0.15")) == "Fixed(-0.100006103515625, 'Q0.15')"
    wide = Fixed.from_raw(2 ** 64 - 1, "UQ32.32")
    assert wide.hex == "0xFFFFFFFFFFFFFFFF" and wide.exact == "4294967295.99999999976716935634613037109375"


def test_fixed_is_numpy_friendly():
    x = Fixed(np.linspace(-1, 1, 5), "Q1.6")
    assert len(x) == 5 and x.shape == (5,) and x.size == 5 and x.ndim == 1
    assert np.asarray(x).tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert x[1].raw == -32 and x[1:3].raw.tolist() == [-32, 0] and [item.raw for item in x][-1] == 64
    assert (x > Fixed(0, "Q0.0")).tolist() == [False, False, False, True, True]
    matrix = Fixed(np.eye(2) / 4, "Q0.7")
    assert matrix.raw.tolist() == [[32, 0], [0, 32]] and matrix[0].raw.tolist() == [32, 0]
    assert matrix.sum(axis=0).raw.tolist() == [32, 32] and str(matrix.sum().fmt) == "Q2.7"
    assert Fixed(np.array([], dtype=float), "Q3.4").raw.tolist() == []
    with pytest.raises(ValueError, match="read-only"):
        x.raw[0] = 1


def test_inputs_of_every_kind_convert_exactly():
    assert Fixed(Fraction(1, 3), "Q0.15").raw == 10923
    assert Fixed(decimal.Decimal("0.1"), "Q0.15").raw == Fixed(0.1, "Q0.15").raw == 3277
    assert Fixed(np.float32(0.1), "Q0.31").raw == round(float(np.float32(0.1)) * 2 ** 31)
    assert Fixed([1, 2 ** 40], "Q63.0").raw.tolist() == [1, 2 ** 40]
    assert Fixed(np.array([2 ** 62, -(2 ** 62)]), "Q3.12").raw.tolist() == [32767, -32768]
    assert Fixed(np.array([3], dtype=np.uint64), "UQ32.32").raw.tolist() == [3 << 32]
    assert Fixed(2 ** 70 + 1, "Q7.0", overflow="wrap").raw == 1
    assert Fixed(Fixed(1.75, "Q3.4"), "Q3.0", rounding="floor").raw == 1


@pytest.mark.parametrize("call, error, message", [
    (lambda: Fixed(math.nan, "Q3.12"), ValueError, "value=nan has no fixed-point representation"),
    (lambda: Fixed(-math.inf, "Q3.12"), ValueError, "value=-inf has no fixed-point representation"),
    (lambda: Fixed([1.0, math.inf], "Q3.12"), ValueError, "value holds inf, which has no fixed-point"),
    (lambda: Fixed([math.nan], "Q3.12", overflow="wrap"), ValueError, "value holds nan"),
    (lambda: Fixed("3.14", "Q3.12"), TypeError, "value must be a real number, got str '3.14'"),
    (lambda: Fixed(["3.14"], "Q3.12"), TypeError, "value must hold real numbers"),
    (lambda: Fixed(1 + 2j, "Q3.12"), TypeError, "value must be a real number, got complex"),
    (lambda: Fixed(True, "Q3.12"), TypeError, "value must be a real number, got bool"),
    (lambda: Fixed(1.0, "Q3,12"), ValueError, "text='Q3,12' is not a Q format"),
    (lambda: Fixed(1.0, 16), TypeError, "fmt must be a QFormat or a string such as 'Q3.12', got int 16"),
    (lambda: Fixed(1.0, "Q3.12", rounding="round"), ValueError, "rounding='round' is not a known mode"),
    (lambda: Fixed(1.0, "Q3.12", overflow="clip"), ValueError, "overflow='clip' is not a known mode"),
    (lambda: Fixed(9.5, "Q3.12", overflow="error"), OverflowError, r"Q3.12 \[-8.0, 7.999755859375\] cannot hold 9.5"),
    (lambda: Fixed([1.0, 9.5, 20.0], "Q3.12", overflow="error"), OverflowError, "cannot hold 9.5: raw 38912"),
    (lambda: Fixed(1.0, "Q3.4").cast("Q0.4", overflow="error"), OverflowError, "cannot hold a value cast from Q3.4"),
    (lambda: QFormat(-1, 4), ValueError, "m=-1 must be at least 0"),
    (lambda: QFormat(3, 1.5), TypeError, "n must be an int, got float 1.5"),
    (lambda: QFormat(40, 40), ValueError, "Q40.40 needs a word of 81 bits; numformat's fixed point holds words of 1 to 64"),
    (lambda: QFormat(0, 0, signed=False), ValueError, "UQ0.0 needs a word of 0 bits"),
    (lambda: QFormat(3, 4, signed="yes"), TypeError, "signed must be True or False"),
    (lambda: QFormat.parse("Q0.15", convention="arm"), ValueError, "m counts the sign bit, so it is at least 1"),
    (lambda: QFormat.parse("Q3.12", convention="intel"), ValueError, "convention='intel' is not known"),
    (lambda: QFormat.parse(3.12), TypeError, "text must be a string"),
    (lambda: Fixed.from_raw(40000, "Q3.12"), OverflowError, "raw for Q3.12 40000 is outside the range"),
    (lambda: Fixed.from_raw(1.5, "Q3.12"), TypeError, "raw must be an int, got float 1.5"),
    (lambda: Fixed.from_raw([1.5], "Q3.12"), TypeError, "got an array of float64"),
    (lambda: Fixed(1, "Q31.32") * Fixed(1, "Q15.16"), ValueError, r"Q31.32 \* Q15.16 needs Q47.48, a 96-bit word"),
    (lambda: Fixed(1, "Q31.32") + Fixed(1, "Q31.32"), ValueError, "needs Q32.32, a 65-bit word, to be exact"),
    (lambda: Fixed(1, "Q3.4") + 1.0, TypeError, "unsupported operand"),
    (lambda: np.float64(1.0) * Fixed(1, "Q3.4"), TypeError, "unsupported operand"),
    (lambda: Fixed(1, "Q3.4") < 2, TypeError, "not supported"),
    (lambda: float(Fixed([1.0], "Q3.4")), TypeError, "only a scalar Fixed converts with float()"),
    (lambda: len(Fixed(1.0, "Q3.4")), TypeError, "a scalar Fixed has no len()"),
    (lambda: Fixed([1.0], "Q3.4").hex, TypeError, ".hex is defined for a scalar Fixed"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()
