"""Weight schemes side by side: round a weight tensor through any scheme and count its bits honestly.

A *scheme* is how a weight tensor is stored: one of the block formats of :mod:`numformat.blocks`
(a :class:`BlockFormat` or its name), or one of the per-tensor / per-channel baselines

=================  ================================================================================
scheme             storage
=================  ================================================================================
``"int8"``         symmetric int8 codes (-127..127), one float32 scale per output channel (as
                   :func:`numformat.nn.quantize_model` stores weights)
``"int4"``         the same with 4-bit codes (-7..7)
``"int8-tensor"``  int8 codes under one float32 scale for the whole tensor
``"int4-tensor"``  int4 codes under one float32 scale for the whole tensor
``"fp8"``          float8 E4M3 elements under one float32 scale per tensor, ``amax / 448``
                   (NVIDIA Transformer Engine's per-tensor scaling)
=================  ================================================================================

Weights are read as a matrix: one row per output channel, the rest flattened (for a convolution
``(O, C, k, k)`` the row is the ``C·k·k`` values one output sums over), and blocks run along the
row, the axis a dot product reduces over, as MX hardware reads them.  A row whose length is not a
whole number of blocks is padded with zeros for quantizing and cropped afterwards: a zero changes
no block's maximum, range or absmax, so the stored values are the same as without it, but the
last block's scale is still stored, and :func:`storage_bits` counts it.  (The digits CNN's conv2
rows hold 72 = 2·32 + 8 values: three MX scales per row, 24 bits of scale over 72 values where
whole blocks would spend 8 over 32.)

Examples
--------
>>> from numformat.blocks import MXFP4_E2M1
>>> w = np.array([[0.5, -1.25, 3.0, 12.0, 0.1], [1.0, 2.0, 3.0, 4.0, 5.0]])
>>> round_trip(w, MXFP4_E2M1.with_block(4)).tolist()   # 0.1 and 5 each rule a padded block of their own
[[0.0, -1.0, 3.0, 12.0, 0.09375], [1.0, 2.0, 3.0, 4.0, 4.0]]
>>> storage_bits(w.shape, MXFP4_E2M1.with_block(4))   # 10 elements × 4 bits + 4 blocks × 8 bits
72
>>> storage_bits(w.shape, "int8")                      # 10 × 8 bits + 2 float32 scales
144
"""

from __future__ import annotations

import math

import numpy as np

from ..adc import sqnr_db
from ..checks import as_float64_array, check_int
from ..floats import FLOAT8_E4M3FN, round_to
from ..quant import choose_qparams, fake_quantize
from .format import NF4_DQ_BLOCK, BlockFormat, block_format
from .quantize import block_dequantize, block_quantize

INT_BITS = {"int8": 8, "int4": 4, "int8-tensor": 8, "int4-tensor": 4}
BASELINE_SCHEMES = (*INT_BITS, "fp8")


def check_scheme(scheme):
    """A baseline scheme's name, or the :class:`BlockFormat` a block scheme names.

    >>> check_scheme("int8"), check_scheme("nvfp4").name
    ('int8', 'nvfp4')
    >>> check_scheme("int5")
    Traceback (most recent call last):
    ...
    ValueError: scheme='int5' is not a known weight scheme; use one of 'int8', 'int4', 'int8-tensor', 'int4-tensor', 'fp8', a BlockFormat or one of 'mxfp8_e4m3', 'mxfp8_e5m2', 'mxfp6_e2m3', 'mxfp6_e3m2', 'mxfp4_e2m1', 'mxint8', 'nvfp4', 'int4-g32', 'int4-g64', 'int4-g128', 'int3-g128', 'nf4'
    """
    if isinstance(scheme, str) and scheme in BASELINE_SCHEMES:
        return scheme
    try:
        return block_format(scheme)
    except ValueError as error:
        names = str(error).split("one of ", 1)[1]
        raise ValueError(f"scheme={scheme!r} is not a known weight scheme; use one of "
                         f"{', '.join(map(repr, BASELINE_SCHEMES))}, a BlockFormat or one of {names}") from None
    except TypeError:
        raise TypeError(f"scheme must be a BlockFormat or a scheme name, got {type(scheme).__name__} {scheme!r}") \
            from None


def weight_matrix(weight):
    """``weight`` as ``(output channels, values each sums over)`` float64; at least 2-D.

    >>> weight_matrix(np.zeros((16, 8, 3, 3))).shape
    (16, 72)
    """
    values = as_float64_array(weight, "weight")
    if values.ndim < 2:
        raise ValueError(f"weight must have an output-channel axis and an input axis, got shape {values.shape}")
    return values.reshape(len(values), -1)


def padded_round_trip(matrix, fmt):
    """Block quantize and dequantize along rows, padding the last block with zeros (then cropped)."""
    length = matrix.shape[1]
    padded = np.pad(matrix, [(0, 0), (0, -length % fmt.block_size)])
    return block_dequantize(block_quantize(padded, fmt))[:, :length]


