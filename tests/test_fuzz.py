"""Hostile input: seeded mutation fuzzing of every parser numformat has.

The compressed CNN file, WAV files, bit-pattern strings, ``QFormat.parse`` and the command line
each get thousands of mutants (bit flips, truncation, random byte runs, appended garbage,
inserted and deleted bytes, and edits aimed at the header fields that hold counts).  The only
allowed outcomes are a correct parse or a ``ValueError``/``TypeError`` with a message; a file
that parses must be exactly what the writer would write for what it holds.

The file fuzzers run in a forked child whose address space may grow by at most 1 GiB
(``RLIMIT_AS``): an allocation bomb fails the test with a ``MemoryError`` instead of waking the
OOM killer.  Everything is seeded, so a failure names a mutant that can be rebuilt.
"""

import collections
import contextlib
import io
import math
import multiprocessing
import pathlib
import re
import signal
import sys
import tempfile

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import numformat as nf
from numformat import audio
from numformat.cli import main
from numformat.compress import from_bytes, to_bytes
from numformat.compress.file_format import COMPRESSED_PATH
from numformat.compress.prune import WEIGHT_NAMES
from numformat.nn.model import PARAMETER_SHAPES

HEADROOM = 1 << 30          # how far a child's address space may grow past its size at the fork
LINUX = sys.platform.startswith("linux")


# ---------------------------------------------------------------- running under a memory limit


def _address_space():
    """This process's virtual memory size in bytes (Linux's /proc)."""
    status = pathlib.Path("/proc/self/status").read_text()
    return 1024 * int(re.search(r"VmSize:\s+(\d+) kB", status)[1])


def run_limited(function, *args, timeout=120):
    """``function(*args)`` in a forked child limited to its current size + 1 GiB; its return value.

    An exception in the child (a ``MemoryError`` from a bomb) comes back as a failed test.
    Elsewhere than Linux the function runs here, without the limit.
    """
    if not LINUX:
        return function(*args)
    import resource

    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child():
        limit = _address_space() + HEADROOM
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            sender.send(("done", function(*args)))
        except BaseException as error:  # noqa: BLE001 -- reported to the parent, which fails the test
            sender.send(("crashed", f"{type(error).__name__}: {error}"))

    process = context.Process(target=child)
    process.start()
    try:
        if not receiver.poll(timeout):
            pytest.fail(f"{function.__name__} gave no answer within {timeout} s")
        status, result = receiver.recv()
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    assert status == "done", f"{function.__name__} crashed under the memory limit: {result}"
    return result


# ---------------------------------------------------------------- mutation


def set_bits(data, offset, width, value):
    """``data`` with the ``width``-bit field at bit ``offset`` (most significant bit first) set to ``value``."""
    total = 8 * len(data)
    number = int.from_bytes(data, "big")
    shift = total - offset - width
    mask = ((1 << width) - 1) << shift
    return ((number & ~mask) | ((value << shift) & mask)).to_bytes(len(data), "big")


def extreme_value(rng, width):
    """A value a hostile writer would put in a ``width``-bit count field."""
    top = (1 << width) - 1
    return int(rng.choice([0, 1, top, top >> 1, 1 << (width - 1), int(rng.integers(0, top, endpoint=True))]))


