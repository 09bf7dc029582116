"""Fixed point Qm.n: :class:`Fixed` numbers, stored as raw integers, bit-exact with apytypes.

A :class:`Fixed` holds one number or a numpy array of numbers in a :class:`QFormat` as the
integers ``raw`` that a DSP or microcontroller would store: the value is ``raw / 2**n``.

* Conversion from a real number rounds once, exactly, with one of the six modes of
  :mod:`numformat.rounding`, then saturates, wraps or raises on overflow.  Python numbers
  (int, float, ``Fraction``, ``Decimal``) are converted with integer arithmetic on their exact
  ratio; float arrays with whole-array float64 steps that are each exact (multiplying by
  ``2**n`` only moves the exponent), tested against the scalar path.
* ``+ - *`` and negation never round or overflow: the result's format grows
  (:func:`~numformat.qformat.sum_format`, :func:`~numformat.qformat.product_format`).  Going
  back to a narrower format is an explicit :meth:`Fixed.cast` with its own rounding and
  overflow, exactly as hardware shifts a product back after a multiply.

Words are 1 to 64 bits.  Raw arrays are int64 (object arrays of Python ints for 64-bit
unsigned words).  Where an intermediate could pass int64 — a cast that shifts a wide word
left, a comparison of widely different formats — the work is done in Python ints, decided
from the formats, never from the values; results wider than 64 bits are refused.

Examples
--------
>>> x = Fixed(3.14159, QFormat(4, 12))
>>> x.raw, x.binary, x.hex, float(x)
(12868, '00011.001001000100', '0x03244', 3.1416015625)
>>> y = Fixed([0.5, -1.25], "Q3.4")
>>> (y * y).fmt, (y * y).to_float().tolist()
(QFormat(m=7, n=8, signed=True), [0.25, 1.5625])
>>> (y * y).cast("Q3.4").raw.tolist(), Fixed(100, "Q3.4").raw, Fixed(100, "Q3.4", overflow="wrap").raw
([4, 25], 127, 64)
"""

from __future__ import annotations

import math
import operator

import numpy as np

from ..checks import as_float64_array, check_int, exact_fraction, shown
from .qformat import QFormat, as_qformat, grown_format, negated_format, product_format, sum_format
from ..rounding import apply_overflow, check_overflow, check_rounding, divide_round, round_half

__all__ = ["Fixed", "QFormat", "negated_format", "product_format", "sum_format"]


def _comparison(compare):
    """A rich comparison of exact values, for :class:`Fixed` (raws aligned to the longer fraction)."""
    def method(self, other):
        return self._compare(other, compare)

    method.__name__ = f"__{compare.__name__}__"
    return method


