"""The voices study: every set of training speakers present, the five-voice sets equal to the
report's networks, one training reproduced from scratch, and the curve and its fit."""

import json

import numpy as np
import pytest

from numformat.nn import spoken_voices
from numformat.nn.spoken import SPEAKERS
from numformat.nn.spoken_train import SpokenConfig, train_spoken
from numformat.nn.spoken_voices import (FEWER_TAKES, error_power_law, unseen_accuracy, voice_sets, voices_curve,
                                        voices_for)


@pytest.fixture(scope="module")
def table():
    return json.loads(spoken_voices.VOICES_PATH.read_text())


def test_the_shipped_table_holds_every_training_set_and_unseen_speaker(table):
    assert list(table["sets"]) == ["+".join(voices) for voices in voice_sets()]
    for voices, scores in table["sets"].items():
        assert list(scores) == [speaker for speaker in SPEAKERS if speaker not in voices.split("+")]
    assert table["fewer_clips"]["takes"] == FEWER_TAKES
    assert list(table["fewer_clips"]["speakers"]) == list(SPEAKERS)


def test_five_voices_are_the_reports_networks(table):
    report = json.loads(spoken_voices.VOICES_PATH.with_name("spoken_digits_cnn.json").read_text())
    for voices in voice_sets([5]):
        (unseen,) = set(SPEAKERS) - set(voices)
        assert table["sets"]["+".join(voices)] == {unseen: report["speakers"][unseen]["float32"]}


def test_one_training_of_the_fewer_clips_row_is_reproduced_exactly(table):
    voices = tuple(speaker for speaker in SPEAKERS if speaker != "theo")
    found_voices, takes, scores = unseen_accuracy((voices, FEWER_TAKES))
    assert (found_voices, takes) == (voices, FEWER_TAKES)
    assert scores == {"theo": table["fewer_clips"]["speakers"]["theo"]}


def test_the_fewer_clips_row_trains_on_as_many_clips_as_one_voice_has():
    _, labels, speakers, takes = spoken_voices.every_clip()
    five = np.isin(speakers, SPEAKERS[1:]) & (takes < FEWER_TAKES)
    assert five.sum() == np.sum(speakers == SPEAKERS[0]) == 500
    assert np.bincount(labels[five]).tolist() == [50] * 10


def test_training_without_an_evaluation_set_gives_the_same_weights():
    x, labels, _, _ = spoken_voices.every_clip()
    data = (x[:64], labels[:64])
    _, scored = train_spoken(SpokenConfig(epochs=2), (*data, x[64:96], labels[64:96]))
    _, unscored = train_spoken(SpokenConfig(epochs=2), (*data, None, None))
    assert unscored["digest"] == scored["digest"]
    assert unscored["eval_accuracy"] == [] and len(scored["eval_accuracy"]) == 2


def test_the_curve_pools_every_pair_of_a_size(table):
    sizes, mean, lowest, highest = voices_curve(table["sets"])
    assert sizes.tolist() == [1, 2, 3, 4, 5]
    one = [value for speaker in SPEAKERS for value in table["sets"][speaker].values()]
    assert (mean[0], lowest[0], highest[0]) == (pytest.approx(np.mean(one)), min(one), max(one))
    report = json.loads(spoken_voices.VOICES_PATH.with_name("spoken_digits_cnn.json").read_text())
    assert mean[-1] == pytest.approx(np.mean([row["float32"] for row in report["speakers"].values()]))


@pytest.mark.parametrize("sets", [{}, {"a": {"b": 1.5}}, {"a": {"b": -0.1}}])
def test_a_curve_of_nothing_or_of_impossible_accuracies_is_refused(sets):
    with pytest.raises(ValueError, match="accuracy from 0 to 1"):
        voices_curve(sets)


def test_the_power_law_fits_a_learning_curve_exactly_when_it_is_one():
    sizes = np.arange(1, 6)
    accuracy = 1 - 0.5 * sizes ** -0.7
    a, b = error_power_law(sizes, accuracy)
    assert (a, b) == (pytest.approx(np.log(0.5)), pytest.approx(-0.7))
    assert voices_for(0.9, sizes, accuracy) == pytest.approx(5 ** (1 / 0.7))


def test_an_error_that_does_not_fall_needs_no_number_of_voices():
    assert voices_for(0.9, [1, 2, 3], [0.7, 0.7, 0.6]) is None


@pytest.mark.parametrize("sizes, accuracy", [([1], [0.5]), ([1, 2], [0.5, 1.0]), ([0, 2], [0.5, 0.6]),
                                             ([1, 2, 3], [0.5, 0.6])])
def test_a_fit_of_too_few_or_impossible_points_is_refused(sizes, accuracy):
    with pytest.raises(ValueError, match="sizes and accuracy"):
        error_power_law(sizes, accuracy)


