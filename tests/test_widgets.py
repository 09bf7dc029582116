"""The JupyterLab explorers, driven from Python: set a trait or press a control, read the result."""

import decimal
import math

import numpy as np
import pytest

import numformat as nf

widgets = pytest.importorskip("numformat.widgets")
FloatExplorer = widgets.FloatExplorer


def shown(explorer):
    """What the explorer's text fields say, as (decimal, hex, binary)."""
    return explorer.decimal_text.value, explorer.hex_text.value, explorer.binary_text.value


@pytest.mark.parametrize("fmt", list(widgets.FLOAT_CHOICES.values()), ids=str)
def test_every_bit_click_shows_what_numformat_decodes(fmt):
    explorer = FloatExplorer(8.625, fmt)
    start = nf.encode(8.625, fmt)
    assert explorer.bits == start.bits and len(explorer.bit_buttons) == fmt.width
    for position in range(fmt.width):
        explorer.bit_buttons[position].click()  # what a click in the browser does
        expected = nf.decode(start.bits ^ (1 << position), fmt)
        assert explorer.bits == expected.bits
        assert shown(explorer) == (repr(expected.value), expected.hex, expected.binary)
        assert explorer.bit_buttons[position].description == str(expected.bits >> position & 1)
        explorer.toggle_bit(position)  # and back
        assert explorer.bits == start.bits


def test_bits_are_coloured_by_field_and_value():
    explorer = FloatExplorer(-8.625)
    colours = widgets._FIELD_COLOURS
    assert explorer.bit_buttons[31].style.button_color == colours["sign"]  # sign bit set
    assert explorer.bit_buttons[23].style.button_color == widgets._PALE_COLOURS["exponent"]  # 130 is even
    assert explorer.bit_buttons[24].style.button_color == colours["exponent"]
    assert explorer.bit_buttons[0].style.button_color == widgets._PALE_COLOURS["mantissa"]
    # most significant bit first on screen: sign, then exponent, then mantissa groups
    groups = explorer.bit_row.children
    assert [len(group.children) for group in groups] == [1, 8, 23]
    assert groups[0].children[0] is explorer.bit_buttons[31]


def test_typing_a_decimal_rounds_its_exact_value_once():
    explorer = FloatExplorer()
    explorer.decimal_text.value = "0.1"
    assert shown(explorer)[1] == "0x3DCCCCCD"
    assert explorer.error == 1.4901161193847657e-09
    assert "0.100000001490116119384765625" in explorer.details.value
    assert "stored − input 0.1" in explorer.details.value


def test_typing_hex_or_binary_decodes():
    explorer = FloatExplorer()
    explorer.hex_text.value = "0x3F800000"
    assert explorer.value == 1.0 and explorer.error is None
    explorer.binary_text.value = "1 10000000 10000000000000000000000"
    assert explorer.value == -3.0


@pytest.mark.parametrize("field, text, message", [
    ("decimal_text", "eight", "is not a number"),
    ("hex_text", "0x1FFFFFFFF", "wider than float32"),
    ("binary_text", "0 1", "needs exactly 32"),
])
def test_bad_input_is_explained_and_changes_nothing(field, text, message):
    explorer = FloatExplorer(8.625)
    getattr(explorer, field).value = text
    assert explorer.value == 8.625
    assert shown(explorer) == ("8.625", "0x410A0000", "0 10000010 00010100000000000000000")
    assert message in explorer.details.value


def test_ulp_buttons_match_next_up_and_down():
    explorer = FloatExplorer(1.0, "float16")
    explorer.up_button.click()
    assert explorer.value == float(nf.next_up(1.0, nf.FLOAT16)) == 1 + 2 ** -10
    explorer.down_button.click()
    explorer.down_button.click()
    assert explorer.value == float(nf.next_down(1.0, nf.FLOAT16))
    top = FloatExplorer(448.0, "e4m3fn")
    top.up_button.click()  # E4M3FN has nothing above 448 (the next pattern is NaN)
    assert top.value == 448.0
    assert FloatExplorer(65504.0, "float16").step_ulp(+1).value == math.inf


def test_switching_format_rounds_the_typed_number_anew():
    explorer = FloatExplorer("0.1")
    for label, fmt in widgets.FLOAT_CHOICES.items():
        explorer.format_picker.value = label
        expected = nf.encode(decimal.Decimal("0.1"), fmt)
        assert explorer.fmt == fmt and explorer.bits == expected.bits
        assert len(explorer.bit_buttons) == fmt.width


def test_repr_is_short_and_stable():
    assert repr(FloatExplorer(8.625)) == "FloatExplorer(float32 0x410A0000 = 8.625)"
    assert repr(FloatExplorer(np.inf, "e5m2")) == "FloatExplorer(float8_e5m2 0x7C = inf)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: FloatExplorer(8.625, "float12"), ValueError, "not a known float format"),
    (lambda: FloatExplorer(8.625, nf.FloatFormat(3, 2)), ValueError, "not one of the explorer's formats"),
    (lambda: FloatExplorer([1.0]), TypeError, "single real number"),
    (lambda: FloatExplorer(1.0).toggle_bit(32), ValueError, "position=32 is outside 0..31"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
