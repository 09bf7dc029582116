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
import os
import sys
from fractions import Fraction

from . import floats, quant, rounding
from .fixed import qformat
from .adc import g711
from .fixed import Fixed
from .checks import shorten
from .integers import int_range


MAX_NUMBER_DIGITS = 5000   # digits and decimal exponent a number may have: far past every format's range,
                           # and exact arithmetic on it stays instant (1e999999999 would not)


def _number(text):
    """An exact number from the command line: decimal (``0.1``, ``-1e-3``, ``inf``) or ``p/q``."""
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return _fraction(text)
    if number.is_snan():
        raise ValueError(f"{shorten(text)!r} is a signaling NaN, which no conversion takes; write nan")
    if number.is_finite() and number and (len(number.as_tuple().digits) > MAX_NUMBER_DIGITS
                                          or abs(number.adjusted()) > MAX_NUMBER_DIGITS):
        raise ValueError(f"{shorten(text)!r} has {len(number.as_tuple().digits)} digits and the decimal exponent "
                         f"{number.adjusted()}; numformat reads up to {MAX_NUMBER_DIGITS} digits and exponents "
                         f"from -{MAX_NUMBER_DIGITS} to {MAX_NUMBER_DIGITS}")
    return number


def _fraction(text):
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise ValueError(f"{shorten(text)!r} divides by zero; a fraction p/q needs q ≠ 0") from None
    except ValueError:
        raise ValueError(f"{shorten(text)!r} is neither a number (8.625, -1e-3, inf, 1/3) nor a bit pattern "
                         "(0x410A0000, 0b1..., or all the format's bits in binary)") from None


def _looks_like_bits(text, fmt):
    digits = text.replace(" ", "").replace("_", "")
    if digits.lower().startswith(("0x", "0b")):
        return True
    return set(digits) <= {"0", "1"} and len(digits) == fmt.width


def _float_command(args):
    fmt = floats.float_format(args.format)
    if _looks_like_bits(args.value, fmt):
        print(floats.decode(args.value, fmt))
        return
    number = _number(args.value)
    bits = floats.encode(number, fmt, saturate=args.saturate)
    print(bits)
    if _overflows(number, fmt):
        print(_overflow_note(args.value, fmt, bits, args.saturate))


def _overflows(number, fmt):
    """Whether a finite number lies past the format's range (it rounds to inf or NaN)."""
    finite = not isinstance(number, decimal.Decimal) or number.is_finite()
    return finite and floats.encode(number, fmt).kind in ("inf", "nan")


def _overflow_note(text, fmt, bits, saturate):
    """Why a finite input came out as inf, NaN or ±max, and what --saturate does."""
    limit = f"{fmt.name}'s range ±{fmt.max!r}"
    if saturate:
        return f"  note      {shorten(text)} overflows {limit}; --saturate clamped it to {bits.value!r}"
    became = "NaN: this finite-only format has no infinity" if fmt.finite_only else f"{bits.value:+}"
    return (f"  note      {shorten(text)} overflows {limit} and becomes {became}; "
            f"--saturate gives ±{fmt.max!r} instead")


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
        sample = int(text, 0)
    except ValueError:
        sample = None
    low, high = int_range(16)
    if sample is None or not low <= sample <= high:
        raise ValueError(f"{shorten(text)!r} is not an int16 PCM sample; give whole numbers from {low} to {high}")
    return sample


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
        lines.append(f"  error     {_six_digits(error)} (stored - input)")
    return lines


def _six_digits(number):
    """``number`` (a Fraction) to 6 significant digits with its sign, even beyond float64's range."""
    context = decimal.Context(prec=6)
    quotient = context.divide(decimal.Decimal(number.numerator), decimal.Decimal(number.denominator))
    return f"{float(quotient):+.6g}" if abs(quotient.adjusted()) < 300 else f"{quotient:+}"


def _fixed_command(args):
    fmt = qformat.QFormat.parse(args.format, convention=args.convention)
    text = args.value.replace("_", "")
    if text.lower().startswith(("0x", "0b")):  # a bit pattern: read it as the word's two's complement
        try:
            bits = int(text, 0)
        except ValueError:
            raise ValueError(f"{shorten(args.value)!r} is not a bit pattern; write 0x then hex digits, "
                             "or 0b then binary digits") from None
        if not 0 <= bits < 2 ** fmt.word_bits:
            raise ValueError(f"bit pattern {shorten(args.value)} is wider than {fmt}'s {fmt.word_bits}-bit word")
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


