"""Binary floating-point formats: IEEE-754's and the small floats of machine learning.

A binary float format is fixed by three numbers: ``exponent_bits``, ``mantissa_bits`` (the
stored fraction, without the implicit leading 1) and the exponent ``bias``.  A normal number
is ``(-1)^sign × 2^(exponent - bias) × 1.mantissa``; exponent field 0 holds zero and the
subnormals ``(-1)^sign × 2^(1 - bias) × 0.mantissa``; an all-ones exponent holds inf and NaN,
except in the "fn" formats (``finite_only=True``), which have no infinities.  What they do
with the codes IEEE spends on inf and NaN is the ``nan`` flag, named as ml_dtypes names them:

==================  ===============  ==========================================  =============
``nan=``            example          NaN codes                                   max
==================  ===============  ==========================================  =============
``"ieee"``          float8_e5m2      exponent all ones, mantissa ≠ 0             57344
``"all_ones"``      float8_e4m3fn    every exponent and mantissa bit set (±)     448
``"negative_zero"`` float8_e4m3fnuz  the single code 0x80 ("-0"); no -0 at all   240
``None``            float4_e2m1fn    none: every code is a number                6
==================  ===============  ==========================================  =============

``signed=False`` drops the sign bit (OCP's E8M0 scale, ``float8_e8m0fnu``), and a format with
``mantissa_bits=0`` is a pure power of two: there is no room for zero or subnormals, so
exponent field 0 is the normal number ``2**-bias``.

Examples
--------
>>> FLOAT32
FloatFormat(exponent_bits=8, mantissa_bits=23, bias=127, name='float32')
>>> FLOAT8_E4M3FN.max, FLOAT8_E5M2.max, FLOAT16.eps
(448.0, 57344.0, 0.0009765625)
>>> FLOAT4_E2M1FN.max, FLOAT8_E4M3FNUZ.max, FLOAT8_E8M0FNU.max == 2.0 ** 127, FLOAT8_E8M0FNU.width
(6.0, 240.0, True, 8)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import check_bool, check_int

NAN_KINDS = ("all_ones", "negative_zero", None, "ieee")


@dataclasses.dataclass(frozen=True)
class FloatFormat:
    """A binary floating-point format: exponent width, mantissa width, bias, special values.

    Parameters
    ----------
    exponent_bits : int
        Width of the biased exponent field, 2 to 10 (or 11 for the float64 layout itself).
    mantissa_bits : int
        Width of the stored fraction field, 0 to 51 (or 52 for float64).  Every value of such a
        format is exactly a float64, which is what lets the codecs work in float64 exactly.
    bias : int, optional
        Exponent bias; defaults to the IEEE ``2**(exponent_bits - 1) - 1``.
    finite_only : bool
        The "fn" flavour: no infinities, so the all-ones exponent holds ordinary numbers.
    nan : {"ieee", "all_ones", "negative_zero", None}, optional
        Which codes are NaN (see the module's table).  Defaults to ``"ieee"``, or to
        ``"all_ones"`` (OCP E4M3FN) when ``finite_only``; the other choices need ``finite_only``.
    signed : bool
        False for a format without a sign bit (E8M0: every code is positive or NaN).
    name : str, optional
        A label such as ``"float8_e4m3fn"``; defaults to ``"e{E}m{M}"``.

    Examples
    --------
    >>> fp8 = FloatFormat(4, 3, finite_only=True)
    >>> fp8.width, fp8.bias, fp8.max, fp8.min_normal, fp8.min_subnormal
    (8, 7, 448.0, 0.015625, 0.001953125)
    >>> FloatFormat(4, 3, bias=8, finite_only=True, nan="negative_zero").max
    240.0
    >>> FloatFormat(4, 60)
    Traceback (most recent call last):
    ...
    ValueError: mantissa_bits=60 is not supported; use 0 to 51 (or exponent_bits=11, mantissa_bits=52 for float64)
    """

    exponent_bits: int
    mantissa_bits: int
    bias: int = dataclasses.field(default=None, kw_only=True)
    finite_only: bool = dataclasses.field(default=False, kw_only=True)
    nan: str = dataclasses.field(default="", kw_only=True)
    signed: bool = dataclasses.field(default=True, kw_only=True)
    name: str = dataclasses.field(default=None, kw_only=True, compare=False)

    def __post_init__(self):
        for field in ("exponent_bits", "mantissa_bits"):
            check_int(getattr(self, field), field)
        float64_layout = (self.exponent_bits, self.mantissa_bits) == (11, 52)
        if not (2 <= self.exponent_bits <= 10 or float64_layout):
            raise ValueError(f"exponent_bits={self.exponent_bits} is not supported; use 2 to 10 "
                             "(or exponent_bits=11, mantissa_bits=52 for float64)")
        if not (0 <= self.mantissa_bits <= 51 or float64_layout):
            raise ValueError(f"mantissa_bits={self.mantissa_bits} is not supported; use 0 to 51 "
                             "(or exponent_bits=11, mantissa_bits=52 for float64)")
        if self.bias is None:
            object.__setattr__(self, "bias", 2 ** (self.exponent_bits - 1) - 1)
        else:
            check_int(self.bias, "bias")
        object.__setattr__(self, "finite_only", check_bool(self.finite_only, "finite_only"))
        object.__setattr__(self, "signed", check_bool(self.signed, "signed"))
        self._check_nan()
        if float64_layout and (self.bias != 1023 or self.finite_only or not self.signed):
            raise ValueError("the float64 layout (11, 52) is supported only as IEEE float64 (bias 1023)")
        # The array codecs round by adding 2**52 quanta in float64; keep every quantity finite.
        lowest_bias = self.emax + self.bias + 53 - self.mantissa_bits - 1023
        highest_bias = 1075 - self.mantissa_bits
        if not float64_layout and not lowest_bias <= self.bias <= highest_bias:
            raise ValueError(f"bias={self.bias} puts the format outside float64's exponent range; "
                             f"use a bias from {lowest_bias} to {highest_bias}")
        if self.name is None:
            flags = {"ieee": "", "all_ones": "fn", "negative_zero": "fnuz", None: "fn"}[self.nan]
            object.__setattr__(self, "name", f"e{self.exponent_bits}m{self.mantissa_bits}{flags}"
                                             + ("" if self.signed else "u"))

    def _check_nan(self):
        """Resolve the default ``nan`` and refuse combinations no format has."""
        if self.nan == "":
            object.__setattr__(self, "nan", "all_ones" if self.finite_only else "ieee")
        allowed = NAN_KINDS if self.finite_only else ("ieee",)
        if self.nan not in allowed:
            shown = ", ".join(repr(kind) for kind in allowed)
            raise ValueError(f"nan={self.nan!r} is not allowed with finite_only={self.finite_only}; use one of {shown}")
        if self.mantissa_bits == 0 and self.nan == "ieee":
            raise ValueError("mantissa_bits=0 leaves no mantissa to tell IEEE's NaN from inf; "
                             "use finite_only=True (as E8M0 does)")
        if not self.signed and self.nan is None:
            raise ValueError("signed=False needs a NaN code for zero and negative inputs; use nan='all_ones'")
        if not self.signed and self.nan == "negative_zero":
            raise ValueError("nan='negative_zero' needs a sign bit; use signed=True or another nan")

    def __repr__(self):
        flags = ", finite_only=True" if self.finite_only else ""
        if self.nan != ("all_ones" if self.finite_only else "ieee"):
            flags += f", nan={self.nan!r}"
        if not self.signed:
            flags += ", signed=False"
        return (f"FloatFormat(exponent_bits={self.exponent_bits}, mantissa_bits={self.mantissa_bits}, "
                f"bias={self.bias}{flags}, name={self.name!r})")

    def __str__(self):
        return self.name

    @property
    def width(self):
        """Total bits: the sign bit (if any) + exponent + mantissa."""
        return int(self.signed) + self.exponent_bits + self.mantissa_bits

    @property
    def emin(self):
        """Unbiased exponent of the smallest normal number: ``1 - bias``, or ``-bias`` when
        there are no mantissa bits (exponent field 0 is then a normal number)."""
        return (1 if self.mantissa_bits else 0) - self.bias

    @property
    def emax(self):
        """Unbiased exponent of the largest finite number."""
        return (self.max_code >> self.mantissa_bits) - self.bias

    @property
    def max(self):
        """Largest finite value: the value of :attr:`max_code`."""
        p = self.mantissa_bits
        significand = 2 ** p + (self.max_code & (2 ** p - 1))
        return float(significand * 2.0 ** (self.emax - p))

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
    def magnitude_bits(self):
        """Exponent + mantissa bits: every bit but the sign."""
        return self.exponent_bits + self.mantissa_bits

    @property
    def max_code(self):
        """Bit pattern of :attr:`max`: the last code before inf or NaN, or the last code of all."""
        if self.nan == "ieee":
            return self.inf_code - 1
        return 2 ** self.magnitude_bits - (2 if self.nan == "all_ones" else 1)

    @property
    def inf_code(self):
        """Bit pattern of +inf, or None in fn formats."""
        return None if self.finite_only else (2 ** self.exponent_bits - 1) << self.mantissa_bits

    @property
    def nan_code(self):
        """Bit pattern of the canonical (quiet) NaN: positive where NaN has a sign, the single
        code ``0x80`` in FNUZ formats, None in formats without NaN (FP4, FP6)."""
        if self.nan == "all_ones":
            return 2 ** self.magnitude_bits - 1
        if self.nan == "negative_zero":
            return 1 << self.magnitude_bits
        if self.nan is None:
            return None
        return self.inf_code | 1 << (self.mantissa_bits - 1)


FLOAT64 = FloatFormat(11, 52, name="float64")
FLOAT32 = FloatFormat(8, 23, name="float32")
FLOAT16 = FloatFormat(5, 10, name="float16")
BFLOAT16 = FloatFormat(8, 7, name="bfloat16")
FLOAT8_E4M3FN = FloatFormat(4, 3, finite_only=True, name="float8_e4m3fn")
FLOAT8_E5M2 = FloatFormat(5, 2, name="float8_e5m2")
# The formats of 4-bit and block-scaled ML, with ml_dtypes' names and semantics: OCP MX v1.0's
# element types (no inf, no NaN) and shared scale (unsigned E8M0, NaN 0xFF), and the FNUZ float8s
# of Graphcore and AMD (bias one more than IEEE's, NaN the single code 0x80).
FLOAT4_E2M1FN = FloatFormat(2, 1, finite_only=True, nan=None, name="float4_e2m1fn")
FLOAT6_E2M3FN = FloatFormat(2, 3, finite_only=True, nan=None, name="float6_e2m3fn")
FLOAT6_E3M2FN = FloatFormat(3, 2, finite_only=True, nan=None, name="float6_e3m2fn")
FLOAT8_E8M0FNU = FloatFormat(8, 0, finite_only=True, signed=False, name="float8_e8m0fnu")
FLOAT8_E4M3FNUZ = FloatFormat(4, 3, bias=8, finite_only=True, nan="negative_zero", name="float8_e4m3fnuz")
FLOAT8_E5M2FNUZ = FloatFormat(5, 2, bias=16, finite_only=True, nan="negative_zero", name="float8_e5m2fnuz")

FORMATS = {fmt.name: fmt for fmt in (FLOAT64, FLOAT32, FLOAT16, BFLOAT16, FLOAT8_E4M3FN, FLOAT8_E5M2,
                                     FLOAT8_E4M3FNUZ, FLOAT8_E5M2FNUZ, FLOAT8_E8M0FNU, FLOAT6_E2M3FN,
                                     FLOAT6_E3M2FN, FLOAT4_E2M1FN)}
_ALIASES = {"e4m3fn": FLOAT8_E4M3FN, "e4m3": FLOAT8_E4M3FN, "e5m2": FLOAT8_E5M2, "fp8": FLOAT8_E4M3FN,
            "half": FLOAT16, "single": FLOAT32, "double": FLOAT64, "fp16": FLOAT16, "fp32": FLOAT32,
            "fp64": FLOAT64, "bf16": BFLOAT16, "e4m3fnuz": FLOAT8_E4M3FNUZ, "e5m2fnuz": FLOAT8_E5M2FNUZ,
            "e8m0": FLOAT8_E8M0FNU, "e2m3": FLOAT6_E2M3FN, "e3m2": FLOAT6_E3M2FN, "e2m1": FLOAT4_E2M1FN,
            "fp4": FLOAT4_E2M1FN}
_SHORT_NAMES = ["e4m3fn", "e5m2", "e4m3fnuz", "e5m2fnuz", "e8m0", "e2m3", "e3m2", "e2m1"]


def float_format(fmt):
    """Return a :class:`FloatFormat` given one or its name (``"float16"``, ``"e4m3fn"``, ...).

    >>> float_format("bf16") is BFLOAT16
    True
    >>> float_format("float12")
    Traceback (most recent call last):
    ...
    ValueError: fmt='float12' is not a known float format; use a FloatFormat or one of 'float64', 'float32', 'float16', 'bfloat16', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'float8_e8m0fnu', 'float6_e2m3fn', 'float6_e3m2fn', 'float4_e2m1fn', 'e4m3fn', 'e5m2', 'e4m3fnuz', 'e5m2fnuz', 'e8m0', 'e2m3', 'e3m2', 'e2m1'
    """
    if isinstance(fmt, FloatFormat):
        return fmt
    if isinstance(fmt, str):
        key = fmt.strip().lower()
        if key in FORMATS or key in _ALIASES:
            return FORMATS.get(key) or _ALIASES[key]
        names = ", ".join(repr(name) for name in [*FORMATS, *_SHORT_NAMES])
        raise ValueError(f"fmt={fmt!r} is not a known float format; use a FloatFormat or one of {names}")
    raise TypeError(f"fmt must be a FloatFormat or a format name, got {type(fmt).__name__} {fmt!r}")