def test_a_goal_outside_0_to_1_is_refused():
    with pytest.raises(ValueError, match="goal"):
        voices_for(85, [1, 2], [0.5, 0.6])


def test_the_cli_refuses_no_jobs(capsys):
    with pytest.raises(SystemExit):
        spoken_voices.main(["--jobs", "0"])
    assert "--jobs must be 1 or more, got 0" in capsys.readouterr().err


def test_the_cli_writes_the_study_and_prints_the_curve(monkeypatch, tmp_path, capsys, table):
    monkeypatch.setattr(spoken_voices, "study", lambda jobs: table)
    out = tmp_path / "voices.json"
    assert spoken_voices.main(["--out", str(out), "--jobs", "1"]) == 0
    assert json.loads(out.read_text()) == table
    printed = capsys.readouterr().out
    sizes, mean, _, _ = voices_curve(table["sets"])
    assert f"1 voice : mean {mean[0]:.1%}" in printed and f"5 voices: mean {mean[-1]:.1%}" in printed


def test_voices_plot_draws_the_curve(plots, table):
    ax = plots.plot_voices(table, goal=85)
    lines = {line.get_label(): line for line in ax.lines}
    _, mean, _, _ = voices_curve(table["sets"])
    np.testing.assert_allclose(lines["mean over every pair"].get_ydata(), 100 * mean)
    fewer = [label for label in lines if label.startswith("5 voices, takes 0–9")]
    assert len(fewer) == 1
    assert lines[fewer[0]].get_ydata()[0] == pytest.approx(100 * np.mean(list(table["fewer_clips"]["speakers"].values())))
    assert lines["goal 85%"].get_ydata()[0] == 85
    dots = sum(line.get_ydata().size for label, line in lines.items() if label == "a training set, one unseen speaker"
               or (label.startswith("_") and line.get_marker() == "o"))
    assert dots == sum(len(scores) for scores in table["sets"].values())


def test_a_curve_for_a_speaker_never_unseen_is_refused():
    with pytest.raises(ValueError, match="speaker='zoe' unseen in none"):
        voices_curve({"a": {"b": 0.5}}, speaker="zoe")


def test_the_readme_table_is_the_shipped_study(table):
    readme = (spoken_voices.VOICES_PATH.parents[2] / "README.md").read_text(encoding="utf-8")
    lines = readme.split("| voices trained on (`python -m numformat.nn.spoken_voices`) |", 1)[1]
    rows = {line.split(" | ")[0].lstrip("| "): line.rstrip(" |").split(" | ")[1:]
            for line in lines.split("\n\n", 1)[0].splitlines()[2:]}
    sizes, mean, lowest, highest = voices_curve(table["sets"])
    counts = {size: sum(1 for voices in table["sets"] if len(voices.split("+")) == size) for size in sizes}
    assert rows == {"training sets × unseen speakers": [f"{counts[size]} × {6 - size}" for size in sizes],
                    "mean on an unseen voice": [f"{100 * value:.1f}%" for value in mean],
                    "lowest pair": [f"{100 * value:.1f}%" for value in lowest],
                    "highest pair": [f"{100 * value:.1f}%" for value in highest]}


def test_the_figures_quoted_in_the_readme_and_lesson_10_are_the_studys(table):
    root = spoken_voices.VOICES_PATH.parents[2]
    lesson = json.loads((root / "lessons" / "10_capstone_spoken_digits.ipynb").read_text(encoding="utf-8"))
    prose = " ".join("".join(cell["source"]) for cell in lesson["cells"] if cell["cell_type"] == "markdown")
    readme = (root / "README.md").read_text(encoding="utf-8")
    sizes, mean, _, _ = voices_curve(table["sets"])
    fewer = np.mean(list(table["fewer_clips"]["speakers"].values()))
    a, b = error_power_law(sizes, mean)
    george, theo = (voices_curve(table["sets"], speaker)[1] for speaker in ("george", "theo"))
    quoted = [f"{100 * fewer:.1f}%", f"{100 * (fewer - mean[0]):.1f} points", f"{100 * (mean[-1] - fewer):.1f} points",
              f"{100 * np.exp(a):.1f}% × voices^", f"{-b:.2f}", f"george {100 * george[0]:.0f}% → {100 * george[-1]:.0f}%",
              f"theo {100 * theo[0]:.0f}% → {100 * theo[-1]:.0f}%"]
    for text in (readme, prose):
        missing = [figure for figure in quoted if figure not in text.replace("\n", " ")]
        assert not missing
    needed = {goal: round(voices_for(goal, sizes, mean)) for goal in (0.85, 0.90)}
    assert needed == {0.85: 9, 0.90: 20}
    assert "about nine voices and 90% at about twenty" in readme.replace("\n", " ")
    assert "**9 voices** and 90% at about 20" in prose.replace("\n", " ")
