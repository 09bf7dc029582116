"""The JupyterLab explorers, driven from Python: set a trait or press a control, read the result."""

import decimal
import math
import re
from fractions import Fraction

import numpy as np
import pytest

import numformat as nf
from numformat import palette

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
    colours = palette.FIELD_COLOURS
    assert explorer.bit_buttons[31].style.button_color == colours["sign"]  # sign bit set
    assert explorer.bit_buttons[23].style.button_color == palette.PALE_COLOURS["exponent"]  # 130 is even
    assert explorer.bit_buttons[24].style.button_color == colours["exponent"]
    assert explorer.bit_buttons[0].style.button_color == palette.PALE_COLOURS["mantissa"]
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


# --- the fixed-point explorer ---------------------------------------------------------------

from .conftest import FIXED_FORMATS  # noqa: E402

FixedExplorer = widgets.FixedExplorer


def fixed_shown(explorer):
    """What the explorer shows: the value and raw fields, and its bit buttons read as a pattern."""
    pattern = "".join(button.description for button in reversed(explorer.bit_buttons))
    return explorer.decimal_text.value, explorer.raw_text.value, pattern


def expected_shown(fixed):
    return fixed.exact, str(fixed.raw), fixed.binary.replace(".", "")


@pytest.mark.parametrize("fmt", FIXED_FORMATS, ids=str)
def test_typed_values_convert_as_fixed_does_in_every_mode(fmt, rng):
    explorer = FixedExplorer(0, fmt)
    typed = [f"{value:.6g}" for value in rng.uniform(fmt.min * 1.25, fmt.max * 1.25, 4)]
    typed += [str(decimal.Decimal(fmt.resolution) * decimal.Decimal("2.5")), "-0.1", str(fmt.max * 4)]
    for rounding in nf.ROUNDING_MODES:
        explorer.rounding_picker.value = rounding
        for overflow in ("saturate", "wrap"):
            explorer.overflow_picker.value = overflow
            for text in typed:
                explorer.decimal_text.value = text
                expected = nf.Fixed(decimal.Decimal(text), fmt, rounding=rounding, overflow=overflow)
                assert explorer.raw == expected.raw, (text, rounding, overflow)
                exact_error = Fraction(expected.raw, 2 ** fmt.n) - Fraction(decimal.Decimal(text))
                assert explorer.error == float(exact_error)
    assert fixed_shown(explorer) == expected_shown(explorer.fixed)


@pytest.mark.parametrize("fmt", [nf.QFormat(3, 4), nf.QFormat(4, 4, signed=False), nf.QFormat(0, 7), nf.QFormat(7, 0)],
                         ids=str)
def test_every_bit_click_shows_the_flipped_pattern(fmt):
    explorer = FixedExplorer(-1.3 if fmt.signed else 1.3, fmt)
    start = explorer.fixed
    assert len(explorer.bit_buttons) == fmt.word_bits
    for position in range(fmt.word_bits):
        explorer.bit_buttons[position].click()
        expected = nf.Fixed.from_raw(start.bits ^ (1 << position), fmt, overflow="wrap")
        assert explorer.raw == expected.raw and explorer.error is None
        assert fixed_shown(explorer) == expected_shown(expected)
        explorer.toggle_bit(position)
        assert explorer.raw == start.raw


def test_bits_are_grouped_by_role_around_the_binary_point():
    explorer = FixedExplorer(-1.5, "Q3.12")
    sign, integer, point, fraction = explorer.bit_row.children
    assert [len(sign.children), len(integer.children), len(fraction.children)] == [1, 3, 12]
    assert sign.children[0] is explorer.bit_buttons[15] and fraction.children[-1] is explorer.bit_buttons[0]
    assert "nf-point" in point._dom_classes
    colours, pale = nf.html_repr.ROLE_COLOURS, nf.html_repr.PALE_COLOURS
    assert explorer.bit_buttons[15].style.button_color == colours["sign"]  # -1.5 = 1110.1000...
    assert explorer.bit_buttons[12].style.button_color == pale["integer"]
    assert explorer.bit_buttons[11].style.button_color == colours["fraction"]
    assert "weight 2⁻¹" in explorer.bit_buttons[11].tooltip
    assert [len(group.children) for group in FixedExplorer(1, "UQ8.0").bit_row.children] == [8]  # no point, no sign


