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
# --- int8 mapping ---


def plot_affine_mapping(qp, low=None, high=None, ax=None):
    """The staircase ``x → dequantize(quantize(x))`` of a per-tensor mapping, codes on the right.

    Draws the identity (dashed), the staircase, a dot where real 0.0 lands (exactly on the
    code ``zero_point``) and shades the clipped regions beyond the representable range.
    ``low``/``high`` default to one step and a half beyond the range on each side.
    """
    import numpy as np

    from .quant import fake_quantize

    ax = _axes(ax, figsize=(7, 4))
    real_low, real_high = qp.real_range
    margin = 1.5 * qp.scale
    low = real_low - margin if low is None else low
    high = real_high + margin if high is None else high
    x = np.linspace(low, high, 2001)
    ax.plot(x, x, "--", color="grey", lw=1, label="x (no rounding)")
    ax.plot(x, fake_quantize(x, qp), color="#4a90d9", lw=2, label="dequantize(quantize(x))")
    ax.plot([0.0], [0.0], "o", color="#d9534f", zorder=3, label=f"0.0 → code {qp.zero_point} → 0.0")
    for start, stop in ((low, real_low), (real_high, high)):
        if stop > start:
            ax.axvspan(start, stop, color="#d9534f", alpha=0.1)
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


def plot_quantization_error(t, x, quantizer, *, axes=None):
    """Signal and its quantized version (left), the error with ±step/2 (middle), its histogram (right)."""
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(11, 3), layout="constrained", width_ratios=[2, 2, 1])
    quantized = quantizer.quantize(x)
    error = quantized - x
    axes[0].plot(t * 1e3, x, label="signal")
    axes[0].step(t * 1e3, quantized, where="mid", label=f"{quantizer.bits}-bit")
    axes[0].set(xlabel="time (ms)", ylabel="amplitude")
    axes[0].legend(loc="upper right", fontsize="small")
    axes[1].plot(t * 1e3, error / quantizer.step, color="C3", lw=1)
    for level in (-0.5, 0.5):
        axes[1].axhline(level, color="gray", ls=":")
    axes[1].set(xlabel="time (ms)", ylabel="error (steps)")
    axes[2].hist(error / quantizer.step, bins=20, range=(-0.6, 0.6), color="C3", orientation="horizontal")
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
def plot_code_histogram(values, qp, ax=None, title=None):
    """How often each code is used: a histogram with one bin per code (256 bins for 8 bits).

    Draws one filled step per code from ``qp.qmin`` to ``qp.qmax``, a red line at the zero point, and
    says in the title how many of the codes the values actually use.
    """
    import numpy as np

    from .quant import quantize

    if qp.axis is not None:
        raise ValueError("plot_code_histogram draws a per-tensor mapping; got per-channel QParams")
    ax = _axes(ax, figsize=(8, 3))
    codes = quantize(values, qp).astype(np.int64).ravel()
    counts = np.bincount(codes - qp.qmin, minlength=qp.qmax - qp.qmin + 1)
    ax.stairs(counts, np.arange(qp.qmin, qp.qmax + 2) - 0.5, fill=True, color="#4a90d9")  # one bin per code
    ax.axvline(qp.zero_point, color="#d9534f", lw=1, label=f"zero point {qp.zero_point}")
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

    ax = _axes(ax, figsize=(8, 3))
    weights = np.moveaxis(np.asarray(weights, dtype=np.float64), axis, 0).reshape(np.shape(weights)[axis], -1)
    low, high = weights.min(axis=1), weights.max(axis=1)
    channels = np.arange(len(low))
    ax.vlines(channels, low, high, color="#4a90d9", lw=6, label="per channel: [min, max]")
    for level in (weights.min(), weights.max()):
        ax.axhline(level, ls="--", color="#d9534f", lw=1)
    ax.plot([], [], "--", color="#d9534f", label="per tensor: the whole layer's range")
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

    ax = _axes(ax, figsize=(8, 3))
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

    ax = _axes(ax, figsize=(8, 3))
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


# --- integer inference ---

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

    ax = _axes(ax, figsize=(8, 3.5))
    products = np.logspace(0, 6, 200)
    ax.loglog(products, products * largest_product, color="#4a90d9", lw=2,
              label=f"worst case: n · {largest_product:,} (|x - zp| ≤ 255, |w| ≤ 127)")
    for level, name, colour in ((2 ** 15 - 1, "int16 max", "#f0ad4e"), (2 ** 24, "2^24: float32 exact", "#5cb85c"),
                                (2 ** 31 - 1, "int32 max", "#d9534f")):
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

    ax = _axes(ax, figsize=(4.5, 4))
    x, y = np.ravel(float_values), np.ravel(int8_values)
    chosen = np.random.default_rng(0).permutation(x.size)[:max_points]  # a fixed sample: same plot every run
    x, y = x[chosen], y[chosen]
    if scale is None:
        ax.plot(x, y, ".", ms=2, alpha=0.5, color="#4a90d9")
        ends = [min(x.min(), y.min()), max(x.max(), y.max())]
        ax.plot(ends, ends, "--", color="grey", lw=1)
        ax.set_ylabel("int8 code, dequantized")
    else:
        ax.plot(x, (y - x) / scale, ".", ms=2, alpha=0.5, color="#4a90d9")
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

    ax = _axes(ax, figsize=(8, 3))
    acc = np.asarray(acc, dtype=np.int64)
    exact = acc * np.float64(multiplier)
    errors = {name: np.asarray(codes, dtype=np.int64) - zero_point - exact for name, (codes, zero_point) in results.items()}
    for index, (name, error) in enumerate(errors.items()):
        ax.plot(acc, error, "o" if index == 0 else "x", ms=4, label=name, color=f"C{index}")
    columns = list(errors.values())
    differ = np.any([column != columns[0] for column in columns[1:]], axis=0) if len(columns) > 1 else np.zeros(acc.size, bool)
    ax.plot(acc[differ], columns[0][differ], "o", ms=11, mfc="none", color="#d9534f",
            label=f"modes disagree ({int(differ.sum())})")
    for level in (-0.5, 0.5):
        ax.axhline(level, color="grey", lw=0.8, ls="--")
    ax.set_xlabel("int32 accumulator")
    ax.set_ylabel("rounding error (steps)")
    ax.legend(fontsize=8, ncols=len(results) + 1, loc="center left")
    return ax


def plot_energy_per_operation(ax=None, table=None):
    """Energy of one arithmetic operation or memory read (log scale), from Horowitz, ISSCC 2014."""
    ax = _axes(ax, figsize=(8, 3.5))
    table = HOROWITZ_45NM_PJ if table is None else table
    names = list(table)
    colours = ["#5cb85c" if name.startswith("int8") else "#d9534f" if "read" in name else "#4a90d9" for name in names]
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
                     color="#d9534f" if wrong else "black")
    return axes
