"""QLoRA's NormalFloat4 (Dettmers et al. 2023): 16 levels at equal-area quantiles of a normal,
one absmax per block of 64, and the absmaxes themselves double-quantized to 8 bits.
"""

from __future__ import annotations

import numpy as np

from ..rounding import round_half
from .format import NF4_DQ_BLOCK

# QLoRA's NormalFloat4: the 16 levels bitsandbytes ships (float32), equal-area quantiles of a
# standard normal scaled to [-1, 1] with an exact zero (Dettmers et al. 2023, appendix E); the
# tests rebuild them from scipy's norm.ppf.
NF4_LEVELS = (-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
              -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0.0,
              0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224,
              0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0)


def nf4_codes(normalized):
    """Index of the nearest NF4 level for values in [-1, 1] (ties to the lower level).

    >>> nf4_codes(np.array([-1.0, 0.0, 0.03, 0.05, 0.99])).tolist()
    [0, 7, 7, 8, 15]
    """
    levels = np.asarray(NF4_LEVELS)
    midpoints = (levels[:-1] + levels[1:]) / 2
    return np.searchsorted(midpoints, normalized, side="left").astype(np.uint8)


def nf4_quantize_blocks(blocks, fmt):
    """NF4 codes, the block absmaxes (double-quantized when ``fmt.double_quant``) and what is
    stored besides, for ``blocks`` shaped ``(..., blocks, block_size)``: QLoRA's recipe."""
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
