"""Lab 1's visible tests catch the plausible wrong answers, each with a message that says what is wrong.

Every mutant is a realistic student mistake in one solution cell (the wrong byte order, a signed
pattern, a chopped instead of rounded float32, a field shifted one bit off, a forgotten hidden 1,
a sign lost on -inf or on a subnormal, the gap below instead of above ...).  ``run_lab`` executes
the lab as the student copy (hidden tests removed) with that cell replaced; the named visible
test must fail with an AssertionError whose message matches the pattern.
"""


from .lab_runner import lab_tests

LAB = "lab01_float_bits"



def _fields_to_value(special):
    """fields_to_value with its normal branch right and ``special`` (source lines) handling e = 0 and 255."""
    return f'''
def fields_to_value(sign, exponent, mantissa):
{special}
    magnitude = math.ldexp((1 << 23) + mantissa, exponent - 150)
    return -magnitude if sign else magnitude
'''


def _encoding(suffix, sign, exponent, mantissa, bits=None):
    bits = bits if bits is not None else f"sign_{suffix} << 31 | exponent_{suffix} << 23 | mantissa_{suffix}"
    return f'''
sign_{suffix} = {sign}
exponent_{suffix} = {exponent}
mantissa_{suffix} = {mantissa}
bits_{suffix} = {bits}
'''


def _classify(body):
    return "def classify(exponent, mantissa):\n" + body


def _ulp32(body):
    return "def ulp32(x):\n" + body


