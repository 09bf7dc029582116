"""Binary floating-point formats: IEEE-754's and the small floats of machine learning.

A binary float format is fixed by three numbers: ``exponent_bits``, ``mantissa_bits`` (the
stored fraction, without the implicit leading 1) and the exponent ``bias``.  A normal number
is ``(-1)^sign × 2^(exponent - bias) × 1.mantissa``; exponent field 0 holds zero and the
subnormals ``(-1)^sign × 2^(1 - bias) × 0.mantissa``; an all-ones exponent holds inf and NaN,
except in the OCP "fn" formats (``finite_only=True``) such as float8 E4M3FN, which have no
infinities and spend only the all-ones pattern on NaN.

Examples
--------
>>> FLOAT32
FloatFormat(exponent_bits=8, mantissa_bits=23, bias=127, name='float32')
>>> FLOAT8_E4M3FN.max, FLOAT8_E5M2.max, FLOAT16.eps
(448.0, 57344.0, 0.0009765625)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import check_int


@dataclasses.dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format: exponent width, mantissa width, bias, special values.

    Parameters
    ----------
    exponent_bits : int
        Width of the biased exponent field, 2 to 10 (or 11 for the float64 layout itself).
    mantissa_bits : int
        Width of the stored fraction field, 1 to 51 (or 52 for float64).  Every value of such a
        format is exactly a float64, which is what lets the codecs work in float64 exactly.
    bias : int, optional
        Exponent bias; defaults to the IEEE ``2**(exponent_bits - 1) - 1``.
    finite_only : bool
        The OCP "fn" flavour: no infinities, one NaN per sign (every exponent and mantissa bit
        set), so the all-ones exponent holds ordinary numbers.
    name : str, optional
        A label such as ``"float8_e4m3fn"``; defaults to ``"e{E}m{M}"``.

    Examples
    --------
    >>> fp8 = FloatFormat(4, 3, finite_only=True)
    >>> fp8.width, fp8.bias, fp8.max, fp8.min_normal, fp8.min_subnormal
    (8, 7, 448.0, 0.015625, 0.001953125)
    >>> FloatFormat(4, 60)
    Traceback (most recent call last):
    ...
    ValueError: mantissa_bits=60 is not supported; use 1 to 51 (or exponent_bits=11, mantissa_bits=52 for float64)
    """

    exponent_bits: int
    mantissa_bits: int
    bias: int = dataclasses.field(default=None, kw_only=True)
    finite_only: bool = dataclasses.field(default=False, kw_only=True)
    name: str = dataclasses.field(default=None, kw_only=True, compare=False)

    def __post_init__(self):
        for field in ("exponent_bits", "mantissa_bits"):
            check_int(getattr(self, field), field)
        float64_layout = (self.exponent_bits, self.mantissa_bits) == (11, 52)
        if not (2 <= self.exponent_bits <= 10 or float64_layout):
            raise ValueError(f"exponent_bits={self.exponent_bits} is not supported; use 2 to 10 "
                             "(or exponent_bits=11, mantissa_bits=52 for float64)")
        if not (1 <= self.mantissa_bits <= 51 or float64_layout):
            raise ValueError(f"mantissa_bits={self.mantissa_bits} is not supported; use 1 to 51 "
                             "(or exponent_bits=11, mantissa_bits=52 for float64)")
        if self.bias is None:
            object.__setattr__(self, "bias", 2 ** (self.exponent_bits - 1) - 1)
        else:
            check_int(self.bias, "bias")
        object.__setattr__(self, "finite_only", bool(self.finite_only))
        if float64_layout and (self.bias != 1023 or self.finite_only):
            raise ValueError("the float64 layout (11, 52) is supported only as IEEE float64 (bias 1023)")
        # The array codecs round by adding 2**52 quanta in float64; keep every quantity finite.
        lowest_bias = self.emax + self.bias + 53 - self.mantissa_bits - 1023
        highest_bias = 1075 - self.mantissa_bits
        if not float64_layout and not lowest_bias <= self.bias <= highest_bias:
            raise ValueError(f"bias={self.bias} puts the format outside float64's exponent range; "
                             f"use a bias from {lowest_bias} to {highest_bias}")
        if self.name is None:
            object.__setattr__(self, "name", f"e{self.exponent_bits}m{self.mantissa_bits}"
                                             + ("fn" if self.finite_only else ""))

    def __repr__(self):
        flags = ", finite_only=True" if self.finite_only else ""
        return (f"FloatFormat(exponent_bits={self.exponent_bits}, mantissa_bits={self.mantissa_bits}, "
                f"bias={self.bias}{flags}, name={self.name!r})")

    def __str__(self):
        return self.name

    @property
    def width(self):
        """Total bits: 1 sign + exponent + mantissa."""
        return 1 + self.exponent_bits + self.mantissa_bits

    @property
    def emin(self):
        """Unbiased exponent of the smallest normal number, ``1 - bias``."""
        return 1 - self.bias

    @property
    def emax(self):
        """Unbiased exponent of the largest finite number."""
        top_field = 2 ** self.exponent_bits - (1 if self.finite_only else 2)
        return top_field - self.bias

    @property
    def max(self):
        """Largest finite value (in fn formats the all-ones mantissa is NaN, so one step less)."""
        missing = 2 if self.finite_only else 1
        return float((2 ** (self.mantissa_bits + 1) - missing) * 2.0 ** (self.emax - self.mantissa_bits))

    @property
    def min_normal(self):
        """Smallest positive normal value, ``2**emin``."""
        return 2.0 ** self.emin

    @property
    def min_subnormal(self):
        """Smallest positive value, ``2**(emin - mantissa_bits)``."""
        return 2.0 ** (self.emin - self.mantissa_bits)

    @property
    def eps(self):
        """Machine epsilon: the gap between 1 and the next larger value, ``2**-mantissa_bits``."""
        return 2.0 ** -self.mantissa_bits

    # Bit-pattern landmarks, without the sign bit.
    @property
    def code_dtype(self):
        """The smallest unsigned numpy dtype that holds a bit pattern."""
        for dtype in (np.uint8, np.uint16, np.uint32, np.uint64):
            if self.width <= 8 * np.dtype(dtype).itemsize:
                return np.dtype(dtype)
        raise AssertionError("width is at most 64")

    @property
    def max_code(self):
        """Bit pattern of :attr:`max`."""
        return (self.nan_code if self.finite_only else self.inf_code) - 1

    @property
    def inf_code(self):
        """Bit pattern of +inf, or None in fn formats."""
        return None if self.finite_only else (2 ** self.exponent_bits - 1) << self.mantissa_bits

    @property
    def nan_code(self):
        """Bit pattern of the canonical (quiet) positive NaN."""
        if self.finite_only:
            return 2 ** (self.width - 1) - 1
        return self.inf_code | 1 << (self.mantissa_bits - 1)


