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
# --- adc ---
# Figures for lessons 04 (sampling and aliasing) and 05 (quantization and SQNR).


def plot_sampling(fn, rate, duration, *, aliases=(), ax=None):
    """A continuous signal ``fn(t)``, its samples at ``rate``, and other signals (``aliases``:
    ``(label, fn)`` pairs) drawn thin to show they pass through the very same samples."""
    import numpy as np

    from .adc import sample

    ax = _axes(ax)
    t_fine = np.linspace(0, duration, 2000)
    ax.plot(t_fine * 1e3, fn(t_fine), color="C0", label="signal")
    for index, (label, alias_fn) in enumerate(aliases):
        ax.plot(t_fine * 1e3, alias_fn(t_fine), color=f"C{index + 2}", lw=1, ls="--", label=label)
    t, x = sample(fn, rate, duration)
    ax.plot(t * 1e3, x, "o", color="C1", label=f"samples at {rate:g} Hz")
    ax.vlines(t * 1e3, 0, x, color="C1", lw=0.8)
    ax.set(xlabel="time (ms)", ylabel="amplitude")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_alias_folding(rate, *, max_frequency=None, marks=(), ax=None):
    """Apparent frequency against true frequency: the sawtooth that folds everything into
    ``[0, rate/2]``; ``marks`` are true frequencies to point out."""
    import numpy as np

    from .adc import alias_frequency

    ax = _axes(ax)
    max_frequency = max_frequency or 2.5 * rate
    f = np.linspace(0, max_frequency, 2001)
    ax.plot(f, alias_frequency(f, rate), color="C0")
    ax.axhline(rate / 2, color="gray", ls=":", lw=1)
    ax.text(0, rate / 2, " Nyquist = rate/2", va="bottom", fontsize="small", color="gray")
    for k in range(1, int(max_frequency // rate) + 1):
        ax.axvline(k * rate, color="gray", lw=0.5)
    for mark in marks:
        ax.plot(mark, alias_frequency(mark, rate), "o", color="C1")
        ax.annotate(f"{mark:g} Hz → {alias_frequency(mark, rate):g} Hz", (mark, alias_frequency(mark, rate)),
                    textcoords="offset points", xytext=(4, 6), fontsize="small")
    ax.set(xlabel="true frequency (Hz)", ylabel="apparent frequency (Hz)", ylim=(0, rate / 2 * 1.15))
    return ax


def plot_wagon_wheel(turns_per_second, frames_per_second, *, frames=6, ax=None):
    """A wheel with one marked spoke, as a film camera sees it in successive frames."""
    import numpy as np

    ax = _axes(ax, figsize=(8, 1.8))
    for frame in range(frames):
        angle = 2 * np.pi * turns_per_second * frame / frames_per_second
        centre = 2.5 * frame
        circle = np.linspace(0, 2 * np.pi, 100)
        ax.plot(centre + np.cos(circle), np.sin(circle), color="gray", lw=1)
        for spoke in range(4):
            spoke_angle = angle + spoke * np.pi / 2
            ax.plot([centre, centre + np.sin(spoke_angle)], [0, np.cos(spoke_angle)],
                    color="C1" if spoke == 0 else "gray", lw=2.5 if spoke == 0 else 1)
        ax.text(centre, -1.35, f"frame {frame}", ha="center", fontsize="small")
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"{turns_per_second:g} turns/s filmed at {frames_per_second:g} frames/s")
    return ax


def plot_spectrum(x, rate, *, label=None, ax=None, floor_db=-100):
    """Magnitude spectrum in dB (full scale = a full-scale sine at 0 dB), Hann-windowed."""
    import numpy as np

    ax = _axes(ax)
    window = np.hanning(len(x))
    magnitude = np.abs(np.fft.rfft(x * window)) * 2 / window.sum()
    level_db = 20 * np.log10(np.maximum(magnitude, 10 ** (floor_db / 20)))
    ax.plot(np.fft.rfftfreq(len(x), 1 / rate), level_db, lw=1, label=label)
    ax.set(xlabel="frequency (Hz)", ylabel="level (dB)", xlim=(0, rate / 2), ylim=(floor_db, 5))
    if label:
        ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_spectrogram(x, rate, *, predicted=None, ax=None):
    """Spectrogram of ``x``; ``predicted`` = ``(t, f)`` draws a frequency track on top."""
    ax = _axes(ax)
    ax.specgram(x, NFFT=256, Fs=rate, noverlap=192, cmap="magma", vmin=-120)
    if predicted is not None:
        ax.plot(*predicted, color="C0", ls="--", lw=1.5, label="alias_frequency prediction")
        ax.legend(loc="upper left", fontsize="small")
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)")
    return ax


