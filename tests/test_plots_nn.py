"""numformat.plots, integer inference section: each figure draws what numformat computes (Agg backend)."""

import numpy as np
import pytest

import numformat as nf


def test_accumulator_growth_marks_limits_and_layers(plots):
    ax = plots.plot_accumulator_growth({"conv1": 9, "fc": 256})
    worst, *limits = ax.lines[:4]
    np.testing.assert_allclose(worst.get_ydata(), worst.get_xdata() * 255 * 127)
    assert sorted(line.get_ydata()[0] for line in limits) == [2 ** 15 - 1, 2 ** 24, 2 ** 31 - 1]
    markers = [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines[4:]]
    assert markers == [(9, 9 * 32385), (256, 256 * 32385)]
    assert [text.get_text() for text in ax.texts] == ["conv1: 9", "fc: 256"]


def test_mac_window_shows_the_products_and_their_sum(plots, rng):
    shifted = rng.integers(0, 256, (3, 3))
    weights = rng.integers(-127, 128, (3, 3))
    axes = plots.plot_mac_window(shifted, weights)
    numbers = [[int(text.get_text()) for text in ax.texts] for ax in axes]
    assert numbers == [shifted.ravel().tolist(), weights.ravel().tolist(), (shifted * weights).ravel().tolist()]
    assert axes[2].get_title() == f"products; sum = {int((shifted * weights).sum()):,}"


def test_int8_vs_float_plots_values_or_errors_in_steps(plots, rng):
    x = rng.standard_normal(10_000)
    qp = nf.choose_qparams(x)
    y = nf.fake_quantize(x, qp)
    dots, diagonal = plots.plot_int8_vs_float(x, y).lines
    assert dots.get_xdata().size == 4000
    np.testing.assert_array_equal(dots.get_ydata(), nf.fake_quantize(dots.get_xdata(), qp))
    errors = plots.plot_int8_vs_float(x, y, scale=qp.scale).lines[0].get_ydata()
    assert np.all(np.abs(errors) <= 0.5 + 1e-6)  # rounding alone: within half a step


def test_requantization_error_circles_the_disagreements(plots):
    acc = np.arange(500, 580)
    fixed = nf.requantize(acc, 0.0027809306099202034, 0, -128, 127, mode="fixedpoint")
    single = nf.requantize(acc, 0.0027809306099202034, 0, -128, 127, mode="fixedpoint-single")
    ax = plots.plot_requantization_error(acc, 0.0027809306099202034, {"fixedpoint": (fixed, 0), "single": (single, 0)})
    circles = ax.lines[2]
    assert circles.get_xdata().tolist() == acc[fixed != single].tolist() and len(circles.get_xdata()) >= 1
    np.testing.assert_allclose(ax.lines[1].get_ydata(), single - acc * 0.0027809306099202034)


def test_energy_bars_are_horowitz_numbers(plots):
    ax = plots.plot_energy_per_operation()
    widths = [patch.get_width() for patch in ax.patches]
    assert widths == list(plots.HOROWITZ_45NM_PJ.values())
    assert plots.HOROWITZ_45NM_PJ["float32 multiply"] / plots.HOROWITZ_45NM_PJ["int8 multiply"] == pytest.approx(18.5)


def test_digit_predictions_flag_mistakes(plots):
    images = np.zeros((3, 1, 8, 8))
    axes = plots.plot_digit_predictions(images, np.array([1, 2, 3]), {"float": [1, 2, 0], "int8": [1, 5, 0]})
    titles = [ax.get_title() for ax in axes.flat]
    assert titles == ["1: 1/1", "2: 2/5", "3: 0/0"]
    colours = [ax.title.get_color() for ax in axes.flat]
    assert colours[0] == "black" and colours[1] == colours[2] == "#d9534f"
