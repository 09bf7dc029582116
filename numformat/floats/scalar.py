"""One float, bit by bit: :class:`FloatBits`, :func:`encode` and :func:`decode`.

:func:`encode` rounds any real number (a Python float or int, a ``Fraction``, a ``Decimal``)
to a format exactly, with integer arithmetic on the number's exact ratio: find its binade,
count how many quanta of that binade it holds, round that count to nearest-even once, and
assemble the fields.  This is the textbook algorithm; the whole-array codecs in
:mod:`numformat.floats.codecs` do the same with float64 tricks and are tested against it.
In Jupyter a FloatBits shows coloured bit boxes (:mod:`numformat.html_repr`).

Examples
--------
>>> bits = encode_float32(8.625)
>>> bits.sign, bits.exponent, bits.mantissa, bits.hex
(0, 130, 655360, '0x410A0000')
>>> bits.binary
'0 10000010 00010100000000000000000'
>>> bits.formula
'(-1)^0 × 2^(130-127) × 1.078125 = 8.625'
>>> decode_float32("0x3DCCCCCD").value
0.10000000149011612
"""

from __future__ import annotations

import dataclasses
import decimal
import math
import numbers
import re
from fractions import Fraction


from ..checks import check_int, exact_fraction, is_int, shorten, shown
from ..rounding import divide_round
from .format import FLOAT32, FloatFormat, float_format

# Bit patterns as text, ASCII digits only (Python's int() would also take other scripts' digits and signs)
_PREFIXED_BITS = re.compile(r"0([xXbB])([0-9a-fA-F]+)")
_DIGIT_BITS = {"x": 4, "b": 1}


