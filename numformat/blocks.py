"""Block-scaled formats: narrow elements that share one scale per block of values.

One concept: a *block* of consecutive values along an axis shares a scale, so each element
needs only a few bits while the block keeps its own range.  An outlier costs its own block's
precision, not the whole tensor's.

==============  ===========  =====  ===================================  ===============
format          element      block  scale                                bits per value
==============  ===========  =====  ===================================  ===============
MXFP8 (E4M3)    float8 E4M3  32     E8M0, a power of two (OCP MX v1.0)   8 + 8/32
MXFP6, MXFP4    FP6 / FP4    32     E8M0                                 6.25 / 4.25
MXINT8          int8 / 64    32     E8M0                                 8.25
NVFP4           FP4 E2M1     16     E4M3, times one float32 per tensor   4 + 8/16
INT4-g128       uint4        128    float16 scale + uint4 zero point     4 + 20/128
NF4 (QLoRA)     16 levels    64     absmax, 8-bit double-quantized       4 + 8/64 + 32/16384
==============  ===========  =====  ===================================  ===============

The MX scale follows the OCP Microscaling Formats (MX) Specification v1.0 (2023), section 6.3,
and its reference code (github.com/microsoft/microxcaling, ``mx/mx_ops.py``):
``shared_exp = floor(log2(max|V|)) - emax_elem``, clamped below at -127 (an all-zero block
takes ``log2`` of float32's smallest normal, as the reference does), NaN above 127 or when the
block holds inf or NaN; the elements ``V / 2**shared_exp`` are rounded to nearest-even and
saturate at the element's max.  A NaN scale makes the whole block NaN.

The block axis must be a whole number of blocks: :func:`block_quantize` refuses otherwise
(pad the data yourself, say with zeros, which cost nothing in any of these formats).

Examples
--------
A block of four in MXFP4: the amax 12 sets the scale ``2**(floor(log2 12) - 2) = 2``; 0.25 is a tie
between FP4's 0 and 0.5 and goes to the even code, and -0.625 rounds to -0.5:

>>> q = block_quantize([0.5, -1.25, 3.0, 12.0], MXFP4_E2M1.with_block(4))
>>> q.scales.tolist(), q.codes.tolist(), block_dequantize(q).tolist()
([2.0], [0, 9, 3, 7], [0.0, -1.0, 3.0, 12.0])
>>> bits_per_value(MXFP4_E2M1), bits_per_value(NVFP4), round(bits_per_value(NF4), 3)
(4.25, 4.5, 4.127)
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .checks import as_float64_array, check_axis, check_int, check_mode
from .floats import FLOAT4_E2M1FN, FLOAT6_E2M3FN, FLOAT6_E3M2FN, FLOAT8_E4M3FN, FLOAT8_E5M2, FLOAT8_E8M0FNU, FLOAT16
from .floats import FloatFormat, from_bits, round_to, to_bits
from .integers import int_dtype, int_range
from .rounding import round_half

KINDS = ("mx", "nvfp4", "affine", "nf4")
E8M0_ROUNDING = ("down", "up", "nearest")

# QLoRA's NormalFloat4: the 16 levels bitsandbytes ships (float32), equal-area quantiles of a
# standard normal scaled to [-1, 1] with an exact zero (Dettmers et al. 2023, appendix E); the
# tests rebuild them from scipy's norm.ppf.
NF4_LEVELS = (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
              -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
              0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
              0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0)


@dataclasses.dataclass(frozen=True)
class BlockFormat:
    """A block-scaled format: the element, the block size and how the block's scale is stored.

    Parameters
    ----------
    name : str
    kind : {"mx", "nvfp4", "affine", "nf4"}
        The scale rule: OCP MX's power of two, NVFP4's E4M3 scale under a float32 tensor scale,
        an affine int group (scale and zero point, as GPTQ/AWQ store int4), or QLoRA's NF4.
    element : FloatFormat or None
        The element's float format (MX floats, NVFP4); None for integer and NF4 elements.
    element_bits : int
        Bits per element (8 for MXINT8, 4 or 3 for int groups, 4 for NF4).
    block_size : int
        Values sharing one scale.
    scale_bits : int
        Bits of each block's stored scale (plus its zero point, for affine groups).
    double_quant : bool
        NF4 only: store the block absmaxes in 8 bits under one float32 scale per 256 blocks
        (QLoRA's double quantization) instead of float32 each.

    Examples
    --------
    >>> MXFP8_E4M3
    BlockFormat('mxfp8_e4m3': float8_e4m3fn elements, 32 per E8M0 scale)
    >>> int4_groups(128).block_size, bits_per_value(int4_groups(128))
    (128, 4.15625)
    """

    name: str
    kind: str
    element: FloatFormat = None
    element_bits: int = None
    block_size: int = 32
    scale_bits: int = 8
    double_quant: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind={self.kind!r} is not a block format kind; use one of {', '.join(map(repr, KINDS))}")
        check_int(self.block_size, "block_size", low=1)
        if self.element_bits is None:
            object.__setattr__(self, "element_bits", self.element.width)

    def __repr__(self):
        element = self.element.name if self.element else f"{self.element_bits}-bit"
        scale = {"mx": "E8M0", "nvfp4": "E4M3 (and a float32 tensor)", "affine": "float16 + zero point",
                 "nf4": "absmax"}[self.kind]
        return f"BlockFormat({self.name!r}: {element} elements, {self.block_size} per {scale} scale)"

    def with_block(self, block_size):
        """The same format with another block size (``MXFP4_E2M1.with_block(16)``)."""
        return dataclasses.replace(self, name=f"{self.name}-b{block_size}", block_size=block_size)

    @property
    def emax_elem(self):
        """OCP MX's ``emax_elem``: the exponent of the element's largest normal (0 for MXINT8)."""
        return self.element.emax if self.element is not None else 0


def _mx(name, element):
    return BlockFormat(name, "mx", element)


MXFP8_E4M3 = _mx("mxfp8_e4m3", FLOAT8_E4M3FN)
MXFP8_E5M2 = _mx("mxfp8_e5m2", FLOAT8_E5M2)
MXFP6_E2M3 = _mx("mxfp6_e2m3", FLOAT6_E2M3FN)
MXFP6_E3M2 = _mx("mxfp6_e3m2", FLOAT6_E3M2FN)
MXFP4_E2M1 = _mx("mxfp4_e2m1", FLOAT4_E2M1FN)
MXINT8 = BlockFormat("mxint8", "mx", element_bits=8)
NVFP4 = BlockFormat("nvfp4", "nvfp4", FLOAT4_E2M1FN, block_size=16)
NF4 = BlockFormat("nf4", "nf4", element_bits=4, block_size=64, double_quant=True)
NF4_DQ_BLOCK = 256  # QLoRA: the absmaxes are quantized in blocks of 256


def int4_groups(group_size=128, bits=4):
    """Affine int groups (GPTQ/AWQ's int4 weights): uint codes, a float16 scale and a uint zero
    point of the same width per group of 32, 64 or 128 values.

    >>> int4_groups(32, bits=3)
    BlockFormat('int3-g32': 3-bit elements, 32 per float16 + zero point scale)
    """
    check_int(bits, "bits", low=2, high=8)
    return BlockFormat(f"int{bits}-g{group_size}", "affine", element_bits=bits, block_size=group_size,
                       scale_bits=16 + bits)


FORMATS = {fmt.name: fmt for fmt in (MXFP8_E4M3, MXFP8_E5M2, MXFP6_E2M3, MXFP6_E3M2, MXFP4_E2M1, MXINT8,
                                     NVFP4, int4_groups(32), int4_groups(64), int4_groups(128),
                                     int4_groups(128, bits=3), NF4)}


def block_format(fmt):
    """A :class:`BlockFormat` given one or its name (``"mxfp4_e2m1"``, ``"int4-g128"``, ``"nf4"``).

    >>> block_format("nvfp4") is NVFP4
    True
    >>> block_format("mxfp3")
    Traceback (most recent call last):
    ...
    ValueError: fmt='mxfp3' is not a known block format; use a BlockFormat or one of 'mxfp8_e4m3', 'mxfp8_e5m2', 'mxfp6_e2m3', 'mxfp6_e3m2', 'mxfp4_e2m1', 'mxint8', 'nvfp4', 'int4-g32', 'int4-g64', 'int4-g128', 'int3-g128', 'nf4'
    """
    if isinstance(fmt, BlockFormat):
        return fmt
    if isinstance(fmt, str) and fmt.strip().lower() in FORMATS:
        return FORMATS[fmt.strip().lower()]
    if isinstance(fmt, str):
        raise ValueError(f"fmt={fmt!r} is not a known block format; use a BlockFormat or one of "
                         + ", ".join(map(repr, FORMATS)))
    raise TypeError(f"fmt must be a BlockFormat or a format name, got {type(fmt).__name__} {fmt!r}")


def bits_per_value(fmt, count=None):
    """Storage per value, scales counted: element bits + scale bits / block size (+ per-tensor
    scales spread over ``count`` values when given: NVFP4's float32, NF4's second level).

    >>> bits_per_value(MXFP8_E4M3), bits_per_value(NVFP4, count=1024)
    (8.25, 4.53125)
    """
    fmt = block_format(fmt)
    bits = fmt.element_bits + fmt.scale_bits / fmt.block_size
    if fmt.double_quant:
        bits += 32 / (fmt.block_size * NF4_DQ_BLOCK)  # one float32 per 256 absmaxes
    if count is not None and fmt.kind in ("nvfp4", "nf4"):
        bits += 32 / check_int(count, "count", low=1)  # the tensor's float32 (NF4: the absmaxes' mean)
    return bits


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
    """
    amax = np.where(amax == 0, 2.0 ** -126, amax)  # the reference's log2 of float32's min normal
    with np.errstate(invalid="ignore"):
        exponents = np.floor(np.log2(np.abs(amax))) - emax_elem
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


def nf4_codes(normalized):
    """Index of the nearest NF4 level for values in [-1, 1] (ties to the lower level).

    >>> nf4_codes(np.array([-1.0, 0.0, 0.03, 0.05, 0.99])).tolist()
    [0, 7, 7, 8, 15]
    """
    levels = np.asarray(NF4_LEVELS)
    midpoints = (levels[:-1] + levels[1:]) / 2
    return np.searchsorted(midpoints, normalized, side="left").astype(np.uint8)


def _nf4_quantize(blocks, fmt):
    absmax = np.max(np.abs(blocks), axis=-1)
    safe = np.where(absmax > 0, absmax, 1.0)
    codes = nf4_codes(blocks / safe[..., None])
    if not fmt.double_quant:
        return codes, safe, {}
    # QLoRA's double quantization: subtract the absmaxes' mean, then int8 with one float32
    # absmax scale per 256 of them.  (bitsandbytes uses its dynamic 8-bit code for this step;
    # int8 is the same storage, 8 bits each.)
    flat = safe.reshape(-1)
    mean = float(np.float32(flat.mean()))
    centred = flat - mean
    padded = np.concatenate([centred, np.zeros(-flat.size % NF4_DQ_BLOCK)]).reshape(-1, NF4_DQ_BLOCK)
    second = np.max(np.abs(padded), axis=1, keepdims=True) / 127
    second = np.where(second > 0, second, 1.0).astype(np.float32).astype(np.float64)
    int8_absmax = np.clip(round_half(padded / second), -127, 127)
    restored = (int8_absmax * second).reshape(-1)[:flat.size] + mean
    scales = restored.reshape(safe.shape)
    return codes, scales, dict(scale_codes=int8_absmax.astype(np.int8).reshape(-1)[:flat.size], tensor_scale=mean)


_QUANTIZERS = {"mx": _mx_quantize, "nvfp4": _nvfp4_quantize, "affine": _affine_quantize, "nf4": _nf4_quantize}


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

    Examples
    --------
    >>> q = block_quantize(np.arange(8.0).reshape(2, 4), int4_groups(4))
    >>> q.codes.tolist(), q.scales.tolist(), q.zero_points.tolist()
    ([[0, 5, 10, 15], [9, 11, 13, 15]], [[0.199951171875], [0.466552734375]], [[0], [0]])
    """
    fmt = block_format(fmt)
    values = as_float64_array(x)
    if values.ndim == 0:
        raise ValueError("x must have at least one axis to cut into blocks; got a scalar")
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
