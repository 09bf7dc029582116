"""Block quantization: cut an axis into blocks, give each block its scale by its format's rule
(OCP MX's power of two, NVFP4's two levels, affine int groups, NF4's absmax), round the elements.

The rules and their sources are in :mod:`numformat.blocks`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import as_float64_array, check_axis, check_mode
from ..floats import FLOAT8_E4M3FN, FLOAT8_E8M0FNU, FLOAT16, from_bits, round_to, to_bits
from ..integers import int_dtype, int_range
from ..rounding import round_half
from .format import BlockFormat, block_format
from .nf4 import NF4_LEVELS, nf4_quantize_blocks

E8M0_ROUNDING = ("down", "up", "nearest")


@dataclasses.dataclass(frozen=True)
class BlockQuantized:
    """What :func:`block_quantize` stores: element codes (shaped like the input), one scale per
    block (the block axis shortened ``block_size`` times), and what the kind needs besides."""

    codes: np.ndarray
    scales: np.ndarray
    fmt: BlockFormat
    axis: int
    scale_codes: np.ndarray = None
    zero_points: np.ndarray = None
    tensor_scale: float = None


def _blocks(values, fmt, axis):
    """``values`` with ``axis`` moved last and split into (..., blocks, block_size)."""
    axis = check_axis(axis, values.ndim)
    length = values.shape[axis]
    if length % fmt.block_size:
        raise ValueError(f"axis {axis} has {length} values, not a multiple of {fmt.name}'s block_size="
                         f"{fmt.block_size}; pad it (zeros cost nothing) or pick another block size")
    moved = np.moveaxis(values, axis, -1)
    return moved.reshape(*moved.shape[:-1], length // fmt.block_size, fmt.block_size), axis


def _unblocks(blocked, axis):
    """Inverse of :func:`_blocks`."""
    merged = blocked.reshape(*blocked.shape[:-2], -1)
    return np.moveaxis(merged, -1, axis)


def mx_scale_exponents(amax, emax_elem):
    """OCP MX v1.0 §6.3: ``floor(log2(amax)) - emax_elem``, clamped at -127, NaN past 127.

    >>> mx_scale_exponents(np.array([12.0, 0.0, 1e40, np.inf]), 2).tolist()
    [1.0, -127.0, nan, nan]
    >>> mx_scale_exponents(np.array([np.nextafter(8.0, 0.0), 8.0]), 2).tolist()   # exact just below 2**3
    [0.0, 1.0]
    """
    amax = np.abs(np.where(amax == 0, 2.0 ** -126, amax))  # the reference's log2 of float32's min normal
    # floor(log2(amax)) exactly: amax = m · 2**e with 0.5 <= m < 1, so it is e - 1.  np.log2 would
    # round a value a hair below a power of two up to the integer (log2 of 8 - 2**-50 is 3.0),
    # one binade too high; the PyTorch reference computes log2 in float32 and does that.
    _, exponent = np.frexp(amax)
    exponents = np.where(np.isfinite(amax), exponent - 1.0, np.nan) - emax_elem
    exponents = np.maximum(exponents, -127.0)
    return np.where(exponents > 127, np.nan, exponents)


def e8m0_codes(x, rounding="down", *, saturate=True):
    """E8M0 codes of scales with ONNX Cast's ``round_mode`` (opset 25): ``"down"`` is
    ``floor(log2|x|)`` (OCP MX's rule), ``"up"`` the ceiling, ``"nearest"`` ties upwards (as
    ml_dtypes rounds E8M0).  ONNX's table: with ``saturate`` 0 gives code 0 (``2**-127``) and
    inf or values past ``2**127`` give 0xFE; without it they are NaN (0xFF).  NaN is NaN.
    Negative scales are unspecified in ONNX; their magnitude is used, as its reference does.

    >>> e8m0_codes([1.0, 1.5, 3.0, 0.0, -8.0, np.inf], "up").tolist()
    [127, 128, 129, 0, 130, 254]
    """
    rounding = check_mode(rounding, E8M0_ROUNDING, "rounding")
    values = np.abs(as_float64_array(x))
    mantissa, exponent = np.frexp(values)  # values = mantissa × 2**exponent, mantissa in [0.5, 1)
    step = {"down": 0, "up": mantissa > 0.5, "nearest": mantissa >= 0.75}[rounding]
    biased = np.where(np.isfinite(values), exponent - 1 + step + 127, 255)
    codes = np.clip(biased, 0, 254) if saturate else np.where((biased < 0) | (biased > 254), 255, biased)
    codes = np.where(values == 0, 0 if saturate else 255, codes)
    return np.where(np.isnan(values), 255, codes).astype(np.uint8)


def _mx_quantize(blocks, fmt):
    amax = np.max(np.abs(blocks), axis=-1)
    exponents = mx_scale_exponents(amax, fmt.emax_elem)
    finite = np.isfinite(exponents)
    scales = np.ldexp(1.0, np.where(finite, exponents, 0).astype(int))
    scaled = np.where(finite[..., None], blocks / scales[..., None], 0.0)
    if fmt.element is not None:
        codes = to_bits(scaled, fmt.element, saturate=True)
    else:  # MXINT8: two's complement with 6 fraction bits, symmetric ±127 (as the reference's max_norm)
        codes = np.clip(round_half(scaled * 64.0), -127, 127).astype(np.int8)
    scale_codes = to_bits(np.where(finite, scales, np.nan), FLOAT8_E8M0FNU)
    return codes, np.where(finite, scales, np.nan), dict(scale_codes=scale_codes)


def _nvfp4_quantize(blocks, fmt):
    # NVIDIA's two-level recipe: a float32 tensor scale maps the tensor's amax onto 448 × 6
    # (E4M3's max times E2M1's), each block's amax / 6 is stored in E4M3 under it.
    amax_tensor = float(np.max(np.abs(blocks))) if blocks.size else 0.0
    tensor_scale = float(np.float32(amax_tensor / (FLOAT8_E4M3FN.max * fmt.element.max))) or 1.0
    block_amax = np.max(np.abs(blocks), axis=-1)
    scale_codes = to_bits(block_amax / fmt.element.max / tensor_scale, FLOAT8_E4M3FN, saturate=True)
    scales = from_bits(scale_codes, FLOAT8_E4M3FN) * tensor_scale
    safe = np.where(scales > 0, scales, 1.0)
    codes = to_bits(blocks / safe[..., None], fmt.element, saturate=True)
    return codes, scales, dict(scale_codes=scale_codes, tensor_scale=tensor_scale)


def _affine_quantize(blocks, fmt):
    # Asymmetric uint groups as ONNX QuantizeLinear (block_size) computes them: the range
    # always holds 0, scale = (max - min) / (2**b - 1) stored in float16, zero point rounded.
    qmin, qmax = int_range(fmt.element_bits, signed=False)
    low = np.minimum(np.min(blocks, axis=-1), 0.0)
    high = np.maximum(np.max(blocks, axis=-1), 0.0)
    scales = round_to((high - low) / qmax, FLOAT16)
    scales = np.where(scales > 0, scales, 1.0)
    zero_points = np.clip(round_half(-low / scales), qmin, qmax).astype(np.uint8)
    codes = affine_codes(blocks, scales[..., None], zero_points[..., None], fmt.element_bits)
    return codes, scales, dict(zero_points=zero_points)


def affine_codes(values, scales, zero_points, bits, signed=False):
    """``clip(round_half_even(values / scales) + zero_points)``: ONNX QuantizeLinear's rule.

    >>> affine_codes(np.array([0.0, 1.0, 2.5, 40.0]), 0.5, 3, 4).tolist()
    [3, 5, 8, 15]
    """
    qmin, qmax = int_range(bits, signed=signed)
    codes = round_half(np.asarray(values, np.float64) / scales) + zero_points
    return np.clip(codes, qmin, qmax).astype(int_dtype(bits, signed))


_QUANTIZERS = {"mx": _mx_quantize, "nvfp4": _nvfp4_quantize, "affine": _affine_quantize, "nf4": nf4_quantize_blocks}


def block_quantize(x, fmt, axis=-1):
    """Quantize ``x`` block by block along ``axis``: element codes and one scale per block.

    Parameters
    ----------
    x : array_like of float
    fmt : BlockFormat or str
    axis : int
        The axis cut into blocks (a weight matrix's input axis, say); its length must be a
        multiple of ``fmt.block_size``.

    Returns
    -------
    BlockQuantized

    Raises
    ------
    ValueError
        For NaN or ±inf in ``x`` unless ``fmt`` is an MX format: OCP MX v1.0 §6.3 gives the
        block a NaN scale (every element NaN, the other blocks untouched), but NVFP4's E2M1
        elements, integer groups and NF4 have no code for them.

    Examples
    --------
    >>> from numformat.blocks import int4_groups
    >>> q = block_quantize(np.arange(8.0).reshape(2, 4), int4_groups(4))
    >>> q.codes.tolist(), q.scales.tolist(), q.zero_points.tolist()
    ([[0, 5, 10, 15], [9, 11, 13, 15]], [[0.199951171875], [0.466552734375]], [[0], [0]])
    """
    fmt = block_format(fmt)
    values = as_float64_array(x)
    if values.ndim == 0:
        raise ValueError("x must have at least one axis to cut into blocks; got a scalar")
    if fmt.kind != "mx" and not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)]
        raise ValueError(f"x holds {bad[0]} ({bad.size} non-finite values); {fmt.name} has no code for NaN or "
                         "infinity (only MX formats mark such a block NaN, OCP MX v1.0 §6.3)")
    blocks, axis = _blocks(values, fmt, axis)
    codes, scales, extra = _QUANTIZERS[fmt.kind](blocks, fmt)
    return BlockQuantized(_unblocks(codes, axis), np.moveaxis(scales, -1, axis), fmt, axis, **extra)


def element_values(q):
    """The elements' own values (before the scale), shaped like the codes."""
    fmt = q.fmt
    if fmt.kind == "nf4":
        return np.asarray(NF4_LEVELS)[q.codes]
    if fmt.element is not None:
        return from_bits(q.codes, fmt.element)
    if fmt.kind == "mx":  # MXINT8
        return q.codes.astype(np.float64) / 64.0
    return q.codes.astype(np.float64)


def block_dequantize(q):
    """The values a :class:`BlockQuantized` stands for: element × its block's scale (affine
    groups: ``(code - zero_point) × scale``), as float64.

    >>> from numformat.blocks import MXFP4_E2M1
    >>> block_dequantize(block_quantize([1.0, -2.0, 0.2, 6.0], MXFP4_E2M1.with_block(4))).tolist()
    [1.0, -2.0, 0.0, 6.0]
    """
    if not isinstance(q, BlockQuantized):
        raise TypeError(f"q must be what block_quantize returns, got {type(q).__name__}")
    fmt, size = q.fmt, q.fmt.block_size
    scales = np.repeat(q.scales, size, axis=q.axis)
    elements = element_values(q)
    if fmt.kind == "affine":
        elements = elements - np.repeat(q.zero_points, size, axis=q.axis).astype(np.float64)
    return elements * scales
