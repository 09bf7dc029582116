"""Floats: ulp across magnitudes, the value grids of small formats, relative spacing."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, FORMAT_COLOURS


def _float_formats(formats):
    from ..floats import float_format

    return [float_format(fmt) for fmt in formats]


def _positive_values(fmt):
    """Every positive finite value of a format of at most 16 bits, ascending."""
    import numpy as np

    from ..floats import from_bits

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

    from ..floats import ulp

    ax = axes_or_new(ax, figsize=(8, 4))
    for fmt in _float_formats(formats):
        x = np.geomspace(fmt.min_subnormal, fmt.max, points)
        ax.plot(x, ulp(x, fmt), drawstyle="steps-post", color=FORMAT_COLOURS.get(fmt.name),
                label=f"{fmt.name}: {fmt.mantissa_bits} mantissa bits, up to {fmt.max:.3g}")
    return _log_log(ax, 10, "ulp(x): gap to the next float",
                    "Float spacing grows with magnitude: flat in the subnormals, then ∝ x")


def plot_value_grid(formats=("float8_e4m3fn", "float8_e5m2"), ax=None):
    """Every positive finite value of small formats as a tick on a log axis, one row each.

    Subnormals are drawn grey, normal numbers in the format's colour; each row is one scatter
    collection whose x offsets are the values.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(9, 0.9 + 0.8 * len(formats)))
    formats = _float_formats(formats)
    for row, fmt in enumerate(formats):
        values = _positive_values(fmt)
        colours = np.where(values < fmt.min_normal, "grey", FORMAT_COLOURS.get(fmt.name, BLUE))
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
    from ..floats import ulp

    ax = axes_or_new(ax, figsize=(8, 4))
    for fmt in _float_formats(formats):
        values = _positive_values(fmt)
        ax.plot(values, ulp(values, fmt) / values, color=FORMAT_COLOURS.get(fmt.name),
                label=f"{fmt.name} (eps = 2^-{fmt.mantissa_bits})")
    return _log_log(ax, 2, "ulp(x) / x: relative gap",
                    "Range (how wide) against precision (how fine): relative spacing")
