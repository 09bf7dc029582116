"""Calibration: choosing the ``[min, max]`` range to quantize from sample activations.

Weights are known, so their range is simply their min and max.  Activations are only known
from samples (a few hundred calibration images run through the float model), and their
distributions have long tails: a single outlier can stretch ``[min, max]`` so far that the
bulk of the values share a handful of codes.  Clipping the tail trades a large error on a few
values for a smaller step everywhere else.  Four ways to choose the range:

``"minmax"``
    The observed min and max: no clipping (TFLite's and PyTorch's default observers).
``"percentile"``
    Cut ``(100 - percentile)`` percent off each tail (NVIDIA's ``pytorch-quantization``,
    onnxruntime's ``PercentileCalibrater``).  Option ``percentile=99.99``.
``"mse"``
    Shrink ``[min, max]`` towards 0 by factors ``k / steps`` and keep the range whose
    quantize-dequantize error ``mean((fake_quantize(x) - x)**2)`` is smallest.  Options
    ``bits=8``, ``symmetric=False``, ``steps=100``.
``"entropy"``
    TensorRT's calibrator (Migacz, "8-bit Inference with TensorRT", GTC 2017): a 2048-bin
    histogram of ``|x|`` (exact zeros left out), and the clipping threshold whose 128-level
    quantized histogram has the least KL divergence from the clipped original.  Options
    ``bins=2048``, ``bits=8``.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> x = np.append(rng.standard_normal(10_000), 40.0)        # one outlier
>>> for method in CALIBRATION_METHODS:
...     low, high = calibrate(x, method)
...     print(f"{method:10} {low:7.2f} {high:6.2f}")
minmax       -3.90  40.00
percentile   -3.77   3.48
mse          -3.86  39.60
entropy      -3.42   3.42

Percentile and entropy clip the outlier; the mean squared error keeps it, because clipping 40
to 3.5 would cost more squared error than 10,000 values lose to a step of 0.17.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..checks import check_int, check_mode, check_real, finite_floats
from .mapping import choose_qparams

CALIBRATION_METHODS = ("minmax", "percentile", "mse", "entropy")
_DEFAULTS = {
    "minmax": {},
    "percentile": {"percentile": 99.99},
    "mse": {"bits": 8, "symmetric": False, "steps": 100},
    "entropy": {"bins": 2048, "bits": 8},
}


def calibrate(samples, method="minmax", **opts):
    """The range ``(min, max)`` to quantize ``samples`` with, chosen by ``method``.

    Parameters
    ----------
    samples : array_like of float
        Sample values (any shape; flattened), finite, at least one.
    method : {"minmax", "percentile", "mse", "entropy"}
        See the module docstring.
    **opts
        ``percentile`` (in (50, 100], for ``"percentile"``); ``bits``, ``symmetric``, ``steps``
        (for ``"mse"``); ``bins``, ``bits`` (for ``"entropy"``).

    Returns
    -------
    (min, max) : tuple of float
        Pass them to :func:`choose_qparams(min=..., max=...) <numformat.quant.choose_qparams>`.

    Examples
    --------
    >>> calibrate([0.5, -2.0, 3.0])
    (-2.0, 3.0)
    >>> calibrate(np.arange(1001.0), "percentile", percentile=99)
    (10.0, 990.0)
    """

    check_mode(method, CALIBRATION_METHODS, "method")
    x = finite_floats(samples, "samples").astype(np.float64).ravel()
    options = _options(method, opts)
    low, high = _METHODS[method](x, **options)
    return float(low), float(high)


def _options(method, opts):
    allowed = _DEFAULTS[method]
    unknown = sorted(set(opts) - set(allowed))
    if unknown:
        names = ", ".join(allowed) or "none"
        raise TypeError(f"calibrate(method={method!r}) got an unknown option {unknown[0]!r}; its options: {names}")
    options = {**allowed, **opts}
    for name in ("bits", "steps", "bins"):
        if name in options:
            options[name] = check_int(options[name], name, low=1)
    if "percentile" in options:
        options["percentile"] = check_real(options["percentile"], "percentile", low=50, high=100, low_open=True)
    if method == "entropy" and options["bins"] < 2 ** (options["bits"] - 1):
        raise ValueError(f"bins={options['bins']} must be at least the {2 ** (options['bits'] - 1)} "
                         f"quantized levels of bits={options['bits']}")
    return options


def _minmax(x):
    return x.min(), x.max()


def _percentile(x, percentile):
    """Both tails cut at ``100 - percentile`` percent (linear interpolation between samples)."""
    return np.percentile(x, 100 - percentile), np.percentile(x, percentile)


_MSE_MEMO = {}        # (digest of x, bits, symmetric, steps) → range: a lesson searches the same weights again and again
_MSE_MEMO_SIZE = 512


def _mse(x, bits, symmetric, steps):
    """The range ``(k/steps)·[min, max]``, k = 1..steps, with the least quantize-dequantize MSE
    (remembered for the last :data:`_MSE_MEMO_SIZE` arrays searched: it is a pure function)."""
    key = (hashlib.blake2b(np.ascontiguousarray(x).view(np.uint8), digest_size=16).hexdigest(), x.dtype.str,
           x.shape, bits, symmetric, steps)
    if key not in _MSE_MEMO:
        if len(_MSE_MEMO) >= _MSE_MEMO_SIZE:
            del _MSE_MEMO[next(iter(_MSE_MEMO))]
        _MSE_MEMO[key] = _mse_search(x, bits, symmetric, steps)
    return _MSE_MEMO[key]


def _mse_search(x, bits, symmetric, steps):
    low, high = min(x.min(), 0.0), max(x.max(), 0.0)
    if low == high:
        return low, high
    best_error, best = np.inf, (low, high)
    for fraction in np.arange(1, steps + 1) / steps:
        qp = choose_qparams(min=fraction * low, max=fraction * high, bits=bits, signed=True,
                            symmetric=symmetric, narrow_range=symmetric)
        error = _grid_error(x, qp)
        if error < best_error:
            best_error, best = error, (fraction * low, fraction * high)
    return best


def _grid_error(x, qp):
    """``np.mean((fake_quantize(x, qp) - x) ** 2)`` for a per-tensor ``qp``, bit for bit, in fewer
    passes: the clamped, rounded quotient is the code minus the zero point already, so its product
    with the scale is the dequantized value without the round trip through integer codes."""
    float32_exact = -(2 ** 24) <= qp.qmin and qp.qmax <= 2 ** 24
    work = np.float32 if x.dtype == np.float32 and float32_exact else np.float64
    x = x.astype(work, copy=False)
    with np.errstate(over="ignore"):
        steps = np.divide(x, work(qp.scale))
    np.rint(steps, out=steps)
    np.clip(steps, work(qp.qmin - qp.zero_point), work(qp.qmax - qp.zero_point), out=steps)
    return np.mean((float(qp.scale) * steps.astype(np.float64) - x) ** 2)


def entropy_threshold(magnitudes, bins=2048, bits=8):
    """TensorRT's KL-divergence threshold for ``|x|`` values, and the divergence of each candidate.

    For ``i`` from 128 (or ``levels = 2**(bits-1)`` if that is more) to ``bins`` kept
    histogram bins -- NVIDIA's pytorch-quantization also starts at 128 whatever the bit width,
    which keeps a 3-bit search away from degenerate few-bin candidates: the reference
    distribution ``P`` is the first ``i`` bins with every count beyond them added to the last
    one; the candidate ``Q`` merges those ``i`` bins into ``levels`` groups and spreads each
    group's count evenly over its non-empty bins (empty bins stay empty).  The threshold is the
    upper edge of the kept bins for the ``i`` with the least ``KL(P || Q)`` (the largest such
    ``i`` on ties).  A candidate whose last kept bin is empty while outliers lie beyond it has
    ``Q = 0`` where ``P > 0``: infinite divergence.

    Returns
    -------
    threshold : float
    kept_bins : numpy.ndarray of int
        The candidate ``i`` values.
    divergence : numpy.ndarray of float
        ``KL(P || Q)`` in nats for each candidate.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> threshold, kept, kl = entropy_threshold(np.abs(rng.standard_normal(50_000)))
    >>> round(threshold, 3), kept[[0, -1]].tolist()
    (4.032, [128, 2048])
    """
    levels = 2 ** (bits - 1)
    amax = float(np.max(magnitudes))
    if amax == 0:
        return 0.0, np.array([], dtype=np.int64), np.array([])
    counts, edges = np.histogram(magnitudes, bins=bins, range=(0.0, amax))
    counts = counts.astype(np.float64)
    total = counts.sum()
    kept_bins = np.arange(min(max(levels, 128), bins), bins + 1)
    # Every candidate at once, from prefix sums.  Bin j < i belongs to group floor(j·levels/i),
    # so group k spans bins ceil(k·i/levels) .. ceil((k+1)·i/levels) - 1.
    count_cum = np.concatenate([[0.0], np.cumsum(counts)])
    nonzero_cum = np.concatenate([[0], np.cumsum(counts > 0)])
    bounds = (np.arange(levels + 1) * kept_bins[:, None] + levels - 1) // levels
    group_counts = np.diff(count_cum[bounds], axis=1)
    group_nonzero = np.diff(nonzero_cum[bounds], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_q = np.where(group_nonzero > 0, np.log(group_counts / group_nonzero), 0.0)  # Q's value in the group
    outliers = total - count_cum[kept_bins]
    last = counts[kept_bins - 1]
    # KL(P||Q) = (Σ p·log p - Σ p·log q) / N - log N + log S with N = Σ p (all counts), S = Σ q (kept counts)
    p_log_p = np.concatenate([[0.0], np.cumsum(_x_log_x(counts))])[kept_bins - 1] + _x_log_x(last + outliers)
    p_log_q = np.sum(group_counts * log_q, axis=1) + outliers * log_q[:, -1]  # the outliers sit in the last bin
    with np.errstate(divide="ignore", invalid="ignore"):  # S = 0 only where the next line says inf
        divergence = (p_log_p - p_log_q) / total - np.log(total) + np.log(count_cum[kept_bins])
    divergence[(last == 0) & (outliers > 0)] = np.inf
    best = kept_bins.size - 1 - np.argmin(divergence[::-1])  # the largest of equal minima
    return float(edges[kept_bins[best]]), kept_bins, divergence


def _x_log_x(values):
    """``v·log(v)``, with 0 for ``v = 0``."""
    positive = values > 0
    return np.where(positive, values * np.log(np.where(positive, values, 1.0)), 0.0)


def _entropy(x, bins, bits):
    """The symmetric threshold ``±t`` from :func:`entropy_threshold`, kept inside the data's range.

    Exact zeros are left out of the histogram: every range represents them exactly, and the
    spike ReLU puts at 0 (80% of some layers' outputs) would otherwise dominate the divergence
    and pull the threshold far into the data (NVIDIA's pytorch-quantization flattens the first
    bin for the same reason).
    """
    magnitudes = np.abs(x[x != 0])
    if magnitudes.size == 0:
        return x.min(), x.max()
    threshold, _, _ = entropy_threshold(magnitudes, bins, bits)
    return max(x.min(), -threshold), min(x.max(), threshold)


_METHODS = {"minmax": _minmax, "percentile": _percentile, "mse": _mse, "entropy": _entropy}
