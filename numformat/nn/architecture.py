"""A sequential network as data: five layer kinds, their shapes, and the digits CNN as one instance.

A network here is an :class:`Architecture`: an input shape and a list of layers, each a small
frozen dataclass that knows its parameters' shapes and its output's shape:

=================  =============================================  ==============================
layer              parameters                                     output for input ``(C, H, W)``
=================  =============================================  ==============================
:class:`Conv2d`    ``{name}_weight (O, C, k, k)``, ``{name}_bias``  ``(O, (H + 2p - k)//s + 1, ...)``
:class:`ReLU`      none                                           the same shape
:class:`MaxPool`   none                                           ``(C, H // size, W // size)``
:class:`Flatten`   none                                           ``(C·H·W,)``
:class:`Dense`     ``{name}_weight (O, K)``, ``{name}_bias (O,)``   ``(O,)`` for input ``(K,)``
=================  =============================================  ==============================

Every consumer reads the network from this description: the float forward and backward passes
(:class:`~numformat.nn.model.FloatCNN`), training, the int8 engine and its MAC loop, fake
quantization, QAT, sensitivity, FP8, the ONNX export, pruning, weight sharing and the
compressed file's sizes.  Nothing else spells out a layer's name or shape.

Two rules make the description an integer network as well as a float one:

* a :class:`ReLU` follows a :class:`Conv2d` or a :class:`Dense`: an int8 engine fuses it into
  that layer's requantization (the clamp starts at the output zero point), so it is one
  *step* with it (:attr:`Architecture.steps`);
* the last layer is a :class:`Dense` whose outputs are the logits, one per class.

The tensors a network hands out by name are ``"input"``, the output of every parametric step
(after its ReLU) and of every max-pool under the layer's name, and the last layer's output as
``"logits"``; :attr:`Architecture.activation_names` are the ones an int8 model quantizes with a
grid of their own (the input of every parametric layer: max-pool and flatten keep their
input's grid).

Examples
--------
>>> DIGITS_CNN.input_shape, DIGITS_CNN.classes
((1, 8, 8), 10)
>>> DIGITS_CNN.weight_names
('conv1_weight', 'conv2_weight', 'fc_weight')
>>> DIGITS_CNN.tensor_shapes()
{'input': (1, 8, 8), 'conv1': (8, 8, 8), 'conv2': (16, 8, 8), 'pool': (16, 4, 4), 'logits': (10,)}
>>> DIGITS_CNN.parameter_count
3818
"""

from __future__ import annotations

import collections
import dataclasses
import math
import typing

import numpy as np

from ..checks import check_int


def _check_name(value, kind):
    if not isinstance(value, str) or not value.isidentifier():
        raise ValueError(f"a {kind} layer's name must be an identifier such as 'conv1', got {value!r}")
    if value in ("input", "logits"):
        raise ValueError(f"{value!r} names a tensor of every network; choose another name for the {kind} layer")
    return value


def _spatial(input_shape, layer):
    """``(C, H, W)`` of ``input_shape``, or the error of feeding a flat vector to ``layer``."""
    if len(input_shape) != 3:
        raise ValueError(f"{layer.kind} {layer.name!r} needs an image input (C, H, W), got shape {input_shape}")
    return input_shape


