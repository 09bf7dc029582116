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

from . import floatbits, floats, qformat, quant, rounding
from .adc import g711
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


def _int8_command(args):
    if args.multiplier is not None:
        m0, shift = quant.quantize_multiplier(args.multiplier)
        print(f"multiplier {args.multiplier!r} ≈ M0 · 2^(shift - 31) = {m0} · 2^({shift} - 31)"
              f" = {m0 * 2.0 ** (shift - 31)!r}")
        if args.values:
            acc = [int(value) for value in args.values]
            print(f"  {'acc':<11}" + "".join(f"{mode:>20}" for mode in quant.REQUANT_MODES) + "   (int8, zero point 0)")
            results = [quant.requantize(acc, args.multiplier, 0, -128, 127, mode=mode).tolist()
                       for mode in quant.REQUANT_MODES]
            for row, value in enumerate(acc):
                print(f"  {value:<11d}" + "".join(f"{results[col][row]:>20d}" for col in range(len(results))))
        return
    if args.min is None or args.max is None:
        raise ValueError("give --min and --max (the range to map), or --multiplier")
    qp = quant.choose_qparams(min=args.min, max=args.max, bits=args.bits, signed=not args.unsigned,
                              symmetric=args.symmetric, narrow_range=args.narrow_range)
    kind = "symmetric" if args.symmetric else "asymmetric"
    print(f"{kind} {'u' if args.unsigned else ''}int{args.bits} mapping of [{args.min:g}, {args.max:g}]: "
          f"codes {qp.qmin}..{qp.qmax}")
    print(f"  scale       {qp.scale!r}  (rounded to float32)")
    print(f"  zero point  {qp.zero_point}  (real 0.0 is this code, exactly)")
    low, high = qp.real_range
    print(f"  covers      [{low!r}, {high!r}]")
    if args.values:
        x = [float(value) for value in args.values]
        codes = quant.quantize(x, qp).tolist()
        back = quant.dequantize(codes, qp).tolist()
        print(f"  {'x':>12} {'code':>6} {'back':>20} {'error':>12}")
        for value, code, again in zip(x, codes, back):
            print(f"  {value:>12g} {code:>6d} {again!r:>20} {again - value:>+12.4g}")


def _add_int8(subparsers):
    parser = subparsers.add_parser(
        "int8", help="scale and zero point of a range, and values through it; or a fixed-point multiplier",
        description="Map the range [--min, --max] onto integer codes and show scale, zero point and the "
                    "round trip of the given values; or, with --multiplier, TFLite's (M0, shift) and the "
                    "given int32 accumulators requantized in every mode.")
    parser.add_argument("values", nargs="*", help="real values to quantize (or accumulators, with --multiplier); "
                                                  "put -- before negative values")
    parser.add_argument("--min", type=float, help="lowest real value to cover")
    parser.add_argument("--max", type=float, help="highest real value to cover")
    parser.add_argument("--bits", type=int, default=8, help="code width, 2 to 32 (default 8)")
    parser.add_argument("--unsigned", action="store_true", help="codes 0..2^bits-1 instead of two's complement")
    parser.add_argument("--symmetric", action="store_true", help="zero point in the middle, scale max|x|/127")
    parser.add_argument("--narrow-range", action="store_true", help="leave out the lowest code (-127..127)")
    parser.add_argument("--multiplier", type=float, help="a real requantization multiplier S_in·S_w/S_out")
    parser.set_defaults(run=_int8_command)


COMMANDS = [_add_float, _add_fixed, _add_g711, _add_int8]


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
