"""The float building blocks of a network, forward and backward, in plain numpy.

A 3×3 convolution is a matrix product once every 3×3 neighbourhood is unrolled into a row
(:func:`im2col`): ``rows (N·H·W, C·9) @ weights.T (C·9, O)``.  The int8 engine reuses the same
:func:`im2col` with the input's zero point as the padding value, because in int8 a padded
0.0 is the integer ``zero_point``, not the integer 0.

Every float operation here is an IEEE-754 basic operation (``+ - × ÷ √``, each correctly
rounded) in an order that depends only on the arrays' shapes and layouts, so training gives the
same bits on every machine:

* :func:`fixed_order_matmul` instead of ``@`` — BLAS picks its summation order (and FMA use)
  per CPU, so ``a @ b`` can differ in the last bit between two laptops, while numpy's own
  multiply and ``sum`` do not;
* :func:`fixed_order_exp` instead of ``np.exp`` — numpy's ``exp`` runs CPU-specific SIMD code
  (AVX-512 here, libm elsewhere) that may round differently in the last bit.

Layouts follow ONNX: images ``(N, C, H, W)``, conv weights ``(O, C, kH, kW)``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

KERNEL = 3
POOL = 2
_CHUNK_ELEMENTS = 2 ** 22  # bounds the (rows, K, cols) temporary of fixed_order_matmul: 16 MB of float32


def im2col(x, *, padding=1, pad_value=0, kernel=KERNEL, stride=1):
    """Unroll every ``kernel×kernel`` neighbourhood of ``x`` into a row of taps.

    Parameters
    ----------
    x : numpy.ndarray, shape (N, C, H, W)
    padding : int
        Rows and columns of ``pad_value`` added on each side (1 keeps H×W for a 3×3 kernel).
    pad_value : scalar
        What the border holds: 0.0 for floats, the zero point for quantized integers.
    kernel : int
    stride : int
        Step between neighbourhoods: ``H_out = (H + 2·padding - kernel) // stride + 1``.

    Returns
    -------
    numpy.ndarray, shape (N, H_out, W_out, C·kernel²)
        Taps ordered (channel, row, column) — the order of a flattened ``(O, C, kH, kW)`` weight.

    Examples
    --------
    >>> x = np.arange(4).reshape(1, 1, 2, 2)
    >>> im2col(x, padding=1, pad_value=-1)[0, 0, 0].tolist()  # the neighbourhood of pixel (0, 0)
    [-1, -1, -1, -1, 0, 1, -1, 2, 3]
    >>> im2col(np.arange(16).reshape(1, 1, 4, 4), padding=0, kernel=2, stride=2)[0].tolist()
    [[[0, 1, 4, 5], [2, 3, 6, 7]], [[8, 9, 12, 13], [10, 11, 14, 15]]]
    """
    n, channels, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=pad_value)
    out_height, out_width = output_side(height, kernel, padding, stride), output_side(width, kernel, padding, stride)
    cols = np.empty((n, out_height, out_width, channels, kernel, kernel), dtype=x.dtype)
    for dy in range(kernel):  # a loop over the kernel's offsets, each a whole-array copy
        for dx in range(kernel):
            window = padded[:, :, dy:dy + stride * (out_height - 1) + 1:stride, dx:dx + stride * (out_width - 1) + 1:stride]
            cols[..., dy, dx] = window.transpose(0, 2, 3, 1)
    return cols.reshape(n, out_height, out_width, channels * kernel * kernel)


def output_side(side, kernel, padding, stride):
    """Outputs along one axis of a convolution: ``(side + 2·padding - kernel) // stride + 1``."""
    return (side + 2 * padding - kernel) // stride + 1


def col2im(dcols, x_shape, *, padding=1, kernel=KERNEL, stride=1):
    """The adjoint of :func:`im2col`: add each row's gradient back onto the pixels it came from."""
    n, channels, height, width = x_shape
    out_height, out_width = dcols.shape[1:3]
    dcols = dcols.reshape(n, out_height, out_width, channels, kernel, kernel)
    dpadded = np.zeros((n, channels, height + 2 * padding, width + 2 * padding), dtype=dcols.dtype)
    for dy in range(kernel):
        for dx in range(kernel):
            dpadded[:, :, dy:dy + stride * (out_height - 1) + 1:stride, dx:dx + stride * (out_width - 1) + 1:stride] \
                += dcols[..., dy, dx].transpose(0, 3, 1, 2)
    return dpadded[:, :, padding:padding + height, padding:padding + width]


