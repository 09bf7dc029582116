"""G.711 μ-law encoding against Python's audioop (C), and the uniform quantizer against plain numpy."""

import warnings

import numpy as np

import numformat as nf
from run import Case

with warnings.catch_warnings():  # audioop is deprecated in 3.11-3.12 and gone in 3.13
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop
    except ImportError:
        audioop = None


def _speech_like_pcm(size):
    """int16 samples with speech's shape: mostly small, a few loud, every sign."""
    rng = np.random.default_rng(0)
    return np.clip(rng.laplace(scale=2000, size=size), -32768, 32767).astype(np.int16)


def _agree_except_documented(pcm):
    """audioop.lin2ulaw differs from G.191 on 508 negative inputs (numformat.g711 docstring);
    everywhere else the codes must be identical."""
    every_int16 = np.arange(-32768, 32768, dtype=np.int16)
    differ = every_int16[nf.mulaw_encode(every_int16) != np.frombuffer(audioop.lin2ulaw(every_int16.tobytes(), 2), np.uint8)]
    assert differ.size == 508 and differ.max() < 0
    documented = np.isin(pcm, differ)

    def check(ours, theirs):
        theirs = np.frombuffer(theirs, np.uint8)
        np.testing.assert_array_equal(ours[~documented], theirs[~documented])
        np.testing.assert_array_equal(ours[documented], theirs[documented] + 1)
    return check


def _numpy_quantize(x, bits):
    """What a programmer writes by hand: scale, round half to even, clip, scale back."""
    step = 2.0 ** (1 - bits)
    return np.clip(np.rint(x / step), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1) * step


def cases(quick=False):
    size = 1_000 if quick else 1_000_000
    x = np.random.default_rng(1).uniform(-1.1, 1.1, size)
    quantizer = nf.Quantizer(8)
    table = [
        Case("`Quantizer(8).quantize(x)`, 10^6 float64", lambda: quantizer.quantize(x),
             "numpy `rint`, `clip`, scale", lambda: _numpy_quantize(x, 8), goal_ratio=2.0,
             check=np.testing.assert_array_equal),
    ]
    if audioop is None:  # Python 3.13+: nothing to compare against
        return table
    pcm = _speech_like_pcm(size)
    pcm_bytes = pcm.tobytes()
    table.append(Case("`mulaw_encode(pcm)`, 10^6 int16", lambda: nf.mulaw_encode(pcm),
                      "audioop `lin2ulaw` (C)", lambda: audioop.lin2ulaw(pcm_bytes, 2), goal_ratio=1.0,
                      check=_agree_except_documented(pcm)))
    return table
