"""Beyond int8: Deep Compression's size waterfall, shared weights, power-of-two levels."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, GREY, LIGHT_GREEN, RED, VIOLET, YELLOW


def plot_size_waterfall(stage_bits, ax=None, reference_bits=None):
    """Bytes after each compression stage as falling bars, each labelled with its size in whole
    bytes (rounded up, as :class:`~numformat.compress.ReportRow` counts them) and its ratio.

    ``stage_bits`` maps stage names, in order, to bits (``EncodedModel.stage_bits()``); the
    first stage is the reference for the "× smaller" labels unless ``reference_bits`` is given.
    """
    ax = axes_or_new(ax, figsize=(8, 3.5))
    names = list(stage_bits)
    sizes = [stage_bits[name] / 8 for name in names]
    reference = (reference_bits / 8) if reference_bits else sizes[0]
    colours = [GREY, BLUE, YELLOW, LIGHT_GREEN, RED, VIOLET]
    bars = ax.bar(range(len(names)), sizes, color=colours[:len(names)] * (1 + len(names) // len(colours)))
    for position, (bar, size) in enumerate(zip(bars, sizes)):
        whole_bytes = (stage_bits[names[position]] + 7) // 8  # a file holds whole bytes, as the report counts them
        ax.annotate(f"{whole_bytes:,} B\n{reference / size:.1f}× smaller", (position, size), textcoords="offset points",
                    xytext=(0, 3), ha="center", fontsize=8)
        if position:
            ax.plot([position - 1.4, position - 0.4], [sizes[position - 1]] * 2, color="black", lw=0.8, ls=":")
    ax.set_xticks(range(len(names)), names, fontsize=9)
    ax.set_ylabel("bytes")
    ax.set_ylim(0, max(sizes) * 1.25)
    return ax


def plot_shared_weights(weights, mask, centroids_before, centroids_after=None, ax=None, bins=80):
    """Histogram of a layer's kept weights with its k-means centroids (before/after fine-tuning)."""
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    kept = np.asarray(weights)[np.asarray(mask)]
    ax.hist(kept, bins=bins, color="#cfd8dc", edgecolor="#90a4ae", label=f"{kept.size} kept weights")
    for index, value in enumerate(np.ravel(centroids_before)):
        ax.axvline(value, color=BLUE, ls="--", lw=1.2, label="centroids after k-means" if index == 0 else None)
    if centroids_after is not None:
        for index, value in enumerate(np.ravel(centroids_after)):
            ax.axvline(value, color=RED, lw=1.5, label="centroids after fine-tuning" if index == 0 else None)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    return ax


def plot_power_of_two_levels(weights, levels, ax=None, bins=120):
    """Histogram of weights with the power-of-two levels they may take drawn as vertical lines."""
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    ax.hist(np.ravel(weights), bins=bins, color="#cfd8dc", edgecolor="#90a4ae")
    for index, level in enumerate(np.ravel(levels)):
        ax.axvline(level, color=VIOLET, lw=1, alpha=0.8, label="0 and ±2^n levels" if index == 0 else None)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count")
    ax.legend(fontsize=8)
    return ax
