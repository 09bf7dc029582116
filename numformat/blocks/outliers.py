"""Outlier channels and three ways around them: keep them, scale them (AWQ), split them (LLM.int8()).

A linear layer computes ``y = x · Wᵀ``.  In large language models a few input features (channels
of ``x``) are tens of times larger than the rest, in every token (Dettmers et al., "LLM.int8():
8-bit Matrix Multiplication for Transformers at Scale", NeurIPS 2022, section 4: in every layer
from 6.7B parameters on, a handful of the thousands of features, ``|x| ≥ 6``).  Two things go wrong:

* **weights**: an error in column ``j`` of ``W`` reaches ``y`` multiplied by ``x_j``, so the few
  columns that meet large activations matter most.  Lin et al. ("AWQ: Activation-aware Weight
  Quantization for LLM Compression and Acceleration", MLSys 2024, arXiv 2306.00978, 2023) find
  that keeping the **1% most salient** columns (by mean ``|x|``) in float16 recovers most of
  4-bit round-to-nearest's loss, and that **scaling** those columns up by ``s`` before rounding
  (and ``x`` down by ``s``, folded into the previous operator) does as well with every weight in
  4 bits: ``s = mean|x|^α``, α searched on a grid to minimise the layer's output error;
* **activations**: int8 with one scale per token spends its 255 codes on the outlier, and the
  other features round to a few codes.  LLM.int8() multiplies the outlier features (any
  ``|x| ≥ 6``) in float16 and the rest in int8, vector-wise (a scale per row of ``x`` and per
  output channel of ``W``).

Functions here work on arrays: ``x`` ``(tokens, features)`` and ``weight`` ``(outputs, features)``;
any weight scheme of :mod:`numformat.blocks.schemes` rounds the weights.

Examples
--------
>>> x = np.array([[1.0, 0.5, 20.0], [-0.5, 1.0, -18.0]])
>>> salient_channels(x, fraction=0.34).tolist()        # the feature with the largest mean |x|
[2]
>>> w = np.array([[0.1, 0.2, 0.3]])
>>> llm_int8_matmul(x, w).round(4).tolist()            # feature 2 in float16, 0 and 1 in int8
[[6.2], [-5.3]]
"""

from __future__ import annotations

import numpy as np

from ..adc import sqnr_db
from ..checks import as_float64_array, check_fraction, check_int, check_real
from ..floats import FLOAT16, round_to
from ..quant import choose_qparams, quantize
from .schemes import check_scheme, round_trip, storage_bits

LLM_INT8_THRESHOLD = 6.0  # Dettmers et al. 2022, section 3.2: outlier features have |x| ≥ 6
AWQ_GRID = 20  # Lin et al. 2023, section 3.2: α searched over 20 points of [0, 1)