class Fixed:
    """Numbers in a Qm.n format, stored as raw integers.

    Parameters
    ----------
    value : number, array_like of numbers, or Fixed
        Python or numpy ints and floats, ``Fraction``, ``Decimal``, or arrays of ints and
        floats.  A Fixed is cast from its exact value.  NaN and infinity are refused.
    fmt : QFormat or str
        The target format, e.g. ``QFormat(3, 12)`` or ``"Q3.12"``.
    rounding : str
        ``"floor"``, ``"ceil"``, ``"zero"``, ``"nearest_even"``, ``"nearest_away"`` or
        ``"nearest_up"`` (see :mod:`numformat.rounding`).
    overflow : str
        ``"saturate"`` (clamp to the range), ``"wrap"`` (keep the low word bits, as two's
        complement hardware does) or ``"error"`` (raise ``OverflowError``).

    Arithmetic and comparisons take Fixed operands of any formats and are exact.  With a float
    or an int, arithmetic and ordering raise ``TypeError`` and ``==`` is False: convert it with
    ``Fixed(value, fmt)`` first.

    Examples
    --------
    >>> Fixed(0.1, "Q0.15").raw, Fixed(0.1, "Q0.15", rounding="floor").raw
    (3277, 3276)
    >>> Fixed(-1.5, "Q3.4") < Fixed(0.25, "Q0.15")
    True
    >>> Fixed(9.5, "Q3.12", overflow="error")
    Traceback (most recent call last):
    ...
    OverflowError: Q3.12 [-8.0, 7.999755859375] cannot hold 9.5: raw 38912 is outside the range [-32768, 32767] (overflow='error')
    """

    __slots__ = ("_raw", "_fmt")
    __array_ufunc__ = None  # ndarray + Fixed raises instead of silently computing in float64

    def __init__(self, value, fmt, *, rounding="nearest_even", overflow="saturate"):
        fmt = as_qformat(fmt)
        check_rounding(rounding)
        check_overflow(overflow)
        if isinstance(value, Fixed):
            raw = _cast_raw(value._raw, value._fmt, fmt, rounding, overflow)
        elif np.ndim(value) == 0:
            raw = _raw_from_number(value, fmt, rounding, overflow)
        else:
            raw = _raw_from_array(value, fmt, rounding, overflow)
        self._set(raw, fmt)

    def _set(self, raw, fmt):
        if isinstance(raw, np.ndarray):
            raw = raw.astype(fmt.raw_dtype, copy=False)
            raw.flags.writeable = False
        else:
            raw = int(raw)
        self._raw, self._fmt = raw, fmt
        return self

    @classmethod
    def from_raw(cls, raw, fmt, *, overflow="error"):
        """The Fixed whose stored integers are ``raw``.

        ``overflow="wrap"`` reads bit patterns: ``from_raw(0xFFFF, "Q3.12", overflow="wrap")``
        is ``-2**-12``, and unsigned uint64 patterns of 64-bit words are read modulo 2**64.

        >>> Fixed.from_raw(12868, "Q4.12").to_float(), Fixed.from_raw(0xFFFF, "Q3.12", overflow="wrap").raw
        (3.1416015625, -1)
        """
        fmt = as_qformat(fmt)
        check_overflow(overflow)
        what = f"raw for {fmt}"
        if np.ndim(raw) == 0:
            raw = check_int(raw, "raw")  # one int here; arrays of ints below
            return cls.__new__(cls)._set(apply_overflow(raw, fmt.raw_min, fmt.raw_max, overflow, what=what), fmt)
        array = np.asarray(raw)
        if array.dtype.kind not in "iu":
            raise TypeError(f"raw must be an int or an array of ints, got an array of {array.dtype}")
        if array.dtype == np.uint64 and overflow == "wrap" and fmt.raw_dtype != object:
            array = array.view(np.int64)  # the same bits, equal modulo 2**64
        elif array.dtype == np.uint64 or fmt.raw_dtype == object:
            array = array.astype(object)
        else:
            array = array.astype(np.int64)
        return cls.__new__(cls)._set(apply_overflow(array, fmt.raw_min, fmt.raw_max, overflow, what=what), fmt)

    # --- what it holds --------------------------------------------------------------------
    @property
    def raw(self):
        """The stored integers: an int, or an int64 array (read-only)."""
        return self._raw

    @property
    def fmt(self):
        return self._fmt

    @property
    def shape(self):
        return np.shape(self._raw)

    @property
    def ndim(self):
        return np.ndim(self._raw)

    @property
    def size(self):
        return np.size(self._raw)

    def to_float(self):
        """The values as float64 (rounded to nearest when a word is wider than 53 bits)."""
        if isinstance(self._raw, np.ndarray):
            return self._raw.astype(np.float64) * math.ldexp(1.0, -self._fmt.n)  # a power of two: exact
        return math.ldexp(float(self._raw), -self._fmt.n)

    def __float__(self):
        if isinstance(self._raw, np.ndarray):
            raise TypeError("only a scalar Fixed converts with float(); use .to_float() for arrays")
        return self.to_float()

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.to_float(), dtype=dtype)

    @property
    def exact(self):
        """The scalar's exact value as a decimal string (every Qm.n value is a finite decimal).

        >>> Fixed.from_raw(-12868, "Q4.12").exact
        '-3.1416015625'
        """
        raw = self._scalar_raw("exact")
        whole, rest = divmod(abs(raw), 1 << self._fmt.n)
        digits = f".{rest * 5 ** self._fmt.n:0{self._fmt.n}d}".rstrip("0") if rest else ""
        return f"{'-' if raw < 0 else ''}{whole}{digits}"

    @property
    def bits(self):
        """The two's complement bit patterns as unsigned integers (int, or a uint64 array)."""
        mask = (1 << self._fmt.word_bits) - 1
        if not isinstance(self._raw, np.ndarray):
            return self._raw & mask
        if self._raw.dtype == object:
            return self._raw.astype(np.uint64)
        return self._raw.view(np.uint64) & np.uint64(mask)

    @property
    def hex(self):
        """The scalar's bit pattern in hex, zero-padded to the word: ``'0x3244'``."""
        self._scalar_raw("hex")
        return f"0x{self.bits:0{-(-self._fmt.word_bits // 4)}X}"

    @property
    def binary(self):
        """The bit pattern with the binary point: ``'0011.001001000100'`` for 3.1416 in Q3.12.

        Arrays give an array of strings.

        >>> Fixed([1.5, -0.25], "Q2.2").binary.tolist()
        ['001.10', '111.11']
        """
        word, n = self._fmt.word_bits, self._fmt.n
        shifts = np.arange(word - 1, -1, -1, dtype=np.uint64)
        digits = ((np.asarray(self.bits, dtype=np.uint64)[..., None] >> shifts) & np.uint64(1)).astype(np.uint8)
        text = np.insert(digits + ord("0"), word - n, ord("."), axis=-1) if n else digits + ord("0")
        strings = np.ascontiguousarray(text).view(f"S{text.shape[-1]}")[..., 0].astype(str)
        return str(strings) if strings.ndim == 0 else strings

    # --- numpy-friendly containers ------------------------------------------------------------
    def _scalar_raw(self, what):
        if isinstance(self._raw, np.ndarray):
            raise TypeError(f".{what} is defined for a scalar Fixed; index the array first")
        return self._raw

    def __len__(self):
        if not isinstance(self._raw, np.ndarray):
            raise TypeError("a scalar Fixed has no len()")
        return len(self._raw)

    def __getitem__(self, index):
        if not isinstance(self._raw, np.ndarray):
            raise TypeError("a scalar Fixed cannot be indexed")
        return Fixed.__new__(Fixed)._set(self._raw[index], self._fmt)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        if isinstance(self._raw, np.ndarray):
            values = np.array2string(self.to_float(), separator=", ", threshold=20)
            return f"Fixed({values}, '{self._fmt}')"
        return f"Fixed({self.exact}, '{self._fmt}')"

    def __str__(self):
        return self.exact if not isinstance(self._raw, np.ndarray) else str(self.to_float())

    # --- exact arithmetic with growth ---------------------------------------------------------
    def cast(self, fmt, *, rounding="nearest_even", overflow="saturate"):
        """This value in another format: shift the raw integers, round once, handle overflow.

        >>> p = Fixed(1.3, "Q3.4") * Fixed(-2.6, "Q3.4")
        >>> p.fmt, p.raw, p.cast("Q3.4", rounding="floor").raw, p.cast("Q3.4", rounding="nearest_away").raw
        (QFormat(m=7, n=8, signed=True), -882, -56, -55)
        """
        return Fixed(self, fmt, rounding=rounding, overflow=overflow)

    def _aligned(self, fmt):
        """Raw integers moved to ``fmt.n`` fraction bits, in ``fmt``'s raw dtype."""
        return _widen(self._raw, fmt.raw_dtype == object) << (fmt.n - self._fmt.n)

    def _arithmetic(self, other, result_fmt, combine):
        if not isinstance(other, Fixed):
            return NotImplemented
        fmt = result_fmt(self._fmt, other._fmt)
        return Fixed.__new__(Fixed)._set(combine(self._aligned(fmt), other._aligned(fmt)), fmt)

    def __add__(self, other):
        return self._arithmetic(other, sum_format, operator.add)

    def __sub__(self, other):
        return self._arithmetic(other, lambda a, b: sum_format(a, b, subtract=True), operator.sub)

    def __mul__(self, other):
        if not isinstance(other, Fixed):
            return NotImplemented
        fmt = product_format(self._fmt, other._fmt)
        wide = fmt.raw_dtype == object  # fraction bits add, so the raw product needs no shift
        return Fixed.__new__(Fixed)._set(_widen(self._raw, wide) * _widen(other._raw, wide), fmt)

    def __neg__(self):
        fmt = negated_format(self._fmt)
        return Fixed.__new__(Fixed)._set(-self._aligned(fmt), fmt)

    def __pos__(self):
        return self

    def sum(self, axis=None):
        """Exact sum, growing ``ceil(log2(count))`` integer bits (an accumulator's guard bits).

        >>> Fixed([7.5, 7.5, 7.5], "Q3.1").sum()
        Fixed(22.5, 'Q5.1')
        """
        count = np.size(self._raw) if axis is None else np.shape(self._raw)[axis]
        guard_bits = max(count - 1, 0).bit_length()
        fmt = self._fmt
        total_fmt = grown_format(fmt.m + guard_bits, fmt.n, fmt.signed, f"sum of {count} {fmt} values")
        return Fixed.__new__(Fixed)._set(np.sum(_widen(self._raw, total_fmt.raw_dtype == object), axis=axis), total_fmt)

    def _compare(self, other, compare):
        if not isinstance(other, Fixed):
            return NotImplemented
        n = max(self._fmt.n, other._fmt.n)
        widest = max(x._fmt.word_bits + n - x._fmt.n for x in (self, other))
        a, b = (_widen(x._raw, widest > 63) << (n - x._fmt.n) for x in (self, other))
        return compare(a, b)

    __eq__, __ne__, __lt__ = _comparison(operator.eq), _comparison(operator.ne), _comparison(operator.lt)
    __le__, __gt__, __ge__ = _comparison(operator.le), _comparison(operator.gt), _comparison(operator.ge)
    __hash__ = None  # == gives arrays for arrays