@dataclasses.dataclass(frozen=True)
class Conv2d:
    """A 2-D convolution with square kernels, zero padding and a stride (ONNX's ``Conv``)."""

    name: str
    in_channels: int
    out_channels: int
    kernel: int = 3
    stride: int = 1
    padding: int = 1
    kind: typing.ClassVar[str] = "conv2d"

    def __post_init__(self):
        _check_name(self.name, self.kind)
        for field in ("in_channels", "out_channels", "kernel", "stride"):
            object.__setattr__(self, field, check_int(getattr(self, field), field, low=1))
        object.__setattr__(self, "padding", check_int(self.padding, "padding", low=0))

    @property
    def weight_shape(self):
        return (self.out_channels, self.in_channels, self.kernel, self.kernel)

    def output_shape(self, input_shape):
        channels, height, width = _spatial(input_shape, self)
        if channels != self.in_channels:
            raise ValueError(f"conv2d {self.name!r} takes {self.in_channels} channels, its input has {channels}")
        sides = [(side + 2 * self.padding - self.kernel) // self.stride + 1 for side in (height, width)]
        if min(sides) < 1:
            raise ValueError(f"conv2d {self.name!r}: a {self.kernel}×{self.kernel} kernel with padding "
                             f"{self.padding} does not fit a {height}×{width} input")
        return (self.out_channels, *sides)


@dataclasses.dataclass(frozen=True)
class Dense:
    """A fully connected layer: ``y = x @ weight.T + bias`` (ONNX's ``Gemm`` with ``transB``)."""

    name: str
    in_features: int
    out_features: int
    kind: typing.ClassVar[str] = "dense"

    def __post_init__(self):
        _check_name(self.name, self.kind)
        for field in ("in_features", "out_features"):
            object.__setattr__(self, field, check_int(getattr(self, field), field, low=1))

    @property
    def weight_shape(self):
        return (self.out_features, self.in_features)

    def output_shape(self, input_shape):
        if tuple(input_shape) != (self.in_features,):
            raise ValueError(f"dense {self.name!r} takes a vector of {self.in_features}, got shape {input_shape} "
                             "(put a Flatten before it)")
        return (self.out_features,)


@dataclasses.dataclass(frozen=True)
class ReLU:
    """``max(x, 0)``; fused into the conv2d or dense layer before it."""

    kind: typing.ClassVar[str] = "relu"
    name: typing.ClassVar[str] = "relu"

    def output_shape(self, input_shape):
        return tuple(input_shape)


@dataclasses.dataclass(frozen=True)
class MaxPool:
    """``size × size`` max-pool with stride ``size``; a last partial row or column is dropped."""

    name: str = "pool"
    size: int = 2
    kind: typing.ClassVar[str] = "maxpool"

    def __post_init__(self):
        _check_name(self.name, self.kind)
        object.__setattr__(self, "size", check_int(self.size, "size", low=1))

    def output_shape(self, input_shape):
        channels, height, width = _spatial(input_shape, self)
        if min(height, width) < self.size:
            raise ValueError(f"maxpool {self.name!r}: a {self.size}×{self.size} window does not fit {height}×{width}")
        return (channels, height // self.size, width // self.size)


@dataclasses.dataclass(frozen=True)
class Flatten:
    """``(C, H, W)`` → ``(C·H·W,)`` in C order (ONNX's ``Flatten`` with ``axis=1``)."""

    kind: typing.ClassVar[str] = "flatten"
    name: typing.ClassVar[str] = "flatten"

    def output_shape(self, input_shape):
        return (math.prod(input_shape),)


LAYER_KINDS = (Conv2d, Dense, ReLU, MaxPool, Flatten)
PARAMETRIC = (Conv2d, Dense)

Step = collections.namedtuple("Step", "layer relu output input_shape output_shape")
Step.__doc__ = """One layer as an engine runs it: ``relu`` says a ReLU follows (fused); ``output`` is
the name of the tensor it makes (None for a flatten, a reshape that names nothing)."""


@dataclasses.dataclass(frozen=True)
class Architecture:
    """A sequential network: ``input_shape`` ``(C, H, W)`` or ``(K,)`` and the ``layers`` in order.

    Parameters
    ----------
    name : str
    input_shape : tuple of int
        One example's shape, without the batch axis.
    layers : tuple
        :class:`Conv2d`, :class:`ReLU`, :class:`MaxPool`, :class:`Flatten`, :class:`Dense`.

    Examples
    --------
    >>> tiny = Architecture("tiny", (1, 4, 4), (Conv2d("c", 1, 2), ReLU(), Flatten(), Dense("d", 32, 3)))
    >>> tiny.parameter_shapes()
    {'c_weight': (2, 1, 3, 3), 'c_bias': (2,), 'd_weight': (3, 32), 'd_bias': (3,)}
    >>> tiny.activation_names
    ('input', 'c')
    >>> Architecture("bad", (1, 4, 4), (Conv2d("c", 1, 2), Dense("d", 32, 3)))
    Traceback (most recent call last):
    ...
    ValueError: dense 'd' takes a vector of 32, got shape (2, 4, 4) (put a Flatten before it)
    """

    name: str
    input_shape: tuple
    layers: tuple

    def __post_init__(self):
        object.__setattr__(self, "input_shape", tuple(check_int(side, "input_shape", low=1) for side in self.input_shape))
        object.__setattr__(self, "layers", tuple(self.layers))
        if len(self.input_shape) not in (1, 3):
            raise ValueError(f"input_shape must be (C, H, W) or (K,), got {self.input_shape}")
        for index, layer in enumerate(self.layers):
            if not isinstance(layer, LAYER_KINDS):
                raise TypeError(f"layers[{index}] is a {type(layer).__name__}; use "
                                + ", ".join(kind.__name__ for kind in LAYER_KINDS))
        if not self.layers or not isinstance(self.layers[-1], Dense):
            raise ValueError(f"the last layer of {self.name!r} must be a Dense layer giving the logits")
        names = [layer.name for layer in self.layers if isinstance(layer, (*PARAMETRIC, MaxPool))]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"layer names must be unique; {repeated} appear more than once")
        object.__setattr__(self, "steps", self._fuse())

    def _fuse(self):
        """The layers as :class:`Step` s, each ReLU fused into the layer before it; checks the shapes."""
        steps, shape = [], self.input_shape
        for index, layer in enumerate(self.layers):
            if isinstance(layer, ReLU):
                if not steps or not isinstance(steps[-1].layer, PARAMETRIC) or steps[-1].relu:
                    raise ValueError(f"layers[{index}]: a ReLU must follow a Conv2d or a Dense layer "
                                     "(an int8 engine fuses it into that layer's requantization)")
                steps[-1] = steps[-1]._replace(relu=True)
                continue
            output_shape = layer.output_shape(shape)
            last = index == len(self.layers) - 1
            output = "logits" if last else None if isinstance(layer, Flatten) else layer.name
            steps.append(Step(layer, False, output, shape, output_shape))
            shape = output_shape
        return tuple(steps)

    @property
    def parametric(self):
        """The layers with parameters (conv2d and dense), in order."""
        return tuple(layer for layer in self.layers if isinstance(layer, PARAMETRIC))

    @property
    def layer_names(self):
        """The names of :attr:`parametric`: the layers whose weights are quantized, pruned, shared."""
        return tuple(layer.name for layer in self.parametric)

    @property
    def classes(self):
        return self.layers[-1].out_features

    def parameter_shapes(self):
        """``{name: shape}`` of every parameter: each layer's ``_weight`` then its ``_bias``."""
        shapes = {}
        for layer in self.parametric:
            shapes[f"{layer.name}_weight"] = layer.weight_shape
            shapes[f"{layer.name}_bias"] = (layer.weight_shape[0],)
        return shapes

    @property
    def weight_names(self):
        return tuple(f"{name}_weight" for name in self.layer_names)

    @property
    def bias_names(self):
        return tuple(f"{name}_bias" for name in self.layer_names)

    @property
    def parameter_count(self):
        return sum(math.prod(shape) for shape in self.parameter_shapes().values())

    @property
    def multiply_accumulates(self):
        """Multiply-accumulates of one input: each conv or dense output times its fan-in.

        >>> Architecture("d", (4,), (Dense("d", 4, 3),)).multiply_accumulates
        12
        """
        return sum(math.prod(step.output_shape) * math.prod(step.layer.weight_shape[1:])
                   for step in self.steps if isinstance(step.layer, PARAMETRIC))

    @property
    def activation_names(self):
        """The tensors an int8 model quantizes with a grid of their own: the input and the
        output of every parametric step but the last (whose output is the logits)."""
        return ("input",) + tuple(step.output for step in self.steps
                                  if isinstance(step.layer, PARAMETRIC) and step.output != "logits")

    def tensor_shapes(self):
        """``{name: shape}`` of every named tensor, from ``"input"`` to ``"logits"``."""
        return {"input": self.input_shape, **{step.output: step.output_shape for step in self.steps if step.output}}

    def check_input(self, x, name="x"):
        """``x`` as a batch of inputs of shape ``(N, *input_shape)``, or a clear error."""
        return check_batch(x, self.input_shape, name)


def check_batch(x, input_shape, name="x"):
    """``x`` as a numpy batch of shape ``(N, *input_shape)`` of finite real numbers, or a clear error.

    >>> check_batch(np.zeros((2, 1, 8, 8)), (1, 8, 8)).shape
    (2, 1, 8, 8)
    >>> check_batch(np.zeros((2, 64)), (1, 8, 8))
    Traceback (most recent call last):
    ...
    ValueError: x must have shape (N, 1, 8, 8) (batch, channel, height, width), got (2, 64)
    """
    input_shape = tuple(input_shape)
    expected = "(N, " + ", ".join(str(side) for side in input_shape) + ")"
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of shape {expected}, got {type(x).__name__}")
    if x.ndim != 1 + len(input_shape) or x.shape[1:] != input_shape:
        axes = "(batch, channel, height, width)" if len(input_shape) == 3 else "(batch, features)"
        raise ValueError(f"{name} must have shape {expected} {axes}, got {x.shape}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} holds NaN or infinite {'pixels' if len(input_shape) == 3 else 'values'}")
    return x


def check_architecture(architecture):
    if not isinstance(architecture, Architecture):
        raise TypeError(f"architecture must be an Architecture, got {type(architecture).__name__}")
    return architecture


#: The course's 8×8 digits classifier (:mod:`numformat.nn.model`): 3,818 parameters.
DIGITS_CNN = Architecture("digits", (1, 8, 8), (
    Conv2d("conv1", 1, 8, kernel=3, padding=1), ReLU(),
    Conv2d("conv2", 8, 16, kernel=3, padding=1), ReLU(),
    MaxPool("pool", 2), Flatten(),
    Dense("fc", 16 * 4 * 4, 10),
))
