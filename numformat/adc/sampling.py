"""Sampling: an ADC keeps only ``x(n / rate)``; what it cannot tell apart, it aliases.

A sinusoid above the Nyquist frequency ``rate / 2`` reappears at :func:`alias_frequency`;
:func:`reconstruct` rebuilds the continuous signal from its samples with sinc interpolation
(Whittaker–Shannon), exact for a signal band-limited below ``rate / 2``.

Examples
--------
>>> t, x = sample(lambda t: np.sin(2 * np.pi * 1000 * t), rate=8000, duration=0.001)
>>> np.round(x, 3).tolist()
[0.0, 0.707, 1.0, 0.707, 0.0, -0.707, -1.0, -0.707]
>>> alias_frequency(7000, rate=8000)
1000.0
"""

from __future__ import annotations

import numpy as np

from ..checks import as_float64_array, check_positive, like_input


# ---------------------------------------------------------------- the time axis


def sample(fn, rate, duration, *, start=0.0):
    """Sample the continuous signal ``fn(t)`` at ``rate`` samples per second.

    Parameters
    ----------
    fn : callable
        Takes an array of times in seconds, returns the signal there (or a constant).
    rate : float
        Sample rate in Hz, positive.
    duration : float
        Seconds to sample; ``round(duration * rate)`` samples are taken.
    start : float
        Time of the first sample.

    Returns
    -------
    (t, x) : two float64 arrays, the sample times ``start + n / rate`` and the samples.

    Examples
    --------
    >>> t, x = sample(lambda t: 2 * t, rate=4, duration=1)
    >>> t.tolist(), x.tolist()
    ([0.0, 0.25, 0.5, 0.75], [0.0, 0.5, 1.0, 1.5])
    """
    if not callable(fn):
        raise TypeError(f"fn must be a function of time, got {type(fn).__name__} {fn!r}")
    rate = check_positive(rate, "rate")
    duration = check_positive(duration, "duration")
    start = float(as_float64_array(start, "start"))
    t = start + np.arange(round(duration * rate)) / rate
    x = np.broadcast_to(as_float64_array(fn(t), "fn(t)"), t.shape).copy()
    return t, x


def alias_frequency(f, rate, *, signed=False):
    """The frequency at which a sinusoid of frequency ``f`` appears after sampling at ``rate``.

    Sampling cannot tell ``f`` from ``f - k·rate`` for any integer ``k``, so every frequency
    folds into ``[0, rate / 2]``: the Nyquist band.

    Parameters
    ----------
    f : float or array_like
        True frequency in Hz.
    rate : float
        Sample rate in Hz.
    signed : bool
        Return the alias in ``[-rate/2, rate/2]`` instead: a negative value is a rotation that
        appears to run backwards (the wagon wheel in a film).

    Examples
    --------
    >>> alias_frequency([100, 3900, 4100, 7900, 8100], rate=8000).tolist()
    [100.0, 3900.0, 3900.0, 100.0, 100.0]
    >>> alias_frequency(23, rate=24, signed=True)  # a wheel at 23 turns/s filmed at 24 frames/s
    -1.0
    """
    rate = check_positive(rate, "rate")
    f = as_float64_array(f, "f")
    if not np.all(np.isfinite(f)):
        raise ValueError("f must hold finite frequencies")
    folded = f - rate * np.round(f / rate)
    return like_input(f, folded if signed else np.abs(folded))


def reconstruct(samples, rate, t, *, start=0.0):
    """Rebuild the continuous signal at times ``t`` from its samples (Whittaker-Shannon).

    ``x(t) = Σ x[n] · sinc(rate · (t - start) - n)``: exact for a signal band-limited below
    ``rate / 2`` and sampled forever; with finitely many samples it is exact at the sample
    times and close to the signal away from the ends.

    Examples
    --------
    >>> reconstruct([0.0, 1.0, 0.0], rate=10, t=[0.0, 0.1, 0.2]).tolist()
    [0.0, 1.0, 0.0]
    """
    samples = as_float64_array(samples, "samples")
    if samples.ndim != 1:
        raise ValueError(f"samples must be one-dimensional, got shape {samples.shape}")
    rate = check_positive(rate, "rate")
    t = as_float64_array(t, "t")
    position = rate * (t - float(start))
    return np.sinc(position[..., np.newaxis] - np.arange(samples.size)) @ samples


# ---------------------------------------------------------------- the amplitude axis
