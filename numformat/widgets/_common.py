"""What the explorers share: text fields, clickable bit buttons, a details table, complaints."""

from __future__ import annotations

import decimal
import html

import ipywidgets as widgets


def text_field(description, css_class, width="18em"):
    """A text box that reports its value when the student presses Enter or leaves it."""
    text = widgets.Text(description=description, continuous_update=False, layout=widgets.Layout(width=width))
    text.add_class(css_class)
    return text


def bit_button(position, on_click):
    """The button of bit ``position`` (0 = least significant), with the CSS classes the browser
    test and students' own tests find it by: ``nf-bit`` and ``nf-bit-<position>``."""
    button = widgets.Button(layout=widgets.Layout(width="1.9em", padding="0", margin="1px"))
    button.add_class("nf-bit")
    button.add_class(f"nf-bit-{position}")
    button.on_click(lambda _: on_click(position))
    return button


def paint_bit(button, on, colour, pale_colour, tooltip):
    """Show one bit: its digit, the field's colour (pale for a 0) and a tooltip."""
    button.description = "1" if on else "0"
    button.style.button_color = colour if on else pale_colour
    button.style.text_color = "white" if on else "#333333"
    button.tooltip = tooltip


def group(children, margin="0 6px 0 0"):
    """A wrapping row of widgets: one field's bits."""
    return widgets.HBox(children, layout=widgets.Layout(margin=margin, flex_flow="row wrap"))


def details_table(rows):
    """Name/text rows as a monospace table; each text cell has the class ``nf-<first word of name>``.

    Texts are escaped here, so numbers and the student's own input are shown literally.
    """
    body = "".join(f"<tr><td style='padding-right:1em'>{html.escape(name)}</td><td class='nf-{name.split()[0]}'>"
                   f"{html.escape(text)}</td></tr>" for name, text in rows)
    return f"<table style='font-family:monospace'>{body}</table>"


def complaint(error):
    """The message of a refused input, shown under the details in red."""
    return f"<div class='nf-complaint' style='color:#c0392b'>{html.escape(str(error))}</div>"


def parse_number(text):
    """A decimal string as an exact Decimal (``"0.1"``, ``"-1e-3"``, ``"inf"``, ``"nan"``)."""
    try:
        return decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        raise ValueError(f"{text!r} is not a number; type a decimal such as 8.625, -1e-3 or inf") from None


def show_source(source):
    """How an input number is written back to the student."""
    return str(source) if not isinstance(source, float) else repr(source)


def link_controls(owner, pairs):
    """Tie each trait of ``owner`` to the ``value`` of a control, both ways: ``(name, control)`` pairs.
    The controls take the traits' current values."""
    import traitlets

    for name, control in pairs:
        traitlets.link((owner, name), (control, "value"))


def within(value, limits, parameter, meaning=""):
    """``value`` if ``low <= value <= high``, else a ValueError naming the parameter and the range."""
    low, high = limits
    if not low <= value <= high:
        raise ValueError(f"{parameter}={value!r} is outside the explorer's range {low:g} to {high:g}{meaning}")
    return value


def png_bytes(figure):
    """A matplotlib Figure as PNG bytes, without the version stamp: the same figure, the same bytes."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
