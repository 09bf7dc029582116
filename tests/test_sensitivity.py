"""Per-layer sensitivity and the mixed-precision assignment on the shipped model: the output
divergence against scipy, the table's shape and what it says about the first layer, the
assignment's search and budget, and what the assignment buys."""

import itertools

import numpy as np
import pytest

from numformat.nn import assign_bits, layer_sensitivity, post_training_quantize, quantization_aware_training
from numformat.nn.sensitivity import BITS, TENSORS, WEIGHT_COUNTS, Sensitivity, output_divergence, weight_bits_total


@pytest.fixture(scope="module")
def calib(digits):
    return digits[0][:500]


@pytest.fixture(scope="module")
def table(digits, pretrained, calib):
    return layer_sensitivity(pretrained, calib, digits[2], digits[3])


def test_output_divergence_matches_scipy(rng):
    from scipy.special import softmax
    from scipy.stats import entropy

    reference, logits = rng.normal(0, 3, (2, 1000, 10))
    expected = np.mean(entropy(softmax(reference, axis=1), softmax(logits, axis=1), axis=1))
    assert output_divergence(reference, logits) == pytest.approx(expected, rel=1e-12)
    assert output_divergence(reference, reference) == 0.0


def test_table_measures_each_tensor_alone(table, digits, pretrained, calib):
    assert table.bits == BITS and set(table.accuracy) == set(table.divergence) == set(TENSORS)
    assert table.float_accuracy == pretrained.accuracy(digits[2], digits[3])
    single = post_training_quantize(pretrained, calib, weight_bits={"fc": 3}, method="mse")
    assert table.accuracy["weights", "fc"][BITS.index(3)] == single.accuracy(digits[2], digits[3])
    assert table.drop(("weights", "fc"), 3) == pytest.approx(100 * (table.float_accuracy - single.accuracy(digits[2], digits[3])))
    assert table.divergence["weights", "fc"][BITS.index(3)] == output_divergence(pretrained.forward(calib), single.forward(calib))


def test_fewer_bits_cost_more_and_8_bits_cost_nothing(table):
    for tensor in TENSORS:
        divergence = table.divergence[tensor]
        assert divergence[0] < 1e-4  # 8 bits: under 0.1 millinat
        assert all(wider < narrower for wider, narrower in zip(divergence, divergence[1:])), tensor
        assert table.drop(tensor, 8) == 0.0


def test_the_first_layer_is_the_most_sensitive_at_2_bits(table):
    """conv1 has 72 weights, 9 per output: each rounding error weighs more than in conv2's 72-tap
    sums, and everything after it sees the damage.  At 2 bits it costs the most accuracy of the
    three layers and, per weight, by far the most output divergence."""
    weights = [("weights", layer) for layer in WEIGHT_COUNTS]
    assert max(weights, key=lambda tensor: table.drop(tensor, 2)) == ("weights", "conv1")
    per_weight = {tensor: table.divergence[tensor][BITS.index(2)] / WEIGHT_COUNTS[tensor[1]] for tensor in weights}
    assert max(per_weight, key=per_weight.get) == ("weights", "conv1")
    assert per_weight["weights", "conv1"] > 10 * max(per_weight["weights", "conv2"], per_weight["weights", "fc"])


def test_assignment_is_the_best_combination_within_the_budget(table):
    budget = int(2.5 * sum(WEIGHT_COUNTS.values()))
    chosen = assign_bits(table, budget)
    assert chosen == {"conv1": 8, "conv2": 3, "fc": 2}

    def cost(assignment):
        return sum(table.divergence["weights", layer][BITS.index(bits)] for layer, bits in assignment.items())

    for widths in itertools.product(BITS, repeat=3):
        other = dict(zip(WEIGHT_COUNTS, widths))
        if weight_bits_total(other) <= budget:
            assert cost(chosen) <= cost(other)
    assert assign_bits(table, weight_bits_total({"conv1": 8, "conv2": 8, "fc": 8})) == {"conv1": 8, "conv2": 8, "fc": 8}
    assert assign_bits(table, weight_bits_total({"conv1": 2, "conv2": 2, "fc": 2})) == {"conv1": 2, "conv2": 2, "fc": 2}


def test_mixed_precision_beats_uniform_2_bits(table, digits, pretrained, calib):
    """2.42 bits per weight (conv1 8, conv2 3, fc 2): PTQ 93.3% against 79.3% for uniform 2
    bits, and QAT 98.0% (uniform 3 bits: 97.6%)."""
    mixed = assign_bits(table, int(2.5 * sum(WEIGHT_COUNTS.values())))
    x_test, y_test = digits[2], digits[3]
    ptq_mixed = post_training_quantize(pretrained, calib, weight_bits=mixed, method="mse").accuracy(x_test, y_test)
    ptq_uniform = post_training_quantize(pretrained, calib, weight_bits=2, method="mse").accuracy(x_test, y_test)
    assert ptq_mixed > ptq_uniform + 0.10
    trained, _ = quantization_aware_training(pretrained, calib, weight_bits=mixed)
    assert trained.accuracy(x_test, y_test) >= 0.96


def test_table_text_lists_every_tensor(table):
    text = table.table()
    assert text.splitlines()[0].split()[-5:] == [f"{bits}-bit" for bits in BITS]
    assert "conv1 weights" in text and "input activations" in text and len(text.splitlines()) == 1 + len(TENSORS)
    assert "millinats" in table.table("divergence")


@pytest.mark.parametrize("call, error, message", [
    (lambda table: assign_bits({"conv1": 8}, 10_000), TypeError, "sensitivity must be a Sensitivity, got dict"),
    (lambda table: assign_bits(table, 100), ValueError, "budget_bits=100 is below 7568"),
    (lambda table: table.table("accuracy"), ValueError, "value='accuracy' is not a table"),
])
def test_sensitivity_rejects_bad_input(table, call, error, message):
    with pytest.raises(error, match=message):
        call(table)


def test_sensitivity_is_a_frozen_record(table):
    assert isinstance(table, Sensitivity)
    with pytest.raises(AttributeError):
        table.bits = (8,)
