"""The affine int8 mapping: ``real = scale · (q - zero_point)``, and the choice of scale and zero point.

A float tensor becomes integers ``q`` in ``[qmin, qmax]`` (int8: -128..127, uint8: 0..255)::

    q = clamp(round(x / scale) + zero_point, qmin, qmax)        quantize
    x ≈ scale · (q - zero_point)                                 dequantize

The ``zero_point`` is an integer, so the real value 0.0 is always exactly representable: it
is the code ``zero_point`` itself.  That matters because zeros are everywhere -- the padding a
convolution adds around an image, ReLU outputs, pruned weights -- and an error there would be
a bias added to every padded pixel (TFLite's and PyTorch's "nudged" zero point, gemmlowp's
``quantization_example.cc``).

:func:`choose_qparams` picks ``(scale, zero_point)`` from data or from a ``[min, max]`` range:

* asymmetric (affine): the range is widened to contain 0, ``scale = (max - min) / (qmax -
  qmin)``, and ``zero_point = qmin - round(min / scale)`` (half to even) clamped to the code
  range, as onnxruntime's ``compute_scale_zp`` and PyTorch's ``MinMaxObserver`` do;
* symmetric: ``zero_point`` is the middle code (0 for signed, 128 for uint8) and ``scale =
  max|x| / 127`` -- the largest step for which both ``+max|x|`` and ``-max|x|`` fit (TFLite's
  per-channel int8 weights use ``narrow_range=True``: codes -127..127);
* per-tensor (``axis=None``) or per-channel (one scale and zero point per index of ``axis``).

Scales are rounded to float32 at the end, because every runtime stores them so (ONNX
initializers, TFLite flatbuffers, PyTorch's ``q_scale``); the zero point is computed before
that rounding, from the float64 scale, as onnxruntime and PyTorch do.

Calibration (choosing ``[min, max]`` from sample activations) lives in
:mod:`numformat.quant.calibration`, and the integer-only arithmetic of a quantized layer
(:func:`quantize_multiplier`, :func:`requantize`, ...) in :mod:`numformat.quant.requantization`.

Examples
--------
>>> qp = choose_qparams(min=-1.0, max=3.0)
>>> qp
QParams(scale=0.01568627543747425, zero_point=-64, qmin=-128, qmax=127)
>>> quantize([-1.0, 0.0, 0.5, 3.0, 10.0], qp).tolist()
[-128, -64, -32, 127, 127]
>>> dequantize([-64, -32], qp).tolist()
[0.0, 0.501960813999176]
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..checks import check_axis, check_int, finite_floats, positive_floats
from ..rounding import round_half
from ..integers import code_dtype, int_range

_FLOAT32_TINY = float(np.finfo(np.float32).tiny)


@dataclasses.dataclass(frozen=True, eq=False)
class QParams:
    """Quantization parameters: ``real = scale · (q - zero_point)``, codes in ``[qmin, qmax]``.

    Parameters
    ----------
    scale : float or array_like of float
        Positive and finite.  One value per tensor, or a 1-D array with one per channel.
    zero_point : int or array_like of int
        The code of real 0.0, inside ``[qmin, qmax]``; same shape as ``scale``.
    qmin, qmax : int
        The code range, ``qmin < qmax``.
    axis : int, optional
        For per-channel parameters: the tensor axis the channels run along.

    Examples
    --------
    >>> qp = QParams(0.5, 3, 0, 255)
    >>> qp.dtype, qp.real_range
    (dtype('uint8'), (-1.5, 126.0))
    >>> QParams(0.5, 300, 0, 255)
    Traceback (most recent call last):
    ...
    ValueError: zero_point=300 is outside [qmin, qmax] = [0, 255]; zero must be a code
    """

    scale: object
    zero_point: object
    qmin: int
    qmax: int
    axis: int = None

    def __post_init__(self):
        for name in ("qmin", "qmax"):
            object.__setattr__(self, name, check_int(getattr(self, name), name))
        if self.qmin >= self.qmax:
            raise ValueError(f"qmin={self.qmin} must be below qmax={self.qmax}")
        code_dtype(self.qmin, self.qmax)
        zero_point = np.asarray(self.zero_point)
        if zero_point.dtype == bool or not np.issubdtype(zero_point.dtype, np.integer):
            raise TypeError(f"zero_point must be an integer, got {zero_point.dtype} {zero_point.tolist()!r}")
        scale = positive_floats(self.scale, "scale")
        outside = (zero_point < self.qmin) | (zero_point > self.qmax)
        if np.any(outside):
            bad = int(zero_point[outside].flat[0] if zero_point.ndim else zero_point)
            raise ValueError(f"zero_point={bad} is outside [qmin, qmax] = [{self.qmin}, {self.qmax}]; "
                             "zero must be a code")
        if self.axis is None:
            if scale.ndim or zero_point.ndim:
                raise ValueError("per-tensor QParams take a scalar scale and zero_point; "
                                 "give axis= for per-channel arrays")
            object.__setattr__(self, "scale", float(scale))
            object.__setattr__(self, "zero_point", int(zero_point))
            return
        object.__setattr__(self, "axis", check_axis(self.axis))
        scale, zero_point = np.broadcast_arrays(np.atleast_1d(scale), np.atleast_1d(zero_point))
        if scale.ndim != 1:
            raise ValueError(f"per-channel scale and zero_point must be 1-D, got shape {scale.shape}")
        object.__setattr__(self, "scale", _read_only(scale.astype(np.float64)))
        object.__setattr__(self, "zero_point", _read_only(zero_point.astype(np.int64)))

    def __repr__(self):
        def show(value):
            return repr(value.tolist()) if isinstance(value, np.ndarray) else repr(value)
        axis = "" if self.axis is None else f", axis={self.axis}"
        return (f"QParams(scale={show(self.scale)}, zero_point={show(self.zero_point)}, "
                f"qmin={self.qmin}, qmax={self.qmax}{axis})")

    def __eq__(self, other):
        if not isinstance(other, QParams):
            return NotImplemented
        return (self.qmin, self.qmax, self.axis) == (other.qmin, other.qmax, other.axis) and \
            np.array_equal(self.scale, other.scale) and np.array_equal(self.zero_point, other.zero_point)

    __hash__ = None

    @property
    def dtype(self):
        """The smallest numpy integer dtype holding the codes (int8, uint8, int16, ...)."""
        return code_dtype(self.qmin, self.qmax)

    @property
    def real_range(self):
        """``(lowest, highest)`` real values the codes stand for (arrays when per-channel)."""
        low = np.multiply(self.scale, np.subtract(self.qmin, self.zero_point))
        high = np.multiply(self.scale, np.subtract(self.qmax, self.zero_point))
        return (float(low), float(high)) if self.axis is None else (low, high)

    def broadcast(self, ndim):
        """``(scale, zero_point)`` shaped to broadcast against an ``ndim``-dimensional tensor."""
        if self.axis is None:
            return self.scale, self.zero_point
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"axis={self.axis} is out of range for a tensor with {ndim} dimensions")
        shape = [1] * ndim
        shape[self.axis] = self.scale.size
        return self.scale.reshape(shape), self.zero_point.reshape(shape)

    def quantize(self, x):
        """Same as :func:`quantize(x, self) <quantize>`."""
        return quantize(x, self)

    def dequantize(self, q):
        """Same as :func:`dequantize(q, self) <dequantize>`."""
        return dequantize(q, self)


def _read_only(array):
    array.flags.writeable = False
    return array


def code_range(bits=8, signed=True, narrow_range=False):
    """``(qmin, qmax)`` of a ``bits``-wide integer; ``narrow_range`` drops the lowest code.

    >>> code_range(), code_range(signed=False), code_range(narrow_range=True), code_range(4)
    ((-128, 127), (0, 255), (-127, 127), (-8, 7))
    """
    bits = check_int(bits, "bits", low=2, high=32)
    qmin, qmax = int_range(bits, signed=bool(signed))
    return qmin + bool(narrow_range), qmax


def choose_qparams(x=None, *, min=None, max=None, bits=8, signed=True, symmetric=False,
                   narrow_range=False, axis=None):
    """Choose ``scale`` and ``zero_point`` so that ``[min, max]`` maps onto the codes and 0.0 is exact.

    Parameters
    ----------
    x : array_like of float, optional
        Data whose range to cover (its min and max; per channel when ``axis`` is given).
    min, max : float or array_like of float, optional
        The range directly (instead of ``x``), e.g. from :func:`calibrate`; 1-D arrays with ``axis``.
    bits : int
        Code width, 2 to 32.
    signed : bool
        int8-style codes (-128..127) or uint8-style (0..255).
    symmetric : bool
        Zero point at the middle code and ``scale = max(|min|, |max|) / 127`` (for 8 bits).
    narrow_range : bool
        Leave out the lowest code (-127..127), as TFLite's int8 weights do.
    axis : int, optional
        Per-channel: one scale and zero point for each index along this axis.

    Returns
    -------
    QParams

    Examples
    --------
    >>> choose_qparams([0.0, 0.2, 6.0], signed=False)            # ReLU6 outputs into uint8
    QParams(scale=0.0235294122248888, zero_point=0, qmin=0, qmax=255)
    >>> choose_qparams(min=-0.3, max=0.9, symmetric=True, narrow_range=True)
    QParams(scale=0.007086614146828651, zero_point=0, qmin=-127, qmax=127)
    >>> w = np.array([[0.1, -0.2], [4.0, 1.0]])
    >>> choose_qparams(w, symmetric=True, narrow_range=True, axis=0)   # one scale per row
    QParams(scale=[0.0015748031437397003, 0.03149606287479401], zero_point=[0, 0], qmin=-127, qmax=127, axis=0)
    """
    qmin, qmax = code_range(bits, signed, narrow_range)
    low, high, axis = _range(x, min, max, axis)
    low, high = np.minimum(low, 0.0), np.maximum(high, 0.0)  # widen to contain 0: zero must be a code
    if symmetric:
        zero_point = np.full(low.shape, (qmin + qmax + 1) // 2, dtype=np.int64)  # 0, or 128 for uint8
        half_span = np.minimum(qmax - zero_point, zero_point - qmin)
        scale = np.maximum(-low, high) / half_span
    else:
        scale = (high - low) / (qmax - qmin)
        with np.errstate(divide="ignore", invalid="ignore"):
            zero_point = qmin - round_half(low / scale)  # the nudge: onnxruntime, PyTorch (half to even)
        zero_point = np.clip(np.nan_to_num(zero_point), qmin, qmax).astype(np.int64)
    scale32 = scale.astype(np.float32).astype(np.float64)
    degenerate = scale32 < _FLOAT32_TINY  # all zeros (or a range float32 cannot resolve): any scale works
    scale32 = np.where(degenerate, 1.0, scale32)
    if not symmetric:
        zero_point = np.where(degenerate, np.clip(0, qmin, qmax), zero_point)
    return QParams(scale32 if axis is not None else float(scale32), zero_point if axis is not None
                   else int(zero_point), qmin, qmax, axis)


def _range(x, low, high, axis):
    """``(min, max, axis)``: float64 arrays from data or from the given bounds, validated."""
    if x is not None:
        if low is not None or high is not None:
            raise TypeError("give either x or min= and max=, not both")
        x = finite_floats(x, "x")
        if axis is None:
            return np.asarray(x.min()), np.asarray(x.max()), None
        axis = check_axis(axis, x.ndim)
        others = tuple(i for i in range(x.ndim) if i != axis)
        if x.shape[axis] == 0 or any(x.shape[i] == 0 for i in others):
            raise ValueError(f"x of shape {x.shape} has no values in some channel along axis={axis}")
        return x.min(axis=others), x.max(axis=others), axis
    if low is None or high is None:
        raise TypeError("choose_qparams needs x, or both min= and max=")
    low, high = finite_floats(low, "min", allow_empty=False), finite_floats(high, "max", allow_empty=False)
    if axis is None and (low.ndim or high.ndim):
        raise ValueError("per-tensor min and max must be scalars; give axis= for per-channel ranges")
    if axis is not None:
        axis = check_axis(axis)
        low, high = np.broadcast_arrays(np.atleast_1d(low), np.atleast_1d(high))
        if low.ndim != 1:
            raise ValueError(f"per-channel min and max must be 1-D, got shape {low.shape}")
    if np.any(low > high):
        raise ValueError(f"min={low.tolist()!r} is above max={high.tolist()!r}")
    return low, high, axis


def quantize(x, qp):
    """Real values to codes: ``clamp(round_half_even(x / scale) + zero_point, qmin, qmax)``.

    Computed in float32 when ``x`` is float32 (and the codes fit in 24 bits), as ONNX
    ``QuantizeLinear`` and onnxruntime do: the float32 quotient, then round half to even.
    Otherwise in float64.  Values beyond the
    range, ±inf included, saturate to ``qmin``/``qmax``.

    Parameters
    ----------
    x : array_like of float
        No NaN (it has no code).
    qp : QParams

    Returns
    -------
    numpy.ndarray of ``qp.dtype`` (int8 for -128..127, uint8 for 0..255, ...)

    Examples
    --------
    >>> qp = QParams(0.5, 0, -128, 127)
    >>> quantize([0.25, 0.75, -0.25, 1.0, 100.0, -100.0], qp).tolist()   # 0.5, 1.5, -0.5: ties to even
    [0, 2, 0, 2, 127, -128]
    """
    if not isinstance(qp, QParams):
        raise TypeError(f"qp must be a QParams, got {type(qp).__name__}")
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating) and not np.issubdtype(x.dtype, np.integer) or x.dtype == bool:
        raise TypeError(f"x must hold real numbers, got {x.dtype}")
    float32_exact = -(2 ** 24) <= qp.qmin and qp.qmax <= 2 ** 24  # every code and zero point is a float32
    work = np.float32 if x.dtype == np.float32 and float32_exact else np.float64
    x = x.astype(work, copy=False)
    if x.size and np.isnan(x.min()):  # min propagates NaN: one cheap pass
        raise ValueError("x contains NaN, which has no integer code")
    scale, zero_point = _channel_params(qp, x.shape)
    with np.errstate(over="ignore"):  # a quotient beyond the float range is inf: it saturates below
        codes = np.asarray(np.divide(x, scale.astype(work)))
    np.rint(codes, out=codes)  # round half to even: round_half's "nearest_even", kept in x's precision
    # Clamp before adding the zero point, in float as MLAS does: inf saturates, no integer overflow.
    # (Bounds and zero point in x's float type too: mixed-type ufuncs are several times slower.)
    np.clip(codes, (qp.qmin - zero_point).astype(work), (qp.qmax - zero_point).astype(work), out=codes)
    codes += zero_point.astype(work)
    return codes.astype(qp.dtype)


def dequantize(q, qp):
    """Codes to real values: ``scale · (q - zero_point)``, exactly, as float64.

    ``q - zero_point`` is formed in int64 (never in int8, where it would wrap around), and the
    product of a float32 scale and a code difference below 2**29 is exact in float64: rounding
    it to float32 gives what ONNX ``DequantizeLinear`` computes in float32.

    Examples
    --------
    >>> qp = QParams(0.1, -3, -128, 127)
    >>> dequantize(np.array([-3, 7, -128], dtype=np.int8), qp).tolist()
    [0.0, 1.0, -12.5]
    """
    if not isinstance(qp, QParams):
        raise TypeError(f"qp must be a QParams, got {type(qp).__name__}")
    q = np.asarray(q)
    if q.dtype == bool or not np.issubdtype(q.dtype, np.integer):
        raise TypeError(f"q must hold integer codes, got {q.dtype}")
    scale, zero_point = _channel_params(qp, q.shape)
    return scale * (q.astype(np.int64) - zero_point)


def fake_quantize(x, qp):
    """Round real values onto the quantization grid and back: ``dequantize(quantize(x, qp), qp)``.

    What quantization-aware training inserts in a float graph: the values stay floats but carry
    exactly the int8 rounding and clipping error.

    Examples
    --------
    >>> fake_quantize([0.26, -0.74, 3.0], QParams(0.5, 0, -4, 3)).tolist()
    [0.5, -0.5, 1.5]
    """
    return dequantize(quantize(x, qp), qp)


def _channel_params(qp, shape):
    """``qp``'s scale and zero point shaped for a tensor of ``shape``, checking the channel count."""
    scale, zero_point = qp.broadcast(len(shape))
    if qp.axis is not None and shape[qp.axis] != qp.scale.size:
        raise ValueError(f"the tensor has {shape[qp.axis]} channels along axis={qp.axis}, "
                         f"but qp has {qp.scale.size} scales")
    return np.asarray(scale, dtype=np.float64), np.asarray(zero_point, dtype=np.int64)

