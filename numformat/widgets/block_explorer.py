"""The block explorer: one block of values in a block-scaled format (MX, NVFP4, int4 groups, NF4),
its shared scale, each element's code and what the rounding costs, with an outlier to grow.

The arithmetic is :func:`numformat.blocks.block_quantize` and :func:`~numformat.blocks.block_dequantize`;
the figure is :func:`numformat.plots.plot_block`, drawn with Agg into a PNG as the other explorers do.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
import traitlets

from ..adc import sqnr_db
from ..blocks import FORMATS, block_dequantize, block_quantize
from ._common import link_controls, png_bytes, within

OUTLIER_RANGE = (1.0, 100.0)
SEED_RANGE = (0, 99)
SHOWN_ELEMENTS = 8  # the table lists the first elements and the outlier; the figure shows them all


class BlockExplorer(widgets.VBox):
    """One block in a block-scaled format: the values, the shared scale, the codes and the error.

    The block holds seeded standard-normal values (``seed``), its element ``outlier_index``
    multiplied by ``outlier``: at 1 there is no outlier; at 20 one value sets the block's scale
    and the others round on a coarser grid.

    Parameters
    ----------
    fmt : str
        A name of :data:`numformat.blocks.FORMATS` (``"mxfp4_e2m1"``, ``"nvfp4"``, ``"int4-g32"``,
        ``"nf4"`` ...); the block is that format's ``block_size`` long.
    outlier : float
        1 to 100: the factor on the outlier element.
    seed : int
        0 to 99: which random block.
    outlier_index : int
        The element made an outlier (0 to 15, inside every format's block).

    Examples
    --------
    >>> explorer = BlockExplorer("mxfp4_e2m1")
    >>> explorer
    BlockExplorer(mxfp4_e2m1, 32 values, outlier ×1: scale 0.5, SQNR 16.78 dB, the others 16.88 dB)
    >>> explorer.outlier = 20.0          # one value 20 times larger: the scale doubles, the others pay
    >>> explorer.scale, round(explorer.others_sqnr_db, 2), explorer.flushed_to_zero
    (1.0, 14.22, 9)
    >>> explorer.fmt = "nvfp4"           # blocks of 16 under an E4M3 scale (not a power of two)
    >>> round(explorer.scale, 4), round(explorer.others_sqnr_db, 2), explorer.flushed_to_zero
    (1.2053, 17.91, 5)
    """

    fmt = traitlets.Unicode("mxfp4_e2m1", help="the block format's name")
    outlier = traitlets.Float(1.0, help="factor on the outlier element")
    seed = traitlets.Int(0, help="which random block")

    def __init__(self, fmt="mxfp4_e2m1", *, outlier=1.0, seed=0, outlier_index=5, **kwargs):
        if isinstance(outlier_index, bool) or not isinstance(outlier_index, (int, np.integer)) \
                or not 0 <= outlier_index < 16:
            raise ValueError(f"outlier_index={outlier_index!r} must be an int from 0 to 15 (inside every block)")
        self.outlier_index = int(outlier_index)
        self._ready = False
        self.format_picker = widgets.Dropdown(options=list(FORMATS), description="format")
        self.outlier_slider = widgets.FloatLogSlider(min=0, max=2, step=0.05, base=10, description="outlier ×",
                                                     continuous_update=False)
        self.seed_slider = widgets.IntSlider(min=SEED_RANGE[0], max=SEED_RANGE[1], description="block",
                                             continuous_update=False)
        self.summary = widgets.HTML()
        self.summary.add_class("nf-summary")
        self.table = widgets.HTML()
        self.table.add_class("nf-elements")
        self.figure = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.figure.add_class("nf-figure")
        super().__init__(**kwargs)
        self.add_class("nf-block-explorer")
        self.children = [widgets.HBox([self.format_picker, self.outlier_slider, self.seed_slider]),
                         self.summary, self.table, self.figure]
        self.fmt, self.outlier, self.seed = fmt, outlier, seed
        link_controls(self, [("fmt", self.format_picker), ("outlier", self.outlier_slider), ("seed", self.seed_slider)])
        self._ready = True
        self._update()

    def __repr__(self):
        return (f"BlockExplorer({self.fmt}, {self.values.size} values, outlier ×{self.outlier:g}: "
                f"scale {self.scale:.4g}, SQNR {self.sqnr_db:.2f} dB, the others {self.others_sqnr_db:.2f} dB)")

    # ------------------------------------------------------------------ traits

    @traitlets.validate("fmt")
    def _valid_fmt(self, proposal):
        if proposal["value"] not in FORMATS:
            raise ValueError(f"fmt={proposal['value']!r} is not a block format; use one of "
                             + ", ".join(map(repr, FORMATS)))
        return proposal["value"]

    @traitlets.validate("outlier")
    def _valid_outlier(self, proposal):
        return within(proposal["value"], OUTLIER_RANGE, "outlier", " (the factor on one element)")

    @traitlets.validate("seed")
    def _valid_seed(self, proposal):
        return within(proposal["value"], SEED_RANGE, "seed")

    @traitlets.observe("fmt", "outlier", "seed")
    def _on_setting(self, change):
        if self._ready:
            self._update()

    # ------------------------------------------------------------------ computing and drawing

    def _update(self):
        block_size = FORMATS[self.fmt].block_size
        values = np.random.default_rng(self.seed).standard_normal(block_size)
        values[self.outlier_index] *= self.outlier
        self.values = values
        self.quantized = block_quantize(values, self.fmt)
        self.stored = block_dequantize(self.quantized)
        self.scale = float(np.ravel(self.quantized.scales)[0])
        self.sqnr_db = sqnr_db(values, self.stored)
        others = np.arange(block_size) != self.outlier_index
        self.others_sqnr_db = sqnr_db(values[others], self.stored[others])
        self.flushed_to_zero = int(np.count_nonzero((self.stored == 0) & (values != 0)))
        self.summary.value = self._summary_html()
        self.table.value = self._table_html()
        self.figure.value = self._draw()

    def _summary_html(self):
        fmt = FORMATS[self.fmt]
        bits = fmt.element_bits + fmt.scale_bits / fmt.block_size
        return (f"<div style='font-family:monospace'>{html.escape(repr(fmt))} · {bits:g} bits per value · "
                f"shared scale <b class='nf-scale'>{self.scale:.6g}</b> · {self.flushed_to_zero} of "
                f"{self.values.size} values rounded to 0 · <b class='nf-sqnr'>SQNR {self.sqnr_db:.2f} dB</b> "
                f"(<span class='nf-others'>the other values: {self.others_sqnr_db:.2f} dB</span>)</div>")

    def _table_html(self):
        shown = sorted({*range(SHOWN_ELEMENTS), self.outlier_index})
        columns = [("element", [str(i) for i in shown]),
                   ("value", [f"{self.values[i]:.4g}" for i in shown]),
                   ("code", [str(int(np.ravel(self.quantized.codes)[i])) for i in shown]),
                   ("stored", [f"{self.stored[i]:.4g}" for i in shown]),
                   ("error", [f"{self.stored[i] - self.values[i]:+.3g}" for i in shown])]
        rows = "".join(f"<tr><th style='text-align:left;padding-right:1em'>{name}</th>"
                       + "".join(f"<td style='padding:0 0.6em'>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
                       for name, cells in columns)
        return f"<table style='font-family:monospace'>{rows}</table>"

    def _draw(self):
        from matplotlib.figure import Figure

        from ..plots.blocks import plot_block

        figure = Figure(figsize=(10, 3.4), dpi=72, layout="constrained")
        plot_block(self.values, self.fmt, ax=figure.subplots())
        return png_bytes(figure)
