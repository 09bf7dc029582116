"""G.711 companding: 16-bit PCM to 8-bit μ-law and A-law codes, bit-exact with ITU-T G.191.

Telephone speech spends 8 bits per sample, not 16, by spacing the levels logarithmically:
small samples get fine steps, loud ones coarse steps, so the *relative* error stays about the
same.  ITU-T G.711 fixes the two tables (μ-law in North America and Japan, A-law elsewhere);
the ITU-T G.191 Software Tool Library (``g711.c``) is the reference implementation, and the
encoders and decoders here reproduce it for every one of the 65,536 int16 inputs and 256 codes.

The reference μ-law encoder works on the 14-bit magnitude ``m = (x >> 2) + 33`` and uses the
*one's complement* ``~x = -x - 1`` for negative samples: ``m = ((~x) >> 2) + 33``.  Python's
``audioop.lin2ulaw`` shifts first and then negates, ``m = -(x >> 2) + 33``, which for every
negative sample is one more.  That changes the code only where it crosses a decision
threshold, so audioop differs from G.191 on exactly **508 negative inputs**: the four int16
values at each of the 127 negative thresholds (``-4 .. -1``, ``-12 .. -9``, ``-20 .. -17``,
..., ``-31612 .. -31609``), where audioop's byte is one less, the next level out (``-1`` gives
G.191's ``0x7F``, which decodes to 0, but audioop's ``0x7E``, which decodes to -8).  audioop's
A-law encoder and both of its decoders agree with G.191 everywhere.

Codes are the bytes as transmitted: μ-law codes are bit-inverted (silence is ``0xFF``), A-law
codes have their even bits toggled (``^ 0x55``; silence is ``0xD5``).

Examples
--------
>>> mulaw_encode([0, 1000, -1000, 32767]).tolist()
[255, 206, 78, 128]
>>> mulaw_decode([255, 206, 78, 128]).tolist()
[0, 988, -988, 32124]
>>> [hex(code) for code in alaw_encode([0, 1000, -1000]).tolist()]
['0xd5', '0xfa', '0x7a']
>>> alaw_decode(alaw_encode([0, 1000, -1000, -32768])).tolist()
[8, 1008, -1008, -32256]
"""

from __future__ import annotations

import functools

import numpy as np

from ..checks import check_positive

__all__ = ["alaw_decode", "alaw_encode", "mulaw_compress", "mulaw_decode", "mulaw_encode", "mulaw_expand"]


def _bit_length(values):
    """Bits needed for each non-negative integer (0 for 0), like ``int.bit_length``, vectorised."""
    return np.frexp(values)[1]  # values = mantissa · 2**exponent with 0.5 <= mantissa < 1


def _magnitude(pcm):
    """The G.191 magnitude: ``x`` for ``x >= 0``, the one's complement ``~x = -x - 1`` below."""
    return np.where(pcm < 0, ~pcm, pcm)


def _mulaw_formula(pcm):
    """G.191 ``ulaw_compress`` on int32 samples, as whole-array integer arithmetic."""
    magnitude = np.minimum((_magnitude(pcm) >> 2) + 33, 0x1FFF)  # 14-bit magnitude plus bias 33
    segment = 1 + _bit_length(magnitude >> 6)  # 1 .. 8
    code = ((8 - segment) << 4) | (15 - ((magnitude >> segment) & 15))  # inverted segment and step
    return (code | np.where(pcm >= 0, 0x80, 0)).astype(np.uint8)


def _alaw_formula(pcm):
    """G.191 ``alaw_compress`` on int32 samples, as whole-array integer arithmetic."""
    magnitude = _magnitude(pcm) >> 4  # 0 .. 2047: 12-bit sign-magnitude
    # Segment 0 and 1 share the step 1; above, each segment doubles it.  With the exponent
    # clamped to at least 1 one formula covers both: for magnitude < 16 it gives the magnitude.
    exponent = np.maximum(_bit_length(magnitude) - 4, 1)
    code = (exponent << 4) + (magnitude >> (exponent - 1)) - 16
    return ((code | np.where(pcm >= 0, 0x80, 0)) ^ 0x55).astype(np.uint8)


def _mulaw_expand_formula(codes):
    """G.191 ``ulaw_expand``: the level at the middle of each code's interval."""
    inverted = ~codes & 0xFF
    exponent = (inverted >> 4) & 7
    step = 4 << (exponent + 1)
    magnitude = (0x80 << exponent) + step * (inverted & 15) + step // 2 - 4 * 33
    return np.where(codes >= 0x80, magnitude, -magnitude).astype(np.int16)


def _alaw_expand_formula(codes):
    """G.191 ``alaw_expand``: the level at the middle of each code's interval."""
    toggled = (codes ^ 0x55) & 0x7F
    exponent = toggled >> 4
    mantissa = (toggled & 15) + np.where(exponent > 0, 16, 0)  # the leading 1 above segment 0
    magnitude = ((mantissa << 4) + 8) << np.maximum(exponent - 1, 0)
    return np.where(codes > 127, magnitude, -magnitude).astype(np.int16)


@functools.cache
def _encode_table(law):
    """Every int16's code, indexed by the sample's 16 bits read as unsigned (built once)."""
    every_sample = np.arange(2 ** 16, dtype=np.uint16).view(np.int16).astype(np.int32)
    table = {"mulaw": _mulaw_formula, "alaw": _alaw_formula}[law](every_sample)
    table.setflags(write=False)
    return table


