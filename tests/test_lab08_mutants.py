"""Lab 8's visible tests catch the plausible wrong answers, each with a message saying what is wrong.

Every mutant is a realistic student mistake in one solution cell (ceil for floor in the shared
exponent, the emax of the wrong element format, no clamp, ties away from zero, no saturation,
the wrong nibble order, scale bits not counted, quantiles of the wrong distribution ...).
``run_lab`` runs the lab as the student copy does (hidden tests removed) with that cell
replaced; the named visible test must fail with a message matching the regex.
"""


from .lab_runner import lab_tests

LAB = "lab08_block_formats"

# The reference bodies the mutants change one line of.
SHARED = '''
def shared_exponent(block, emax_elem):
    amax = {amax}
    if {zero}:
        amax = 2.0 ** -126
    exponent = {exponent}
    if {too_large}:
        return {too_large_result}
    return {result}
'''
SHARED_DEFAULTS = {"amax": "float(np.max(np.abs(np.asarray(block, dtype=np.float64))))", "zero": "amax == 0",
                   "exponent": "float(np.floor(np.log2(amax))) - emax_elem", "too_large": "not exponent <= 127",
                   "too_large_result": 'float("nan")', "result": "max(exponent, -127.0)"}


def shared(**changes):
    return SHARED.format(**{**SHARED_DEFAULTS, **changes})


SHARED_MATH_LOG2 = '''
def shared_exponent(block, emax_elem):
    amax = max(abs(float(v)) for v in block)
    exponent = math.floor(math.log2(amax)) - emax_elem      # math.log2(0) raises
    return float(max(exponent, -127)) if exponent <= 127 else float("nan")
'''

FP4 = '''
def fp4_codes(x):
    x = np.asarray(x, dtype=np.float64)
    magnitude = {magnitude}
    exponent = np.maximum(np.floor(np.log2(np.maximum(magnitude, 0.5))), 0.0)
    step = {step}
    rounded = {rounded}
    codes = np.searchsorted(FP4_VALUES[:8], rounded)
    return {result}
'''
FP4_DEFAULTS = {"magnitude": "np.minimum(np.abs(x), 6.0)", "step": "2.0 ** (exponent - 1)",
                "rounded": "np.round(magnitude / step) * step", "result": "(codes + 8 * np.signbit(x)).astype(np.uint8)"}


def fp4(**changes):
    return FP4.format(**{**FP4_DEFAULTS, **changes})


FP4_ARGMIN = '''
def fp4_codes(x):
    x = np.asarray(x, dtype=np.float64)
    codes = np.argmin(np.abs(np.abs(x)[..., None] - FP4_VALUES[:8]), axis=-1)   # a tie goes to the first: towards zero
    return (codes + 8 * np.signbit(x)).astype(np.uint8)
'''

MXFP4 = '''
def mxfp4_quantize(block):
    block = np.asarray(block, dtype=np.float64)
    emax_elem = {emax_elem}
    amax = np.max(np.abs(block))
    exponent = float(blocks.mx_scale_exponents(np.array([amax]), emax_elem)[0])
    if {nan_check}:
        return 255, np.zeros(block.shape, dtype=np.uint8)
    codes = nf.to_bits({scaled}, FP4, saturate=True)
    return int(exponent) + {bias}, codes


def mxfp4_dequantize(scale_code, codes):
    codes = np.asarray(codes)
    if {nan_code}:
        return np.full(codes.shape, np.nan)
    return {values}
'''
MXFP4_DEFAULTS = {"emax_elem": "2", "nan_check": "np.isnan(exponent)", "scaled": "block / 2.0 ** exponent", "bias": "127",
                  "nan_code": "scale_code == 255", "values": "FP4_VALUES[codes] * 2.0 ** (int(scale_code) - 127)"}


def mxfp4(**changes):
    return MXFP4.format(**{**MXFP4_DEFAULTS, **changes})


