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
