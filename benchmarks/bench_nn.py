"""The int8 CNN: numformat's vectorized engine against onnxruntime, and the MAC loop per image."""

import pathlib
import tempfile

import numpy as np

import numformat as nf
from numformat.nn import quantize_model
from run import Case


def _same_bits(ours, reference):
    assert ours.dtype == reference.dtype == np.float32
    np.testing.assert_array_equal(ours.view(np.uint32), reference.view(np.uint32))


def _one_blas_thread(function):
    """``function`` run with numpy's BLAS on one thread, as onnxruntime is (a fair single-thread race)."""
    try:
        from threadpoolctl import ThreadpoolController  # comes with scikit-learn
    except ImportError:
        return function
    controller = ThreadpoolController()

    def limited():
        with controller.limit(limits=1, user_api="blas"):
            return function()
    return limited


def onnxruntime_race(int8_model, x, what, file_name):
    """The vectorized int8 engine against onnxruntime on ``x``, both on one thread, the outputs
    compared bit for bit; ``None`` without the dev extra (nothing to compare against)."""
    try:
        from numformat.nn import export_onnx, onnxruntime_session, run_onnxruntime
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    path = pathlib.Path(tempfile.mkdtemp(prefix="numformat_bench_")) / file_name
    export_onnx(int8_model, path)
    session = onnxruntime_session(path, threads=1)
    return Case(f"`Int8CNN.forward(x, engine=\"vectorized\", requant=\"float32\")`, {what}, 1 thread",
                _one_blas_thread(lambda: int8_model.forward(x, engine="vectorized", requant="float32")),
                "onnxruntime, exported model, 1 thread", lambda: run_onnxruntime(session, x),
                goal_ratio=2.0, check=_same_bits)


def cases(quick=False):
    x_train, _, x_test, _ = nf.load_digits_split()
    int8_model = quantize_model(nf.load_pretrained(), x_train)
    images = x_test[:8] if quick else x_test
    table = [
        Case("`Int8CNN.forward(x, engine=\"loop\")`, the integer MAC loop, per image",
             lambda: int8_model.forward(images[:1], engine="loop"), goal_seconds=0.020),
    ]
    race = onnxruntime_race(int8_model, images, "450 test images", "digits_int8.onnx")
    if race is not None:
        table.insert(0, race)
    return table