def _widen(raw, wide):
    """Python ints (object dtype) for an int64 array whose next step could pass int64."""
    if wide and isinstance(raw, np.ndarray) and raw.dtype != object:
        return raw.astype(object)
    return raw


# --- conversion -----------------------------------------------------------------------------
def _overflow_what(fmt, value):
    return f"{fmt} [{fmt.min!r}, {fmt.max!r}] cannot hold {shown(value)}: raw"


def _raw_from_number(value, fmt, rounding, overflow):
    """One Python or numpy number, exactly: round num * 2**n / den with integers."""
    exact = exact_fraction(value, "value")
    if isinstance(exact, float):
        raise ValueError(f"value={shown(value)} has no fixed-point representation; Qm.n holds finite numbers only")
    raw = divide_round(exact.numerator << fmt.n, exact.denominator, rounding)
    return apply_overflow(raw, fmt.raw_min, fmt.raw_max, overflow, what=_overflow_what(fmt, value))


def _raw_from_array(value, fmt, rounding, overflow):
    array = np.asarray(value)
    if array.dtype.kind in "iu":
        return _raw_from_integers(array, fmt, overflow)
    return _raw_from_floats(as_float64_array(array, "value"), fmt, rounding, overflow)


def _raw_from_integers(array, fmt, overflow):
    """Integers times 2**n, exactly: in int64 when every product fits, else in Python ints."""
    limit = 1 << max(62 - fmt.n, 0)
    fits = fmt.n <= 62 and (array.size == 0 or (int(array.max()) < limit and int(array.min()) >= -limit))
    scaled = array.astype(np.int64) << fmt.n if fits else array.astype(object) << fmt.n
    return apply_overflow(scaled, fmt.raw_min, fmt.raw_max, overflow, what=f"{fmt} cannot hold an integer: raw")


