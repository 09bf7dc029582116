"""The float explorer: click the bits of a float, type a number, hex or binary, switch format."""

from __future__ import annotations

import math

import ipywidgets as widgets
import traitlets

from .. import floats
from ..palette import FIELD_COLOURS, PALE_COLOURS
from ._common import bit_button, complaint, details_table, group, paint_bit, parse_number, show_source, text_field

FLOAT_CHOICES = {
    "float32": floats.FLOAT32,
    "float16": floats.FLOAT16,
    "bfloat16": floats.BFLOAT16,
    "float8 E4M3FN": floats.FLOAT8_E4M3FN,
    "float8 E5M2": floats.FLOAT8_E5M2,
    "float8 E4M3FNUZ": floats.FLOAT8_E4M3FNUZ,
    "float8 E5M2FNUZ": floats.FLOAT8_E5M2FNUZ,
    "float8 E8M0 (MX scale)": floats.FLOAT8_E8M0FNU,
    "float6 E2M3": floats.FLOAT6_E2M3FN,
    "float6 E3M2": floats.FLOAT6_E3M2FN,
    "float4 E2M1": floats.FLOAT4_E2M1FN,
    "float64": floats.FLOAT64,
}


def _format_label(fmt):
    for label, choice in FLOAT_CHOICES.items():
        if choice == fmt:
            return label
    raise ValueError(f"fmt={fmt.name!r} is not one of the explorer's formats: {', '.join(FLOAT_CHOICES)}")


