"""Lab 9's visible tests catch the plausible wrong answers, each with a message saying what is wrong.

Every mutant is a realistic student mistake in one solution cell: frames spread to the wrong
end or truncated, the symmetric Hann window, no zero-padding, magnitude for power, Slaney's or
the natural-log mel scale, triangles spaced in Hz or area-normalised, log10, no log floor, the
picture transposed, halves rounded away, dividing in float64 or multiplying by 1/scale, the zero
point subtracted or forgotten, int8 sums that wrap, the bias added after requantization, a single
rounding or a flipped shift, int64 codes or logits, ReLU clamped at the code 0, pooling the wrong
axes, argmax over the clips ...  ``run_lab`` runs the lab as the student copy does (hidden
tests removed) with that cell replaced; the named visible test must fail with a message
matching the regex.
"""

from string import Template

from .lab_runner import lab_tests

LAB = "lab09_spoken_digits"


def variant(template, defaults):
    """A function making the reference body of one solution cell with some ``$placeholders`` changed."""
    def make(**changes):
        unknown = set(changes) - set(defaults)
        assert not unknown, f"no placeholders {sorted(unknown)}"
        return Template(template).substitute({**defaults, **changes})
    return make


frames = variant('''
def frame_starts(samples):
    last = $last
    return $starts


def frames_of(pcm, starts):
    samples = $samples
    samples = $padded
    return np.stack([samples[first:first + FRAME_LENGTH] for first in starts])
''', {"last": "max(0, samples - FRAME_LENGTH)", "starts": "np.round(np.linspace(0, last, FRAMES)).astype(np.int64)",
      "samples": "pcm.astype(np.float64) / 32768",
      "padded": "np.concatenate([samples, np.zeros(max(0, starts[-1] + FRAME_LENGTH - pcm.size))])"})

power = variant('''
def hann_window(length):
    n = np.arange(length)
    return $window


def power_spectrum(frames):
    spectrum = $spectrum
    return $power
''', {"window": "0.5 - 0.5 * np.cos(2 * np.pi * n / length)",
      "spectrum": "np.fft.rfft(frames * hann_window(frames.shape[-1]), n=FFT_SIZE)", "power": "np.abs(spectrum) ** 2"})

mel = variant('''
def hz_to_mel(hz):
    hz = np.asarray(hz, dtype=np.float64)
    return $to_mel


def mel_to_hz(mel):
    mel = np.asarray(mel, dtype=np.float64)
    return $to_hz


def mel_filterbank():
    corners_hz = $corners
    bin_hz = np.arange(FFT_SIZE // 2 + 1) * RATE_HZ / FFT_SIZE
    bank = np.zeros((MEL_BANDS, bin_hz.size))
    for band in range(MEL_BANDS):
        low, centre, high = corners_hz[band:band + 3]
        rising = $rising
        falling = $falling
        bank[band] = $triangle
    return bank


def log_mel_picture(power):
    return $picture
''', {"to_mel": "2595 * np.log10(1 + hz / 700)", "to_hz": "700 * (10 ** (mel / 2595) - 1)",
      "corners": "mel_to_hz(np.linspace(0, hz_to_mel(RATE_HZ / 2), MEL_BANDS + 2))",
      "rising": "(bin_hz - low) / (centre - low)", "falling": "(high - bin_hz) / (high - centre)",
      "triangle": "np.maximum(0, np.minimum(rising, falling))",
      "picture": "np.log(power @ mel_filterbank().T + LOG_FLOOR).T"})

codes = variant('''
def input_codes(picture, qp):
    quotient = $quotient
    rounded = $rounded
    return $result
''', {"quotient": "np.asarray(picture, dtype=np.float32) / np.float32(qp.scale)",
      "rounded": "np.clip(np.rint(quotient), qp.qmin - qp.zero_point, qp.qmax - qp.zero_point)",
      "result": "(rounded + qp.zero_point).astype(np.int8)"})


def clamped(rounding):
    return f"np.clip({rounding}, qp.qmin - qp.zero_point, qp.qmax - qp.zero_point)"