def round_trip(weight, scheme):
    """``weight`` rounded through ``scheme`` and back to float64, shaped like ``weight``.

    Parameters
    ----------
    weight : array_like of float, at least 2-D
        Output channels first (a dense ``(O, K)`` or a convolution ``(O, C, k, k)``).
    scheme : str or BlockFormat
        A name of ``BASELINE_SCHEMES`` or a block format (see the module's table).

    Examples
    --------
    >>> round_trip([[0.6, -1.0, 3.5]], "int4").tolist()   # scale 3.5 / 7 = 0.5; 0.6 / 0.5 = 1.2 → 1
    [[0.5, -1.0, 3.5]]
    """
    scheme = check_scheme(scheme)
    matrix = weight_matrix(weight)
    if isinstance(scheme, BlockFormat):
        result = padded_round_trip(matrix, scheme)
    elif scheme == "fp8":
        amax = float(np.max(np.abs(matrix)))
        scale = float(np.float32(amax / FLOAT8_E4M3FN.max)) if amax > 0 else 1.0
        result = round_to(matrix / scale, FLOAT8_E4M3FN, saturate=True) * scale
    else:
        per_channel = not scheme.endswith("-tensor")
        qparams = choose_qparams(matrix, bits=INT_BITS[scheme], symmetric=True, narrow_range=True,
                                 axis=0 if per_channel else None)
        result = fake_quantize(matrix, qparams)
    return result.reshape(np.shape(weight))


def storage_bits(shape, scheme):
    """Bits a weight of ``shape`` takes in ``scheme``, every scale counted (padded blocks too).

    NVFP4 adds its float32 tensor scale; NF4 its int8 absmaxes, one float32 per 256 of them and
    the float32 mean (QLoRA's double quantization).

    >>> storage_bits((10, 256), "nvfp4"), storage_bits((10, 256), "nf4")   # 2560 × 4 + scales
    (11552, 10624)
    """
    scheme = check_scheme(scheme)
    shape = tuple(check_int(size, "shape", low=1) for size in shape)
    if len(shape) < 2:
        raise ValueError(f"shape must have an output-channel axis and an input axis, got {shape}")
    rows, length = shape[0], math.prod(shape[1:])
    if scheme == "fp8":
        return rows * length * 8 + 32
    if scheme in INT_BITS:
        return rows * length * INT_BITS[scheme] + (32 if scheme.endswith("-tensor") else rows * 32)
    blocks = rows * -(-length // scheme.block_size)
    bits = rows * length * scheme.element_bits + blocks * scheme.scale_bits
    if scheme.kind == "nvfp4":
        bits += 32
    if scheme.double_quant:
        bits += 32 * -(-blocks // NF4_DQ_BLOCK) + 32
    return bits


def bits_per_weight(shapes, scheme):
    """Storage bits per weight over several tensors: ``Σ storage_bits / Σ sizes``.

    >>> round(bits_per_weight([(8, 1, 3, 3), (16, 8, 3, 3), (10, 256)], "mxfp4_e2m1"), 3)
    4.288
    """
    total = sum(storage_bits(shape, scheme) for shape in shapes)
    return total / sum(math.prod(shape) for shape in shapes)


def weight_tradeoff(params, weight_names, evaluate, schemes):
    """Each scheme applied to every named weight of ``params``: bits per weight, weight SQNR, score.

    Parameters
    ----------
    params : dict of str → array
        A network's parameters (biases and other entries pass through unchanged).
    weight_names : sequence of str
        The weights to round (``model.architecture.weight_names``).
    evaluate : callable
        ``evaluate(params) -> float``, say a model's test accuracy with these parameters.
    schemes : sequence of str or BlockFormat

    Returns
    -------
    list of dict
        One per scheme: ``name``, ``bits_per_weight`` (:func:`bits_per_weight`), ``sqnr_db`` (all
        the weights together, :func:`numformat.adc.sqnr_db`) and ``score`` (``evaluate``'s answer).

    Examples
    --------
    >>> params = {"fc_weight": np.linspace(-1, 1, 64).reshape(2, 32), "fc_bias": np.zeros(2)}
    >>> rows = weight_tradeoff(params, ["fc_weight"], lambda p: float(p["fc_weight"].max()), ["int8", "mxfp4_e2m1"])
    >>> [(row["name"], row["bits_per_weight"], round(row["sqnr_db"], 1), round(row["score"], 6)) for row in rows]
    [('int8', 9.0, 48.3, 1.0), ('mxfp4_e2m1', 4.25, 20.3, 1.0)]
    """
    if not callable(evaluate):
        raise TypeError(f"evaluate must be a function params -> float, got {type(evaluate).__name__}")
    missing = [name for name in weight_names if name not in params]
    if missing:
        raise ValueError(f"weight_names {missing} are not in params; params has {sorted(params)}")
    originals = np.concatenate([np.ravel(params[name]) for name in weight_names])
    rows = []
    for scheme in schemes:
        scheme = check_scheme(scheme)
        rounded = {name: round_trip(params[name], scheme) for name in weight_names}
        values = np.concatenate([np.ravel(rounded[name]) for name in weight_names])
        rows.append({"name": scheme if isinstance(scheme, str) else scheme.name,
                     "bits_per_weight": bits_per_weight([np.shape(params[name]) for name in weight_names], scheme),
                     "sqnr_db": sqnr_db(originals, values),
                     "score": evaluate({**params, **rounded})})
    return rows