def test_format_controls_round_the_typed_number_again():
    explorer = FixedExplorer("3.14159", "Q3.12", rounding="floor")
    for m, n, signed in [(3, 4, True), (1, 2, True), (7, 8, False), (0, 15, True), (31, 32, True)]:
        explorer.m_slider.value, explorer.n_slider.value, explorer.signed_box.value = m, n, signed
        fmt = nf.QFormat(m, n, signed)
        assert explorer.fmt == fmt
        assert explorer.raw == nf.Fixed(decimal.Decimal("3.14159"), fmt, rounding="floor").raw
        assert fixed_shown(explorer) == expected_shown(explorer.fixed)


def test_after_clicks_a_new_format_casts_the_stored_value():
    explorer = FixedExplorer(0, "Q3.12", rounding="nearest_up")
    explorer.set_raw(12868)  # 3.1416015625, no typed number behind it any more
    explorer.n_slider.value = 3
    assert explorer.raw == nf.Fixed.from_raw(12868, "Q3.12").cast("Q3.3", rounding="nearest_up").raw == 25
    explorer.n_slider.value = 12  # the bits dropped are gone: 25 / 8 = 3.125 exactly
    assert explorer.exact == "3.125"


def test_refused_changes_are_undone_and_explained():
    explorer = FixedExplorer(100, "Q3.12")
    assert explorer.exact == "7.999755859375"  # saturated
    explorer.overflow_picker.value = "error"
    assert explorer.overflow == explorer.overflow_picker.value == "saturate"
    assert "cannot hold 100" in explorer.details.value and "kept overflow=&#x27;saturate&#x27;" in explorer.details.value
    explorer.m_slider.value = 63  # Q63.12 needs 76 bits
    assert str(explorer.fmt) == "Q3.12" and explorer.m_slider.value == 3
    assert "needs a word of 76 bits" in explorer.details.value
    explorer.set_value(1)
    explorer.overflow_picker.value = "error"
    explorer.decimal_text.value = "9"
    assert explorer.exact == "1" and explorer.decimal_text.value == "1" and "cannot hold 9" in explorer.details.value
    explorer.raw_text.value = "twelve"
    assert "is not an integer" in explorer.details.value and explorer.raw == 4096


def test_step_buttons_go_through_the_overflow_mode():
    explorer = FixedExplorer(7.9375, "Q3.4")
    explorer.up_button.click()
    assert explorer.raw == 127  # saturate: stays at the top
    explorer.overflow_picker.value = "wrap"
    explorer.up_button.click()
    assert explorer.raw == -128 and explorer.exact == "-8"  # wraps to the bottom
    explorer.down_button.click()
    assert explorer.raw == 127
    explorer.overflow_picker.value = "error"
    explorer.up_button.click()
    assert explorer.raw == 127 and "outside the range" in explorer.details.value
    explorer.raw_text.value = "0x10"
    assert explorer.raw == 16 and explorer.value == 1.0


def test_details_show_range_resolution_and_the_sum_of_weights():
    explorer = FixedExplorer(3.14159, "Q3.12")
    details = explorer.details.value
    for text in ["[-8.0, 7.999755859375]", "2⁻¹² = 0.000244140625", "12868 = 0x3244, bits 0011.001001000100",
                 "12868 / 2¹² = 3.1416015625", "2¹ + 2⁰ + 2⁻³ + 2⁻⁶ + 2⁻¹⁰ = 3.1416015625",
                 "+1.15625e-05 = +0.0474 steps (stored − input 3.14159)"]:
        assert text in details, text


def test_fixed_explorer_repr_is_short_and_stable():
    assert repr(FixedExplorer(3.14159, "Q3.12")) == "FixedExplorer(Q3.12 raw 12868 = 3.1416015625)"
    assert repr(FixedExplorer(-1, "Q0.15")) == "FixedExplorer(Q0.15 raw -32768 = -1)"


