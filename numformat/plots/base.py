"""What every figure function shares: an ``Axes`` to draw on."""

from __future__ import annotations


def axes_or_new(ax=None, figsize=(8, 3)):
    """The given axes, or a fresh figure's."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
