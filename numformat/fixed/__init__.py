"""Fixed point Qm.n: the word's format and the numbers stored in it.

* :mod:`.qformat` — :class:`QFormat`: m integer bits (not counting the sign, TI's convention),
  n fraction bits, the range and the resolution, and the formats sums and products grow into;
* :mod:`.fixed` — :class:`Fixed`: raw integers a DSP would store, conversion with every
  rounding and overflow mode, exact arithmetic with full-precision growth.

Examples
--------
>>> x = Fixed(3.14159, QFormat(3, 12))
>>> x.raw, x.exact, (x * x).fmt
(12868, '3.1416015625', QFormat(m=7, n=24, signed=True))
"""

from .fixed import Fixed
from .qformat import CONVENTIONS, QFormat, as_qformat

__all__ = ["CONVENTIONS", "Fixed", "QFormat", "as_qformat"]
