"""Lab 2's visible tests catch the plausible wrong answers, each with a message that says what is wrong.

The mutants are the mistakes students make in fixed point: the word without its sign bit, raw_max
one too big, float bounds, ``np.floor(v + 0.5)`` (which rounds ``v + 0.5`` first), ties to even or
away from zero, truncation called floor, a forgotten or symmetric saturation, ``np.clip`` in
float64 on words past 53 bits, float or int32 results, float32 values, a product rounded through
float64 or an int32 product, a FIR filter that rounds every product, truncates, forgets to
saturate, wraps its accumulator, reverses its taps or reads past the start of the signal.
"""


from .lab_runner import lab_tests

LAB = "lab02_fixed_point"



def _q_range(body):
    return "def q_range(m, n):\n" + body


def _to_q(rounding_lines, saturate_lines="    raw_max = 2 ** (m + n) - 1\n    return np.clip(v, -raw_max - 1, raw_max).astype(np.int64)\n"):
    """to_q with the given rounding (from ``scaled`` to ``v``) and saturation (from ``v``) lines."""
    return ("def to_q(x, m, n, rounding='nearest'):\n"
            "    scaled = np.asarray(x, dtype=np.float64) * 2.0 ** n\n"
            "    if rounding == 'floor':\n"
            "        v = np.floor(scaled)\n"
            "    else:\n" + rounding_lines + saturate_lines)


EXACT_NEAREST = "        v = np.floor(scaled) + (scaled - np.floor(scaled) >= 0.5)\n"
EXACT_SATURATION = """    limit = 2.0 ** (m + n)
    inside = np.where((v >= -limit) & (v < limit), v, 0).astype(np.int64)
    return np.where(v >= limit, 2 ** (m + n) - 1, np.where(v < -limit, -(2 ** (m + n)), inside))
"""

SATURATION_BEFORE_ROUNDING = """    limit = 2.0 ** (m + n)
    inside = np.where((scaled >= -limit) & (scaled < limit), v, 0).astype(np.int64)
    return np.where(scaled >= limit, 2 ** (m + n) - 1, np.where(scaled < -limit, -(2 ** (m + n)), inside))
"""


def _q_multiply(body):
    return "def q_multiply(a_raw, b_raw, n_a, n_b, m_out, n_out):\n" + body


def _fir(body):
    return "def fir_q15(x_raw, h_raw):\n    x_raw, h_raw = [int(v) for v in x_raw], [int(v) for v in h_raw]\n" + body


FIR_LOOP = """    y = np.zeros(len(x_raw), dtype=np.int64)
    for k in range(len(x_raw)):
        acc = 0
        for j, coefficient in enumerate(h_raw):
            if k - j >= 0:
                acc += {product}
        y[k] = {output}
    return y
"""
EXACT_PRODUCT = "coefficient * x_raw[k - j]"
NEAREST_SATURATED = "min(max((acc + (1 << 14)) >> 15, -(2 ** 15)), 2 ** 15 - 1)"

