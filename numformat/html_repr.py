"""The pictures Jupyter shows when a cell evaluates to a :class:`FloatBits`, a :class:`QFormat`, a
:class:`Fixed`, a :class:`Quantizer` or a :class:`QParams`: coloured bit boxes and small tables
instead of a bare tuple.

Jupyter calls an object's ``_repr_html_``.  This module gives those classes that method (at the
bottom), so the arithmetic never imports its presentation: the functions here read only the
objects' public attributes.  ``import numformat`` imports this module.  The HTML
is deterministic — no ids, no addresses, inline styles only, every text escaped — so a stored
notebook shows the same picture on every run.  The colours are FloatBits': sign blue, integer
bits green like the exponent, fraction bits orange like the mantissa.

Examples
--------
>>> from numformat import Fixed, QFormat
>>> weights(QFormat(1, 2))        # Q1.2: sign, one integer bit, two fraction bits
['-2¹', '2⁰', '2⁻¹', '2⁻²']
>>> fixed_formula(Fixed(-1.5, "Q3.12"))
'-2³ + 2² + 2¹ + 2⁻¹ = -1.5'
"""

from __future__ import annotations

import html

import numpy as np

from .adc import Quantizer, theoretical_sqnr_db
from .fixed import Fixed, QFormat
from .floats import FloatBits
from .palette import FIELD_COLOURS, PALE_COLOURS
from .quant import QParams

ROLE_COLOURS = {role: FIELD_COLOURS[role] for role in ("sign", "integer", "fraction")}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
ARRAY_ROWS = 8  # how many elements of a Fixed array the table shows


def power_of_two(power):
    """``'2⁻³'`` for -3: a bit weight, short enough to sit under a bit box."""
    return "2" + str(power).translate(_SUPERSCRIPT)


def roles(fmt):
    """The role of each bit of a Qm.n word, most significant first: sign, integer, fraction."""
    sign = ["sign"] if fmt.signed else []
    return sign + ["integer"] * fmt.m + ["fraction"] * fmt.n


def weights(fmt):
    """Each bit's weight as text, most significant first; the sign bit weighs ``-2**m``."""
    powers = range(fmt.word_bits - 1 - fmt.n, -fmt.n - 1, -1)
    return [("-" if role == "sign" else "") + power_of_two(power) for role, power in zip(roles(fmt), powers)]


def fixed_formula(x):
    """The weights of a scalar Fixed's set bits and their sum: ``'2¹ + 2⁰ + 2⁻³ = 3.125'``."""
    digits = x.binary.replace(".", "")
    terms = [weight for weight, digit in zip(weights(x.fmt), digits) if digit == "1"]
    if not terms:
        return "0"
    return " + ".join(terms) + ("" if terms == [x.exact] else f" = {x.exact}")


def _bit_box(top, bottom, role, on, title):
    """One bit: a coloured box (``top``, the digit or the weight) with a small label beneath."""
    background, colour = (ROLE_COLOURS[role], "white") if on else (PALE_COLOURS[role], "#333333")
    box = (f'<span style="display:block;min-width:1.3em;padding:0 2px;text-align:center;border-radius:2px;'
           f'font-family:monospace;background:{background};color:{colour}">{html.escape(top)}</span>')
    label = f'<span style="font-size:x-small;color:#555555">{html.escape(bottom)}</span>' if bottom else ""
    return (f'<span title="{html.escape(title)}" style="display:inline-flex;flex-direction:column;'
            f'align-items:center;margin:1px">{box}{label}</span>')


def _point():
    """The binary point between the integer and the fraction bits."""
    return '<span style="display:inline-block;font-weight:bold;padding:0 1px;vertical-align:top">.</span>'


def _word(fmt, tops, ons):
    """A Qm.n word as boxes with weights beneath and the binary point in its place."""
    boxes = []
    for index, (role, weight) in enumerate(zip(roles(fmt), weights(fmt))):
        if index == fmt.word_bits - fmt.n and fmt.n:
            boxes.append(_point())
        boxes.append(_bit_box(tops[index], weight if tops[index] != weight else "", role, ons[index],
                              f"{role} bit, weight {weight}"))
    return f'<div style="display:flex;flex-wrap:wrap;align-items:flex-start">{"".join(boxes)}</div>'


