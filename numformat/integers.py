"""Integers as bits: unsigned and two's complement codes, ranges, wrap-around and saturation.

An N-bit word holds ``2**N`` bit patterns (codes ``0`` to ``2**N - 1``).  Read *unsigned*,
code ``c`` is the number ``c``.  Read as *two's complement* (every signed integer type in C,
Java, numpy and every CPU since the 1970s), the top bit weighs ``-2**(N-1)`` instead of
``+2**(N-1)``, so codes with the top bit set are the negative numbers:

====  =======  ========  ===================
bits  code     unsigned  two's complement
====  =======  ========  ===================
4     0111     7         7
4     1000     8         -8 (= -8 + 0)
4     1101     13        -3 (= -8 + 4 + 1)
====  =======  ========  ===================

A value outside ``[lo, hi]`` either *wraps* (keeps its low N bits, as C casts and numpy's
``astype`` do: 128 becomes -128 in int8) or *saturates* (clamps to the nearest end, as DSP
and int8 neural-network arithmetic does); :func:`numformat.rounding.apply_overflow` does both.

Scalars (Python or numpy ints) are worked exactly with Python ints and come back as Python
ints; arrays come back in the smallest numpy dtype that holds the format (:func:`int_dtype`).

Examples
--------
>>> int_range(8), int_range(8, signed=False)
((-128, 127), (0, 255))
>>> cast_int([127, 128, 300, -129], 8).tolist()
[127, -128, 44, 127]
>>> cast_int([127, 128, 300, -129], 8, overflow="saturate").tolist()
[127, 127, 127, -128]
>>> int_binary(-3, 8), int_hex(-3, 8)
('1111 1101', '0xFD')
>>> int_formula(-3, 8)
'1111 1101 = -128 + 64 + 32 + 16 + 8 + 4 + 1 = -3'
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import check_bool, check_int
from .rounding import apply_overflow, check_overflow

MAX_BITS = 64  # numpy's widest integer
INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1  # the accumulator of every int8 kernel
_CODE_DTYPES = (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64)


def _check_bits(bits):
    return check_int(bits, "bits", low=1, high=MAX_BITS)


def _format_name(bits, signed):
    return f"{'' if signed else 'u'}int{bits}"


def int_range(bits, signed=True):
    """The smallest and largest value of an N-bit integer: ``(lo, hi)`` as Python ints.

    Two's complement: ``-2**(N-1)`` to ``2**(N-1) - 1`` (one more negative than positive
    number, because zero takes a pattern with the top bit clear); unsigned: ``0`` to ``2**N - 1``.

    Examples
    --------
    >>> [int_range(bits) for bits in (4, 8, 16)]
    [(-8, 7), (-128, 127), (-32768, 32767)]
    >>> int_range(32, signed=False)
    (0, 4294967295)
    """
    bits, signed = _check_bits(bits), check_bool(signed, "signed")
    if signed:
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return 0, 2 ** bits - 1


def int_dtype(bits, signed=True):
    """The smallest numpy integer dtype that holds every N-bit value.

    >>> int_dtype(8), int_dtype(12), int_dtype(12, signed=False), int_dtype(33)
    (dtype('int8'), dtype('int16'), dtype('uint16'), dtype('int64'))
    """
    bits, signed = _check_bits(bits), check_bool(signed, "signed")
    width = next(width for width in (8, 16, 32, 64) if bits <= width)
    return np.dtype(f"{'' if signed else 'u'}int{width}")


def code_dtype(qmin, qmax):
    """The smallest numpy integer dtype holding ``[qmin, qmax]`` (signed first: ``[0, 127]`` is int8).

    >>> code_dtype(-128, 127), code_dtype(0, 255), code_dtype(-5, 127), code_dtype(-2**31, 2**31 - 1)
    (dtype('int8'), dtype('uint8'), dtype('int8'), dtype('int32'))
    """
    for dtype in _CODE_DTYPES:
        info = np.iinfo(dtype)
        if info.min <= qmin and qmax <= info.max:
            return np.dtype(dtype)
    raise ValueError(f"the code range [{qmin}, {qmax}] does not fit in int64")


def _as_ints(values, parameter="values"):
    """A Python int for a scalar, or an integer ndarray; anything else is a clear error."""
    if isinstance(values, (bool, np.bool_)):
        raise TypeError(f"{parameter} must be integers, got bool {values!r}")
    if isinstance(values, numbers.Integral):
        return int(values)
    if values is None or isinstance(values, (str, bytes, numbers.Number)):
        raise TypeError(f"{parameter} must be integers, got {type(values).__name__} {values!r}"
                        + ("; round floats first (numformat.rounding.round_half)" if isinstance(values, float) else ""))
    array = np.asarray(values)
    if array.dtype.kind in "iu":
        return array
    what = {"b": "booleans", "f": "floats", "c": "complex", "U": "strings", "O": "objects"}.get(array.dtype.kind, str(array.dtype))
    hint = {"f": "; round them first (numformat.rounding.round_half)",
            "O": "; an array must have a numpy integer dtype (pass integers beyond 64 bits one at a time)"}
    raise TypeError(f"{parameter} must be integers, got {what} ({array.dtype}){hint.get(array.dtype.kind, '')}")


def _fit(values, lo, hi, overflow, dtype, what):
    """``apply_overflow`` on a Python int, or on an array in a dtype where its arithmetic is exact."""
    if isinstance(values, int):
        return apply_overflow(values, lo, hi, overflow, what=what)
    held = np.iinfo(values.dtype)
    if lo <= held.min and held.max <= hi:
        return values.astype(dtype)  # every value of the input's dtype fits: a plain widening cast
    # The narrowest integer dtype that holds the input, lo, hi and the wrap mask hi - lo keeps the
    # arithmetic exact and fast; beyond int64 and uint64, Python ints (an object array) do.
    working = np.result_type(values.dtype, *(np.min_scalar_type(bound) for bound in (lo, hi, hi - lo)))
    working = working if working.kind in "iu" else np.dtype(object)
    fitted = apply_overflow(values.astype(working, copy=False), lo, hi, overflow, what=what)
    return np.asarray(fitted).astype(dtype, copy=False)


def cast_int(values, bits, *, signed=True, overflow="wrap"):
    """Fit integers into an N-bit format by wrapping (the default), saturating or raising.

    ``overflow="wrap"`` is what C casts, numpy's ``astype`` and integer adders do: keep the low
    N bits (``128 → -128`` in int8).  ``"saturate"`` clamps to the range (``128 → 127``), as DSP
    instructions and TFLite's int8 kernels do; ``"error"`` raises :class:`OverflowError`.

    Parameters
    ----------
    values : int or array_like of int
    bits : int
        1 to 64.
    signed : bool
        Two's complement (True) or unsigned.
    overflow : str
        ``'wrap'``, ``'saturate'`` or ``'error'``.

    Returns
    -------
    int, or numpy.ndarray of :func:`int_dtype`

    Examples
    --------
    >>> cast_int(np.array([-1, 255, 256]), 8, signed=False).tolist()
    [255, 255, 0]
    >>> cast_int(2 ** 31, 32)
    -2147483648
    >>> cast_int(200, 8, overflow="error")
    Traceback (most recent call last):
    ...
    OverflowError: int8 value 200 is outside the range [-128, 127] (overflow='error')
    """
    check_overflow(overflow)
    values = _as_ints(values)
    lo, hi = int_range(bits, signed)
    return _fit(values, lo, hi, overflow, int_dtype(bits, signed), f"{_format_name(bits, signed)} value")


def int_to_bits(values, bits, *, signed=True, overflow="error"):
    """The N-bit codes (bit patterns, as unsigned integers) of integer values.

    A negative value's two's complement code is ``value + 2**N``: the value wrapped into the
    unsigned range.  Values outside the format's range are first handled by ``overflow``.

    Parameters
    ----------
    values : int or array_like of int
    bits : int
        1 to 64.
    signed : bool
        Read ``values`` as two's complement (True) or unsigned.
    overflow : str
        ``'error'`` (the default: a code is only defined for values in range), ``'wrap'`` or
        ``'saturate'``.

    Returns
    -------
    int, or numpy.ndarray of the unsigned :func:`int_dtype`

    Examples
    --------
    >>> int_to_bits([-1, -128, 5], 8).tolist()
    [255, 128, 5]
    >>> int_to_bits(-3, 4), int_to_bits(300, 8, overflow="wrap")
    (13, 44)
    """
    in_range = cast_int(values, bits, signed=signed, overflow=overflow)
    return _fit(in_range, 0, 2 ** bits - 1, "wrap", int_dtype(bits, signed=False), "code")


def int_from_bits(codes, bits, *, signed=True):
    """The values that N-bit codes stand for (the inverse of :func:`int_to_bits`).

    Parameters
    ----------
    codes : int or array_like of int
        Bit patterns, 0 to ``2**bits - 1``.
    bits : int
        1 to 64.
    signed : bool
        Read the codes as two's complement (True) or unsigned.

    Returns
    -------
    int, or numpy.ndarray of :func:`int_dtype`

    Examples
    --------
    >>> int_from_bits([0b0111, 0b1000, 0b1101], 4).tolist()
    [7, -8, -3]
    >>> int_from_bits(0xFF, 8), int_from_bits(0xFF, 8, signed=False)
    (-1, 255)
    """
    codes = _as_ints(codes, "codes")
    bits = _check_bits(bits)
    try:
        codes = cast_int(codes, bits, signed=False, overflow="error")
    except OverflowError:
        low, high = np.min(codes), np.max(codes)
        bad = low if low < 0 else high
        raise ValueError(f"codes must be {bits}-bit patterns (0 to 2**{bits} - 1), got {bad}") from None
    lo, hi = int_range(bits, signed)
    return _fit(codes, lo, hi, "wrap", int_dtype(bits, signed), "value")


def _scalar_code(value, bits, signed, group):
    value, group = check_int(value, "value"), check_int(group, "group", low=0)  # one value; group 0: no spaces
    return int_to_bits(value, bits, signed=signed, overflow="error")


def _grouped(digits, group):
    """Digits in groups of ``group`` counted from the right, separated by spaces."""
    if not group:
        return digits
    head = len(digits) % group
    parts = ([digits[:head]] if head else []) + [digits[i:i + group] for i in range(head, len(digits), group)]
    return " ".join(parts)


def int_binary(value, bits, *, signed=True, group=4):
    """The N-bit pattern of one integer in binary, in groups of ``group`` digits (0: no spaces).

    Examples
    --------
    >>> int_binary(5, 8), int_binary(-128, 8), int_binary(-1, 12, group=0)
    ('0000 0101', '1000 0000', '111111111111')
    >>> int_binary(255, 8, signed=False) == np.binary_repr(255, width=8)[:4] + " 1111"
    True
    """
    return _grouped(f"{_scalar_code(value, bits, signed, group):0{bits}b}", group)


def int_hex(value, bits, *, signed=True, group=0):
    """The N-bit pattern of one integer in upper-case hex (one digit per 4 bits), ``0x``-prefixed.

    Examples
    --------
    >>> int_hex(-1, 8), int_hex(-2, 16), int_hex(2 ** 31 - 1, 32, group=4)
    ('0xFF', '0xFFFE', '0x7FFF FFFF')
    """
    return "0x" + _grouped(f"{_scalar_code(value, bits, signed, group):0{-(-bits // 4)}X}", group)


def int_formula(value, bits, *, signed=True):
    """The pattern and the sum of the place values of its set bits (the top one negative if signed).

    Examples
    --------
    >>> int_formula(11, 4, signed=False)
    '1011 = 8 + 2 + 1 = 11'
    >>> int_formula(-8, 4), int_formula(0, 4)
    ('1000 = -8', '0000 = 0')
    """
    code = _scalar_code(value, bits, signed, 4)
    weights = [2 ** place for place in reversed(range(bits)) if code >> place & 1]
    if signed and code >> (bits - 1):
        weights[0] = -weights[0]
    total = " + ".join(str(weight) for weight in weights) or "0"
    shown = int_binary(value, bits, signed=signed)
    return f"{shown} = {total}" + (f" = {int(value)}" if len(weights) > 1 else "")


PACKABLE_BITS = (1, 2, 4)  # widths that fill a byte exactly


def pack_ints(values, bits, *, signed=True):
    """Pack 1-, 2- or 4-bit integers ``8 // bits`` to a byte, the first value in the lowest bits.

    This is how ONNX stores INT4/UINT4 (two per byte) and INT2/UINT2 (four per byte) tensors
    and how ml_dtypes' int4 arrays are packed for it: element ``2k`` in bits 0-3 of byte ``k``,
    element ``2k + 1`` in bits 4-7.  An odd count leaves the last byte's high bits zero.

    Parameters
    ----------
    values : array_like of int
        In the format's range (:func:`int_range`); flattened in C order.
    bits : {1, 2, 4}
    signed : bool

    Returns
    -------
    numpy.ndarray of uint8, ``ceil(values.size * bits / 8)`` bytes

    Examples
    --------
    >>> [hex(byte) for byte in pack_ints([1, -1, 7], 4)]
    ['0xf1', '0x7']
    >>> pack_ints([0, 1, 2, 3, 1], 2, signed=False).tolist()
    [228, 1]
    """
    bits = check_int(bits, "bits")
    if bits not in PACKABLE_BITS:
        raise ValueError(f"bits={bits} does not divide a byte into equal fields; use 1, 2 or 4")
    codes = np.asarray(int_to_bits(np.ravel(_as_ints(values)), bits, signed=signed), dtype=np.uint8)
    per_byte = 8 // bits
    padded = np.zeros(-(-codes.size // per_byte) * per_byte, np.uint8)
    padded[:codes.size] = codes
    shifts = np.arange(per_byte, dtype=np.uint8) * np.uint8(bits)
    return np.bitwise_or.reduce(padded.reshape(-1, per_byte) << shifts, axis=1).astype(np.uint8)


def unpack_ints(packed, bits, count, *, signed=True):
    """The first ``count`` integers packed by :func:`pack_ints` (ONNX's and ml_dtypes' order).

    >>> unpack_ints([0xF1, 0x07], 4, 3).tolist()
    [1, -1, 7]
    >>> unpack_ints([0xF1], 4, 2, signed=False).tolist()
    [1, 15]
    """
    bits = check_int(bits, "bits")
    if bits not in PACKABLE_BITS:
        raise ValueError(f"bits={bits} does not divide a byte into equal fields; use 1, 2 or 4")
    packed = np.asarray(int_to_bits(np.ravel(_as_ints(packed, "packed")), 8, signed=False), dtype=np.uint8)
    count = check_int(count, "count", low=0, high=packed.size * (8 // bits))
    shifts = np.arange(8 // bits, dtype=np.uint8) * np.uint8(bits)
    codes = ((packed[:, None] >> shifts) & np.uint8(2 ** bits - 1)).reshape(-1)[:count]
    return int_from_bits(codes, bits, signed=signed)
