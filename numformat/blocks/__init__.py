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

from .format import (FORMATS, KINDS, MXFP4_E2M1, MXFP6_E2M3, MXFP6_E3M2, MXFP8_E4M3, MXFP8_E5M2, MXINT8, NF4,
                     NF4_DQ_BLOCK, NVFP4, BlockFormat, bits_per_value, block_format, int4_groups)
from .schemes import BASELINE_SCHEMES, bits_per_weight, check_scheme, round_trip, storage_bits, weight_matrix, weight_tradeoff
from .nf4 import NF4_LEVELS, nf4_codes, nf4_quantize_blocks
from .outliers import (AWQ_GRID, LLM_INT8_THRESHOLD, awq, keep_salient, llm_int8_matmul, outlier_methods,
                       outlier_study, salient_channels, synthetic_outlier_layer)
from .quantize import (E8M0_ROUNDING, BlockQuantized, affine_codes, block_dequantize, block_quantize, e8m0_codes,
                       element_values, mx_scale_exponents)

__all__ = ["AWQ_GRID", "BASELINE_SCHEMES", "LLM_INT8_THRESHOLD", "awq", "bits_per_weight", "check_scheme",
           "keep_salient", "llm_int8_matmul", "outlier_methods", "outlier_study", "round_trip", "salient_channels",
           "storage_bits", "synthetic_outlier_layer", "weight_matrix", "weight_tradeoff",
           "BlockFormat", "BlockQuantized", "E8M0_ROUNDING", "FORMATS", "KINDS", "MXFP4_E2M1", "MXFP6_E2M3",
           "MXFP6_E3M2", "MXFP8_E4M3", "MXFP8_E5M2", "MXINT8", "NF4", "NF4_DQ_BLOCK", "NF4_LEVELS", "NVFP4",
           "affine_codes", "bits_per_value", "block_dequantize", "block_format", "block_quantize", "e8m0_codes",
           "element_values", "int4_groups", "mx_scale_exponents", "nf4_codes", "nf4_quantize_blocks"]
