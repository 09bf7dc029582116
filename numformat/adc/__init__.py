"""The analog-to-digital converter: sampling fixes the time axis, quantization the amplitude axis.

An ADC takes a continuous signal ``x(t)`` and keeps only ``x(n / rate)`` (:mod:`.sampling`),
then rounds each sample to one of ``2**bits`` levels (:mod:`.quantizer`).  Both steps lose
information in a way that can be computed exactly.  Telephone speech squeezes 13-14 bits into
8 with G.711 companding (:mod:`.g711`, μ-law and A-law, bit-exact with ITU-T G.191).

Examples
--------
>>> t, x = sample(lambda t: np.sin(2 * np.pi * 1000 * t), rate=8000, duration=0.001)
>>> Quantizer(3).encode(x).tolist()
[0, 3, 3, 3, 0, -3, -4, -3]
>>> alias_frequency(7000, rate=8000)
1000.0
"""

import numpy as np  # noqa: F401  (the examples above use it)

from .g711 import alaw_decode, alaw_encode, mulaw_compress, mulaw_decode, mulaw_encode, mulaw_expand
from .quantizer import QUANTIZER_KINDS, Quantizer, sqnr_db, theoretical_sqnr_db, tpdf_dither
from .sampling import alias_frequency, reconstruct, sample

__all__ = [
    "Quantizer", "QUANTIZER_KINDS", "alias_frequency", "reconstruct", "sample", "sqnr_db",
    "theoretical_sqnr_db", "tpdf_dither",
    "alaw_decode", "alaw_encode", "mulaw_compress", "mulaw_decode", "mulaw_encode", "mulaw_expand",
]