@dataclasses.dataclass(frozen=True)
class FloatBits:
    """The three fields of one floating-point number in a given format.

    Parameters
    ----------
    sign : int
        0 for positive, 1 for negative.
    exponent : int
        The biased exponent field as stored.
    mantissa : int
        The stored fraction field (without the implicit leading 1).
    fmt : FloatFormat
    source : number, optional
        The value that was encoded, if any; shown with the rounding error.

    Examples
    --------
    >>> FloatBits(1, 124, 2097152, FLOAT32).value
    -0.15625
    >>> FloatBits(0, 300, 0, FLOAT32)
    Traceback (most recent call last):
    ...
    ValueError: exponent=300 does not fit float32's 8-bit exponent field (0 to 255)
    """

    sign: int
    exponent: int
    mantissa: int
    fmt: FloatFormat = FLOAT32
    source: object = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if not isinstance(self.fmt, FloatFormat):
            raise TypeError(f"fmt must be a FloatFormat, got {type(self.fmt).__name__} {self.fmt!r}")
        widths = {"sign": int(self.fmt.signed), "exponent": self.fmt.exponent_bits, "mantissa": self.fmt.mantissa_bits}
        for field, width in widths.items():
            value = check_int(getattr(self, field), field)
            if not 0 <= value < 2 ** width:
                raise ValueError(f"{field}={value} does not fit {self.fmt.name}'s {width}-bit "
                                 f"{field} field (0 to {2 ** width - 1})")
            object.__setattr__(self, field, value)

    @classmethod
    def from_int(cls, bits, fmt=FLOAT32, source=None):
        """Split an integer bit pattern into fields."""
        p, e = fmt.mantissa_bits, fmt.exponent_bits
        return cls(bits >> (p + e), (bits >> p) & (2 ** e - 1), bits & (2 ** p - 1), fmt, source)

    @property
    def field_digits(self):
        """``[(field, binary digits), ...]`` for the fields the format has (E8M0: the exponent alone)."""
        fmt = self.fmt
        widths = (("sign", int(fmt.signed), self.sign), ("exponent", fmt.exponent_bits, self.exponent),
                  ("mantissa", fmt.mantissa_bits, self.mantissa))
        return [(field, f"{value:0{width}b}") for field, width, value in widths if width]

    @property
    def bits(self):
        """The whole bit pattern as an int."""
        fmt = self.fmt
        return self.sign << fmt.magnitude_bits | self.exponent << fmt.mantissa_bits | self.mantissa

    @property
    def kind(self):
        """``"zero"``, ``"subnormal"``, ``"normal"``, ``"inf"`` or ``"nan"``."""
        fmt, bits = self.fmt, self.bits
        magnitude = bits & (2 ** fmt.magnitude_bits - 1)
        if (fmt.nan == "negative_zero" and bits == fmt.nan_code) or (fmt.nan == "all_ones" and magnitude == fmt.nan_code):
            return "nan"
        if fmt.nan == "ieee" and self.exponent == 2 ** fmt.exponent_bits - 1:
            return "inf" if self.mantissa == 0 else "nan"
        if self.exponent == 0 and fmt.mantissa_bits:  # with no mantissa, field 0 is 2**-bias
            return "zero" if self.mantissa == 0 else "subnormal"
        return "normal"

    @property
    def unbiased_exponent(self):
        """The power of two: ``exponent - bias``, or ``1 - bias`` for zero and subnormals."""
        return self.exponent - self.fmt.bias if self.exponent else self.fmt.emin

    @property
    def significand(self):
        """``1 + mantissa/2**p`` for normal numbers, ``mantissa/2**p`` for zero and subnormals."""
        leading = 1 if self.kind == "normal" else 0
        return leading + self.mantissa / 2 ** self.fmt.mantissa_bits

    @property
    def value(self):
        """The exact value, as a Python float (every value of a format is one)."""
        kind = self.kind
        if kind == "nan":
            return -math.nan if self.sign else math.nan
        if kind == "inf":
            return -math.inf if self.sign else math.inf
        leading = 2 ** self.fmt.mantissa_bits if kind == "normal" else 0
        magnitude = math.ldexp(leading + self.mantissa, self.unbiased_exponent - self.fmt.mantissa_bits)
        return -magnitude if self.sign else magnitude

    @property
    def exact(self):
        """The value's complete decimal expansion (finite for every binary float)."""
        return str(decimal.Decimal(self.value)) if self.kind not in ("nan", "inf") else repr(self.value)

    @property
    def error(self):
        """``value - source`` as a float, when a source was encoded (None otherwise)."""
        if self.source is None or self.kind == "nan" or not math.isfinite(self.value):
            return None
        source = exact_fraction(self.source)
        if isinstance(source, float):  # a NaN or inf source stored as a number (FP4 has no NaN)
            return None
        return float(Fraction(self.value) - source)

    @property
    def hex(self):
        """``'0x410A0000'``: the bit pattern in upper-case hex, zero-padded to the width."""
        return f"0x{self.bits:0{-(-self.fmt.width // 4)}X}"

    @property
    def binary(self):
        """``'0 10000010 00010100000000000000000'``: the fields in binary, space-separated."""
        return " ".join(digits for _, digits in self.field_digits)

    @property
    def formula(self):
        """The worked formula, ``(-1)^s × 2^(e-bias) × significand = value``."""
        kind, fmt = self.kind, self.fmt
        if kind == "nan":
            rule = {"all_ones": "every bit set" if fmt.mantissa_bits == 0 or not fmt.signed else
                                "exponent and mantissa all ones",
                    "negative_zero": "the pattern of -0", "ieee": "exponent all ones, mantissa ≠ 0"}[fmt.nan]
            return f"{rule} → NaN"
        if kind == "inf":
            return f"exponent all ones, mantissa 0 → {'-' if self.sign else '+'}inf"
        stored = self.exponent if kind == "normal" else 1
        sign = f"(-1)^{self.sign} × " if fmt.signed else ""
        significand = f" × {self.significand!r}" if fmt.mantissa_bits else ""
        return f"{sign}2^({stored}-{fmt.bias}){significand} = {self.value!r}"

    def __str__(self):
        fmt = self.fmt
        pad = max(fmt.mantissa_bits, fmt.exponent_bits, 8)
        digits = dict(self.field_digits)
        signs = "1 sign" if fmt.signed else "no sign bit"
        lines = [f"{fmt.name}: {signs}, {fmt.exponent_bits} exponent, {fmt.mantissa_bits} mantissa bits, "
                 f"bias {fmt.bias}"]
        if self.source is not None:
            lines.append(f"  input     {shown(self.source)}")
        lines += [f"  bits      {self.binary}",
                  f"  hex       {self.hex}",
                  f"  sign      {digits.get('sign', '(none)'):<{pad}}  {'-' if self.sign else '+'}",
                  f"  exponent  {digits['exponent']:<{pad}}  {self._exponent_note()}",
                  f"  mantissa  {digits.get('mantissa', '(none)'):<{pad}}  {self._mantissa_note()}",
                  f"  value     {self.formula}"]
        if self.kind not in ("nan", "inf") and decimal.Decimal(repr(self.value)) != decimal.Decimal(self.value):
            lines.append(f"  exact     {self.exact}")
        if self.error:
            lines.append(f"  error     {self.error:+.6g} (stored - input)")
        return "\n".join(lines)

    def _exponent_note(self):
        kind = self.kind
        if kind in ("zero", "subnormal"):
            return f"0 → {kind}, exponent fixed at 1 - {self.fmt.bias} = {self.fmt.emin}"
        if kind in ("inf", "nan"):
            return "special value"
        return f"{self.exponent} - {self.fmt.bias} = {self.unbiased_exponent}"

    def _mantissa_note(self):
        if self.kind in ("inf", "nan"):
            return "payload" if self.kind == "nan" else "zero"
        if not self.fmt.mantissa_bits:
            return "no mantissa: a power of two"
        lead = "1" if self.kind == "normal" else "0"
        return f"{lead}.{self.mantissa:0{self.fmt.mantissa_bits}b} = {self.significand!r}"