def check_layer(x, weight):
    """``x`` ``(tokens, features)`` and ``weight`` ``(outputs, features)`` as finite float64 arrays."""
    x = as_float64_array(x, "x")
    weight = as_float64_array(weight, "weight")
    if x.ndim != 2 or weight.ndim != 2 or x.shape[1] != weight.shape[1]:
        raise ValueError(f"x must be (tokens, features) and weight (outputs, features) with the same features; "
                         f"got x {x.shape} and weight {weight.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(weight))):
        raise ValueError("x and weight must be finite")
    return x, weight


def salient_channels(x, fraction=0.01):
    """Indices of the ``fraction`` of input features with the largest mean ``|x|`` (at least one),
    largest first: AWQ's activation-based saliency."""
    x = as_float64_array(x, "x")
    count = max(1, round(check_fraction(fraction, "fraction") * x.shape[-1]))
    magnitude = np.mean(np.abs(x.reshape(-1, x.shape[-1])), axis=0)
    return np.argsort(-magnitude, kind="stable")[:count]


def keep_salient(x, weight, scheme, fraction=0.01):
    """``weight`` rounded through ``scheme`` except its salient columns, kept in float16."""
    x, weight = check_layer(x, weight)
    rounded = round_trip(weight, scheme)
    kept = salient_channels(x, fraction)
    rounded[:, kept] = round_to(weight[:, kept], FLOAT16)
    return rounded


def awq_scales(x, alpha):
    """AWQ's per-feature scales ``mean|x|^α``, normalised by ``sqrt(max · min)`` as its code does."""
    magnitude = np.maximum(np.mean(np.abs(x), axis=0), 1e-4)
    scales = magnitude ** alpha
    return scales / np.sqrt(scales.max() * scales.min())


def awq(x, weight, scheme, grid=AWQ_GRID):
    """AWQ's scale search: the effective weight ``round_trip(W · s) / s`` with the best α and that α.

    The output error ``‖x·Wᵀ − (x/s)·Q(W·s)ᵀ‖`` is measured on ``x`` (the calibration tokens) for
    α = 0, 1/grid, ..., (grid−1)/grid; α = 0 (``s = 1``) is plain round-to-nearest, so the
    search never does worse than it on ``x``.

    Returns
    -------
    (numpy.ndarray, float)
    """
    x, weight = check_layer(x, weight)
    check_int(grid, "grid", low=1)
    reference = x @ weight.T
    best = None
    for alpha in np.arange(grid) / grid:
        scales = awq_scales(x, alpha)
        effective = round_trip(weight * scales, scheme) / scales
        error = float(np.sum((x @ effective.T - reference) ** 2))
        if best is None or error < best[0]:
            best = (error, effective, float(alpha))
    return best[1], best[2]


def int8_rowwise(values):
    """Symmetric int8 codes (-127..127) with one absmax scale per row, as LLM.int8()'s vector-wise
    quantization: ``(codes int8, scales float64 (rows,))``."""
    qparams = choose_qparams(values, symmetric=True, narrow_range=True, axis=0)
    return quantize(values, qparams), qparams.scale


def llm_int8_matmul(x, weight, threshold=LLM_INT8_THRESHOLD):
    """LLM.int8()'s ``x · Wᵀ``: features with any ``|x| ≥ threshold`` in float16, the rest in int8.

    The int8 part multiplies vector-wise codes (one scale per token, one per output channel) and
    accumulates exactly in integers; ``threshold=np.inf`` gives plain vector-wise int8, the
    baseline LLM.int8() improves on.
    """
    x, weight = check_layer(x, weight)
    threshold = check_real(threshold, "threshold", low=0, low_open=True)
    outliers = np.any(np.abs(x) >= threshold, axis=0)
    result = round_to(x[:, outliers], FLOAT16) @ round_to(weight[:, outliers], FLOAT16).T
    if np.all(outliers):
        return result
    x_codes, x_scales = int8_rowwise(x[:, ~outliers])
    w_codes, w_scales = int8_rowwise(weight[:, ~outliers])
    accumulators = x_codes.astype(np.int64) @ w_codes.astype(np.int64).T  # int32 in the kernels; exact here
    return result + accumulators * np.outer(x_scales, w_scales)


def outlier_methods(x, weight, scheme, *, fraction=0.01):
    """The layer's output through each method: a dict name → ``(outputs, bits per weight)``.

    Methods: ``"round to nearest"`` (every weight in ``scheme``), ``"keep 1% in float16"``,
    ``"AWQ scaling"`` (the scales stored as float16, one per feature), ``"int8 per token"`` and
    ``"LLM.int8()"`` (weights and activations in int8: the activation problem).  Bits count every
    scale and, for kept columns, 16 bits per weight plus a 16-bit index per column.  AWQ's scales
    are counted as stored (16 bits per feature); in a transformer they fold into the previous
    LayerNorm or linear layer and cost nothing.
    """
    x, weight = check_layer(x, weight)
    scheme = check_scheme(scheme)
    outputs, features = weight.shape
    base_bits = storage_bits(weight.shape, scheme)
    kept = len(salient_channels(x, fraction))
    awq_weight, _ = awq(x, weight, scheme)
    int8_bits = storage_bits(weight.shape, "int8") / weight.size
    return {
        "round to nearest": (x @ round_trip(weight, scheme).T, base_bits / weight.size),
        "keep 1% in float16": (x @ keep_salient(x, weight, scheme, fraction).T,
                               (base_bits + kept * (outputs * 16 + 16)) / weight.size),
        "AWQ scaling": (x @ awq_weight.T, (base_bits + 16 * features) / weight.size),
        "int8 per token": (llm_int8_matmul(x, weight, np.inf), int8_bits),
        "LLM.int8()": (llm_int8_matmul(x, weight), int8_bits),
    }


def outlier_study(x, weight, scheme, *, fraction=0.01):
    """Output SQNR (dB) and bits per weight of every method of :func:`outlier_methods`.

    Examples
    --------
    >>> x, w = synthetic_outlier_layer(np.random.default_rng(0))
    >>> study = outlier_study(x, w, "int4-g128")
    >>> for name, (sqnr, bits) in study.items():
    ...     print(f"{name:20} {sqnr:5.1f} dB {bits:6.3f} bits")
    round to nearest      19.7 dB  4.156 bits
    keep 1% in float16    32.6 dB  4.345 bits
    AWQ scaling           26.6 dB  4.281 bits
    int8 per token        30.2 dB  8.125 bits
    LLM.int8()            52.8 dB  8.125 bits
    """
    reference = check_layer(x, weight)[0] @ as_float64_array(weight, "weight").T
    return {name: (sqnr_db(reference, output), bits)
            for name, (output, bits) in outlier_methods(x, weight, scheme, fraction=fraction).items()}


def synthetic_outlier_layer(rng, *, tokens=512, features=256, outputs=128, outlier_features=3, magnitude=40.0):
    """A **synthetic** layer with outlier features, built to LLM.int8()'s description: ``x`` standard
    normal with ``outlier_features`` features multiplied by ``magnitude`` in every token, and a
    weight ``N(0, 1/features)``.  Not a trained layer: a stand-in for the language models' (the
    course's networks are too small to grow such features).

    Returns
    -------
    (x, weight) : float64 arrays ``(tokens, features)`` and ``(outputs, features)``
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    features = check_int(features, "features", low=2)
    count = check_int(outlier_features, "outlier_features", low=0, high=features)
    x = rng.standard_normal((check_int(tokens, "tokens", low=1), features))
    x[:, rng.choice(features, count, replace=False)] *= check_real(magnitude, "magnitude", low=0, low_open=True)
    weight = rng.standard_normal((check_int(outputs, "outputs", low=1), features)) / np.sqrt(features)
    return x, weight