@pytest.mark.parametrize("call, error, message", [
    (lambda: FixedExplorer(1.0, "Q4,12"), ValueError, "is not a Q format"),
    (lambda: FixedExplorer(1.0, 16), TypeError, "fmt must be a QFormat or a string"),
    (lambda: FixedExplorer(float("nan"), "Q3.12"), ValueError, "has no fixed-point representation"),
    (lambda: FixedExplorer("pi", "Q3.12"), ValueError, "'pi' is not a number"),
    (lambda: FixedExplorer(1.0, rounding="round"), ValueError, "rounding='round' is not a known mode"),
    (lambda: FixedExplorer(9.0, "Q3.12", overflow="error"), OverflowError, "cannot hold 9.0"),
    (lambda: FixedExplorer(1.0).toggle_bit(16), ValueError, "position=16 is outside 0..15 for Q3.12"),
    (lambda: setattr(FixedExplorer(1.0), "overflow", "clip"), ValueError, "overflow='clip' is not a known mode"),
    (lambda: FixedExplorer(1.0, "Q3.4", overflow="error").set_raw(128), OverflowError, "outside the range"),
])
def test_fixed_explorer_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the quantizer explorer -----------------------------------------------------------------

QuantizerExplorer = widgets.QuantizerExplorer


def quantized_by_numformat(x, bits, full_scale, kind, dither, seed=0):
    q = nf.Quantizer(bits, full_scale=full_scale, kind=kind)
    noise = nf.tpdf_dither(x.shape, q.step, np.random.default_rng(seed)) if dither else 0.0
    return q.quantize(x + noise)


@pytest.fixture(scope="module")
def speech():
    return nf.audio.speech_sample()[0]


def test_every_control_recomputes_the_quantized_signal_and_its_sqnr(speech):
    explorer = QuantizerExplorer()
    _, sine = nf.sample(lambda t: np.sin(2 * np.pi * 997 * t), rate=16000, duration=1.0)
    steps = [("bits_slider", 6), ("full_scale_slider", 0.5), ("kind_buttons", "mid-rise"), ("dither_box", True),
             ("gain_slider", -20.0), ("signal_picker", "speech"), ("bits_slider", 12)]
    for control, value in steps:
        getattr(explorer, control).value = value
        source = speech if explorer.signal == "speech" else sine
        x = source * 10 ** (explorer.gain_db / 20)
        expected = quantized_by_numformat(x, explorer.bits, explorer.full_scale, explorer.kind, explorer.dither)
        np.testing.assert_array_equal(explorer.samples, x)
        np.testing.assert_array_equal(explorer.quantized, expected)
        assert explorer.sqnr_db == nf.sqnr_db(x, expected)
        assert explorer.quantizer == nf.Quantizer(explorer.bits, full_scale=explorer.full_scale, kind=explorer.kind)
        assert f"SQNR {nf.sqnr_db(x, expected):.2f} dB" in explorer.summary.value
    assert (explorer.bits, explorer.full_scale, explorer.kind, explorer.dither, explorer.gain_db, explorer.signal) \
        == (12, 0.5, "mid-rise", True, -20.0, "speech")


def test_traits_and_controls_stay_linked():
    explorer = QuantizerExplorer()
    explorer.bits, explorer.kind, explorer.signal = 9, "mid-rise", "speech"
    assert (explorer.bits_slider.value, explorer.kind_buttons.value, explorer.signal_picker.value) == (9, "mid-rise", "speech")
    explorer.dither_box.value = True
    assert explorer.dither is True


