"""Matplotlib figures the lessons share.

Each function draws one teaching figure on a given (or new) ``Axes`` and returns the ``Axes``,
so a lesson shows it with one call and ``plt.show()``.  matplotlib is imported inside the
functions: ``import numformat`` stays light.
"""

from __future__ import annotations


def _axes(ax=None, figsize=(8, 3)):
    """The given axes, or a fresh figure's."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


# --- integers ---


def plot_number_wheel(bits=4, ax=None):
    """Every N-bit code on a circle, read unsigned (grey) and as two's complement (colour).

    Adding 1 steps clockwise.  The red cut is where signed arithmetic overflows
    (``0111 + 1 = 1000``: 7 → -8 in 4 bits), the grey cut where unsigned arithmetic wraps
    (``1111 + 1 = 0000``: 15 → 0).  Draws one point per code and three labels per code.
    """
    import numpy as np
    from matplotlib.patches import Circle

    from .integers import int_binary, int_from_bits

    if not 2 <= bits <= 6:
        raise ValueError(f"bits={bits!r} does not fit on a readable wheel; use 2 to 6")
    ax = _axes(ax, figsize=(5.5, 5.5))
    count = 2 ** bits
    codes = np.arange(count)
    signed = int_from_bits(codes, bits)
    angles = np.pi / 2 - 2 * np.pi * (codes + 0.5) / count  # code 0 just right of the top, clockwise
    colours = np.where(signed < 0, "#d9534f", "#4a90d9")
    ax.scatter(np.cos(angles), np.sin(angles), c=colours, s=60, zorder=3)
    ax.add_patch(Circle((0, 0), 1.0, fill=False, color="lightgrey", zorder=1))
    for code, angle, value in zip(codes.tolist(), angles, signed.tolist()):
        ax.text(1.28 * np.cos(angle), 1.28 * np.sin(angle), int_binary(code, bits, signed=False, group=0),
                ha="center", va="center", family="monospace", fontsize=9)
        ax.text(0.8 * np.cos(angle), 0.8 * np.sin(angle), str(value), ha="center", va="center",
                color="#d9534f" if value < 0 else "#4a90d9", fontsize=11, weight="bold")
        ax.text(0.6 * np.cos(angle), 0.6 * np.sin(angle), str(code), ha="center", va="center",
                color="grey", fontsize=8)
    for cut, colour, label in ((count // 2, "#d9534f", f"signed overflow\n{count // 2 - 1} + 1 → {-count // 2}"),
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

    from .integers import cast_int, int_range

    lo, hi = int_range(bits, signed)
    span = hi - lo + 1
    values = np.arange(lo - span, hi + span + 1) if values is None else np.asarray(values)
    wrapped = cast_int(values, bits, signed=signed).astype(float)
    jumps = np.flatnonzero(np.diff(wrapped) < 0) + 1  # break the line where it falls back
    ax = _axes(ax)
    name = f"{'' if signed else 'u'}int{bits}"
    ax.plot(values, values, "--", color="grey", lw=1, label="true value")
    ax.plot(values, cast_int(values, bits, signed=signed, overflow="saturate"), color="#e0803a", lw=3.5,
            alpha=0.7, label="saturate (DSP, int8 inference)")
    ax.plot(np.insert(values.astype(float), jumps, np.nan), np.insert(wrapped, jumps, np.nan), color="#4a90d9",
            lw=1.5, label="wrap (C casts, numpy astype)")
    ax.axhspan(lo, hi, color="#3aa655", alpha=0.08, label=f"{name} range [{lo}, {hi}]")
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
    ax = _axes(ax)
    megabytes = [count * width / 8 / 1e6 for width in widths]
    bars = ax.bar([f"{width}-bit" for width in widths], megabytes, color="#4a90d9")
    for bar, size in zip(bars, megabytes):
        microseconds = size * 1e6 / (bandwidth_gb_s * 1e9) * 1e6
        ax.annotate(f"{size:g} MB\n{microseconds:.0f} µs", (bar.get_x() + bar.get_width() / 2, size),
                    ha="center", va="bottom", fontsize=9)
    ax.set_ylim(0, max(megabytes) * 1.3)
    ax.set_xlabel("bits per value")
    ax.set_ylabel("memory (MB)")
    ax.set_title(f"{count:,} values: memory, and time to read them at {bandwidth_gb_s:g} GB/s")
    return ax


# --- floats ---

_FORMAT_COLOURS = {"float32": "#4a90d9", "float16": "#e0803a", "bfloat16": "#3aa655",
                   "float8_e4m3fn": "#d9534f", "float8_e5m2": "#8e6bbf", "float64": "#555555"}


def _float_formats(formats):
    from .floats import float_format

    return [float_format(fmt) for fmt in formats]


def _positive_values(fmt):
    """Every positive finite value of a format of at most 16 bits, ascending."""
    import numpy as np

    from .floats import from_bits

    if fmt.width > 16:
        raise ValueError(f"fmt={fmt.name} has 2**{fmt.width} values; list formats of at most 16 bits")
    return from_bits(np.arange(1, fmt.max_code + 1), fmt)


def _log_log(ax, base, ylabel, title):
    """Log axes in ``base``, x against the quantity, a legend per format and a light grid."""
    ax.set_xscale("log", base=base)
    ax.set_yscale("log", base=base)
    ax.set_xlabel("x")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    ax.grid(True, which="major", alpha=0.3)
    return ax


def plot_ulp(formats=("float16", "bfloat16", "float32"), points=2000, ax=None):
    """The spacing of floats, ``ulp(x)``, across each format's whole range (log-log).

    One line per format, from its smallest subnormal to its largest value: flat through the
    subnormals (a fixed step), then doubling with every power of two (a constant relative step,
    ``eps``).  Each line's data are ``x`` and ``numformat.ulp(x, fmt)``.
    """
    import numpy as np

    from .floats import ulp

    ax = _axes(ax, figsize=(8, 4))
    for fmt in _float_formats(formats):
        x = np.geomspace(fmt.min_subnormal, fmt.max, points)
        ax.plot(x, ulp(x, fmt), drawstyle="steps-post", color=_FORMAT_COLOURS.get(fmt.name),
                label=f"{fmt.name}: {fmt.mantissa_bits} mantissa bits, up to {fmt.max:.3g}")
    return _log_log(ax, 10, "ulp(x): gap to the next float",
                    "Float spacing grows with magnitude: flat in the subnormals, then ∝ x")


def plot_value_grid(formats=("float8_e4m3fn", "float8_e5m2"), ax=None):
    """Every positive finite value of small formats as a tick on a log axis, one row each.

    Subnormals are drawn grey, normal numbers in the format's colour; each row is one scatter
    collection whose x offsets are the values.
    """
    import numpy as np

    ax = _axes(ax, figsize=(9, 0.9 + 0.8 * len(formats)))
    formats = _float_formats(formats)
    for row, fmt in enumerate(formats):
        values = _positive_values(fmt)
        colours = np.where(values < fmt.min_normal, "grey", _FORMAT_COLOURS.get(fmt.name, "#4a90d9"))
        ax.scatter(values, np.full(values.size, row), marker="|", s=300, c=colours, linewidths=1)
    ax.set_yticks(range(len(formats)),
                  [f"{fmt.name}\n{_positive_values(fmt).size} values" for fmt in formats])
    ax.set_ylim(len(formats) - 0.3, -0.7)  # first format on top
    ax.set_xscale("log", base=2)
    ax.set_xlabel("positive value (log scale; grey: subnormal)")
    ax.set_title("Every positive number an 8-bit float can hold")
    return ax


def plot_relative_spacing(formats=("float8_e4m3fn", "float8_e5m2", "float16"), ax=None):
    """Relative gap to the next value, ``ulp(x) / x``, at every positive value of each format.

    A sawtooth between ``eps/2`` and ``eps`` across the normal range (precision), rising in the
    subnormals, over as wide a span as the exponent allows (range).
    """
    from .floats import ulp

    ax = _axes(ax, figsize=(8, 4))
    for fmt in _float_formats(formats):
        values = _positive_values(fmt)
        ax.plot(values, ulp(values, fmt) / values, color=_FORMAT_COLOURS.get(fmt.name),
                label=f"{fmt.name} (eps = 2^-{fmt.mantissa_bits})")
    return _log_log(ax, 2, "ulp(x) / x: relative gap",
                    "Range (how wide) against precision (how fine): relative spacing")
