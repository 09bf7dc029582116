"""The analog-to-digital converter: sampling fixes the time axis, quantization the amplitude axis.

An ADC takes a continuous signal ``x(t)`` and keeps only ``x(n / rate)`` (:mod:`.sampling`),
then rounds each sample to one of ``2**bits`` levels (:mod:`.quantizer`).  Both steps lose
information in a way that can be computed exactly.  Telephone speech squeezes 13-14 bits into
8 with G.711 companding (:mod:`.g711`, μ-law and A-law, bit-exact with ITU-T G.191).

Real converters are judged by measurement (IEEE Std 1241): the sine fit (:mod:`.sinefit`), the
spectrum of one record (:mod:`.spectrum`) and what it says, SINAD, ENOB, SNR, THD and SFDR
(:mod:`.measure`), the code-density test for DNL and INL (:mod:`.histogram`), checked on a
converter with known errors (:mod:`.model`).  Audio converters reach 24 bits by noise shaping
(:mod:`.shaping`) and one-bit sigma-delta modulation at 64 times the rate (:mod:`.sigma_delta`).
A speech recording has no known input: :mod:`.recording` reads its noise floor, levels used
and an ENOB-equivalent instead.

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
from .histogram import HistogramTest, Linearity, histogram_test, linearity
from .measure import ToneMeasures, analyze_tone, enob, enob_from_sinad, sfdr_db, sinad_db, snr_db, thd_db
from .model import NonIdealADC
from .recording import RecordingQuality, recording_quality
from .sampling import alias_frequency, reconstruct, sample
from .shaping import inband_noise_fraction, noise_shape, theoretical_inband_sqnr_db
from .sigma_delta import SigmaDelta, decimate, inband_sqnr_db, sigma_delta, sigma_delta_modulate
from .sinefit import SineFit, sine_fit
from .spectrum import WINDOW_LOBES, coherent_frequency, power_spectrum, window_samples

__all__ = [
    "Quantizer", "QUANTIZER_KINDS", "alias_frequency", "reconstruct", "sample", "sqnr_db",
    "theoretical_sqnr_db", "tpdf_dither",
    "alaw_decode", "alaw_encode", "mulaw_compress", "mulaw_decode", "mulaw_encode", "mulaw_expand",
    # measuring converters (IEEE 1241), noise shaping and sigma-delta
    "SineFit", "sine_fit", "ToneMeasures", "analyze_tone", "enob", "enob_from_sinad", "sfdr_db", "sinad_db",
    "snr_db", "thd_db", "WINDOW_LOBES", "coherent_frequency", "power_spectrum", "window_samples",
    "HistogramTest", "Linearity", "histogram_test", "linearity", "NonIdealADC",
    "inband_noise_fraction", "noise_shape", "theoretical_inband_sqnr_db",
    "SigmaDelta", "decimate", "inband_sqnr_db", "sigma_delta", "sigma_delta_modulate",
    # what a speech recording says about its converter
    "RecordingQuality", "recording_quality",
]