def test_a_full_scale_sine_follows_six_dB_per_bit():
    explorer = QuantizerExplorer(8, kind="mid-rise")  # mid-rise: a sine of amplitude 1 loses at most half a step
    curve = explorer.sqnr_by_bits
    np.testing.assert_allclose(curve[3:], nf.theoretical_sqnr_db(np.arange(4, 17)), atol=0.6)
    assert explorer.sqnr_db == curve[7] and explorer.theory_db == nf.theoretical_sqnr_db(8)
    explorer.gain_db = -30  # a quieter sine loses SQNR decibel for decibel
    assert abs(explorer.sqnr_db - (curve[7] - 30)) < 1.0
    loud = QuantizerExplorer(8, kind="mid-rise", gain_db=-1)
    dithered = QuantizerExplorer(8, kind="mid-rise", gain_db=-1, dither=True)
    assert 4.3 < loud.sqnr_db - dithered.sqnr_db < 5.3  # TPDF noise is step²/6 more: 10·log10(3) = 4.77 dB
    for explorer in (loud, dithered, QuantizerExplorer(10, kind="mid-rise", gain_db=-20)):
        expected = float(re.search(r"→ (-?[\d.]+) dB expected", explorer.summary.value).group(1))
        assert abs(explorer.sqnr_db - expected) < 0.6, explorer
    assert "expected" not in QuantizerExplorer(8, signal="speech").summary.value  # the rule is for sines


def test_clipped_samples_are_those_rounded_by_more_than_half_a_step():
    explorer = QuantizerExplorer(6, full_scale=0.5)
    error = np.abs(nf.Quantizer(6, full_scale=0.5).quantize(explorer.samples) - explorer.samples)
    assert explorer.clipped == np.count_nonzero(error > explorer.quantizer.step / 2) > 0
    assert f"{explorer.clipped} samples clipped" in explorer.summary.value
    assert QuantizerExplorer(6, kind="mid-rise").clipped == 0


def test_the_figure_is_a_png_drawn_the_same_every_time():
    first, second = QuantizerExplorer(5, dither=True), QuantizerExplorer(5, dither=True)
    assert first.figure.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.figure.value == second.figure.value
    np.testing.assert_array_equal(first.quantized, second.quantized)  # the dither is seeded
    second.bits = 6
    assert second.figure.value != first.figure.value
    assert not QuantizerExplorer(5, dither=True, seed=1).quantized.tolist() == first.quantized.tolist()


def test_play_puts_the_quantized_audio_in_a_player():
    import base64
    import io
    import wave

    explorer = QuantizerExplorer(3)
    explorer.play_button.click()
    (output,) = explorer.player.outputs
    page = output["data"]["text/html"]
    wav = base64.b64decode(re.search(r'src="data:audio/wav;base64,([^"]+)"', page).group(1))
    with wave.open(io.BytesIO(wav)) as reader:
        assert (reader.getframerate(), reader.getnchannels()) == (16000, 1)
        played = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    # IPython's Audio normalises to the int16 range: the played samples are the quantized ones, scaled
    peak = np.abs(explorer.quantized).max()
    np.testing.assert_array_equal(played, (explorer.quantized / peak * 32767).astype(np.int16))
    explorer.bits = 4
    assert explorer.player.outputs == ()  # a player of old settings is taken away


def test_quantizer_explorer_repr_is_short_and_stable():
    explorer = QuantizerExplorer(8, kind="mid-rise")
    enob = nf.enob(explorer.quantized, SINE_RATE_HZ, freq=SINE_FREQ_HZ)
    assert repr(explorer) == f"QuantizerExplorer(8-bit mid-rise, full scale 1, sine at +0 dB: SQNR 49.79 dB, ENOB {enob:.2f})"
    assert repr(explorer) == repr(QuantizerExplorer(8, kind="mid-rise"))
    assert repr(QuantizerExplorer(4, signal="speech", gain_db=-12, dither=True)).startswith(
        "QuantizerExplorer(4-bit mid-tread, full scale 1, speech at -12 dB + dither: SQNR ")


SINE_RATE_HZ, SINE_FREQ_HZ = 16000, 997
DITHER_BITS = 10 * math.log10(3) / (20 * math.log10(2))  # TPDF dither triples the noise: 4.77 dB = log2(3)/2 = 0.79 bit


