"""Fixed point: bit layouts, range against resolution, rounding modes and their bias, overflow."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, DARK_GREY, FIELD_COLOURS, GREEN, ORANGE

_Q_ROLES = ("sign", "integer", "fraction")


def _broken_at_jumps(x, y, jump):
    """x, y with NaN inserted where y jumps by more than ``jump``, so a line is not drawn across."""
    import numpy as np

    cuts = np.flatnonzero(np.abs(np.diff(y)) > jump) + 1
    return np.insert(np.asarray(x, float), cuts, np.nan), np.insert(np.asarray(y, float), cuts, np.nan)


def plot_qformat_bits(value, ax=None):
    """The bits of one scalar :class:`~numformat.fixed.Fixed` as coloured boxes, each with its weight.

    The sign bit of a signed word weighs ``-2**m``; the others ``2**(m-1)`` down to ``2**-n``.
    The value is the sum of the weights of the bits that are set.
    """
    from matplotlib.patches import Patch, Rectangle

    fmt, bits = value.fmt, value.binary.replace(".", "")
    word = fmt.word_bits
    ax = axes_or_new(ax, figsize=(max(6.0, 0.5 * word), 2.0))
    for index, digit in enumerate(bits):
        power = word - 1 - index - fmt.n
        role = "sign" if fmt.signed and index == 0 else ("integer" if power >= 0 else "fraction")
        ax.add_patch(Rectangle((index, 0), 0.9, 1, color=FIELD_COLOURS[role], alpha=0.95 if digit == "1" else 0.3))
        ax.text(index + 0.45, 0.5, digit, ha="center", va="center", color="white" if digit == "1" else DARK_GREY,
                fontsize=13, weight="bold")
        sign = "-" if role == "sign" else ""
        ax.text(index + 0.45, -0.3, f"${sign}2^{{{power}}}$", ha="center", va="center", fontsize=8)
    if fmt.n:
        point = word - fmt.n - 0.05
        ax.plot([point], [0.02], "o", color="black", markersize=5)
    ax.set_xlim(-0.2, word + 0.1)
    ax.set_ylim(-0.65, 1.15)
    ax.axis("off")
    ax.set_title(f"{fmt} ({word}-bit word): raw {value.raw} = {value.raw} / 2^{fmt.n} = {value.exact}", fontsize=10)
    roles = [role for role in _Q_ROLES if role != "sign" or fmt.signed]
    ax.legend(handles=[Patch(color=FIELD_COLOURS[role], label=role) for role in roles], loc="upper right",
              bbox_to_anchor=(1.0, -0.02), ncol=3, fontsize=8, frameon=False)
    return ax


def plot_range_resolution(word_bits=16, ax=None):
    """Every split of a signed word into Qm.n: the largest value and the step, on log2 axes."""
    from ..fixed import QFormat

    splits = [QFormat(m, word_bits - 1 - m) for m in range(word_bits)]
    ax = axes_or_new(ax)
    ax.plot(range(word_bits), [fmt.max for fmt in splits], "o-", color=GREEN, label="largest value (range)")
    ax.plot(range(word_bits), [fmt.resolution for fmt in splits], "s-", color=ORANGE,
            label="step between values (resolution)")
    ax.set_yscale("log", base=2)
    ax.set_xticks(range(word_bits), [str(fmt) for fmt in splits], rotation=60, fontsize=8)
    ax.set_xlabel(f"format of a {word_bits}-bit signed word (m integer bits, n fraction bits)")
    ax.set_title("Each bit moved from the fraction to the integer part doubles the range and the step")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_rounding_modes(lo=-2.5, hi=2.5, axes=None):
    """What each of the six rounding modes does to the numbers in [lo, hi] when every fraction
    bit is dropped (a Q.0 format): one staircase per mode, the ties marked with dots."""
    import matplotlib.pyplot as plt
    import numpy as np

    from ..fixed import Fixed
    from ..fixed import QFormat
    from ..rounding import ROUNDING_MODES

    if axes is None:
        _, axes = plt.subplots(2, 3, figsize=(9, 5), sharex=True, sharey=True, layout="constrained")
    x = np.arange(round(lo * 400), round(hi * 400) + 1) / 400  # a grid that holds every tie exactly
    ties = np.arange(np.ceil(lo - 0.5), np.floor(hi - 0.5) + 1) + 0.5
    integers = QFormat(7, 0)
    for ax, mode in zip(np.ravel(axes), ROUNDING_MODES):
        rounded = Fixed(x, integers, rounding=mode).to_float()
        ax.plot(x, x, "--", color="grey", lw=1)
        ax.plot(*_broken_at_jumps(x, rounded, 0.5), color=BLUE, lw=2)
        ax.plot(ties, Fixed(ties, integers, rounding=mode).to_float(), "o", color=ORANGE, markersize=5)
        ax.set_title(mode, fontsize=10)
        ax.grid(True, alpha=0.3)
    for ax in np.ravel(axes)[3:]:
        ax.set_xlabel("x")
    np.ravel(axes)[0].set_ylabel("rounded")
    np.ravel(axes)[3].set_ylabel("rounded")
    return axes


def plot_rounding_bias(mean_errors, ax=None):
    """Bar chart of the mean rounding error of each mode, in steps of the target format.

    ``mean_errors`` maps a mode name to its mean (rounded - exact) / step.
    """
    ax = axes_or_new(ax)
    modes = list(mean_errors)
    errors = [mean_errors[mode] for mode in modes]
    colours = [ORANGE if abs(error) > 1e-3 else GREEN for error in errors]
    ax.bar(modes, errors, color=colours)
    ax.axhline(0, color="black", lw=0.8)
    for index, error in enumerate(errors):
        ax.text(index, error, f"{error:+.4f}", ha="center", va="bottom" if error >= 0 else "top", fontsize=8)
    ax.set_ylabel("mean error (steps)")
    ax.set_title("Bias: the average error each rounding mode leaves behind")
    return ax


def plot_overflow(t, x, fmt, ax=None):
    """A signal stored in ``fmt`` with saturation and with wrap-around, against the true signal."""
    from ..fixed import Fixed

    saturated = Fixed(x, fmt, overflow="saturate").to_float()
    wrapped = Fixed(x, fmt, overflow="wrap").to_float()
    ax = axes_or_new(ax)
    ax.plot(t, x, "--", color="grey", lw=1, label="true signal")
    ax.plot(t, saturated, color=ORANGE, lw=3.5, alpha=0.7, label="saturate: clipped flat")
    ax.plot(*_broken_at_jumps(t, wrapped, (fmt.max - fmt.min) / 2), color=BLUE, lw=1.5,
            label="wrap: jumps to the other end")
    ax.axhspan(fmt.min, fmt.max, color=GREEN, alpha=0.08, label=f"{fmt} range")
    ax.set_xlabel("t")
    ax.set_title(f"Overflow in {fmt}: saturate or wrap")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return ax


def plot_fixed_vs_float_error(x, fixed_fmt, float_fmt="float16", ax=None):
    """Relative error of storing positive values ``x`` in a fixed-point and in a float format,
    across magnitudes: fixed point has one absolute step, a float one relative step."""
    import numpy as np

    from ..fixed import Fixed
    from ..floats import float_format, round_to

    float_fmt = float_format(float_fmt)
    x = np.asarray(x, dtype=float)
    ax = axes_or_new(ax)
    for stored, label, colour in [(Fixed(x, fixed_fmt).to_float(), f"{fixed_fmt} ({fixed_fmt.word_bits} bits)", BLUE),
                                  (round_to(x, float_fmt), f"{float_fmt.name} ({float_fmt.width} bits)", ORANGE)]:
        relative = np.abs(stored - x) / x
        shown = relative > 0  # exact hits have no place on a log axis
        ax.plot(x[shown], relative[shown], ".", markersize=2, color=colour, label=label)
    ax.axvline(fixed_fmt.max, color=BLUE, lw=1, ls=":", label=f"{fixed_fmt}.max: saturates beyond")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log", base=2)
    ax.set_xlabel("x")
    ax.set_ylabel("relative error")
    ax.set_title("Same width, different error: fixed point's step is absolute, a float's relative")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, markerscale=4)
    return ax


def plot_fixed_vs_float_signal(y_float, y_fixed, ax=None, title="Fixed-point output against float"):
    """Two versions of one signal, and their difference on a second axis."""
    import numpy as np

    ax = axes_or_new(ax)
    samples = np.arange(len(y_float))
    ax.plot(samples, y_float, color="grey", lw=2.5, alpha=0.6, label="float64")
    ax.plot(samples, y_fixed, ".", color=BLUE, markersize=4, label="fixed point")
    ax.set_xlabel("sample")
    ax.set_ylabel("value")
    error_ax = ax.twinx()
    error_ax.plot(samples, np.asarray(y_fixed) - np.asarray(y_float), color=ORANGE, lw=1, label="difference")
    error_ax.set_ylabel("fixed - float", color=ORANGE)
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    error_ax.legend(loc="upper right", fontsize=8)
    return ax
