"""The `numformat` command, run as students run it."""

import shutil
import subprocess
import sys

import pytest

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
])
def test_bad_input_exits_2_with_a_message(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