MUTANTS = {
    # 1. q_range
    "range_without_sign_bit": ("q_range", _q_range('''
    return -(2 ** (m + n - 1)), 2 ** (m + n - 1) - 1, 2.0 ** -n
'''), "test_q_range", r"raw_min -16384.*m \+ n \+ 1 bits"),
    "range_max_one_too_big": ("q_range", _q_range('''
    return -(2 ** (m + n)), 2 ** (m + n), 2.0 ** -n
'''), "test_q_range", r"raw_max 32768 \(expected 32767"),
    "range_step_two_to_the_n": ("q_range", _q_range('''
    return -(2 ** (m + n)), 2 ** (m + n) - 1, 2.0 ** n
'''), "test_q_range", r"step 4096\.0 \(expected 0\.000244"),
    "range_symmetric": ("q_range", _q_range('''
    return -(2 ** (m + n)) + 1, 2 ** (m + n) - 1, 2.0 ** -n
'''), "test_q_range", r"raw_min -32767 \(expected -32768"),
    "range_float_bounds": ("q_range", _q_range('''
    return -(2.0 ** (m + n)), 2.0 ** (m + n) - 1, 2.0 ** -n
'''), "test_q_range", "Python ints"),
    "range_int_step_when_n_is_0": ("q_range", _q_range('''
    return -(2 ** (m + n)), 2 ** (m + n) - 1, 2 ** -n
'''), "test_q_range", r"q_range\(7, 0\).*step.*float"),
    # 2. to_q
    "to_q_floor_v_plus_half": ("to_q", _to_q("        v = np.floor(scaled + 0.5)\n", EXACT_SATURATION),
                               "test_to_q", r"0\.49999999999999994.*v \+ 0\.5"),
    "to_q_saturates_before_rounding": ("to_q", _to_q(EXACT_NEAREST, SATURATION_BEFORE_ROUNDING), "test_to_q",
                                       r"round beyond it \(0\.99999 → 32768\)"),
    "to_q_ties_to_even": ("to_q", _to_q("        v = np.round(scaled)\n", EXACT_SATURATION), "test_to_q", "ties.*up"),
    "to_q_ties_away_from_zero": ("to_q", _to_q("        v = np.sign(scaled) * np.floor(np.abs(scaled) + 0.5)\n", EXACT_SATURATION),
                                 "test_to_q", r"ties.*up.*-0\.5 → 0"),
    "to_q_floor_truncates": ("to_q", _to_q(EXACT_NEAREST, EXACT_SATURATION).replace("np.floor(scaled)\n", "np.trunc(scaled)\n", 1),
                             "test_to_q", r"'floor'.*towards -inf"),
    "to_q_no_saturation": ("to_q", _to_q(EXACT_NEAREST, "    return v.astype(np.int64)\n"), "test_to_q", "saturate"),
    "to_q_symmetric_saturation": ("to_q", _to_q(EXACT_NEAREST, "    raw_max = 2 ** (m + n) - 1\n    return np.clip(v, -raw_max, raw_max).astype(np.int64)\n"),
                                  "test_to_q", r"saturate.*-32768"),
    "to_q_clip_in_float64": ("to_q", _to_q(EXACT_NEAREST), "test_to_q", r"Q20\.40.*2\*\*53"),
    "to_q_returns_float": ("to_q", _to_q(EXACT_NEAREST, "    raw_max = 2 ** (m + n) - 1\n    return np.clip(v, -raw_max - 1, raw_max)\n"),
                           "test_to_q", "int64 numpy array"),
    "to_q_returns_int32": ("to_q", _to_q(EXACT_NEAREST, "    raw_max = 2 ** (m + n) - 1\n    return np.clip(v, -raw_max - 1, raw_max).astype(np.int32)\n"),
                           "test_to_q", "int64 numpy array"),
    "to_q_always_1d": ("to_q", _to_q(EXACT_NEAREST, "    return np.atleast_1d(" + EXACT_SATURATION.split("return ")[1].rstrip() + ")\n").replace(
        "    return np.atleast_1d", EXACT_SATURATION.rsplit("    return", 1)[0] + "    return np.atleast_1d"),
                       "test_to_q", "shape"),
    # 3. from_q
    "from_q_float32": ("from_q", '''
        def from_q(raw, n):
            return np.asarray(raw, dtype=np.float32) / np.float32(2 ** n)
        ''', "test_from_q", "float64"),
    "from_q_through_float32": ("from_q", '''
        def from_q(raw, n):
            return (np.asarray(raw, dtype=np.float32) / 2 ** n).astype(np.float64)
        ''', "test_from_q", r"raw = 2147483647.*expected 0\.9999999995"),
    "from_q_integer_shift": ("from_q", '''
        def from_q(raw, n):
            return np.asarray(raw) >> n
        ''', "test_from_q", "float64"),
    "from_q_off_by_one_bit": ("from_q", '''
        def from_q(raw, n):
            return np.asarray(raw, dtype=np.float64) / 2 ** (n - 1)
        ''', "test_from_q", r"raw = 3277.*expected 0\.100006"),
    # 4. q_multiply
    "multiply_truncates": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip(product >> (n_a + n_b - n_out), -raw_max - 1, raw_max)
'''), "test_q_multiply", "ties up"),
    "multiply_ties_to_even_via_float": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip(np.round(product / 2.0 ** (n_a + n_b - n_out)), -raw_max - 1, raw_max).astype(np.int64)
'''), "test_q_multiply", r"ties.*up.*-0\.5"),
    "multiply_ties_away_from_zero": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    shift = n_a + n_b - n_out
    rounded = np.sign(product) * ((np.abs(product) + (1 << (shift - 1))) >> shift)
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip(rounded, -raw_max - 1, raw_max)
'''), "test_q_multiply", r"ties.*up.*-0\.5"),
    "multiply_rounding_constant_one_step": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    shift = n_a + n_b - n_out
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip((product + (1 << shift)) >> shift, -raw_max - 1, raw_max)
'''), "test_q_multiply", "ties up"),
    "multiply_no_saturation": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    shift = n_a + n_b - n_out
    return (product + (1 << (shift - 1))) >> shift