conv = variant('''
def conv_accumulators(codes, weight, bias, x_zero_point, padding):
    out_channels, _, kernel, _ = weight.shape
    shifted = $shifted
    shifted = $padded
    rows = $rows
    height, width = shifted.shape[1] - kernel + 1, shifted.shape[2] - kernel + 1
    acc = np.empty((out_channels, height, width), dtype=np.int32)
    for y in range(height):
        for x in range(width):
            acc[:, y, x] = rows @ shifted[:, y:y + kernel, x:x + kernel].ravel()
    return $result
''', {"shifted": "codes.astype(np.int32) - x_zero_point",
      "padded": "np.pad(shifted, ((0, 0), (padding, padding), (padding, padding)))",
      "rows": "weight.reshape(out_channels, -1).astype(np.int32)", "result": "acc + bias.astype(np.int32)[:, None, None]"})

requant = variant('''
def requantize(acc, multipliers, zero_point, qmin, qmax):
    m0, shift = $split
    per_channel = $per_channel
    m0, shift = np.reshape(m0, per_channel), np.reshape(shift, per_channel)
    x = $x
    product = x * m0
    total = product + $nudge
    high = $high
    exponent = $exponent
    mask = (1 << exponent) - 1
    threshold = $threshold
    scaled = (high >> exponent) + ((high & mask) > threshold)
    return $result
''', {"split": "nf.quantize_multiplier(np.asarray(multipliers, dtype=np.float64))",
      "per_channel": "(-1,) + (1,) * (np.ndim(acc) - 1)", "x": "np.asarray(acc, dtype=np.int64) << np.maximum(shift, 0)",
      "nudge": "np.where(product >= 0, 2**30, 1 - 2**30)", "high": "np.where(total >= 0, total >> 31, -((-total) >> 31))",
      "exponent": "np.maximum(-shift, 0)", "threshold": "(mask >> 1) + (high < 0)",
      "result": "np.clip(scaled + zero_point, qmin, qmax).astype(np.int8)"})

# Rounding acc · m once, in floating point (the per-channel multipliers along axis 0).
REQUANT_FLOAT = '''
def requantize(acc, multipliers, zero_point, qmin, qmax):
    m = np.asarray(multipliers, dtype=np.float64).reshape((-1,) + (1,) * (np.ndim(acc) - 1))
    real = np.asarray(acc) * m
    return np.clip({rounding} + zero_point, qmin, qmax).astype(np.int8)
'''

REQUANT_SINGLE_ROUNDING = '''
def requantize(acc, multipliers, zero_point, qmin, qmax):
    m0, shift = nf.quantize_multiplier(np.asarray(multipliers, dtype=np.float64))
    per_channel = (-1,) + (1,) * (np.ndim(acc) - 1)
    m0, shift = np.reshape(m0, per_channel), np.reshape(shift, per_channel)
    total_shift = 31 - shift                       # acc · M0 / 2**(31 - shift), rounded once, half up
    scaled = (np.asarray(acc, dtype=np.int64) * m0 + (1 << (total_shift - 1))) >> total_shift
    return np.clip(scaled + zero_point, qmin, qmax).astype(np.int8)
'''

CONV_STEP = 'requantize(acc, layer.multiplier("fixedpoint"), layer.output_qp.zero_point, {clamp})'
forward = variant('''
def int8_forward(int8_model, codes):
    outputs = {"input": codes}
    layers = iter(int8_model.layers)
    for step in int8_model.architecture.steps:
        if isinstance(step.layer, Conv2d):
            layer = next(layers)
            acc = conv_accumulators(codes, layer.weight, $bias, $zero_point, layer.padding)
            codes = $requantized
        elif isinstance(step.layer, MaxPool):
            size = step.layer.size
            channels, height, width = codes.shape
            blocks = codes[:, :height // size * size, :width // size * size]
            codes = $pooled
        elif isinstance(step.layer, Flatten):
            codes = $flat
        else:
            layer = next(layers)
            shifted = codes.astype(np.int32) - layer.input_qp.zero_point
            codes = $logits
        if step.output is not None:
            outputs[step.output] = codes
    return outputs
''', {"bias": "layer.bias", "zero_point": "layer.input_qp.zero_point", "requantized": CONV_STEP.format(clamp="*layer.clamp"),
      "pooled": "blocks.reshape(channels, height // size, size, width // size, size).max(axis=(2, 4))",
      "flat": "codes.reshape(-1)", "logits": "layer.bias.astype(np.int32) + layer.weight.astype(np.int32) @ shifted"})

