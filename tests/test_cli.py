"""The `numformat` command, run as students run it."""

import shutil
import subprocess
import sys
from fractions import Fraction

import pytest

from numformat import Fixed
from numformat.cli import main


def run(*args):
    """Run the installed console script if there is one, else `python -m numformat`."""
    script = shutil.which("numformat")
    command = [script] if script else [sys.executable, "-m", "numformat"]
    return subprocess.run([*command, *args], capture_output=True, text=True)


def test_float_8_625_prints_layout_hex_and_formula():
    result = run("float", "8.625")
    assert result.returncode == 0, result.stderr
    assert "0 10000010 00010100000000000000000" in result.stdout
    assert "0x410A0000" in result.stdout
    assert "(-1)^0 × 2^(130-127) × 1.078125 = 8.625" in result.stdout


def test_python_dash_m_works_too():
    result = subprocess.run([sys.executable, "-m", "numformat", "float", "8.625"], capture_output=True, text=True)
    assert result.returncode == 0 and "0x410A0000" in result.stdout


@pytest.mark.parametrize("args, expected", [
    (["float", "0x3DCCCCCD"], ["0.100000001490116119384765625", "123 - 127 = -4"]),
    (["float", "0 10000010 00010100000000000000000"], ["= 8.625"]),
    (["float", "0.1"], ["0x3DCCCCCD", "error     +1.49012e-09"]),
    (["float", "0.1", "--format", "float16"], ["0x2E66", "bias 15"]),
    (["float", "0.1", "--format", "bfloat16"], ["0x3DCD"]),
    (["float", "0.1", "--format", "float64"], ["0x3FB999999999999A"]),
    (["float", "500", "--format", "e4m3fn"], ["0x7F", "NaN"]),
    (["float", "500", "--format", "e4m3fn", "--saturate"], ["0x7E", "= 448.0"]),
    (["float", "1e5", "--format", "e5m2"], ["0x7C", "+inf"]),
    (["float", "-0", "--format", "e5m2"], ["0x80"]),
    (["float", "1/3", "--format", "float16"], ["0x3555"]),
])
def test_float_command(args, expected, capsys):
    assert main(args) == 0
    output = capsys.readouterr().out
    for text in expected:
        assert text in output


@pytest.mark.parametrize("args, message", [
    (["float", "eight"], "'eight' is neither a number"),
    (["float", "1.0", "--format", "float12"], "fmt='float12' is not a known float format"),
    (["float", "0x1FFFFFFFF"], "wider than float32's 32 bits"),
    (["fixed", "9.5", "--overflow", "error"], "Q3.12 [-8.0, 7.999755859375] cannot hold 9.5"),
    (["fixed", "inf"], "value=Infinity has no fixed-point representation"),
    (["fixed", "0x1FFFF"], "bit pattern 0x1FFFF is wider than Q3.12's 16-bit word"),
    (["fixed", "1.0", "--format", "Q40.40"], "Q40.40 needs a word of 81 bits"),
    (["fixed", "1.0", "--format", "Q4,12"], "text='Q4,12' is not a Q format"),
    (["fixed", "pi"], "'pi' is neither a number"),
])
def test_bad_input_exits_2_with_a_message(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, expected", [
    (["fixed", "3.14159", "--format", "Q4.12"],
     ["Q4.12: 1 sign, 4 integer, 12 fraction bits (17-bit word)", "raw       12868", "binary    00011.001001000100",
      "hex       0x03244", "value     12868 / 2^12 = 3.1416015625", "error     +1.15625e-05"]),
    (["fixed", "-0.1", "-f", "Q15"], ["raw       -3277", "binary    1.111001100110011", "0xF333", "-0.100006103515625"]),
    (["fixed", "1/3", "-f", "UQ0.16", "--rounding", "floor"], ["UQ0.16: 0 integer", "raw       21845", ".0101010101010101"]),
    (["fixed", "2.5", "-f", "Q7.0", "--rounding", "nearest_away"], ["raw       3", "binary    00000011"]),
    (["fixed", "9.5", "--overflow", "wrap"], ["raw       -26624", "= -6.5", "error     -16"]),
    (["fixed", "9.5"], ["raw       32767", "= 7.999755859375"]),
    (["fixed", "0x3244"], ["raw       12868", "= 3.1416015625"]),
    (["fixed", "0xFFFF", "-f", "Q3.12"], ["raw       -1", "= -0.000244140625"]),
    (["fixed", "1", "-f", "Q1.15", "--convention", "arm"], ["Q0.15:", "raw       32767"]),
])
def test_fixed_command(args, expected, capsys):
    assert main(args) == 0
    output = capsys.readouterr().out
    for text in expected:
        assert text in output


@pytest.mark.parametrize("value, fmt, rounding", [("3.14159", "Q4.12", "nearest_even"), ("-0.1", "Q0.15", "floor"),
                                                  ("1/3", "UQ0.16", "nearest_up"), ("-2.5", "Q7.0", "zero")])
