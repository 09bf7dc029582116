"""Lab 3's visible tests catch the plausible wrong answers, each with a message that says what is wrong.

The mutants are the mistakes students make building an ADC: an alias that is not folded or keeps
its sign, integer or 0-d results, the bin index returned as a frequency, half a second of signal,
floor or the wrong tie rule in the quantizer, a forgotten or symmetric saturation, the wrong step,
codes instead of values, 20·log10 or an inverted SQNR that divides by zero on identical inputs,
the theory formula instead of a measurement, a swapped polyfit, μ-law without its sign or its μ,
the companding chain in the wrong order, and decibels divided instead of subtracted.
"""


from .lab_runner import lab_tests

LAB = "lab03_adc"



def _quantize(code_line, step="full_scale / 2 ** (bits - 1)", value="codes * step"):
    return (f"def quantize(x, bits, full_scale=1.0):\n    step = {step}\n    v = np.asarray(x, dtype=float) / step\n"
            f"    codes = {code_line}\n    return {value}\n")


NEAREST_EVEN_SATURATED = "np.clip(np.round(v), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)"


def _mu_law(compress, expand):
    return f"def mu_compress(x, mu=255):\n    x = np.asarray(x, dtype=float)\n    return {compress}\n\n\n" \
           f"def mu_expand(y, mu=255):\n    y = np.asarray(y, dtype=float)\n    return {expand}\n"


COMPRESS = "np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)"
EXPAND = "np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu"


def _sqnr_by_bits(kind="mid-rise", amplitude="q.decode(q.code_max)", freq=997, result="np.array(measured)"):
    return f'''
def sqnr_by_bits(bits_list):
    _, unit = nf.sample(lambda t: np.sin(2 * np.pi * {freq} * t + 0.1), 48000, 1.0)
    measured = []
    for n in bits_list:
        q = nf.Quantizer(int(n), kind="{kind}")
        sine = unit * {amplitude}
        measured.append(nf.sqnr_db(sine, q.quantize(sine)))
    return {result}
'''


def _advantage(uniform, mulaw, advantage="mulaw_db - uniform_db"):
    return f"uniform_db = {uniform}\nmulaw_db = {mulaw}\nadvantage_db = {advantage}\n"


UNIFORM = "nf.sqnr_db(quiet_speech, nf.Quantizer(8).quantize(quiet_speech))"
MULAW = "nf.sqnr_db(quiet_speech, mu_law_quantize(quiet_speech))"