def _negative_zero(x):
    """True for -0.0 as a float, numpy float or Decimal (a Fraction or int has no signed zero)."""
    if isinstance(x, (numbers.Integral, Fraction)):
        return False
    return math.copysign(1.0, float(x)) < 0


def encode(x, fmt=FLOAT32, *, saturate=False):
    """Round a real number to ``fmt`` (nearest, ties to even) in one exact step.

    Parameters
    ----------
    x : int, float, Fraction or Decimal
        Any real number; rounded from its exact value, never through another float format.
    fmt : FloatFormat or str
    saturate : bool
        Send values beyond the largest finite number, and infinities, to ±max.

    Returns
    -------
    FloatBits

    Examples
    --------
    >>> encode(0.1, "float16").hex, encode(-0.0, "float16").hex
    ('0x2E66', '0x8000')
    >>> encode(1e6, "e4m3fn").kind, encode(1e6, "e4m3fn", saturate=True).value
    ('nan', 448.0)
    >>> encode([1.0])
    Traceback (most recent call last):
    ...
    TypeError: x must be a single real number, got list; for arrays use numformat.to_bits
    """
    fmt = float_format(fmt)
    exact = exact_fraction(x)
    is_nan = isinstance(exact, float) and math.isnan(exact)
    if isinstance(exact, float):  # inf or NaN
        negative = math.copysign(1.0, exact) < 0
        magnitude_code = None if is_nan else _overflow_code(fmt, saturate)
    else:
        negative = exact < 0 or (exact == 0 and _negative_zero(x))
        magnitude_code = _round_magnitude(abs(exact), fmt, saturate)
    if not fmt.signed and (is_nan or negative or exact == 0):
        return FloatBits.from_int(fmt.nan_code, fmt, source=x)  # E8M0 has no zero and no sign
    return FloatBits.from_int(_signed_code(negative, magnitude_code, fmt), fmt, source=x)


def _signed_code(negative, magnitude_code, fmt):
    """The whole pattern from the sign and the magnitude's code (None for NaN), ml_dtypes' way."""
    sign_bit = int(negative) << fmt.magnitude_bits
    if magnitude_code is None:  # NaN
        if fmt.nan is None:  # no NaN code: ml_dtypes (and so ONNX's Cast) gives a zero of the other sign
            return sign_bit ^ 1 << fmt.magnitude_bits
        return fmt.nan_code | (0 if fmt.nan == "negative_zero" else sign_bit)
    if fmt.nan == "negative_zero" and magnitude_code == 0:
        return 0  # FNUZ has no -0: its pattern is NaN
    return sign_bit | magnitude_code


def _round_magnitude(magnitude, fmt, saturate):
    """Bit pattern (without sign) of a non-negative Fraction, rounded to nearest even."""
    if magnitude == 0:
        return 0
    p = fmt.mantissa_bits
    num, den = magnitude.numerator, magnitude.denominator
    binade = num.bit_length() - den.bit_length()  # floor(log2(magnitude)) or one more
    if Fraction(2) ** binade > magnitude:
        binade -= 1
    exponent = max(binade, fmt.emin)  # below emin the quantum stops shrinking: subnormals
    shift = p - exponent  # magnitude / 2**(exponent - p) = number of quanta
    quanta = divide_round(num << max(shift, 0), den << max(-shift, 0), "nearest_even")
    if quanta == 2 ** (p + 1):  # rounding carried into the next binade
        quanta, exponent = quanta // 2, exponent + 1
    if quanta >= 2 ** p:
        code = (exponent + fmt.bias) << p | (quanta - 2 ** p)
    else:
        code = quanta  # subnormal (or zero): exponent field 0
    return code if code <= fmt.max_code else _overflow_code(fmt, saturate)