'''), "test_q_multiply", "saturates to 32767"),
    "multiply_int32_product": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw).astype(np.int32) * np.asarray(b_raw).astype(np.int32)
    shift = n_a + n_b - n_out
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip((product.astype(np.int64) + (1 << (shift - 1))) >> shift, -raw_max - 1, raw_max)
'''), "test_q_multiply", "Q0.31.*int64"),
    "multiply_through_float64": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.float64) * np.asarray(b_raw, dtype=np.float64)
    raw_max = 2 ** (m_out + n_out) - 1
    rounded = np.floor(product / 2.0 ** (n_a + n_b - n_out) + 0.5)
    return np.clip(rounded, -raw_max - 1, raw_max).astype(np.int64)
'''), "test_q_multiply", r"Q0\.31.*float64"),
    "multiply_returns_float": ("q_multiply", _q_multiply('''
    product = np.asarray(a_raw, dtype=np.int64) * np.asarray(b_raw, dtype=np.int64)
    shift = n_a + n_b - n_out
    raw_max = 2 ** (m_out + n_out) - 1
    return np.clip((product + (1 << (shift - 1))) >> shift, -raw_max - 1, raw_max).astype(float)
'''), "test_q_multiply", "int64 numpy array"),
    # 5. fir_q15
    "fir_rounds_every_product": ("fir_q15", _fir(FIR_LOOP.format(
        product="(coefficient * x_raw[k - j] + (1 << 14)) >> 15",
        output="min(max(acc, -(2 ** 15)), 2 ** 15 - 1)")), "test_fir_q15", r"16-tap low-pass: y\[\d+\] = .*expected"),
    "fir_truncates_output": ("fir_q15", _fir(FIR_LOOP.format(
        product=EXACT_PRODUCT, output="min(max(acc >> 15, -(2 ** 15)), 2 ** 15 - 1)")), "test_fir_q15", r"y\[\d+\].*ties up"),
    "fir_ties_to_even": ("fir_q15", _fir(FIR_LOOP.format(
        product=EXACT_PRODUCT, output="min(max(round(acc / 2**15), -(2 ** 15)), 2 ** 15 - 1)")),
        "test_fir_q15", r"ties.*y\[0\] = 0, expected 1"),
    "fir_no_saturation": ("fir_q15", _fir(FIR_LOOP.format(
        product=EXACT_PRODUCT, output="(acc + (1 << 14)) >> 15")), "test_fir_q15", r"saturat.*expected 32767"),
    "fir_int32_accumulator": ("fir_q15", _fir('''
    acc = np.convolve(np.array(x_raw, dtype=np.int32), np.array(h_raw, dtype=np.int32))[: len(x_raw)]
    return np.clip((acc.astype(np.int64) + (1 << 14)) >> 15, -(2 ** 15), 2 ** 15 - 1)
'''), "test_fir_q15", r"saturation.*y\[2\] = -32768, expected 32767"),
    "fir_taps_reversed": ("fir_q15", _fir(FIR_LOOP.format(
        product="coefficient * x_raw[k - j]", output=NEAREST_SATURATED).replace(
        "enumerate(h_raw)", "enumerate(h_raw[::-1])")), "test_fir_q15", r"3 asymmetric taps: y\[0\]"),
    "fir_reads_before_start": ("fir_q15", _fir(FIR_LOOP.format(
        product=EXACT_PRODUCT, output=NEAREST_SATURATED).replace("            if k - j >= 0:\n                acc", "            acc")),
        "test_fir_q15", r"y\[0\] = .*x\[i\] = 0 for i < 0"),
    "fir_full_convolution": ("fir_q15", _fir('''
    acc = np.convolve(np.array(x_raw, dtype=np.int64), np.array(h_raw, dtype=np.int64))
    return np.clip((acc + (1 << 14)) >> 15, -(2 ** 15), 2 ** 15 - 1)
'''), "test_fir_q15", "one output per input"),
    "fir_float_outputs": ("fir_q15", _fir(FIR_LOOP.format(
        product=EXACT_PRODUCT, output=NEAREST_SATURATED).replace("np.zeros(len(x_raw), dtype=np.int64)", "np.zeros(len(x_raw))")),
        "test_fir_q15", "int64 numpy array"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
