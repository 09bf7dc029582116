"""The fixed-point explorer: choose m, n and the sign, the rounding and the overflow, and watch
one number's raw integer, bits, range and resolution follow."""

from __future__ import annotations

from fractions import Fraction

import ipywidgets as widgets
import traitlets

from ..fixed import Fixed
from ..checks import exact_fraction
from ..html_repr import ROLE_COLOURS, fixed_formula, power_of_two, roles, weights
from ..fixed import QFormat, as_qformat
from ..rounding import OVERFLOW_MODES, ROUNDING_MODES, check_overflow, check_rounding
from ..palette import PALE_COLOURS
from ._common import bit_button, complaint, details_table, group, paint_bit, parse_number, show_source, text_field

MAX_SLIDER_BITS = 64  # m and n each reach every word numformat holds (1 to 64 bits)


class FixedExplorer(widgets.VBox):
    """Move the binary point, switch rounding and overflow, click bits: Qm.n under your fingers.

    Parameters
    ----------
    value : number or str
        The number to store; a decimal string such as ``"0.1"`` is rounded from its exact value.
    fmt : QFormat or str
        The starting format, e.g. ``"Q3.12"`` or ``QFormat(0, 15)``.
    rounding, overflow : str
        One of :data:`numformat.ROUNDING_MODES` and one of :data:`numformat.OVERFLOW_MODES`.

    A change of format or mode rounds the number the student typed anew (or, after bits were
    clicked, the stored value), exactly as :class:`~numformat.Fixed` would.  A change the
    arithmetic refuses — ``overflow="error"`` on a value out of range, a word wider than 64
    bits — is undone and explained under the bits.

    Examples
    --------
    >>> explorer = FixedExplorer(3.14159, "Q3.12")
    >>> explorer.raw, explorer.fixed.binary, explorer.exact
    (12868, '0011.001001000100', '3.1416015625')
    >>> explorer.n_slider.value = 4             # fewer fraction bits: 3.14159 rounded again
    >>> str(explorer.fmt), explorer.exact
    ('Q3.4', '3.125')
    >>> explorer.rounding_picker.value = "ceil"
    >>> explorer.exact
    '3.1875'
    >>> explorer.set_value(100).exact           # saturates at the top of Q3.4
    '7.9375'
    >>> explorer.overflow_picker.value = "wrap" # 100 * 2**4 = 1600 keeps its low 8 bits: 64
    >>> explorer.raw, explorer.exact
    (64, '4')
    >>> explorer.toggle_bit(7)                  # the sign bit, weight -2**3
    >>> explorer.exact
    '-4'
    """

    fmt = traitlets.Instance(QFormat, help="the Qm.n format")
    raw = traitlets.Int(0, help="the stored integer")
    rounding = traitlets.Unicode("nearest_even", help="how a value between two steps is rounded")
    overflow = traitlets.Unicode("saturate", help="what a value beyond the range does")

    def __init__(self, value=3.14159, fmt="Q3.12", *, rounding="nearest_even", overflow="saturate", **kwargs):
        fmt = as_qformat(fmt)
        number = parse_number(value) if isinstance(value, str) else value
        start = Fixed(number, fmt, rounding=rounding, overflow=overflow)  # checks every argument
        self._ready = self._syncing = self._reverting = False
        self._source = number
        self.m_slider = self._slider("m integer bits", "nf-m")
        self.n_slider = self._slider("n fraction bits", "nf-n")
        self.signed_box = widgets.Checkbox(description="signed", indent=False, layout=widgets.Layout(width="7em"))
        self.rounding_picker = widgets.Dropdown(options=ROUNDING_MODES, description="rounding")
        self.overflow_picker = widgets.Dropdown(options=OVERFLOW_MODES, description="overflow")
        self.decimal_text = text_field("value", "nf-decimal")
        self.raw_text = text_field("raw", "nf-raw")
        self.down_button = widgets.Button(description="− step", tooltip="raw - 1", layout=widgets.Layout(width="6em"))
        self.up_button = widgets.Button(description="+ step", tooltip="raw + 1", layout=widgets.Layout(width="6em"))
        self.details = widgets.HTML()
        self.details.add_class("nf-details")
        self.bit_row = widgets.HBox(layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.bit_buttons = []
        super().__init__(**kwargs)
        self.add_class("nf-fixed-explorer")
        self.children = [widgets.HBox([self.m_slider, self.n_slider, self.signed_box]),
                         widgets.HBox([self.rounding_picker, self.overflow_picker]), self.bit_row,
                         widgets.HBox([self.decimal_text, self.raw_text, self.down_button, self.up_button]),
                         self.details]
        for control in (self.m_slider, self.n_slider, self.signed_box):
            control.observe(self._on_format_control, "value")
        self.rounding_picker.observe(lambda change: self._on_mode_control("rounding", change), "value")
        self.overflow_picker.observe(lambda change: self._on_mode_control("overflow", change), "value")
        self.decimal_text.observe(self._on_decimal, "value")
        self.raw_text.observe(self._on_raw, "value")
        self.down_button.on_click(lambda _: self._press(self.step, -1))
        self.up_button.on_click(lambda _: self._press(self.step, +1))
        self.fmt, self.rounding, self.overflow, self.raw = fmt, rounding, overflow, start.raw
        self._ready = True
        self._rebuild_bits()
        self._refresh()

    # ------------------------------------------------------------------ public, for Python use

    @property
    def fixed(self):
        """The :class:`~numformat.Fixed` shown."""
        return Fixed.from_raw(self.raw, self.fmt)

    @property
    def value(self):
        """The stored value, as a float."""
        return float(self.fixed)

    @property
    def exact(self):
        """The stored value, exactly, as a decimal string."""
        return self.fixed.exact

    @property
    def error(self):
        """Stored value minus the number last typed, as a float (None after bits were edited)."""
        if self._source is None:
            return None
        return float(Fraction(self.raw, 1 << self.fmt.n) - exact_fraction(self._source, "value"))

    def set_value(self, value):
        """Round ``value`` (a number or a decimal string) into the format with the current modes."""
        number = parse_number(value) if isinstance(value, str) else value
        raw = Fixed(number, self.fmt, rounding=self.rounding, overflow=self.overflow).raw
        self._source = number
        self._show(raw)
        return self

    def set_raw(self, raw):
        """Store the integer ``raw``; one outside the format's range saturates, wraps or raises."""
        raw = Fixed.from_raw(raw, self.fmt, overflow=self.overflow).raw
        self._source = None
        self._show(raw)
        return self

    def step(self, direction):
        """One step up (``+1``) or down (``-1``): the raw integer ± 1, through the overflow mode."""
        return self.set_raw(self.raw + direction)

    def toggle_bit(self, position):
        """Flip one bit of the word; ``position`` counts from 0 at the least significant bit."""
        word_bits = self.fmt.word_bits
        if not 0 <= position < word_bits:
            raise ValueError(f"position={position} is outside 0..{word_bits - 1} for {self.fmt}")
        pattern = self.fixed.bits ^ (1 << position)
        self._source = None
        self._show(Fixed.from_raw(pattern, self.fmt, overflow="wrap").raw)  # read the pattern as two's complement

    def __repr__(self):
        return f"FixedExplorer({self.fmt} raw {self.raw} = {self.exact})"

    # ------------------------------------------------------------------ traits and controls

    @traitlets.validate("rounding")
    def _valid_rounding(self, proposal):
        return check_rounding(proposal["value"])

    @traitlets.validate("overflow")
    def _valid_overflow(self, proposal):
        return check_overflow(proposal["value"])

    @traitlets.observe("fmt", "rounding", "overflow")
    def _convert_again(self, change):
        """Round the typed number (or the stored value) into the new format or mode; undo what fails."""
        if not self._ready or self._reverting:
            return
        old_fmt = change["old"] if change["name"] == "fmt" else self.fmt
        source = self._source if self._source is not None else Fixed.from_raw(self.raw, old_fmt)
        try:
            raw = Fixed(source, self.fmt, rounding=self.rounding, overflow=self.overflow).raw
        except (OverflowError, ValueError) as error:
            self._reverting = True
            try:
                setattr(self, change["name"], change["old"])
            finally:
                self._reverting = False
            self._refresh()
            self.details.value += complaint(f"{error}; kept {change['name']}={_shown(change['old'])}")
            return
        if change["name"] == "fmt":
            self._rebuild_bits()
        self._show(raw)

    @traitlets.observe("raw")
    def _on_raw_trait(self, change):
        if self._ready:
            self._refresh()

    def _slider(self, description, css_class):
        slider = widgets.IntSlider(min=0, max=MAX_SLIDER_BITS, description=description, continuous_update=False,
                                   style={"description_width": "initial"})
        slider.add_class(css_class)
        return slider

    def _on_format_control(self, change):
        if self._syncing:
            return
        try:
            self.fmt = QFormat(self.m_slider.value, self.n_slider.value, self.signed_box.value)
        except ValueError as error:
            self._complain(error)

    def _on_mode_control(self, name, change):
        if not self._syncing:
            setattr(self, name, change["new"])

    def _on_decimal(self, change):
        if not self._syncing:
            self._press(self.set_value, change["new"])

    def _on_raw(self, change):
        if self._syncing:
            return
        try:
            raw = int(change["new"].strip(), 0)
        except ValueError:
            self._complain(ValueError(f"{change['new']!r} is not an integer; type one such as 12868 or 0x3244"))
            return
        self._press(self.set_raw, raw)

    def _press(self, action, argument):
        """Run what a control asked for; show a refusal instead of raising into the page."""
        try:
            action(argument)
        except (TypeError, ValueError, OverflowError) as error:
            self._complain(error)

    def _complain(self, error):
        self._refresh()  # put every control back to the shown state
        self.details.value += complaint(error)

    # ------------------------------------------------------------------ drawing

    def _show(self, raw):
        if raw == self.raw:
            self._refresh()
        else:
            self.raw = raw

    def _rebuild_bits(self):
        fmt = self.fmt
        self.bit_buttons = [bit_button(position, self.toggle_bit) for position in range(fmt.word_bits)]
        by_role = {}
        for position, role in zip(reversed(range(fmt.word_bits)), roles(fmt)):  # most significant bit first
            by_role.setdefault(role, []).append(self.bit_buttons[position])
        row = [group(by_role[role]) for role in ("sign", "integer") if role in by_role]
        if "fraction" in by_role:
            point = widgets.HTML("<b style='font-size:large'>.</b>", layout=widgets.Layout(margin="0 4px 0 0"))
            point.add_class("nf-point")
            row += [point, group(by_role["fraction"])]
        self.bit_row.children = row

    def _refresh(self):
        self._syncing = True
        try:
            fmt, shown = self.fmt, self.fixed
            for position, role, weight in zip(reversed(range(fmt.word_bits)), roles(fmt), weights(fmt)):
                paint_bit(self.bit_buttons[position], shown.bits >> position & 1, ROLE_COLOURS[role],
                          PALE_COLOURS[role], f"bit {position} ({role}, weight {weight}); click to flip")
            self.m_slider.value, self.n_slider.value, self.signed_box.value = fmt.m, fmt.n, fmt.signed
            self.rounding_picker.value, self.overflow_picker.value = self.rounding, self.overflow
            self.decimal_text.value, self.raw_text.value = shown.exact, str(shown.raw)
            self.details.value = self._details_html(shown)
        finally:
            self._syncing = False

    def _details_html(self, shown):
        fmt, error = shown.fmt, self.error
        sign = "1 sign, " if fmt.signed else ""
        error_text = "—" if error is None else (f"{error:+.6g} = {error / fmt.resolution:+.3g} steps "
                                                f"(stored − input {show_source(self._source)})")
        rows = [("format", f"{fmt}: {fmt.word_bits}-bit word, {sign}{fmt.m} integer, {fmt.n} fraction bits"),
                ("range", f"[{fmt.min!r}, {fmt.max!r}]"),
                ("resolution", f"{power_of_two(-fmt.n)} = {fmt.resolution!r}"),
                ("raw integer", f"{shown.raw} = {shown.hex}, bits {shown.binary}"),
                ("value", f"{shown.raw} / {power_of_two(fmt.n)} = {shown.exact}"),
                ("sum of weights", fixed_formula(shown)),
                ("error of the conversion", error_text)]
        return details_table(rows)


def _shown(setting):
    """A format or a mode as the student picked it."""
    return str(setting) if isinstance(setting, QFormat) else repr(setting)
