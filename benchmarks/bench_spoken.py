"""The spoken-digit CNN: the MAC loop per clip, the vectorized int8 engine on the whole official
test split against onnxruntime (1 thread), the log-mel front end, and loading the shipped data."""

import pathlib
import tempfile

import numpy as np

from numformat.nn import spoken
from numformat.nn.features import spoken_digit_features
from run import Case

from bench_nn import _one_blas_thread, _same_bits


def cases(quick=False):
    _, test = spoken.load_spoken_digits("official")
    clips = test.audio[:8] if quick else test.audio
    x_test = spoken_digit_features(clips)
    int8_model = spoken.load_spoken_int8()
    table = [
        Case("`Int8CNN.forward(x, engine=\"loop\")`, spoken-digit CNN (378,880 MACs), per clip",
             lambda: int8_model.forward(x_test[:1], engine="loop"), goal_seconds=0.25, repeats=3),
        Case("`spoken_digit_features`, the 300 official test clips (trim, frame, window, FFT, mel, log)",
             lambda: spoken_digit_features(clips), goal_seconds=1.0, repeats=3),
        Case("`load_spoken_digits()`, 3,000 μ-law clips decoded", lambda: spoken.load_spoken_digits(),
             goal_seconds=1.0, repeats=3),
    ]
    try:
        from numformat.nn import export_onnx, onnxruntime_session, run_onnxruntime
        import onnxruntime  # noqa: F401
    except ImportError:  # the dev extra is not installed: nothing to compare against
        return table
    path = pathlib.Path(tempfile.mkdtemp(prefix="numformat_bench_")) / "spoken_int8.onnx"
    export_onnx(int8_model, path)
    session = onnxruntime_session(path, threads=1)
    table.insert(0, Case(
        "`Int8CNN.forward(x, engine=\"vectorized\", requant=\"float32\")`, spoken digits, 300 test clips, 1 thread",
        _one_blas_thread(lambda: int8_model.forward(x_test, engine="vectorized", requant="float32")),
        "onnxruntime, exported model, 1 thread", lambda: run_onnxruntime(session, x_test),
        goal_ratio=2.0, check=_same_bits))
    return table
