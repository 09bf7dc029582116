"""Sampling and quantization: aliasing, spectra, reconstruction, staircases, SQNR, companding."""

from __future__ import annotations

from .base import axes_or_new


# Figures for lessons 04 (sampling and aliasing) and 05 (quantization and SQNR).


def plot_sampling(fn, rate, duration, *, aliases=(), ax=None):
    """A continuous signal ``fn(t)``, its samples at ``rate``, and other signals (``aliases``:
    ``(label, fn)`` pairs) drawn thin to show they pass through the very same samples."""
    import numpy as np

    from ..adc import sample

    ax = axes_or_new(ax)
    t_fine = np.linspace(0, duration, 2000)
    ax.plot(t_fine * 1e3, fn(t_fine), color="C0", label="signal")
    for index, (label, alias_fn) in enumerate(aliases):
        ax.plot(t_fine * 1e3, alias_fn(t_fine), color=f"C{index + 2}", lw=1, ls="--", label=label)
    t, x = sample(fn, rate, duration)
    ax.plot(t * 1e3, x, "o", color="C1", label=f"samples at {rate:g} Hz")
    ax.vlines(t * 1e3, 0, x, color="C1", lw=0.8)
    ax.set(xlabel="time (ms)", ylabel="amplitude")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")  # beside the axes: no sample hidden
    return ax


def plot_alias_folding(rate, *, max_frequency=None, marks=(), ax=None):
    """Apparent frequency against true frequency: the sawtooth that folds everything into
    ``[0, rate/2]``; ``marks`` are true frequencies to point out."""
    import numpy as np

    from ..adc import alias_frequency

    ax = axes_or_new(ax)
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

    ax = axes_or_new(ax, figsize=(8, 1.8))
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

    ax = axes_or_new(ax)
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
    ax = axes_or_new(ax)
    ax.specgram(x, NFFT=256, Fs=rate, noverlap=192, cmap="magma", vmin=-120)
    if predicted is not None:
        ax.plot(*predicted, color="C0", ls="--", lw=1.5, label="alias_frequency prediction")
        ax.legend(loc="upper left", fontsize="small")
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)")
    return ax


def plot_reconstruction(samples, rate, *, truth=None, ax=None):
    """Whittaker-Shannon reconstruction: one sinc per sample (thin) and their sum."""
    import numpy as np

    from ..adc import reconstruct

    ax = axes_or_new(ax)
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

    ax = axes_or_new(ax, figsize=(5, 4))
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
    edge = np.ceil(reach * 10) / 10  # bins of 0.1 step with edges on ±0.5: no bar pokes past half a step
    axes[2].hist(error / quantizer.step, bins=np.linspace(-edge, edge, round(edge * 20) + 1), color="C3",
                 orientation="horizontal")
    axes[2].set(xlabel="count", ylabel="error (steps)")
    return axes


def plot_sqnr_vs_bits(bits, measured_db, *, ax=None, label="measured"):
    """Measured SQNR against bit depth, with the 6.02·N + 1.76 dB line."""
    import numpy as np

    from ..adc import theoretical_sqnr_db

    ax = axes_or_new(ax, figsize=(6, 4))
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

    from ..adc import mulaw_compress, mulaw_encode

    ax = axes_or_new(ax, figsize=(5, 4))
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
    ax = axes_or_new(ax, figsize=(6, 4))
    for label, sqnr in curves.items():
        ax.plot(levels_db, sqnr, "o-", ms=3, label=label)
    ax.set(xlabel="input level (dB relative to full scale)", ylabel="SQNR (dB)")
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    return ax
