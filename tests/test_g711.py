"""numformat.adc.g711 against an independent scalar G.191 reference, for every int16 and every code,
and against Python's audioop where audioop follows G.191."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import numformat as nf

with warnings.catch_warnings():  # audioop is deprecated in 3.11-3.12 and gone in 3.13
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import audioop
    except ImportError:  # pragma: no cover
        audioop = None

needs_audioop = pytest.mark.skipif(audioop is None, reason="audioop was removed from Python 3.13")

EVERY_INT16 = np.arange(-32768, 32768, dtype=np.int16)
EVERY_CODE = np.arange(256, dtype=np.uint8)


# ---------------------------------------------------------------- the scalar reference
# Written from the ITU-T G.191 STL g711.c algorithm, one sample at a time, with the loops and
# branches of the C code, to be independent of the library's whole-array formulas.


def g191_ulaw_compress(x, audioop_rule=False):
    """``audioop_rule=True`` swaps in audioop's magnitude for negative x: shift, then negate."""
    if x < 0:
        magnitude = (-(x >> 2) if audioop_rule else (-x - 1) >> 2) + 33  # G.191: one's complement ~x = -x - 1
    else:
        magnitude = (x >> 2) + 33
    if magnitude > 0x1FFF:
        magnitude = 0x1FFF
    shifted, segment = magnitude >> 6, 1
    while shifted != 0:
        segment += 1
        shifted >>= 1
    high_nibble = 8 - segment
    low_nibble = 15 - ((magnitude >> segment) & 15)
    code = (high_nibble << 4) | low_nibble
    if x >= 0:
        code |= 0x80
    return code


def g191_alaw_compress(x):
    ix = ((-x - 1) >> 4) if x < 0 else (x >> 4)
    if ix > 15:
        exponent = 1
        while ix > 16 + 15:
            ix >>= 1
            exponent += 1
        ix -= 16
        ix += exponent << 4
    if x >= 0:
        ix |= 0x80
    return ix ^ 0x55


