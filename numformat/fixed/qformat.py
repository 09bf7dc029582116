"""Qm.n formats: :class:`QFormat`, its parser, and the formats arithmetic grows into.

A Qm.n number is an integer ``raw`` read as ``raw / 2**n``.  numformat counts ``m`` as TI
does: integer bits **not** counting the sign bit, so a signed Qm.n word is ``m + n + 1``
bits wide (Q15 = Q0.15 is 16 bits, Q3.12 is 16 bits) and an unsigned UQm.n word ``m + n``
bits.  ARM's documentation counts the sign bit in ``m`` (its Q1.15 is TI's Q0.15):
``QFormat.parse("Q1.15", convention="arm")`` reads that spelling.

Full-precision arithmetic grows the format so that no result is ever rounded or overflows,
as MATLAB's ``FullPrecision`` and apytypes do: a sum gets one more integer bit than the wider
operand and the longer fraction (Q3.4 + Q2.6 → Q4.6), a product adds word lengths and
fraction lengths (Q3.4 × Q3.4 → Q7.8).

Examples
--------
>>> q = QFormat.parse("Q3.12")
>>> q.word_bits, q.resolution, q.min, q.max
(16, 0.000244140625, -8.0, 7.999755859375)
>>> q.raw_min, q.raw_max
(-32768, 32767)
>>> str(sum_format(QFormat(3, 4), QFormat(2, 6))), str(product_format(q, q))
('Q4.6', 'Q7.24')
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np

from ..checks import check_bool, check_int, shorten
from ..integers import int_range


MAX_WORD_BITS = 64
CONVENTIONS = ("ti", "arm")
_SPELLING = re.compile(r"(U?)Q([0-9]+)(?:\.([0-9]+))?")   # ASCII digits: int() also takes other scripts'


@dataclasses.dataclass(frozen=True)
class QFormat:
    """A fixed-point format: ``m`` integer bits (without the sign), ``n`` fraction bits.

    Parameters
    ----------
    m : int
        Integer bits, not counting the sign bit (TI convention), 0 or more.
    n : int
        Fraction bits, 0 or more.  The resolution is ``2**-n``.
    signed : bool
        Two's complement with a sign bit (``Qm.n``) or unsigned (``UQm.n``).

    Attributes
    ----------
    word_bits : int
        ``m + n + 1`` signed, ``m + n`` unsigned; 1 to 64.
    resolution : float
        ``2**-n``, the step between neighbouring values.
    raw_min, raw_max : int
        The stored integers' range: ``-2**(word_bits-1) .. 2**(word_bits-1) - 1`` signed,
        ``0 .. 2**word_bits - 1`` unsigned.
    min, max : float
        The values' range, ``raw_min * 2**-n`` and ``raw_max * 2**-n`` (``max`` is rounded to
        the nearest float64 when the word is wider than 53 bits; ``raw_max`` is exact).

    Examples
    --------
    >>> QFormat(0, 15)
    QFormat(m=0, n=15, signed=True)
    >>> fmt = QFormat(8, 8, signed=False)
    >>> str(fmt), fmt.word_bits, fmt.max
    ('UQ8.8', 16, 255.99609375)
    >>> QFormat(40, 40)
    Traceback (most recent call last):
    ...
    ValueError: Q40.40 needs a word of 81 bits; numformat's fixed point holds words of 1 to 64 bits
    """

    m: int
    n: int
    signed: bool = True

    def __post_init__(self):
        for name in ("m", "n"):  # integer bits and fraction bits: 0 or more
            object.__setattr__(self, name, check_int(getattr(self, name), name, low=0))
        object.__setattr__(self, "signed", check_bool(self.signed, "signed"))
        if not 1 <= self.word_bits <= MAX_WORD_BITS:
            raise ValueError(f"{self} needs a word of {self.word_bits} bits; numformat's fixed point "
                             f"holds words of 1 to {MAX_WORD_BITS} bits")

    @classmethod
    def parse(cls, text, convention="ti"):
        """Read ``"Q4.12"``, ``"UQ8.8"`` or ``"Q15"`` (= Q0.15: n fraction bits, no integer bits).

        Parameters
        ----------
        text : str
        convention : {"ti", "arm"}
            ``"arm"`` counts the sign bit in ``m``: ARM's Q1.15 is TI's Q0.15.  Unsigned
            formats and the short ``"Q15"`` mean the same in both.

        Examples
        --------
        >>> QFormat.parse("Q4.12"), QFormat.parse("uq8.8").signed
        (QFormat(m=4, n=12, signed=True), False)
        >>> QFormat.parse("Q1.15", convention="arm") == QFormat.parse("Q15") == QFormat(0, 15)
        True
        >>> QFormat.parse("Q4,12")
        Traceback (most recent call last):
        ...
        ValueError: text='Q4,12' is not a Q format; write it like 'Q3.12', 'UQ8.8' or 'Q15'
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a string such as 'Q3.12', got {type(text).__name__} {text!r}")
        if convention not in CONVENTIONS:
            raise ValueError(f"convention={convention!r} is not known; use 'ti' (m excludes the sign bit) "
                             "or 'arm' (m includes it)")
        shown = repr(shorten(text))
        match = _SPELLING.fullmatch(text.strip().upper())
        if match is None:
            raise ValueError(f"text={shown} is not a Q format; write it like 'Q3.12', 'UQ8.8' or 'Q15'")
        unsigned, first, second = match.groups()
        first, second = (digits and (digits.lstrip("0") or "0") for digits in (first, second))  # int() caps digits
        if max(len(first), len(second or "")) > len(str(MAX_WORD_BITS)):
            raise ValueError(f"text={shown} asks for more than {MAX_WORD_BITS} bits; numformat's fixed point "
                             f"holds words of 1 to {MAX_WORD_BITS} bits")
        if second is None:
            return cls(0, int(first), signed=not unsigned)
        m, n = int(first), int(second)
        if convention == "arm" and not unsigned:
            if m < 1:
                raise ValueError(f"text={shown}: in the ARM convention m counts the sign bit, so it is at least 1")
            m -= 1
        return cls(m, n, signed=not unsigned)

    def __str__(self):
        return f"{'' if self.signed else 'U'}Q{self.m}.{self.n}"

    @property
    def word_bits(self):
        return self.m + self.n + (1 if self.signed else 0)

    @property
    def resolution(self):
        return math.ldexp(1.0, -self.n)

    @property
    def raw_min(self):
        return int_range(self.word_bits, self.signed)[0]

    @property
    def raw_max(self):
        return int_range(self.word_bits, self.signed)[1]

    @property
    def min(self):
        return math.ldexp(float(self.raw_min), -self.n)

    @property
    def max(self):
        return math.ldexp(float(self.raw_max), -self.n)

    @property
    def raw_dtype(self):
        """numpy dtype of raw arrays: int64, or object (Python ints) for 64-bit unsigned words,
        whose raws reach 2**64 - 1."""
        return np.dtype(object) if self.raw_max > np.iinfo(np.int64).max else np.dtype(np.int64)


