"""The pictures Jupyter shows for QFormat, Fixed, Quantizer and QParams: what they say is what numformat says."""

import html.parser
import re
from fractions import Fraction

import numpy as np
import pytest

import numformat as nf
from numformat import html_repr

from .conftest import FIXED_FORMATS

SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


class Picture(html.parser.HTMLParser):
    """Reads our HTML: checks that every tag closes in order, collects the bit boxes (a span
    titled "<role> bit, weight <w>" holding the box text and the weight label) and table cells."""

    def __init__(self, text):
        super().__init__()
        self.stack, self.boxes, self.cells, self.points = [], [], [], 0
        self._box = None
        self.feed(text)
        self.close()
        assert not self.stack, f"unclosed tags: {self.stack}"

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        attrs = dict(attrs)
        match = re.fullmatch(r"(sign|integer|fraction) bit, weight (\S+)", attrs.get("title", ""))
        if match:
            self._box = {"role": match.group(1), "weight": match.group(2), "texts": [], "depth": len(self.stack),
                         "style": attrs["style"]}
        elif self._box is not None and tag == "span":
            self._box["style"] += ";" + attrs.get("style", "")
        if tag in ("td", "th"):
            self.cells.append("")

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        if self._box is not None and len(self.stack) == self._box["depth"]:
            self.boxes.append(self._box)
            self._box = None
        self.stack.pop()

    def handle_data(self, data):
        if self._box is not None:
            self._box["texts"].append(data)
        elif data == "." and self.stack[-1] == "span":
            self.points += 1
        if self.stack and self.stack[-1] in ("td", "th") or len(self.stack) > 1 and self.stack[-2] in ("td", "th"):
            self.cells[-1] += data


def weight_value(text):
    """'-2³' → -8, '2⁻²' → 1/4."""
    sign, power = (-1, text[1:]) if text.startswith("-") else (1, text)
    return sign * Fraction(2) ** int(power[1:].translate(SUPERSCRIPT))


def fmt_id(fmt):
    return str(fmt)


@pytest.mark.parametrize("fmt", FIXED_FORMATS + [nf.QFormat(0, 0), nf.QFormat(1, 0, signed=False)], ids=fmt_id)
def test_qformat_picture_shows_every_bit_weight_and_the_range(fmt):
    picture = Picture(fmt._repr_html_())
    assert len(picture.boxes) == fmt.word_bits
    assert [box["role"] for box in picture.boxes] == ["sign"] * fmt.signed + ["integer"] * fmt.m + ["fraction"] * fmt.n
    weights = [weight_value(box["weight"]) for box in picture.boxes]
    assert [box["texts"] for box in picture.boxes] == [[box["weight"]] for box in picture.boxes]
    # the weights are the format's: the raw range times the resolution gives back min and max
    assert sum(w for w in weights if w < 0) == Fraction(fmt.raw_min, 2 ** fmt.n) == Fraction(fmt.min)
    assert sum(w for w in weights if w > 0) == Fraction(fmt.raw_max, 2 ** fmt.n)
    assert all(abs(high) == 2 * abs(low) for high, low in zip(weights, weights[1:])) and abs(weights[-1]) == fmt.resolution
    assert picture.points == (1 if fmt.n else 0)
    text = "".join(picture.cells)
    assert f"[{fmt.min!r}, {fmt.max!r}]" in text and f"[{fmt.raw_min}, {fmt.raw_max}]" in text
    assert repr(fmt.resolution) in text


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=fmt_id)
def test_fixed_picture_shows_the_bits_raw_value_and_weights(fmt, rng):
    values = np.concatenate([rng.uniform(fmt.min, fmt.max, 20), [fmt.min, fmt.max, 0.0, fmt.resolution]])
    for value in values.tolist():
        x = nf.Fixed(value, fmt)
        picture = Picture(x._repr_html_())
        digits = x.binary.replace(".", "")
        assert "".join(box["texts"][0] for box in picture.boxes) == digits
        for box, digit in zip(picture.boxes, digits):  # set bits in the strong colour, clear ones pale
            colour = (html_repr.ROLE_COLOURS if digit == "1" else html_repr.PALE_COLOURS)[box["role"]]
            assert f"background:{colour}" in box["style"]
        set_weights = [weight_value(box["texts"][1]) for box, digit in zip(picture.boxes, digits) if digit == "1"]
        assert sum(set_weights) == Fraction(x.raw, 2 ** fmt.n) == Fraction(x.exact)
        cells = picture.cells
        assert cells[cells.index("raw") + 1] == f"{x.raw} = {x.hex}"
        assert cells[cells.index("value") + 1].endswith(f"= {x.exact}")
        formula = cells[cells.index("sum of weights") + 1]
        assert formula == html_repr.fixed_formula(x)
        terms = formula.split(" = ")[0].split(" + ") if set_weights else []
        assert [weight_value(term) for term in terms] == set_weights


def test_fixed_array_picture_is_a_short_table():
    x = nf.Fixed(np.arange(12).reshape(3, 4) / 8 - 0.75, "Q3.4")
    picture = Picture(x._repr_html_())
    rows = [picture.cells[i:i + 4] for i in range(4, len(picture.cells), 4)]
    flat = x.raw.reshape(-1)
    assert len(rows) == html_repr.ARRAY_ROWS
    for index, (shown_index, raw, bits, value) in enumerate(rows):
        assert (int(shown_index), int(raw)) == (index, flat[index])
        assert bits == nf.Fixed.from_raw(int(flat[index]), "Q3.4").binary and float(value) == flat[index] / 16
    assert "(3, 4)" in x._repr_html_() and "… and 4 more" in x._repr_html_()
    assert "more" not in nf.Fixed([1.5], "Q3.4")._repr_html_()
    assert Picture(nf.Fixed(np.zeros(0), "UQ32.32")._repr_html_()).cells == ["index", "raw", "bits", "value"]


