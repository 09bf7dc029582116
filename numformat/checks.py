"""Argument checks: the one place every public function's validation comes from.

Bad input gets a typed error that names the parameter, the value received and what is allowed
(``TypeError`` for a wrong type, ``ValueError`` for a bad value), never a silent wrong number.
``bool`` is refused wherever a number is asked for: ``True`` is an ``int`` to Python, but
``bits=True`` is a mistake, not one bit.  numpy scalars (``np.int64(3)``, ``np.float32(0.5)``)
are accepted like Python numbers.  This module imports nothing of numformat's: it is the ground
floor.

Examples
--------
>>> check_int(8, "bits", low=1, high=64)
8
>>> check_int(True, "bits")
Traceback (most recent call last):
...
TypeError: bits must be an int, got bool True
>>> check_positive(0.0, "rate")
Traceback (most recent call last):
...
ValueError: rate=0.0 must be positive and finite
>>> as_float64_array([1, 2.5]).tolist()
[1.0, 2.5]
"""

from __future__ import annotations

import decimal
import math
import numbers
from fractions import Fraction

import numpy as np

_INTEGER_TYPES = (numbers.Integral, np.integer)
_REAL_TYPES = (numbers.Real, np.floating, np.integer)


def is_int(value):
    """Whether ``value`` is one integer, Python's or numpy's, and not a bool.

    For a parameter that takes an int *or* something else (a dict, a string): it picks the
    branch, and :func:`check_int` gives the error.

    >>> is_int(3), is_int(np.uint8(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, _INTEGER_TYPES) and not isinstance(value, (bool, np.bool_))


def is_real(value):
    """Whether ``value`` is one real number (an int or a float, Python's or numpy's), not a bool.

    >>> is_real(0.5), is_real(np.float32(0.5)), is_real(2), is_real(False), is_real("0.5")
    (True, True, True, False, False)
    """
    return isinstance(value, _REAL_TYPES) and not isinstance(value, (bool, np.bool_))


def check_int(value, name, *, low=None, high=None):
    """``value`` as a Python int, within ``[low, high]`` when given.

    >>> check_int(np.int8(3), "axis")
    3
    >>> check_int(70, "bits", low=1, high=64)
    Traceback (most recent call last):
    ...
    ValueError: bits=70 is not supported; use 1 to 64
    >>> check_int(-1, "count", low=0)
    Traceback (most recent call last):
    ...
    ValueError: count=-1 must be at least 0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _INTEGER_TYPES):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    value = int(value)
    if low is not None and high is not None and not low <= value <= high:
        raise ValueError(f"{name}={value} is not supported; use {low} to {high}")
    if low is not None and value < low:
        raise ValueError(f"{name}={value} must be at least {low}")
    if high is not None and value > high:
        raise ValueError(f"{name}={value} must be at most {high}")
    return value


def check_bool(value, name):
    """``value`` as a bool; only ``True``, ``False`` and numpy's bools are accepted.

    >>> check_bool(1, "signed")
    Traceback (most recent call last):
    ...
    TypeError: signed must be True or False, got int 1
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_real(value, name, *, low=-np.inf, high=np.inf, low_open=False, high_open=False):
    """``value`` as a float in the interval from ``low`` to ``high`` (closed unless said open); never NaN.

    >>> check_real(3, "temperature", low=0, low_open=True)
    3.0
    >>> check_real(0.0, "temperature", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: temperature=0.0 must lie in (0, inf]
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    above = low < value if low_open else low <= value
    below = value < high if high_open else value <= high
    if not (above and below):  # NaN fails both comparisons
        interval = f"{'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name}={value!r} must lie in {interval}")
    return float(value)


def check_positive(value, name):
    """``value`` as a positive, finite float (a rate, a step, a full scale).

    >>> check_positive(8000, "rate")
    8000.0
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name}={value!r} must be positive and finite")
    return float(value)


def positive_floats(values, name, dtype=np.float64):
    """``values`` as an array of ``dtype`` after checking every element is positive and finite.

    For a per-channel scale or multiplier: the error shows the first value that is not.

    >>> positive_floats([0.5, 2.0], "scale").tolist()
    [0.5, 2.0]
    >>> positive_floats([0.5, 0.0, np.nan], "scale")
    Traceback (most recent call last):
    ...
    ValueError: scale must be positive and finite, got 0.0
    """
    array = np.asarray(values, dtype=dtype)
    bad = ~(np.isfinite(array) & (array > 0))
    if np.any(bad):
        raise ValueError(f"{name} must be positive and finite, got {float(array[bad].flat[0])!r}")
    return array


def check_fraction(value, name):
    """``value`` as a float in ``[0, 1]`` (a sparsity, a share, a probability).

    >>> check_fraction(1.5, "sparsity")
    Traceback (most recent call last):
    ...
    ValueError: sparsity=1.5 must be in [0, 1]
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, _REAL_TYPES):
        raise TypeError(f"{name} must be a number in [0, 1], got {type(value).__name__} {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{name}={value} must be in [0, 1]")
    return float(value)