def _raw_from_floats(x, fmt, rounding, overflow):
    """float64 values to raw integers: x * 2**n is exact, round_half is exact, and the range
    bounds are powers of two (or 0), so comparing with them in float64 is exact too."""
    with np.errstate(over="ignore"):  # beyond 2**1024 / 2**n the product is inf: out of range anyway
        rounded = round_half(x * math.ldexp(1.0, fmt.n), rounding)
    if rounded.size == 0:
        return _floats_to_raw_dtype(rounded, fmt)
    lowest, highest = rounded.min(), rounded.max()  # NaN makes every comparison below fail
    if lowest >= fmt.raw_min and highest < fmt.raw_max + 1:
        return _floats_to_raw_dtype(rounded, fmt)
    if overflow != "error" and fmt.raw_dtype != object and lowest >= -(2.0 ** 62) and highest < 2.0 ** 62:
        # some out of range, but all well inside int64: saturate or wrap the integers
        return apply_overflow(rounded.astype(np.int64), fmt.raw_min, fmt.raw_max, overflow)
    finite = np.isfinite(x)
    if not finite.all():
        bad = x[~finite].flat[0]
        raise ValueError(f"value holds {bad}, which has no fixed-point representation; Qm.n holds finite numbers only")
    inside = (rounded >= fmt.raw_min) & (rounded < fmt.raw_max + 1)
    raw = _floats_to_raw_dtype(np.where(inside, rounded, 0.0), fmt)
    outside = ~inside
    if overflow == "error":  # the exact scalar path names the first offender
        _raw_from_number(float(x[outside].flat[0]), fmt, rounding, "error")
    if overflow == "saturate":
        # by side: an out-of-range float may be far beyond int64, so it never becomes an integer
        raw[outside & (rounded > 0)] = fmt.raw_max
        raw[outside & (rounded < 0)] = fmt.raw_min
    else:
        raw[outside] = _wrapped(x[outside], fmt, rounding)
    return raw


