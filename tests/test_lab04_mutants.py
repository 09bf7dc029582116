"""Lab 4's visible tests catch the plausible wrong answers, each with a message saying what is wrong.

Every mutant is a realistic student mistake in one solution cell (forgetting to widen the range
to 0, halves rounded up, no saturation, int8 arithmetic that wraps, a per-tensor scale ...).
``run_lab`` runs the lab as the student copy does (hidden tests removed) with that cell
replaced; the named visible test must fail with a message matching the regex.
"""


from .lab_runner import lab_tests

LAB = "lab04_int8_mapping"

ASYMMETRIC = '''
def asymmetric_qparams(x_min, x_max, qmin=-128, qmax=127):
    {widen}
    if x_max == x_min:
        return 1.0, min(max(0, qmin), qmax)
    scale = {scale}
    zero_point = {zero_point}
    return scale, {result}
'''
ASYMMETRIC_DEFAULTS = {"widen": "x_min, x_max = min(x_min, 0.0), max(x_max, 0.0)",
                       "scale": "(x_max - x_min) / (qmax - qmin)",
                       "zero_point": "qmin - int(np.round(x_min / scale))",
                       "result": "int(min(max(zero_point, qmin), qmax))"}


def asymmetric(**changes):
    return ASYMMETRIC.format(**{**ASYMMETRIC_DEFAULTS, **changes})


ASYMMETRIC_SINGLE_POINT_BEFORE_WIDENING = '''
def asymmetric_qparams(x_min, x_max, qmin=-128, qmax=127):
    if x_max == x_min:
        return 1.0, min(max(0, qmin), qmax)
    x_min, x_max = min(x_min, 0.0), max(x_max, 0.0)
    scale = (x_max - x_min) / (qmax - qmin)
    return scale, int(min(max(qmin - int(np.round(x_min / scale)), qmin), qmax))
'''

ASYMMETRIC_NO_SINGLE_POINT = '''
def asymmetric_qparams(x_min, x_max, qmin=-128, qmax=127):
    x_min, x_max = min(x_min, 0.0), max(x_max, 0.0)
    scale = (x_max - x_min) / (qmax - qmin)
    return scale, qmin - int(np.round(x_min / scale))
'''

SYMMETRIC = '''
def symmetric_qparams(x_min, x_max):
    largest = {largest}
    return ({scale} if largest > 0 else {zero_scale}), 0
'''
SYMMETRIC_DEFAULTS = {"largest": "max(abs(x_min), abs(x_max))", "scale": "largest / 127", "zero_scale": "1.0"}


def symmetric(**changes):
    return SYMMETRIC.format(**{**SYMMETRIC_DEFAULTS, **changes})


QUANTIZE = '''
def quantize(x, scale, zero_point, qmin=-128, qmax=127):
    codes = {rounded} + zero_point
    return {result}
'''
QUANTIZE_DEFAULTS = {"rounded": "np.rint(np.asarray(x, dtype=np.float64) / scale)",
                     "result": "np.clip(codes, qmin, qmax).astype(np.int64)"}


def quantize(**changes):
    return QUANTIZE.format(**{**QUANTIZE_DEFAULTS, **changes})


DEQUANTIZE = '''
def dequantize(q, scale, zero_point):
    return {result}
'''

PER_CHANNEL = '''
def per_channel_symmetric(w):
    largest = {largest}
    scales = {scales}
    shaped = {shaped}
    codes = {codes}
    return codes, scales
'''
PER_CHANNEL_DEFAULTS = {"largest": "np.abs(w).reshape(len(w), -1).max(axis=1)",
                        "scales": "np.where(largest > 0, largest / 127, 1.0)",
                        "shaped": "scales.reshape((-1,) + (1,) * (w.ndim - 1))",
                        "codes": "np.clip(np.rint(w / shaped), -127, 127).astype(np.int64)"}


def per_channel(**changes):
    return PER_CHANNEL.format(**{**PER_CHANNEL_DEFAULTS, **changes})


LAYER_ERRORS = '''
SCHEMES = {{"asymmetric": {{}}, "symmetric": {{"symmetric": True, "narrow_range": True}},
           "per-channel": {{"symmetric": True, "narrow_range": True, "axis": 0}}}}


def layer_errors(weights, bits=8):
    errors = {{}}
    for layer, w in weights.items():
        errors[layer] = {{}}
        for scheme, options in {schemes}.items():
            qp = nf.choose_qparams(w, {bits}**options)
            errors[layer][scheme] = float({error})
    return errors
'''
LAYER_ERRORS_DEFAULTS = {"schemes": "SCHEMES", "bits": "bits=bits, ", "error": "np.mean((nf.fake_quantize(w, qp) - w) ** 2)"}


def layer_errors(**changes):
    return LAYER_ERRORS.format(**{**LAYER_ERRORS_DEFAULTS, **changes})