PACK = '''
def pack_fp4(codes):
    codes = np.asarray(codes, dtype=np.uint8).ravel()
    padded = np.zeros({padded_size}, dtype=np.uint8)
    padded[:{kept}] = codes[:{kept}]
    return {packed}


def unpack_fp4(packed, count):
    packed = np.asarray(packed, dtype=np.uint8)
    codes = np.stack([{first}, {second}], axis=1).ravel()
    return {unpacked}
'''
PACK_DEFAULTS = {"padded_size": "2 * ((codes.size + 1) // 2)", "kept": "codes.size",
                 "packed": "(padded[0::2] | (padded[1::2] << 4)).astype(np.uint8)",
                 "first": "packed & 0x0F", "second": "packed >> 4", "unpacked": "codes[:count]"}


def pack(**changes):
    return PACK.format(**{**PACK_DEFAULTS, **changes})


NF4 = '''
def nf4_levels():
    quantile = {quantile}
    offset = (1 - 1 / (2 * 15) + 1 - 1 / (2 * 16)) / 2
    positive = [quantile(p) for p in np.linspace(offset, 0.5, {positive_count})[{cut}]]
    negative = [-quantile(p) for p in np.linspace(offset, 0.5, {negative_count})[{cut}]]
    levels = np.sort(np.array(positive + [0.0] + negative))
    return {levels}


def nf4_quantize(block):
    block = np.asarray(block, dtype=np.float64)
    absmax = {absmax}
    normalized = {normalized}
    levels = np.asarray(blocks.NF4_LEVELS)
    codes = {codes}
    return absmax, codes.astype(np.uint8)
'''
NF4_DEFAULTS = {"quantile": "NormalDist().inv_cdf", "positive_count": "9", "negative_count": "8", "cut": ":-1",
                "levels": "levels / levels.max()", "absmax": "float(np.max(np.abs(block)))",
                "normalized": "block / absmax if absmax > 0 else block",
                "codes": "np.argmin(np.abs(normalized[..., None] - levels), axis=-1)"}


def nf4(**changes):
    return NF4.format(**{**NF4_DEFAULTS, **changes})


NF4_SYMMETRIC = '''
def nf4_levels():
    # the paper's formula read naively: 16 quantiles of evenly spaced probabilities, no exact zero
    offset = (1 - 1 / (2 * 15) + 1 - 1 / (2 * 16)) / 2
    levels = np.array([NormalDist().inv_cdf(p) for p in np.linspace(1 - offset, offset, 16)])
    return levels / levels.max()


def nf4_quantize(block):
    block = np.asarray(block, dtype=np.float64)
    absmax = float(np.max(np.abs(block)))
    normalized = block / absmax if absmax > 0 else block
    return absmax, np.argmin(np.abs(normalized[..., None] - np.asarray(blocks.NF4_LEVELS)), axis=-1).astype(np.uint8)
'''

REPORT = '''
FORMATS = {{"MXFP4": nf.MXFP4_E2M1, "int4-g128": nf.int4_groups(128), "NF4": nf.NF4}}
bits_per_weight = {{"MXFP4": {mxfp4_bits}, "int4-g128": {int4_bits}, "NF4": {nf4_bits}}}
sqnr = {{}}
for name, fmt in FORMATS.items():
    restored = nf.block_dequantize(nf.block_quantize(fc_weights, fmt, axis=1))
    sqnr[name] = {sqnr}
'''
REPORT_DEFAULTS = {"mxfp4_bits": "4 + 8 / 32", "int4_bits": "4 + (16 + 4) / 128", "nf4_bits": "4 + 8 / 64 + 32 / (64 * 256)",
                   "sqnr": "10 * np.log10(np.sum(fc_weights ** 2) / np.sum((fc_weights - restored) ** 2))"}


def report(**changes):
    return REPORT.format(**{**REPORT_DEFAULTS, **changes})


