"""Lab 5's visible tests catch the plausible wrong answers, each with a message saying what is wrong.

Every mutant is a realistic student mistake in one solution cell (numpy's ``//`` for C's
division, Python's ``round`` for TFLite's halves away from zero, a forgotten positive shift or
fused ReLU, a runtime's rule matched within ±1 ...).  ``run_lab`` runs the lab as the student copy does (hidden tests removed) with
that cell replaced; the named visible test must fail with a message matching the regex.
"""


from .lab_runner import lab_tests

LAB = "lab05_int8_cnn"

# The reference bodies the mutants change one line of.
CONV = '''
def conv_accumulators(codes, weight, bias, x_zero_point):
    channels, height, width = codes.shape
    padded = np.pad(codes.astype(np.int64), ((0, 0), (1, 1), (1, 1)), constant_values={pad}).tolist()
    weight, bias = weight.tolist(), bias.tolist()
    out = np.zeros((len(weight), height, width), dtype={dtype})
    for o in range(len(weight)):
        for y in range(height):
            for x in range(width):
                acc = {start}
                for c in range(channels):
                    for ky in range(3):
                        for kx in range(3):
                            acc += {term}
                if {overflow}:
                    raise OverflowError(f"accumulator {{acc}} does not fit in int32")
                out[o, y, x] = acc
    return out
'''
CONV_DEFAULTS = {"pad": "x_zero_point", "dtype": "np.int64", "start": "bias[o]",
                 "term": "(padded[c][y + ky][x + kx] - x_zero_point) * weight[o][c][ky][kx]",
                 "overflow": "not INT32_MIN <= acc <= INT32_MAX"}


def conv(**changes):
    return CONV.format(**{**CONV_DEFAULTS, **changes})


CONV_INT8_WINDOWS = '''
def conv_accumulators(codes, weight, bias, x_zero_point):
    channels, height, width = codes.shape
    padded = np.pad(codes, ((0, 0), (1, 1), (1, 1)), constant_values=x_zero_point)   # stays int8
    out = np.zeros((len(weight), height, width), dtype=np.int64)
    for o in range(len(weight)):
        for y in range(height):
            for x in range(width):
                window = padded[:, y:y + 3, x:x + 3] - x_zero_point              # int8: wraps around
                acc = int(bias[o]) + int(np.sum(window.astype(np.int64) * weight[o]))
                if not INT32_MIN <= acc <= INT32_MAX:
                    raise OverflowError(acc)
                out[o, y, x] = acc
    return out
'''

SPLIT = '''
def split_multiplier(m):
    q, shift = math.frexp(m)
    m0 = {m0}
    if {carry}:
        m0, shift = m0 // 2, shift + 1
    return {result}
'''
SPLIT_DEFAULTS = {"m0": "math.floor(q * 2**31 + 0.5)", "carry": "m0 == 2**31", "result": "int(m0), int(shift)"}


def split(**changes):
    return SPLIT.format(**{**SPLIT_DEFAULTS, **changes})


REQUANTIZE = '''
def requantize_fixedpoint(acc, multiplier, zero_point, qmin, qmax):
    m0, shift = nf.quantize_multiplier(multiplier)
    x = np.asarray(acc, dtype=np.int64) * {left_shift}
    product = x * m0
    nudge = np.where(product >= 0, 2**30, 1 - 2**30)
    total = product + nudge
    high = {high}
    exponent = max(-shift, 0)
    mask = 2**exponent - 1
    threshold = {threshold}
    scaled = {scaled}
    return {result}
'''
REQUANTIZE_DEFAULTS = {"left_shift": "(2 ** max(shift, 0))", "high": "np.sign(total) * (np.abs(total) // 2**31)",
                       "threshold": "(mask >> 1) + (high < 0)",
                       "scaled": "(high >> exponent) + ((high & mask) > threshold)",
                       "result": "np.clip(scaled + zero_point, qmin, qmax)"}


def requantize(**changes):
    return REQUANTIZE.format(**{**REQUANTIZE_DEFAULTS, **changes})


