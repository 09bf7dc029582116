"""The int8 explorer: a layer's weights, the scale and zero point chosen for them, the clipping
range, per-tensor or per-channel, and what the rounding costs — in dB, and in the accuracy of
the digits CNN when that layer runs on its quantized weights.

The arithmetic is :func:`numformat.choose_qparams` and :func:`numformat.fake_quantize`; the
figure is drawn with Agg into a PNG, as the quantizer explorer's is.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import traitlets

from ..adc import sqnr_db
from ..quant import choose_qparams, fake_quantize
from ._common import link_controls, png_bytes, within
from ..palette import BLUE, GREEN, ORANGE

BITS = range(2, 9)
CLIP_RANGE = (0.05, 1.0)
AXIS = 0  # output channels: the first axis of a conv (out, in, kh, kw) or fc (out, in) weight


class Int8Explorer(widgets.VBox):
    """Quantize one layer's weights and see the histogram, the grid, the clipping and the error.

    Parameters
    ----------
    layer : str
        Which weight to quantize: a key of ``weights``.
    weights : dict of str → array, optional
        Weight tensors with output channels along axis 0.  By default the weights of the
        pretrained digits CNN (:func:`numformat.nn.load_pretrained`), and then the explorer also
        measures the CNN's test accuracy with that layer quantized.
    bits : int
        2 to 8.
    symmetric : bool
        Symmetric (zero point 0, codes ``-(2**(bits-1) - 1) .. 2**(bits-1) - 1``, as TFLite's
        int8 weights) or asymmetric (the range ``[min, max]`` mapped onto every code).
    per_channel : bool
        One scale per output channel (axis 0) instead of one for the whole tensor.
    clip : float
        The fraction of each range kept, 0.05 to 1: below 1 the largest weights saturate and
        every other weight gets a finer step.
    channel : int
        The output channel drawn on its own in the histogram.

    Examples
    --------
    >>> explorer = Int8Explorer("fc_weight")
    >>> explorer.qparams.zero_point, round(explorer.sqnr_db, 1), round(explorer.accuracy, 4)
    (0, 39.0, 0.9889)
    >>> explorer.bits_slider.value = 3                 # 7 codes: the accuracy suffers
    >>> round(explorer.sqnr_db, 1), round(explorer.accuracy, 4)
    (6.6, 0.9511)
    >>> explorer.per_channel = True                    # one scale per digit's row of weights
    >>> round(explorer.sqnr_db, 1), round(explorer.accuracy, 4)
    (8.8, 0.9667)
    >>> explorer.clip = 0.5                            # clip the largest weights: finer steps for the rest
    >>> explorer.clipped, round(explorer.sqnr_db, 1), round(explorer.accuracy, 4)
    (120, 11.1, 0.9844)
    """

    layer = traitlets.Unicode(help="the weight tensor shown")
    bits = traitlets.Int(8, help="bits of the codes, 2 to 8")
    symmetric = traitlets.Bool(True, help="symmetric (zero point 0) or asymmetric")
    per_channel = traitlets.Bool(False, help="one scale per output channel")
    clip = traitlets.Float(1.0, help="fraction of each range kept")
    channel = traitlets.Int(0, help="the output channel highlighted")

    def __init__(self, layer="conv2_weight", *, weights=None, bits=8, symmetric=True, per_channel=False, clip=1.0,
                 channel=0, **kwargs):
        self._model = None
        if weights is None:
            from ..nn import load_pretrained

            self._model = load_pretrained()
            weights = {name: value for name, value in self._model.params.items() if name.endswith("_weight")}
        self.weights = _checked_weights(weights)
        self._ready = False
        self.layer_picker = widgets.Dropdown(options=list(self.weights), description="layer")
        self.bits_slider = widgets.IntSlider(min=BITS[0], max=BITS[-1], description="bits", continuous_update=False)
        self.symmetric_box = widgets.Checkbox(description="symmetric", indent=False)
        self.per_channel_box = widgets.Checkbox(description="per channel", indent=False)
        self.clip_slider = widgets.FloatSlider(min=CLIP_RANGE[0], max=CLIP_RANGE[1], step=0.01, description="clip",
                                               continuous_update=False, tooltip="fraction of the range kept")
        self.channel_slider = widgets.IntSlider(min=0, description="channel", continuous_update=False)
        self.summary = widgets.HTML()
        self.summary.add_class("nf-summary")
        self.figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.figure.add_class("nf-figure")
        super().__init__(**kwargs)
        self.add_class("nf-int8-explorer")
        self.children = [widgets.HBox([self.layer_picker, self.bits_slider, self.clip_slider]),
                         widgets.HBox([self.symmetric_box, self.per_channel_box, self.channel_slider]),
                         self.summary, self.figure]
        self.layer, self.bits, self.symmetric, self.per_channel, self.clip = layer, bits, symmetric, per_channel, clip
        self.channel = channel
        link_controls(self, [("layer", self.layer_picker), ("bits", self.bits_slider),
                             ("symmetric", self.symmetric_box), ("per_channel", self.per_channel_box),
                             ("clip", self.clip_slider), ("channel", self.channel_slider)])
        self._ready = True
        self._update()

    # ------------------------------------------------------------------ public, for Python use

    def qparams_for(self, per_channel):
        """The QParams of the current layer, bits, symmetry and clip, per channel or per tensor."""
        w = self.weights[self.layer]
        axes = tuple(range(1, w.ndim))
        low = w.min(axis=axes) if per_channel else w.min()
        high = w.max(axis=axes) if per_channel else w.max()
        return choose_qparams(min=low * self.clip, max=high * self.clip, bits=self.bits, symmetric=self.symmetric,
                              narrow_range=self.symmetric, axis=AXIS if per_channel else None)

    def __repr__(self):
        scheme = "per-channel" if self.per_channel else "per-tensor"
        kind = "symmetric" if self.symmetric else "asymmetric"
        return (f"Int8Explorer({self.layer} {self.bits}-bit {kind} {scheme}, clip {self.clip:g}: "
                f"SQNR {self.sqnr_db:.2f} dB)")

    # ------------------------------------------------------------------ traits

    @traitlets.validate("layer")
    def _valid_layer(self, proposal):
        if proposal["value"] not in self.weights:
            raise ValueError(f"layer={proposal['value']!r} is not one of the weights: {', '.join(self.weights)}")
        return proposal["value"]

    @traitlets.validate("bits")
    def _valid_bits(self, proposal):
        if proposal["value"] not in BITS:
            raise ValueError(f"bits={proposal['value']} is outside the explorer's {BITS[0]} to {BITS[-1]}")
        return proposal["value"]

    @traitlets.validate("clip")
    def _valid_clip(self, proposal):
        return within(proposal["value"], CLIP_RANGE, "clip", " (the fraction of each range kept)")

    @traitlets.validate("channel")
    def _valid_channel(self, proposal):
        channels = self.weights[self.layer].shape[AXIS] if self.layer else 1
        if not 0 <= proposal["value"] < channels:
            raise ValueError(f"channel={proposal['value']} is outside 0..{channels - 1} for {self.layer}")
        return proposal["value"]

    @traitlets.observe("layer")
    def _on_layer(self, change):
        channels = self.weights[change["new"]].shape[AXIS]
        self.channel_slider.max = channels - 1
        if self.channel >= channels:
            self.channel = 0

    @traitlets.observe("layer", "bits", "symmetric", "per_channel", "clip", "channel")
    def _on_setting(self, change):
        if self._ready:
            self._update()

    # ------------------------------------------------------------------ computing and drawing

    def _update(self):
        w = self.weights[self.layer]
        self.qparams = self.qparams_for(self.per_channel)
        self.fake_quantized = fake_quantize(w, self.qparams)
        self.sqnr_db = sqnr_db(w, self.fake_quantized)
        low, high = self._ranges(self.qparams)
        # A weight clips when it lies beyond the outer codes by more than half a step.
        scale = np.reshape(self.qparams.scale, (-1,) + (1,) * (w.ndim - 1)) if self.per_channel else self.qparams.scale
        self.clipped = int(np.count_nonzero((w < low - scale / 2) | (w > high + scale / 2)))
        self.channel_sqnr_db = {scheme: self._channel_sqnr(self.qparams_for(scheme == "per-channel"))
                                for scheme in ("per-tensor", "per-channel")}
        self.accuracy = self._accuracy()
        self.summary.value = self._summary_html()
        self.figure.value = self._draw()

    def _ranges(self, qp):
        """The real range of the codes, broadcast against the weight (per channel along axis 0)."""
        low, high = qp.real_range
        shape = (-1,) + (1,) * (self.weights[self.layer].ndim - 1)
        return (np.reshape(low, shape), np.reshape(high, shape)) if qp.axis is not None else (low, high)

    def _channel_sqnr(self, qp):
        w = self.weights[self.layer]
        rounded = fake_quantize(w, qp)
        return np.array([sqnr_db(w[c], rounded[c]) for c in range(w.shape[AXIS])])  # one small sum per channel

    def _accuracy(self):
        """Test accuracy of the pretrained CNN with this layer on its quantized weights (None for
        weights given by the caller)."""
        if self._model is None:
            return None
        from ..nn import FloatCNN

        _, _, x_test, y_test = _digits()
        params = dict(self._model.params, **{self.layer: self.fake_quantized})
        return float(FloatCNN(params).accuracy(x_test, y_test))

    def _summary_html(self):
        qp, w = self.qparams, self.weights[self.layer]
        if qp.axis is None:
            mapping = f"scale {qp.scale:.4g}, zero point {qp.zero_point}, range [{qp.real_range[0]:.4g}, {qp.real_range[1]:.4g}]"
        else:
            low, high = qp.real_range
            c = self.channel
            mapping = (f"{qp.scale.size} scales {qp.scale.min():.4g} … {qp.scale.max():.4g}; channel {c}: scale "
                       f"{qp.scale[c]:.4g}, zero point {qp.zero_point[c]}, range [{low[c]:.4g}, {high[c]:.4g}]")
        accuracy = ""
        if self.accuracy is not None:
            _, _, x_test, y_test = _digits()
            accuracy = (f" · <b class='nf-accuracy'>test accuracy {self.accuracy:.2%}</b> "
                        f"(float: {self._model.accuracy(x_test, y_test):.2%})")
        return (f"<div style='font-family:monospace'>{self.layer} {w.shape}: {w.size} weights · codes "
                f"[{qp.qmin}, {qp.qmax}] · {mapping}<br>{self.clipped} weights clipped "
                f"({self.clipped / w.size:.1%}) · <b class='nf-sqnr'>SQNR {self.sqnr_db:.2f} dB</b>{accuracy}</div>")

    def _draw(self):
        from matplotlib.figure import Figure

        w = self.weights[self.layer]
        figure = Figure(figsize=(11, 3.6), dpi=72)
        axes = figure.subplots(1, 3, width_ratios=[3, 2, 2],
                               gridspec_kw=dict(left=0.05, right=0.98, bottom=0.15, top=0.9, wspace=0.3))
        self._draw_histogram(axes[0], w)
        self._draw_channels(axes[1])
        self._draw_error(axes[2], w)
        return png_bytes(figure)

    def _draw_histogram(self, ax, w):
        """The weights, the grid of levels, the clipping range and real zero."""
        qp, c = self.qparams, self.channel
        scale = qp.scale if qp.axis is None else qp.scale[c]
        zero_point = qp.zero_point if qp.axis is None else qp.zero_point[c]
        low, high = scale * (qp.qmin - zero_point), scale * (qp.qmax - zero_point)
        ax.hist(w.ravel(), bins=80, color="#bbbbbb", label=f"all of {self.layer}")
        if qp.axis is not None:
            ax.hist(w[c].ravel(), bins=40, color=BLUE, label=f"channel {c}")
        levels = scale * (np.arange(qp.qmin, qp.qmax + 1) - zero_point)
        height, alpha = (1.0, 0.35) if levels.size <= 32 else (0.06, 1.0)  # few levels: lines; many: ticks
        ax.vlines(levels, 0, height, transform=ax.get_xaxis_transform(), color=GREEN, lw=0.8, alpha=alpha,
                  label=f"{levels.size} levels" + (f" of channel {c}" if qp.axis is not None else ""))
        for edge in (low, high):
            ax.axvline(edge, color="#c0392b", ls="--", lw=1)
        ax.axvline(0.0, color="black", lw=0.8, label=f"real 0 = code {zero_point}")
        ax.set(xlabel="weight", ylabel="count", title=f"clipping range [{low:.3g}, {high:.3g}] (dashed)")
        ax.legend(loc="upper right", fontsize="small")

    def _draw_channels(self, ax):
        """SQNR of every output channel, per-tensor against per-channel."""
        channels = np.arange(len(self.channel_sqnr_db["per-tensor"]))
        for offset, (scheme, values) in zip((-0.2, 0.2), self.channel_sqnr_db.items()):
            chosen = (scheme == "per-channel") == self.per_channel
            ax.bar(channels + offset, values, width=0.4, label=scheme + (" (chosen)" if chosen else ""),
                   color=BLUE if scheme == "per-tensor" else ORANGE, alpha=1.0 if chosen else 0.35)
        ax.set(xlabel="output channel", ylabel="SQNR (dB)", title="error per channel")
        ax.legend(loc="lower right", fontsize="small")

    def _draw_error(self, ax, w):
        """Rounding error against the weight: within half a step inside the range, growing beyond."""
        ax.plot(w.ravel(), (self.fake_quantized - w).ravel(), ".", ms=2, color="#c0392b")
        ax.axhline(0, color="gray", lw=0.5)
        ax.set(xlabel="weight", ylabel="quantized − weight", title="the error of each weight")


def _checked_weights(weights):
    if not isinstance(weights, dict) or not weights:
        raise TypeError(f"weights must be a non-empty dict of name → array, got {type(weights).__name__}")
    checked = {}
    for name, value in weights.items():
        array = np.asarray(value, dtype=np.float64)
        if array.ndim < 2 or not np.all(np.isfinite(array)):
            raise ValueError(f"weights[{name!r}] must be a finite array with output channels on axis 0 and at least "
                             f"2 dimensions, got shape {array.shape}")
        checked[str(name)] = array
    return checked


_DIGITS = []


def _digits():
    """The digits split, loaded once (scikit-learn's bundled data)."""
    if not _DIGITS:
        from ..nn import load_digits_split

        _DIGITS.append(load_digits_split())
    return _DIGITS[0]
