"""Static linearity from a sine: the code-density (histogram) test for DNL, INL and missing codes.

An ideal ``N``-bit converter's codes are all one LSB wide.  A real one's are not: the
*differential nonlinearity* ``DNL[k] = W[k]/LSB − 1`` says how much wider or narrower code ``k``
is, and the *integral nonlinearity* INL how far each transition level has drifted from a straight
line through the ends (terminal-based INL, IEEE Std 1241-2010 §4.1.2; offset and gain error do
not count).  A code of width zero is *missing* (``DNL = −1``): the converter never outputs it.

The test (IEEE Std 1241-2010 §4.1.3.3 on the sine-wave histogram; Blair, "Histogram measurement
of ADC nonlinearities using sine waves", IEEE Trans. Instrum. Meas. 43(3), 1994): drive the
converter a little beyond both ends of its range with a sine ``C + A·sin(·)`` and count how often
each code comes out.  A sine dwells longer near its peaks (its values follow the arcsine
density), so the counts alone are not widths; but the fraction of samples below a level ``T``
is ``1/2 + asin((T − C)/A)/π`` exactly, which inverts to the transition levels ::

    T[k] = C − A·cos(π · H[k−1] / S)        (H the cumulative histogram, S the samples)

and the widths ``W[k] = T[k+1] − T[k]``.  The two end codes hold the clipped peaks and have no
width.  In units of ``A`` (with ``C = 0``), ``T`` is all a DNL and a terminal INL need; with the
stimulus's ``amplitude`` and ``offset`` known, ``T`` is in volts and the offset and gain errors
follow too.  A record whose length and cycle count are coprime (coherent sampling,
:func:`~numformat.adc.spectrum.coherent_frequency`) samples the sine's phase evenly, so the
counts are as close to their expectations as integers can be.

Examples
--------
>>> from numformat.adc import Quantizer, coherent_frequency
>>> n = 2 ** 16
>>> k = np.arange(n)
>>> x = 1.02 * np.sin(2 * np.pi * coherent_frequency(1.0, n, 0.1) * k)  # overdrive by 2 %
>>> result = histogram_test(Quantizer(4).encode(x), bits=4)
>>> bool(np.abs(result.dnl).max() < 0.01), bool(np.abs(result.inl).max() < 0.01), result.missing_codes
(True, True, [])
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import check_int, check_positive, check_real

MIN_BITS, MAX_BITS = 2, 24


@dataclasses.dataclass(frozen=True)
class Linearity:
    """Static linearity of a converter: transition levels, DNL and INL in LSB, missing codes.

    ``codes`` lists the codes ``DNL`` describes (every code but the two end ones, two's
    complement as :class:`~numformat.adc.quantizer.Quantizer` numbers them); ``transitions[i]``
    is the level between ``code_min + i`` and ``code_min + i + 1``; ``inl[i]`` is that
    transition's distance from the end-point line, in LSB.  ``lsb`` is the average inner code
    width in the transitions' units.
    """

    codes: np.ndarray
    transitions: np.ndarray
    dnl: np.ndarray
    inl: np.ndarray
    lsb: float
    missing_codes: list

    @property
    def max_dnl(self):
        return float(np.max(np.abs(self.dnl)))

    @property
    def max_inl(self):
        return float(np.max(np.abs(self.inl)))


@dataclasses.dataclass(frozen=True)
class HistogramTest(Linearity):
    """A :class:`Linearity` measured by the histogram test, with the counts it came from.

    ``offset_error`` and ``gain_error`` (a fraction) compare the transitions with an ideal
    converter's when ``full_scale`` was given; otherwise they are ``None``.
    """

    counts: np.ndarray = None
    offset_error: float = None
    gain_error: float = None


def linearity(transitions, bits):
    """DNL, terminal-based INL and missing codes from a converter's ``2**bits − 1`` transition levels.

    Examples
    --------
    >>> lin = linearity(np.array([-0.75, -0.5, -0.25, 0.0, 0.25, 0.25, 0.75]), bits=3)   # code 1 is missing
    >>> lin.dnl.tolist(), lin.inl.tolist(), lin.missing_codes
    ([0.0, 0.0, 0.0, 0.0, -1.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0], [1])
    """
    bits = check_int(bits, "bits", low=MIN_BITS, high=MAX_BITS)
    transitions = np.asarray(transitions, dtype=np.float64)
    if transitions.shape != (2 ** bits - 1,):
        raise ValueError(f"a {bits}-bit converter has {2 ** bits - 1} transition levels, got shape {transitions.shape}")
    widths = np.diff(transitions)
    lsb = (transitions[-1] - transitions[0]) / widths.size
    if not lsb > 0:
        raise ValueError("the transition levels do not rise from the first to the last; no LSB can be defined")
    code_min = -(2 ** (bits - 1))
    codes = np.arange(code_min + 1, code_min + 2 ** bits - 1)
    dnl = widths / lsb - 1
    inl = (transitions - transitions[0]) / lsb - np.arange(transitions.size)
    missing = codes[widths <= 0].tolist()
    return Linearity(codes=codes, transitions=transitions, dnl=dnl, inl=inl, lsb=float(lsb), missing_codes=missing)


def code_counts(codes, bits):
    """How often each code ``-2**(bits-1) .. 2**(bits-1) - 1`` occurs (an int64 array of ``2**bits``)."""
    codes = np.asarray(codes)
    if codes.dtype.kind not in "iu":
        raise TypeError(f"codes must be integers (a converter's output codes), got {codes.dtype}")
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if codes.size and (codes.min() < low or codes.max() > high):
        raise ValueError(f"codes must lie in [{low}, {high}] for a {bits}-bit converter, "
                         f"got values from {codes.min()} to {codes.max()}")
    return np.bincount((codes.ravel().astype(np.int64) - low), minlength=2 ** bits)


def histogram_test(codes, bits, *, amplitude=1.0, offset=0.0, full_scale=None):
    """The sine-wave histogram test: transition levels, DNL, INL and missing codes from output codes.

    Parameters
    ----------
    codes : array_like of int
        The converter's output for a sine that overdrives both ends of its range, two's
        complement codes as :meth:`Quantizer.encode <numformat.adc.quantizer.Quantizer.encode>` gives.
    bits : int
        The converter's resolution, 2 to 24.
    amplitude, offset : float
        The stimulus ``offset + amplitude·sin(·)``, to give the transition levels in its units.
    full_scale : float, optional
        The converter's nominal full scale (its ideal LSB is ``full_scale / 2**(bits-1)``, as for
        :class:`~numformat.adc.quantizer.Quantizer`): then the offset error (in the stimulus's
        units) and the gain error (a fraction) are measured too, from the end-point line.

    Returns
    -------
    HistogramTest

    Examples
    --------
    >>> histogram_test(np.zeros(100, dtype=int), bits=8)
    Traceback (most recent call last):
    ...
    ValueError: the sine must overdrive both ends of the 8-bit range: code -128 was hit 0 times and code 127 0 times; raise the amplitude so that both end codes clip
    """
    bits = check_int(bits, "bits", low=MIN_BITS, high=MAX_BITS)
    amplitude = check_positive(amplitude, "amplitude")
    offset = check_real(offset, "offset")
    counts = code_counts(codes, bits)
    if counts[0] == 0 or counts[-1] == 0:
        raise ValueError(f"the sine must overdrive both ends of the {bits}-bit range: code {-(2 ** (bits - 1))} "
                         f"was hit {counts[0]} times and code {2 ** (bits - 1) - 1} {counts[-1]} times; "
                         "raise the amplitude so that both end codes clip")
    below = np.cumsum(counts)[:-1] / counts.sum()  # the share of samples below each transition
    transitions = offset - amplitude * np.cos(np.pi * below)
    result = linearity(transitions, bits)
    offset_error = gain_error = None
    if full_scale is not None:
        ideal_lsb = check_positive(full_scale, "full_scale") / 2 ** (bits - 1)
        gain_error = result.lsb / ideal_lsb - 1
        # a mid-tread converter's first transition is half an LSB above its lowest level, -full_scale
        offset_error = float(transitions[0] - (-full_scale + ideal_lsb / 2) * (1 + gain_error))
    return HistogramTest(**dataclasses.asdict(result), counts=counts,
                         offset_error=offset_error, gain_error=gain_error)