def plot_reconstruction(samples, rate, *, truth=None, ax=None):
    """Whittaker-Shannon reconstruction: one sinc per sample (thin) and their sum."""
    import numpy as np

    from .adc import reconstruct

    ax = _axes(ax)
    duration = len(samples) / rate
    t = np.linspace(0, duration, 2000)
    for n, value in enumerate(samples):
        ax.plot(t * 1e3, value * np.sinc(rate * t - n), color="gray", lw=0.6)
    ax.plot(t * 1e3, reconstruct(samples, rate, t), color="C0", lw=2, label="sum of sincs")
    if truth is not None:
        ax.plot(t * 1e3, truth(t), color="C2", ls="--", lw=1, label="original")
    ax.plot(np.arange(len(samples)) / rate * 1e3, samples, "o", color="C1", label="samples")
    ax.set(xlabel="time (ms)", ylabel="amplitude")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_staircase(quantizers, *, ax=None):
    """Input-output staircases of one or more :class:`~numformat.adc.Quantizer` s."""
    import numpy as np

    ax = _axes(ax, figsize=(5, 4))
    full_scale = max(q.full_scale for q in quantizers)
    x = np.linspace(-1.2 * full_scale, 1.2 * full_scale, 4001)
    ax.plot(x, x, color="gray", lw=0.8, ls=":", label="ideal")
    for q in quantizers:
        ax.step(x, q.quantize(x), where="mid", label=f"{q.bits}-bit {q.kind}")
    ax.axhline(0, color="gray", lw=0.5)
    ax.axvline(0, color="gray", lw=0.5)
    ax.set(xlabel="input", ylabel="output")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_quantization_error(t, x, quantizer, *, axes=None, quantized=None):
    """Signal and its quantized version (left), the error with ±step/2 (middle), its histogram (right).

    ``quantized`` defaults to ``quantizer.quantize(x)``; pass it when something else happened
    before the rounding (dither), so that the error shown is the whole error.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3), layout="constrained", width_ratios=[2, 2, 1])
    quantized = quantizer.quantize(x) if quantized is None else np.asarray(quantized, dtype=float)
    error = quantized - x
    axes[0].plot(t * 1e3, x, label="signal")
    axes[0].step(t * 1e3, quantized, where="mid", label=f"{quantizer.bits}-bit")
    axes[0].set(xlabel="time (ms)", ylabel="amplitude")
    axes[0].legend(loc="upper right", fontsize="small")
    axes[1].plot(t * 1e3, error / quantizer.step, color="C3", lw=1)
    for level in (-0.5, 0.5):
        axes[1].axhline(level, color="gray", ls=":")
    axes[1].set(xlabel="time (ms)", ylabel="error (steps)")
    reach = max(0.6, 1.05 * float(np.max(np.abs(error), initial=0)) / quantizer.step)  # dither and clipping reach further
    axes[2].hist(error / quantizer.step, bins=20, range=(-reach, reach), color="C3", orientation="horizontal")
    axes[2].set(xlabel="count", ylabel="error (steps)")
    return axes


def plot_sqnr_vs_bits(bits, measured_db, *, ax=None, label="measured"):
    """Measured SQNR against bit depth, with the 6.02·N + 1.76 dB line."""
    import numpy as np

    from .adc import theoretical_sqnr_db

    ax = _axes(ax, figsize=(6, 4))
    bits = np.asarray(bits)
    ax.plot(bits, theoretical_sqnr_db(bits), color="gray", label="6.02·N + 1.76 dB")
    ax.plot(bits, measured_db, "o", color="C1", label=label)
    ax.set(xlabel="bits N", ylabel="SQNR (dB)")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    return ax


def plot_companding(*, mu=255, ax=None):
    """The continuous μ-law curve and G.711's 8-segment table, against a straight line."""
    import numpy as np

    from .g711 import mulaw_compress, mulaw_encode

    ax = _axes(ax, figsize=(5, 4))
    x = np.linspace(-1, 1, 2001)
    ax.plot(x, x, color="gray", ls=":", lw=1, label="uniform")
    ax.plot(x, mulaw_compress(x, mu), color="C0", label=f"μ-law curve, μ = {mu:g}")
    pcm = np.arange(-32768, 32768, 64)
    codes = mulaw_encode(pcm).astype(int)
    position = np.where(codes >= 128, 255 - codes, -(127 - codes))  # code as a level from -127 to 127
    ax.step(pcm / 32768, position / 127, where="post", color="C1", lw=1, label="G.711 μ-law code / 127")
    ax.set(xlabel="input (full scale = 1)", ylabel="compressed")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_sqnr_vs_level(levels_db, curves, *, ax=None):
    """SQNR against input level (dB below full scale) for several quantizers: ``curves`` maps a
    label to its SQNR values."""
    ax = _axes(ax, figsize=(6, 4))
    for label, sqnr in curves.items():
        ax.plot(levels_db, sqnr, "o-", ms=3, label=label)
    ax.set(xlabel="input level (dB relative to full scale)", ylabel="SQNR (dB)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
# --- fixed point ---

_Q_COLOURS = {"sign": "#4a90d9", "integer": "#3aa655", "fraction": "#e0803a"}


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
    ax = _axes(ax, figsize=(max(6.0, 0.5 * word), 2.0))
    for index, digit in enumerate(bits):
        power = word - 1 - index - fmt.n
        role = "sign" if fmt.signed and index == 0 else ("integer" if power >= 0 else "fraction")
        ax.add_patch(Rectangle((index, 0), 0.9, 1, color=_Q_COLOURS[role], alpha=0.95 if digit == "1" else 0.3))
        ax.text(index + 0.45, 0.5, digit, ha="center", va="center", color="white" if digit == "1" else "#555555",
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
    roles = [role for role in _Q_COLOURS if role != "sign" or fmt.signed]
    ax.legend(handles=[Patch(color=_Q_COLOURS[role], label=role) for role in roles], loc="upper right",
              bbox_to_anchor=(1.0, -0.02), ncol=3, fontsize=8, frameon=False)
    return ax


def plot_range_resolution(word_bits=16, ax=None):
    """Every split of a signed word into Qm.n: the largest value and the step, on log2 axes."""
    from .qformat import QFormat

    splits = [QFormat(m, word_bits - 1 - m) for m in range(word_bits)]
    ax = _axes(ax)
    ax.plot(range(word_bits), [fmt.max for fmt in splits], "o-", color="#3aa655", label="largest value (range)")
    ax.plot(range(word_bits), [fmt.resolution for fmt in splits], "s-", color="#e0803a",
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

    from .fixed import Fixed
    from .qformat import QFormat
    from .rounding import ROUNDING_MODES

    if axes is None:
        _, axes = plt.subplots(2, 3, figsize=(9, 5), sharex=True, sharey=True, layout="constrained")
    x = np.arange(round(lo * 400), round(hi * 400) + 1) / 400  # a grid that holds every tie exactly
    ties = np.arange(np.ceil(lo - 0.5), np.floor(hi - 0.5) + 1) + 0.5
    integers = QFormat(7, 0)
    for ax, mode in zip(np.ravel(axes), ROUNDING_MODES):
        rounded = Fixed(x, integers, rounding=mode).to_float()
        ax.plot(x, x, "--", color="grey", lw=1)
        ax.plot(*_broken_at_jumps(x, rounded, 0.5), color="#4a90d9", lw=2)
        ax.plot(ties, Fixed(ties, integers, rounding=mode).to_float(), "o", color="#e0803a", markersize=5)
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
    ax = _axes(ax)
    modes = list(mean_errors)
    errors = [mean_errors[mode] for mode in modes]
    colours = ["#e0803a" if abs(error) > 1e-3 else "#3aa655" for error in errors]
    ax.bar(modes, errors, color=colours)
    ax.axhline(0, color="black", lw=0.8)
    for index, error in enumerate(errors):
        ax.text(index, error, f"{error:+.4f}", ha="center", va="bottom" if error >= 0 else "top", fontsize=8)
    ax.set_ylabel("mean error (steps)")
    ax.set_title("Bias: the average error each rounding mode leaves behind")
    return ax


def plot_overflow(t, x, fmt, ax=None):
    """A signal stored in ``fmt`` with saturation and with wrap-around, against the true signal."""
    from .fixed import Fixed

    saturated = Fixed(x, fmt, overflow="saturate").to_float()
    wrapped = Fixed(x, fmt, overflow="wrap").to_float()
    ax = _axes(ax)
    ax.plot(t, x, "--", color="grey", lw=1, label="true signal")
    ax.plot(t, saturated, color="#e0803a", lw=3.5, alpha=0.7, label="saturate: clipped flat")
    ax.plot(*_broken_at_jumps(t, wrapped, (fmt.max - fmt.min) / 2), color="#4a90d9", lw=1.5,
            label="wrap: jumps to the other end")
    ax.axhspan(fmt.min, fmt.max, color="#3aa655", alpha=0.08, label=f"{fmt} range")
    ax.set_xlabel("t")
    ax.set_title(f"Overflow in {fmt}: saturate or wrap")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return ax


def plot_fixed_vs_float_error(x, fixed_fmt, float_fmt="float16", ax=None):
    """Relative error of storing positive values ``x`` in a fixed-point and in a float format,
    across magnitudes: fixed point has one absolute step, a float one relative step."""
    import numpy as np

    from .fixed import Fixed
    from .floats import float_format, round_to

    float_fmt = float_format(float_fmt)
    x = np.asarray(x, dtype=float)
    ax = _axes(ax)
    for stored, label, colour in [(Fixed(x, fixed_fmt).to_float(), f"{fixed_fmt} ({fixed_fmt.word_bits} bits)", "#4a90d9"),
                                  (round_to(x, float_fmt), f"{float_fmt.name} ({float_fmt.width} bits)", "#e0803a")]:
        relative = np.abs(stored - x) / x
        shown = relative > 0  # exact hits have no place on a log axis
        ax.plot(x[shown], relative[shown], ".", markersize=2, color=colour, label=label)
    ax.axvline(fixed_fmt.max, color="#4a90d9", lw=1, ls=":", label=f"{fixed_fmt}.max: saturates beyond")
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

    ax = _axes(ax)
    samples = np.arange(len(y_float))
    ax.plot(samples, y_float, color="grey", lw=2.5, alpha=0.6, label="float64")
    ax.plot(samples, y_fixed, ".", color="#4a90d9", markersize=4, label="fixed point")
    ax.set_xlabel("sample")
    ax.set_ylabel("value")
    error_ax = ax.twinx()
    error_ax.plot(samples, np.asarray(y_fixed) - np.asarray(y_float), color="#e0803a", lw=1, label="difference")
    error_ax.set_ylabel("fixed - float", color="#e0803a")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    error_ax.legend(loc="upper right", fontsize=8)
    return ax


# --- the course (lesson 0) ---

_FIELD_ROLE_COLOURS = {"sign": "#4a90d9", "exponent": "#3aa655", "integer": "#3aa655", "mantissa": "#e0803a",
                       "fraction": "#e0803a"}  # the colours of FloatBits and QFormat pictures


def format_fields(fmt):
    """(label, [(field, bits), ...]) of a FloatFormat, a QFormat, or a ``(label, fields)`` pair,
    where ``fields`` may itself be a FloatFormat or a QFormat, or a list of (field, bits)."""
    from .fixed import QFormat
    from .floats import FloatFormat

    label, fields = fmt if isinstance(fmt, tuple) else (None, fmt)
    if isinstance(fields, FloatFormat):
        return label or fields.name, [("sign", 1), ("exponent", fields.exponent_bits), ("mantissa", fields.mantissa_bits)]
    if isinstance(fields, QFormat):
        sign = [("sign", 1)] if fields.signed else []
        return label or str(fields), sign + [("integer", fields.m), ("fraction", fields.n)]
    if label is None:
        raise TypeError(f"formats must hold FloatFormats, QFormats or (label, fields) pairs, got {fmt!r}")
    return label, list(fields)


def plot_format_bits(formats, ax=None):
    """Each format's word as a bar of its fields: sign, exponent or integer bits, mantissa or
    fraction bits, with the number of bits written in each field."""
    from matplotlib.patches import Patch

    rows = [format_fields(fmt) for fmt in formats]
    ax = _axes(ax, figsize=(8, 0.4 * len(rows) + 1.2))
    for y, (label, fields) in enumerate(rows):
        start = 0
        for field, bits in fields:
            if bits:
                ax.barh(y, bits, left=start, color=_FIELD_ROLE_COLOURS[field], edgecolor="white", height=0.7)
                if bits >= 2:
                    ax.text(start + bits / 2, y, str(bits), ha="center", va="center", color="white", fontsize=8)
            start += bits
        ax.text(start + 0.5, y, f"{start} bits", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("bits")
    ax.set_xlim(0, max(sum(bits for _, bits in fields) for _, fields in rows) * 1.12)
    handles = [Patch(color=colour, label=label) for label, colour in
               [("sign", "#4a90d9"), ("exponent / integer bits", "#3aa655"), ("mantissa / fraction bits", "#e0803a")]]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_title("How many bits, and what each one does")
    return ax


def plot_course_map(notebooks, ax=None):
    """The lessons and labs in order as a timeline: each bar starts where the one before ended
    and is as long as the notebook takes; lessons blue, labs orange."""
    from matplotlib.patches import Patch

    ax = _axes(ax, figsize=(9, 0.38 * len(notebooks) + 1.3))
    colours = {"lesson": "#4a90d9", "lab": "#e0803a"}
    start = 0
    for y, notebook in enumerate(notebooks):
        title = notebook.short_title
        if notebook.minutes:
            ax.barh(y, notebook.minutes, left=start, color=colours[notebook.kind], height=0.7)
            ax.text(start + notebook.minutes + 3, y, f"{notebook.minutes} min · {title}", va="center", fontsize=8)
            start += notebook.minutes
        else:
            ax.text(start + 3, y, f"{title} (time not listed yet)", va="center", fontsize=8)
    ax.set_yticks(range(len(notebooks)), [notebook.label for notebook in notebooks])
    ax.invert_yaxis()
    ax.set_xlim(0, start * 1.45 + 60)
    ax.set_xlabel("minutes from the start")
    lessons = sum(notebook.kind == "lesson" for notebook in notebooks)
    labs = len(notebooks) - lessons
    ax.set_title(f"The course here: {lessons} lesson{'s' * (lessons != 1)} and {labs} lab{'s' * (labs != 1)}, "
                 f"about {start / 60:.1f} hours")
    ax.legend(handles=[Patch(color=colour, label=kind) for kind, colour in colours.items()], loc="lower right",
              fontsize=8)
    return ax
