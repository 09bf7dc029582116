"""The quantizer explorer: an ADC's bits, full scale, staircase and dither over a sine or speech,
with the staircase, the error, the SQNR against 6.02·N + 1.76 dB and the output's spectrum
redrawn on every change.

The sine is measured as a converter test measures it (IEEE Std 1241-2010, :mod:`numformat.adc.measure`):
997 Hz for one second at 16 kHz is 997 whole periods in 16000 samples, and 997 is prime, so the
record is coherent (:func:`~numformat.adc.coherent_frequency` keeps 997 Hz) and needs no window;
SINAD and ENOB come from :func:`~numformat.adc.analyze_tone` at that known frequency.  ENOB needs a
sine, so for speech the explorer leaves ``enob`` and ``sinad_db`` at NaN and draws the spectra of
the speech and of its quantization error instead (the SQNR is measured against the clean speech).

The figure is drawn with matplotlib's Agg renderer into a PNG that an ``Image`` widget shows:
no interactive backend, no pyplot state, the same picture in a test as in JupyterLab.  The
quantized sound plays through ``IPython.display.Audio`` (the browser plays it: no PortAudio).
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import audio, plots
from ..adc import QUANTIZER_KINDS, Quantizer, analyze_tone, sample, sqnr_db, theoretical_sqnr_db, tpdf_dither
from ..checks import check_int, check_mode
from ._common import link_controls, png_bytes, within

SIGNALS = {"sine": "sine 997 Hz", "speech": "speech clip"}
BITS = range(1, 17)  # the bits slider, and the SQNR curve's x axis
FULL_SCALE_RANGE = (0.05, 2.0)
GAIN_DB_RANGE = (-60.0, 6.0)
SINE_RATE_HZ = 16000  # the speech clip's rate too
SINE_FREQ_HZ = 997  # coherent: 997 periods (a prime) in the one-second, 16000-sample record
SPECTRUM_FLOOR_DB = -160  # the spectrum panel's lowest power shown
WINDOW_SECONDS = 0.005  # the stretch of signal the time plots show


class QuantizerExplorer(widgets.VBox):
    """Turn the knobs of an ADC and watch the staircase, the error and the SQNR move.

    Parameters
    ----------
    bits : int
        1 to 16.
    full_scale : float
        The quantizer's full scale, 0.05 to 2.0; the signals peak at 1.0 (sine) and 0.71
        (speech) before the gain.
    kind : str
        ``"mid-tread"`` or ``"mid-rise"``.
    dither : bool
        Add TPDF dither (:func:`~numformat.tpdf_dither`, seeded) before rounding.
    signal : str
        ``"sine"`` (997 Hz, one second) or ``"speech"`` (the bundled clip).
    gain_db : float
        Gain applied to the signal, -60 to +6 dB.
    seed : int
        Seed of the dither's generator: the same settings always give the same numbers.

    Attributes
    ----------
    sinad_db, enob : float
        Read-only traits: the quantized sine's SINAD and ENOB (:func:`~numformat.adc.analyze_tone` at
        997 Hz, not referred to full scale, so a quieter sine shows fewer bits); NaN for speech and
        for an output stuck on one level.
    tone : ToneMeasures or None
        Everything the sine's spectrum says (THD, SFDR, noise power ...), or None where ENOB is NaN.

    Examples
    --------
    >>> explorer = QuantizerExplorer(8, kind="mid-rise")
    >>> explorer.quantizer.step, round(explorer.sqnr_db, 2), round(explorer.theory_db, 2)
    (0.0078125, 49.79, 49.93)
    >>> explorer.bits_slider.value = 12          # four more bits: about 24 dB more
    >>> round(explorer.sqnr_db, 2)
    74.0
    >>> explorer.gain_db = -40                   # a quiet sine loses SQNR decibel for decibel
    >>> round(explorer.sqnr_db, 1)
    34.2
    >>> explorer.dither = True                   # dither costs 4.77 dB more noise
    >>> round(explorer.sqnr_db, 1)
    29.2

    The sine's spectrum gives SINAD and ENOB (IEEE 1241); a quiet sine loses ENOB with its level:

    >>> explorer.gain_db, explorer.dither = 0, False
    >>> round(explorer.sinad_db, 2), round(explorer.enob, 2)
    (74.0, 12.0)
    """

    bits = traitlets.Int(4, help="bits of the quantizer, 1 to 16")
    full_scale = traitlets.Float(1.0, help="full scale of the quantizer")
    kind = traitlets.Unicode("mid-tread", help="mid-tread or mid-rise")
    dither = traitlets.Bool(False, help="TPDF dither before rounding")
    signal = traitlets.Unicode("sine", help="sine or speech")
    gain_db = traitlets.Float(0.0, help="gain applied to the signal, in dB")
    sinad_db = traitlets.Float(math.nan, read_only=True, help="SINAD of the quantized sine in dB (NaN for speech)")
    enob = traitlets.Float(math.nan, read_only=True, help="effective number of bits of the quantized sine (NaN for speech)")

    def __init__(self, bits=4, *, full_scale=1.0, kind="mid-tread", dither=False, signal="sine", gain_db=0.0,
                 seed=0, **kwargs):
        self.seed = check_int(seed, "seed")
        self._ready = False
        self.bits_slider = widgets.IntSlider(min=BITS[0], max=BITS[-1], description="bits", continuous_update=False)
        self.full_scale_slider = widgets.FloatSlider(min=FULL_SCALE_RANGE[0], max=FULL_SCALE_RANGE[1], step=0.05,
                                                     description="full scale", continuous_update=False)
        self.kind_buttons = widgets.ToggleButtons(options=QUANTIZER_KINDS, description="kind")
        self.dither_box = widgets.Checkbox(description="TPDF dither", indent=False)
        self.signal_picker = widgets.Dropdown(options=[(label, name) for name, label in SIGNALS.items()],
                                              description="signal")
        self.gain_slider = widgets.FloatSlider(min=GAIN_DB_RANGE[0], max=GAIN_DB_RANGE[1], step=1.0,
                                               description="gain (dB)", continuous_update=False)
        self.play_button = widgets.Button(description="▶ play quantized", tooltip="listen to the quantized signal")
        self.play_button.add_class("nf-play")
        self.player = widgets.Output()
        self.summary = widgets.HTML()
        self.summary.add_class("nf-summary")
        self.figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.figure.add_class("nf-figure")
        super().__init__(**kwargs)
        self.add_class("nf-quantizer-explorer")
        self.children = [widgets.HBox([self.bits_slider, self.full_scale_slider, self.gain_slider]),
                         widgets.HBox([self.kind_buttons, self.dither_box]),
                         widgets.HBox([self.signal_picker, self.play_button]), self.summary, self.figure, self.player]
        link_controls(self, [("bits", self.bits_slider), ("full_scale", self.full_scale_slider),
                             ("kind", self.kind_buttons), ("dither", self.dither_box),
                             ("signal", self.signal_picker), ("gain_db", self.gain_slider)])
        self.play_button.on_click(lambda _: self.play())
        self.bits, self.full_scale, self.kind, self.dither = bits, full_scale, kind, dither
        self.signal, self.gain_db = signal, gain_db
        self._ready = True
        self._update()

    # ------------------------------------------------------------------ public, for Python use

    @property
    def quantizer(self):
        """The :class:`~numformat.Quantizer` the controls describe."""
        return Quantizer(self.bits, full_scale=self.full_scale, kind=self.kind)

    def quantize(self, bits=None):
        """The signal through the quantizer (of ``bits`` bits if given), dithered when chosen."""
        quantizer = self.quantizer if bits is None else Quantizer(bits, full_scale=self.full_scale, kind=self.kind)
        if not self.dither:
            return quantizer.quantize(self.samples)
        noise = tpdf_dither(self.samples.shape, quantizer.step, np.random.default_rng(self.seed))
        return quantizer.quantize(self.samples + noise)

    @property
    def theory_db(self):
        """6.02·N + 1.76 dB: the SQNR of a full-scale sine, for comparison."""
        return theoretical_sqnr_db(self.bits)

    @property
    def clipped(self):
        """How many samples lie beyond the outer levels by more than half a step (they saturate)."""
        q = self.quantizer
        return int(np.count_nonzero((self.samples > q.decode(q.code_max) + q.step / 2) |
                                    (self.samples < q.decode(q.code_min) - q.step / 2)))

    def audio(self):
        """The quantized signal as an ``IPython.display.Audio`` player (normalised loudness)."""
        from IPython.display import Audio

        return Audio(self.quantized, rate=self.rate_hz)

    def play(self):
        """Put a player for the quantized signal under the figure (its HTML ``<audio>`` element,
        so this works the same with or without a running kernel)."""
        player = self.audio()
        self.player.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"text/html": player._repr_html_(), "text/plain": "quantized audio"}},)

    def __repr__(self):
        dither = " + dither" if self.dither else ""
        enob = "" if math.isnan(self.enob) else f", ENOB {self.enob:.2f}"
        return (f"QuantizerExplorer({self.bits}-bit {self.kind}, full scale {self.full_scale:g}, "
                f"{self.signal} at {self.gain_db:+g} dB{dither}: SQNR {self.sqnr_db:.2f} dB{enob})")

    # ------------------------------------------------------------------ traits

    @traitlets.validate("bits")
    def _valid_bits(self, proposal):
        bits = proposal["value"]
        if bits not in BITS:
            raise ValueError(f"bits={bits} is outside the explorer's {BITS[0]} to {BITS[-1]}")
        return bits

    @traitlets.validate("full_scale")
    def _valid_full_scale(self, proposal):
        return within(proposal["value"], FULL_SCALE_RANGE, "full_scale")

    @traitlets.validate("gain_db")
    def _valid_gain(self, proposal):
        return within(proposal["value"], GAIN_DB_RANGE, "gain_db")

    @traitlets.validate("kind")
    def _valid_kind(self, proposal):
        return check_mode(proposal["value"], QUANTIZER_KINDS, "kind")

    @traitlets.validate("signal")
    def _valid_signal(self, proposal):
        return check_mode(proposal["value"], tuple(SIGNALS), "signal")

    @traitlets.observe("bits", "full_scale", "kind", "dither", "signal", "gain_db")
    def _on_setting(self, change):
        if self._ready:
            self._update()

    # ------------------------------------------------------------------ computing and drawing

    def _update(self):
        source, self.rate_hz = _source(self.signal)
        self.samples = source * 10 ** (self.gain_db / 20)
        self.quantized = self.quantize()
        self.sqnr_db = sqnr_db(self.samples, self.quantized)
        self.sqnr_by_bits = np.array([sqnr_db(self.samples, self.quantize(bits)) for bits in BITS])
        self.tone = self._measure_tone()
        sinad, enob = (math.nan, math.nan) if self.tone is None else (self.tone.sinad_db, self.tone.enob)
        self.set_trait("sinad_db", sinad)
        self.set_trait("enob", enob)
        self.summary.value = self._summary_html()
        self.figure.value = self._draw()
        self.player.outputs = ()  # a player of the old settings would mislead

    def _measure_tone(self):
        """The quantized sine's :class:`~numformat.adc.ToneMeasures` at 997 Hz, or None for speech
        and for an output that is one constant level (a sine far below one step, undithered)."""
        if self.signal != "sine" or np.all(self.quantized == self.quantized[0]):
            return None
        return analyze_tone(self.quantized, self.rate_hz, freq=SINE_FREQ_HZ)

    def _window(self):
        """The indices the time plots show: the start of the sine, the loudest moment of speech."""
        length = round(WINDOW_SECONDS * self.rate_hz)
        start = 0 if self.signal == "sine" else max(int(np.argmax(np.abs(self.samples))) - length // 2, 0)
        return slice(start, start + length)

    def _summary_html(self):
        q, peak = self.quantizer, float(np.max(np.abs(self.samples)))
        peak_dbfs = 20 * np.log10(peak / self.full_scale)
        expected = ""
        if self.signal == "sine":  # a quieter sine loses its level in dB; TPDF dither triples the noise power
            dither_db = 10 * np.log10(3) if self.dither else 0.0
            expected = f" → {self.theory_db + peak_dbfs - dither_db:.2f} dB expected for this sine"
            expected += " with dither (−4.77 dB)" if self.dither else ""
        return (f"<div style='font-family:monospace'>step = {q.full_scale:g} / 2<sup>{q.bits - 1}</sup> = {q.step:.4g} · "
                f"signal peak {peak_dbfs:+.1f} dB re full scale · {self.clipped} samples clipped<br>"
                f"<b class='nf-sqnr'>SQNR {self.sqnr_db:.2f} dB</b> measured · 6.0206·{q.bits} + 1.7609 = "
                f"{self.theory_db:.2f} dB for a full-scale sine{expected}<br>{self._tone_html()}</div>")

    def _tone_html(self):
        """What the spectrum says: SINAD and ENOB for the sine, or why there are none."""
        if self.signal == "speech":
            return ("ENOB needs a sine test tone: for speech the spectrum compares the quantization error "
                    "with the speech, and the SQNR above is measured against the clean speech")
        if self.tone is None:
            return "the output is one constant level: there is no tone to measure (raise the gain or add dither)"
        return (f"<b class='nf-enob'>SINAD {self.sinad_db:.2f} dB · ENOB {self.enob:.2f} bits</b> "
                f"from the {SINE_FREQ_HZ} Hz tone's spectrum (IEEE 1241: ENOB = (SINAD − 1.76) / 6.02) · "
                f"THD {self.tone.thd_db:.1f} dB · SFDR {self.tone.sfdr_db:.1f} dB")

    def _draw(self):
        """The six panels as PNG bytes."""
        from matplotlib.figure import Figure

        figure = Figure(figsize=(11, 9.6), dpi=72)  # fixed margins: constrained layout would double the time
        axes = figure.subplot_mosaic([["staircase", "sqnr", "sqnr"], ["signal", "error", "histogram"],
                                      ["spectrum", "spectrum", "spectrum"]],
                                     width_ratios=[2, 2, 1], gridspec_kw=dict(left=0.06, right=0.98, bottom=0.05,
                                                                              top=0.97, wspace=0.3, hspace=0.35))
        q, window = self.quantizer, self._window()
        plots.plot_staircase([q], ax=axes["staircase"])
        t = np.arange(window.start, window.start + len(self.samples[window])) / self.rate_hz
        plots.plot_quantization_error(t, self.samples[window], q, quantized=self.quantized[window],
                                      axes=[axes["signal"], axes["error"], axes["histogram"]])
        sqnr_axes = plots.plot_sqnr_vs_bits(np.array(BITS), self.sqnr_by_bits, ax=axes["sqnr"],
                                            label=f"measured: {SIGNALS[self.signal]}")
        sqnr_axes.plot([self.bits], [self.sqnr_db], "o", ms=12, mfc="none", mec="C3", label=f"{self.bits} bits now")
        sqnr_axes.legend(loc="upper left", fontsize="small")
        self._draw_spectrum(axes["spectrum"])
        return png_bytes(figure)

    def _draw_spectrum(self, ax):
        """The sine's spectrum with its tone, harmonics, largest spur and noise floor; otherwise the
        spectra of the signal and of its quantization error."""
        if self.tone is not None and self.tone.sfdr_db > 0:
            # the tone is the largest component, so plot_tone_spectrum finds the same bin and the same measures
            plots.plot_tone_spectrum(self.quantized, self.rate_hz, floor_db=SPECTRUM_FLOOR_DB, ax=ax)
            bins = self.quantized.size // 2  # white noise spreads over the n/2 bins: each holds 1/(n/2) of it
            ideal_power = self.quantizer.step ** 2 / 12 * (3 if self.dither else 1)  # TPDF dither adds Δ²/6
            for power, style, label in [(self.tone.noise_power, "-", "noise floor: measured noise"),
                                        (ideal_power, "--", "Δ²/12" + (" + Δ²/6 dither" if self.dither else ""))]:
                level_db = max(10 * math.log10(max(power, 1e-300) / bins), SPECTRUM_FLOOR_DB)
                ax.axhline(level_db, color="k", ls=style, lw=1.2, label=f"{label} / {bins} bins: {level_db:.1f} dB")
            ax.legend(loc="upper right", fontsize="small", ncols=2)
            return
        error = self.quantized - self.samples
        plots.plot_shaped_noise({self.signal: self.samples, "quantization error": error}, self.rate_hz,
                                floor_db=SPECTRUM_FLOOR_DB, ax=ax)
        if self.signal == "speech":
            title = "speech: ENOB needs a sine, so here are the spectra of the speech and of its quantization error"
        elif self.tone is None:
            title = "the output is one constant level: no tone to measure"
        else:
            title = f"the {SINE_FREQ_HZ} Hz tone is lost below the largest spur (SFDR {self.tone.sfdr_db:.1f} dB)"
        ax.set(ylabel="power per bin (dB)", title=title)


_SOURCES = {}


def _source(name):
    """The signal at 0 dB gain and its rate, computed (or read) once: a read-only float64 array."""
    if name not in _SOURCES:
        if name == "sine":
            rate = SINE_RATE_HZ
            _, samples = sample(lambda t: np.sin(2 * np.pi * 997 * t), rate=rate, duration=1.0)
        else:
            samples, rate = audio.speech_sample()
        samples.flags.writeable = False
        _SOURCES[name] = samples, rate
    return _SOURCES[name]