@functools.cache
def _decode_table(law):
    every_code = np.arange(256, dtype=np.int32)
    table = {"mulaw": _mulaw_expand_formula, "alaw": _alaw_expand_formula}[law](every_code)
    table.setflags(write=False)
    return table


def _as_pcm16(pcm):
    """int16 array of the samples, refusing floats and values outside int16."""
    array = np.asarray(pcm)
    if array.dtype == np.int16:
        return array
    if array.dtype.kind not in "iu":
        raise TypeError(f"pcm must be int16 PCM samples (integers), got {array.dtype}; turn floats in "
                        "[-1, 1) into int16 with Quantizer(16).encode(x)")
    if array.size and (array.min() < -32768 or array.max() > 32767):
        bad = array[(array < -32768) | (array > 32767)]
        raise ValueError(f"pcm must fit in int16 [-32768, 32767], got {bad.flat[0]} "
                         f"({bad.size} sample{'s' if bad.size > 1 else ''} outside)")
    return array.astype(np.int16)


def _as_codes(codes):
    array = np.asarray(codes)
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers 0 to 255 (bytes), got {array.dtype}")
    if array.size and (array.min() < 0 or array.max() > 255):
        raise ValueError(f"codes must be bytes 0 to 255, got values from {array.min()} to {array.max()}")
    return array.astype(np.uint8)


def _encode(pcm, law):
    samples = _as_pcm16(pcm)
    # Index with intp: numpy would convert the uint16 indices itself, more slowly.
    codes = np.take(_encode_table(law), samples.view(np.uint16).astype(np.intp))
    return int(codes) if np.ndim(pcm) == 0 else codes


def _decode(codes, law):
    values = np.take(_decode_table(law), _as_codes(codes).astype(np.intp))
    return int(values) if np.ndim(codes) == 0 else values


def mulaw_encode(pcm):
    """μ-law codes (uint8) of int16 PCM samples, bit-exact with ITU-T G.191 ``ulaw_compress``.

    ``audioop.lin2ulaw`` differs on 508 negative inputs (see the module docstring).

    Parameters
    ----------
    pcm : int or array_like of int
        Samples in ``[-32768, 32767]``.

    Examples
    --------
    >>> [hex(code) for code in mulaw_encode([0, -1, 8158, -8159]).tolist()]
    ['0xff', '0x7f', '0x9f', '0x1f']
    >>> mulaw_encode(-1)     # audioop.lin2ulaw gives 0x7e here
    127
    """
    return _encode(pcm, "mulaw")


def mulaw_decode(codes):
    """int16 samples of μ-law codes (G.191 ``ulaw_expand``, as ``audioop.ulaw2lin``).

    Examples
    --------
    >>> mulaw_decode([0x00, 0x7F, 0x80, 0xFF]).tolist()
    [-32124, 0, 32124, 0]
    """
    return _decode(codes, "mulaw")


def alaw_encode(pcm):
    """A-law codes (uint8) of int16 PCM samples, bit-exact with ITU-T G.191 ``alaw_compress``.

    Examples
    --------
    >>> [hex(code) for code in alaw_encode([0, -1, 32767, -32768]).tolist()]
    ['0xd5', '0x55', '0xaa', '0x2a']
    """
    return _encode(pcm, "alaw")


def alaw_decode(codes):
    """int16 samples of A-law codes (G.191 ``alaw_expand``, as ``audioop.alaw2lin``).

    Examples
    --------
    >>> alaw_decode([0xD5, 0x55, 0xAA, 0x2A]).tolist()
    [8, -8, 32256, -32256]
    """
    return _decode(codes, "alaw")


def _unit_range(x, parameter):
    array = np.asarray(x)
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{parameter} must hold real numbers, got {array.dtype}")
    array = array.astype(np.float64)
    outside = ~(np.abs(array) <= 1)  # NaN counts as outside
    if np.any(outside):
        raise ValueError(f"{parameter} must lie in [-1, 1] (full scale), got {array[outside].flat[0]}")
    return array


def mulaw_compress(x, mu=255):
    """The continuous μ-law curve ``sign(x) · ln(1 + μ|x|) / ln(1 + μ)`` on ``[-1, 1]``.

    G.711's tables approximate this curve (μ = 255) with 8 straight segments.

    Examples
    --------
    >>> np.round(mulaw_compress([-1.0, -0.01, 0.0, 0.01, 1.0]), 4).tolist()
    [-1.0, -0.2285, 0.0, 0.2285, 1.0]
    """
    mu = check_positive(mu, "mu")
    x = _unit_range(x, "x")
    compressed = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return compressed.item() if compressed.ndim == 0 else compressed


def mulaw_expand(y, mu=255):
    """The inverse of :func:`mulaw_compress`: ``sign(y) · ((1 + μ)^|y| - 1) / μ``.

    Examples
    --------
    >>> y = mulaw_compress([-0.5, 0.001, 0.25])
    >>> np.round(mulaw_expand(y), 12).tolist()
    [-0.5, 0.001, 0.25]
    """
    mu = check_positive(mu, "mu")
    y = _unit_range(y, "y")
    expanded = np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu
    return expanded.item() if expanded.ndim == 0 else expanded
