"""Measuring converters: the fitted sine, the measured spectrum, DNL and INL, shaped noise, a bitstream."""

from __future__ import annotations

from .base import axes_or_new


def plot_sine_fit(x, fit, *, count=200, axes=None):
    """The record and its fitted sine (left, the first ``count`` samples) and the residual (right)."""
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3), layout="constrained")
    record = np.asarray(x, dtype=np.float64)
    shown = min(count, record.size)
    k = np.arange(shown)
    fitted = fit.samples(record.size)
    axes[0].plot(k, record[:shown], ".", color="C1", ms=3, label="record")
    axes[0].plot(k, fitted[:shown], color="C0", lw=1, label=f"fit: {fit.amplitude:.4g}·cos(2π·{fit.freq:.6g}·t "
                                                            f"{fit.phase:+.3f}) {fit.offset:+.3g}")
    axes[0].set(xlabel="sample", ylabel="value")
    axes[0].legend(loc="upper right", fontsize="small")
    axes[1].plot(k, (record - fitted)[:shown], color="C3", lw=0.8)
    axes[1].axhline(fit.rms_error, color="gray", ls=":", lw=1, label=f"rms error {fit.rms_error:.3g}")
    axes[1].axhline(-fit.rms_error, color="gray", ls=":", lw=1)
    axes[1].set(xlabel="sample", ylabel="record − fit")
    axes[1].legend(loc="upper right", fontsize="small")
    return axes


def plot_tone_spectrum(x, rate, *, freq=None, window="rect", harmonics=6, full_scale=None, band=None, floor_db=-180,
                       ax=None):
    """The record's power spectrum in dB with the tone, the harmonics, the largest spur and the measures.

    ``freq``: the test tone's frequency when known (else the largest bin is taken as the tone).
    """
    import numpy as np

    from ..adc import analyze_tone, power_spectrum

    ax = axes_or_new(ax, figsize=(9, 3.5))
    record = np.asarray(x, dtype=np.float64)
    measures = analyze_tone(record, rate, freq=freq, window=window, harmonics=harmonics, full_scale=full_scale,
                            band=band)
    power = power_spectrum(record - record.mean(), window)
    freqs = np.arange(power.size) * rate / record.size
    ax.plot(freqs, 10 * np.log10(np.maximum(power, 10 ** (floor_db / 10))), color="C0", lw=0.7)
    tone_db = 10 * np.log10(measures.signal_power)
    ax.plot(measures.freq, tone_db, "v", color="C1", label=f"tone {measures.freq:.6g} Hz")
    for order in range(2, harmonics + 1):
        harmonic = rate / 2 - abs((order * measures.freq) % rate - rate / 2)  # folded below Nyquist
        ax.axvline(harmonic, color="C2", lw=0.6, ls=":")
    ax.plot(measures.spur_freq, 10 * np.log10(measures.spur_power), "x", color="C3",
            label=f"largest spur: SFDR {measures.sfdr_db:.1f} dB")
    if band is not None:
        ax.axvline(band, color="gray", lw=1, ls="--", label="band edge")
    ax.set(xlabel="frequency (Hz)", ylabel="power (dB)", xlim=(0, rate / 2), ylim=(floor_db, tone_db + 10),
           title=f"SINAD {measures.sinad_db:.2f} dB, ENOB {measures.enob:.2f} bits, SNR {measures.snr_db:.2f} dB, "
                 f"THD {measures.thd_db:.1f} dB")
    ax.legend(loc="upper right", fontsize="small")
    return ax


def plot_linearity(result, *, truth=None, axes=None):
    """DNL (top) and INL (bottom) in LSB per code, missing codes marked; ``truth`` draws known values."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(9, 4.5), sharex=True, layout="constrained")
    axes[0].bar(result.codes, result.dnl, width=1.0, color="C0", label="measured")
    if result.missing_codes:
        axes[0].plot(result.missing_codes, [-1.0] * len(result.missing_codes), "v", color="C3", label="missing code")
    transition_codes = result.codes[0] - 1 + range(result.inl.size)
    axes[1].plot(transition_codes + 0.5, result.inl, color="C0", lw=1.2, label="measured")
    if truth is not None:
        axes[0].plot(truth.codes, truth.dnl, ".", color="C1", ms=3, label="true")
        axes[1].plot(transition_codes + 0.5, truth.inl, ls="--", color="C1", lw=1, label="true")
    axes[0].set(ylabel="DNL (LSB)", title=f"max |DNL| {result.max_dnl:.2f} LSB, max |INL| {result.max_inl:.2f} LSB")
    axes[1].set(xlabel="code", ylabel="INL (LSB)")
    for ax in axes:
        ax.axhline(0, color="gray", lw=0.5)
        ax.legend(loc="upper right", fontsize="small")
    return axes


def plot_shaped_noise(records, rate, *, band=None, floor_db=-160, ax=None):
    """The error spectra of ``records`` (a dict label → error samples), Hann-windowed, with the band edge."""
    import numpy as np

    from ..adc import power_spectrum

    ax = axes_or_new(ax, figsize=(9, 3.5))
    for label, error in records.items():
        power = power_spectrum(np.asarray(error, dtype=np.float64), "hann")
        freqs = np.arange(power.size) * rate / len(error)
        ax.plot(freqs, 10 * np.log10(np.maximum(power, 10 ** (floor_db / 10))), lw=0.8, label=label)
    if band is not None:
        ax.axvspan(0, band, color="gray", alpha=0.15, label="band")
    ax.set(xlabel="frequency (Hz)", ylabel="noise power per bin (dB)", xlim=(0, rate / 2))
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_bitstream(result, *, start=0, count=256, axes=None):
    """A sigma-delta trip: the oversampled input and its ±1 bitstream (top), the decimated output (bottom)."""
    import matplotlib.pyplot as plt
    import numpy as np

    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(9, 4.5), layout="constrained")
    k = np.arange(start, min(start + count, result.bitstream.size))
    axes[0].step(k, result.bitstream[k], where="mid", color="C7", lw=0.7, label="bitstream (±1)")
    axes[0].plot(k, result.oversampled[k], color="C0", lw=1.5, label="input")
    axes[0].set(xlabel=f"sample at {result.osr}× the rate", ylabel="value",
                title=f"order {result.order}: the density of +1s follows the input")
    axes[0].legend(loc="upper right", fontsize="small")
    slow = np.arange(result.decimated.size)
    axes[1].plot(slow, result.decimated, color="C1", lw=1, label=f"decimated ÷{result.osr}")
    axes[1].plot(slow, result.oversampled[:: result.osr], color="C0", lw=0.8, ls="--", label="input")
    axes[1].set(xlabel="sample at the base rate", ylabel="value")
    axes[1].legend(loc="upper right", fontsize="small")
    return axes