REQUANTIZE_SINGLE_ROUNDING = '''
def requantize_fixedpoint(acc, multiplier, zero_point, qmin, qmax):
    m0, shift = nf.quantize_multiplier(multiplier)
    right = 31 - shift                                  # one rounding step: (acc·M0 + half) >> right
    scaled = (np.asarray(acc, dtype=np.int64) * m0 + (1 << (right - 1))) >> right
    return np.clip(scaled + zero_point, qmin, qmax)
'''
REQUANTIZE_FLOAT = '''
def requantize_fixedpoint(acc, multiplier, zero_point, qmin, qmax):
    return np.clip(np.round(np.asarray(acc) * multiplier) + zero_point, qmin, qmax)
'''

DENSE = '''
def dense_accumulators(vector, weight, bias, x_zero_point):
    vector, weight, bias = vector.tolist(), weight.tolist(), bias.tolist()
    out = []
    for o in range(len(weight)):
        acc = {start}
        for k in range(len(vector)):
            acc += {term}
        if {overflow}:
            raise OverflowError(acc)
        out.append(acc)
    return np.array(out, dtype={dtype})
'''
DENSE_DEFAULTS = {"start": "bias[o]", "term": "(vector[k] - x_zero_point) * weight[o][k]",
                  "overflow": "not INT32_MIN <= acc <= INT32_MAX", "dtype": "np.int64"}


def dense(**changes):
    return DENSE.format(**{**DENSE_DEFAULTS, **changes})


FORWARD = '''
def int8_cnn_forward(int8_model, image):
    codes = {{"input": nf.quantize(image.astype(np.float32), int8_model.input_qp)}}
    conv1, conv2, fc = int8_model.layers
    current = codes["input"]
    for layer in (conv1, conv2):
        acc = conv_accumulators(current, layer.weight, layer.bias, {x_zero_point})
        zero_point = layer.output_qp.zero_point
        multipliers = layer.multiplier("fixedpoint")
        current = np.stack([requantize_fixedpoint(acc[o], float(multipliers[{channel}]), zero_point, {low}, 127)
                            for o in range(len(acc))])
        codes[layer.name] = current
    channels, height, width = current.shape
    codes["pool"] = {pool}
    codes["logits"] = dense_accumulators(codes["pool"].reshape(-1), fc.weight, fc.bias, fc.input_qp.zero_point)
    return codes
'''
FORWARD_DEFAULTS = {"x_zero_point": "layer.input_qp.zero_point", "channel": "o", "low": "zero_point",
                    "pool": "current.reshape(channels, height // 2, 2, width // 2, 2).max(axis=(2, 4))"}


def forward(**changes):
    return FORWARD.format(**{**FORWARD_DEFAULTS, **changes})


ACCURACY = '''
float_pred = float_model.predict(x_test)
int8_pred = {int8_pred}
float_accuracy = {float_accuracy}
int8_accuracy = float(np.mean(int8_pred == y_test))
disagreements = {disagreements}
requant_disagreements = {requant_disagreements}
'''
ACCURACY_DEFAULTS = {"int8_pred": 'int8_model.predict(x_test, engine="vectorized")',
                     "float_accuracy": "float(np.mean(float_pred == y_test))",
                     "disagreements": "int(np.count_nonzero(float_pred != int8_pred))",
                     "requant_disagreements": 'int(np.count_nonzero(int8_model.predict(x_test, requant="float32") != int8_pred))'}


def accuracy(**changes):
    return ACCURACY.format(**{**ACCURACY_DEFAULTS, **changes})


MATCHING = """
def matching_rules(layer, acc, codes):
    matches = []
    for rule in RULES:
        requantized = nf.requantize(acc, {multiplier}, layer.output_qp.zero_point, {clamp}, mode=rule{axis})
        if {compare}:
            matches.append(rule)
    return {result}
"""
MATCHING_DEFAULTS = {"multiplier": "layer.multiplier(rule)", "clamp": "*layer.clamp", "axis": ", axis=1",
                     "compare": "np.array_equal(requantized, codes)", "result": "matches"}


def matching(**changes):
    return MATCHING.format(**{**MATCHING_DEFAULTS, **changes})


HALF_UP = """
def requantize_half_up(acc, multiplier, zero_point, qmin, qmax):
    m0, shift = nf.quantize_multiplier(multiplier)
    x = np.asarray(acc, dtype=np.int64) * {left_shift}
    high = {high}
    right = max(-shift, 0)
    scaled = {scaled}
    return {result}
"""
HALF_UP_DEFAULTS = {"left_shift": "(2 ** max(shift, 0))", "high": "(x * m0 + 2**30) >> 31",
                    "scaled": "(high + ((1 << right) >> 1)) >> right",
                    "result": "np.clip(scaled + zero_point, qmin, qmax)"}


