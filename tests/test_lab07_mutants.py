"""Lab 7's visible tests catch the plausible wrong answers, each with a message that says what is wrong.

The mutants are the mistakes students make measuring a converter: a fit without its offset
column, 2π or the sample rate forgotten in the time axis, the phase's sign, the amplitude as
a + b, a list instead of a tuple; SINAD from a peak instead of an RMS, with 10·log10, or with the
ratio upside down; ENOB without the 1.76 dB or multiplied; error feedback that adds the error,
measures it from x, forgets it, or never updates it; and a gain measured over the whole band, the
wrong way round, or from the wrong model orders.
"""

from .lab_runner import lab_tests

LAB = "lab07_adc_measurement"


def _fit(columns="np.cos(omega_t), np.sin(omega_t), np.ones(x.size)", omega_t="2 * np.pi * freq * np.arange(x.size) / rate",
         result="float(np.hypot(a, b)), float(np.arctan2(-b, a)), float(c)"):
    return f'''
def sine_fit_3(x, rate, freq):
    x = np.asarray(x, dtype=float)
    omega_t = {omega_t}
    columns = np.column_stack([{columns}])
    solution, *_ = np.linalg.lstsq(columns, x, rcond=None)
    a, b, c = (list(solution) + [0.0])[:3]
    return {result}
'''


def _sinad(ratio="fit.amplitude / np.sqrt(2) / residual_rms", scale="20", enob="(sinad_db - 1.76) / 6.02"):
    return f'''
def sinad_from_fit(x, rate, freq):
    x = np.asarray(x, dtype=float)
    fit = nf.sine_fit(x, rate, freq=freq)
    residual_rms = np.sqrt(np.mean((x - fit.samples(x.size)) ** 2))
    return float({scale} * np.log10({ratio}))


def enob_from_sinad(sinad_db):
    return float({enob})
'''


def _feedback(wanted="sample - error", error="y[n] - wanted"):
    return f'''
def error_feedback_quantize(x, bits):
    quantizer = nf.Quantizer(bits)
    x = np.asarray(x, dtype=float)
    y = np.empty_like(x)
    error = 0.0
    for n, sample in enumerate(x):
        wanted = {wanted}
        y[n] = quantizer.quantize(wanted)
        error = {error}
    return y
'''


def _gain(band="1 / (2 * osr)", gain="shaped_db - plain_db", orders=(1, 0), shaped_order=1):
    return f'''
band = {band}
plain_db = nf.adc.sinad_db(q.quantize(x + nf.tpdf_dither(x.size, q.step, rng=0)), 1.0, window="hann", band=band)
shaped_db = nf.adc.sinad_db(nf.noise_shape(x, q, order={shaped_order}, rng=0), 1.0, window="hann", band=band)
gain_db = {gain}
model_gain_db = (nf.adc.theoretical_inband_sqnr_db({orders[0]}, osr, amplitude=0.5, step=q.step)
                 - nf.adc.theoretical_inband_sqnr_db({orders[1]}, osr, amplitude=0.5, step=q.step))
'''


MUTANTS = {
    # 1. the 3-parameter fit
    "fit_without_offset_column": ("sine_fit_3", _fit(columns="np.cos(omega_t), np.sin(omega_t)"),
                                  "test_sine_fit_3", "column of ones"),
    "fit_forgets_two_pi": ("sine_fit_3", _fit(omega_t="freq * np.arange(x.size) / rate"),
                           "test_sine_fit_3", "ω = 2π·freq"),
    "fit_forgets_the_rate": ("sine_fit_3", _fit(omega_t="2 * np.pi * freq * np.arange(x.size)"),
                             "test_sine_fit_3", "t = k / rate"),
    "fit_phase_sign": ("sine_fit_3", _fit(result="float(np.hypot(a, b)), float(np.arctan2(b, a)), float(c)"),
                       "test_sine_fit_3", r"atan2\(−b, a\)"),
    "fit_amplitude_sum": ("sine_fit_3", _fit(result="float(abs(a) + abs(b)), float(np.arctan2(-b, a)), float(c)"),
                          "test_sine_fit_3", "√\\(a² \\+ b²\\)"),
    "fit_returns_a_list": ("sine_fit_3", _fit(result="[float(np.hypot(a, b)), float(np.arctan2(-b, a)), float(c)]"),
                           "test_sine_fit_3", "a tuple of three Python floats"),
    # 2. SINAD and ENOB
    "sinad_peak_not_rms": ("sinad_enob", _sinad(ratio="fit.amplitude / residual_rms"), "test_sinad_enob", "amplitude/√2"),
    "sinad_record_rms": ("sinad_enob", _sinad(ratio="np.sqrt(np.mean(x ** 2)) / residual_rms"), "test_sinad_enob",
                         "not the record's RMS"),
    "sinad_ten_log": ("sinad_enob", _sinad(scale="10"), "test_sinad_enob", "20·log10"),
    "sinad_upside_down": ("sinad_enob", _sinad(ratio="residual_rms / (fit.amplitude / np.sqrt(2))"),
                          "test_sinad_enob", "the sine's RMS being amplitude/√2"),
    "enob_without_crest": ("sinad_enob", _sinad(enob="sinad_db / 6.02"), "test_sinad_enob", r"\(SINAD − 1.76\) / 6.02"),
    "enob_multiplied": ("sinad_enob", _sinad(enob="(sinad_db - 1.76) * 6.02"), "test_sinad_enob", "/ 6.02"),
    # 3. error feedback
    "feedback_added": ("error_feedback", _feedback(wanted="sample + error"), "test_error_feedback",
                       "subtracted, not added"),
    "feedback_error_from_x": ("error_feedback", _feedback(error="y[n] - sample"), "test_error_feedback",
                              "measured from u\\[n\\], not from x\\[n\\]"),
    "feedback_forgotten": ("error_feedback", _feedback(wanted="sample"), "test_error_feedback", "plain rounding.*reach"),
    "feedback_never_updated": ("error_feedback", _feedback(error="0.0"), "test_error_feedback", "plain rounding.*reach"),
    "feedback_error_sign": ("error_feedback", _feedback(error="wanted - y[n]"), "test_error_feedback",
                            "e\\[n\\] = y\\[n\\] − u\\[n\\]"),
    # 4. the gain
    "gain_whole_band": ("gain", _gain(band="0.5"), "test_gain", "only the band"),
    "gain_wrong_way_round": ("gain", _gain(gain="plain_db - shaped_db"), "test_gain", "shaped_db − plain_db"),
    "gain_wrong_model_orders": ("gain", _gain(orders=(2, 0)), "test_gain", "order 1 minus the same for order 0"),
    "gain_second_order_shaping": ("gain", _gain(shaped_order=2), "test_gain", "order=1"),
}


test_reference_solution_passes_every_visible_test, test_visible_tests_catch = lab_tests(LAB, MUTANTS)
