"""Run a ``.tflite`` file in the LiteRT interpreter (``ai-edge-litert``), with any of its three kernel sets.

One file, three sets of integers: LiteRT chooses the kernels that run an operator with its
``OpResolverType``, and each set rounds its own way (each reproduced bit for bit by
:meth:`Int8CNN.forward(x, requant="litert-...") <numformat.nn.Int8CNN.forward>`):

==============  ====================================  ============================================
``kernels``     ``OpResolverType``                    requantization (:data:`~numformat.quant.requantization.RUNTIMES`)
==============  ====================================  ============================================
``xnnpack``     ``AUTO`` (the XNNPACK delegate)        float32 multiplier, half to even (as onnxruntime)
``reference``   ``BUILTIN_REF``                        conv: fixed point, double rounding (gemmlowp);
                                                      fully connected: float64, halves away from zero
``optimized``   ``BUILTIN_WITHOUT_DEFAULT_DELEGATES``  fixed point, double rounding, both halves up
==============  ====================================  ============================================

The interpreter is imported here, inside the functions, never at ``import numformat``.
"""

from __future__ import annotations

import os

import numpy as np

from ..checks import check_int, check_mode
from .architecture import check_batch
from .tflite_flatbuffer import FILE_IDENTIFIER, require

#: ``kernels`` → the name of LiteRT's ``OpResolverType`` that selects them.
KERNELS = {"xnnpack": "AUTO", "reference": "BUILTIN_REF", "optimized": "BUILTIN_WITHOUT_DEFAULT_DELEGATES"}
#: ``kernels`` → the ``requant=`` name whose integers :class:`~numformat.nn.Int8CNN` gives for them.
RUNTIME_OF_KERNELS = {"xnnpack": "litert-xnnpack", "reference": "litert-reference", "optimized": "litert-optimized"}


def read_flatbuffer(path):
    """The bytes of a ``.tflite`` file, or a clear error when it is not one."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    with open(path, "rb") as file:
        content = file.read()
    if len(content) < 8 or content[4:8] != FILE_IDENTIFIER:
        raise ValueError(f"{os.fspath(path)!r} is not a TFLite flatbuffer: bytes 4-8 are {content[4:8]!r}, "
                         f"not the file identifier {FILE_IDENTIFIER!r}")
    return content


def litert_interpreter(path, *, kernels="xnnpack", threads=1):
    """A LiteRT ``Interpreter`` for the file at ``path`` with the chosen ``kernels`` and ``threads``.

    A file LiteRT cannot run (an operator it does not know, a tensor type a kernel refuses)
    raises ``ValueError`` with LiteRT's own message.
    """
    check_mode(kernels, tuple(KERNELS), "kernels")
    check_int(threads, "threads", low=1)
    content = read_flatbuffer(path)
    interpreter_module = require("ai_edge_litert.interpreter")
    resolver = getattr(interpreter_module.OpResolverType, KERNELS[kernels])
    try:
        interpreter = interpreter_module.Interpreter(model_content=content, num_threads=threads,
                                                     experimental_op_resolver_type=resolver)
        interpreter.allocate_tensors()
    except (RuntimeError, ValueError) as error:
        raise ValueError(f"LiteRT cannot run {os.fspath(path)!r} with kernels={kernels!r}: {error}") from None
    return interpreter


def run_litert(model, x, *, kernels="xnnpack", threads=1, codes=False):
    """Run a file written by :func:`~numformat.nn.export_tflite` on the inputs ``x``.

    Parameters
    ----------
    model : str, os.PathLike or LiteRT Interpreter
        The ``.tflite`` file, or an interpreter from :func:`litert_interpreter` (reuse one to
        time repeated runs; ``kernels`` and ``threads`` are then its own).
    x : numpy.ndarray, shape (N, C, H, W) or (N, K)
        Channels first, as :class:`~numformat.nn.Int8CNN` takes them (transposed to NHWC here).
    kernels : {"xnnpack", "reference", "optimized"}
        Which of LiteRT's kernel sets runs the operators (see the module docstring).
    threads : int
        The interpreter's threads, when ``model`` is a path.
    codes : bool
        Return every named tensor's integer codes, channels first, as
        :meth:`Int8CNN.layer_outputs` does (export ``with_codes=True``), instead of the logits.

    Returns
    -------
    numpy.ndarray of float32 logits ``(N, classes)``, or a dict of code arrays

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from numformat.nn import export_tflite, load_digits_split, load_pretrained, quantize_model
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> int8_model = quantize_model(load_pretrained(), x_train)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "digits.tflite"
    >>> _ = export_tflite(int8_model, path, with_codes=True)
    >>> codes = run_litert(path, x_test[:5], kernels="optimized", codes=True)
    >>> ours = int8_model.layer_outputs(x_test[:5], requant="litert-optimized")
    >>> all(np.array_equal(codes[name], ours[name]) for name in ours)
    True
    """
    interpreter = model if hasattr(model, "invoke") else litert_interpreter(model, kernels=kernels, threads=threads)
    image = interpreter.get_input_details()[0]
    input_shape = tuple(int(side) for side in image["shape"][1:])
    channels_first = (input_shape[-1], *input_shape[:-1]) if len(input_shape) == 3 else input_shape
    check_batch(x, channels_first)
    batch = np.ascontiguousarray(np.moveaxis(x, 1, -1) if x.ndim == 4 else x, dtype=np.float32)
    if tuple(image["shape"]) != batch.shape:
        interpreter.resize_tensor_input(image["index"], list(batch.shape))
        interpreter.allocate_tensors()
    interpreter.set_tensor(image["index"], batch)
    interpreter.invoke()
    outputs = {detail["name"]: interpreter.get_tensor(detail["index"]) for detail in interpreter.get_output_details()}
    if not codes:
        return outputs["logits"]
    found = {name[:-len("_codes")]: value for name, value in outputs.items() if name.endswith("_codes")}
    if not found:
        raise ValueError("the model has no code outputs: export it with export_tflite(..., with_codes=True)")
    return {name: np.moveaxis(value, -1, 1) if value.ndim == 4 else value for name, value in found.items()}