MUTANTS = {
    # 1a. predict_alias
    "alias_modulo_only": ("predict_alias", '''
        def predict_alias(f, rate):
            return np.asarray(f, dtype=float) % rate
        ''', "test_predict_alias", r"predict_alias\(4100, 8000\) = 4100.*nearest whole multiple"),
    "alias_keeps_sign": ("predict_alias", '''
        def predict_alias(f, rate):
            f = np.asarray(f, dtype=float)
            return f - rate * np.round(f / rate)
        ''', "test_predict_alias", r"predict_alias\(4100, 8000\) = -3900.*absolute value"),
    "alias_floor_multiple": ("predict_alias", '''
        def predict_alias(f, rate):
            f = np.asarray(f, dtype=float)
            return np.abs(f - rate * np.floor(f / rate))
        ''', "test_predict_alias", "nearest whole multiple"),
    "alias_fmod_negative": ("predict_alias", '''
        def predict_alias(f, rate):
            r = np.fmod(np.asarray(f, dtype=float), rate)
            return np.where(r > rate / 2, rate - r, r)[()]
        ''', "test_predict_alias", r"predict_alias\(-300, 8000\) = -300"),
    "alias_integer_result": ("predict_alias", '''
        def predict_alias(f, rate):
            r = np.asarray(f) % rate
            return np.minimum(r, rate - r)
        ''', "test_predict_alias", "return a float"),
    "alias_list_for_arrays": ("predict_alias", '''
        def predict_alias(f, rate):
            if np.ndim(f) == 0:
                return float(abs(f - rate * round(f / rate)))
            return [predict_alias(v, rate) for v in np.ravel(f)]
        ''', "test_predict_alias", "float64 array of f's shape"),
    # 1b. measure_alias
    "measure_returns_bin_index": ("measure_alias", '''
        def measure_alias(f, rate):
            _, x = nf.sample(lambda t: np.sin(2 * np.pi * f * t), rate, 1.0)
            return np.argmax(np.abs(np.fft.rfft(x)))
        ''', "test_measure_alias", "as a float"),
    "measure_wrong_bin_spacing": ("measure_alias", '''
        def measure_alias(f, rate):
            _, x = nf.sample(lambda t: np.sin(2 * np.pi * f * t), rate, 1.0)
            return float(np.fft.rfftfreq(len(x), rate)[np.argmax(np.abs(np.fft.rfft(x)))])
        ''', "test_measure_alias", r"rfftfreq\(len\(x\), 1 / rate\)"),
    "measure_half_a_second": ("measure_alias", '''
        def measure_alias(f, rate):
            _, x = nf.sample(lambda t: np.sin(2 * np.pi * f * t), rate, 0.5)
            return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(np.abs(np.fft.rfft(x)))])
        ''', "test_measure_alias", r"measure_alias\(5501, 8000\).*one second"),
    # 2a. quantize
    "quantize_floor": ("quantize", _quantize("np.clip(np.floor(v), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)"),
                       "test_quantize", r"x = 0\.2 .*nearest"),
    "quantize_ties_up": ("quantize", _quantize("np.clip(np.floor(v + 0.5), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)"),
                         "test_quantize", r"ties go to the even code"),
    "quantize_ties_away": ("quantize", _quantize("np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)"),
                           "test_quantize", r"x = 0\.125 .*even code"),
    "quantize_no_saturation": ("quantize", _quantize("np.round(v)"), "test_quantize", r"x = 1\.0 .*saturate"),
    "quantize_symmetric_saturation": ("quantize", _quantize("np.clip(np.round(v), -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1)"),
                                      "test_quantize", r"x = -1\.0 .*-4 … 3"),
    "quantize_step_from_all_bits": ("quantize", _quantize(NEAREST_EVEN_SATURATED, step="full_scale / 2 ** bits"),
                                    "test_quantize", "nearest integer"),
    "quantize_ignores_full_scale": ("quantize", _quantize(NEAREST_EVEN_SATURATED, step="1 / 2 ** (bits - 1)"),
                                    "test_quantize", r"full_scale=2\.0.*step is full_scale"),
    "quantize_returns_codes": ("quantize", _quantize(NEAREST_EVEN_SATURATED, value="codes"),
                               "test_quantize", r"expected 0\.25 \(code 1"),
    "quantize_mid_rise": ("quantize", _quantize("np.clip(np.floor(v), -(2 ** (bits - 1)), 2 ** (bits - 1) - 1)",
                                                value="(codes + 0.5) * step"), "test_quantize", "nearest"),
    "quantize_returns_list": ("quantize", _quantize(NEAREST_EVEN_SATURATED, value="(codes * step).tolist()"),
                              "test_quantize", "float64 array"),
    # 2b. sqnr
    "sqnr_20_log10": ("sqnr", '''
        def sqnr(reference, quantized):
            reference = np.asarray(reference, dtype=float)
            return float(20 * np.log10(np.sum(reference**2) / np.sum((reference - np.asarray(quantized)) ** 2)))
        ''', "test_sqnr", "expected 20 dB"),
    "sqnr_inverted": ("sqnr", '''
        def sqnr(reference, quantized):
            reference = np.asarray(reference, dtype=float)
            return float(10 * np.log10(np.sum((reference - np.asarray(quantized)) ** 2) / np.sum(reference**2)))
        ''', "test_sqnr", r"= -20\.0.*expected 20 dB"),
    "sqnr_natural_log": ("sqnr", '''
        def sqnr(reference, quantized):
            reference = np.asarray(reference, dtype=float)
            return float(10 * np.log(np.sum(reference**2) / np.sum((reference - np.asarray(quantized)) ** 2)))
        ''', "test_sqnr", "log10"),
    "sqnr_amplitudes_not_powers": ("sqnr", '''
        def sqnr(reference, quantized):
            reference = np.asarray(reference, dtype=float)
            return float(10 * np.log10(np.sum(np.abs(reference)) / np.sum(np.abs(reference - np.asarray(quantized)))))
        ''', "test_sqnr", "reference²"),
    "sqnr_python_floats_divide_by_zero": ("sqnr", '''
        def sqnr(reference, quantized):
            signal = sum(float(r) ** 2 for r in reference)
            noise = sum((float(r) - float(q)) ** 2 for r, q in zip(reference, quantized))
            return float(10 * np.log10(signal / noise))
        ''', "test_sqnr", r"ZeroDivisionError.*float\('inf'\)"),
    "sqnr_array_result": ("sqnr", '''
        def sqnr(reference, quantized):
            reference = np.asarray(reference, dtype=float)
            noise = reference - np.asarray(quantized, dtype=float)
            return 10 * np.log10(np.sum(reference**2, keepdims=True) / np.sum(noise**2, keepdims=True))
        ''', "test_sqnr", "Python float"),
    # 3a. sqnr_by_bits
    "bits_theory_formula": ("sqnr_by_bits", '''
        def sqnr_by_bits(bits_list):
            return np.array([6.02 * n + 1.76 for n in bits_list])
        ''', "test_sqnr_by_bits", r"2 bits: you measured 13\.8.*measure"),
    "bits_mid_tread": ("sqnr_by_bits", _sqnr_by_bits(kind="mid-tread"), "test_sqnr_by_bits", "mid-rise"),
    "bits_full_amplitude_clips": ("sqnr_by_bits", _sqnr_by_bits(amplitude="1.0"), "test_sqnr_by_bits", r"q\.decode\(q\.code_max\)"),
    "bits_1000_hz": ("sqnr_by_bits", _sqnr_by_bits(freq=1000), "test_sqnr_by_bits", "997 Hz"),
    "bits_list_result": ("sqnr_by_bits", _sqnr_by_bits(result="measured"), "test_sqnr_by_bits", "numpy array"),
    # 3b. fit_slope
    "fit_swapped_result": ("fit_slope", '''
        def fit_slope(bits, sqnr_values):
            intercept, slope = np.polyfit(bits, sqnr_values, 1)
            return float(slope), float(intercept)
        ''', "test_fit_slope", r"slope 1\.76.*\(slope, intercept\)"),
    "fit_swapped_axes": ("fit_slope", '''
        def fit_slope(bits, sqnr_values):
            slope, intercept = np.polyfit(sqnr_values, bits, 1)
            return float(slope), float(intercept)
        ''', "test_fit_slope", r"np\.polyfit\(bits, sqnr_values, 1\)"),
    "fit_degree_2": ("fit_slope", '''
        def fit_slope(bits, sqnr_values):
            return tuple(float(v) for v in np.polyfit(bits, sqnr_values, 2))
        ''', "test_fit_slope", "degree-1"),
    "fit_two_endpoints": ("fit_slope", '''
        def fit_slope(bits, sqnr_values):
            bits, sqnr_values = np.asarray(bits, dtype=float), np.asarray(sqnr_values, dtype=float)
            slope = (sqnr_values[-1] - sqnr_values[0]) / (bits[-1] - bits[0])
            return float(slope), float(sqnr_values[0] - slope * bits[0])
        ''', "test_fit_slope", "least-squares line"),
    "fit_through_origin": ("fit_slope", '''
        def fit_slope(bits, sqnr_values):
            bits, sqnr_values = np.asarray(bits, dtype=float), np.asarray(sqnr_values, dtype=float)
            return float(np.sum(bits * sqnr_values) / np.sum(bits**2)), 0.0
        ''', "test_fit_slope", "np.polyfit"),
    # 4a. mu_compress / mu_expand
    "mu_compress_without_sign": ("mu_law", _mu_law("np.log1p(mu * np.abs(x)) / np.log1p(mu)", EXPAND),
                                 "test_mu_law", r"mu_compress\(x, mu=255\) at x = -1\.0.*sign\(x\)"),
    "mu_compress_log10_numerator": ("mu_law", _mu_law("np.sign(x) * np.log10(1 + mu * np.abs(x)) / np.log(1 + mu)", EXPAND),
                                    "test_mu_law", "mu_compress"),
    "mu_compress_ignores_mu": ("mu_law", _mu_law("np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)", EXPAND),
                               "test_mu_law", r"mu_compress\(x, mu=100\)"),
    "mu_expand_wrong_base": ("mu_law", _mu_law(COMPRESS, "np.sign(y) * (mu ** np.abs(y) - 1) / mu"),
                             "test_mu_law", r"mu_expand\(x, mu=255\).*\(1 \+ μ\)"),
    "mu_expand_without_sign": ("mu_law", _mu_law(COMPRESS, "((1 + mu) ** y - 1) / mu"), "test_mu_law", r"mu_expand.*x = -1\.0"),
    "mu_expand_ignores_mu": ("mu_law", _mu_law(COMPRESS, "np.sign(y) * (256 ** np.abs(y) - 1) / 255"),
                             "test_mu_law", r"mu_expand\(x, mu=100\)"),
    # 4b. mu_law_quantize
    "chain_quantize_first": ("mu_law_quantize", '''
        def mu_law_quantize(x, bits=8, mu=255):
            return mu_expand(mu_compress(nf.Quantizer(bits).quantize(x), mu), mu)
        ''', "test_mu_law_quantize", r"bits=8, mu=255.*compress with mu"),
    "chain_without_expand": ("mu_law_quantize", '''
        def mu_law_quantize(x, bits=8, mu=255):
            return nf.Quantizer(bits).quantize(mu_compress(x, mu))
        ''', "test_mu_law_quantize", "expand with the same mu"),
    "chain_always_8_bits": ("mu_law_quantize", '''
        def mu_law_quantize(x, bits=8, mu=255):
            return mu_expand(nf.Quantizer(8).quantize(mu_compress(x, mu)), mu)
        ''', "test_mu_law_quantize", r"bits=6.*nf\.Quantizer\(bits\)"),
    "chain_default_mu": ("mu_law_quantize", '''
        def mu_law_quantize(x, bits=8, mu=255):
            return mu_expand(nf.Quantizer(bits).quantize(mu_compress(x)))
        ''', "test_mu_law_quantize", r"mu=100.*same mu"),
    "chain_mid_rise": ("mu_law_quantize", '''
        def mu_law_quantize(x, bits=8, mu=255):
            return mu_expand(nf.Quantizer(bits, kind="mid-rise").quantize(mu_compress(x, mu)), mu)
        ''', "test_mu_law_quantize", "numformat's chain"),
    # 4c. the advantage
    "advantage_sign_flipped": ("advantage", _advantage(UNIFORM, MULAW, "uniform_db - mulaw_db"),
                               "test_advantage", "mulaw_db - uniform_db"),
    "advantage_ratio": ("advantage", _advantage(UNIFORM, MULAW, "mulaw_db / uniform_db"), "test_advantage", "subtract"),
    "advantage_arguments_swapped": ("advantage", _advantage(
        "nf.sqnr_db(nf.Quantizer(8).quantize(quiet_speech), quiet_speech)",
        "nf.sqnr_db(mu_law_quantize(quiet_speech), quiet_speech)"), "test_advantage", "uniform_db.*reference first"),
    "advantage_mulaw_arguments_swapped": ("advantage", _advantage(UNIFORM, "nf.sqnr_db(mu_law_quantize(quiet_speech), quiet_speech)"),
                                          "test_advantage", "mulaw_db.*reference first"),
    "advantage_16_bit_uniform": ("advantage", _advantage("nf.sqnr_db(quiet_speech, nf.Quantizer(16).quantize(quiet_speech))", MULAW),
                                 "test_advantage", r"uniform_db.*Quantizer\(8\)"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
