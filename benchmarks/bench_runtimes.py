"""Is int8 faster? The int8 and float32 versions of the same network, in the same runtime, 1 thread.

Each row times the int8 model (``export_tflite`` / ``export_onnx`` of ``quantize_model``'s
``Int8CNN``) against the float32 model of the same network in the same runtime: LiteRT with
XNNPACK (its default delegate), LiteRT's optimized kernels without delegates, LiteRT's
reference kernels, and onnxruntime's CPU provider.  The ratio is int8's time over float32's:
below 1 means int8 is faster.  Before timing, each case checks that the int8 run gives exactly
the integers of ``Int8CNN.forward(x, requant=<that runtime>)`` and the float32 run the logits
of ``FloatCNN.forward`` (to float32 summation order).

Why is onnxruntime's int8 slower than its float32?  One more onnxruntime row per network
answers part of it: the same int8 model exported with **uint8** activations (every activation
zero point + 128, the same integers shifted, :func:`uint8_activations`) runs on onnxruntime's
x86 u8 × s8 kernels, against the int8-activation export the course ships.  On x86 CPUs without
VNNI those kernels add pairs of u8 × s8 products in int16 (``vpmaddubsw``), which saturates for
full-range int8 weights (255 × 127 × 2 > 32,767) and changes the integers; so this row times a
stand-in with every weight code halved to 7 bits (:func:`seven_bit_weights`, what
onnxruntime's ``reduce_range`` quantizes to), where both exports give exactly
``Int8CNN.forward(requant="onnxruntime")``'s integers on every CPU.

Networks: the digits CNN on its 450 test images, the spoken-digit CNN when the package ships
it, and one larger convolution (32×32 pixels, 32 → 64 channels, 3×3) where the arithmetic
outweighs the per-call overhead.  The CPU's vector instruction sets are printed first: int8's
advantage depends on them (AVX-512 VNNI multiplies int8 pairs and accumulates in int32 in one
instruction).
"""

import dataclasses
import pathlib
import tempfile

import numpy as np

import numformat as nf
from numformat.nn import (Architecture, Conv2d, Dense, Flatten, FloatCNN, Int8CNN, MaxPool, ReLU, export_tflite,
                          litert_interpreter, quantize_model, run_litert)
from run import Case

#: The LiteRT rows: the runtime's label and its ``kernels=``.
LITERT_KERNELS = {"LiteRT XNNPACK": "xnnpack", "LiteRT optimized kernels": "optimized",
                  "LiteRT reference kernels": "reference"}
LARGE_CONV = Architecture("large_conv", (32, 32, 32), (
    Conv2d("conv", 32, 64, kernel=3, padding=1), ReLU(), MaxPool("pool", 4), Flatten(), Dense("fc", 64 * 8 * 8, 10)))
VECTOR_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "avx512_bf16",
                "amx_int8", "asimd", "asimddp", "i8mm")


def cpu_summary():
    """The CPU's name and the vector instruction sets int8 and float32 kernels use (Linux)."""
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        import platform

        return platform.processor() or platform.machine()
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    fields = {key.strip(): value.strip() for key, value in fields.items()}
    flags = set((fields.get("flags") or fields.get("Features") or "").split())
    name = fields.get("model name") or fields.get("CPU implementer", "unknown CPU")
    return f"{name}; vector extensions: {' '.join(flag for flag in VECTOR_FLAGS if flag in flags) or 'none listed'}"


def networks(quick):
    """``(label, FloatCNN, inputs)``: the digits CNN, the spoken-digit CNN if shipped, a large conv."""
    x_train, _, x_test, _ = nf.load_digits_split()
    found = [("digits CNN, 450 images", nf.load_pretrained(), x_test[:8] if quick else x_test, x_train)]
    spoken = spoken_digits(quick)
    if spoken is not None:
        found.append(spoken)
    rng = np.random.default_rng(0)
    model = FloatCNN.initial(rng, LARGE_CONV)
    images = rng.uniform(0, 1, (2 if quick else 16, *LARGE_CONV.input_shape)).astype(np.float32)
    found.append(("conv 3×3 32→64 on 32×32, 16 images", model, images, images))
    return found


def spoken_digits(quick):
    """The spoken-digit CNN and its test features, when this version of the package has them."""
    import inspect

    if "name" not in inspect.signature(nf.load_pretrained).parameters or not hasattr(nf.nn, "load_spoken_digits"):
        return None
    model = nf.load_pretrained("spoken_digits")
    train, test = nf.nn.load_spoken_digits()
    features = nf.nn.spoken_digit_features(test.audio[:8] if quick else test.audio)
    return "spoken-digit CNN", model, features, nf.nn.spoken_digit_features(train.audio[:200])