@pytest.mark.parametrize("quantizer", [nf.Quantizer(1), nf.Quantizer(3), nf.Quantizer(3, kind="mid-rise"),
                                       nf.Quantizer(8, full_scale=0.5), nf.Quantizer(16), nf.Quantizer(32)],
                         ids=lambda q: f"{q.bits}-{q.kind}-{q.full_scale}")
def test_quantizer_picture_lists_codes_with_their_levels(quantizer):
    picture = Picture(quantizer._repr_html_())
    cells = picture.cells
    code_row = cells[cells.index("code") + 1:cells.index("level")]
    level_row = cells[cells.index("level") + 1:]
    assert len(code_row) == len(level_row) == (quantizer.levels if quantizer.levels <= 8 else 9)
    shown = [(int(code), float(level)) for code, level in zip(code_row, level_row) if code != "…"]
    assert shown == [(code, quantizer.decode(code)) for code, _ in shown]
    assert shown[0][0] == quantizer.code_min and shown[-1][0] == quantizer.code_max
    assert f"= {quantizer.step!r}" in cells[cells.index("step (1 LSB)") + 1]
    assert cells[cells.index("levels") + 1].endswith(f"= {quantizer.levels}")
    assert f"{nf.theoretical_sqnr_db(quantizer.bits):.2f} dB" in cells[cells.index("ideal SQNR, full-scale sine") + 1]
    assert f"{quantizer.bits}-bit {quantizer.kind} quantizer" in quantizer._repr_html_()


@pytest.mark.parametrize("thing", [nf.QFormat(3, 12), nf.Fixed(-1.5, "Q3.12"), nf.Fixed([1.0, 2.0], "UQ8.8"),
                                   nf.Quantizer(8), nf.choose_qparams(min=-1.0, max=3.0),
                                   nf.choose_qparams(np.eye(3), axis=0)], ids=lambda thing: type(thing).__name__)
def test_jupyter_shows_the_picture_and_it_is_deterministic(thing):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(thing)
    assert data["text/html"] == thing._repr_html_() == type(thing)._repr_html_(thing)
    assert not re.search(r"0x[0-9a-f]{6,}|\bid=", data["text/html"]), "no addresses or element ids"
    assert data["text/plain"] == repr(thing)


def test_the_student_sees_escaped_text_only():
    page = nf.QFormat(1, 2)._repr_html_()
    assert "two&#x27;s complement" in page and "<script" not in page


@pytest.mark.parametrize("qp", [nf.choose_qparams(min=-1.0, max=3.0), nf.choose_qparams(min=0.0, max=6.0, signed=False),
                                nf.choose_qparams(min=-0.5, max=0.5, bits=4, symmetric=True, narrow_range=True)],
                         ids=["int8-asymmetric", "uint8", "int4-symmetric"])
def test_per_tensor_qparams_picture_shows_scale_zero_point_and_range(qp):
    cells = Picture(qp._repr_html_()).cells
    assert cells[cells.index("scale (step)") + 1] == repr(qp.scale)
    assert cells[cells.index("zero point") + 1].startswith(f"{qp.zero_point}: the code of real 0.0")
    assert cells[cells.index("codes") + 1] == f"[{qp.qmin}, {qp.qmax}] ({qp.dtype})"
    low, high = qp.real_range
    assert cells[cells.index("real range") + 1] == f"[{low!r}, {high!r}]"
    assert nf.dequantize(np.array([qp.zero_point]), qp).tolist() == [0.0]  # what the picture promises


@pytest.mark.parametrize("channels", [3, 16])
def test_per_channel_qparams_picture_lists_the_first_channels(channels, rng):
    w = rng.standard_normal((channels, 5)) * np.arange(1, channels + 1)[:, None]
    qp = nf.choose_qparams(w, symmetric=True, narrow_range=True, axis=0)
    page = qp._repr_html_()
    cells = Picture(page).cells
    start = cells.index("real range", cells.index("channel")) + 1
    rows = [cells[i:i + 4] for i in range(start, len(cells), 4)]
    low, high = qp.real_range
    assert len(rows) == min(channels, html_repr.ARRAY_ROWS)
    for channel, (shown, scale, zero_point, real_range) in enumerate(rows):
        assert (int(shown), float(scale), int(zero_point)) == (channel, qp.scale[channel], qp.zero_point[channel])
        assert real_range == f"[{float(low[channel])!r}, {float(high[channel])!r}]"
    assert f"{channels} channels along axis 0" in page
    assert ("… and 8 more" in page) == (channels == 16)
    assert cells[cells.index("scales") + 1] == f"{float(qp.scale.min())!r} … {float(qp.scale.max())!r}"


@pytest.mark.parametrize("fmt", [nf.FLOAT32, nf.floats.FLOAT8_E8M0FNU, nf.floats.FLOAT4_E2M1FN], ids=str)
def test_floatbits_picture_boxes_are_the_formats_fields(fmt):
    """One box per bit, titled with the field it belongs to; E8M0 has an exponent and nothing else."""
    bits = nf.decode(fmt.width and (1 << (fmt.width - 2)), fmt)
    html = bits._repr_html_()
    titles = re.findall(r'<span title="(sign|exponent|mantissa)"', html)
    expected = [field for field, digits in bits.field_digits for _ in digits]
    assert titles == expected and len(titles) == fmt.width
