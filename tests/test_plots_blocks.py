"""numformat.plots, block-scaled formats: each figure draws what numformat.blocks computes (Agg backend)."""

import numpy as np
import pytest

import numformat as nf
from numformat.blocks import NF4_LEVELS, outlier_study, synthetic_outlier_layer


@pytest.mark.parametrize("fmt", [nf.MXFP4_E2M1, nf.NVFP4, nf.NF4, nf.int4_groups(32)], ids=lambda fmt: fmt.name)
def test_block_shows_values_stored_values_error_and_the_scale(plots, fmt, rng):
    values = rng.standard_normal(fmt.block_size)
    values[3] = 9.0  # an outlier sets the block's scale
    ax = plots.plot_block(values, fmt)
    value_line, stored_line = ax.lines[:2]
    quantized = nf.block_quantize(values, fmt)
    stored = nf.block_dequantize(quantized)
    np.testing.assert_array_equal(value_line.get_ydata(), values)
    np.testing.assert_array_equal(stored_line.get_ydata(), stored)
    np.testing.assert_allclose([bar.get_height() for bar in ax.patches], stored - values)
    assert f"shared scale {float(quantized.scales[0]):.4g}" in ax.get_title()


def test_block_refuses_more_than_one_block(plots):
    with pytest.raises(ValueError, match="one block of 32 for mxfp4_e2m1, got shape"):
        plots.plot_block(np.ones(64), nf.MXFP4_E2M1)


def test_four_bit_levels_are_the_formats_own(plots):
    from numformat.plots.blocks import four_bit_levels

    levels = four_bit_levels()
    fp4 = np.unique(nf.from_bits(np.arange(16), nf.FLOAT4_E2M1FN))
    np.testing.assert_array_equal(levels["FP4 E2M1 (MX, NVFP4)"], fp4 / 6)
    assert len(fp4) == 15  # +0 and -0 are one value
    np.testing.assert_array_equal(levels["NF4 (QLoRA)"], NF4_LEVELS)
    ax = plots.plot_four_bit_levels()
    drawn = [line.get_xdata() for line in ax.lines]
    for drawn_levels, expected in zip(drawn, levels.values()):
        np.testing.assert_array_equal(drawn_levels, expected)


def test_bits_tradeoff_plots_every_scheme_at_its_bits(plots):
    rows = [{"name": "int8", "bits_per_weight": 8.3, "sqnr_db": 42.0, "score": 0.99},
            {"name": "mxfp4_e2m1", "bits_per_weight": 4.3, "sqnr_db": 18.5, "score": 0.98}]
    accuracy_ax, sqnr_ax = plots.plot_bits_tradeoff(rows, 0.9933)
    points = [(line.get_xdata()[0], line.get_ydata()[0]) for line in accuracy_ax.lines[1:]]
    assert points == [(8.3, 99.0), (4.3, 98.0)]
    assert [(line.get_xdata()[0], line.get_ydata()[0]) for line in sqnr_ax.lines] == [(8.3, 42.0), (4.3, 18.5)]
    assert [text.get_text() for text in sqnr_ax.texts] == ["int8", "mxfp4_e2m1"]
    assert accuracy_ax.lines[0].get_ydata()[0] == pytest.approx(99.33)
    assert [text.get_text() for text in sqnr_ax.get_legend().get_texts()][:2] == ["MX: E8M0 scale per 32",
                                                                                  "NVFP4: E4M3 scale per 16"]


def test_tradeoff_labels_of_coinciding_points_move_apart(plots):
    rows = [{"name": name, "bits_per_weight": 4.23, "sqnr_db": 20.5, "score": 0.9778}
            for name in ("nvfp4", "int4-g128", "nf4")] + [{"name": "int8", "bits_per_weight": 8.3, "sqnr_db": 42.0,
                                                          "score": 0.9778}]
    accuracy_ax, sqnr_ax = plots.plot_bits_tradeoff(rows, 0.99)
    for ax in (accuracy_ax, sqnr_ax):
        places = [(tuple(text.xyann), text.get_horizontalalignment()) for text in ax.texts]
        # three at one point take three different places around it; the far one keeps the first
        assert len(set(places[:3])) == 3 and places[0] == ((4, 3), "left")
        assert places[3][0] in {(4, 3), (-4, 3)} and ax.texts[3].arrow_patch is None  # alone: next to its point


def test_tradeoff_labels_avoid_each_other_and_the_points(plots):
    from numformat.plots.blocks import label_boxes

    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(5, 4))
    positions = [(4.22, 20.1), (4.23, 20.5), (4.28, 18.4), (4.3, 17.1), (4.02, 15.2), (6.2, 30.0), (8.3, 42.0)]
    for position in positions:
        ax.plot(*position, "o")
    names = ["int4-g128", "nf4", "mxfp4_e2m1", "int4", "int4-tensor", "fp8", "int8"]
    places = label_boxes(ax, positions, names, fontsize=7)
    assert len(places) == len(names) and places[5] == (4, 3, "left")  # a lone point keeps the first place
    assert places[6] != (4, 3, "left")  # in the top right corner that place would leave the axes
    assert len(set(places[:5])) >= 3  # the crowded ones spread out


def test_outlier_study_bars_are_the_studys_sqnr(plots, rng):
    x, weight = synthetic_outlier_layer(rng, tokens=64, features=128, outputs=16)
    study = outlier_study(x, weight, "int4-g32")
    ax = plots.plot_outlier_study({"synthetic": study})
    assert [bar.get_height() for bar in ax.patches] == [sqnr for sqnr, _ in study.values()]
    assert [label.get_text() for label in ax.get_xticklabels()] == list(study)
    assert [text.get_text() for text in ax.texts] == [f"{bits:.2f} b" for _, bits in study.values()]