def tone_measures_by_numformat(explorer):
    """SINAD and ENOB of the explorer's quantized samples, as numformat.adc measures them (IEEE 1241)."""
    options = {"rate": SINE_RATE_HZ, "freq": SINE_FREQ_HZ}
    return nf.sinad_db(explorer.quantized, **options), nf.enob(explorer.quantized, **options)


def test_the_sine_is_coherent_so_its_spectrum_needs_no_window():
    explorer = QuantizerExplorer()
    assert explorer.samples.size == SINE_RATE_HZ
    assert nf.coherent_frequency(SINE_RATE_HZ, explorer.samples.size, SINE_FREQ_HZ) == SINE_FREQ_HZ
    np.testing.assert_allclose(explorer.samples, np.sin(2 * np.pi * SINE_FREQ_HZ * np.arange(SINE_RATE_HZ) / SINE_RATE_HZ),
                               rtol=0, atol=1e-9)


def test_every_control_remeasures_sinad_and_enob_as_numformat_does():
    explorer = QuantizerExplorer()
    steps = [("bits_slider", 6), ("full_scale_slider", 0.5), ("kind_buttons", "mid-rise"), ("dither_box", True),
             ("gain_slider", -20.0), ("signal_picker", "speech"), ("bits_slider", 12), ("signal_picker", "sine")]
    for control, value in steps:
        getattr(explorer, control).value = value
        if explorer.signal == "speech":  # ENOB needs a sine: the explorer says so instead of measuring
            assert math.isnan(explorer.sinad_db) and math.isnan(explorer.enob) and explorer.tone is None
            assert "ENOB needs a sine" in explorer.summary.value and "ENOB" not in repr(explorer)
            continue
        sinad, enob = tone_measures_by_numformat(explorer)
        assert (explorer.sinad_db, explorer.enob) == (sinad, enob), control
        assert f"SINAD {sinad:.2f} dB · ENOB {enob:.2f} bits" in explorer.summary.value
        assert f"ENOB {enob:.2f})" in repr(explorer)
    assert (explorer.signal, explorer.bits, explorer.dither) == ("sine", 12, True)


def test_enob_and_sinad_are_read_only():
    import traitlets

    explorer = QuantizerExplorer()
    with pytest.raises(traitlets.TraitError, match="read-only"):
        explorer.enob = 16.0


def test_a_full_scale_sine_shows_enob_within_a_fifth_of_a_bit_of_its_bits():
    # mid-rise: a sine of amplitude 1 loses at most half a step at the top, never clips harder
    explorer = QuantizerExplorer(2, kind="mid-rise")
    for bits in (2, 4, 8, 12, 16):
        explorer.bits = bits
        assert abs(explorer.enob - bits) < 0.2, bits
        assert explorer.sinad_db == pytest.approx(nf.theoretical_sqnr_db(bits), abs=0.2 * 6.03)
    explorer.bits = 1  # one bit is a square wave: its error is far from uniform noise
    assert abs(explorer.enob - 1) > 0.2


def test_dither_lowers_enob_by_half_of_log2_of_three_bits():
    for bits in (8, 12):
        plain = QuantizerExplorer(bits, kind="mid-rise", gain_db=-1)
        dithered = QuantizerExplorer(bits, kind="mid-rise", gain_db=-1, dither=True)
        assert plain.enob - dithered.enob == pytest.approx(DITHER_BITS, abs=0.05), bits
        assert (dithered.sinad_db, dithered.enob) == tone_measures_by_numformat(dithered)


def test_a_quiet_sine_loses_enob_and_one_below_a_step_has_none():
    explorer = QuantizerExplorer(10, kind="mid-rise")
    loud = explorer.enob
    explorer.gain_db = -20.0  # 20 dB less tone for the same noise: 20 / 6.02 bits fewer
    assert loud - explorer.enob == pytest.approx(20 / (20 * math.log10(2)), abs=0.1)
    silent = QuantizerExplorer(3, gain_db=-60)  # mid-tread rounds the whole sine to zero
    assert np.all(silent.quantized == 0) and silent.tone is None and math.isnan(silent.enob)
    assert "there is no tone to measure" in silent.summary.value
    buried = QuantizerExplorer(3, kind="mid-rise", gain_db=-60, dither=True)  # the tone drowns in dither
    assert buried.tone.sfdr_db < 0 and (buried.sinad_db, buried.enob) == tone_measures_by_numformat(buried)