def mutate(data, rng, fields):
    """One seeded mutant of ``data``; ``fields`` lists ``(bit offset, width)`` of its count fields."""
    data = bytearray(data)
    kind = int(rng.integers(7))
    if kind == 0:                                           # flip a few bits
        for bit in rng.integers(0, 8 * len(data), size=int(rng.integers(1, 5))):
            data[bit // 8] ^= 0x80 >> (bit % 8)
    elif kind == 1:                                         # truncate
        del data[int(rng.integers(0, len(data))):]
    elif kind == 2:                                         # overwrite a run with random bytes
        start = int(rng.integers(0, len(data)))
        run = rng.bytes(int(rng.integers(1, 17)))[:len(data) - start]
        data[start:start + len(run)] = run
    elif kind == 3:                                         # append garbage
        data += rng.bytes(int(rng.integers(1, 65)))
    elif kind == 4:                                         # insert or delete a run
        start = int(rng.integers(0, len(data)))
        if rng.integers(2):
            data[start:start] = rng.bytes(int(rng.integers(1, 9)))
        else:
            del data[start:start + int(rng.integers(1, 9))]
    else:                                                   # aim at a count field (two kinds in seven)
        offset, width = fields[int(rng.integers(len(fields)))]
        return set_bits(bytes(data), offset, width, extreme_value(rng, width))
    return bytes(data)


def mutants(base_files, fields_of, count, seed):
    """``count`` mutants, cycling through ``base_files``."""
    rng = np.random.default_rng(seed)
    return [mutate(base_files[i % len(base_files)], rng, fields_of[i % len(base_files)]) for i in range(count)]


def tally(outcomes, failures, index, data, parse, check):
    """Parse one mutant: a ValueError/TypeError with a message, or a parse that passes ``check``."""
    try:
        result = parse(data)
    except (ValueError, TypeError) as error:
        if str(error):
            outcomes["rejected"] += 1
        else:
            failures.append((index, f"{type(error).__name__} with an empty message"))
        return
    except Exception as error:  # noqa: BLE001 -- any other exception is the finding
        failures.append((index, f"{type(error).__name__}: {str(error)[:200]}"))
        return
    try:
        check(data, result)
        outcomes["parsed"] += 1
    except Exception as error:  # noqa: BLE001
        failures.append((index, f"parsed, but {type(error).__name__}: {str(error)[:200]}"))


# ---------------------------------------------------------------- the compressed CNN file


def count_fields(encoded):
    """``(bit offset, width)`` of every count in a compressed file: entries, widths, table widths."""
    fields, offset = [(0, 4), (4, 4)], 8
    for name in WEIGHT_NAMES:
        layer = encoded.layers[name]
        fields += [(offset, 32), (offset + 32, 8), (offset + 40, 8), (offset + 48, 3),
                   (offset + 48 + layer.skip_code.table_bits, 3)]
        offset += sum(layer.bits().values())
    return fields


def check_compressed_parse(data, encoded):
    assert to_bytes(encoded) == data, "a file that parses must be the file the writer writes"
    decoded = encoded.decode()
    assert all(np.all(np.isfinite(values)) for values in decoded.params.values())


def fuzz_compressed(files):
    outcomes, failures = collections.Counter(), []
    for index, data in enumerate(files):
        tally(outcomes, failures, index, data, from_bytes, check_compressed_parse)
    return outcomes, failures


@pytest.fixture(scope="module")
def shipped_file():
    return COMPRESSED_PATH.read_bytes()


def test_compressed_file_mutants_parse_exactly_or_raise_a_value_error(shipped_file):
    files = mutants([shipped_file], [count_fields(from_bytes(shipped_file))], 2000, seed=1)
    outcomes, failures = run_limited(fuzz_compressed, files)
    assert failures == []
    assert outcomes["rejected"] > 1000 and outcomes["parsed"] > 50     # both outcomes really happen


def entries_flips(shipped_file):
    """The shipped file with one of the top bits of a layer's 32-bit entry count flipped."""
    encoded = from_bytes(shipped_file)
    flips = []
    for name, (offset, width) in zip(WEIGHT_NAMES, count_fields(encoded)[2::5]):
        for bit in range(5):                               # 2^31 .. 2^27 more entries
            entries = encoded.layers[name].entries ^ (1 << (width - 1 - bit))
            flips.append((name, entries, set_bits(shipped_file, offset, width, entries)))
    return flips


def reject_all(files):
    messages = []
    for data in files:
        try:
            from_bytes(data)
            messages.append("parsed")
        except ValueError as error:
            messages.append(str(error))
    return messages


def test_regression_entry_count_flips_that_allocated_2_gib(shipped_file):
    """Flipping bits 8-12 of the shipped file (conv1's entry count) once made from_bytes allocate 2 GiB."""
    flips = entries_flips(shipped_file)
    for bit in range(5):                                   # the first five are exactly "flip bit 8 + i"
        flipped = bytearray(shipped_file)
        flipped[1] ^= 0x80 >> bit
        assert flips[bit][0] == "conv1_weight" and flips[bit][2] == bytes(flipped)
    messages = run_limited(reject_all, [data for _, _, data in flips])
    for (name, entries, _), message in zip(flips, messages):
        assert message == (f"{name}: entries={entries} is impossible: at most "
                           f"{math.prod(PARAMETER_SHAPES[name])}, one per weight of the layer")


# ---------------------------------------------------------------- WAV files


WAV_FIELDS = [(4 * 8, 32), (16 * 8, 32), (20 * 8, 16), (22 * 8, 16), (24 * 8, 32), (28 * 8, 32), (32 * 8, 16),
              (34 * 8, 16), (40 * 8, 32)]   # RIFF size, fmt size, format, channels, rate, byte rate, align, bits, data size


def wav_bases(folder):
    """Small WAV files of every width, mono and stereo, one with an extra chunk before the data."""
    rng = np.random.default_rng(3)
    files = []
    for bits, dtype in ((8, np.int8), (16, np.int16), (24, np.int32), (32, np.int32)):
        for channels in (1, 2):
            codes = rng.integers(-100, 100, size=(40, channels)).astype(dtype)
            audio.write_wav(folder / "base.wav", codes, 8000, bits=bits)
            files.append((folder / "base.wav").read_bytes())
    plain = files[2]
    extra = b"LIST" + (5).to_bytes(4, "little") + b"abcde\x00"       # odd size: a pad byte follows
    files.append(plain[:4] + (len(plain) - 8 + len(extra)).to_bytes(4, "little") + plain[8:36] + extra + plain[36:])
    return files


def read_checked(path):
    def parse(data):
        path.write_bytes(data)
        try:
            return audio.read_wav(path, raw=True)
        except ValueError as error:
            assert str(path) in str(error), f"the message must name the file: {error}"
            raise
    return parse


def check_wav_parse(data, result):
    codes, rate = result
    assert isinstance(rate, int) and rate >= 1
    assert codes.ndim in (1, 2) and codes.dtype.kind == "i"
    width = 8 * codes.dtype.itemsize
    assert np.all(codes >= -(1 << (width - 1))) and np.all(codes < 1 << (width - 1))


def fuzz_wav(files, folder):
    outcomes, failures = collections.Counter(), []
    parse = read_checked(folder / "mutant.wav")
    for index, data in enumerate(files):
        tally(outcomes, failures, index, data, parse, check_wav_parse)
    return outcomes, failures


@pytest.fixture
def fast_folder(tmp_path):
    """A folder in RAM where there is one (writing thousands of files to disk is slow)."""
    shm = pathlib.Path("/dev/shm")
    if shm.is_dir():
        with tempfile.TemporaryDirectory(dir=shm) as folder:
            yield pathlib.Path(folder)
    else:
        yield tmp_path


def wav_mutants(bases, count, seed):
    rng = np.random.default_rng(seed)
    result = []
    for index in range(count):
        data = bases[index % len(bases)]
        if rng.integers(7) >= 5:   # aim at a header field, little-endian as RIFF stores it (mutate's own
                                   # field edits write big-endian: odder values still)
            offset, width = WAV_FIELDS[int(rng.integers(len(WAV_FIELDS)))]
            value = extreme_value(rng, width).to_bytes(width // 8, "little")
            result.append(data[:offset // 8] + value + data[offset // 8 + width // 8:])
        else:
            result.append(mutate(data, rng, WAV_FIELDS))
    return result


def test_wav_mutants_parse_or_raise_a_value_error_naming_the_file(fast_folder):
    bases = wav_bases(fast_folder)
    files = wav_mutants(bases, 3000, seed=4) + wav_mutants([audio.SPEECH_WAV.read_bytes()], 150, seed=5)
    outcomes, failures = run_limited(fuzz_wav, files, fast_folder)
    assert failures == []
    assert outcomes["rejected"] > 500 and outcomes["parsed"] > 500


def riff(chunks):
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + (len(body)).to_bytes(4, "little") + body


def fmt_chunk(channels=1, rate=8000, bits=16):
    block = channels * bits // 8
    return b"fmt " + (16).to_bytes(4, "little") + np.array(
        [1, channels], "<u2").tobytes() + np.array([rate, rate * block], "<u4").tobytes() + np.array(
        [block, bits], "<u2").tobytes()


@pytest.mark.parametrize("name, data, message", [
    ("header claims 2^32 - 1 bytes of samples",
     riff([fmt_chunk(), b"data" + (2 ** 32 - 1).to_bytes(4, "little") + b"\x00\x01" * 8]),
     r"is truncated: its header promises 2147483647 frames, the data holds 8"),
    ("a chunk runs past the RIFF chunk (the bare RuntimeError)",
     b"RIFF" + (40).to_bytes(4, "little") + b"WAVE" + fmt_chunk() + b"junk" + (1000).to_bytes(4, "little") + b"x" * 8,
     r"a chunk's size runs past the end of the RIFF chunk that holds it"),
    ("sample rate 0", riff([fmt_chunk(rate=0), b"data" + (4).to_bytes(4, "little") + b"\x00" * 4]),
     r"has a sample rate of 0 Hz"),
])
def test_regression_wav_headers(name, data, message, fast_folder):
    path = fast_folder / "bad.wav"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=message) as caught:
        audio.read_wav(path)
    assert str(path) in str(caught.value)


def test_regression_wav_bomb_stays_under_the_memory_limit(fast_folder):
    path = fast_folder / "bomb.wav"
    path.write_bytes(b"RIFF" + (2 ** 32 - 1).to_bytes(4, "little") + b"WAVE" + fmt_chunk(channels=2, bits=32)
                     + b"data" + (2 ** 32 - 8).to_bytes(4, "little") + bytes(64))

    def outcome(path):
        try:
            audio.read_wav(path)
        except ValueError as error:
            return str(error)
        return "parsed"

    assert "is truncated: its header promises 536870911 frames, the data holds 8" in run_limited(outcome, path)


# ---------------------------------------------------------------- bit-pattern strings and Q formats


def reference_bits(text, width):
    """What a bit-pattern string means, written from the rules (ASCII digits, spaces and _ group)."""
    cleaned = text.strip().replace("_", "").replace(" ", "")
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", cleaned):
        value = int(cleaned[2:], 16)
    elif re.fullmatch(r"0[bB][01]+", cleaned):
        value = int(cleaned[2:], 2)
    elif re.fullmatch(r"[01]+", cleaned) and len(cleaned) == width:
        value = int(cleaned, 2)
    else:
        return None
    return value if value < 1 << width else None


BIT_ALPHABET = "0011xXbB _\t-+aF9g٣\u00a0"


def random_strings(rng, alphabet, count, longest):
    letters = np.array(list(alphabet))
    return ["".join(rng.choice(letters, size=int(rng.integers(0, longest)))) for _ in range(count)]


def bit_string_cases():
    rng = np.random.default_rng(6)
    cases = random_strings(rng, BIT_ALPHABET, 3000, 24)
    cases += ["0x" + "".join(rng.choice(list("0F"), size=n)) for n in (1, 4, 16, 17, 5000)]
    cases += [prefix + "".join(rng.choice(list("01 "), size=int(rng.integers(1, 40)))) for prefix in ("", "0b", "0B")
              for _ in range(300)]
    return cases


@pytest.mark.parametrize("fmt", [nf.FLOAT8_E4M3FN, nf.FLOAT16, nf.FLOAT32, nf.FLOAT64], ids=lambda fmt: fmt.name)
def test_bit_strings_decode_as_the_rules_say_or_raise(fmt):
    for text in bit_string_cases():
        expected = reference_bits(text, fmt.width)
        try:
            bits = nf.decode(text, fmt)
        except ValueError as error:
            assert str(error) and len(str(error)) < 300, (text, error)
            assert expected is None, f"{text!r} means {expected}, but decode refused it: {error}"
            continue
        assert bits.bits == expected, text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_decodes_or_raises_a_value_error(text):
    try:
        bits = nf.decode(text, nf.FLOAT16)
    except ValueError as error:
        assert str(error)
        return
    assert bits.bits == reference_bits(text, 16)


def reference_qformat(text):
    """``(signed, m, n)`` from the TI spelling's rules, or None."""
    match = re.fullmatch(r"(U?)Q([0-9]+)(?:\.([0-9]+))?", text.strip().upper())
    if match is None or any(len((group or "").lstrip("0")) > 4 for group in match.groups()[1:]):
        return None                                    # past 9999 bits: no word holds it
    first, second = (group and int(group.lstrip("0") or "0") for group in match.groups()[1:])
    m, n = (0, first) if second is None else (first, second)
    signed = not match[1]
    return (signed, m, n) if 1 <= m + n + signed <= 64 else None


def test_qformat_texts_parse_as_the_rules_say_or_raise():
    rng = np.random.default_rng(7)
    texts = random_strings(rng, "QqUu0123456789.. ,-+٣", 3000, 10) + ["Q" + "9" * 5000, "Q3." + "0" * 5000 + "12"]
    texts += [f" {rng.choice(['', 'u', 'U'])}{rng.choice(['q', 'Q'])}{'0' * int(rng.integers(3))}{rng.integers(0, 40)}"
              f"{rng.choice(['', '.', ','])}{rng.integers(0, 40)} " for _ in range(500)]      # near misses
    parsed = 0
    for text in texts:
        expected = reference_qformat(text)
        try:
            fmt = nf.QFormat.parse(text)
        except ValueError as error:
            assert str(error) and len(str(error)) < 300, (text, error)
            assert expected is None, f"{text!r} is {expected}, but parse refused it: {error}"
            continue
        parsed += 1
        assert (fmt.signed, fmt.m, fmt.n) == expected and nf.QFormat.parse(str(fmt)) == fmt
    assert parsed > 100


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.none(), st.binary(max_size=8)),
       st.sampled_from(["ti", "arm", "intel", 3]))
def test_qformat_parse_of_anything_raises_typed_errors(text, convention):
    try:
        nf.QFormat.parse(text, convention=convention)
    except (TypeError, ValueError) as error:
        assert str(error)


# ---------------------------------------------------------------- the command line


CLI_WORDS = ["float", "fixed", "g711", "int8", "floats", "", "--format", "-f", "--saturate", "--convention",
             "--rounding", "-r", "--overflow", "-o", "--min", "--max", "--bits", "--unsigned", "--symmetric",
             "--narrow-range", "--multiplier", "-h", "--", "--formatt", "8.625", "0x410A0000", "0x", "0b101",
             "1e6", "-1", "-0", "nan", "-nan", "inf", "-inf", "sNaN", "1/3", "1/0", "1e999999999", "1e-5000",
             "32768", "-32769", "99999999999999999999", "0 10000010 00010100000000000000000", "Q3.12", "UQ8.8",
             "Q99.99", "Q" + "9" * 300, "e4m3fn", "e5m2", "float16", "float12", "arm", "ti", "floor", "ceil",
             "wrap", "error", "saturate", "0", "5", "1000", "2e9", "1e-300", "0.5", " ", "\udcff", "٣", "x" * 5000]


def cli_argvs(count, seed):
    rng = np.random.default_rng(seed)
    words = np.array(CLI_WORDS, dtype=object)
    argvs = []
    for _ in range(count):
        argv = list(rng.choice(words, size=int(rng.integers(0, 7))))
        if argv and rng.integers(4):
            argv[0] = str(rng.choice(["float", "fixed", "g711", "int8"]))
        argvs.append([str(word) for word in argv])
    return argvs


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout


def run_cli(argvs):
    """Every argv through ``main``: its status and outputs, or the exception that escaped."""
    signal.signal(signal.SIGALRM, _alarm)
    failures, statuses = [], collections.Counter()
    for argv in argvs:
        out, err = io.StringIO(), io.StringIO()
        signal.alarm(5)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                status = main(argv)
        except BaseException as error:  # noqa: BLE001 -- a traceback is the finding
            failures.append((argv[:4], f"{type(error).__name__}: {str(error)[:200]}"))
            continue
        finally:
            signal.alarm(0)
        statuses[status] += 1
        if status == 0 and not out.getvalue():
            failures.append((argv[:4], "status 0 with no output"))
        if status == 2 and (out.getvalue() or not err.getvalue().strip()):
            failures.append((argv[:4], "status 2 must print only an error"))
        if status not in (0, 2) or "Traceback" in err.getvalue():
            failures.append((argv[:4], f"status {status!r}: {err.getvalue()[-200:]}"))
    return statuses, failures


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="the per-command time limit uses SIGALRM (Unix)")
def test_hostile_argv_gets_a_status_and_a_message_never_a_traceback():
    statuses, failures = run_limited(run_cli, cli_argvs(1500, seed=8))
    assert failures == []
    assert statuses[0] > 50 and statuses[2] > 500