def check_mode(name, allowed, parameter):
    """Return ``name`` if it is one of ``allowed``, else raise a clear error.

    >>> check_mode("round", ("floor", "ceil"), "rounding")
    Traceback (most recent call last):
    ...
    ValueError: rounding='round' is not a known mode; use one of 'floor', 'ceil'
    """
    if not isinstance(name, str):
        raise TypeError(f"{parameter} must be a string naming a mode, got {type(name).__name__} {name!r}")
    if name not in allowed:
        choices = ", ".join(repr(mode) for mode in allowed)
        raise ValueError(f"{parameter}={name!r} is not a known mode; use one of {choices}")
    return name


def check_axis(axis, ndim=None):
    """``axis`` as an int, made non-negative when the tensor's ``ndim`` is known.

    >>> check_axis(-1, ndim=4)
    3
    """
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, _INTEGER_TYPES):
        raise TypeError(f"axis must be an int or None, got {type(axis).__name__} {axis!r}")
    if ndim is None:
        return int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} is out of range for data with {ndim} dimensions")
    return int(axis) % ndim


def shown(number):
    """A readable form of an input number for a message: ``repr`` for floats, ``str`` otherwise.

    >>> shown(0.1), shown(Fraction(1, 3)), shown(2**70)
    ('0.1', '1/3', '1180591620717411303424')
    """
    if isinstance(number, Fraction) and number.denominator != 1:
        return str(number)
    return repr(number) if isinstance(number, float) else str(number)


def exact_fraction(x, parameter="x"):
    """The exact value of a real number as a Fraction (or a float for inf and NaN).

    Python ints, Fractions, Decimals and every float (numpy's too) are exact as Fractions.

    >>> exact_fraction(0.1)
    Fraction(3602879701896397, 36028797018963968)
    >>> exact_fraction("0.1")
    Traceback (most recent call last):
    ...
    TypeError: x must be a real number, got str '0.1'
    """
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x.item()
    if isinstance(x, bool) or x is None or isinstance(x, (str, bytes, complex, np.complexfloating)):
        raise TypeError(f"{parameter} must be a real number, got {type(x).__name__} {x!r}")
    if isinstance(x, decimal.Decimal):
        return Fraction(x) if x.is_finite() else float(x)
    if isinstance(x, numbers.Integral):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, numbers.Real):
        value = float(x)  # exact for Python floats and numpy float16/32/64 scalars
        return Fraction(value) if math.isfinite(value) else value
    raise TypeError(f"{parameter} must be a single real number, got {type(x).__name__}; "
                    "for arrays use numformat.to_bits")


def shorten(text, limit=40):
    """``text`` for a message: cut after ``limit`` characters, so a hostile string cannot flood it.

    >>> shorten("0x" + "F" * 60, limit=8)
    '0xFFFFFF... (62 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def like_input(x, result):
    """``result`` as a Python scalar when ``x`` was a scalar, else the array itself.

    >>> like_input(0.5, np.array(3.0)), like_input([0.5], np.array([3.0])).tolist()
    (3.0, [3.0])
    """
    return result.item() if np.ndim(x) == 0 else result


def as_float64_array(x, name="x"):
    """float64 array of the input values, refusing anything that would change them silently.

    Integers beyond 2**53 are refused (float64 would round them); complex numbers, booleans,
    strings and objects are refused; ml_dtypes' small floats (bfloat16, float8_*) are exact.

    >>> as_float64_array(2**60)
    Traceback (most recent call last):
    ...
    ValueError: x holds integers beyond 2**53, which float64 cannot hold exactly; pass them one at a time to encode(), which rounds them exactly
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be real numbers (a number or an array), got {type(x).__name__} {x!r}")
    array = np.asarray(x)
    kind = array.dtype.kind
    if kind == "f" and array.dtype.itemsize <= 8:
        with np.errstate(invalid="ignore"):  # signalling NaNs are quieted, as every cast does
            return array.astype(np.float64, copy=False)
    if kind in "iu":
        if array.size and np.max(np.abs(array.astype(np.float64))) > 2.0 ** 53:
            raise ValueError(f"{name} holds integers beyond 2**53, which float64 cannot hold "
                             "exactly; pass them one at a time to encode(), which rounds them exactly")
        return array.astype(np.float64)
    if kind == "V" and "float" in array.dtype.name:  # ml_dtypes' bfloat16, float8_*: exact in float64
        return array.astype(np.float64)
    what = {"c": "complex", "b": "booleans", "U": "strings", "S": "bytes", "O": "objects"}.get(kind, str(array.dtype))
    raise TypeError(f"{name} must hold real numbers (float or int), got {what} ({array.dtype})")


def finite_floats(values, name, *, allow_empty=False):
    """``values`` as a float array after checking it is non-empty, numeric and free of NaN and inf.

    >>> finite_floats([1.0, np.nan], "samples")
    Traceback (most recent call last):
    ...
    ValueError: samples contains nan (1 non-finite values); quantization ranges need finite numbers
    """
    try:
        array = np.asarray(values)
    except ValueError as error:  # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.floating) or np.issubdtype(array.dtype, np.integer)):
        raise TypeError(f"{name} must hold real numbers, got {array.dtype}")
    if array.size == 0 and not allow_empty:
        raise ValueError(f"{name} is empty; there is no range to quantize")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    bad = ~np.isfinite(array)
    if np.any(bad):
        raise ValueError(f"{name} contains {array[bad].flat[0]} ({np.count_nonzero(bad)} non-finite values); "
                         "quantization ranges need finite numbers")
    return array
