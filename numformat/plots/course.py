"""Lesson 0's figures: the course as a timeline, and every format of the course as fields of bits."""

from __future__ import annotations

from ..palette import BLUE, FIELD_COLOURS, GREEN, ORANGE
from .base import axes_or_new


def format_fields(fmt):
    """(label, [(field, bits), ...]) of a FloatFormat, a QFormat, or a ``(label, fields)`` pair,
    where ``fields`` may itself be a FloatFormat or a QFormat, or a list of (field, bits)."""
    from ..fixed import QFormat
    from ..floats import FloatFormat

    label, fields = fmt if isinstance(fmt, tuple) else (None, fmt)
    if isinstance(fields, FloatFormat):
        return label or fields.name, [("sign", 1), ("exponent", fields.exponent_bits), ("mantissa", fields.mantissa_bits)]
    if isinstance(fields, QFormat):
        sign = [("sign", 1)] if fields.signed else []
        return label or str(fields), sign + [("integer", fields.m), ("fraction", fields.n)]
    if label is None:
        raise TypeError(f"formats must hold FloatFormats, QFormats or (label, fields) pairs, got {fmt!r}")
    return label, list(fields)


def plot_format_bits(formats, ax=None):
    """Each format's word as a bar of its fields: sign, exponent or integer bits, mantissa or
    fraction bits, with the number of bits written in each field."""
    from matplotlib.patches import Patch

    rows = [format_fields(fmt) for fmt in formats]
    ax = axes_or_new(ax, figsize=(8, 0.4 * len(rows) + 1.2))
    for y, (label, fields) in enumerate(rows):
        start = 0
        for field, bits in fields:
            if bits:
                ax.barh(y, bits, left=start, color=FIELD_COLOURS[field], edgecolor="white", height=0.7)
                if bits >= 2:
                    ax.text(start + bits / 2, y, str(bits), ha="center", va="center", color="white", fontsize=8)
            start += bits
        ax.text(start + 0.5, y, f"{start} bits", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("bits")
    ax.set_xlim(0, max(sum(bits for _, bits in fields) for _, fields in rows) * 1.12)
    handles = [Patch(color=colour, label=label) for label, colour in
               [("sign", BLUE), ("exponent / integer bits", GREEN), ("mantissa / fraction bits", ORANGE)]]
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    ax.set_title("How many bits, and what each one does")
    return ax


def plot_course_map(notebooks, ax=None):
    """The lessons and labs in order as a timeline: each bar starts where the one before ended
    and is as long as the notebook takes; lessons blue, labs orange."""
    from matplotlib.patches import Patch

    ax = axes_or_new(ax, figsize=(9, 0.38 * len(notebooks) + 1.3))
    colours = {"lesson": BLUE, "lab": ORANGE}
    start = 0
    for y, notebook in enumerate(notebooks):
        title = notebook.short_title
        if notebook.minutes:
            ax.barh(y, notebook.minutes, left=start, color=colours[notebook.kind], height=0.7)
            ax.text(start + notebook.minutes + 3, y, f"{notebook.minutes} min · {title}", va="center", fontsize=8)
            start += notebook.minutes
        else:
            ax.text(start + 3, y, f"{title} (time not listed yet)", va="center", fontsize=8)
    ax.set_yticks(range(len(notebooks)), [notebook.label for notebook in notebooks])
    ax.invert_yaxis()
    ax.set_xlim(0, start * 1.55 + 60)
    ax.set_xlabel("minutes from the start")
    lessons = sum(notebook.kind == "lesson" for notebook in notebooks)
    labs = len(notebooks) - lessons
    ax.set_title(f"The course here: {lessons} lesson{'s' * (lessons != 1)} and {labs} lab{'s' * (labs != 1)}, "
                 f"about {start / 60:.1f} hours")
    ax.legend(handles=[Patch(color=colour, label=kind) for kind, colour in colours.items()], loc="upper right",
              fontsize=8)
    return ax