def half_up(**changes):
    return HALF_UP.format(**{**HALF_UP_DEFAULTS, **changes})


HALF_UP_SINGLE_ROUNDING = """
def requantize_half_up(acc, multiplier, zero_point, qmin, qmax):
    m0, shift = nf.quantize_multiplier(multiplier)
    right = 31 - shift                                  # one rounding of acc·M0 by the whole shift
    scaled = (np.asarray(acc, dtype=np.int64) * m0 + (1 << (right - 1))) >> right
    return np.clip(scaled + zero_point, qmin, qmax)
"""


# id: (solution grade_id, replacement source, visible test that must catch it, message regex)
MUTANTS = {
    # Part 1: the convolution's MAC loop
    "conv_pads_with_zero": ("conv_accumulators", conv(pad="0"), "test_conv_accumulators", "border.*zero point"),
    "conv_forgets_zero_point": ("conv_accumulators", conv(term="padded[c][y + ky][x + kx] * weight[o][c][ky][kx]"),
                                "test_conv_accumulators", "zero point"),
    "conv_forgets_bias": ("conv_accumulators", conv(start="0"), "test_conv_accumulators", "bias"),
    "conv_flips_kernel": ("conv_accumulators", conv(term="(padded[c][y + ky][x + kx] - x_zero_point) * weight[o][c][2 - ky][2 - kx]"),
                          "test_conv_accumulators", "differ"),
    "conv_float_accumulators": ("conv_accumulators", conv(dtype="np.float64"), "test_conv_accumulators", "integer"),
    "conv_int8_wraparound": ("conv_accumulators", CONV_INT8_WINDOWS, "test_conv_accumulators", "int8|wrap"),
    "conv_no_overflow_check": ("conv_accumulators", conv(overflow="False"), "test_conv_accumulators", "OverflowError"),
    "conv_overflow_above_only": ("conv_accumulators", conv(overflow="acc > INT32_MAX"), "test_conv_accumulators", "below the int32 range"),
    # Part 2: (M0, shift)
    "split_python_round": ("split_multiplier", split(m0="round(q * 2**31)"), "test_split_multiplier", "away from zero"),
    "split_truncates": ("split_multiplier", split(m0="int(q * 2**31)"), "test_split_multiplier", "round"),
    "split_no_carry": ("split_multiplier", split(carry="False"), "test_split_multiplier", "carr"),
    "split_negated_shift": ("split_multiplier", split(result="int(m0), -int(shift)"), "test_split_multiplier", "shift"),
    "split_unnormalised": ("split_multiplier", split(m0="round(m * 2**31)", carry="False", result="int(m0), 0"),
                           "test_split_multiplier", r"2\*\*30 <= M0"),
    "split_float_m0": ("split_multiplier", split(result="float(m0), shift"),
                       "test_split_multiplier", "int"),
    # Part 3: requantization (uses nf.quantize_multiplier, so it is graded without part 2)
    "requantize_floor_division": ("requantize_fixedpoint", requantize(high="total // 2**31"),
                                  "test_requantize_fixedpoint", "towards zero"),
    "requantize_no_positive_shift": ("requantize_fixedpoint", requantize(left_shift="1"),
                                     "test_requantize_fixedpoint", "positive shift"),
    "requantize_halves_to_even": ("requantize_fixedpoint", requantize(scaled="np.round(high / 2**exponent).astype(np.int64)"),
                                  "test_requantize_fixedpoint", "away from zero"),
    "requantize_threshold_ignores_sign": ("requantize_fixedpoint", requantize(threshold="mask >> 1"),
                                          "test_requantize_fixedpoint", "away from zero|negative"),
    "requantize_single_rounding": ("requantize_fixedpoint", REQUANTIZE_SINGLE_ROUNDING,
                                   "test_requantize_fixedpoint", "double rounding"),
    "requantize_float_round": ("requantize_fixedpoint", REQUANTIZE_FLOAT, "test_requantize_fixedpoint", "integer"),
    "requantize_no_clamp": ("requantize_fixedpoint", requantize(result="scaled + zero_point"),
                            "test_requantize_fixedpoint", "clamp"),
    "requantize_zero_point_ignored": ("requantize_fixedpoint", requantize(result="np.clip(scaled, qmin, qmax)"),
                                      "test_requantize_fixedpoint", "zero point"),
    # Part 4: the fully connected layer
    "dense_forgets_zero_point": ("dense_accumulators", dense(term="vector[k] * weight[o][k]"),
                                 "test_dense_accumulators", "zero point"),
    "dense_forgets_bias": ("dense_accumulators", dense(start="0"), "test_dense_accumulators", "bias"),
    "dense_float_accumulators": ("dense_accumulators", dense(dtype="np.float64"), "test_dense_accumulators", "integer"),
    "dense_no_overflow_check": ("dense_accumulators", dense(overflow="False"), "test_dense_accumulators", "OverflowError"),
    "dense_overflow_above_only": ("dense_accumulators", dense(overflow="acc > INT32_MAX"), "test_dense_accumulators", "below the int32 range"),
    # Part 5: the whole network
    "forward_without_relu": ("int8_cnn_forward", forward(low="-128"), "test_int8_cnn_forward", "ReLU"),
    "forward_one_multiplier": ("int8_cnn_forward", forward(channel="0"), "test_int8_cnn_forward", "channel"),
    "forward_output_zero_point_as_input": ("int8_cnn_forward", forward(x_zero_point="layer.output_qp.zero_point"),
                                           "test_int8_cnn_forward", "zero point"),
    "forward_average_pool": ("int8_cnn_forward",
                             forward(pool="np.round(current.reshape(channels, height // 2, 2, width // 2, 2).mean(axis=(2, 4))).astype(np.int64)"),
                             "test_int8_cnn_forward", "pool"),
    "forward_pool_wrong_blocks": ("int8_cnn_forward",
                                  forward(pool="current.reshape(channels, height // 2, width // 2, 2, 2).max(axis=(3, 4))"),
                                  "test_int8_cnn_forward", "pool"),
    # Part 6: accuracy
    "accuracy_in_percent": ("accuracy", accuracy(float_accuracy="100 * float(np.mean(float_pred == y_test))"),
                            "test_accuracy", "fraction"),
    "accuracy_int8_from_float_model": ("accuracy", accuracy(int8_pred="float_model.predict(x_test)"),
                                       "test_accuracy", "int8_accuracy"),
    "accuracy_disagreement_fraction": ("accuracy", accuracy(disagreements="float(np.mean(float_pred != int8_pred))"),
                                       "test_accuracy", "count"),
    "accuracy_requant_against_float": ("accuracy",
                                       accuracy(requant_disagreements='int(np.count_nonzero(int8_model.predict(x_test, requant="float32") != float_pred))'),
                                       "test_accuracy", "requant_disagreements"),
    # Part 7: debug the ±1
    "matching_first_rule_only": ("matching_rules", matching(result="matches[:1]"), "test_matching_rules", "return all"),
    "matching_within_one_step": ("matching_rules", matching(compare="np.all(np.abs(requantized - codes) <= 1)"),
                                 "test_matching_rules", "exactly"),
    "matching_without_axis": ("matching_rules", matching(axis=""), "test_matching_rules", "axis=1"),
    "matching_ignores_relu_clamp": ("matching_rules", matching(clamp="-128, 127"), "test_matching_rules", "clamp"),
    "matching_one_multiplier_for_every_rule": ("matching_rules", matching(multiplier='layer.multiplier("fixedpoint")'),
                                               "test_matching_rules", r"layer\.multiplier\(rule\)"),
    "half_up_away_from_zero": ("requantize_half_up",
                               half_up(scaled="np.sign(high) * ((np.abs(high) + ((1 << right) >> 1)) >> right)"),
                               "test_requantize_half_up", "towards \\+inf"),
    "half_up_to_even": ("requantize_half_up", half_up(scaled="np.round(high / 2**right).astype(np.int64)"),
                        "test_requantize_half_up", "to even"),
    "half_up_single_rounding": ("requantize_half_up", HALF_UP_SINGLE_ROUNDING, "test_requantize_half_up",
                                "two roundings"),
    "half_up_no_positive_shift": ("requantize_half_up", half_up(left_shift="1"), "test_requantize_half_up",
                                  "positive shift"),
    "half_up_no_clamp": ("requantize_half_up", half_up(result="scaled + zero_point"), "test_requantize_half_up", "clamp"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
