"""The voices study: every set of training speakers present, the five-voice sets equal to the
report's networks, one training reproduced from scratch, and the curve and its fit."""

import json

import numpy as np
import pytest

from numformat.nn import spoken_voices
from numformat.nn.features import speech_power
from numformat.nn.spoken import SPEAKERS, SPOKEN_CNN, spoken_cnn
from numformat.nn.spoken_levers import LEVERS, LEVERS_PATH, lever_features
from numformat.nn.spoken_train import SpokenConfig, train_spoken
from numformat.nn.spoken_voices import (FEWER_TAKES, error_power_law, unseen_accuracy, voice_sets, voices_curve,
                                        voices_for)


@pytest.fixture(scope="module")
def table():
    return json.loads(spoken_voices.VOICES_PATH.read_text())


def test_the_shipped_table_holds_every_training_set_and_unseen_speaker(table):
    assert list(table) == list(spoken_voices.PARTS)
    assert list(table["sets"]) == ["+".join(voices) for voices in voice_sets()]
    assert list(table["band_mean_sets"]) == ["+".join(voices) for voices in voice_sets([4])]
    for voices, scores in {**table["sets"], **table["band_mean_sets"]}.items():
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
    found_voices, takes, norm, scores = unseen_accuracy((voices, FEWER_TAKES, "picture"))
    assert (found_voices, takes, norm) == (voices, FEWER_TAKES, "picture")
    assert scores == {"theo": table["fewer_clips"]["speakers"]["theo"]}


def test_the_parts_train_what_the_file_holds(table):
    assert [list(table[part]) for part in ("sets", "band_mean_sets")] == [
        ["+".join(voices) for voices, _, _ in spoken_voices.part_tasks(part)] for part in ("sets", "band_mean_sets")]
    assert {(takes, norm) for _, takes, norm in spoken_voices.part_tasks("sets")} == {(50, "picture")}
    assert {(takes, norm) for _, takes, norm in spoken_voices.part_tasks("band_mean_sets")} == {(50, "band_mean")}
    assert [len(voices) for voices, _, _ in spoken_voices.part_tasks("fewer_clips")] == [5] * 6
    with pytest.raises(ValueError, match="part='louder' is not one of"):
        spoken_voices.part_tasks("louder")


def test_the_cmn_pictures_are_the_levers_studys(table):
    x, _, speakers, _ = spoken_voices.every_clip("band_mean")
    clips = spoken_voices.read_spoken_file().audio[:12]
    np.testing.assert_array_equal(x[:12], lever_features(np.stack([speech_power(clip) for clip in clips]),
                                                         LEVERS["band_mean"]))
    assert LEVERS["deeper_band_mean"].norm == "band_mean" and spoken_cnn(*LEVERS["deeper_band_mean"].channels) == SPOKEN_CNN
    assert LEVERS["deeper_band_mean"].config == SpokenConfig() and LEVERS["deeper_band_mean"].ensemble == 1


def test_the_front_end_is_chosen_on_the_other_voices_and_scored_on_the_new_one(table):
    levers = json.loads(LEVERS_PATH.read_text())
    chosen = spoken_voices.front_end_by_voices(table, levers)
    assert list(chosen) == list(SPEAKERS)
    for held, row in chosen.items():
        others = [speaker for speaker in SPEAKERS if speaker != held]
        for norm, part in (("picture", "sets"), ("band_mean", "band_mean_sets")):
            inner = [table[part]["+".join(s for s in others if s != fifth)][fifth] for fifth in others]
            assert row[norm] == pytest.approx(np.mean(inner))
        assert row["chosen"] == ("band_mean" if row["band_mean"] > row["picture"] else "picture")
        outer = table["sets"]["+".join(others)][held] if row["chosen"] == "picture" else \
            levers["deeper_band_mean"]["speakers"][held]
        assert row["accuracy"] == outer


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


@pytest.mark.parametrize("argv, message", [(["--jobs", "0"], "--jobs must be 1 or more, got 0"),
                                           (["--parts", "sets,louder"], "--parts must name one or more of"),
                                           (["--parts", ","], "--parts must name one or more of")])
def test_the_cli_refuses_bad_options(capsys, argv, message):
    with pytest.raises(SystemExit):
        spoken_voices.main(argv)
    assert message in capsys.readouterr().err


def test_the_cli_writes_the_study_and_prints_the_curve(monkeypatch, tmp_path, capsys, table):
    monkeypatch.setattr(spoken_voices, "study", lambda parts, jobs: {part: table[part] for part in parts})
    out = tmp_path / "voices.json"
    assert spoken_voices.main(["--out", str(out), "--jobs", "1"]) == 0
    assert json.loads(out.read_text()) == table
    printed = capsys.readouterr().out
    sizes, mean, _, _ = voices_curve(table["sets"])
    assert f"1 voice : mean {mean[0]:.1%}" in printed and f"5 voices: mean {mean[-1]:.1%}" in printed


def test_the_cli_updates_one_part_and_keeps_the_others(monkeypatch, tmp_path, table):
    out = tmp_path / "voices.json"
    out.write_text(json.dumps({**table, "band_mean_sets": {}}))
    monkeypatch.setattr(spoken_voices, "study", lambda parts, jobs: {part: table[part] for part in parts})
    assert spoken_voices.main(["--out", str(out), "--parts", "band_mean_sets", "--update"]) == 0
    assert json.loads(out.read_text()) == table


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


def test_the_nested_choice_quoted_in_the_readme_and_lesson_10_is_the_studys(table):
    root = spoken_voices.VOICES_PATH.parents[2]
    lesson = json.loads((root / "lessons" / "10_capstone_spoken_digits.ipynb").read_text(encoding="utf-8"))
    prose = " ".join("".join(cell["source"]) for cell in lesson["cells"] if cell["cell_type"] == "markdown")
    readme = (root / "README.md").read_text(encoding="utf-8")
    chosen = spoken_voices.front_end_by_voices(table, json.loads(LEVERS_PATH.read_text()))
    margins = [100 * (row["band_mean"] - row["picture"]) for row in chosen.values()]
    close = [speaker for speaker, margin in zip(chosen, margins) if abs(margin) < 0.25]
    assert {row["chosen"] for row in chosen.values()} == {"band_mean"} and close == ["jackson", "yweweler"]
    honest = np.mean([row["accuracy"] for row in chosen.values()])
    four = {part: np.mean([value for voices, scores in table[part].items() if len(voices.split("+")) == 4
                           for value in scores.values()]) for part in ("sets", "band_mean_sets")}
    for text in (readme.replace("\n", " "), prose.replace("\n", " ")):
        assert f"by 0.1 to {max(margins):.1f} points" in text and f"**{100 * honest:.1f}%**" in text
    assert f"CMN averages {100 * four['band_mean_sets']:.1f}% against {100 * four['sets']:.1f}%" in readme.replace("\n", " ")
