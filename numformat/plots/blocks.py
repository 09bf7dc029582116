"""Block-scaled formats: one block and its shared scale, the 16 values of each 4-bit format, the
bits-per-weight trade-off and the outlier study (lesson 11)."""

from __future__ import annotations

from ..palette import BLUE, DARK_GREY, GREEN, GREY, ORANGE, PURPLE, RED
from .base import axes_or_new


def plot_block(values, fmt, ax=None):
    """One block of ``values`` (a 1-D array of ``fmt.block_size``): the values, what ``fmt`` stores
    for them (element × the shared scale) and the error, with the scale in the title.

    Returns the axes; the stored values are the second line's y data, the errors the bars'.
    """
    import numpy as np

    from ..blocks import block_dequantize, block_format, block_quantize

    fmt = block_format(fmt)
    values = np.asarray(values, dtype=np.float64)
    if values.shape != (fmt.block_size,):
        raise ValueError(f"values must be one block of {fmt.block_size} for {fmt.name}, got shape {values.shape}")
    quantized = block_quantize(values, fmt)
    stored = block_dequantize(quantized)
    ax = axes_or_new(ax, figsize=(8, 3.2))
    index = np.arange(fmt.block_size)
    ax.bar(index, stored - values, color=RED, alpha=0.5, width=0.6, label="error")
    ax.plot(index, values, "o", color=BLUE, ms=6, label="value")
    ax.plot(index, stored, "_", color=DARK_GREY, ms=14, mew=2, label=f"stored in {fmt.name}")
    ax.axhline(0, color=GREY, lw=0.8)
    scale = float(np.ravel(quantized.scales)[0])
    amax = float(np.max(np.abs(values)))
    ax.set_title(f"{fmt.name}: shared scale {scale:.4g}, block max |x| = {amax:.4g}", fontsize=10)
    ax.set_xlabel("element of the block")
    ax.set_ylabel("value")
    ax.legend(fontsize=8, ncols=3, loc="best")
    return ax


def four_bit_levels():
    """The 16 values (15 for symmetric int4) of each 4-bit element, scaled to [-1, 1]:
    dict name → sorted float64 array."""
    import numpy as np

    from ..blocks import NF4_LEVELS
    from ..floats import FLOAT4_E2M1FN, from_bits

    fp4 = np.unique(from_bits(np.arange(16), FLOAT4_E2M1FN))  # ±0 are one value
    return {"int4 (symmetric, -7..7)": np.arange(-7, 8) / 7.0,
            "FP4 E2M1 (MX, NVFP4)": fp4 / FLOAT4_E2M1FN.max,
            "NF4 (QLoRA)": np.asarray(NF4_LEVELS)}


def plot_four_bit_levels(ax=None):
    """The grids of int4, FP4 E2M1 and NF4 on one axis, each scaled so its largest value is 1,
    over the standard normal density the NF4 levels were cut from."""
    import numpy as np

    ax = axes_or_new(ax, figsize=(8, 3))
    grid = np.linspace(-1.05, 1.05, 421)
    # NF4's top level 1 is the normal's 0.9677 quantile, 1.848 sigma (bitsandbytes' create_normal_map)
    density = np.exp(-(grid * 1.848) ** 2 / 2)
    ax.fill_between(grid, -0.45, -0.45 + 0.4 * density, color=GREY, alpha=0.3, label="normal density, NF4's scaling")
    for row, ((name, levels), colour) in enumerate(zip(four_bit_levels().items(), (BLUE, ORANGE, GREEN))):
        ax.plot(levels, np.full(levels.shape, float(row)), "|", ms=18, mew=2, color=colour)
        ax.text(-1.08, row + 0.25, f"{name}: {len(levels)} values", fontsize=9, color=colour)
    ax.set_yticks([])
    ax.set_ylim(-0.5, 2.7)
    ax.set_xlim(-1.1, 1.1)
    ax.set_xlabel("value / largest value")
    ax.legend(fontsize=8, loc="lower right")
    return ax


TRADEOFF_FAMILIES = {"mx": ("MX: E8M0 scale per 32", GREEN), "nvfp4": ("NVFP4: E4M3 scale per 16", ORANGE),
                     "int": ("int: per tensor, channel or group", BLUE), "nf4": ("NF4: normal levels", PURPLE),
                     "fp8": ("FP8: one scale per tensor", RED)}
TRADEOFF_LABEL_PLACES = ((4, 3, "left"), (4, -9, "left"), (-4, 3, "right"), (-4, -9, "right"), (14, -3, "left"),
                         (-14, -3, "right"), (10, 14, "left"), (10, -20, "left"), (-10, 14, "right"),
                         (-10, -20, "right"), (20, 24, "left"), (20, -30, "left"), (-20, 24, "right"),
                         (-20, -30, "right"))  # offsets from the point, in points, tried in turn
TRADEOFF_LEADER_FROM = 4  # places from this index on are far enough to draw a thin line to the point


