"""numformat.plots, compression section: each figure draws what numformat computes (Agg backend)."""

import numpy as np

from numformat.compress import PowerOfTwoGrid, share_weights


def test_size_waterfall_bars_are_the_stage_bytes(plots):
    stages = {"float32": 122176, "pruned": 40000, "shared": 9000, "Huffman": 7600}
    ax = plots.plot_size_waterfall(stages)
    assert [bar.get_height() for bar in ax.patches] == [bits / 8 for bits in stages.values()]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == list(stages)
    assert ax.texts[-1].get_text() == "950 B\n16.1× smaller"
    rounded = plots.plot_size_waterfall({"float32": 122176, "shared": 8490})  # 1061.25 bytes: the file needs 1,062
    assert rounded.texts[-1].get_text().startswith("1,062 B\n")


def test_shared_weights_draws_every_centroid(plots, pretrained):
    layer = share_weights(pretrained.params["fc_weight"], 7)
    ax = plots.plot_shared_weights(pretrained.params["fc_weight"], layer.mask, layer.codebook, layer.codebook * 1.1)
    positions = sorted(line.get_xdata()[0] for line in ax.lines)
    np.testing.assert_allclose(positions, sorted(np.concatenate([layer.codebook, layer.codebook * 1.1])), rtol=1e-6)
    assert sum(patch.get_height() for patch in ax.patches) == layer.mask.sum()


def test_power_of_two_levels_are_the_grid(plots, pretrained):
    grid = PowerOfTwoGrid.for_weights(pretrained.params["conv2_weight"], 5)
    ax = plots.plot_power_of_two_levels(pretrained.params["conv2_weight"], grid.levels)
    assert [line.get_xdata()[0] for line in ax.lines] == grid.levels.tolist()