def test_fixed_command_prints_what_the_library_computes(value, fmt, rounding, capsys):
    assert main(["fixed", value, "-f", fmt, "-r", rounding]) == 0
    output = capsys.readouterr().out
    fixed = Fixed(Fraction(value), fmt, rounding=rounding)
    for text in (f"raw       {fixed.raw}", fixed.binary, fixed.hex, f"= {fixed.exact}"):
        assert text in output


# --- hostile values: checked before anything is printed, explained when the answer looks odd -----

@pytest.mark.parametrize("args, message", [
    (["int8", "--multiplier", "-1", "5"], "--multiplier -1.0 must be positive and finite"),
    (["int8", "--multiplier", "0.5", "7", "abc"], "'abc' is not an int32 accumulator"),
    (["int8", "--multiplier", "2e9", "5"], "leaves the int32 range"),
    (["int8", "--min", "0", "--max", "1", "0.5", "abc"], "'abc' is not a real value to quantize"),
    (["float", "1/0"], "'1/0' divides by zero"),
    (["float", "sNaN"], "'sNaN' is a signaling NaN"),
    (["float", "1e999999999"], "has 1 digits and the decimal exponent 999999999"),
    (["fixed", "0x"], "'0x' is not a bit pattern"),
    (["g711", "5", "99999999999999999999"], "'99999999999999999999' is not an int16 PCM sample"),
])
def test_bad_values_print_only_the_error(args, message, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""                              # no half table before the error
    assert message in captured.err and "Traceback" not in captured.err


@pytest.mark.parametrize("fmt_name, value", [("e4m3fn", "1e6"), ("e5m2", "1e6"), ("float16", "-70000")])
def test_float_overflow_says_so_and_names_saturate(fmt_name, value, capsys):
    import numformat as nf

    fmt = nf.floats.float_format(fmt_name)
    assert main(["float", value, "--format", fmt_name]) == 0
    output = capsys.readouterr().out
    became = nf.encode(float(value), fmt)
    assert became.kind == ("nan" if fmt.finite_only else "inf")
    assert f"{value} overflows {fmt.name}'s range ±{fmt.max!r}" in output
    assert f"--saturate gives ±{fmt.max!r} instead" in output
    assert main(["float", value, "--format", fmt_name, "--saturate"]) == 0
    clamped = nf.encode(float(value), fmt, saturate=True).value
    assert f"--saturate clamped it to {clamped!r}" in capsys.readouterr().out and abs(clamped) == fmt.max


def test_rounding_onto_max_is_not_an_overflow(capsys):
    import numformat as nf

    assert nf.encode(449, nf.FLOAT8_E4M3FN).value == nf.FLOAT8_E4M3FN.max     # within half an ulp of max
    assert main(["float", "449", "--format", "e4m3fn"]) == 0
    assert "overflows" not in capsys.readouterr().out


@pytest.mark.parametrize("low, high, why", [("0", "0", "is empty (min = max = 0)"),
                                            ("0", "1e-45", "is narrower than a float32 scale can resolve")])
def test_int8_empty_range_says_why_the_scale_is_one(low, high, why, capsys):
    from numformat import quant

    assert quant.choose_qparams(min=float(low), max=float(high)).scale == 1.0
    assert main(["int8", "--min", low, "--max", high]) == 0
    output = capsys.readouterr().out
    assert "scale       1.0" in output
    assert f"the range [{float(low):g}, {float(high):g}] {why}: any scale maps it, so scale 1.0 is used" in output
    assert main(["int8", "--min", "-128", "--max", "127"]) == 0               # scale 1.0 for a real reason
    assert "note" not in capsys.readouterr().out


@pytest.mark.parametrize("args, status, stream, text", [
    (["bogus"], 2, "err", "usage: numformat"),
    ([], 2, "err", "the following arguments are required: COMMAND"),
    (["float"], 2, "err", "the following arguments are required: value"),
    (["fixed", "1", "--rounding", "sideways"], 2, "err", "invalid choice: 'sideways'"),
    (["int8", "--bits", "eight"], 2, "err", "invalid int value: 'eight'"),
    (["--help"], 0, "out", "How numbers become bits"),
])
def test_main_returns_argparse_status_instead_of_raising(args, status, stream, text, capsys):
    assert main(args) == status
    assert text in getattr(capsys.readouterr(), stream)


@pytest.mark.parametrize("value, error", [("1e400", "-1.00000E+400"), ("1e-400", "-1E-400"),
                                          ("3.14159", "+1.15625e-05")])
def test_fixed_error_is_shown_beyond_float64s_range(value, error, capsys):
    """The stored - input error of a value far outside float64 (an exact Fraction) is still printed."""
    assert main(["fixed", value, "--format", "Q3.12"]) == 0
    assert f"error     {error} (stored - input)" in capsys.readouterr().out