MUTANTS = {
    # 1a. float32_bits
    "bits_byte_order_mixed": ("float32_bits", '''
        def float32_bits(x):
            return struct.unpack("<I", struct.pack(">f", x))[0]
        ''', "test_float32_bits", "numformat says 0x3f800000"),
    "bits_signed_format": ("float32_bits", '''
        def float32_bits(x):
            return struct.unpack(">i", struct.pack(">f", x))[0]
        ''', "test_float32_bits", r"unsigned.*'>I'"),
    "bits_of_float64": ("float32_bits", '''
        def float32_bits(x):
            return struct.unpack(">Q", struct.pack(">d", x))[0] >> 32
        ''', "test_float32_bits", "numformat says"),
    "bits_chopped_not_rounded": ("float32_bits", '''
        def float32_bits(x):
            (double,) = struct.unpack(">Q", struct.pack(">d", x))
            exponent = ((double >> 52) & 0x7FF) - 1023 + 127
            return (double >> 63) << 31 | exponent << 23 | (double >> 29) & 0x7FFFFF
        ''', "test_float32_bits", "nearest float32"),
    "bits_numpy_uint32": ("float32_bits", '''
        def float32_bits(x):
            return np.array(x, dtype=np.float32).view(np.uint32)[()]
        ''', "test_float32_bits", "Python int"),
    # 1b. split_fields
    "split_sign_shift_32": ("split_fields", '''
        def split_fields(bits):
            return bits >> 32, (bits >> 23) & 0xFF, bits & 0x7FFFFF
        ''', "test_split_fields", "sign field"),
    "split_exponent_shift_24": ("split_fields", '''
        def split_fields(bits):
            return bits >> 31, (bits >> 24) & 0xFF, bits & 0x7FFFFF
        ''', "test_split_fields", "exponent field"),
    "split_exponent_7_bit_mask": ("split_fields", '''
        def split_fields(bits):
            return bits >> 31, (bits >> 23) & 0x7F, bits & 0x7FFFFF
        ''', "test_split_fields", "exponent field"),
    "split_unbiased_exponent": ("split_fields", '''
        def split_fields(bits):
            return bits >> 31, ((bits >> 23) & 0xFF) - 127, bits & 0x7FFFFF
        ''', "test_split_fields", "exponent field.*biased"),
    "split_mantissa_22_bits": ("split_fields", '''
        def split_fields(bits):
            return bits >> 31, (bits >> 23) & 0xFF, bits & 0x3FFFFF
        ''', "test_split_fields", "mantissa field"),
    "split_mantissa_with_hidden_one": ("split_fields", '''
        def split_fields(bits):
            return bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF | 1 << 23
        ''', "test_split_fields", "mantissa field"),
    # 2. fields_to_value, normal numbers
    "value_bias_128": ("fields_to_value", '''
        def fields_to_value(sign, exponent, mantissa):
            magnitude = math.ldexp((1 << 23) + mantissa, exponent - 128 - 23)
            return -magnitude if sign else magnitude
        ''', "test_fields_to_value_normal", "numformat says 5.75"),
    "value_no_hidden_one": ("fields_to_value", '''
        def fields_to_value(sign, exponent, mantissa):
            magnitude = math.ldexp(mantissa, exponent - 150)
            return -magnitude if sign else magnitude
        ''', "test_fields_to_value_normal", "numformat says"),
    "value_mantissa_over_2_22": ("fields_to_value", '''
        def fields_to_value(sign, exponent, mantissa):
            return (-1) ** sign * 2.0 ** (exponent - 127) * (1 + mantissa / 2**22)
        ''', "test_fields_to_value_normal", "numformat says"),
    "value_sign_ignored": ("fields_to_value", '''
        def fields_to_value(sign, exponent, mantissa):
            return math.ldexp((1 << 23) + mantissa, exponent - 150)
        ''', "test_fields_to_value_normal", "numformat says -3.14"),
    # 2. fields_to_value, zero / subnormal / inf / NaN
    "value_subnormal_exponent_minus_127": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return (-math.inf if sign else math.inf) if mantissa == 0 else math.nan
    if exponent == 0:
        return (-1) ** sign * math.ldexp(mantissa, -127 - 23)'''), "test_fields_to_value_special", "subnormal"),
    "value_subnormal_hidden_one": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return (-math.inf if sign else math.inf) if mantissa == 0 else math.nan
    exponent = max(exponent, 1)'''), "test_fields_to_value_special", "subnormal"),
    "value_inf_without_sign": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return math.inf if mantissa == 0 else math.nan
    if exponent == 0:
        return (-1) ** sign * math.ldexp(mantissa, -149)'''), "test_fields_to_value_special", "numformat says -inf"),
    "value_255_always_inf": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return -math.inf if sign else math.inf
    if exponent == 0:
        return (-1) ** sign * math.ldexp(mantissa, -149)'''), "test_fields_to_value_special", "NaN"),
    "value_negative_subnormal_positive": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return (-math.inf if sign else math.inf) if mantissa == 0 else math.nan
    if exponent == 0 and mantissa == 0:
        return -0.0 if sign else 0.0
    if exponent == 0:
        return math.ldexp(mantissa, -149)'''), "test_fields_to_value_special", "numformat says -4.2"),
    "value_zero_without_sign": ("fields_to_value", _fields_to_value('''
    if exponent == 255:
        return (-math.inf if sign else math.inf) if mantissa == 0 else math.nan
    if exponent == 0 and mantissa == 0:
        return 0.0
    if exponent == 0:
        return (-1) ** sign * math.ldexp(mantissa, -149)'''), "test_fields_to_value_special", "numformat says -0.0"),
    # 3. encoding by hand
    "encode_8625_unbiased_exponent": ("encode_8625", _encoding("8625", 0, 3, "0b000101 << 17"),
                                      "test_encode_8625", r"2\^\(3 - 127\).*not 8\.625"),
    "encode_8625_leading_one_kept": ("encode_8625", _encoding("8625", 0, 130, "0b1000101 << 16"),
                                     "test_encode_8625", r"× 1\.53.*not 8\.625"),
    "encode_8625_mantissa_not_padded": ("encode_8625", _encoding("8625", 0, 130, "0b000101"),
                                        "test_encode_8625", "not 8.625"),
    "encode_8625_fields_added": ("encode_8625", _encoding("8625", 0, 130, "0b000101 << 17",
                                                          bits="sign_8625 + exponent_8625 + mantissa_8625"),
                                 "test_encode_8625", "side by side"),
    "encode_8625_left_none": ("encode_8625", _encoding("8625", 0, "None", "0b000101 << 17", bits="0x410A0000"),
                              "test_encode_8625", "exponent_8625 must be an int"),
    "encode_8625_hex_string": ("encode_8625", _encoding("8625", 0, 130, "0b000101 << 17", bits='"0x410A0000"'),
                               "test_encode_8625", "bits_8625 must be an int"),
    "encode_m015625_sign_0": ("encode_m015625", _encoding("m015625", 0, 124, "0b01 << 21"),
                              "test_encode_m015625", r"\(-1\)\^0.*not -0\.15625"),
    "encode_m015625_exponent_plus_3": ("encode_m015625", _encoding("m015625", 1, 130, "0b01 << 21"),
                                       "test_encode_m015625", r"2\^\(130 - 127\).*not -0\.15625"),
    "encode_m015625_exponent_off_by_one": ("encode_m015625", _encoding("m015625", 1, 125, "0b01 << 21"),
                                           "test_encode_m015625", "not -0.15625"),
    # 4. classify
    "classify_exponent_0_always_zero": ("classify", _classify('''
    if exponent == 0:
        return "zero"
    if exponent == 255:
        return "inf" if mantissa == 0 else "nan"
    return "normal"
