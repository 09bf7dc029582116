"""Integers: the two's complement wheel, wrap-around against saturation, memory per bit width."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, GREEN, ORANGE, RED


def plot_number_wheel(bits=4, ax=None):
    """Every N-bit code on a circle, read unsigned (grey) and as two's complement (colour).

    Adding 1 steps clockwise.  The red cut is where signed arithmetic overflows
    (``0111 + 1 = 1000``: 7 → -8 in 4 bits), the grey cut where unsigned arithmetic wraps
    (``1111 + 1 = 0000``: 15 → 0).  Draws one point per code and three labels per code.
    """
    import numpy as np
    from matplotlib.patches import Circle

    from ..integers import int_binary, int_from_bits

    if not 2 <= bits <= 6:
        raise ValueError(f"bits={bits!r} does not fit on a readable wheel; use 2 to 6")
    ax = axes_or_new(ax, figsize=(5.5, 5.5))
    count = 2 ** bits
    codes = np.arange(count)
    signed = int_from_bits(codes, bits)
    angles = np.pi / 2 - 2 * np.pi * (codes + 0.5) / count  # code 0 just right of the top, clockwise
    colours = np.where(signed < 0, RED, BLUE)
    ax.scatter(np.cos(angles), np.sin(angles), c=colours, s=60, zorder=3)
    ax.add_patch(Circle((0, 0), 1.0, fill=False, color="lightgrey", zorder=1))
    for code, angle, value in zip(codes.tolist(), angles, signed.tolist()):
        ax.text(1.28 * np.cos(angle), 1.28 * np.sin(angle), int_binary(code, bits, signed=False, group=0),
                ha="center", va="center", family="monospace", fontsize=9)
        ax.text(0.8 * np.cos(angle), 0.8 * np.sin(angle), str(value), ha="center", va="center",
                color=RED if value < 0 else BLUE, fontsize=11, weight="bold")
        ax.text(0.6 * np.cos(angle), 0.6 * np.sin(angle), str(code), ha="center", va="center",
                color="grey", fontsize=8)
    for cut, colour, label in ((count // 2, RED, f"signed overflow\n{count // 2 - 1} + 1 → {-count // 2}"),
                               (0, "grey", f"unsigned wrap\n{count - 1} + 1 → 0")):
        angle = np.pi / 2 - 2 * np.pi * cut / count
        ax.plot([0.45 * np.cos(angle), 1.12 * np.cos(angle)], [0.45 * np.sin(angle), 1.12 * np.sin(angle)],
                color=colour, lw=2)
        ax.annotate(label, (1.12 * np.cos(angle), 1.12 * np.sin(angle)), xytext=(0.6, 1.55 * np.sin(angle)),
                    color=colour, fontsize=9, ha="left", va="center", arrowprops={"arrowstyle": "-", "color": colour})
    ax.set_xlim(-1.6, 1.9)
    ax.set_ylim(-1.85, 1.85)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{bits}-bit codes: two's complement (colour), unsigned (grey)\n+1 steps clockwise")
    return ax


def plot_wraparound(bits=8, signed=True, values=None, ax=None):
    """A ramp of true values pushed into an N-bit integer by wrapping and by saturating.

    ``values`` defaults to a ramp one full range beyond each end.  Draws three lines:
    the true value, the wrapped value (a sawtooth, broken at each jump) and the saturated one.
    """
    import numpy as np

    from ..integers import cast_int, int_range

    lo, hi = int_range(bits, signed)
    span = hi - lo + 1
    values = np.arange(lo - span, hi + span + 1) if values is None else np.asarray(values)
    wrapped = cast_int(values, bits, signed=signed).astype(float)
    jumps = np.flatnonzero(np.diff(wrapped) < 0) + 1  # break the line where it falls back
    ax = axes_or_new(ax)
    name = f"{'' if signed else 'u'}int{bits}"
    ax.plot(values, values, "--", color="grey", lw=1, label="true value")
    ax.plot(values, cast_int(values, bits, signed=signed, overflow="saturate"), color=ORANGE, lw=3.5,
            alpha=0.7, label="saturate (DSP, int8 inference)")
    ax.plot(np.insert(values.astype(float), jumps, np.nan), np.insert(wrapped, jumps, np.nan), color=BLUE,
            lw=1.5, label="wrap (C casts, numpy astype)")
    ax.axhspan(lo, hi, color=GREEN, alpha=0.08, label=f"{name} range [{lo}, {hi}]")
    ax.set_xlabel("true value")
    ax.set_ylabel(f"stored {name} value")
    ax.set_title(f"Overflow in {name}: wrap around or saturate")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def plot_memory(count=1_000_000, widths=(8, 16, 32, 64), bandwidth_gb_s=25.6, ax=None):
    """Megabytes for ``count`` values at each bit width, labelled with the time to read them.

    ``bandwidth_gb_s`` is the memory bus speed; 25.6 GB/s is one channel of DDR4-3200
    (3200 million transfers/s × 8 bytes).  Draws one bar per width.
    """
    ax = axes_or_new(ax)
    megabytes = [count * width / 8 / 1e6 for width in widths]
    bars = ax.bar([f"{width}-bit" for width in widths], megabytes, color=BLUE)
    for bar, size in zip(bars, megabytes):
        microseconds = size * 1e6 / (bandwidth_gb_s * 1e9) * 1e6
        ax.annotate(f"{size:g} MB\n{microseconds:.0f} µs", (bar.get_x() + bar.get_width() / 2, size),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(megabytes) * 1.3)
    ax.set_xlabel("bits per value")
    ax.set_ylabel("memory (MB)")
    ax.set_title(f"{count:,} values: memory, and time to read them at {bandwidth_gb_s:g} GB/s")
    return ax