def _legend(fmt):
    shown = [role for role in ROLE_COLOURS if role in roles(fmt)]
    return " ".join(f'<span style="color:{ROLE_COLOURS[role]}">■ {role}</span>' for role in shown)


def _table(rows):
    """Name/value rows as a small two-column table (values already HTML)."""
    body = "".join(f'<tr><td style="text-align:left;padding-right:1em">{html.escape(name)}</td>'
                   f'<td style="text-align:left;font-family:monospace">{value}</td></tr>' for name, value in rows)
    return f"<table>{body}</table>"


def _describe(fmt):
    if fmt.signed:
        return f"{fmt.word_bits}-bit two's complement word: 1 sign, {fmt.m} integer, {fmt.n} fraction bits"
    return f"{fmt.word_bits}-bit unsigned word: {fmt.m} integer, {fmt.n} fraction bits"


def qformat_html(fmt):
    """A Qm.n format: its word as bit weights, then range and resolution."""
    labels = weights(fmt)
    rows = [("resolution", f"{power_of_two(-fmt.n)} = {fmt.resolution!r}"),
            ("range", f"[{fmt.min!r}, {fmt.max!r}]"),
            ("raw integers", f"[{fmt.raw_min}, {fmt.raw_max}]")]
    return (f'<div class="numformat-qformat"><div><b>{html.escape(str(fmt))}</b> · {html.escape(_describe(fmt))}</div>'
            f'{_word(fmt, labels, [True] * fmt.word_bits)}{_table(rows)}'
            f'<div style="font-size:small">{_legend(fmt)}</div></div>')


def fixed_html(x):
    """A scalar Fixed as bit boxes with weights and its value; an array as a short table."""
    if x.ndim:
        return _fixed_array_html(x)
    digits = x.binary.replace(".", "")
    rows = [("raw", f"{x.raw} = {html.escape(x.hex)}"),
            ("value", html.escape(f"{x.raw} / {power_of_two(x.fmt.n)} = {x.exact}")),
            ("sum of weights", html.escape(fixed_formula(x)))]
    return (f'<div class="numformat-fixed"><div><b>{html.escape(str(x.fmt))}</b> · {html.escape(_describe(x.fmt))}</div>'
            f'{_word(x.fmt, list(digits), [digit == "1" for digit in digits])}{_table(rows)}'
            f'<div style="font-size:small">{_legend(x.fmt)}</div></div>')


def _fixed_array_html(x):
    count = min(x.size, ARRAY_ROWS)
    shown = x[np.unravel_index(np.arange(count), x.shape)]  # the first elements in C order, as 1-D
    columns = zip(shown.raw.tolist(), shown.binary.tolist(), shown.to_float().tolist()) if count else ()
    cells = "".join(f'<tr><td>{index}</td><td>{raw}</td><td style="font-family:monospace">{binary}</td>'
                    f'<td style="font-family:monospace">{value!r}</td></tr>'
                    for index, (raw, binary, value) in enumerate(columns))
    note = f'<div style="font-size:small">… and {x.size - count} more</div>' if x.size > count else ""
    return (f'<div class="numformat-fixed"><div><b>{html.escape(str(x.fmt))}</b> array of shape {x.shape} · '
            f'{html.escape(_describe(x.fmt))}</div><table><tr><th>index</th><th>raw</th><th>bits</th>'
            f'<th>value</th></tr>{cells}</table>{note}</div>')


def _code_sample(q):
    """Every code of a small quantizer; the ends and the middle of a large one (None for a gap)."""
    if q.levels <= 8:
        return list(range(q.code_min, q.code_max + 1))
    return [q.code_min, q.code_min + 1, None, -1, 0, 1, None, q.code_max - 1, q.code_max]


