"""numformat.plots: each figure draws what the lesson says it draws (on the Agg backend)."""

import numpy as np
import pytest

import numformat as nf


def line_data(line):
    return np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)


# --- integers ---


@pytest.mark.parametrize("bits", [3, 4])
def test_number_wheel_shows_every_code_three_ways(plots, bits):
    ax = plots.plot_number_wheel(bits)
    count = 2 ** bits
    (points,) = ax.collections
    assert len(points.get_offsets()) == count
    labels = [text.get_text() for text in ax.texts]
    assert len(labels) == 3 * count + 2  # binary, signed, unsigned per code, and the two cuts
    assert {f"{code:0{bits}b}" for code in range(count)} <= set(labels)
    assert [str(value) for value in nf.int_from_bits(np.arange(count), bits).tolist()] == labels[1:3 * count:3]
    assert f"{count // 2 - 1} + 1 → {-count // 2}" in labels[-2] and f"{count - 1} + 1 → 0" in labels[-1]
    radii = np.hypot(*points.get_offsets().T)
    np.testing.assert_allclose(radii, 1.0)


def test_number_wheel_refuses_unreadable_sizes(plots):
    with pytest.raises(ValueError, match="bits=8 does not fit on a readable wheel; use 2 to 6"):
        plots.plot_number_wheel(8)


def test_wraparound_draws_the_library_values(plots):
    ax = plots.plot_wraparound(8)
    true, wrapped, saturated = ax.lines[0], ax.lines[2], ax.lines[1]
    x, y = line_data(true)
    np.testing.assert_array_equal(x, np.arange(-384, 384))
    np.testing.assert_array_equal(y, x)
    x, y = line_data(wrapped)
    breaks = np.isnan(y)
    assert breaks.sum() == 2  # the sawtooth jumps back twice over three ranges
    np.testing.assert_array_equal(x[~breaks], np.arange(-384, 384))
    np.testing.assert_array_equal(y[~breaks], np.arange(-384, 384).astype(np.int8))
    x, y = line_data(saturated)
    np.testing.assert_array_equal(y, np.clip(x, -128, 127))
    assert ax.get_ylabel() == "stored int8 value"


def test_wraparound_unsigned_with_given_values(plots):
    ax = plots.plot_wraparound(4, signed=False, values=np.arange(-5, 40))
    x, y = line_data(ax.lines[2])
    assert np.nanmin(y) == 0 and np.nanmax(y) == 15
    np.testing.assert_array_equal(np.isnan(x), np.isnan(y))
    assert np.isnan(y).sum() == 3  # 15 → 0 three times: before 0, 16 and 32
    np.testing.assert_array_equal(y[~np.isnan(y)], np.arange(-5, 40) % 16)


def test_memory_bars_are_bits_over_eight(plots):
    ax = plots.plot_memory(count=1_000_000, bandwidth_gb_s=25.6)
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [1.0, 2.0, 4.0, 8.0]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["8-bit", "16-bit", "32-bit", "64-bit"]
    assert [text.get_text() for text in ax.texts] == ["1 MB\n39 µs", "2 MB\n78 µs", "4 MB\n156 µs", "8 MB\n312 µs"]


# --- floats ---


def test_ulp_lines_are_numformat_ulp_over_each_whole_range(plots):
    ax = plots.plot_ulp(["float16", "bfloat16", "float32"], points=500)
    assert len(ax.lines) == 3
    for line, fmt in zip(ax.lines, (nf.FLOAT16, nf.BFLOAT16, nf.FLOAT32)):
        x, y = line_data(line)
        assert x.size == 500
        np.testing.assert_allclose([x[0], x[-1]], [fmt.min_subnormal, fmt.max])
        np.testing.assert_array_equal(y, nf.ulp(x, fmt))
        assert y[0] == fmt.min_subnormal and y[-1] == fmt.max * fmt.eps / (2 - fmt.eps)
    assert ax.get_xscale() == ax.get_yscale() == "log"