def float_onnx(model, path):
    """The float32 network as ONNX (Conv, Relu, MaxPool, Flatten, Gemm): onnxruntime's baseline."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights, current = [], [], "image"
    for step in model.architecture.steps:
        layer, output = step.layer, step.output or "flat"
        if isinstance(layer, (Conv2d, Dense)):
            names = [f"{layer.name}_weight", f"{layer.name}_bias"]
            weights += [numpy_helper.from_array(model.params[name].astype(np.float32), name) for name in names]
            if isinstance(layer, Conv2d):
                nodes.append(helper.make_node("Conv", [current, *names], [f"{output}_linear"], pads=[layer.padding] * 4,
                                              strides=[layer.stride] * 2))
            else:
                nodes.append(helper.make_node("Gemm", [current, *names], [f"{output}_linear"], transB=1))
            current = f"{output}_linear"
            if step.relu:
                nodes.append(helper.make_node("Relu", [current], [output]))
                current = output
        elif isinstance(layer, MaxPool):
            nodes.append(helper.make_node("MaxPool", [current], [output], kernel_shape=[layer.size] * 2,
                                          strides=[layer.size] * 2))
            current = output
        else:
            nodes.append(helper.make_node("Flatten", [current], [output], axis=1))
            current = output
    nodes.append(helper.make_node("Identity", [current], ["logits"]))
    graph = helper.make_graph(nodes, "float", [helper.make_tensor_value_info(
        "image", TensorProto.FLOAT, ["N", *model.architecture.input_shape])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", model.architecture.classes])], weights)
    onnx.save(helper.make_model_gen_version(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))


def seven_bit_weights(int8_model):
    """``int8_model`` with every weight code halved (floor) to [-64, 63]: a timing stand-in."""
    layers = [dataclasses.replace(layer, weight=(layer.weight // 2).astype(np.int8)) for layer in int8_model.layers]
    return Int8CNN(int8_model.input_qp, layers, int8_model.architecture)


def uint8_activations(path, out_path):
    """Rewrite the ONNX model at ``path`` with uint8 activations: every int8 activation zero point
    (not the weights') becomes uint8 ``zero_point + 128``, so every activation code is the int8
    one + 128 and every real value the same."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    for initializer in model.graph.initializer:
        if (initializer.name.endswith("_zero_point") and "weight" not in initializer.name
                and initializer.data_type == onnx.TensorProto.INT8):
            shifted = numpy_helper.to_array(initializer).astype(np.int16) + 128
            initializer.CopyFrom(numpy_helper.from_array(shifted.astype(np.uint8), initializer.name))
    onnx.save(model, str(out_path))


def exact(expected):
    """The check of a row comparing two int8 runs: both give ``expected`` bit for bit."""
    def check(ours, theirs):
        np.testing.assert_array_equal(ours, expected)
        np.testing.assert_array_equal(theirs, expected)
    return check


def exact_and_close(int8_expected, float_expected):
    """The check of a row: int8 logits bit for bit, float32 logits to summation order."""
    def check(int8_logits, float_logits):
        np.testing.assert_array_equal(int8_logits, int8_expected)
        np.testing.assert_allclose(float_logits, float_expected, rtol=1e-4, atol=1e-4 * np.abs(float_expected).max())
    return check


def cases(quick=False):
    try:
        import ai_edge_litert  # noqa: F401
        import onnxruntime  # noqa: F401
        from numformat.nn import export_onnx, onnxruntime_session, run_onnxruntime
    except ImportError:  # the dev extra is not installed: nothing to time
        return []
    if not quick:
        print(f"CPU: {cpu_summary()}")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="numformat_bench_runtimes_"))
    table = []
    for label, model, x, calib in networks(quick):
        int8_model = quantize_model(model, calib)
        stem = folder / model.architecture.name
        export_tflite(int8_model, stem.with_suffix(".int8.tflite"))
        export_tflite(model, stem.with_suffix(".float.tflite"))
        float_expected = model.forward(x)
        for runtime, kernels in LITERT_KERNELS.items():
            if kernels == "reference" and model.architecture is not LARGE_CONV:
                continue  # the reference kernels are for reading, not speed: one row shows it
            int8_run = litert_interpreter(stem.with_suffix(".int8.tflite"), kernels=kernels)
            float_run = litert_interpreter(stem.with_suffix(".float.tflite"), kernels=kernels)
            table.append(Case(
                f"{label}: int8 in {runtime}, 1 thread", lambda run=int8_run, x=x: run_litert(run, x),
                f"float32 in {runtime}", lambda run=float_run, x=x: run_litert(run, x),
                goal_ratio=1.0,
                check=exact_and_close(int8_model.forward(x, requant=f"litert-{kernels}"), float_expected)))
        export_onnx(int8_model, stem.with_suffix(".int8.onnx"))
        float_onnx(model, stem.with_suffix(".float.onnx"))
        int8_session, float_session = (onnxruntime_session(stem.with_suffix(f".{kind}.onnx"), threads=1)
                                       for kind in ("int8", "float"))
        table.append(Case(
            f"{label}: int8 in onnxruntime, 1 thread", lambda session=int8_session, x=x: run_onnxruntime(session, x),
            "float32 in onnxruntime", lambda session=float_session, x=x: run_onnxruntime(session, x),
            # Reported without a goal: on this CPU onnxruntime's int8 QLinearConv path is slower than its
            # float32 one for these layers (the README says so); the finding is the number.
            check=exact_and_close(int8_model.forward(x, requant="onnxruntime"), float_expected)))
        seven_bit = seven_bit_weights(int8_model)
        export_onnx(seven_bit, stem.with_suffix(".int8_w7.onnx"))
        uint8_activations(stem.with_suffix(".int8_w7.onnx"), stem.with_suffix(".uint8_w7.onnx"))
        u8_session, s8_session = (onnxruntime_session(stem.with_suffix(f".{kind}_w7.onnx"), threads=1)
                                  for kind in ("uint8", "int8"))
        table.append(Case(
            f"{label}, weights halved to 7 bits: uint8 activations in onnxruntime, 1 thread",
            lambda session=u8_session, x=x: run_onnxruntime(session, x),
            "int8 activations (the shipped export) in onnxruntime",
            lambda session=s8_session, x=x: run_onnxruntime(session, x),
            check=exact(seven_bit.forward(x, requant="onnxruntime"))))
    return table