'''), "test_classify", "numformat says 'subnormal'"),
    "classify_exponent_255_always_inf": ("classify", _classify('''
    if exponent == 0:
        return "zero" if mantissa == 0 else "subnormal"
    if exponent == 255:
        return "inf"
    return "normal"
'''), "test_classify", "numformat says 'nan'"),
    "classify_inf_nan_swapped": ("classify", _classify('''
    if exponent == 0:
        return "zero" if mantissa == 0 else "subnormal"
    if exponent == 255:
        return "nan" if mantissa == 0 else "inf"
    return "normal"
'''), "test_classify", "numformat says 'inf'"),
    "classify_denormal_name": ("classify", _classify('''
    if exponent == 0:
        return "zero" if mantissa == 0 else "denormal"
    if exponent == 255:
        return "inf" if mantissa == 0 else "nan"
    return "normal"
'''), "test_classify", "numformat says 'subnormal'"),
    "classify_exponent_1_not_normal": ("classify", _classify('''
    if exponent <= 1:
        return "zero" if mantissa == 0 else "subnormal"
    if exponent == 255:
        return "inf" if mantissa == 0 else "nan"
    return "normal"
'''), "test_classify", r"classify\(1, 0\).*'normal'"),
    # 5. ulp32
    "ulp_float64_gap": ("ulp32", _ulp32('''
    return math.nan if math.isinf(x) or math.isnan(x) else math.ulp(x)
'''), "test_ulp32_normal", "numformat.ulp says"),
    "ulp_sign_kept": ("ulp32", _ulp32('''
    if math.isinf(x) or math.isnan(x) or abs(x) == nf.FLOAT32.max:
        return float(nf.ulp(x, nf.FLOAT32))
    (bits,) = struct.unpack(">I", struct.pack(">f", x))
    (above,) = struct.unpack(">f", struct.pack(">I", bits + 1))
    return above - x
'''), "test_ulp32_normal", r"ulp32\(-1000\.5\).*positive"),
    "ulp_gap_below": ("ulp32", _ulp32('''
    if math.isinf(x) or math.isnan(x) or x == 0:
        return float(nf.ulp(x, nf.FLOAT32))
    (bits,) = struct.unpack(">I", struct.pack(">f", abs(x)))
    (below,) = struct.unpack(">f", struct.pack(">I", bits - 1))
    return abs(x) - below
'''), "test_ulp32_normal", r"ulp32\(1\.0\).*numformat.ulp says 1\.19"),
    "ulp_float32_arithmetic": ("ulp32", _ulp32('''
    if math.isinf(x) or math.isnan(x):
        return math.nan
    magnitude = np.float32(abs(x))
    (bits,) = struct.unpack(">I", struct.pack(">f", magnitude))
    if bits == 0x7F7FFFFF:
        return magnitude - np.float32(struct.unpack(">f", struct.pack(">I", bits - 1))[0])
    return np.float32(struct.unpack(">f", struct.pack(">I", bits + 1))[0]) - magnitude
'''), "test_ulp32_normal", "Python float"),
    "ulp_numpy_spacing": ("ulp32", _ulp32('''
    with np.errstate(over="ignore"):
        return float(np.spacing(np.float32(abs(x))))
'''), "test_ulp32_edges", r"ulp32\(max\).*gap below"),
    "ulp_no_largest_rule": ("ulp32", _ulp32('''
    if math.isinf(x) or math.isnan(x):
        return math.nan
    (bits,) = struct.unpack(">I", struct.pack(">f", abs(x)))
    (above,) = struct.unpack(">f", struct.pack(">I", bits + 1))
    return above - abs(x)
'''), "test_ulp32_edges", r"ulp32\(max\)"),
    "ulp_exponent_formula_for_subnormals": ("ulp32", _ulp32('''
    if math.isinf(x) or math.isnan(x):
        return math.nan
    if x == 0:
        return 2.0**-149
    (bits,) = struct.unpack(">I", struct.pack(">f", abs(x)))
    return 2.0 ** (((bits >> 23) & 0xFF) - 150)
'''), "test_ulp32_edges", "subnormal"),
    "ulp_no_special_values": ("ulp32", _ulp32('''
    (bits,) = struct.unpack(">I", struct.pack(">f", abs(x)))
    return 2.0 ** (max((bits >> 23) & 0xFF, 1) - 150)
'''), "test_ulp32_edges", "no ulp"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