def test_value_grid_has_a_tick_per_positive_value(plots):
    ax = plots.plot_value_grid(["float8_e4m3fn", "float8_e5m2"])
    counts, subnormals = [], []
    for collection, fmt in zip(ax.collections, (nf.FLOAT8_E4M3FN, nf.FLOAT8_E5M2)):
        x = collection.get_offsets()[:, 0]
        np.testing.assert_array_equal(x, nf.from_bits(np.arange(1, fmt.max_code + 1), fmt))
        counts.append(x.size)
        grey = np.all(np.isclose(collection.get_facecolors()[:, :3], 0.5, atol=0.01), axis=1)
        subnormals.append(int(grey.sum()))
    assert counts == [126, 123]  # E4M3FN: 0x01-0x7E; E5M2: 0x01-0x7B
    assert subnormals == [7, 3]  # 2**mantissa_bits - 1 each
    assert [label.get_text() for label in ax.get_yticklabels()] == ["float8_e4m3fn\n126 values",
                                                                    "float8_e5m2\n123 values"]


def test_value_grid_refuses_wide_formats(plots):
    with pytest.raises(ValueError, match="float32 has 2\\*\\*32 values"):
        plots.plot_value_grid(["float32"])


def test_relative_spacing_is_between_half_eps_and_eps_for_normals(plots):
    formats = (nf.FLOAT8_E4M3FN, nf.FLOAT8_E5M2, nf.FLOAT16, nf.BFLOAT16)
    ax = plots.plot_relative_spacing(formats)
    assert len(ax.lines) == 4
    for line, fmt in zip(ax.lines, formats):
        x, y = line_data(line)
        np.testing.assert_array_equal(y, nf.ulp(x, fmt) / x)
        normal = x >= fmt.min_normal
        assert y[normal].max() == fmt.eps and y[normal].min() > fmt.eps / 2
        assert y[0] == 1.0  # the smallest subnormal: the next value is twice as large


# --- the course (lesson 0) ---


def test_format_bits_bars_add_up_to_each_word(plots):
    formats = [nf.FLOAT32, nf.FLOAT8_E4M3FN, nf.QFormat(3, 12), nf.QFormat(8, 8, signed=False),
               ("μ-law", [("sign", 1), ("exponent", 3), ("mantissa", 4)])]
    ax = plots.plot_format_bits(formats)
    widths = [[(patch.get_x(), patch.get_width()) for patch in ax.patches if round(patch.get_y() + 0.35) == row]
              for row in range(len(formats))]
    assert [[width for _, width in row] for row in widths] == [[1, 8, 23], [1, 4, 3], [1, 3, 12], [8, 8], [1, 3, 4]]
    assert all(start == sum(width for _, width in row[:i]) for row in widths for i, (start, _) in enumerate(row))
    assert [label.get_text() for label in ax.get_yticklabels()] == ["float32", "float8_e4m3fn", "Q3.12", "UQ8.8", "μ-law"]
    with pytest.raises(TypeError, match="FloatFormats, QFormats or \\(label, fields\\) pairs"):
        plots.plot_format_bits(["float32"])


def test_course_map_bars_follow_each_other(plots):
    from numformat.course import Notebook

    notebooks = [Notebook("Lesson 1", "lessons/01_a.ipynb", "Lesson 1 — A", "a", 30),
                 Notebook("Lab 1", "labs/lab01_b/lab01_b.ipynb", "Lab 1 — B", "b", 60),
                 Notebook("Lesson 2", "lessons/02_c.ipynb", "Lesson 2 — C")]
    ax = plots.plot_course_map(notebooks)
    assert [(patch.get_x(), patch.get_width()) for patch in ax.patches] == [(0, 30), (30, 60)]
    texts = [text.get_text() for text in ax.texts]
    assert texts == ["30 min · A", "60 min · B", "C (time not listed yet)"]
    assert ax.get_title() == "The course here: 2 lessons and 1 lab, about 1.5 hours"
