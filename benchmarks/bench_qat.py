"""Below 8 bits: the all-channels MSE clipping search against calibrate() channel by channel,
and what fake quantization adds to a fine-tuning epoch and to inference (QAT, FP8)."""

import numpy as np

import numformat as nf
from numformat.nn import fp8_model, quantization_aware_training
from numformat.nn.ptq import mse_clip_fractions
from numformat.nn.train import TrainConfig, train
from run import Case


def _calibrate_each_channel(channels, bits):
    """The reference: numformat.quant.calibrate("mse") on one channel at a time, as fractions of max |w|."""
    ranges = np.array([nf.calibrate(row, "mse", bits=bits, symmetric=True) for row in channels])
    return np.maximum(-ranges[:, 0], ranges[:, 1]) / np.abs(channels).max(axis=1)


def _same_fractions(ours, reference):
    np.testing.assert_allclose(ours, reference, rtol=1e-12)


def _both_trained(ours, reference):
    assert ours[1]["test_accuracy"] and reference[1]["test_accuracy"]


def _same_predictions_mostly(ours, reference):
    assert np.mean(ours.argmax(axis=1) == reference.argmax(axis=1)) >= 0.98


def cases(quick=False):
    x_train, y_train, x_test, y_test = nf.load_digits_split()
    model = nf.load_pretrained()
    calib = x_train[:500]
    fc = model.params["fc_weight"].astype(np.float64)
    fc = fc[:2] if quick else fc
    data = tuple(array[:64] for array in (x_train, y_train, x_test, y_test)) if quick else None
    images = x_test[:8] if quick else x_test
    fp8 = fp8_model(model, calib, nf.FLOAT8_E4M3FN)
    return [
        Case("`mse_clip_fractions(fc_weight, 2)`, 10 channels × 256 weights, all at once",
             lambda: mse_clip_fractions(fc, 2), "`calibrate(row, \"mse\", bits=2, symmetric=True)` per channel",
             lambda: _calibrate_each_channel(fc, 2), goal_ratio=0.1, check=_same_fractions),
        Case("`quantization_aware_training(model, x, weight_bits=4, activation_bits=4)`, one epoch",
             lambda: quantization_aware_training(model, calib, weight_bits=4, activation_bits=4, data=data),
             "`train(TrainConfig(epochs=1), model=model)`, float fine-tuning",
             lambda: train(TrainConfig(epochs=1, learning_rate=0.0005), model=model,
                           data=data or (x_train, y_train, x_test, y_test)),
             goal_ratio=2.5, check=_both_trained, repeats=3),
        Case("`fp8_model(model, x, FLOAT8_E4M3FN).forward(x)`, 450 test images",
             lambda: fp8.forward(images), "`FloatCNN.forward(x)`, float32",
             lambda: model.forward(images), goal_ratio=2.0, check=_same_predictions_mostly),
    ]
