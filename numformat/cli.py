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

from . import floatbits, floats, g711, qformat, rounding
from .fixed import Fixed


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


def _fixed_lines(value, fmt, source):
    """What `numformat fixed` prints: the format, then the number as raw, bits, hex and value."""
    kind = "1 sign, " if fmt.signed else ""
    lines = [f"{fmt}: {kind}{fmt.m} integer, {fmt.n} fraction bits ({fmt.word_bits}-bit word), "
             f"step 2^-{fmt.n} = {fmt.resolution!r}, range {Fixed.from_raw(fmt.raw_min, fmt).exact} "
             f"to {Fixed.from_raw(fmt.raw_max, fmt).exact}"]
    if source is not None:
        lines.append(f"  input     {source}")
    lines += [f"  raw       {value.raw}",
              f"  binary    {value.binary}",
              f"  hex       {value.hex}",
              f"  value     {value.raw} / 2^{fmt.n} = {value.exact}"]
    if source is not None:
        error = Fraction(value.raw, 2 ** fmt.n) - Fraction(source)
        lines.append(f"  error     {float(error):+.6g} (stored - input)")
    return lines


def _fixed_command(args):
    fmt = qformat.QFormat.parse(args.format, convention=args.convention)
    text = args.value.replace("_", "")
    if text.lower().startswith(("0x", "0b")):  # a bit pattern: read it as the word's two's complement
        bits = int(text, 0)
        if not 0 <= bits < 2 ** fmt.word_bits:
            raise ValueError(f"bit pattern {args.value} is wider than {fmt}'s {fmt.word_bits}-bit word")
        value, source = Fixed.from_raw(bits, fmt, overflow="wrap"), None
    else:
        source = _number(args.value)
        value = Fixed(source, fmt, rounding=args.rounding, overflow=args.overflow)
    print("\n".join(_fixed_lines(value, fmt, source)))


def _add_fixed(subparsers):
    parser = subparsers.add_parser(
        "fixed", help="convert a number to fixed point Qm.n, or read a bit pattern",
        description="Show a number (3.14159, -0.1, 1/3) in a Qm.n format as its raw integer, its bits with "
                    "the binary point, hex, the value stored and the error; or read a bit pattern (0x3244).")
    parser.add_argument("value", help="a number, or a bit pattern 0x... / 0b...")
    parser.add_argument("--format", "-f", default="Q3.12",
                        help="Qm.n with m integer bits besides the sign (Q3.12, Q0.15 = Q15), or UQm.n (default Q3.12)")
    parser.add_argument("--convention", choices=qformat.CONVENTIONS, default="ti",
                        help="'arm' counts the sign bit in m: its Q1.15 is TI's Q0.15 (default ti)")
    parser.add_argument("--rounding", "-r", choices=rounding.ROUNDING_MODES, default="nearest_even")
    parser.add_argument("--overflow", "-o", choices=rounding.OVERFLOW_MODES, default="saturate")
    parser.set_defaults(run=_fixed_command)


COMMANDS = [_add_float, _add_fixed, _add_g711]


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
