"""numformat.plots, spoken-digit section: each figure draws what numformat computes (Agg backend)."""

import numpy as np
import pytest

import numformat as nf
from numformat.nn import load_spoken_digits, load_spoken_int8, spoken_digit_features
from numformat.nn.features import mel_centres, mel_to_hz, speech_bounds


@pytest.fixture(scope="module")
def spoken_test():
    return load_spoken_digits()[1]


def test_voice_and_codes_draws_the_samples_and_their_mulaw_levels(plots, spoken_test):
    pcm = spoken_test.audio[0]
    speech = speech_bounds(pcm)
    zoom = (speech[0] + 400, speech[0] + 460)
    wave_ax, code_ax = plots.plot_voice_and_codes(pcm, speech, zoom)
    (wave,) = wave_ax.lines
    np.testing.assert_array_equal(wave.get_ydata(), pcm)
    assert wave.get_xdata()[-1] == pytest.approx((pcm.size - 1) / 8000)
    shaded = [patch.get_x() for patch in wave_ax.patches]
    assert shaded == pytest.approx([speech[0] / 8000, zoom[0] / 8000])
    steps, dots = code_ax.lines[:2]
    levels = dots.get_ydata()
    assert dots.get_xdata().tolist() == list(range(*zoom))
    # a level is the code's magnitude with its sign: G.711 sends 255 - level above zero, 127 + level below
    codes = nf.mulaw_encode(pcm[zoom[0]:zoom[1]]).astype(int)
    rebuilt = np.where(levels >= 0, 255 - levels, 127 + levels)
    nonzero = levels != 0  # the two zeros, 255 and 127, draw alike
    np.testing.assert_array_equal(rebuilt[nonzero], codes[nonzero])
    assert np.all(np.isin(codes[~nonzero], [127, 255]))
    np.testing.assert_array_equal(steps.get_ydata(), levels)


def test_log_mel_shows_the_picture_with_band_centres_in_hz(plots, spoken_test):
    picture = spoken_digit_features(spoken_test.audio[0])[0, 0]
    ax = plots.plot_log_mel(picture, title="t")
    np.testing.assert_array_equal(ax.images[0].get_array(), picture)
    centres = mel_to_hz(mel_centres())[1:-1]
    assert [label.get_text() for label in ax.get_yticklabels()] == [f"{centres[b]:.0f}" for b in (0, 8, 16, 24)]
    assert ax.get_title() == "t"


def test_feature_maps_draw_every_channel_on_the_int8_scale(plots, spoken_test):
    int8_model = load_spoken_int8()
    codes = int8_model.layer_outputs(spoken_digit_features(spoken_test.audio[0]))["conv1"][0]
    axes = plots.plot_feature_maps(codes, ncols=3)
    assert axes.shape == (3, 3)  # 8 channels, the ninth panel empty
    drawn = [ax for ax in axes.flat if ax.images]
    assert len(drawn) == codes.shape[0]
    for channel, ax in enumerate(drawn):
        np.testing.assert_array_equal(ax.images[0].get_array(), codes[channel])
        assert ax.images[0].get_clim() == (-128, 127)


def test_confusion_counts_match_a_loop_over_the_pairs(rng):
    labels, predicted = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    from numformat.plots import confusion_counts

    counts = confusion_counts(labels, predicted)
    expected = np.zeros((10, 10), int)
    for said, heard in zip(labels.tolist(), predicted.tolist()):
        expected[said, heard] += 1
    np.testing.assert_array_equal(counts, expected)


def test_confusion_plot_writes_the_counts_and_the_accuracy(plots, spoken_test):
    x = spoken_digit_features(spoken_test.audio[:40])
    predicted = load_spoken_int8().predict(x)
    labels = spoken_test.labels[:40]
    ax = plots.plot_confusion(labels, predicted, title="int8")
    counts = plots.confusion_counts(labels, predicted)
    np.testing.assert_array_equal(ax.images[0].get_array(), counts)
    assert sorted(int(text.get_text()) for text in ax.texts) == sorted(counts[counts > 0].tolist())
    correct = int(np.sum(labels == predicted))
    assert ax.get_title() == f"int8: {correct}/40 = {correct / 40:.2%}"


@pytest.mark.parametrize("labels, predicted, message", [
    ([0, 10], [0, 1], "labels=.* must be whole numbers from 0 to 9"),
    ([0, 1], [-1, 1], "predicted=.* must be whole numbers from 0 to 9"),
    ([0, 1, 2], [0, 1], "labels and predicted must have the same length, got 3 and 2"),
])
def test_confusion_counts_refuse_labels_outside_the_classes(labels, predicted, message):
    from numformat.plots import confusion_counts

    with pytest.raises(ValueError, match=message):
        confusion_counts(labels, predicted)
