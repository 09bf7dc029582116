"""Quantization-aware training: fine-tuning with the rounding in the loop.

Post-training quantization (:mod:`numformat.nn.ptq`) rounds a trained model's weights
and activations and hopes the model does not mind; at 8 bits it does not, at 2-4 bits the
rounding error is more than the trained weights can absorb.  Quantization-aware training (QAT;
Jacob et al., "Quantization and Training of Neural Networks for Efficient
Integer-Arithmetic-Only Inference", CVPR 2018) fine-tunes the model *with* the rounding in the
loop.  Every tensor the integer model will quantize passes through a fake-quantization node in
the forward pass, so the loss sees exactly the error of the deployed model, while the weights
being trained stay float:

* **forward**: ``w_used = fake_quantize(w_float)``; activations likewise;
* **backward**: rounding has zero derivative almost everywhere, so the gradient is passed
  *straight through* the node as if it were the identity (the straight-through estimator,
  Bengio, Léonard & Courville, 2013), and set to zero where an activation was clipped to its
  range's end (PyTorch's ``FakeQuantize``, TensorFlow's ``FakeQuantWithMinMaxVarsGradient``).
  Small updates accumulate in the float weights until one crosses a rounding boundary and the
  quantized weight moves a step.

How the ranges are tracked during training:

* **weights**: PTQ's clipping is chosen once, at the start, as a fraction of each channel's
  ``max |w|`` (1 for min-max, the least-error fraction for MSE); at every step the range is
  that fraction of the current ``max |w|``, so it follows the weights (TensorFlow's
  ``LastValueQuantizer`` uses the current min and max).  Re-choosing the MSE fraction at
  every step makes the scale jump between candidates, and training with it was noisier;
* **activations**: start from PTQ's calibrated ``[min, max]`` and follow an exponential moving
  average of each training batch's min and max, ``range += c · (batch_range - range)`` with
  ``c = 0.01`` (PyTorch's ``MovingAverageMinMaxObserver``; TensorFlow's
  ``MovingAverageQuantizer`` decays by 0.999, i.e. ``c = 0.001``).  The range follows the
  activations as the weights change, while one batch's outlier moves it by only 1 %.  At
  evaluation the ranges are frozen.

The training loop is the one that trained the float model (:func:`numformat.nn.train.train`),
given the fake-quantized weights as its ``weight_transform`` and the activation nodes as the
model's ``activation_transform``.
"""

from __future__ import annotations

from ..checks import check_mode
from .data import load_digits_split
from .architecture import DIGITS_CNN
from .ptq import WEIGHT_METHODS, ActivationQuantizer, check_model, clip_fractions, fake_quantize_weights
from .model import FloatCNN

AVERAGING_CONSTANT = 0.01                    # PyTorch's MovingAverageMinMaxObserver default


def quantization_aware_training(model, calib_x, *, weight_bits=4, activation_bits=None, method="mse",
                                per_channel=True, epochs=1, learning_rate=0.0005, seed=0,
                                averaging_constant=AVERAGING_CONSTANT, data=None, augment=False):
    """QAT: fine-tune ``model`` with fake-quantized weights (and activations), then freeze the ranges.

    One epoch from the trained weights is enough for this model: the learning rate is
    0.0005, where the float model's own 40-epoch schedule was near its end (the schedule decays
    once per epoch, so one epoch keeps it constant);
    the images are not augmented (a short fine-tuning has to fit the rounding, not generalise
    further: with the float training's random shifts QAT ends 0.2-1.6 points lower).

    Parameters
    ----------
    model : FloatCNN
        The trained float model to start from (left unchanged).
    calib_x : numpy.ndarray, shape (N, 1, 8, 8)
        Images for the activations' initial ranges.
    weight_bits, activation_bits, method, per_channel
        As in :func:`~numformat.nn.ptq.post_training_quantize`; ``method`` is
        ``"minmax"`` or ``"mse"`` (for the weights' clipping and the activations' initial ranges).
    epochs, learning_rate, seed
        The fine-tuning run (:class:`~numformat.nn.train.TrainConfig`; the learning rate
        steps down linearly, once per epoch, towards 0 over ``epochs``: constant for one epoch; ``seed`` chooses the shuffle, and the shifts if ``augment``).
    averaging_constant : float
        How far each training batch moves the activation ranges.
    data : tuple of numpy.ndarray, optional
        ``(x_train, y_train, x_test, y_test)``; default, for the digits CNN: the seed-0 split
        the shipped model was trained on, whatever ``seed`` is (another split would train on
        its test images).  Any other architecture needs its own ``data``.
    augment : bool
        Shift each training image by up to a pixel, as the float training did.

    Returns
    -------
    quantized : FloatCNN
        The simulated quantized model: weights on their grid, activation ranges frozen.
    history : dict
        :func:`~numformat.nn.train.train`'s per-epoch ``loss``, ``test_accuracy``, ``digest``.

    Examples
    --------
    >>> from numformat.nn import load_digits_split, load_pretrained
    >>> from numformat.nn.ptq import post_training_quantize
    >>> x_train, y_train, x_test, y_test = load_digits_split()
    >>> float_model = load_pretrained()
    >>> ptq = post_training_quantize(float_model, x_train[:500], weight_bits=2)
    >>> qat, history = quantization_aware_training(float_model, x_train[:500], weight_bits=2)
    >>> round(ptq.accuracy(x_test, y_test), 4), round(qat.accuracy(x_test, y_test), 4)
    (0.2467, 0.9444)
    """
    from .train import TrainConfig, train  # here, not at import: `python -m numformat.nn.train` then runs cleanly

    check_model(model)
    check_mode(method, WEIGHT_METHODS, "method")
    if data is None and model.architecture != DIGITS_CNN:
        raise ValueError(f"data=None means the digits split, which does not fit {model.architecture.name!r}; "
                         "pass data=(x_train, y_train, x_test, y_test)")
    nodes = ActivationQuantizer.calibrated(model, calib_x, activation_bits, method=method,
                                           averaging_constant=averaging_constant)
    # PTQ's clipping, chosen once: the ranges then follow each channel's max |w| smoothly (a
    # range re-chosen by MSE at every step jumps between candidates, and training with it is noisier)
    fractions = clip_fractions(model.params, weight_bits, per_channel=per_channel, method=method)

    def weights_on_grid(params):
        return fake_quantize_weights(params, weight_bits, per_channel=per_channel, fractions=fractions)

    config = TrainConfig(seed=seed, epochs=epochs, learning_rate=learning_rate)
    trained, history = train(config, model=FloatCNN(model.params, activation_transform=nodes,
                                                    architecture=model.architecture),
                             weight_transform=weights_on_grid, data=load_digits_split() if data is None else data,
                             augment=augment)
    return FloatCNN(weights_on_grid(trained.params), activation_transform=nodes.frozen(),
                    architecture=model.architecture), history