def grown_format(m, n, signed, operation):
    """The QFormat of a full-precision result, or a clear refusal past 64 bits."""
    word_bits = m + n + (1 if signed else 0)
    if word_bits > MAX_WORD_BITS:
        name = f"{'' if signed else 'U'}Q{m}.{n}"
        raise ValueError(f"{operation} needs {name}, a {word_bits}-bit word, to be exact; Fixed holds at most "
                         f"{MAX_WORD_BITS} bits: cast an operand to a narrower format first")
    return QFormat(m, n, signed)


def sum_format(a, b, *, subtract=False):
    """Format of ``a + b`` (or ``a - b``): one more integer bit than the wider operand, the
    longer fraction; signed if either operand is, and always for a difference.

    >>> str(sum_format(QFormat(3, 4), QFormat(2, 6))), str(sum_format(QFormat(7, 0, False), QFormat(7, 0, False), subtract=True))
    ('Q4.6', 'Q8.0')
    """
    signed = a.signed or b.signed or subtract
    return grown_format(max(a.m, b.m) + 1, max(a.n, b.n), signed, f"{a} {'-' if subtract else '+'} {b}")


def product_format(a, b):
    """Format of ``a * b``: word lengths add, fraction lengths add (Q3.4 × Q3.4 → Q7.8).

    >>> str(product_format(QFormat(3, 4), QFormat(3, 4))), str(product_format(QFormat(8, 8, False), QFormat(0, 15)))
    ('Q7.8', 'Q8.23')
    """
    signed = a.signed or b.signed
    n = a.n + b.n
    return grown_format(a.word_bits + b.word_bits - n - (1 if signed else 0), n, signed, f"{a} * {b}")


def negated_format(a):
    """Format of ``-a``: one more integer bit for a signed format (−(−8) = 8 needs Q4 in Q3),
    and a sign bit for an unsigned one.

    >>> str(negated_format(QFormat(3, 4))), str(negated_format(QFormat(8, 8, signed=False)))
    ('Q4.4', 'Q8.8')
    """
    return grown_format(a.m + 1 if a.signed else a.m, a.n, True, f"-{a}")


def as_qformat(fmt, parameter="fmt"):
    """A QFormat from a QFormat or its spelling (``"Q3.12"``)."""
    if isinstance(fmt, QFormat):
        return fmt
    if isinstance(fmt, str):
        return QFormat.parse(fmt)
    raise TypeError(f"{parameter} must be a QFormat or a string such as 'Q3.12', got {type(fmt).__name__} {fmt!r}")
