"""The integer multiply-accumulate loop: one int8 × int8 product at a time into an int32 sum.

This module is deliberately written as plain Python loops — the one place in numformat that
loops over elements — because it is the reference students read and rewrite in lab 5, and it
is what a MAC unit in a phone's neural accelerator does.  For one output value of a 3×3
convolution::

    acc = bias[o]                                     int32, in units of S_in · S_w[o]
    for c, ky, kx in the 3×3 window of every input channel:
        acc += (x[c, y+ky-1, x+kx-1] - x_zp) * w[o, c, ky, kx]     (padding: the code x_zp)

Each product of an int8 code difference (at most 255) and an int8 weight (at most 127) fits
in 16 bits; an int32 accumulator holds 2**31 / (255·127) ≈ 66,000 such products before it can
overflow.  Python ints never overflow, so the loop checks each finished accumulator against
the int32 range and raises ``OverflowError`` where int32 hardware would have wrapped.

The loop runs on Python lists (``ndarray.tolist()``): indexing a list is several times faster
than indexing a numpy array element by element, and writing out the three taps of a kernel
row halves the loop overhead, so a whole image takes milliseconds (benchmarks/bench_nn.py).  The requantization of the finished
accumulators is :func:`numformat.quant.requantize`, shared with the vectorized engine.
"""

from __future__ import annotations

import numpy as np

from ..integers import INT32_MAX, INT32_MIN


def check_int32(acc, where):
    """``acc`` if it fits an int32 accumulator, else the ``OverflowError`` int32 hardware would hide."""
    if not INT32_MIN <= acc <= INT32_MAX:
        raise OverflowError(f"the int32 accumulator overflowed at {where}: {acc} is outside "
                            f"[{INT32_MIN}, {INT32_MAX}]")
    return acc


def conv3x3_accumulators(image, weight, bias, x_zero_point):
    """Accumulators of a 3×3 convolution (padding 1, stride 1) on one image, by the MAC loop.

    Parameters
    ----------
    image : nested list of int, ``[C][H][W]``
        int8 codes of the input.
    weight : nested list of int, ``[O][C][3][3]``
        int8 weight codes.
    bias : list of int, ``[O]``
        int32 bias codes.
    x_zero_point : int
        The input's zero point: the code of 0.0, which is what the padding holds.

    Returns
    -------
    list of list of list of int, ``[O][H][W]``

    Examples
    --------
    >>> image = [[[1, 2], [3, 4]]]                     # one channel, 2×2, zero point 0
    >>> weight = [[[[0, 0, 0], [0, 1, 1], [0, 1, 1]]]]  # sums the pixel, its right and lower neighbours
    >>> conv3x3_accumulators(image, weight, [100], 0)
    [[[110, 106], [107, 104]]]
    """
    channels, height, width = len(image), len(image[0]), len(image[0][0])
    # Pad with the zero point: in int8, the real value 0.0 is the code x_zero_point.
    padded = [[[x_zero_point] * (width + 2)] + [[x_zero_point] + row + [x_zero_point] for row in plane]
              + [[x_zero_point] * (width + 2)] for plane in image]
    out = []
    for o, kernels in enumerate(weight):
        plane = []
        for y in range(height):
            row = []
            for x in range(width):
                acc = bias[o]
                for c in range(channels):
                    window, kernel = padded[c], kernels[c]
                    for ky in range(3):  # the three taps of each kernel row written out: kx = 0, 1, 2
                        pixels, (w0, w1, w2) = window[y + ky], kernel[ky]
                        acc += ((pixels[x] - x_zero_point) * w0 + (pixels[x + 1] - x_zero_point) * w1
                                + (pixels[x + 2] - x_zero_point) * w2)
                row.append(check_int32(acc, f"output channel {o}, row {y}, column {x}"))
            plane.append(row)
        out.append(plane)
    return out


