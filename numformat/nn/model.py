"""``FloatCNN``: a float32 network run from its description, by default the digits classifier.

A ``FloatCNN`` holds an :class:`~numformat.nn.architecture.Architecture` and its parameters;
its forward and backward passes walk the architecture's layers, so any sequential network of
conv2d, ReLU, max-pool, flatten and dense layers runs, trains and quantizes the same way.
The one the course quantizes to int8 is :data:`~numformat.nn.architecture.DIGITS_CNN`::

    image (N, 1, 8, 8) in [0, 1]
      → conv1 3×3, 8 channels, padding 1  → ReLU      (N, 8, 8, 8)
      → conv2 3×3, 16 channels, padding 1 → ReLU      (N, 16, 8, 8)
      → max-pool 2×2                                  (N, 16, 4, 4)
      → flatten → fc 256 → 10                         logits (N, 10)

Padding with 0.0 is chosen with int8 in mind: after quantization the border holds each
layer's input zero point, which exists exactly because ``choose_qparams`` keeps 0.0
representable.  3,818 parameters: 15 KB in float32, under 4 KB in int8.

The weights live in ``numformat/data/digits_cnn.npz`` (load with :func:`load_pretrained`;
``python -m numformat.nn.train`` rebuilds that file bit for bit).
"""

from __future__ import annotations

import pathlib

import numpy as np

from . import layers
from .architecture import DIGITS_CNN, PARAMETRIC, Conv2d, Dense, MaxPool, check_architecture

WEIGHTS_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "digits_cnn.npz"
# The digits CNN's vocabulary, read from its description (numformat.nn.architecture).
IMAGE_SHAPE = DIGITS_CNN.input_shape
CLASSES = DIGITS_CNN.classes
PARAMETER_SHAPES = DIGITS_CNN.parameter_shapes()


def check_images(x, name="x", architecture=DIGITS_CNN):
    """``x`` as an array of shape ``(N, *architecture.input_shape)``, or a clear error."""
    return architecture.check_input(x, name)