def _parsed(texts, parse, what):
    """Every command-line value read before anything is printed, or a ValueError naming the bad one."""
    values = []
    for text in texts:
        try:
            values.append(parse(text))
        except ValueError:
            raise ValueError(f"{shorten(text)!r} is not {what}") from None
    return values


def _requantize_lines(args):
    """TFLite's (M0, shift) of --multiplier and the accumulators requantized in every mode."""
    if not 0 < args.multiplier < float("inf"):
        raise ValueError(f"--multiplier {args.multiplier!r} must be positive and finite: it is S_in·S_w/S_out")
    acc = _parsed(args.values, int, "an int32 accumulator; give whole numbers such as 1000 or -- -1000")
    m0, shift = quant.quantize_multiplier(args.multiplier)
    results = [quant.requantize(acc, args.multiplier, 0, *int_range(8), mode=mode).tolist()
               for mode in quant.REQUANT_MODES] if acc else []
    lines = [f"multiplier {args.multiplier!r} ≈ M0 · 2^(shift - 31) = {m0} · 2^({shift} - 31)"
             f" = {m0 * 2.0 ** (shift - 31)!r}"]
    if acc:
        lines.append(f"  {'acc':<11}" + "".join(f"{mode:>20}" for mode in quant.REQUANT_MODES)
                     + "   (int8, zero point 0)")
        lines += [f"  {value:<11d}" + "".join(f"{column[row]:>20d}" for column in results)
                  for row, value in enumerate(acc)]
    return lines


def _empty_range_note(args, qp):
    """Why the scale is 1.0 when [min, max] (with 0 added) is empty or narrower than float32 resolves."""
    if qp.scale != 1.0 or max(abs(args.min), abs(args.max)) >= (qp.qmax - qp.qmin) / 4:
        return []
    why = ("is empty (min = max = 0)" if args.min == args.max == 0
           else "is narrower than a float32 scale can resolve")
    return [f"  note        the range [{args.min:g}, {args.max:g}] {why}: any scale maps it, so scale 1.0 is used"]


def _mapping_lines(args):
    """Scale, zero point and range of [--min, --max], and the given values through them."""
    if args.min is None or args.max is None:
        raise ValueError("give --min and --max (the range to map), or --multiplier")
    x = _parsed(args.values, float, "a real value to quantize")
    qp = quant.choose_qparams(min=args.min, max=args.max, bits=args.bits, signed=not args.unsigned,
                              symmetric=args.symmetric, narrow_range=args.narrow_range)
    codes = quant.quantize(x, qp).tolist() if x else []
    back = quant.dequantize(codes, qp).tolist() if x else []
    kind = "symmetric" if args.symmetric else "asymmetric"
    low, high = qp.real_range
    lines = [f"{kind} {'u' if args.unsigned else ''}int{args.bits} mapping of [{args.min:g}, {args.max:g}]: "
             f"codes {qp.qmin}..{qp.qmax}",
             f"  scale       {qp.scale!r}  (rounded to float32)",
             *_empty_range_note(args, qp),
             f"  zero point  {qp.zero_point}  (real 0.0 is this code, exactly)",
             f"  covers      [{low!r}, {high!r}]"]
    if x:
        lines.append(f"  {'x':>12} {'code':>6} {'back':>20} {'error':>12}")
        lines += [f"  {value:>12g} {code:>6d} {again!r:>20} {again - value:>+12.4g}"
                  for value, code, again in zip(x, codes, back)]
    return lines


def _int8_command(args):
    """Everything is computed (and checked) first, then printed: an error never follows half a table."""
    lines = _requantize_lines(args) if args.multiplier is not None else _mapping_lines(args)
    print("\n".join(lines))


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
    """Run the command line; returns the exit status (0, or 2 for bad input).

    Bad arguments get argparse's usage message, bad values one line naming the problem; neither
    ends in a traceback.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:     # argparse printed its usage error (status 2) or --help (0)
        return stop.code
    try:
        args.run(args)
        sys.stdout.flush()
    except (TypeError, ValueError, OverflowError) as error:
        print(f"numformat {args.command}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `numformat float 8.625 | head -3`: the reader left early; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
