"""numformat.widgets.BlockExplorer, driven from Python: every control recomputes what numformat.blocks says."""

import numpy as np
import pytest

import numformat as nf
from numformat.blocks import FORMATS

widgets = pytest.importorskip("numformat.widgets")
BlockExplorer = widgets.BlockExplorer


def expected_block(fmt, seed, outlier, index=5):
    values = np.random.default_rng(seed).standard_normal(FORMATS[fmt].block_size)
    values[index] *= outlier
    return values


@pytest.fixture(scope="module")
def explorer():
    return BlockExplorer("mxfp4_e2m1")


def test_every_control_recomputes_the_block_its_scale_and_error(explorer):
    steps = [("outlier_slider", 20.0), ("format_picker", "nvfp4"), ("seed_slider", 7), ("format_picker", "nf4"),
             ("format_picker", "int4-g32"), ("outlier_slider", 1.0), ("format_picker", "mxint8")]
    for control, value in steps:
        getattr(explorer, control).value = value
        values = expected_block(explorer.fmt, explorer.seed, explorer.outlier)
        quantized = nf.block_quantize(values, explorer.fmt)
        stored = nf.block_dequantize(quantized)
        np.testing.assert_array_equal(explorer.values, values)
        np.testing.assert_array_equal(explorer.quantized.codes, quantized.codes)
        np.testing.assert_array_equal(explorer.stored, stored)
        assert explorer.scale == float(quantized.scales[0])
        assert explorer.sqnr_db == nf.sqnr_db(values, stored)
        assert f"SQNR {explorer.sqnr_db:.2f} dB" in explorer.summary.value
        assert f"{explorer.scale:.6g}" in explorer.summary.value
    assert (explorer.fmt, explorer.seed, explorer.outlier) == ("mxint8", 7, 1.0)


def test_an_outlier_coarsens_the_other_values_grid():
    explorer = BlockExplorer("mxfp4_e2m1", seed=3)
    calm_scale, calm_others = explorer.scale, explorer.others_sqnr_db
    explorer.outlier = 100.0
    amax = np.abs(explorer.values).max()
    assert amax == abs(explorer.values[5])
    assert explorer.scale == 2.0 ** (np.floor(np.log2(amax)) - 2) > calm_scale  # OCP MX: emax of E2M1 is 2
    assert explorer.others_sqnr_db < calm_others - 6  # each doubling of the scale costs the others about 6 dB
    others = np.arange(32) != 5
    assert explorer.others_sqnr_db == nf.sqnr_db(explorer.values[others], explorer.stored[others])
    assert explorer.flushed_to_zero == np.count_nonzero((explorer.stored == 0) & (explorer.values != 0))


def test_the_table_lists_codes_and_stored_values(explorer):
    explorer.fmt, explorer.seed, explorer.outlier = "mxfp4_e2m1", 0, 1.0
    table = explorer.table.value
    codes = explorer.quantized.codes
    row = table.split("<th style='text-align:left;padding-right:1em'>code</th>")[1].split("</tr>")[0]
    assert row.count("<td") == 8  # elements 0..7, the outlier (5) among them
    assert [cell.split(">")[1].split("<")[0] for cell in row.split("<td")[1:]] == [str(int(c)) for c in codes[:8]]


def test_the_figure_is_a_png_drawn_the_same_every_time():
    first, second = BlockExplorer("nvfp4", outlier=5.0), BlockExplorer("nvfp4", outlier=5.0)
    assert first.figure.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert first.figure.value == second.figure.value


def test_repr_is_short_and_stable():
    explorer = BlockExplorer("int4-g32", seed=2)
    assert repr(explorer) == (f"BlockExplorer(int4-g32, 32 values, outlier ×1: scale {explorer.scale:.4g}, "
                              f"SQNR {explorer.sqnr_db:.2f} dB, the others {explorer.others_sqnr_db:.2f} dB)")
    assert repr(explorer) == repr(BlockExplorer("int4-g32", seed=2))


@pytest.mark.parametrize("call, error, message", [
    (lambda: BlockExplorer("mxfp3"), ValueError, "fmt='mxfp3' is not a block format; use one of 'mxfp8_e4m3'"),
    (lambda: BlockExplorer(outlier=0.5), ValueError, "outlier=0.5 is outside the explorer's range 1 to 100"),
    (lambda: BlockExplorer(seed=100), ValueError, "seed=100 is outside the explorer's range 0 to 99"),
    (lambda: BlockExplorer(outlier_index=16), ValueError, "outlier_index=16 must be an int from 0 to 15"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