FLOAT64 = FloatFormat(11, 52, name="float64")
FLOAT32 = FloatFormat(8, 23, name="float32")
FLOAT16 = FloatFormat(5, 10, name="float16")
BFLOAT16 = FloatFormat(8, 7, name="bfloat16")
FLOAT8_E4M3FN = FloatFormat(4, 3, finite_only=True, name="float8_e4m3fn")
FLOAT8_E5M2 = FloatFormat(5, 2, name="float8_e5m2")

FORMATS = {fmt.name: fmt for fmt in (FLOAT64, FLOAT32, FLOAT16, BFLOAT16, FLOAT8_E4M3FN, FLOAT8_E5M2)}
_ALIASES = {"e4m3fn": FLOAT8_E4M3FN, "e4m3": FLOAT8_E4M3FN, "e5m2": FLOAT8_E5M2, "fp8": FLOAT8_E4M3FN,
            "half": FLOAT16, "single": FLOAT32, "double": FLOAT64, "fp16": FLOAT16, "fp32": FLOAT32,
            "fp64": FLOAT64, "bf16": BFLOAT16}


def float_format(fmt):
    """Return a :class:`FloatFormat` given one or its name (``"float16"``, ``"e4m3fn"``, ...).

    >>> float_format("bf16") is BFLOAT16
    True
    >>> float_format("float12")
    Traceback (most recent call last):
    ...
    ValueError: fmt='float12' is not a known float format; use a FloatFormat or one of 'float64', 'float32', 'float16', 'bfloat16', 'float8_e4m3fn', 'float8_e5m2', 'e4m3fn', 'e5m2'
    """
    if isinstance(fmt, FloatFormat):
        return fmt
    if isinstance(fmt, str):
        key = fmt.strip().lower()
        if key in FORMATS or key in _ALIASES:
            return FORMATS.get(key) or _ALIASES[key]
        names = ", ".join(repr(name) for name in [*FORMATS, "e4m3fn", "e5m2"])
        raise ValueError(f"fmt={fmt!r} is not a known float format; use a FloatFormat or one of {names}")
    raise TypeError(f"fmt must be a FloatFormat or a format name, got {type(fmt).__name__} {fmt!r}")
