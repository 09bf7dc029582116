"""Rounding and overflow: the one implementation that floats, fixed point, the ADC and int8 share.

Two kinds of input need rounding to an integer:

* real numbers held as float64 (an ADC sample divided by its step, a weight divided by its
  scale): :func:`round_half` and friends work on whole arrays with numpy, exactly;
* exact ratios of integers (a fixed-point product shifted back to fewer fraction bits, a
  float's significand cut to fewer bits): :func:`divide_round` rounds ``numerator /
  denominator`` with integer arithmetic only, on Python ints or int64 arrays.

Six rounding modes, named for where they send a value that is not an integer:

=================  ============================================  ==============  ===========
mode               rule                                          2.5  -2.5        known as
=================  ============================================  ==============  ===========
``floor``          towards -inf                                  2    -3          truncation of two's complement bits
``ceil``           towards +inf                                  3    -2
``zero``           towards 0                                     2    -2          C's ``(int)x``
``nearest_even``   nearest, ties to the even neighbour           2    -2          IEEE-754 default, ``np.rint``
``nearest_away``   nearest, ties away from zero                  3    -3          C's ``round()``, TFLite
``nearest_up``     nearest, ties towards +inf                    3    -2          ``floor(x + 0.5)``
=================  ============================================  ==============  ===========

Three overflow modes decide what happens to a rounded integer outside ``[lo, hi]``:
``saturate`` clamps it, ``wrap`` keeps its low bits as two's complement hardware does, and
``error`` raises :class:`OverflowError`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import check_mode

ROUNDING_MODES = ("floor", "ceil", "zero", "nearest_even", "nearest_away", "nearest_up")
OVERFLOW_MODES = ("saturate", "wrap", "error")


def check_rounding(rounding):
    """Validate a rounding mode name (see the module table)."""
    return check_mode(rounding, ROUNDING_MODES, "rounding")


def check_overflow(overflow):
    """Validate an overflow mode name: ``'saturate'``, ``'wrap'`` or ``'error'``."""
    return check_mode(overflow, OVERFLOW_MODES, "overflow")


def round_half(x, rounding="nearest_even"):
    """Round float values to integral float64 values with the named mode, exactly.

    Every step is exact in float64: ``x - floor(x)`` loses no bits, so ties are seen as ties
    even for values such as ``2**52 + 1`` where ``floor(x + 0.5)`` would already be wrong.

    Parameters
    ----------
    x : array_like of float
    rounding : str
        One of :data:`ROUNDING_MODES`.

    Returns
    -------
    numpy.ndarray of float64 (a 0-d array for scalar input)

    Examples
    --------
    >>> halves = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5]
    >>> for mode in ROUNDING_MODES:
    ...     print(f"{mode:13}", round_half(halves, mode).astype(int))
    floor         [-3 -2 -1  0  1  2]
    ceil          [-2 -1  0  1  2  3]
    zero          [-2 -1  0  0  1  2]
    nearest_even  [-2 -2  0  0  2  2]
    nearest_away  [-3 -2 -1  1  2  3]
    nearest_up    [-2 -1  0  1  2  3]
    """
    check_rounding(rounding)
    x = np.asarray(x, dtype=np.float64)
    if rounding == "floor":
        return np.floor(x)
    if rounding == "ceil":
        return np.ceil(x)
    if rounding == "zero":
        return np.trunc(x)
    if rounding == "nearest_even":
        return np.rint(x)
    if rounding == "nearest_away":
        return _round_half_away(x)
    below = np.floor(x)
    with np.errstate(invalid="ignore"):  # inf - inf is NaN, and NaN >= 0.5 leaves inf as it is
        fraction = x - below  # exact, or 1.0 for a tiny negative x, which still rounds right
        return below + (fraction >= 0.5)  # nearest_up


def _round_half_away(x):
    """Nearest, ties away from zero, in four whole-array passes (the speed matters: it is
    apytypes' conversion mode, which the benchmarks compare against)."""
    away = np.trunc(x, out=np.empty_like(x))  # one buffer, reused in place: whole, f, x + f
    with np.errstate(invalid="ignore"):  # inf - inf is NaN; infinities are put back below
        # x - whole is the exact signed fraction f, and x + f = whole + 2f exactly; truncating
        # it steps one unit away from zero exactly when |f| >= 1/2.
        np.subtract(x, away, out=away)
        np.add(away, x, out=away)
        np.trunc(away, out=away)
    if not np.isfinite(x).all():
        away = np.where(np.isinf(x), x, away)
    return away


def divide_round(numerator, denominator, rounding="nearest_even"):
    """Round the exact quotient ``numerator / denominator`` of integers with the named mode.

    Works on Python ints (any size, exact) and on int64 numpy arrays alike, using only
    ``//``, ``-`` and comparisons, so nothing is ever converted to float.

    Parameters
    ----------
    numerator : int or array_like of int
    denominator : int or array_like of int
        Must be positive.
    rounding : str
        One of :data:`ROUNDING_MODES`.

    Examples
    --------
    Shifting the fixed-point value 0b1011 (11/4 = 2.75) right by two bits:

    >>> divide_round(11, 4, "floor"), divide_round(11, 4, "nearest_even")
    (2, 3)
    >>> divide_round(-10, 4, "nearest_even"), divide_round(-10, 4, "nearest_away")
    (-2, -3)
    >>> divide_round(np.array([5, 15, 25]), 10, "nearest_even")
    array([0, 2, 2])
    """
    check_rounding(rounding)
    if _power_of_two(denominator) and isinstance(numerator, np.ndarray) and numerator.dtype == np.int64:
        return _shift_round(numerator, int(denominator).bit_length() - 1, rounding)
    quotient = numerator // denominator  # floor division: numerator = quotient*denominator + rest
    rest = numerator - quotient * denominator  # 0 <= rest < denominator
    if rounding in ("floor", "ceil", "zero"):
        return _step_directed(quotient, rest > 0, rounding)
    # Compare rest with denominator/2 without forming 2*rest, which could overflow int64.
    return _step_nearest(quotient, rest > denominator - rest, rest == denominator - rest, rounding)


def _power_of_two(number):
    return isinstance(number, numbers.Integral) and number > 0 and number & (number - 1) == 0


def _shift_round(numerator, shift, rounding):
    """``divide_round(numerator, 2**shift)`` for int64 arrays with shifts and masks, which
    are several times faster than ``//``: the arithmetic shift is floor division by 2**shift
    and the masked low bits are the remainder (two's complement makes both exact)."""
    if shift == 0:
        return numerator.copy()
    quotient = numerator >> shift
    rest = numerator & ((1 << shift) - 1)
    if rounding in ("floor", "ceil", "zero"):
        return _step_directed(quotient, rest > 0, rounding)
    half = 1 << (shift - 1)
    return _step_nearest(quotient, rest > half, rest == half, rounding)


def _step_directed(quotient, inexact, rounding):
    """Finish floor / ceil / zero from the floor quotient and whether anything was cut off."""
    if rounding == "floor":
        return quotient
    if rounding == "ceil":
        return quotient + inexact
    return quotient + (inexact & (quotient < 0))  # zero: negative quotients were floored, step back


def _step_nearest(quotient, above_half, tie, rounding):
    """Finish the nearest modes from the floor quotient and where the remainder stands."""
    if rounding == "nearest_up":
        return quotient + (above_half | tie)
    if rounding == "nearest_away":
        return quotient + (above_half | (tie & (quotient >= 0)))
    return quotient + (above_half | (tie & (quotient % 2 == 1)))  # nearest_even


def apply_overflow(raw, lo, hi, overflow="saturate", *, what="value"):
    """Bring integers into ``[lo, hi]`` by saturating, wrapping, or raising.

    ``wrap`` keeps the value modulo ``hi - lo + 1`` as two's complement hardware does (the
    range must then be a power of two wide, which every integer format is).

    Parameters
    ----------
    raw : int or array_like of int
    lo, hi : int
        The representable range.
    overflow : str
        ``'saturate'``, ``'wrap'`` or ``'error'``.
    what : str
        Describes the numbers for the ``OverflowError`` message.

    Examples
    --------
    >>> apply_overflow(np.array([-200, 5, 130]), -128, 127, "saturate")
    array([-128,    5,  127])
    >>> apply_overflow(np.array([-200, 5, 130]), -128, 127, "wrap")
    array([  56,    5, -126])
    >>> apply_overflow(130, -128, 127, "error", what="int8 code")
    Traceback (most recent call last):
    ...
    OverflowError: int8 code 130 is outside the range [-128, 127] (overflow='error')
    """
    check_overflow(overflow)
    if isinstance(raw, numbers.Integral):
        low, high = raw < lo, raw > hi
        if not (low or high):
            return raw
    if overflow == "saturate":
        return np.clip(raw, lo, hi) if isinstance(raw, np.ndarray) else min(max(raw, lo), hi)
    if overflow == "wrap":
        span = hi - lo + 1
        if not _power_of_two(span):
            raise ValueError(f"overflow='wrap' needs a range 2**k values wide, as hardware integers are; "
                             f"[{lo}, {hi}] is {span} wide (use 'saturate' or 'error')")
        if isinstance(raw, np.ndarray) and raw.dtype == np.int64:
            return _wrap_int64(raw, lo, span)
        if isinstance(raw, np.ndarray) and raw.dtype.kind in "iu":
            # Keep the low bits with `&` (as `%` would, ~20x faster); callers pass a dtype in
            # which raw - lo is exact (numformat.integers picks one).
            return ((raw - lo) & (span - 1)) + lo
        return (raw - lo) % span + lo
    outside = (np.asarray(raw) < lo) | (np.asarray(raw) > hi)
    if np.any(outside):
        first = np.asarray(raw)[outside].flat[0] if np.ndim(raw) else raw
        count = int(np.count_nonzero(outside))
        more = f" (and {count - 1} more)" if count > 1 else ""
        raise OverflowError(f"{what} {first} is outside the range [{lo}, {hi}]{more} (overflow='error')")
    return raw


def _wrap_int64(raw, lo, span):
    """Two's complement wrap of int64 values with masks, exact for every span up to 2**64.

    int64 arithmetic is itself modulo 2**64, and ``span`` divides 2**64, so ``raw - lo`` may
    wrap around without changing its value modulo ``span``; masking keeps its low bits.  (The
    ``%`` of the generic path cannot take a modulus of 2**63 or 2**64 in int64.)
    """
    if span == 2 ** 64:  # a 64-bit word: every int64 already is its own wrapped value
        return raw.copy()
    wrapped = raw - lo
    wrapped &= span - 1
    wrapped += lo
    return wrapped