def _overflow_code(fmt, saturate):
    """What a too-large magnitude becomes: max, NaN (fn formats) or inf."""
    if saturate or fmt.nan is None:  # FP4 and FP6 have nothing beyond max: they always saturate
        return fmt.max_code
    return fmt.nan_code if fmt.finite_only else fmt.inf_code


def decode(bits, fmt=FLOAT32):
    """Read a bit pattern: an int, a string of 0/1 (spaces allowed) or hex such as ``"0x410A0000"``.

    Examples
    --------
    >>> decode("0 10000010 00010100000000000000000").value
    8.625
    >>> decode(0x7C00, "float16").kind
    'inf'
    >>> decode("0x1FF", "e4m3fn")
    Traceback (most recent call last):
    ...
    ValueError: bits=0x1FF is wider than float8_e4m3fn's 8 bits
    """
    fmt = float_format(fmt)
    if isinstance(bits, str):
        value = _parse_bit_string(bits, fmt)
    elif is_int(bits):
        value = int(bits)
        if value < 0:
            raise ValueError(f"bits={value} is negative; a bit pattern is 0 to 2**{fmt.width} - 1")
    else:
        raise TypeError(f"bits must be an int or a binary/hex string, got {type(bits).__name__} {bits!r}")
    if value >= 2 ** fmt.width:
        shown = shorten(bits) if isinstance(bits, str) else hex(value)
        raise ValueError(f"bits={shown} is wider than {fmt.name}'s {fmt.width} bits")
    return FloatBits.from_int(value, fmt)


def _parse_bit_string(text, fmt):
    """A pattern's value from ``0x...``, ``0b...`` or exactly ``fmt.width`` binary digits.

    Spaces and underscores may group the digits.  The digit count is checked before ``int``
    runs, so a long string costs no more than a short one.
    """
    cleaned = text.strip().replace("_", "").replace(" ", "")
    prefixed = _PREFIXED_BITS.fullmatch(cleaned)
    if prefixed and (prefixed[1] in "xX" or set(prefixed[2]) <= {"0", "1"}):
        base_bits = _DIGIT_BITS[prefixed[1].lower()]
        digits = prefixed[2].lstrip("0") or "0"
        if len(digits) * base_bits - base_bits >= fmt.width:   # even the smallest leading digit is too wide
            raise ValueError(f"bits={shorten(text)} is wider than {fmt.name}'s {fmt.width} bits")
        return int(digits, 1 << base_bits)
    if cleaned and set(cleaned) <= {"0", "1"}:
        if len(cleaned) != fmt.width:
            raise ValueError(f"bits={shorten(text)!r} has {len(cleaned)} binary digits; {fmt.name} needs "
                             f"exactly {fmt.width} (or write 0b... / 0x...)")
        return int(cleaned, 2)
    raise ValueError(f"bits={shorten(text)!r} is not a bit pattern; write binary digits (spaces allowed), "
                     "0b... or hex 0x...")


def encode_float32(x):
    """``encode(x, FLOAT32)``: the float32 fields of a number.

    >>> print(encode_float32(8.625))
    float32: 1 sign, 8 exponent, 23 mantissa bits, bias 127
      input     8.625
      bits      0 10000010 00010100000000000000000
      hex       0x410A0000
      sign      0                        +
      exponent  10000010                 130 - 127 = 3
      mantissa  00010100000000000000000  1.00010100000000000000000 = 1.078125
      value     (-1)^0 × 2^(130-127) × 1.078125 = 8.625
    """
    return encode(x, FLOAT32)


def decode_float32(bits):
    """``decode(bits, FLOAT32)``: read a float32 bit pattern.

    >>> decode_float32(0x3DCCCCCD).exact
    '0.100000001490116119384765625'
    """
    return decode(bits, FLOAT32)