def label_boxes(ax, positions, names, fontsize):
    """Where each name's label goes: the first of :data:`TRADEOFF_LABEL_PLACES` whose text box
    (estimated from the name's length) covers neither a point nor a label placed before, else
    the one that covers least.  Returns ``[(dx, dy, align)]``, one per point."""
    import numpy as np

    ax.autoscale_view()
    box = ax.get_window_extent()
    scale = 72 / ax.figure.dpi  # pixels to points
    width_pt, height_pt = box.width * scale, box.height * scale
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    points = np.array([((x - x0) / (x1 - x0) * width_pt, (y - y0) / (y1 - y0) * height_pt) for x, y in positions])
    taken = [(px - 4, py - 4, px + 4, py + 4) for px, py in points]  # the markers

    def overlap(a, b):
        return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))

    chosen = []
    for (px, py), name in zip(points, names):
        width, height = 0.56 * fontsize * len(name), 1.2 * fontsize
        candidates = []
        for dx, dy, align in TRADEOFF_LABEL_PLACES:
            left = px + dx if align == "left" else px + dx - width
            candidate = (left, py + dy - 0.25 * fontsize, left + width, py + dy + height - 0.25 * fontsize)
            inside = 0 <= candidate[0] and candidate[2] <= width_pt and 0 <= candidate[1] and candidate[3] <= height_pt
            cost = sum(overlap(candidate, other) for other in taken) + (0 if inside else 1e3)
            candidates.append((cost, (dx, dy, align), candidate))
        cost, place, candidate = min(candidates, key=lambda item: item[0])  # the first free one, or the least covered
        chosen.append(place)
        taken.append(candidate)
    return chosen


def plot_bits_tradeoff(rows, float_accuracy, axes=None):
    """Accuracy and weight SQNR against bits per weight, one point per scheme, coloured by family
    (:data:`TRADEOFF_FAMILIES`, in the legend); a label whose point nearly coincides with earlier
    ones moves to a free place around it (:func:`label_boxes`) instead of printing over them.

    ``rows`` as :func:`numformat.blocks.weight_tradeoff` returns them (``score`` an accuracy in
    [0, 1]).  Returns the two axes (accuracy left, SQNR right).
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    accuracy_ax, sqnr_ax = axes
    accuracy_ax.axhline(100 * float_accuracy, ls="--", color=GREY, lw=1, label=f"float32: {100 * float_accuracy:.2f}%")
    names = [row["name"] for row in rows]
    for ax, values in ((accuracy_ax, [100 * row["score"] for row in rows]), (sqnr_ax, [row["sqnr_db"] for row in rows])):
        positions = [(row["bits_per_weight"], value) for row, value in zip(rows, values)]
        for name, position in zip(names, positions):
            family = next((key for key in TRADEOFF_FAMILIES if name.startswith(key)), "int")
            ax.plot(*position, "o", color=TRADEOFF_FAMILIES[family][1], ms=7)
        for name, position, place in zip(names, positions, label_boxes(ax, positions, names, fontsize=7)):
            far = TRADEOFF_LABEL_PLACES.index(place) >= TRADEOFF_LEADER_FROM
            ax.annotate(name, position, textcoords="offset points", xytext=place[:2], ha=place[2], fontsize=7,
                        arrowprops={"arrowstyle": "-", "lw": 0.5, "color": GREY, "shrinkB": 4} if far else None)
    accuracy_ax.set_ylabel("test accuracy, %")
    accuracy_ax.legend(fontsize=8, loc="lower right")
    sqnr_ax.legend(handles=[Line2D([], [], ls="", marker="o", color=colour, label=label)
                            for label, colour in TRADEOFF_FAMILIES.values()], fontsize=7, loc="upper left")
    sqnr_ax.set_ylabel("weight SQNR, dB")
    for ax in axes:
        ax.set_xlabel("bits per weight, scales included")
    accuracy_ax.set_title("accuracy", fontsize=10)
    sqnr_ax.set_title("weight error", fontsize=10)
    return axes


def plot_outlier_study(studies, ax=None):
    """Output SQNR of each method of :func:`numformat.blocks.outlier_study`, grouped by layer.

    ``studies`` maps a layer's label to its study (method → ``(sqnr_db, bits)``); the bars are
    labelled with their bits per weight.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(10, 4))
    methods = list(next(iter(studies.values())))
    width = 0.8 / len(studies)
    for number, ((label, study), colour) in enumerate(zip(studies.items(), (BLUE, ORANGE, GREEN, PURPLE))):
        positions = np.arange(len(methods)) + (number - (len(studies) - 1) / 2) * width
        sqnr = [study[method][0] for method in methods]
        bars = ax.bar(positions, sqnr, width=width, color=colour, label=label)
        ax.bar_label(bars, [f"{study[method][1]:.2f} b" for method in methods], fontsize=7, padding=2)
    ax.set_xticks(np.arange(len(methods)), methods, fontsize=9)
    ax.set_ylabel("output SQNR, dB")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("y = x·Wᵀ through each method (above the bars: bits per weight)", fontsize=10)
    return ax
