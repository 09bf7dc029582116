"""int8 mapping: the affine staircase, code histograms, channel ranges, calibration ranges."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, RED


def plot_affine_mapping(qp, low=None, high=None, ax=None):
    """The staircase ``x → dequantize(quantize(x))`` of a per-tensor mapping, codes on the right.

    Draws the identity (dashed), the staircase, a dot where real 0.0 lands (exactly on the
    code ``zero_point``) and shades the clipped regions beyond the representable range.
    ``low``/``high`` default to one step and a half beyond the range on each side.
    """
    import numpy as np

    from ..quant import fake_quantize

    ax = axes_or_new(ax, figsize=(7, 4))
    real_low, real_high = qp.real_range
    margin = 1.5 * qp.scale
    low = real_low - margin if low is None else low
    high = real_high + margin if high is None else high
    x = np.linspace(low, high, 2001)
    ax.plot(x, x, "--", color="grey", lw=1, label="x (no rounding)")
    ax.plot(x, fake_quantize(x, qp), color=BLUE, lw=2, label="dequantize(quantize(x))")
    ax.plot([0.0], [0.0], "o", color=RED, zorder=3, label=f"0.0 → code {qp.zero_point} → 0.0")
    for start, stop in ((low, real_low), (real_high, high)):
        if stop > start:
            ax.axvspan(start, stop, color=RED, alpha=0.1)
    codes = np.arange(qp.qmin, qp.qmax + 1)
    right = ax.secondary_yaxis("right", functions=(lambda v: v / qp.scale + qp.zero_point,
                                                   lambda c: (c - qp.zero_point) * qp.scale))
    right.set_ylabel("code q")
    if codes.size <= 16:
        right.set_yticks(codes)
    ax.set_xlabel("real value x")
    ax.set_ylabel("real value after the round trip")
    ax.set_title(f"scale = {qp.scale:.4g}, zero point = {qp.zero_point}, codes {qp.qmin}..{qp.qmax}")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_code_histogram(values, qp, ax=None, title=None):
    """How often each code is used: a histogram with one bin per code (256 bins for 8 bits).

    Draws one filled step per code from ``qp.qmin`` to ``qp.qmax``, a red line at the zero point, and
    says in the title how many of the codes the values actually use.
    """
    import numpy as np

    from ..quant import quantize

    if qp.axis is not None:
        raise ValueError("plot_code_histogram draws a per-tensor mapping; got per-channel QParams")
    ax = axes_or_new(ax, figsize=(8, 3))
    codes = quantize(values, qp).astype(np.int64).ravel()
    counts = np.bincount(codes - qp.qmin, minlength=qp.qmax - qp.qmin + 1)
    ax.stairs(counts, np.arange(qp.qmin, qp.qmax + 2) - 0.5, fill=True, color=BLUE)  # one bin per code
    ax.axvline(qp.zero_point, color=RED, lw=1, label=f"zero point {qp.zero_point}")
    used = int(np.count_nonzero(counts))
    ax.set_xlim(qp.qmin - 0.5, qp.qmax + 0.5)
    ax.set_xlabel("code q")
    ax.set_ylabel("count")
    ax.set_title(f"{title + ': ' if title else ''}{codes.size} values use {used} of {counts.size} codes", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def plot_channel_ranges(weights, axis=0, ax=None):
    """Each output channel's [min, max] as a bar, against the one range a per-tensor scale must cover.

    Draws one vertical bar per channel along ``axis`` and two dashed lines at the tensor's
    min and max.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    weights = np.moveaxis(np.asarray(weights, dtype=np.float64), axis, 0).reshape(np.shape(weights)[axis], -1)
    low, high = weights.min(axis=1), weights.max(axis=1)
    channels = np.arange(len(low))
    ax.vlines(channels, low, high, color=BLUE, lw=6, label="per channel: [min, max]")
    for level in (weights.min(), weights.max()):
        ax.axhline(level, ls="--", color=RED, lw=1)
    ax.plot([], [], "--", color=RED, label="per tensor: the whole layer's range")
    ax.axhline(0.0, color="grey", lw=0.5)
    ax.set_xticks(channels)
    ax.set_xlabel("output channel")
    ax.set_ylabel("weight value")
    span = weights.max() - weights.min()
    ax.set_ylim(weights.min() - 0.05 * span, weights.max() + 0.3 * span)  # room for the legend
    ax.legend(fontsize=8, loc="upper left", ncols=2)
    return ax


def plot_error_bars(errors, ax=None, ylabel="mean squared error", log=False):
    """Grouped bars of ``errors[group][scheme]`` (e.g. layer → quantization scheme); ``log`` for a log axis."""
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    groups = list(errors)
    schemes = list(errors[groups[0]])
    width = 0.8 / len(schemes)
    for index, scheme in enumerate(schemes):
        heights = [errors[group][scheme] for group in groups]
        ax.bar(np.arange(len(groups)) + (index - (len(schemes) - 1) / 2) * width, heights, width, label=scheme)
    ax.set_xticks(np.arange(len(groups)), groups)
    if log:
        ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return ax


def plot_calibration_ranges(samples, ranges, ax=None, bins=200):
    """A histogram of activations (log counts) with the range each calibration method chose.

    ``ranges`` maps a method name to ``(min, max)``; draws one histogram and, per method, a
    vertical line at its ``max`` (and at its ``min`` when that is below 0).
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    values = np.ravel(samples)
    ax.hist(values, bins=bins, color="lightgrey", log=True)
    for index, (method, (low, high)) in enumerate(ranges.items()):
        colour = f"C{index}"
        ax.axvline(high, color=colour, lw=1.5, label=f"{method}: [{low:.3g}, {high:.3g}]")
        if low < 0:
            ax.axvline(low, color=colour, lw=1.5)
    ax.set_xlabel("activation value")
    ax.set_ylabel("count (log)")
    ax.legend(fontsize=8)
    return ax