def _floats_to_raw_dtype(rounded, fmt):
    """Integral float64 values inside the format's range, as raw integers (exact)."""
    if fmt.raw_dtype == object:
        return rounded.astype(np.uint64).astype(object)
    return rounded.astype(np.int64)


def _wrapped(x, fmt, rounding):
    """The low word bits of round(x * 2**n), exactly, however large x is.

    ``fmod`` by one word's span in value units is exact and keeps x's sign, so every rounding
    mode rounds the remainder exactly as it rounds x * 2**n, moved by whole words.  The rounded
    remainder lies in [-2**w, 2**w]; one more exact step (Sterbenz: the operands are within a
    factor of two) brings it into [-2**(w-1), 2**(w-1)), which int64 holds for w <= 64.
    """
    word = fmt.word_bits
    remainder = round_half(np.fmod(x, math.ldexp(1.0, word - fmt.n)) * math.ldexp(1.0, fmt.n), rounding)
    span, half = math.ldexp(1.0, word), math.ldexp(1.0, word - 1)
    centred = np.where(remainder >= half, remainder - span, np.where(remainder < -half, remainder + span, remainder))
    raw = _widen(centred.astype(np.int64), fmt.raw_dtype == object)
    return apply_overflow(raw, fmt.raw_min, fmt.raw_max, "wrap")


def _cast_raw(raw, source, target, rounding, overflow):
    """Raw integers of ``source`` rescaled to ``target``: exact shifts, one rounding."""
    shift = target.n - source.n
    if shift >= 0:
        # raw * 2**shift holds source.word_bits + shift bits: past 63, compute in Python ints
        rescaled = _widen(raw, source.word_bits + shift > 63) << shift
    else:
        rescaled = divide_round(raw, 1 << -shift, rounding)
    what = f"{target} [{target.min!r}, {target.max!r}] cannot hold a value cast from {source}: raw"
    return apply_overflow(rescaled, target.raw_min, target.raw_max, overflow, what=what)
