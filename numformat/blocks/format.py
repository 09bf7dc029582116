"""Block formats as data: :class:`BlockFormat`, the MX, NVFP4, int-group and NF4 constants, and the
bits each value costs with its block's scale counted.

The formats and the storage they cost are tabulated in :mod:`numformat.blocks`.
"""

from __future__ import annotations

import dataclasses

from ..checks import check_int
from ..floats import FLOAT4_E2M1FN, FLOAT6_E2M3FN, FLOAT6_E3M2FN, FLOAT8_E4M3FN, FLOAT8_E5M2, FloatFormat

KINDS = ("mx", "nvfp4", "affine", "nf4")


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
