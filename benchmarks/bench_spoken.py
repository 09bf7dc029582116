"""The spoken-digit CNN: the MAC loop per clip, the vectorized int8 engine on the whole official
test split against onnxruntime (1 thread), the log-mel front end, and loading the shipped data."""

from numformat.nn import spoken
from numformat.nn.features import spoken_digit_features
from run import Case

from bench_nn import onnxruntime_race


def cases(quick=False):
    _, test = spoken.load_spoken_digits("official")
    clips = test.audio[:8] if quick else test.audio
    x_test = spoken_digit_features(clips)
    int8_model = spoken.load_spoken_int8()
    table = [
        Case(f"`Int8CNN.forward(x, engine=\"loop\")`, spoken-digit CNN ({spoken.SPOKEN_CNN.multiply_accumulates:,} MACs), "
             "per clip",
             lambda: int8_model.forward(x_test[:1], engine="loop"), goal_seconds=0.25, repeats=3),
        Case("`spoken_digit_features`, the 300 official test clips (trim, frame, window, FFT, mel, log)",
             lambda: spoken_digit_features(clips), goal_seconds=1.0, repeats=3),
        Case("`load_spoken_digits()`, 3,000 μ-law clips decoded", lambda: spoken.load_spoken_digits(),
             goal_seconds=1.0, repeats=3),
    ]
    race = onnxruntime_race(int8_model, x_test, "spoken digits, 300 test clips", "spoken_int8.onnx")
    if race is not None:
        table.insert(0, race)
    return table