def conv_accumulators(image, weight, bias, x_zero_point, *, padding=1, stride=1):
    """Accumulators of a convolution of any square kernel, padding and stride, by the MAC loop.

    The same loop as :func:`conv3x3_accumulators` with the kernel's taps not written out: a
    tap outside the image reads the padding, the code ``x_zero_point``, which contributes
    ``(x_zero_point - x_zero_point) · w = 0``, so it is skipped.

    Examples
    --------
    >>> image = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]     # one channel, 3×3, zero point 0
    >>> conv_accumulators(image, [[[[1, 1], [1, 1]]]], [0], 0, padding=0, stride=1)   # 2×2 window sums
    [[[12, 16], [24, 28]]]
    >>> conv_accumulators(image, [[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]]], [0], 0, padding=1, stride=2)
    [[[1, 3], [7, 9]]]
    """
    channels, height, width = len(image), len(image[0]), len(image[0][0])
    kernel = len(weight[0][0])
    out_height, out_width = (height + 2 * padding - kernel) // stride + 1, (width + 2 * padding - kernel) // stride + 1
    out = []
    for o, kernels in enumerate(weight):
        plane = []
        for y in range(out_height):
            row = []
            for x in range(out_width):
                acc = bias[o]
                for c in range(channels):
                    for ky in range(kernel):
                        source_y = y * stride + ky - padding
                        if 0 <= source_y < height:
                            pixels, taps = image[c][source_y], kernels[c][ky]
                            for kx in range(kernel):
                                source_x = x * stride + kx - padding
                                if 0 <= source_x < width:
                                    acc += (pixels[source_x] - x_zero_point) * taps[kx]
                row.append(check_int32(acc, f"output channel {o}, row {y}, column {x}"))
            plane.append(row)
        out.append(plane)
    return out


def dense_accumulators(vector, weight, bias, x_zero_point):
    """Accumulators of a fully connected layer on one input vector, by the MAC loop.

    Examples
    --------
    >>> dense_accumulators([-128, -127, 0], [[1, 2, 3], [-1, 0, 1]], [10, 20], -128)  # x - zp = 0, 1, 128
    [396, 148]
    """
    out = []
    for o, row in enumerate(weight):
        acc = bias[o]
        for k, code in enumerate(vector):
            acc += (code - x_zero_point) * row[k]
        out.append(check_int32(acc, f"output {o}"))
    return out


def accumulate(layer, codes):
    """Accumulators of a :class:`~numformat.nn.int8.QuantizedLayer` for a batch, image by image.

    A 3×3 convolution with padding 1 and stride 1 runs :func:`conv3x3_accumulators` (the loop
    of lab 5), any other one :func:`conv_accumulators`.  Returns int64 ``(N, O, H, W)`` for a
    convolution, ``(N, O)`` for a dense layer.
    """
    weight, bias, zero_point = layer.weight.tolist(), layer.bias.tolist(), layer.input_qp.zero_point
    if not layer.is_conv:
        accumulate_one = dense_accumulators
    elif (layer.weight.shape[-1], layer.padding, layer.stride) == (3, 1, 1):
        accumulate_one = conv3x3_accumulators
    else:
        def accumulate_one(image, weight, bias, zero_point):
            return conv_accumulators(image, weight, bias, zero_point, padding=layer.padding, stride=layer.stride)
    return np.array([accumulate_one(image, weight, bias, zero_point) for image in codes.tolist()],
                    dtype=np.int64)


def maxpool(codes, size=2):
    """``size×size`` max-pool, stride ``size``, on int8 codes, one window at a time (``(N, C, H, W)``).

    A last partial row or column is dropped, as :func:`numformat.nn.layers.maxpool` does.

    >>> maxpool(np.arange(16, dtype=np.int8).reshape(1, 1, 4, 4)).tolist()
    [[[[5, 7], [13, 15]]]]
    """
    pooled = []
    for image in codes.tolist():
        pooled.append([[[max(plane[y + dy][x + dx] for dy in range(size) for dx in range(size))
                         for x in range(0, len(plane[0]) - size + 1, size)]
                        for y in range(0, len(plane) - size + 1, size)]
                       for plane in image])
    return np.array(pooled, dtype=codes.dtype).reshape(len(codes), codes.shape[1], codes.shape[2] // size,
                                                        codes.shape[3] // size)


def maxpool2(codes):
    """2×2 max-pool, stride 2, on int8 codes (:func:`maxpool` with ``size=2``)."""
    return maxpool(codes, 2)
