"""``FloatCNN``: the small float32 digits classifier that the course quantizes to int8.

::

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

WEIGHTS_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "digits_cnn.npz"
IMAGE_SHAPE = (1, 8, 8)
CLASSES = 10
PARAMETER_SHAPES = {
    "conv1_weight": (8, 1, 3, 3), "conv1_bias": (8,),
    "conv2_weight": (16, 8, 3, 3), "conv2_bias": (16,),
    "fc_weight": (CLASSES, 16 * 4 * 4), "fc_bias": (CLASSES,),
}


def check_images(x, name="x"):
    """``x`` as an array of shape ``(N, 1, 8, 8)``, or a clear error."""
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array of shape (N, 1, 8, 8), got {type(x).__name__}")
    if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"{name} must have shape (N, 1, 8, 8) (batch, channel, height, width), got {x.shape}")
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        raise ValueError(f"{name} holds NaN or infinite pixels")
    return x


class FloatCNN:
    """The float32 CNN: ``forward`` gives logits, ``predict`` digits, ``accuracy`` a fraction.

    Parameters
    ----------
    params : dict of str → numpy.ndarray
        The six arrays named in :data:`PARAMETER_SHAPES`, cast to float32.
    activation_transform : callable, optional
        ``activation_transform(name, values, training) -> (values, passes)``, applied to the
        tensors an int8 model quantizes: the ``"input"`` image and the ``"conv1"`` and
        ``"conv2"`` outputs (after ReLU).  This is where quantization-aware training puts its
        fake-quantization nodes (:mod:`numformat.nn.qat`).  ``training`` is True inside
        :meth:`loss_and_gradients` (range observers update then) and False for inference;
        ``passes`` is a boolean array marking where the backward pass lets the gradient
        through (the straight-through estimator), or None for everywhere.

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

    def __init__(self, params, *, activation_transform=None):
        if activation_transform is not None and not callable(activation_transform):
            raise TypeError("activation_transform must be a function (name, values, training) -> (values, passes), "
                            f"got {type(activation_transform).__name__}")
        self.activation_transform = activation_transform
        if not isinstance(params, dict):
            raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
        missing = sorted(set(PARAMETER_SHAPES) - set(params))
        if missing:
            raise ValueError(f"params lacks {missing}; a FloatCNN needs {sorted(PARAMETER_SHAPES)}")
        self.params = {}
        for name, shape in PARAMETER_SHAPES.items():
            value = np.asarray(params[name], dtype=np.float32)
            if value.shape != shape:
                raise ValueError(f"params[{name!r}] must have shape {shape}, got {value.shape}")
            self.params[name] = value

    @classmethod
    def initial(cls, rng):
        """He-initialised weights (normal, variance 2/fan_in) and zero biases, from ``rng``."""
        params = {}
        for name, shape in PARAMETER_SHAPES.items():
            if name.endswith("bias"):
                params[name] = np.zeros(shape, dtype=np.float32)
            else:
                fan_in = int(np.prod(shape[1:]))
                params[name] = (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
        return cls(params)

    def with_params(self, params):
        """A model with other ``params`` and this one's ``activation_transform``."""
        return FloatCNN(params, activation_transform=self.activation_transform)

    def copy(self):
        """A model with copies of the parameters (training the copy leaves this one alone)."""
        return self.with_params({name: value.copy() for name, value in self.params.items()})

    def _transform(self, name, values, training):
        """``(values, passes)`` after the activation transform, if any, in the dtype of ``values``."""
        if self.activation_transform is None:
            return values, None
        transformed, passes = self.activation_transform(name, values, training)
        return np.asarray(transformed, dtype=values.dtype), passes

    @property
    def nbytes(self):
        """Bytes the parameters take in float32."""
        return sum(value.nbytes for value in self.params.values())

    def activations(self, x):
        """Every layer's output as a dict: ``conv1``, ``conv2`` (after ReLU), ``pool``, ``logits``.

        These are the tensors an int8 model quantizes, so calibration looks at exactly them
        (with an ``activation_transform``, the transformed tensors).
        """
        x = self._transform("input", check_images(x).astype(np.float32), False)[0]
        p = self.params
        conv1 = self._transform("conv1", layers.relu(layers.conv2d(x, p["conv1_weight"], p["conv1_bias"])[0]), False)[0]
        conv2 = self._transform("conv2", layers.relu(layers.conv2d(conv1, p["conv2_weight"], p["conv2_bias"])[0]), False)[0]
        pool = layers.maxpool2(conv2)
        logits = layers.fixed_order_matmul(pool.reshape(len(x), -1), p["fc_weight"].T) + p["fc_bias"]
        return {"input": x, "conv1": conv1, "conv2": conv2, "pool": pool, "logits": logits}

    def forward(self, x):
        """Logits ``(N, 10)`` float32 for images ``x`` of shape ``(N, 1, 8, 8)``."""
        return self.activations(x)["logits"]

    def predict(self, x):
        """The most likely digit for each image, int64 ``(N,)``."""
        return self.forward(x).argmax(axis=1)

    def accuracy(self, x, y):
        """Fraction of images whose predicted digit equals the label ``y``."""
        y = np.asarray(y)
        if y.shape != (len(x),):
            raise ValueError(f"y must have one label per image, shape ({len(x)},), got {y.shape}")
        return float(np.mean(self.predict(x) == y))

    def loss_and_gradients(self, x, y):
        """Mean cross-entropy on the batch ``(x, y)`` and its gradient for every parameter.

        With an ``activation_transform`` the gradient crosses each transform unchanged where
        ``passes`` is True and is zero elsewhere (the straight-through estimator).
        """
        p = self.params
        x, _ = self._transform("input", x, True)
        h1_pre, cols1 = layers.conv2d(x, p["conv1_weight"], p["conv1_bias"])
        h1, h1_passes = self._transform("conv1", layers.relu(h1_pre), True)
        h2_pre, cols2 = layers.conv2d(h1, p["conv2_weight"], p["conv2_bias"])
        h2, h2_passes = self._transform("conv2", layers.relu(h2_pre), True)
        pooled = layers.maxpool2(h2)
        flat = pooled.reshape(len(x), -1)
        logits = layers.fixed_order_matmul(flat, p["fc_weight"].T) + p["fc_bias"]
        loss, dlogits = layers.softmax_cross_entropy(logits, y)

        grads = {"fc_weight": layers.fixed_order_matmul(dlogits.T, flat), "fc_bias": dlogits.sum(axis=0)}
        dpooled = layers.fixed_order_matmul(dlogits, p["fc_weight"]).reshape(pooled.shape)
        dh2_pre = _straight_through(layers.maxpool2_backward(dpooled, h2), h2_passes) * (h2_pre > 0)
        dh1, grads["conv2_weight"], grads["conv2_bias"] = layers.conv2d_backward(dh2_pre, cols2, h1.shape, p["conv2_weight"])
        dh1_pre = _straight_through(dh1, h1_passes) * (h1_pre > 0)
        _, grads["conv1_weight"], grads["conv1_bias"] = layers.conv2d_backward(dh1_pre, cols1, x.shape, p["conv1_weight"])
        return loss, grads

    def save(self, path, **metadata):
        """Write the parameters (and numeric or string ``metadata`` arrays) to an ``.npz`` file."""
        np.savez(path, **self.params, **{f"meta_{key}": np.asarray(value) for key, value in metadata.items()})

    @classmethod
    def load(cls, path):
        """Read a file written by :meth:`save` (``allow_pickle=False``: arrays only, no code)."""
        with np.load(path, allow_pickle=False) as stored:
            return cls({name: stored[name] for name in PARAMETER_SHAPES})


def _straight_through(gradient, passes):
    """The gradient through a fake-quantization node: unchanged where ``passes``, else 0."""
    return gradient if passes is None else gradient * passes


def load_pretrained():
    """The shipped ``FloatCNN``, trained by ``python -m numformat.nn.train`` (seed 0)."""
    return FloatCNN.load(WEIGHTS_PATH)