def test_the_spectrum_panel_is_drawn_the_same_for_the_same_settings():
    explorer = QuantizerExplorer(8, kind="mid-rise")
    first = explorer.figure.value
    explorer.dither = True
    dithered = explorer.figure.value
    explorer.signal = "speech"
    speech = explorer.figure.value
    explorer.signal, explorer.dither = "sine", False
    assert explorer.figure.value == first and len({first, dithered, speech}) == 3
    assert QuantizerExplorer(8, kind="mid-rise", signal="speech", dither=True).figure.value == speech


@pytest.mark.parametrize("call, error, message", [
    (lambda: QuantizerExplorer(0), ValueError, "bits=0 is outside the explorer's 1 to 16"),
    (lambda: QuantizerExplorer(17), ValueError, "bits=17 is outside"),
    (lambda: QuantizerExplorer(8, full_scale=3.0), ValueError, "full_scale=3.0 is outside the explorer's range 0.05 to 2"),
    (lambda: QuantizerExplorer(8, gain_db=10), ValueError, "gain_db=10.0 is outside the explorer's range -60 to 6"),
    (lambda: QuantizerExplorer(8, kind="mid-step"), ValueError, "kind='mid-step' is not a known mode"),
    (lambda: QuantizerExplorer(8, signal="noise"), ValueError, "signal='noise' is not a known mode; use one of 'sine', 'speech'"),
    (lambda: QuantizerExplorer(8, seed="zero"), TypeError, "seed must be an int"),
])
def test_quantizer_explorer_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the int8 explorer ------------------------------------------------------------------------

Int8Explorer = widgets.Int8Explorer


@pytest.fixture(scope="module")
def int8_explorer():
    return Int8Explorer("conv2_weight")  # loads the pretrained CNN and the digits once for the tests below


def test_int8_every_control_recomputes_qparams_error_and_accuracy(int8_explorer, pretrained, digits):
    explorer = int8_explorer
    _, _, x_test, y_test = digits
    steps = [("bits_slider", 4), ("symmetric_box", False), ("per_channel_box", True), ("clip_slider", 0.6),
             ("channel_slider", 5), ("layer_picker", "fc_weight"), ("bits_slider", 8)]
    for control, value in steps:
        getattr(explorer, control).value = value
        w = pretrained.params[explorer.layer].astype(np.float64)
        axes = tuple(range(1, w.ndim))
        low = w.min(axis=axes) if explorer.per_channel else w.min()
        high = w.max(axis=axes) if explorer.per_channel else w.max()
        qp = nf.choose_qparams(min=low * explorer.clip, max=high * explorer.clip, bits=explorer.bits,
                               symmetric=explorer.symmetric, narrow_range=explorer.symmetric,
                               axis=0 if explorer.per_channel else None)
        assert explorer.qparams == qp
        np.testing.assert_array_equal(explorer.fake_quantized, nf.fake_quantize(w, qp))
        assert explorer.sqnr_db == nf.sqnr_db(w, nf.fake_quantize(w, qp))
        params = dict(pretrained.params, **{explorer.layer: nf.fake_quantize(w, qp)})
        assert explorer.accuracy == nf.nn.FloatCNN(params).accuracy(x_test, y_test)
        assert f"test accuracy {explorer.accuracy:.2%}" in explorer.summary.value
    assert explorer.channel_slider.max == 9 and explorer.channel == 5  # fc has 10 output rows