class FloatCNN:
    """A float32 network: ``forward`` gives logits, ``predict`` classes, ``accuracy`` a fraction.

    Parameters
    ----------
    params : dict of str → numpy.ndarray
        The arrays named by ``architecture.parameter_shapes()``, cast to float32.
    activation_transform : callable, optional
        ``activation_transform(name, values, training) -> (values, passes)``, applied to the
        tensors an int8 model quantizes (``architecture.activation_names``: for the digits CNN
        the ``"input"`` image and the ``"conv1"`` and ``"conv2"`` outputs, after ReLU).  This
        is where quantization-aware training puts its fake-quantization nodes
        (:mod:`numformat.nn.qat`).  ``training`` is True inside :meth:`loss_and_gradients`
        (range observers update then) and False for inference; ``passes`` is a boolean array
        marking where the backward pass lets the gradient through (the straight-through
        estimator), or None for everywhere.
    architecture : Architecture
        The layers (default: :data:`~numformat.nn.architecture.DIGITS_CNN`).

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> model = load_pretrained()
    >>> model.predict(x_test[:8]).tolist(), y_test[:8].tolist()
    ([1, 5, 9, 2, 4, 5, 6, 7], [1, 5, 9, 2, 4, 5, 6, 7])
    >>> model.nbytes
    15272
    """

    def __init__(self, params, *, activation_transform=None, architecture=DIGITS_CNN):
        if activation_transform is not None and not callable(activation_transform):
            raise TypeError("activation_transform must be a function (name, values, training) -> (values, passes), "
                            f"got {type(activation_transform).__name__}")
        self.activation_transform = activation_transform
        self.architecture = check_architecture(architecture)
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
        shapes = architecture.parameter_shapes()
        missing = sorted(set(shapes) - set(params))
        if missing:
            raise ValueError(f"params lacks {missing}; a FloatCNN needs {sorted(shapes)}")
        self.params = {}
        for name, shape in shapes.items():
            value = np.asarray(params[name], dtype=np.float32)
            if value.shape != shape:
                raise ValueError(f"params[{name!r}] must have shape {shape}, got {value.shape}")
            self.params[name] = value

    @classmethod
    def initial(cls, rng, architecture=DIGITS_CNN):
        """He-initialised weights (normal, variance 2/fan_in) and zero biases, from ``rng``."""
        params = {}
        for name, shape in check_architecture(architecture).parameter_shapes().items():
            if name.endswith("bias"):
                params[name] = np.zeros(shape, dtype=np.float32)
            else:
                fan_in = int(np.prod(shape[1:]))
                params[name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        return cls(params, architecture=architecture)

    def with_params(self, params):
        """A model with other ``params`` and this one's architecture and ``activation_transform``."""
        return FloatCNN(params, activation_transform=self.activation_transform, architecture=self.architecture)

    def copy(self):
        """A model with copies of the parameters (training the copy leaves this one alone)."""
        return self.with_params({name: value.copy() for name, value in self.params.items()})

    def _transform(self, name, values, training):
        """``(values, passes)`` after the activation transform, if any, in the dtype of ``values``."""
        if self.activation_transform is None or name not in self.architecture.activation_names:
            return values, None
        transformed, passes = self.activation_transform(name, values, training)
        return np.asarray(transformed, dtype=values.dtype), passes

    @property
    def nbytes(self):
        """Bytes the parameters take in float32."""
        return sum(value.nbytes for value in self.params.values())

    def __repr__(self):
        """The layers' weight shapes and the size: the same text every run (a ``.tflite`` file's
        description holds it, so the file is the same bytes every time).

        >>> from numformat.nn import load_pretrained
        >>> load_pretrained()
        FloatCNN(conv1_weight (8, 1, 3, 3), conv2_weight (16, 8, 3, 3), fc_weight (10, 256); 15272 bytes, 10 classes)
        """
        shapes = ", ".join(f"{name} {tuple(value.shape)}" for name, value in self.params.items() if value.ndim > 1)
        return f"FloatCNN({shapes}; {self.nbytes} bytes, {self.architecture.classes} classes)"

    def _apply(self, layer, values):
        """One layer's output (before its fused ReLU) and what its backward pass needs (conv rows)."""
        if isinstance(layer, Conv2d):
            return layers.conv2d(values, self.params[f"{layer.name}_weight"], self.params[f"{layer.name}_bias"],
                                 padding=layer.padding, stride=layer.stride)
        if isinstance(layer, Dense):
            return layers.dense(values, self.params[f"{layer.name}_weight"], self.params[f"{layer.name}_bias"]), None
        if isinstance(layer, MaxPool):
            return layers.maxpool(values, layer.size), None
        return values.reshape(len(values), -1), None  # Flatten

    def activations(self, x):
        """Every named tensor as a dict (``architecture.tensor_shapes()``): for the digits CNN
        ``input``, ``conv1``, ``conv2`` (after ReLU), ``pool``, ``logits``.

        These are the tensors an int8 model quantizes, so calibration looks at exactly them
        (with an ``activation_transform``, the transformed tensors).
        """
        values = self._transform("input", self.architecture.check_input(x).astype(np.float32), False)[0]
        tensors = {"input": values}
        for step in self.architecture.steps:
            values = self._apply(step.layer, values)[0]
            if step.relu:
                values = layers.relu(values)
            if step.output is not None:
                values = tensors[step.output] = self._transform(step.output, values, False)[0]
        return tensors

    def forward(self, x):
        """Logits ``(N, classes)`` float32 for inputs ``x`` of shape ``(N, *input_shape)``."""
        return self.activations(x)["logits"]

    def predict(self, x):
        """The most likely class for each input, int64 ``(N,)``."""
        return self.forward(x).argmax(axis=1)

    def accuracy(self, x, y):
        """Fraction of inputs whose predicted class equals the label ``y``."""
        y = np.asarray(y)
        if y.shape != (len(x),):
            raise ValueError(f"y must have one label per image, shape ({len(x)},), got {y.shape}")
        return float(np.mean(self.predict(x) == y))

    def loss_and_gradients(self, x, y):
        """Mean cross-entropy on the batch ``(x, y)`` and its gradient for every parameter.

        The backward pass walks the steps of the forward pass in reverse.  With an
        ``activation_transform`` the gradient crosses each transform unchanged where
        ``passes`` is True and is zero elsewhere (the straight-through estimator).
        """
        values, _ = self._transform("input", x, True)
        tape = []  # (step, its input, its output before ReLU, conv rows, the transform's passes)
        for step in self.architecture.steps:
            before_relu, cols = self._apply(step.layer, values)
            output, passes = layers.relu(before_relu) if step.relu else before_relu, None
            if step.output is not None:
                output, passes = self._transform(step.output, output, True)
            tape.append((step, values, before_relu, cols, passes))
            values = output
        loss, gradient = layers.softmax_cross_entropy(values, y)
        grads = {}
        for index in range(len(tape) - 1, -1, -1):
            step, inputs, before_relu, cols, passes = tape[index]
            gradient = _straight_through(gradient, passes)
            if step.relu:
                gradient = gradient * (before_relu > 0)
            gradient = self._backward(step.layer, gradient, inputs, cols, grads, input_gradient=index > 0)
        return loss, grads

    def _backward(self, layer, gradient, inputs, cols, grads, *, input_gradient):
        """The gradient at ``layer``'s input; its parameters' gradients go into ``grads``."""
        if isinstance(layer, PARAMETRIC):
            weight = self.params[f"{layer.name}_weight"]
            if isinstance(layer, Conv2d):
                gradient, dweight, dbias = layers.conv2d_backward(gradient, cols, inputs.shape, weight,
                                                                  padding=layer.padding, stride=layer.stride,
                                                                  input_gradient=input_gradient)
            else:
                gradient, dweight, dbias = layers.dense_backward(gradient, inputs, weight,
                                                                 input_gradient=input_gradient)
            grads[f"{layer.name}_weight"], grads[f"{layer.name}_bias"] = dweight, dbias
            return gradient
        if isinstance(layer, MaxPool):
            return layers.maxpool_backward(gradient, inputs, layer.size)
        return gradient.reshape(inputs.shape)  # Flatten

    def save(self, path, **metadata):
        """Write the parameters (and numeric or string ``metadata`` arrays) to an ``.npz`` file."""
        np.savez(path, **self.params, **{f"meta_{key}": np.asarray(value) for key, value in metadata.items()})

    @classmethod
    def load(cls, path, architecture=DIGITS_CNN):
        """Read a file written by :meth:`save` (``allow_pickle=False``: arrays only, no code)."""
        with np.load(path, allow_pickle=False) as stored:
            return cls({name: stored[name] for name in check_architecture(architecture).parameter_shapes()},
                       architecture=architecture)


def _straight_through(gradient, passes):
    """The gradient through a fake-quantization node: unchanged where ``passes``, else 0."""
    return gradient if passes is None else gradient * passes
