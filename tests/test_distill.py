"""Knowledge distillation: soft targets, the cross-entropy against them, and clear errors."""

import numpy as np
import pytest

from numformat.nn import distillation_targets, layers
from numformat.nn.distill import softmax


def test_one_hot_targets_give_the_integer_labels_loss_and_gradient_bit_for_bit(rng):
    logits = rng.normal(size=(32, 10)).astype(np.float32) * 3
    labels = rng.integers(0, 10, 32)
    loss, grad = layers.softmax_cross_entropy(logits, labels)
    soft_loss, soft_grad = layers.softmax_cross_entropy(logits, np.eye(10, dtype=np.float32)[labels])
    assert np.array_equal(grad, soft_grad) and soft_grad.dtype == np.float32
    assert soft_loss == pytest.approx(loss, rel=1e-12)


def test_soft_target_gradient_matches_finite_differences(rng):
    logits = rng.normal(size=(4, 10))
    targets = softmax(rng.normal(size=(4, 10)))
    _, grad = layers.softmax_cross_entropy(logits, targets)
    step = 1e-6
    for i, j in [(0, 0), (1, 3), (3, 9)]:
        bumped = [logits.copy(), logits.copy()]
        bumped[0][i, j] += step
        bumped[1][i, j] -= step
        numeric = (layers.softmax_cross_entropy(bumped[0], targets)[0]
                   - layers.softmax_cross_entropy(bumped[1], targets)[0]) / (2 * step)
        assert grad[i, j] == pytest.approx(numeric, abs=1e-7)


def test_softmax_matches_numpy_and_softens_with_temperature(rng):
    logits = rng.normal(size=(50, 10)) * 4
    for temperature in (1.0, 3.0):
        expected = np.exp(logits / temperature)
        expected /= expected.sum(axis=1, keepdims=True)
        assert np.allclose(softmax(logits, temperature), expected, rtol=1e-13, atol=0)
    assert softmax(logits, 3.0).max(axis=1).mean() < softmax(logits, 1.0).max(axis=1).mean()


def test_targets_mix_the_label_and_the_teacher(digits, pretrained):
    x_train, y_train, _, _ = digits
    x, y = x_train[:64], y_train[:64]
    hard = distillation_targets(pretrained, x, y, label_weight=1.0)
    assert np.array_equal(hard, np.eye(10, dtype=np.float32)[y])
    teacher = distillation_targets(pretrained, x, y, temperature=1.0, label_weight=0.0)
    assert np.allclose(teacher, softmax(pretrained.forward(x)), atol=1e-7)
    mixed = distillation_targets(pretrained, x, y, temperature=3.0, label_weight=0.5)
    assert np.allclose(mixed.sum(axis=1), 1.0, atol=1e-6)
    assert np.allclose(mixed, 0.5 * hard + 0.5 * softmax(pretrained.forward(x), 3.0), atol=1e-7)
    assert np.all(mixed[np.arange(64), y] >= 0.5)           # the label keeps at least its weight


@pytest.mark.parametrize("kwargs, error, message", [
    ({"teacher": "model"}, TypeError, "teacher must be a FloatCNN, got str"),
    ({"temperature": 0}, ValueError, r"temperature=0 must lie in \(0.0, inf\]"),
    ({"temperature": "3"}, TypeError, "temperature must be a real number, got str"),
    ({"label_weight": 1.5}, ValueError, r"label_weight=1.5 must lie in \[0.0, 1.0\]"),
    ({"label_weight": float("nan")}, ValueError, "label_weight=nan must lie in"),
    ({"y": np.array([0, 10])}, ValueError, "y must hold one digit 0..9 per image"),
    ({"y": np.array([0.0, 1.0])}, ValueError, "y must hold one digit 0..9 per image"),
    ({"y": np.array([0, 1, 2])}, ValueError, r"shape \(2,\)"),
])
def test_bad_arguments_get_clear_errors(digits, pretrained, kwargs, error, message):
    x_train, y_train, _, _ = digits
    arguments = {"teacher": pretrained, "x": x_train[:2], "y": y_train[:2], **kwargs}
    with pytest.raises(error, match=message):
        distillation_targets(**arguments)