# id: (solution grade_id, replacement source, visible test that must catch it, message regex)
MUTANTS = {
    # Part 1: the E8M0 shared exponent
    "shared_ceil_log2": ("shared_exponent", shared(exponent="float(np.ceil(np.log2(amax))) - emax_elem"),
                         "test_shared_exponent", "floor"),
    "shared_round_log2": ("shared_exponent", shared(exponent="float(np.round(np.log2(amax))) - emax_elem"),
                          "test_shared_exponent", "floor"),
    "shared_frexp_exponent_unshifted": ("shared_exponent", shared(exponent="float(np.frexp(amax)[1]) - emax_elem"),
                                        "test_shared_exponent", "floor"),
    "shared_adds_emax": ("shared_exponent", shared(exponent="float(np.floor(np.log2(amax))) + emax_elem"),
                         "test_shared_exponent", "subtract emax_elem"),
    "shared_max_not_magnitude": ("shared_exponent", shared(amax="float(np.max(np.asarray(block, dtype=np.float64)))"),
                                 "test_shared_exponent", "largest magnitude"),
    "shared_no_zero_block_rule": ("shared_exponent", shared(zero="False"), "test_shared_exponent", "all-zero block"),
    "shared_math_log2_of_zero": ("shared_exponent", "import math\n" + SHARED_MATH_LOG2, "test_shared_exponent",
                                 "raised.*all-zero block"),
    "shared_no_clamp": ("shared_exponent", shared(result="exponent"), "test_shared_exponent", "clamp.*-127"),
    "shared_clamps_above_to_127": ("shared_exponent", shared(too_large_result="127.0"), "test_shared_exponent",
                                   "return nan"),
    "shared_no_upper_limit": ("shared_exponent", shared(too_large="np.isnan(exponent)"), "test_shared_exponent",
                              "past E8M0's largest exponent"),
    # Part 2: FP4 E2M1 codes
    "fp4_ties_away_from_zero": ("fp4_codes", fp4(rounded="np.floor(magnitude / step + 0.5) * step"),
                                "test_fp4_codes", "tie goes to the even code"),
    "fp4_ties_towards_zero": ("fp4_codes", FP4_ARGMIN, "test_fp4_codes", "tie goes to the even code"),
    "fp4_truncates": ("fp4_codes", fp4(rounded="np.floor(magnitude / step) * step"), "test_fp4_codes", "nearest"),
    "fp4_no_saturation": ("fp4_codes", fp4(magnitude="np.abs(x)"), "test_fp4_codes", "saturate"),
    "fp4_uniform_grid": ("fp4_codes", fp4(step="0.5"), "test_fp4_codes", "nearest|spacing"),
    "fp4_sign_from_less_than_zero": ("fp4_codes", fp4(result="(codes + 8 * (x < 0)).astype(np.uint8)"),
                                     "test_fp4_codes", "sign bit.*-0"),
    "fp4_sign_of_rounded_value": ("fp4_codes", fp4(result="(codes + 8 * (np.sign(x) * rounded < 0)).astype(np.uint8)"),
                                  "test_fp4_codes", "sign bit.*-0"),
    "fp4_no_sign_bit": ("fp4_codes", fp4(result="codes.astype(np.uint8)"), "test_fp4_codes", "sign bit"),
    "fp4_float_codes": ("fp4_codes", fp4(result="(codes + 8 * np.signbit(x)).astype(np.float64)"),
                        "test_fp4_codes", "integer codes"),
    # Part 3: one MXFP4 block
    "mxfp4_emax_of_e4m3": ("mxfp4", mxfp4(emax_elem="8"), "test_mxfp4", "emax_elem is FP4 E2M1's"),
    "mxfp4_emax_from_ceil_log2_of_max": ("mxfp4", mxfp4(emax_elem="3"), "test_mxfp4", "emax_elem is FP4 E2M1's"),
    "mxfp4_emax_is_the_bias": ("mxfp4", mxfp4(emax_elem="1"), "test_mxfp4", "emax_elem is FP4 E2M1's"),
    "mxfp4_e8m0_bias_128": ("mxfp4", mxfp4(bias="128"), "test_mxfp4", r"e \+ 127"),
    "mxfp4_multiplies_by_scale": ("mxfp4", mxfp4(scaled="block * 2.0 ** exponent"), "test_mxfp4", "codes of block / X"),
    "mxfp4_nan_block_crashes": ("mxfp4", mxfp4(nan_check="False"), "test_mxfp4", "raised.*NaN"),
    "mxfp4_dequantize_forgets_scale": ("mxfp4", mxfp4(values="FP4_VALUES[codes]"), "test_mxfp4", "times X"),
    "mxfp4_dequantize_bias_128": ("mxfp4", mxfp4(values="FP4_VALUES[codes] * 2.0 ** (int(scale_code) - 128)"),
                                  "test_mxfp4", r"2\*\*\(scale_code - 127\)"),
    "mxfp4_dequantize_ignores_nan_scale": ("mxfp4", mxfp4(nan_code="False"), "test_mxfp4", "NaN everywhere"),
    # Part 4: two FP4 codes per byte
    "pack_first_in_high_nibble": ("pack_fp4", pack(packed="((padded[0::2] << 4) | padded[1::2]).astype(np.uint8)"),
                                  "test_pack_fp4", "low nibble"),
    "pack_drops_odd_last_code": ("pack_fp4", pack(padded_size="codes.size // 2 * 2", kept="codes.size // 2 * 2"),
                                 "test_pack_fp4", "odd count"),
    "pack_int64_bytes": ("pack_fp4", pack(packed="(padded[0::2] | (padded[1::2] << 4)).astype(np.int64)"),
                         "test_pack_fp4", "uint8"),
    "unpack_high_nibble_first": ("pack_fp4", pack(first="packed >> 4", second="packed & 0x0F"),
                                 "test_pack_fp4", "low nibble is the first"),
    "unpack_ignores_count": ("pack_fp4", pack(unpacked="codes"), "test_pack_fp4", "stop after count"),
    # Part 5: NF4
    "nf4_uniform_quantiles": ("nf4", nf4(quantile="lambda p: 2 * p - 1"), "test_nf4", "standard normal"),
    "nf4_cdf_not_quantile": ("nf4", nf4(quantile="NormalDist().cdf"), "test_nf4", "standard normal"),
    "nf4_laplace_quantiles": ("nf4", nf4(quantile="lambda p: -np.log(2 - 2 * p)"), "test_nf4", "standard normal"),
    "nf4_symmetric_without_zero": ("nf4", NF4_SYMMETRIC, "test_nf4", "exactly 0"),
    "nf4_keeps_both_zeros": ("nf4", nf4(cut=":"), "test_nf4", "16 levels"),
    "nf4_counts_swapped": ("nf4", nf4(positive_count="8", negative_count="9"), "test_nf4", "8 levels above zero"),
    "nf4_not_normalized": ("nf4", nf4(levels="levels"), "test_nf4", "divide by the largest"),
    "nf4_absmax_is_max": ("nf4", nf4(absmax="float(np.max(block))"), "test_nf4", "largest magnitude"),
    "nf4_rounds_down": ("nf4", nf4(codes="np.searchsorted(levels, normalized, side='right') - 1"), "test_nf4", "nearest"),
    "nf4_zero_block_divides_by_zero": ("nf4", nf4(normalized="block / absmax"), "test_nf4", "all-zero block"),
    # Part 6: bits and SQNR
    "report_scale_bits_not_counted": ("report", report(mxfp4_bits="4", int4_bits="4", nf4_bits="4"),
                                      "test_report", "count the scale bits"),
    "report_zero_point_not_counted": ("report", report(int4_bits="4 + 16 / 128"), "test_report", "zero point"),
    "report_nf4_second_level_forgotten": ("report", report(nf4_bits="4 + 8 / 64"), "test_report", "second level"),
    "report_nf4_float32_absmax": ("report", report(nf4_bits="4 + 32 / 64"), "test_report", "8-bit absmax"),
    "report_sqnr_20_log10": ("report", report(sqnr="20 * np.log10(np.sum(fc_weights ** 2) / np.sum((fc_weights - restored) ** 2))"),
                             "test_report", "not 20·log10"),
    "report_sqnr_noise_over_signal": ("report", report(sqnr="10 * np.log10(np.sum((fc_weights - restored) ** 2) / np.sum(fc_weights ** 2))"),
                                      "test_report", "signal power over noise power"),
    "report_sqnr_amplitude_ratio": ("report", report(sqnr="10 * np.log10(np.sum(np.abs(fc_weights)) / np.sum(np.abs(fc_weights - restored)))"),
                                    "test_report", "power"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