recognise = variant('''
def clip_logits(pcm):
    first, last = $bounds
    spoken = pcm[first:last]
    power = power_spectrum(frames_of(spoken, frame_starts(spoken.size)))
    codes = input_codes($picture, int8_model.input_qp)
    return int8_forward(int8_model, codes[None])["logits"]


logits = $logits
predicted = $predicted
correct = $correct
''', {"bounds": "features.speech_bounds(pcm)", "logits": "np.stack([clip_logits(test.audio[i]) for i in CLIPS])",
      "picture": "features.normalise(log_mel_picture(power))",
      "predicted": "(logits * int8_model.output_qp.scale).argmax(axis=1)", "correct": "int(np.count_nonzero(predicted == test.labels[CLIPS]))"})

NEGATIVE = "only negative accumulators are wrong.*truncates towards zero"
POWERS_OF_TWO = "powers of two.*-shift"

# id: (solution grade_id, replacement source, visible test that must catch it, message regex)
MUTANTS = {
    # Part 1: frames spread over the speech
    "starts_spread_to_samples": ("frames", frames(last="samples"), "test_frames", "end at the last sample"),
    "starts_hop_rounded_first": ("frames", frames(starts="np.arange(FRAMES) * ((samples - FRAME_LENGTH) // (FRAMES - 1))"),
                                 "test_frames", "do not round the hop"),
    "starts_truncated": ("frames", frames(starts="np.linspace(0, last, FRAMES).astype(np.int64)"), "test_frames",
                         "round each start to the nearest sample"),
    "starts_float": ("frames", frames(starts="np.round(np.linspace(0, last, FRAMES))"), "test_frames", "return integers"),
    "starts_negative_for_a_short_clip": ("frames", frames(last="samples - FRAME_LENGTH"), "test_frames",
                                         "shorter than one frame.*never negative"),
    "frames_not_scaled": ("frames", frames(samples="pcm.astype(np.float64)"), "test_frames", "raw int16.*divide by 32768"),
    "frames_divided_by_32767": ("frames", frames(samples="pcm.astype(np.float64) / 32767"), "test_frames", "not 32767"),
    "frames_not_zero_padded": ("frames", frames(padded="samples"), "test_frames", "zero-padded to its full length"),
    # Part 2: the window and the power spectrum
    "hann_symmetric_numpy": ("power_spectrum", power(window="np.hanning(length)"), "test_power_spectrum",
                             "periodic.*not N - 1"),
    "hann_divides_by_n_minus_1": ("power_spectrum", power(window="0.5 - 0.5 * np.cos(2 * np.pi * n / (length - 1))"),
                                  "test_power_spectrum", "periodic.*not N - 1"),
    "power_no_zero_padding": ("power_spectrum", power(spectrum="np.fft.rfft(frames * hann_window(frames.shape[-1]))"),
                              "test_power_spectrum", "zero-pad each windowed frame"),
    "power_full_fft": ("power_spectrum", power(spectrum="np.fft.fft(frames * hann_window(frames.shape[-1]), n=FFT_SIZE)"),
                       "test_power_spectrum", "full FFT.*rfft"),
    "power_is_magnitude": ("power_spectrum", power(power="np.abs(spectrum)"), "test_power_spectrum",
                           "magnitude.*square it"),
    "power_no_window": ("power_spectrum", power(spectrum="np.fft.rfft(frames, n=FFT_SIZE)"), "test_power_spectrum",
                        "without the window"),
    "power_window_over_the_padding": ("power_spectrum", power(
        spectrum="np.fft.rfft(np.pad(frames, ((0, 0), (0, FFT_SIZE - frames.shape[-1]))) * hann_window(FFT_SIZE))"),
        "test_power_spectrum", "window the FRAME_LENGTH samples first"),
    "power_real_part_squared": ("power_spectrum", power(power="spectrum.real ** 2"), "test_power_spectrum",
                                r"\|np.fft.rfft\(frame"),
    # Part 3: mel triangles and the log-mel picture
    "mel_natural_log": ("mel", mel(to_mel="2595 * np.log(1 + hz / 700)", to_hz="700 * (np.exp(mel / 2595) - 1)"),
                        "test_mel", "2595 goes with log10"),
    "mel_slaney": ("mel", mel(to_mel="np.where(hz < 1000, 3 * hz / 200, 15 + 27 * np.log(np.maximum(hz, 1e-9) / 1000) "
                                     "/ np.log(6.4))",
                              to_hz="np.where(mel < 15, 200 * mel / 3, 1000 * np.exp((mel - 15) * np.log(6.4) / 27))"),
                   "test_mel", "Slaney's mel scale"),
    "mel_inverse_wrong": ("mel", mel(to_hz="700 * 10 ** (mel / 2595) - 1"), "test_mel", "must undo hz_to_mel"),
    "bank_spaced_in_hz": ("mel", mel(corners="np.linspace(0, RATE_HZ / 2, MEL_BANDS + 2)"), "test_mel",
                          "equally spaced in Hz"),
    "bank_area_normalised": ("mel", mel(triangle="np.maximum(0, np.minimum(rising, falling)) * 2 / (high - low)"),
                             "test_mel", "peak at 1.*no area normalisation"),
    "bank_up_to_the_sample_rate": ("mel", mel(corners="mel_to_hz(np.linspace(0, hz_to_mel(RATE_HZ), MEL_BANDS + 2))"),
                                   "test_mel", "Nyquist"),
    "bank_straight_in_mel": ("mel", mel(rising="(hz_to_mel(bin_hz) - hz_to_mel(low)) / (hz_to_mel(centre) - hz_to_mel(low))",
                                        falling="(hz_to_mel(high) - hz_to_mel(bin_hz)) / (hz_to_mel(high) - hz_to_mel(centre))"),
                             "test_mel", "straight lines in Hz"),
    "bank_not_clipped_at_zero": ("mel", mel(triangle="np.minimum(rising, falling)"), "test_mel", "rises from corner b"),
    "bank_too_few_corners": ("mel", mel(corners="mel_to_hz(np.linspace(0, hz_to_mel(RATE_HZ / 2), MEL_BANDS))"),
                             "test_mel", r"mel_filterbank\(\): your mel_filterbank raised"),
    "picture_log10": ("mel", mel(picture="np.log10(power @ mel_filterbank().T + LOG_FLOOR).T"), "test_mel",
                      "natural log np.log, not log10"),
    "picture_decibels": ("mel", mel(picture="10 * np.log10(power @ mel_filterbank().T + LOG_FLOOR).T"), "test_mel",
                         "not decibels"),
    "picture_transposed": ("mel", mel(picture="np.log(power @ mel_filterbank().T + LOG_FLOOR)"), "test_mel",
                           "transposed"),
    "picture_no_floor": ("mel", mel(picture="np.log(power @ mel_filterbank().T).T"), "test_mel", "LOG_FLOOR is missing"),
    "picture_floor_after_log": ("mel", mel(picture="np.log(power @ mel_filterbank().T).T + LOG_FLOOR"), "test_mel",
                                "before the log.*not to the log afterwards"),
    "picture_log_before_sum": ("mel", mel(picture="(np.log(power + LOG_FLOOR) @ mel_filterbank().T).T"), "test_mel",
                               "sum the power under each triangle first"),
    # Part 4: the int8 input codes
    "codes_half_up": ("input_codes", codes(rounded=clamped("np.floor(quotient + 0.5)")), "test_input_codes",
                      "halves go to the even neighbour"),
    "codes_half_away": ("input_codes", codes(rounded=clamped("np.sign(quotient) * np.floor(np.abs(quotient) + 0.5)")),
                        "test_input_codes", "halves go to the even neighbour"),
    "codes_truncated": ("input_codes", codes(rounded=clamped("np.trunc(quotient)")), "test_input_codes", "truncates"),
    "codes_zero_point_subtracted": ("input_codes", codes(result="(rounded - qp.zero_point).astype(np.int8)"),
                                    "test_input_codes", "subtracts the zero point"),
    "codes_no_clamp": ("input_codes", codes(rounded="np.rint(quotient)"), "test_input_codes", "saturate.*clamp"),
    "codes_clamped_after_int8": ("input_codes", codes(
        result="np.clip((np.rint(quotient) + qp.zero_point).astype(np.int8), qp.qmin, qp.qmax)"),
        "test_input_codes", "before converting"),
    "codes_float": ("input_codes", codes(result="rounded + qp.zero_point"), "test_input_codes", "codes are int8"),
    "codes_divided_in_float64": ("input_codes", codes(quotient="np.asarray(picture, dtype=np.float64) / qp.scale"),
                                 "test_input_codes", r"divides in float64.*np.float32\(qp.scale\), in float32"),
    "codes_times_reciprocal": ("input_codes", codes(
        quotient="np.asarray(picture, dtype=np.float32) * np.float32(1 / qp.scale)"), "test_input_codes",
        r"multiplies by np.float32\(1 / scale\).*1/scale is not exact"),
    # Part 5a: the convolution's accumulators
    "conv_zero_point_not_subtracted": ("conv_accumulators", conv(shifted="codes.astype(np.int32)"),
                                       "test_conv_accumulators", r"multiply \(code - x_zero_point\)"),
    "conv_padded_with_zeros": ("conv_accumulators", conv(
        shifted="codes.astype(np.int32)",
        padded="np.pad(shifted, ((0, 0), (padding, padding), (padding, padding))) - x_zero_point"),
        "test_conv_accumulators", "padding holds the zero point"),
    "conv_int8_subtraction_wraps": ("conv_accumulators", conv(shifted="codes - x_zero_point"), "test_conv_accumulators",
                                    "wrapped around in int8.*widen"),
    "conv_int16_sums_wrap": ("conv_accumulators", conv(shifted="codes.astype(np.int16) - x_zero_point",
                                                       rows="weight.reshape(out_channels, -1)"),
                             "test_conv_accumulators", "wrapped around in int16"),
    "conv_no_bias": ("conv_accumulators", conv(result="acc"), "test_conv_accumulators", "start each accumulator at bias"),
    "conv_kernel_flipped": ("conv_accumulators", conv(
        rows="weight[:, :, ::-1, ::-1].reshape(out_channels, -1).astype(np.int32)"), "test_conv_accumulators",
        "do not flip the kernel"),
    "conv_padding_always_one": ("conv_accumulators", conv(padded="np.pad(shifted, ((0, 0), (1, 1), (1, 1)))"),
                                "test_conv_accumulators", "use the padding argument"),
    # Part 5b: requantization
    "requant_float_half_away": ("requantize", REQUANT_FLOAT.format(
        rounding="np.sign(real) * np.floor(np.abs(real) + 0.5)"), "test_requantize", "halves away from zero"),
    "requant_float_half_even": ("requantize", REQUANT_FLOAT.format(rounding="np.rint(real)"), "test_requantize",
                                "halves to even"),
    "requant_single_rounding": ("requantize", REQUANT_SINGLE_ROUNDING, "test_requantize", "single rounding"),
    "requant_both_halves_up": ("requantize", requant(nudge="2**30", high="total >> 31", threshold="mask >> 1"),
                               "test_requantize", r"halves up, towards \+inf"),
    "requant_floor_division": ("requantize", requant(high="total // 2**31"), "test_requantize", NEGATIVE),
    "requant_no_negative_threshold": ("requantize", requant(threshold="mask >> 1"), "test_requantize", NEGATIVE),
    "requant_shift_sign_flipped": ("requantize", requant(exponent="np.maximum(shift, 0)"), "test_requantize",
                                   POWERS_OF_TWO),
    "requant_positive_shift_ignored": ("requantize", requant(x="np.asarray(acc, dtype=np.int64)"), "test_requantize",
                                       POWERS_OF_TWO),
    "requant_zero_point_subtracted": ("requantize", requant(
        result="np.clip(scaled - zero_point, qmin, qmax).astype(np.int8)"), "test_requantize", "do not subtract it"),
    "requant_int64_codes": ("requantize", requant(result="np.clip(scaled + zero_point, qmin, qmax)"), "test_requantize",
                            r"codes are int8, got dtype int64: clamp, then \.astype\(np\.int8\)"),
    "requant_no_clamp": ("requantize", requant(result="(scaled + zero_point).astype(np.int8)"), "test_requantize",
                         r"clamp to \[qmin, qmax\]"),
    "requant_multipliers_along_the_last_axis": ("requantize", requant(per_channel="(1,) * (np.ndim(acc) - 1) + (-1,)"),
                                                "test_requantize", r"acc\[o\] uses multipliers\[o\]"),
    "requant_first_multiplier_only": ("requantize", requant(split="nf.quantize_multiplier(float(multipliers[0]))"),
                                      "test_requantize", "its own multiplier"),
    # Part 5c: the whole network
    "forward_no_relu": ("int8_forward", forward(requantized=CONV_STEP.format(clamp="-128, 127")), "test_int8_forward",
                        "no ReLU"),
    "forward_relu_at_code_zero": ("int8_forward", forward(requantized=f"np.maximum({CONV_STEP.format(clamp='-128, 127')}, 0)"),
                                  "test_int8_forward", "not at code 0"),
    "forward_no_bias": ("int8_forward", forward(bias="np.zeros_like(layer.bias)"), "test_int8_forward",
                        "bias outside the accumulator"),
    "forward_bias_after_requantization": ("int8_forward", forward(
        bias="np.zeros_like(layer.bias)",
        requantized=f"np.clip({CONV_STEP.format(clamp='*layer.clamp')} + layer.bias[:, None, None], *layer.clamp)"),
        "test_int8_forward", "bias added after requantization"),
    "forward_one_multiplier": ("int8_forward", forward(requantized='requantize(acc, np.full(len(acc), layer.multiplier('
                                                                   '"fixedpoint")[0]), layer.output_qp.zero_point, '
                                                                   '*layer.clamp)'),
                               "test_int8_forward", "one multiplier for every channel"),
    "forward_output_zero_point_accumulated": ("int8_forward", forward(zero_point="layer.output_qp.zero_point"),
                                              "test_int8_forward", "subtract layer.input_qp.zero_point"),
    "forward_pool_wrong_axes": ("int8_forward", forward(
        pooled="blocks.reshape(channels, size, height // size, size, width // size).max(axis=(1, 3))"),
        "test_int8_forward", "neighbouring positions"),
    "forward_flatten_hwc": ("int8_forward", forward(flat="codes.transpose(1, 2, 0).reshape(-1)"), "test_int8_forward",
                            r"\(C, H, W\) order"),
    "forward_dense_zero_point_ignored": ("int8_forward", forward(
        logits="layer.bias.astype(np.int32) + layer.weight.astype(np.int32) @ codes.astype(np.int32)"),
        "test_int8_forward", "input zero point not subtracted"),
    "forward_dense_in_int8": ("int8_forward", forward(
        logits="layer.bias + layer.weight @ (codes - layer.input_qp.zero_point)"), "test_int8_forward",
        "int8 arithmetic, which wraps around"),
    "forward_logits_int64": ("int8_forward", forward(
        logits="layer.bias.astype(np.int64) + layer.weight.astype(np.int64) @ (codes.astype(np.int64) - "
               "layer.input_qp.zero_point)"), "test_int8_forward", "int32 accumulators, got dtype int64"),
    "forward_logits_requantized": ("int8_forward", forward(
        logits='requantize((layer.bias.astype(np.int32) + layer.weight.astype(np.int32) @ shifted)[:, None], '
               'layer.multiplier("fixedpoint"), 0, -128, 127)[:, 0]'),
        "test_int8_forward", "look requantized.*not requantized"),
    # Part 6: the pipeline on real clips
    "recognise_whole_clip": ("recognise", recognise(bounds="0, pcm.size"), "test_recognise", "speech_bounds"),
    "recognise_not_normalised": ("recognise", recognise(picture="log_mel_picture(power).astype(np.float32)"),
                                 "test_recognise", "features.normalise"),
    "recognise_logits_int64": ("recognise", recognise(
        logits="np.array([clip_logits(test.audio[i]) for i in CLIPS], dtype=np.int64)"), "test_recognise",
        "logits are int32, got dtype int64"),
    "recognise_argmax_over_clips": ("recognise", recognise(
        predicted="(logits * int8_model.output_qp.scale).argmax(axis=0)", correct="sum(int(digit == test.labels[i]) for digit, i in zip(predicted, CLIPS))"),
        "test_recognise", "over axis 1"),
    "recognise_argmax_flat": ("recognise", recognise(predicted="(logits * int8_model.output_qp.scale).argmax()"),
                              "test_recognise", "over axis 1"),
    "recognise_argmax_of_codes": ("recognise", recognise(predicted="logits.argmax(axis=1)"), "test_recognise",
                                  r"largest int32 code.*output_qp\.scale\[o\]"),
    "recognise_accuracy_not_count": ("recognise", recognise(correct="float(np.mean(predicted == test.labels[CLIPS]))"),
                                     "test_recognise", "count the clips"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