SQNR = '''
def sqnr_db(x, x_hat):
    x, x_hat = np.asarray(x, dtype=np.float64), np.asarray(x_hat, dtype=np.float64)
    noise = np.sum((x - x_hat) ** 2)
    return float("inf") if noise == 0 else float({formula})
'''
SQNR_DEFAULT = "10 * np.log10(np.sum(x ** 2) / noise)"

BEST = '''
def best_scheme(errors):
    return {result}
'''

# id: (solution grade_id, replacement source, visible test that must catch it, message regex)
MUTANTS = {
    # Part 1: asymmetric scale and zero point
    "asymmetric_no_widening": ("asymmetric_qparams", asymmetric(widen="pass"), "test_asymmetric_qparams", "contain 0"),
    "asymmetric_scale_over_256": ("asymmetric_qparams", asymmetric(scale="(x_max - x_min) / (qmax - qmin + 1)"),
                                  "test_asymmetric_qparams", "qmax - qmin"),
    "asymmetric_zero_point_sign": ("asymmetric_qparams", asymmetric(zero_point="qmin + int(np.round(x_min / scale))"),
                                   "test_asymmetric_qparams", r"qmin - round\(x_min / scale\)"),
    "asymmetric_halves_up": ("asymmetric_qparams", asymmetric(zero_point="qmin - int(np.floor(x_min / scale + 0.5))"),
                             "test_asymmetric_qparams", "halves to even"),
    "asymmetric_halves_away": ("asymmetric_qparams", asymmetric(zero_point="qmin - int(np.sign(x_min) * np.floor(abs(x_min / scale) + 0.5))"),
                               "test_asymmetric_qparams", "halves to even"),
    "asymmetric_truncates": ("asymmetric_qparams", asymmetric(zero_point="qmin - int(x_min / scale)"),
                             "test_asymmetric_qparams", "round"),
    "asymmetric_float_zero_point": ("asymmetric_qparams", asymmetric(zero_point="qmin - np.round(x_min / scale)", result="zero_point"),
                                    "test_asymmetric_qparams", "int"),
    "asymmetric_no_single_point_case": ("asymmetric_qparams", ASYMMETRIC_NO_SINGLE_POINT, "test_asymmetric_qparams", "scale = 1.0"),
    "asymmetric_single_point_before_widening": ("asymmetric_qparams", ASYMMETRIC_SINGLE_POINT_BEFORE_WIDENING,
                                                "test_asymmetric_qparams", r"\[2, 2\] becomes \[0, 2\]"),
    # Part 2: symmetric scale
    "symmetric_over_127_5": ("symmetric_qparams", symmetric(scale="largest / 127.5"), "test_symmetric_qparams", "127"),
    "symmetric_over_128": ("symmetric_qparams", symmetric(scale="largest / 128"), "test_symmetric_qparams", "127"),
    "symmetric_uses_x_max": ("symmetric_qparams", symmetric(largest="abs(x_max)"), "test_symmetric_qparams", "largest magnitude"),
    "symmetric_range_over_254": ("symmetric_qparams", symmetric(scale="(x_max - x_min) / 254"), "test_symmetric_qparams", "largest magnitude"),
    "symmetric_zero_scale": ("symmetric_qparams", symmetric(zero_scale="0.0"), "test_symmetric_qparams", "1.0"),
    # Part 3: quantize
    "quantize_halves_up": ("quantize", quantize(rounded="np.floor(np.asarray(x) / scale + 0.5)"), "test_quantize", "to even"),
    "quantize_truncates": ("quantize", quantize(rounded="np.trunc(np.asarray(x) / scale)"), "test_quantize", "round"),
    "quantize_no_saturation": ("quantize", quantize(result="codes.astype(np.int64)"), "test_quantize", "saturat"),
    "quantize_clamp_before_zero_point": ("quantize", quantize(rounded="np.clip(np.rint(np.asarray(x) / scale), qmin, qmax)",
                                                              result="codes.astype(np.int64)"),
                                         "test_quantize", "saturat|clamp"),
    "quantize_int8_wraps": ("quantize", quantize(result="np.clip(codes.astype(np.int8), qmin, qmax)"), "test_quantize", "wrap|saturat"),
    "quantize_float_codes": ("quantize", quantize(result="np.clip(codes, qmin, qmax)"), "test_quantize", "integer"),
    "quantize_multiplies": ("quantize", quantize(rounded="np.rint(np.asarray(x) * scale)"), "test_quantize", "x / scale"),
    "quantize_rounds_after_zero_point": ("quantize", quantize(rounded="np.rint(np.asarray(x, dtype=np.float64) / scale + zero_point) - zero_point"),
                                         "test_quantize", "then add the zero point"),
    "quantize_reciprocal": ("quantize", quantize(rounded="np.rint(np.asarray(x, dtype=np.float64) * (1 / scale))"),
                            "test_quantize", "divide by the scale"),
    "quantize_int8_bounds": ("quantize", quantize(result="np.clip(codes, -128, 127).astype(np.int64)"), "test_quantize",
                             "qmin, qmax you are given"),
    # Part 3: dequantize
    "dequantize_int8_wraps": ("dequantize", DEQUANTIZE.format(result="scale * (np.asarray(q) - zero_point)"),
                              "test_dequantize", "wrap"),
    "dequantize_zero_point_outside": ("dequantize", DEQUANTIZE.format(result="scale * np.asarray(q, dtype=np.int64) - zero_point"),
                                      "test_dequantize", r"scale · \(q - zero_point\)"),
    "dequantize_divides": ("dequantize", DEQUANTIZE.format(result="(np.asarray(q, dtype=np.int64) - zero_point) / scale"),
                           "test_dequantize", r"scale · \(q - zero_point\)"),
    "dequantize_integer_result": ("dequantize", DEQUANTIZE.format(result="np.rint(scale * (np.asarray(q, dtype=np.int64) - zero_point)).astype(np.int64)"),
                                  "test_dequantize", "float"),
    "dequantize_float32": ("dequantize", DEQUANTIZE.format(result="scale * (np.asarray(q).astype(np.float32) - zero_point)"),
                           "test_dequantize", "float64"),
    # Part 4: per-channel
    "per_channel_one_scale": ("per_channel_symmetric", per_channel(largest="np.full(len(w), np.abs(w).max())"),
                              "test_per_channel_symmetric", "per output channel|own scale"),
    "per_channel_scalar_scale": ("per_channel_symmetric", per_channel(largest="np.abs(w).max()", shaped="scales"),
                                 "test_per_channel_symmetric", "16 scales"),
    "per_channel_4d_only": ("per_channel_symmetric", per_channel(largest="np.abs(w).max(axis=(1, 2, 3))", shaped="scales.reshape(-1, 1, 1, 1)"),
                            "test_per_channel_symmetric", "2-D"),
    "per_channel_zero_filter": ("per_channel_symmetric", per_channel(scales="largest / 127",
                                                                     codes="np.clip(np.nan_to_num(np.rint(w / shaped)), -127, 127).astype(np.int64)"),
                                "test_per_channel_symmetric", "all-zero"),
    "per_channel_over_128": ("per_channel_symmetric", per_channel(scales="np.where(largest > 0, largest / 128, 1.0)"),
                             "test_per_channel_symmetric", "127"),
    "per_channel_halves_up": ("per_channel_symmetric", per_channel(codes="np.clip(np.floor(w / shaped + 0.5), -127, 127).astype(np.int64)"),
                              "test_per_channel_symmetric", "half to even"),
    "per_channel_float_codes": ("per_channel_symmetric", per_channel(codes="np.clip(np.rint(w / shaped), -127, 127)"),
                                "test_per_channel_symmetric", "integer"),
    # Part 5: errors per layer
    "layer_errors_sum": ("layer_errors", layer_errors(error="np.sum((nf.fake_quantize(w, qp) - w) ** 2)"), "test_layer_errors", "mean"),
    "layer_errors_rms": ("layer_errors", layer_errors(error="np.sqrt(np.mean((nf.fake_quantize(w, qp) - w) ** 2))"),
                         "test_layer_errors", "mean"),
    "layer_errors_abs": ("layer_errors", layer_errors(error="np.mean(np.abs(nf.fake_quantize(w, qp) - w))"), "test_layer_errors", "squared"),
    "layer_errors_ignore_bits": ("layer_errors", layer_errors(bits=""), "test_layer_errors", "bits"),
    "layer_errors_per_channel_without_axis": ("layer_errors", layer_errors(schemes='{**SCHEMES, "per-channel": SCHEMES["symmetric"]}'),
                                              "test_layer_errors", "per-channel"),
    # Part 6a: SQNR
    "sqnr_20_log10": ("sqnr_db", SQNR.format(formula="20 * np.log10(np.sum(x ** 2) / noise)"), "test_sqnr_db", "10"),
    "sqnr_inverted": ("sqnr_db", SQNR.format(formula="10 * np.log10(noise / np.sum(x ** 2))"), "test_sqnr_db", "signal.*noise"),
    "sqnr_natural_log": ("sqnr_db", SQNR.format(formula="10 * np.log(np.sum(x ** 2) / noise)"), "test_sqnr_db", "log10"),
    "sqnr_signal_is_x_hat": ("sqnr_db", SQNR.format(formula="10 * np.log10(np.sum(x_hat ** 2) / noise)"), "test_sqnr_db", "x"),
    # Part 6b: the decision
    "best_scheme_max": ("best_scheme", BEST.format(result="{layer: max(row, key=row.get) for layer, row in errors.items()}"),
                        "test_best_scheme", "smallest"),
    "best_scheme_error_value": ("best_scheme", BEST.format(result="{layer: min(row.values()) for layer, row in errors.items()}"),
                                "test_best_scheme", "name"),
    "best_scheme_first_key": ("best_scheme", BEST.format(result="{layer: min(row) for layer, row in errors.items()}"),
                              "test_best_scheme", "smallest"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
