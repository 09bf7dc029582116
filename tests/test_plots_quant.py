"""numformat.plots, int8 mapping section: each figure draws what numformat.quant computes (Agg backend)."""

import numpy as np
import pytest

import numformat as nf


def test_affine_mapping_draws_the_staircase_and_the_exact_zero(plots):
    qp = nf.choose_qparams(min=-1.0, max=3.0, bits=3)
    ax = plots.plot_affine_mapping(qp)
    identity, staircase, zero = ax.lines[:3]
    x, y = staircase.get_xdata(), staircase.get_ydata()
    np.testing.assert_array_equal(y, nf.fake_quantize(x, qp))
    np.testing.assert_array_equal(identity.get_ydata(), identity.get_xdata())
    assert (zero.get_xdata()[0], zero.get_ydata()[0]) == (0.0, 0.0)
    assert len(np.unique(y)) == 8  # every 3-bit code appears once the ramp runs past both ends
    assert len(ax.patches) == 2  # the two clipped regions
    assert "zero point = -2" in ax.get_title()


def test_code_histogram_counts_every_code(plots, rng):
    w = rng.standard_normal(1000)
    qp = nf.choose_qparams(w)
    ax = plots.plot_code_histogram(w, qp, title="w")
    (steps,) = ax.patches
    heights, edges = steps.get_data().values, steps.get_data().edges
    assert len(heights) == 256 and sum(heights) == 1000
    np.testing.assert_array_equal(edges, np.arange(-128, 129) - 0.5)
    codes = nf.quantize(w, qp)
    np.testing.assert_array_equal(heights, [np.count_nonzero(codes == code) for code in range(-128, 128)])
    assert f"use {len(np.unique(codes))} of 256 codes" in ax.get_title()
    with pytest.raises(ValueError, match="per-tensor"):
        plots.plot_code_histogram(w.reshape(10, 100), nf.choose_qparams(w.reshape(10, 100), axis=0))


def test_channel_ranges_draw_one_bar_per_channel(plots, rng):
    w = rng.standard_normal((6, 2, 3, 3)) * np.arange(1, 7)[:, None, None, None]
    ax = plots.plot_channel_ranges(w)
    (bars,) = ax.collections
    segments = bars.get_segments()
    assert len(segments) == 6
    for channel, segment in enumerate(segments):
        assert (segment[0][1], segment[1][1]) == (w[channel].min(), w[channel].max())
    assert [line.get_ydata()[0] for line in ax.lines[:2]] == [w.min(), w.max()]


def test_error_bars_and_calibration_ranges(plots, rng):
    errors = {"conv1": {"a": 1e-5, "b": 2e-5}, "fc": {"a": 3e-6, "b": 1e-6}}
    ax = plots.plot_error_bars(errors)
    assert sorted(bar.get_height() for bar in ax.patches) == sorted([1e-5, 2e-5, 3e-6, 1e-6])
    assert ax.get_yscale() == "linear" and plots.plot_error_bars(errors, log=True).get_yscale() == "log"
    x = rng.standard_normal(1000)
    ranges = {method: nf.calibrate(x, method) for method in nf.CALIBRATION_METHODS}
    ax = plots.plot_calibration_ranges(x, ranges)
    assert len(ax.lines) == 2 * len(ranges)  # every range here has a negative min
    assert ax.lines[0].get_xdata()[0] == ranges["minmax"][1]
