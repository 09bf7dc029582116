"""PTQ against QAT: the fake-quantization node and its gradient, accuracy against bits,
per-layer sensitivity, and the spacing of int8 and FP8 grids."""

from __future__ import annotations

from .base import axes_or_new
from ..palette import BLUE, RED


def plot_fake_quant_ste(qp, axes=None, low=None, high=None):
    """A fake-quantization node, forward and backward, for a per-tensor ``qp``.

    Left: the forward pass ``fake_quantize(x)`` (the staircase) against ``x``.  Right: its
    true derivative (0 almost everywhere: spikes at the rounding boundaries) and the
    straight-through estimate training uses instead (1 inside the range, 0 where the value is
    clipped).  Returns the two axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..quant import fake_quantize

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.5), layout="constrained")
    real_low, real_high = qp.real_range
    low = real_low - 2 * qp.scale if low is None else low
    high = real_high + 2 * qp.scale if high is None else high
    x = np.linspace(low, high, 2001)
    forward, backward = axes
    forward.plot(x, x, "--", color="grey", lw=1, label="x")
    forward.plot(x, fake_quantize(x, qp), color=BLUE, lw=2, label="fake_quantize(x)")
    forward.set_xlabel("x")
    forward.set_title(f"forward: {qp.qmax - qp.qmin + 1} levels, step {qp.scale:.3g}")
    forward.legend(fontsize=8, loc="upper left")
    inside = (x >= real_low) & (x <= real_high)
    backward.plot(x, inside.astype(float), color=RED, lw=2, label="straight-through estimate: 1 inside the range")
    boundaries = (np.arange(qp.qmin, qp.qmax) - qp.zero_point + 0.5) * qp.scale
    backward.vlines(boundaries, 0, 1.15, color=BLUE, lw=1, alpha=0.6,
                    label="true derivative: 0, with spikes at the boundaries")
    backward.set_ylim(-0.1, 1.7)
    backward.set_xlabel("x")
    backward.set_title("backward: d fake_quantize(x) / dx")
    backward.legend(fontsize=8, loc="upper center")
    return axes


def plot_accuracy_vs_bits(curves, bits, float_accuracy, ax=None, title=None, colours=None):
    """Test accuracy against bit width, one line per entry of ``curves`` (label → accuracies).

    Each curve holds one accuracy per width of ``bits``, or None where it was not measured.
    ``colours`` (``{label: colour}``, e.g. from :data:`numformat.palette.METHOD_COLOURS`) keeps a
    method's colour the same in panels that show different sets of curves.  A
    dashed line marks the float model and a shaded band the 1-point margin below it.  The x
    axis runs from the widest to the narrowest width, as the lesson's tables do.
    """
    import numpy as np

    ax = axes_or_new(ax, figsize=(6, 4))
    positions = np.arange(len(bits))
    ax.axhline(100 * float_accuracy, ls="--", color="grey", lw=1, label=f"float: {100 * float_accuracy:.2f}%")
    ax.axhspan(100 * float_accuracy - 1, 100 * float_accuracy, color="grey", alpha=0.15, label="within 1 point")
    for label, accuracies in curves.items():
        measured = [i for i, accuracy in enumerate(accuracies) if accuracy is not None]
        ax.plot(positions[measured], [100 * accuracies[i] for i in measured], "o-", lw=2, label=label,
                color=(colours or {}).get(label))
    ax.set_xticks(positions, [f"{width}" for width in bits])
    ax.set_xlabel("bits")
    ax.set_ylabel("test accuracy, %")
    ax.set_ylim(0, 101)
    if title:
        ax.set_title(title)
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_sensitivity(sensitivity, value="drop", ax=None):
    """The per-tensor sensitivity table as an annotated heatmap (tensors × bit widths).

    ``value="drop"``: accuracy drop in points; ``"divergence"``: output KL in millinats (log
    colour scale).
    """
    import matplotlib.colors
    import numpy as np

    if value not in ("drop", "divergence"):
        raise ValueError(f"value={value!r} is not a table; use 'drop' or 'divergence'")
    ax = axes_or_new(ax, figsize=(6, 3.5))
    tensors = list(sensitivity.accuracy)  # every tensor the table measured, in the network's order
    if value == "drop":
        cells = np.array([[sensitivity.drop(tensor, bits) for bits in sensitivity.bits] for tensor in tensors])
        norm, unit = matplotlib.colors.Normalize(0, max(1.0, cells.max())), "accuracy drop, points"
    else:
        cells = 1000 * np.array([sensitivity.divergence[tensor] for tensor in tensors])
        norm, unit = matplotlib.colors.LogNorm(0.01, max(1.0, cells.max())), "output KL, millinats"
    image = ax.imshow(np.maximum(cells, 0.01) if value == "divergence" else cells, cmap="Reds", norm=norm, aspect="auto")
    for (row, col), cell in np.ndenumerate(cells):
        ink = "white" if norm(max(cell, 0.01)) > 0.6 else "black"
        ax.text(col, row, f"{cell:.2f}" if cell < 10 else f"{cell:.0f}", ha="center", va="center", fontsize=8, color=ink)
    ax.set_xticks(range(len(sensitivity.bits)), [f"{bits}-bit" for bits in sensitivity.bits])
    ax.set_yticks(range(len(tensors)), [f"{name} {kind}" for kind, name in tensors])
    ax.set_title(f"one tensor quantized at a time: {unit}", fontsize=10)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    return ax


def plot_grid_spacing(amax, formats, ax=None, values=None, int_bits=8):
    """Relative step ``gap(x) / x`` against ``|x|`` for int grids and scaled float grids.

    Every grid is scaled so that ``amax`` is its largest value: ``int_bits``-bit symmetric
    integers (step ``amax / (2**(int_bits-1) - 1)``, the same everywhere) and each float
    format of ``formats`` (8 or 4 steps per binade, until the subnormals).  ``values`` (e.g.
    the weights) adds a histogram of ``|values|`` underneath, on a second y axis.
    """
    import numpy as np

    from ..floats import float_format, ulp
    from ..integers import int_range
    from ..nn.fp8 import fp8_scale

    ax = axes_or_new(ax, figsize=(7, 3.8))
    magnitudes = np.logspace(np.log10(amax) - 4, np.log10(amax), 800)
    int_step = amax / int_range(int_bits)[1]
    ax.loglog(magnitudes, int_step / magnitudes, lw=2, label=f"int{int_bits}, step {int_step:.3g}")
    for fmt in formats:
        fmt = float_format(fmt)
        scale = fp8_scale(amax, fmt)
        ax.loglog(magnitudes, ulp(magnitudes / scale, fmt) * scale / magnitudes, lw=2, label=f"{fmt.name}, scaled")
    if values is not None:
        counts = ax.twinx()
        nonzero = np.abs(np.ravel(values))
        nonzero = nonzero[nonzero > 0]
        counts.hist(nonzero, bins=np.logspace(np.log10(amax) - 4, np.log10(amax), 60), color="grey", alpha=0.3)
        counts.set_ylabel("how many |values|")
    ax.set_xlabel("|x|")
    ax.set_ylabel("relative step, gap / |x|")
    ax.set_title(f"grids scaled to amax = {amax:.3g}")
    ax.legend(fontsize=8, loc="upper right")
    return ax