def test_int8_clipping_and_per_channel_behave_as_quantization_theory_says(int8_explorer):
    explorer = int8_explorer
    explorer.layer, explorer.bits, explorer.symmetric, explorer.per_channel, explorer.clip = \
        "conv2_weight", 8, True, False, 1.0
    assert explorer.clipped == 0 and explorer.qparams.zero_point == 0
    assert np.max(np.abs(explorer.fake_quantized - explorer.weights["conv2_weight"])) <= explorer.qparams.scale / 2
    per_tensor = explorer.channel_sqnr_db["per-tensor"]
    assert explorer.sqnr_db > 6 * 8 - 20  # 8 bits: some 40 dB for these weights
    explorer.per_channel = True  # each channel on its own grid: better on average (a channel may lose by luck)
    assert np.mean(explorer.channel_sqnr_db["per-channel"]) > np.mean(per_tensor) + 1
    np.testing.assert_array_equal(explorer.channel_sqnr_db["per-tensor"], per_tensor)
    explorer.clip, explorer.per_channel = 0.3, False
    w = explorer.weights["conv2_weight"]
    low, high = explorer.qparams.real_range
    step = explorer.qparams.scale
    assert explorer.clipped == np.count_nonzero((w < low - step / 2) | (w > high + step / 2)) > 0
    assert np.max(explorer.fake_quantized) == high and np.min(explorer.fake_quantized) == low
    explorer.clip = 1.0


def test_int8_figure_is_a_png_and_the_same_every_time(int8_explorer):
    explorer = int8_explorer
    explorer.layer, explorer.bits, explorer.per_channel, explorer.clip = "conv1_weight", 3, True, 0.5
    first = explorer.figure.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    explorer.bits = 4
    assert explorer.figure.value != first
    explorer.bits = 3
    assert explorer.figure.value == first


def test_int8_explorer_takes_your_own_weights(rng):
    synthetic = rng.standard_normal((8, 16)) * np.logspace(-2, 0, 8)[:, None]  # channels 100x apart in size
    explorer = Int8Explorer("layer", weights={"layer": synthetic}, bits=6)
    assert explorer.accuracy is None and "accuracy" not in explorer.summary.value
    per_tensor = explorer.sqnr_db
    worst_per_tensor = explorer.channel_sqnr_db["per-tensor"].min()
    explorer.per_channel = True
    assert explorer.channel_sqnr_db["per-channel"].min() > worst_per_tensor + 20  # the small channels recover
    assert explorer.sqnr_db >= per_tensor
    assert repr(explorer) == f"Int8Explorer(layer 6-bit symmetric per-channel, clip 1: SQNR {explorer.sqnr_db:.2f} dB)"


def test_int8_explorer_repr_is_short_and_stable(int8_explorer):
    int8_explorer.layer, int8_explorer.bits, int8_explorer.symmetric, int8_explorer.per_channel, int8_explorer.clip = \
        "fc_weight", 8, True, False, 1.0
    assert repr(int8_explorer) == f"Int8Explorer(fc_weight 8-bit symmetric per-tensor, clip 1: SQNR {int8_explorer.sqnr_db:.2f} dB)"


@pytest.mark.parametrize("change, error, message", [
    (dict(layer="conv3_weight"), ValueError, "layer='conv3_weight' is not one of the weights: conv1_weight"),
    (dict(bits=1), ValueError, "bits=1 is outside the explorer's 2 to 8"),
    (dict(clip=0.0), ValueError, "clip=0.0 is outside the explorer's range 0.05 to 1"),
    (dict(channel=16), ValueError, "channel=16 is outside 0..15 for conv2_weight"),
])
def test_int8_explorer_bad_settings(int8_explorer, change, error, message):
    int8_explorer.layer = "conv2_weight"
    with pytest.raises(error, match=message):
        for name, value in change.items():
            setattr(int8_explorer, name, value)


@pytest.mark.parametrize("weights, error, message", [
    ([1.0, 2.0], TypeError, "weights must be a non-empty dict"),
    ({"w": np.ones(4)}, ValueError, r"weights\['w'\] must be a finite array with output channels on axis 0"),
    ({"w": np.full((2, 2), np.nan)}, ValueError, "must be a finite array"),
])
def test_int8_explorer_bad_weights(weights, error, message):
    with pytest.raises(error, match=message):
        Int8Explorer("w", weights=weights)
