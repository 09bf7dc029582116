"""Integer inference: accumulator growth, the MAC window, int8 against float, energy."""

from __future__ import annotations

from .base import axes_or_new
from ..integers import INT32_MAX, int_range
from ..palette import BLUE, LIGHT_GREEN, RED, YELLOW


# Energy per operation at 45 nm, 0.9 V, in picojoules: M. Horowitz, "Computing's energy problem
# (and what we can do about it)", ISSCC 2014, the table every efficient-inference talk quotes.
HOROWITZ_45NM_PJ = {
    "int8 add": 0.03, "int32 add": 0.1, "float16 add": 0.4, "float32 add": 0.9,
    "int8 multiply": 0.2, "int32 multiply": 3.1, "float16 multiply": 1.1, "float32 multiply": 3.7,
    "32-bit read, 8 KB SRAM": 5.0, "32-bit read, DRAM": 640.0,
}


def plot_accumulator_growth(layer_taps, ax=None, largest_product=255 * 127):
    """The worst-case accumulator ``n · largest_product`` against ``n`` products, on log axes.

    Horizontal lines mark the int16 and int32 limits and 2**24 (the largest range in which
    float32 holds every integer); ``layer_taps`` maps a layer name to its products per output.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3.5))
    products = np.logspace(0, 6, 200)
    ax.loglog(products, products * largest_product, color=BLUE, lw=2,
              label=f"worst case: n · {largest_product:,} (|x - zp| ≤ 255, |w| ≤ 127)")
    for level, name, colour in ((int_range(16)[1], "int16 max", YELLOW), (2 ** 24, "2^24: float32 exact", LIGHT_GREEN),
                                (INT32_MAX, "int32 max", RED)):
        ax.axhline(level, ls="--", color=colour, lw=1.2, label=name)
    for name, taps in layer_taps.items():
        ax.plot(taps, taps * largest_product, "o", color="black", zorder=3)
        ax.annotate(f"{name}: {taps}", (taps, taps * largest_product), textcoords="offset points", xytext=(6, -12),
                    fontsize=8)
    ax.set_xlabel("products summed into one accumulator, n")
    ax.set_ylabel("largest possible |accumulator|")
    ax.legend(fontsize=8, loc="upper left")
    return ax


def plot_mac_window(shifted_window, weights, axes=None):
    """One output value of a convolution, tap by tap: ``x - zp``, ``w``, and their products.

    Three annotated heatmaps of the same shape (e.g. 3×3); the third panel's title gives the sum
    of the products.  Returns the three axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    shifted_window, weights = np.asarray(shifted_window), np.asarray(weights)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(9, 3.2), layout="constrained")
    products = shifted_window.astype(np.int64) * weights
    panels = ((shifted_window, "input codes minus zero point, x - zp"), (weights, "int8 weights, w"),
              (products, f"products; sum = {int(products.sum()):,}"))
    for ax, (values, title) in zip(axes, panels):
        limit = max(1, int(np.abs(values).max()))
        ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
        for (row, col), value in np.ndenumerate(values):
            ink = "white" if abs(value) > 0.6 * limit else "black"  # readable on the dark cells
            ax.text(col, row, f"{int(value)}", ha="center", va="center", fontsize=9, color=ink)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
    return axes


def plot_int8_vs_float(float_values, int8_values, ax=None, title=None, scale=None, max_points=4000,
                       xlabel="float value"):
    """Dequantized int8 values against float ones, one dot per value (a fixed sample of them).

    Without ``scale``: the dequantized value itself, with the diagonal for reference (against
    pre-ReLU floats a fused ReLU shows as the flat arm at 0.0).  With ``scale``: the error
    ``(int8 - float) / scale`` in output steps.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(4.5, 4))
    x, y = np.ravel(float_values), np.ravel(int8_values)
    chosen = np.random.default_rng(0).permutation(x.size)[:max_points]  # a fixed sample: same plot every run
    x, y = x[chosen], y[chosen]
    if scale is None:
        ax.plot(x, y, ".", ms=2, alpha=0.5, color=BLUE)
        ends = [min(x.min(), y.min()), max(x.max(), y.max())]
        ax.plot(ends, ends, "--", color="grey", lw=1)
        ax.set_ylabel("int8 code, dequantized")
    else:
        ax.plot(x, (y - x) / scale, ".", ms=2, alpha=0.5, color=BLUE)
        ax.axhline(0.0, color="grey", lw=1, ls="--")
        ax.set_ylabel("int8 - float (output steps)")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_requantization_error(acc, multiplier, results, ax=None):
    """Each requantization mode's rounding error ``code - zp - acc·multiplier``, in output steps.

    ``results`` maps a mode name to ``(codes, zero_point)`` for the accumulators ``acc``; every
    correct rounding lies in [-0.5, 0.5].  Accumulators where the modes disagree are circled.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    acc = np.asarray(acc, dtype=np.int64)
    exact = acc * np.float64(multiplier)
    errors = {name: np.asarray(codes, dtype=np.int64) - zero_point - exact for name, (codes, zero_point) in results.items()}
    for index, (name, error) in enumerate(errors.items()):
        ax.plot(acc, error, "o" if index == 0 else "x", ms=4, label=name, color=f"C{index}")
    columns = list(errors.values())
    differ = np.any([column != columns[0] for column in columns[1:]], axis=0) if len(columns) > 1 else np.zeros(acc.size, bool)
    ax.plot(acc[differ], columns[0][differ], "o", ms=11, mfc="none", color=RED,
            label=f"modes disagree ({int(differ.sum())})")
    for level in (-0.5, 0.5):
        ax.axhline(level, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("int32 accumulator")
    ax.set_ylabel("rounding error (steps)")
    ax.legend(fontsize=8, ncols=len(results) + 1, loc="center left")
    return ax


def plot_energy_per_operation(ax=None, table=None):
    """Energy of one arithmetic operation or memory read (log scale), from Horowitz, ISSCC 2014."""
    ax = axes_or_new(ax, figsize=(8, 3.5))
    table = HOROWITZ_45NM_PJ if table is None else table
    names = list(table)
    colours = [LIGHT_GREEN if name.startswith("int8") else RED if "read" in name else BLUE for name in names]
    ax.barh(names, [table[name] for name in names], color=colours)
    for index, name in enumerate(names):
        ax.text(table[name] * 1.1, index, f"{table[name]:g} pJ", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlim(0.01, 3000)
    ax.set_xlabel("energy per operation (pJ, 45 nm)")
    return ax


def plot_digit_predictions(images, labels, predictions, ncols=8):
    """A grid of digit images titled with the label and each model's prediction (red when wrong).

    ``predictions`` maps a model name to predicted digits for ``images`` ``(N, 1, 8, 8)``.
    Returns the array of axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    count = len(images)
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    _, axes = plt.subplots(nrows, ncols, figsize=(1.3 * ncols, 1.6 * nrows), layout="constrained", squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        ax.imshow(np.asarray(images[index]).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        guesses = [int(predicted[index]) for predicted in predictions.values()]
        wrong = any(guess != labels[index] for guess in guesses)
        ax.set_title(f"{int(labels[index])}: " + "/".join(str(guess) for guess in guesses), fontsize=9,
                     color=RED if wrong else "black")
    return axes