def g191_ulaw_expand(code):
    sign = -1 if code < 0x80 else 1
    inverted = ~code
    exponent = (inverted >> 4) & 7
    segment = exponent + 1
    mantissa = inverted & 15
    step = 4 << segment
    return sign * ((0x80 << exponent) + step * mantissa + step // 2 - 4 * 33)


def g191_alaw_expand(code):
    ix = (code ^ 0x55) & 0x7F
    exponent = ix >> 4
    mantissa = ix & 15
    if exponent > 0:
        mantissa += 16
    mantissa = (mantissa << 4) + 8
    if exponent > 1:
        mantissa <<= exponent - 1
    return mantissa if code > 127 else -mantissa


@pytest.fixture(scope="module")
def reference_codes():
    samples = EVERY_INT16.tolist()
    return {"mulaw": np.array([g191_ulaw_compress(x) for x in samples], np.uint8),
            "alaw": np.array([g191_alaw_compress(x) for x in samples], np.uint8)}


# ---------------------------------------------------------------- every input against G.191


def test_mulaw_encode_matches_g191_reference(reference_codes):
    np.testing.assert_array_equal(nf.mulaw_encode(EVERY_INT16), reference_codes["mulaw"])


def test_alaw_encode_matches_g191_reference(reference_codes):
    np.testing.assert_array_equal(nf.alaw_encode(EVERY_INT16), reference_codes["alaw"])


def test_decoders_match_g191_reference():
    codes = EVERY_CODE.tolist()
    np.testing.assert_array_equal(nf.mulaw_decode(EVERY_CODE), [g191_ulaw_expand(c) for c in codes])
    np.testing.assert_array_equal(nf.alaw_decode(EVERY_CODE), [g191_alaw_expand(c) for c in codes])


def test_scalar_and_any_integer_dtype_give_the_same_codes(reference_codes):
    for x in (-32768, -8159, -1, 0, 1, 8158, 32767):
        assert nf.mulaw_encode(x) == reference_codes["mulaw"][x + 32768]
        assert nf.alaw_encode(x) == reference_codes["alaw"][x + 32768]
    wide = EVERY_INT16.astype(np.int64).reshape(256, 256)
    np.testing.assert_array_equal(nf.mulaw_encode(wide), reference_codes["mulaw"].reshape(256, 256))
    assert nf.mulaw_encode(EVERY_INT16[::-3]).tolist() == reference_codes["mulaw"][::-3].tolist()


# ---------------------------------------------------------------- audioop


@needs_audioop
def test_alaw_encode_matches_audioop():
    theirs = np.frombuffer(audioop.lin2alaw(EVERY_INT16.tobytes(), 2), np.uint8)
    np.testing.assert_array_equal(nf.alaw_encode(EVERY_INT16), theirs)


@needs_audioop
def test_decoders_match_audioop():
    np.testing.assert_array_equal(nf.mulaw_decode(EVERY_CODE), np.frombuffer(audioop.ulaw2lin(EVERY_CODE.tobytes(), 2), np.int16))
    np.testing.assert_array_equal(nf.alaw_decode(EVERY_CODE), np.frombuffer(audioop.alaw2lin(EVERY_CODE.tobytes(), 2), np.int16))


@needs_audioop
def test_mulaw_encode_matches_audioop_except_the_508_documented_inputs():
    """For x < 0 audioop's 14-bit magnitude is -(x >> 2), G.191's is (~x) >> 2 = (-x - 1) >> 2, one
    less: the code changes only where that crosses a threshold, at 4 inputs by 127 thresholds."""
    ours = nf.mulaw_encode(EVERY_INT16)
    theirs = np.frombuffer(audioop.lin2ulaw(EVERY_INT16.tobytes(), 2), np.uint8)
    differ = EVERY_INT16[ours != theirs]
    assert differ.size == 508 and differ.max() == -1 and differ.min() == -31612
    runs = np.split(differ, np.flatnonzero(np.diff(differ) != 1) + 1)
    assert len(runs) == 127 and all(run.size == 4 for run in runs)
    assert [run[0] for run in runs[-3:]] == [-20, -12, -4]
    np.testing.assert_array_equal(ours[ours != theirs], theirs[ours != theirs] + 1)
    # and that is the whole difference: the reference with audioop's magnitude gives audioop's codes
    np.testing.assert_array_equal(theirs, [g191_ulaw_compress(x, audioop_rule=True) for x in EVERY_INT16.tolist()])
    assert nf.mulaw_decode(nf.mulaw_encode(-1)) == 0 and nf.mulaw_decode(theirs[32767]) == -8


# ---------------------------------------------------------------- the G.711 tables


def positive_levels(decode):
    """The 128 levels of the codes with the sign bit set, sorted, one row per segment."""
    return np.sort(decode(EVERY_CODE[EVERY_CODE >= 0x80]).astype(int)).reshape(8, 16)


def test_mulaw_table_has_8_segments_of_16_levels_with_steps_doubling_from_8():
    levels = positive_levels(nf.mulaw_decode)  # G.711 Table 2a, in 16-bit units (x4)
    np.testing.assert_array_equal(np.diff(levels, axis=1), np.repeat(8 << np.arange(8), 15).reshape(8, 15))
    np.testing.assert_array_equal(levels[:, 0], 132 * (2 ** np.arange(8) - 1))  # 0, 132, 396, ..., 16764
    assert levels[-1, -1] == 32124 and nf.mulaw_decode(0xFF) == 0 and nf.mulaw_decode(0x7F) == 0


def test_alaw_table_has_steps_16_16_32_to_1024():
    levels = positive_levels(nf.alaw_decode)  # G.711 Table 1a, in 16-bit units (x16)
    steps = np.array([16, 16, 32, 64, 128, 256, 512, 1024])
    np.testing.assert_array_equal(np.diff(levels, axis=1), np.repeat(steps, 15).reshape(8, 15))
    segment = np.arange(1, 8)
    np.testing.assert_array_equal(levels[1:, 0], 2 ** (segment + 7) + 2 ** (segment + 2))  # 264, 528, ...
    assert levels[0, 0] == 8 and levels[-1, -1] == 32256 and nf.alaw_decode(0x55) == -8


@pytest.mark.parametrize("encode, decode", [(nf.mulaw_encode, nf.mulaw_decode), (nf.alaw_encode, nf.alaw_decode)])
def test_decode_of_encode_is_within_half_a_step_and_codes_round_trip(encode, decode):
    decoded = decode(encode(EVERY_INT16)).astype(int)
    error = np.abs(decoded - EVERY_INT16)
    inside = np.abs(EVERY_INT16.astype(int)) < 31000  # away from the clipped top segment
    level_gap = np.abs(decode(encode(EVERY_INT16) ^ 1).astype(int) - decoded)  # the neighbouring code's level
    assert np.all(error[inside] <= level_gap[inside] // 2 + 1)
    round_trip = encode(decode(EVERY_CODE))
    changed = EVERY_CODE[round_trip != EVERY_CODE]
    assert changed.tolist() == ([0x7F] if encode is nf.mulaw_encode else [])  # μ-law's -0 decodes to 0 = 0xFF


@given(st.integers(-32768, 32766))
def test_mulaw_and_alaw_are_monotonic(x):
    for encode, decode in [(nf.mulaw_encode, nf.mulaw_decode), (nf.alaw_encode, nf.alaw_decode)]:
        assert decode(encode(x)) <= decode(encode(x + 1))


# ---------------------------------------------------------------- the continuous curve


def test_mulaw_compress_and_expand():
    x = np.linspace(-1, 1, 20001)
    y = nf.mulaw_compress(x)
    np.testing.assert_allclose(y, np.sign(x) * np.log(1 + 255 * np.abs(x)) / np.log(256), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(nf.mulaw_expand(y), x, atol=1e-13)
    assert nf.mulaw_compress(1.0) == 1.0 and nf.mulaw_compress(-1.0) == -1.0
    assert nf.mulaw_compress(0.5, mu=1e-9) == pytest.approx(0.5, abs=1e-6)  # μ → 0 is linear
    np.testing.assert_allclose(nf.mulaw_expand(nf.mulaw_compress(x, mu=87.6), mu=87.6), x, atol=1e-13)


def test_g711_tables_follow_the_continuous_curve():
    """The 8-bit table's levels lie near the continuous μ = 255 curve's uniform grid."""
    levels = nf.mulaw_decode(EVERY_CODE).astype(float) / 32768
    y = nf.mulaw_compress(np.clip(levels, -1, 1))
    assert np.max(np.abs(np.sort(y)[129:] - np.linspace(0, 1, 128)[1:] * y.max())) < 0.02


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, error, message", [
    (lambda: nf.mulaw_encode([0, 40000]), ValueError, r"pcm must fit in int16 \[-32768, 32767\], got 40000 \(1 sample outside\)"),
    (lambda: nf.alaw_encode(np.array([-32769, -40000, 5])), ValueError, r"got -32769 \(2 samples outside\)"),
    (lambda: nf.mulaw_encode(np.array([2 ** 40])), ValueError, "pcm must fit in int16"),
    (lambda: nf.mulaw_encode([0.5, 0.25]), TypeError, r"pcm must be int16 PCM samples \(integers\), got float64; turn floats"),
    (lambda: nf.alaw_encode("12"), TypeError, "pcm must be int16 PCM samples"),
    (lambda: nf.mulaw_encode([True]), TypeError, "got bool"),
    (lambda: nf.mulaw_decode([0, 256]), ValueError, "codes must be bytes 0 to 255, got values from 0 to 256"),
    (lambda: nf.alaw_decode([-1]), ValueError, "codes must be bytes 0 to 255"),
    (lambda: nf.alaw_decode([1.0]), TypeError, r"codes must be integers 0 to 255 \(bytes\), got float64"),
    (lambda: nf.mulaw_compress([0.5, 1.5]), ValueError, r"x must lie in \[-1, 1\] \(full scale\), got 1.5"),
    (lambda: nf.mulaw_compress([np.nan]), ValueError, r"x must lie in \[-1, 1\]"),
    (lambda: nf.mulaw_expand(2.0), ValueError, r"y must lie in \[-1, 1\]"),
    (lambda: nf.mulaw_compress(0.5, mu=0), ValueError, "mu=0 must be positive and finite"),
    (lambda: nf.mulaw_compress(0.5, mu="255"), TypeError, "mu must be a real number, got str"),
    (lambda: nf.mulaw_compress(["a"]), TypeError, "x must hold real numbers"),
])
def test_bad_input_raises_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- the command line


def test_g711_command_prints_codes_segments_and_errors(capsys):
    from numformat.cli import main

    assert main(["g711", "-1234", "0x7FFF"]) == 0
    output = capsys.readouterr().out
    assert f"μ-law  code 0x{nf.mulaw_encode(-1234):02X} (01001010)  segment 3, step   64  decodes to  -1244  error -10" in output
    assert f"A-law  code 0x{nf.alaw_encode(-1234):02X}" in output and "decodes to  -1248  error -14" in output
    assert "int16 sample 32767" in output and "code 0x80 (10000000)  segment 7, step 1024  decodes to  32124" in output


@pytest.mark.parametrize("args, message", [
    (["g711", "40000"], "'40000' is not an int16 PCM sample; give whole numbers from -32768 to 32767"),
    (["g711", "1.5"], "'1.5' is not an int16 PCM sample"),
])
def test_g711_command_rejects_bad_samples(args, message, capsys):
    from numformat.cli import main

    assert main(args) == 2
    assert message in capsys.readouterr().err
