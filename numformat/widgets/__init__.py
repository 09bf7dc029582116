"""Interactive explorers for JupyterLab, built on ipywidgets.

Each explorer is an ordinary widget box whose state lives in traits, so a test (or a curious
student) can drive it from Python: set ``explorer.bits`` or call ``explorer.toggle_bit(31)``
and read ``explorer.value``.  The arithmetic is numformat's own; the widgets only show it.

* :class:`FloatExplorer` — the bits of an IEEE-754 or ML float (lesson 2);
* :class:`FixedExplorer` — a number in Qm.n with its rounding and overflow (lesson 3);
* :class:`QuantizerExplorer` — an ADC's staircase, error and SQNR over a sine or speech (lesson 5);
* :class:`Int8Explorer` — a CNN layer's weights against the int8 grid: scale, zero point, clipping,
  per-tensor or per-channel, and the accuracy that is left (lesson 6);
* :class:`BlockExplorer` — one block of an MX, NVFP4, int4-group or NF4 format: its shared scale,
  codes and error as an outlier grows (lesson 11).

This package imports ipywidgets; ``import numformat`` does not import it.
"""

from .block_explorer import BlockExplorer
from .fixed_explorer import FixedExplorer
from .float_explorer import FLOAT_CHOICES, FloatExplorer
from .int8_explorer import Int8Explorer
from .quantizer_explorer import SIGNALS, QuantizerExplorer

__all__ = ["FLOAT_CHOICES", "BlockExplorer", "SIGNALS", "FixedExplorer", "FloatExplorer", "Int8Explorer", "QuantizerExplorer"]