def quantizer_html(q):
    """A uniform quantizer: step, levels, range and a table of codes and the levels they stand for."""

    lowest, highest = q.decode(q.code_min), q.decode(q.code_max)
    rows = [("step (1 LSB)", f"{q.full_scale!r} / 2<sup>{q.bits - 1}</sup> = {q.step!r}"),
            ("levels", f"2<sup>{q.bits}</sup> = {q.levels}"),
            ("output range", f"[{lowest!r}, {highest!r}]"),
            ("codes", f"[{q.code_min}, {q.code_max}] (two's complement)"),
            ("rounding, overflow", f"{html.escape(q.rounding)}, {html.escape(q.overflow)}"),
            ("ideal SQNR, full-scale sine", f"6.0206·{q.bits} + 1.7609 = {theoretical_sqnr_db(q.bits):.2f} dB")]
    codes = _code_sample(q)
    code_cells = "".join(f"<td>{'…' if code is None else code}</td>" for code in codes)
    level_cells = "".join(f"<td>{'…' if code is None else repr(q.decode(code))}</td>" for code in codes)
    levels = (f'<table style="font-family:monospace"><tr><th>code</th>{code_cells}</tr>'
              f'<tr><th>level</th>{level_cells}</tr></table>')
    title = f"{q.bits}-bit {q.kind} quantizer, full scale {q.full_scale!r}"
    return f'<div class="numformat-quantizer"><div><b>{html.escape(title)}</b></div>{_table(rows)}{levels}</div>'


def qparams_html(qp):
    """An affine int8 mapping: scale, zero point, codes and the real range they cover; per-channel
    parameters as a table of the first channels."""
    codes = f"[{qp.qmin}, {qp.qmax}] ({qp.dtype})"
    if qp.axis is None:
        low, high = qp.real_range
        rows = [("mapping", "real = scale · (q − zero_point)"), ("scale (step)", repr(qp.scale)),
                ("zero point", f"{qp.zero_point}: the code of real 0.0, exactly"), ("codes", codes),
                ("real range", f"[{low!r}, {high!r}]")]
        title = "per-tensor affine mapping"
        return f'<div class="numformat-qparams"><div><b>{title}</b></div>{_table(rows)}</div>'
    count = qp.scale.size
    low, high = qp.real_range
    rows = [("mapping", f"real = scale[c] · (q − zero_point[c]), c along axis {qp.axis}"), ("codes", codes),
            ("scales", f"{float(qp.scale.min())!r} … {float(qp.scale.max())!r}")]
    shown = min(count, ARRAY_ROWS)
    cells = "".join(f'<tr><td>{channel}</td><td>{float(qp.scale[channel])!r}</td><td>{int(qp.zero_point[channel])}</td>'
                    f'<td>[{float(low[channel])!r}, {float(high[channel])!r}]</td></tr>' for channel in range(shown))
    note = f'<div style="font-size:small">… and {count - shown} more</div>' if count > shown else ""
    channels = (f'<table style="font-family:monospace"><tr><th>channel</th><th>scale</th><th>zero point</th>'
                f'<th>real range</th></tr>{cells}</table>{note}')
    title = f"per-channel affine mapping, {count} channels along axis {qp.axis}"
    return f'<div class="numformat-qparams"><div><b>{html.escape(title)}</b></div>{_table(rows)}{channels}</div>'


def floatbits_html(bits):
    """Coloured bit boxes (sign, exponent, mantissa) of a FloatBits, with the formula underneath."""
    fields = bits.field_digits  # the fields the format has: E8M0 is an exponent alone
    boxes = []
    for field, digits in fields:
        for digit in digits:
            boxes.append(f'<span title="{field}" style="display:inline-block;width:1.2em;'
                         f'text-align:center;margin:1px;border-radius:2px;color:white;'
                         f'font-family:monospace;background:{FIELD_COLOURS[field]}">{digit}</span>')
        boxes.append('<span style="display:inline-block;width:0.4em"></span>')
    legend = " ".join(f'<span style="color:{FIELD_COLOURS[field]}">■ {field}</span>' for field, _ in fields)
    return (f'<div class="numformat-floatbits"><div>{"".join(boxes)}</div>'
            f'<div style="font-family:monospace">{bits.fmt.name} {bits.hex} · {bits.kind} · '
            f'{bits.formula}</div><div style="font-size:small">{legend}</div></div>')


# ---------------------------------------------------------------- Jupyter's hook
# Presentation imports the arithmetic, never the reverse: each noun gets its picture here.
for _noun, _picture in ((FloatBits, floatbits_html), (QFormat, qformat_html), (Fixed, fixed_html),
                        (Quantizer, quantizer_html), (QParams, qparams_html)):
    _noun._repr_html_ = _picture
