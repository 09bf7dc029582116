"""Matplotlib figures the lessons share.

Each function draws one teaching figure on a given (or new) ``Axes`` and returns the ``Axes``,
so a lesson shows it with one call and ``plt.show()``.  matplotlib is imported inside the
functions: ``import numformat`` stays light.
"""

from __future__ import annotations


def _axes(ax=None, figsize=(8, 3)):
    """The given axes, or a fresh figure's."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax
