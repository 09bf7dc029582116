"""The ``numformat`` command: look at numbers as bits from the shell.

Each subcommand is one small function that parses its arguments and prints what the library
computes; add new ones to :data:`COMMANDS`.

Examples
--------
>>> main(["float", "8.625"])  # doctest: +ELLIPSIS
float32: 1 sign, 8 exponent, 23 mantissa bits, bias 127
  input     8.625
  bits      0 10000010 00010100000000000000000
  hex       0x410A0000
...
0
"""

from __future__ import annotations

import argparse
import decimal
import sys
from fractions import Fraction

from . import floatbits, floats, g711


def _number(text):
    """An exact number from the command line: decimal (``0.1``, ``-1e-3``, ``inf``) or ``p/q``."""
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation:
        pass
    try:
        return Fraction(text)
    except ValueError:
        raise ValueError(f"{text!r} is neither a number (8.625, -1e-3, inf, 1/3) nor a bit pattern "
                         "(0x410A0000, 0b1..., or all the format's bits in binary)") from None


def _looks_like_bits(text, fmt):
    digits = text.replace(" ", "").replace("_", "")
    if digits.lower().startswith(("0x", "0b")):
        return True
    return set(digits) <= {"0", "1"} and len(digits) == fmt.width


def _float_command(args):
    fmt = floats.float_format(args.format)
    if _looks_like_bits(args.value, fmt):
        bits = floatbits.decode(args.value, fmt)
    else:
        bits = floatbits.encode(_number(args.value), fmt, saturate=args.saturate)
    print(bits)


def _add_float(subparsers):
    parser = subparsers.add_parser(
        "float", help="encode a number into a float format, or decode a bit pattern",
        description="Show the sign, exponent and mantissa of a number (8.625, 0.1, -1e-3, inf, 1/3) "
                    "or of a bit pattern (0x410A0000, or every bit in binary), with the worked formula.")
    parser.add_argument("value", help="a number, or bits as hex 0x..., 0b... or the full binary pattern")
    names = ", ".join([*floats.FORMATS, "e4m3fn", "e5m2"])
    parser.add_argument("--format", "-f", default="float32", help=f"one of {names} (default float32)")
    parser.add_argument("--saturate", action="store_true", help="overflow to ±max instead of inf/NaN")
    parser.set_defaults(run=_float_command)


def _pcm_sample(text):
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"{text!r} is not an int16 PCM sample; give whole numbers from -32768 to 32767") from None


def _g711_command(args):
    samples = [_pcm_sample(text) for text in args.samples]
    mulaw, alaw = g711.mulaw_encode(samples), g711.alaw_encode(samples)  # validates the range
    for sample, mu_code, a_code in zip(samples, mulaw.tolist(), alaw.tolist()):
        print(f"int16 sample {sample}")
        # Segment and step in int16 units: μ-law steps are 8 << segment, A-law 16 << (segment - 1).
        mu_segment = (~mu_code >> 4) & 7
        a_segment = ((a_code ^ 0x55) >> 4) & 7
        for law, code, value, segment, step in [
                ("μ-law", mu_code, g711.mulaw_decode(mu_code), mu_segment, 8 << mu_segment),
                ("A-law", a_code, g711.alaw_decode(a_code), a_segment, 16 << max(a_segment - 1, 0))]:
            print(f"  {law}  code 0x{code:02X} ({code:08b})  segment {segment}, step {step:>4}  "
                  f"decodes to {value:>6}  error {value - sample:+d}")


def _add_g711(subparsers):
    parser = subparsers.add_parser(
        "g711", help="G.711 μ-law and A-law codes of int16 samples",
        description="Encode int16 PCM samples with G.711 μ-law and A-law (bit-exact with ITU-T G.191) and "
                    "show each code, its segment and step, the decoded sample and the error.")
    parser.add_argument("samples", nargs="+", help="int16 samples, -32768 to 32767 (0x... accepted)")
    parser.set_defaults(run=_g711_command)


COMMANDS = [_add_float, _add_g711]


def build_parser():
    parser = argparse.ArgumentParser(prog="numformat", description="How numbers become bits, bit-exact.")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_command in COMMANDS:
        add_command(subparsers)
    return parser


def main(argv=None):
    """Run the command line; returns the exit status (0, or 2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (TypeError, ValueError, OverflowError) as error:
        print(f"numformat {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