class FloatExplorer(widgets.VBox):
    """Click bits, type a number, hex or binary, and watch a float's fields and value change.

    Parameters
    ----------
    value : float, int, str or Decimal
        The number to start from; rounded to ``fmt`` exactly (a decimal string such as
        ``"0.1"`` is rounded from its exact decimal value).
    fmt : FloatFormat or str
        One of float32, float16, bfloat16, float8 E4M3FN, float8 E5M2, float64.

    Examples
    --------
    >>> explorer = FloatExplorer(8.625)
    >>> explorer.hex_text.value, explorer.value
    ('0x410A0000', 8.625)
    >>> explorer.toggle_bit(31)          # the sign bit
    >>> explorer.decimal_text.value
    '-8.625'
    >>> explorer.step_ulp(+1).value      # towards +inf: one ulp closer to zero here
    -8.624999046325684
    >>> explorer.decimal_text.value = "0.1"   # the exact decimal 0.1, rounded once
    >>> explorer.hex_text.value, explorer.error
    ('0x3DCCCCCD', 1.4901161193847657e-09)
    >>> explorer.format_picker.value = "bfloat16"
    >>> explorer.hex_text.value, explorer.value
    ('0x3DCD', 0.10009765625)
    """

    bits = traitlets.Int(0, help="the bit pattern shown, as an unsigned integer")
    fmt = traitlets.Instance(floats.FloatFormat, help="the float format")

    def __init__(self, value=8.625, fmt=floats.FLOAT32, **kwargs):
        fmt = floats.float_format(fmt)
        _format_label(fmt)
        self._source = None  # the exact number last typed or given, for the conversion error
        self._syncing = False
        self.format_picker = widgets.Dropdown(options=list(FLOAT_CHOICES), value=_format_label(fmt),
                                              description="format", layout=widgets.Layout(width="16em"))
        self.decimal_text = text_field("decimal", "nf-decimal")
        self.hex_text = text_field("hex", "nf-hex")
        self.binary_text = text_field("binary", "nf-binary", width="100%")
        self.down_button = widgets.Button(description="− ulp", tooltip="next value towards -inf",
                                          layout=widgets.Layout(width="6em"))
        self.up_button = widgets.Button(description="+ ulp", tooltip="next value towards +inf",
                                        layout=widgets.Layout(width="6em"))
        self.details = widgets.HTML()
        self.details.add_class("nf-details")
        self.bit_row = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap"))
        self.bit_buttons = []
        super().__init__(**kwargs)
        self.add_class("nf-float-explorer")
        self.children = [self.format_picker, self.bit_row,
                         widgets.HBox([self.decimal_text, self.hex_text, self.down_button, self.up_button]),
                         self.binary_text, self.details]
        self.format_picker.observe(self._on_format, "value")
        self.decimal_text.observe(self._on_decimal, "value")
        self.hex_text.observe(self._on_pattern, "value")
        self.binary_text.observe(self._on_pattern, "value")
        self.down_button.on_click(lambda _: self.step_ulp(-1))
        self.up_button.on_click(lambda _: self.step_ulp(+1))
        self.fmt = fmt
        self.set_value(value)

    # ------------------------------------------------------------------ public, for Python use

    @property
    def float_bits(self):
        """The :class:`~numformat.FloatBits` shown."""
        return floats.FloatBits.from_int(self.bits, self.fmt, source=self._source)

    @property
    def value(self):
        """The stored value, as a float."""
        return self.float_bits.value

    @property
    def error(self):
        """Stored value minus the number last typed (None after bits were edited directly)."""
        return self.float_bits.error

    def set_value(self, value):
        """Round ``value`` (a number or a decimal string) to the format and show it."""
        number = parse_number(value) if isinstance(value, str) else value
        encoded = floats.encode(number, self.fmt)
        self._source = number
        self._show(encoded.bits)
        return self

    def toggle_bit(self, position):
        """Flip one bit; ``position`` counts from 0 at the least significant bit."""
        if not 0 <= position < self.fmt.width:
            raise ValueError(f"position={position} is outside 0..{self.fmt.width - 1} for {self.fmt.name}")
        self._source = None
        self.bits ^= 1 << position

    def step_ulp(self, direction):
        """Move to the neighbouring value: ``+1`` towards +inf, ``-1`` towards -inf."""
        step = floats.next_up if direction > 0 else floats.next_down
        neighbour = float(step(self.value, self.fmt))
        if not math.isnan(neighbour) or math.isnan(self.value):
            self._source = None
            self._show(int(floats.to_bits(neighbour, self.fmt)))
        return self

    def __repr__(self):
        return f"FloatExplorer({self.fmt.name} {self.float_bits.hex} = {self.value!r})"

    # ------------------------------------------------------------------ internals

    @traitlets.observe("fmt")
    def _rebuild_bits(self, change):
        fmt = change["new"]
        self.bit_buttons = [bit_button(position, self.toggle_bit) for position in range(fmt.width)]
        groups = {}
        for position in reversed(range(fmt.width)):  # most significant bit on the left
            groups.setdefault(self._field(position, fmt), []).append(self.bit_buttons[position])
        self.bit_row.children = [group(buttons) for buttons in groups.values()]

    @staticmethod
    def _field(position, fmt):
        if position == fmt.width - 1:
            return "sign"
        return "exponent" if position >= fmt.mantissa_bits else "mantissa"

    @traitlets.observe("bits")
    def _refresh(self, change=None):
        self._syncing = True
        try:
            for position, button in enumerate(self.bit_buttons):
                field = self._field(position, self.fmt)
                paint_bit(button, self.bits >> position & 1, FIELD_COLOURS[field], PALE_COLOURS[field],
                          f"bit {position} ({field}); click to flip")
            shown = self.float_bits
            self.decimal_text.value = repr(shown.value)
            self.hex_text.value = shown.hex
            self.binary_text.value = shown.binary
            self.details.value = self._details_html(shown)
        finally:
            self._syncing = False

    def _details_html(self, shown):
        error = shown.error
        rows = [("kind", shown.kind), ("value", shown.formula), ("exact stored value", shown.exact),
                ("error of the conversion", "—" if error is None else
                 f"{error:+.6g} (stored − input {show_source(self._source)})")]
        return details_table(rows)

    def _show(self, bits):
        if bits == self.bits:
            self._refresh()
        else:
            self.bits = bits

    def _on_decimal(self, change):
        if self._syncing:
            return
        try:
            self.set_value(change["new"])
        except (TypeError, ValueError) as error:
            self._complain(error)

    def _on_pattern(self, change):
        if self._syncing:
            return
        try:
            decoded = floats.decode(change["new"], self.fmt)
        except (TypeError, ValueError) as error:
            self._complain(error)
            return
        self._source = None
        self._show(decoded.bits)

    def _on_format(self, change):
        # Round the number the student is looking at (the exact input if they typed one) anew.
        keep = self._source if self._source is not None else self.value
        self.fmt = FLOAT_CHOICES[change["new"]]
        self.set_value(keep)

    def _complain(self, error):
        self._refresh()  # put the fields back to the shown value
        self.details.value += complaint(error)
