"""numformat.plots, PTQ-vs-QAT section: each figure draws what numformat computes (Agg backend)."""

import numpy as np
import pytest

import numformat as nf
from numformat.nn.sensitivity import TENSORS, Sensitivity


def test_fake_quant_ste_draws_the_staircase_and_the_straight_through_gradient(plots):
    qp = nf.choose_qparams(min=0.0, max=3.0, bits=2)
    forward, backward = plots.plot_fake_quant_ste(qp)
    identity, staircase = forward.lines
    np.testing.assert_array_equal(staircase.get_ydata(), nf.fake_quantize(staircase.get_xdata(), qp))
    assert len(np.unique(staircase.get_ydata())) == 4
    (ste,) = backward.lines
    x = ste.get_xdata()
    np.testing.assert_array_equal(ste.get_ydata(), ((x >= 0.0) & (x <= 3.0)).astype(float))
    boundaries = backward.collections[0].get_segments()
    assert [segment[0][0] for segment in boundaries] == [0.5, 1.5, 2.5]  # halfway between the 4 levels


def test_accuracy_vs_bits_plots_percentages_in_the_given_order(plots):
    ax = plots.plot_accuracy_vs_bits({"PTQ": [0.99, 0.5], "QAT": [None, 0.9]}, (8, 2), 0.993, title="t")
    float_line, ptq, qat = ax.lines
    assert float_line.get_ydata()[0] == pytest.approx(99.3)
    assert ptq.get_ydata().tolist() == [99.0, 50.0] and qat.get_ydata().tolist() == [90.0]  # None: not drawn
    assert qat.get_xdata().tolist() == [1]
    assert [label.get_text() for label in ax.get_xticklabels()] == ["8", "2"]
    assert ax.get_title() == "t"


def test_accuracy_vs_bits_keeps_a_methods_colour_across_panels(plots):
    from matplotlib.colors import same_color

    from numformat.palette import METHOD_COLOURS

    colours = {"PTQ mse": METHOD_COLOURS["mse"], "QAT": METHOD_COLOURS["qat"]}
    both = plots.plot_accuracy_vs_bits({"PTQ minmax": [0.9], "PTQ mse": [0.9], "QAT": [0.9]}, (8,), 0.99,
                                       colours=colours)
    fewer = plots.plot_accuracy_vs_bits({"PTQ mse": [0.9], "QAT": [0.9]}, (8,), 0.99, colours=colours)
    assert same_color(both.lines[3].get_color(), fewer.lines[2].get_color())  # QAT: one colour in both
    assert same_color(fewer.lines[1].get_color(), METHOD_COLOURS["mse"])


def test_sensitivity_heatmap_shows_the_table(plots):
    bits = (4, 2)
    accuracy = {tensor: (0.99, 0.9 - 0.1 * i) for i, tensor in enumerate(TENSORS)}
    divergence = {tensor: (0.001, 0.1 * (i + 1)) for i, tensor in enumerate(TENSORS)}
    table = Sensitivity(bits, 0.99, accuracy, divergence)
    ax = plots.plot_sensitivity(table)
    np.testing.assert_allclose(ax.images[0].get_array(), [[table.drop(t, b) for b in bits] for t in TENSORS])
    assert [text.get_text() for text in ax.texts][:2] == ["0.00", "9.00"]
    ax = plots.plot_sensitivity(table, "divergence")
    np.testing.assert_allclose(ax.images[0].get_array()[:, 1], [100 * (i + 1) for i in range(len(TENSORS))])
    with pytest.raises(ValueError, match="value='kl'"):
        plots.plot_sensitivity(table, "kl")


def test_grid_spacing_shows_uniform_int8_and_logarithmic_fp8(plots, rng):
    ax = plots.plot_grid_spacing(2.0, [nf.FLOAT8_E4M3FN], values=rng.standard_normal(100))
    int8, e4m3 = ax.lines
    x = int8.get_xdata()
    np.testing.assert_allclose(int8.get_ydata() * x, 2.0 / 127)  # one step for every magnitude
    relative = e4m3.get_ydata()
    top_binades = x > 2.0 * 2.0 ** -8  # above the scaled subnormals: 2**-3 to 2**-4 relative
    assert np.all((relative[top_binades] > 2.0 ** -4 * 0.99) & (relative[top_binades] <= 2.0 ** -3 * 1.01))
    assert len(ax.figure.axes) == 2  # the histogram's twin axis