def fixed_order_matmul(a, b):
    """``a @ b`` as elementwise products summed by numpy: the same bits on every machine.

    The ``(rows, K, cols)`` products are formed (each one correctly rounded IEEE-754 multiply)
    and ``sum(axis=1)`` adds them up.  numpy picks the order of that sum from the arrays'
    memory layout alone — one k slice after another when ``b`` is C-contiguous, pairwise
    (blocks of 8, in plain C) when it is a transposed view — never from the CPU, unlike BLAS.
    Rows are processed in chunks so the temporary stays small.

    Examples
    --------
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    >>> fixed_order_matmul(a, a).tolist()
    [[7.0, 10.0], [15.0, 22.0]]
    """
    rows, inner = a.shape
    cols = b.shape[1]
    out = np.empty((rows, cols), dtype=np.result_type(a, b))
    step = max(1, _CHUNK_ELEMENTS // max(1, inner * cols))
    for start in range(0, rows, step):
        block = a[start:start + step]
        out[start:start + step] = (block[:, :, None] * b[None, :, :]).sum(axis=1)
    return out


_LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that k·_LN2_HI is exact (fdlibm's constants)
_LN2_LO = 1.90821492927058770002e-10
_EXP_TERMS = 14  # Taylor terms: |r| ≤ ln2/2 makes the first omitted term < 1e-17


def fixed_order_exp(x):
    """``exp(x)`` in float64 from ``+ × rint ldexp`` only: the same bits on every machine.

    Range reduction ``x = k·ln2 + r`` with ``|r| ≤ ln2/2``, a Taylor polynomial for ``exp(r)``
    in Horner form, and ``ldexp`` for the exact ``2**k`` (the scheme of fdlibm's ``exp``);
    accurate to a few ulp, which is all softmax needs.

    Examples
    --------
    >>> bool(abs(fixed_order_exp(np.array([1.0]))[0] - math.e) < 1e-15)
    True
    """
    x = np.clip(np.asarray(x, dtype=np.float64), -745.0, 709.0)
    k = np.rint(x * (1 / math.log(2)))
    r = (x - k * _LN2_HI) - k * _LN2_LO
    poly = np.ones_like(r)
    for term in range(_EXP_TERMS, 0, -1):
        poly = 1.0 + poly * r / term
    return np.ldexp(poly, k.astype(np.int64))


def conv2d(x, weight, bias, *, padding=1, stride=1):
    """Convolution with a square ``(O, C, k, k)`` kernel: ``(N, C, H, W)`` → ``(N, O, H_out, W_out)``;
    also returns the rows (:func:`im2col`), which the backward pass needs."""
    n = x.shape[0]
    out_channels = weight.shape[0]
    cols = im2col(x, padding=padding, kernel=weight.shape[-1], stride=stride)
    rows = cols.reshape(-1, cols.shape[-1])
    out = fixed_order_matmul(rows, weight.reshape(out_channels, -1).T) + bias
    return out.reshape(n, cols.shape[1], cols.shape[2], out_channels).transpose(0, 3, 1, 2), cols


def conv2d_backward(dout, cols, x_shape, weight, *, padding=1, stride=1, input_gradient=True):
    """Gradients ``(dx, dweight, dbias)`` of :func:`conv2d` given ``dout = dLoss/dOutput``.

    ``input_gradient=False`` skips ``dx`` (None): the first layer's input is the image.
    """
    out_channels = weight.shape[0]
    drows = dout.transpose(0, 2, 3, 1).reshape(-1, out_channels)  # (N·H·W, O)
    rows = cols.reshape(-1, cols.shape[-1])
    dweight = fixed_order_matmul(drows.T, rows).reshape(weight.shape)
    dbias = drows.sum(axis=0)
    if not input_gradient:
        return None, dweight, dbias
    drows_in = fixed_order_matmul(drows, weight.reshape(out_channels, -1))
    dx = col2im(drows_in.reshape(*cols.shape), x_shape, padding=padding, kernel=weight.shape[-1], stride=stride)
    return dx, dweight, dbias


def dense(x, weight, bias):
    """Fully connected: ``x (N, K) @ weight.T (K, O) + bias``."""
    return fixed_order_matmul(x, weight.T) + bias


def dense_backward(dout, x, weight, *, input_gradient=True):
    """Gradients ``(dx, dweight, dbias)`` of :func:`dense` given ``dout (N, O)``."""
    dx = fixed_order_matmul(dout, weight) if input_gradient else None
    return dx, fixed_order_matmul(dout.T, x), dout.sum(axis=0)


def relu(x):
    return np.maximum(x, 0)


def maxpool(x, size=POOL):
    """``size×size`` max-pool, stride ``size``: ``(N, C, H, W)`` → ``(N, C, H//size, W//size)``.

    Works on any dtype (int8 too).  Elementwise maxima of strided slices (rows, then columns) —
    several times faster than a ``max`` over the window axes of a reshaped array.  A last
    partial row or column is dropped (ONNX ``MaxPool``'s default ``ceil_mode=0``).

    Examples
    --------
    >>> maxpool(np.arange(16, dtype=np.int8).reshape(1, 1, 4, 4)).tolist()
    [[[[5, 7], [13, 15]]]]
    >>> maxpool(np.arange(25).reshape(1, 1, 5, 5), 3).tolist()
    [[[[12]]]]
    """
    height, width = x.shape[2] // size * size, x.shape[3] // size * size
    x = x[:, :, :height, :width]
    rows = functools.reduce(np.maximum, (x[:, :, offset::size] for offset in range(size)))
    return functools.reduce(np.maximum, (rows[..., offset::size] for offset in range(size)))


def maxpool2(x):
    """2×2 max-pool, stride 2 (:func:`maxpool` with ``size=2``), on any dtype.

    >>> maxpool2(np.arange(16, dtype=np.int8).reshape(1, 1, 4, 4)).tolist()
    [[[[5, 7], [13, 15]]]]
    """
    return maxpool(x, POOL)


def maxpool_backward(dout, x, size=POOL):
    """Send each pooled gradient to the first maximum of its ``size×size`` window."""
    n, channels, height, width = x.shape
    rows, cols = height // size, width // size
    windows = x[:, :, :rows * size, :cols * size].reshape(n, channels, rows, size, cols, size).transpose(0, 1, 2, 4, 3, 5)
    flat = windows.reshape(n, channels, rows, cols, size * size)
    winner = flat.argmax(axis=-1)
    dflat = np.zeros_like(flat)
    np.put_along_axis(dflat, winner[..., None], dout[..., None], axis=-1)
    dwindows = dflat.reshape(n, channels, rows, cols, size, size).transpose(0, 1, 2, 4, 3, 5)
    dx = np.zeros_like(x)
    dx[:, :, :rows * size, :cols * size] = dwindows.reshape(n, channels, rows * size, cols * size)
    return dx


def maxpool2_backward(dout, x):
    """:func:`maxpool_backward` of the 2×2 max-pool."""
    return maxpool_backward(dout, x, POOL)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of ``logits (N, 10)`` against integer ``labels`` and its gradient.

    ``labels`` may also be target distributions ``(N, 10)`` (rows summing to 1, e.g.
    :func:`numformat.nn.distill.distillation_targets`): the loss is then ``-Σ t·log p`` and
    the gradient ``(p - t) / N``, which is the integer case with ``t`` one-hot.

    Returns ``(loss, dlogits)``; ``dlogits`` has the dtype of ``logits``.  The probabilities use
    :func:`fixed_order_exp`; only the reported loss uses ``np.log``.
    """
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    exps = fixed_order_exp(shifted)
    totals = exps.sum(axis=1, keepdims=True)
    probs = exps / totals
    if labels.ndim == 2:                     # target distributions (distillation's soft targets)
        loss = float(np.mean(np.log(totals[:, 0]) - np.sum(labels * shifted, axis=1)))
        return loss, ((probs - labels) / len(labels)).astype(logits.dtype)
    picked = np.arange(labels.size)
    loss = float(np.mean(np.log(totals[:, 0]) - shifted[picked, labels]))
    dlogits = probs
    dlogits[picked, labels] -= 1.0
    return loss, (dlogits / labels.size).astype(logits.dtype)
