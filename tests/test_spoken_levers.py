"""The speaker-independence study: its front-end variants against the shipped front end and
scipy, its augmentations, and the shipped table against the report it must agree with."""

import dataclasses
import json

import numpy as np
import pytest
from scipy.fft import dct

from numformat.nn import spoken_levers
from numformat.nn.features import (FEATURE_STEP, MEL_BANDS, RATE_HZ, mel_centres, mel_filterbank, mel_to_hz,
                                   speech_power)
from numformat.nn.spoken import SPEAKERS, SPOKEN_CNN, load_spoken_digits, spoken_cnn, spoken_digit_features
from numformat.nn.spoken_levers import (LEVERS, Lever, dct_matrix, lever_features, speed_perturbed, speed_powers,
                                        warped_filterbank)


@pytest.fixture(scope="module")
def clips():
    return list(load_spoken_digits()[1].audio[:24])


@pytest.fixture(scope="module")
def powers(clips):
    return np.stack([speech_power(clip) for clip in clips])


@pytest.fixture(scope="module")
def table():
    return json.loads(spoken_levers.LEVERS_PATH.read_text())


def test_the_baseline_lever_is_the_shipped_front_end_bit_for_bit(clips, powers):
    np.testing.assert_array_equal(lever_features(powers, LEVERS["baseline"]), spoken_digit_features(clips))


def test_dct_matrix_is_scipys_orthonormal_dct(rng):
    x = rng.standard_normal((MEL_BANDS, 7))
    np.testing.assert_allclose(dct_matrix(MEL_BANDS) @ x, dct(x, axis=0, norm="ortho"), atol=1e-12)


def test_a_lifter_keeping_every_coefficient_changes_nothing(powers):
    whole = lever_features(powers, Lever("all", lifter=MEL_BANDS))
    assert np.max(np.abs(whole - lever_features(powers, LEVERS["baseline"]))) <= FEATURE_STEP


def test_a_lifter_smooths_the_spectrum_across_bands(powers):
    rough = np.abs(np.diff(lever_features(powers, LEVERS["baseline"]), 2, axis=2)).mean()
    smooth = np.abs(np.diff(lever_features(powers, LEVERS["lifter_12"]), 2, axis=2)).mean()
    assert smooth < 0.7 * rough


@pytest.mark.parametrize("alpha", [0.9, 0.95, 1.05, 1.1])
def test_vtlp_scales_the_low_bands_and_keeps_the_ends(alpha):
    edges = mel_to_hz(mel_centres())
    bank = warped_filterbank(alpha)
    bins_hz = np.arange(bank.shape[1]) * 8000 / 512
    low = edges[1:-1] * alpha < 2500  # centres well below the bend
    np.testing.assert_allclose((bank[low] * bins_hz).sum(1) / bank[low].sum(1),
                               (mel_filterbank()[low] * bins_hz).sum(1) / mel_filterbank()[low].sum(1) * alpha,
                               rtol=0.08)  # the centre of mass of each triangle, on a 15.6 Hz grid
    assert bank[:, 0].max() == mel_filterbank()[:, 0].max() == 0 and bank[-1].max() > 0


def test_band_normalisations_do_what_they_say(powers):
    band_mean = lever_features(powers, LEVERS["band_mean"])
    assert np.abs(band_mean.mean(axis=3)).max() <= FEATURE_STEP / 2
    spread = lever_features(powers, LEVERS["band_mean_spread"]).std(axis=3)
    assert np.abs(spread - 1).max() < 0.05


@pytest.mark.parametrize("floor_db", [20.0, 50.0])
def test_a_floor_below_the_loudest_bounds_the_log_energies(powers, floor_db):
    for power in powers:
        log_energies = spoken_levers.lever_log_mel(power, Lever("floor", floor_db=floor_db), mel_filterbank())
        shipped = spoken_levers.lever_log_mel(power, LEVERS["baseline"], mel_filterbank())
        assert np.ptp(log_energies) <= floor_db * np.log(10) / 10 + np.log(2) < np.ptp(shipped)


@pytest.mark.parametrize("name", ["vtlp_10", "noise", "gain"])
def test_augmentations_are_seeded_and_change_the_pictures(powers, name):
    first = lever_features(powers, LEVERS[name], np.random.default_rng(3))
    again = lever_features(powers, LEVERS[name], np.random.default_rng(3))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, lever_features(powers, LEVERS[name]))  # no rng: the test pictures


def test_noise_is_white_power_at_the_snr_drawn(powers):
    noisy = lever_features(powers, Lever("10 dB", noise_snr_db=(10.0, 10.0)), np.random.default_rng(0))
    white = powers + powers.mean(axis=(1, 2), keepdims=True) * 10 ** (-10 / 10)
    np.testing.assert_array_equal(noisy, lever_features(white, LEVERS["baseline"]))


def test_gain_scales_the_power_and_moves_the_picture_only_through_the_log_floor(powers):
    quieter = lever_features(powers, Lever("-20 dB", gain_db=(-20.0, -20.0)), np.random.default_rng(0))
    np.testing.assert_array_equal(quieter, lever_features(powers * 0.01, LEVERS["baseline"]))
    assert not np.array_equal(quieter, lever_features(powers, LEVERS["baseline"]))  # the fixed 1e-6 floor is not scaled
    floored = Lever("floor and gain", floor_db=50.0, gain_db=(-20.0, -20.0))  # a floor that follows the loudest band
    np.testing.assert_allclose(lever_features(powers, floored, np.random.default_rng(0)),
                               lever_features(powers, Lever("floor", floor_db=50.0)), atol=FEATURE_STEP)


@pytest.mark.parametrize("factor", [0.9, 0.95, 1.05, 1.1])
def test_speed_perturbation_scales_a_tones_pitch_and_its_length(factor):
    tone = np.round(8000 * np.sin(2 * np.pi * 1000 * np.arange(4000) / RATE_HZ)).astype(np.int16)
    faster = speed_perturbed(tone, factor)
    assert faster.dtype == np.int16 and abs(faster.size - tone.size / factor) <= 1
    peak_hz = np.argmax(np.abs(np.fft.rfft(faster.astype(np.float64)))) * RATE_HZ / faster.size
    assert peak_hz == pytest.approx(1000 * factor, abs=RATE_HZ / faster.size)


def test_speed_one_changes_nothing_and_speed_powers_are_seeded(clips, powers):
    assert np.array_equal(speed_perturbed(clips[0], 1.0), clips[0])
    first = speed_powers(clips, 0.1, np.random.default_rng(5))
    np.testing.assert_array_equal(first, speed_powers(clips, 0.1, np.random.default_rng(5)))
    assert not np.array_equal(first, powers)
    np.testing.assert_array_equal(speed_powers(clips, 0.0, np.random.default_rng(5)), powers)


def test_a_gain_hardly_moves_the_normalised_picture(clips):
    halved = spoken_digit_features([np.round(clip * 0.5).astype(np.int16) for clip in clips])
    moved = np.abs(halved - spoken_digit_features(clips))
    assert 0 < moved.mean() < 0.01 and moved.max() <= 0.5  # features span about ±3


def test_the_wider_lever_only_widens_the_two_convolutions():
    assert spoken_cnn() == SPOKEN_CNN and LEVERS["baseline"].channels == (8, 16)
    wider = spoken_cnn(*LEVERS["wider"].channels).parameter_shapes()
    assert wider["conv1_weight"] == (16, 1, 3, 3) and wider["conv2_weight"] == (32, 16, 3, 3)
    assert wider["fc_weight"] == (10, 32 * 8 * 8)


def test_the_deeper_lever_adds_a_third_block():
    deeper = spoken_cnn(*LEVERS["deeper"].channels)
    shapes = deeper.parameter_shapes()
    assert shapes["conv3_weight"] == (32, 16, 3, 3) and shapes["fc_weight"] == (10, 32 * 4 * 4)
    assert deeper.multiply_accumulates > spoken_cnn(*LEVERS["baseline"].channels).multiply_accumulates
    assert LEVERS["deeper_band_mean"].channels == LEVERS["deeper"].channels
    assert deeper == SPOKEN_CNN  # the study's deeper row is the shipped network


def test_an_ensemble_of_one_is_the_model_and_averages_probabilities_not_votes(clips):
    from numformat.nn.model import FloatCNN
    from numformat.nn.spoken_train import ensemble_predict

    x = spoken_digit_features(clips)
    models = [FloatCNN.initial(np.random.default_rng(seed), SPOKEN_CNN) for seed in range(3)]
    np.testing.assert_array_equal(ensemble_predict(models[:1], x), models[0].predict(x))

    def scaled(model, factor):  # the same predictions, its logits ``factor`` times larger
        return model.with_params({name: value * factor if name.startswith("fc_") else value
                                  for name, value in model.params.items()})

    sure, unsure = scaled(models[0], 100.0), scaled(models[1], 0.01)
    assert not np.array_equal(sure.predict(x), unsure.predict(x))
    # a confident network outweighs an unsure one, where a vote of two would be a tie
    np.testing.assert_array_equal(ensemble_predict([sure, unsure], x), sure.predict(x))


def test_the_shipped_table_holds_every_lever_and_speaker(table):
    assert list(table) == list(LEVERS)
    for name, row in table.items():
        assert row["title"] == LEVERS[name].title
        assert list(row["speakers"]) == list(SPEAKERS)
        assert row["mean"] == pytest.approx(np.mean(list(row["speakers"].values())))


def test_the_readme_table_is_the_shipped_table(table):
    readme = (spoken_levers.LEVERS_PATH.parents[2] / "README.md").read_text(encoding="utf-8")
    lines = readme.split("| lever (`python -m numformat.nn.spoken_levers`) |", 1)[1].split("\n\n", 1)[0].splitlines()
    rows = {line.split(" | ")[0].lstrip("| "): line.rstrip(" |").split(" | ")[1:] for line in lines[2:]}
    expected = {row["title"]: [f"{100 * row['speakers'][name]:.1f}%" for name in SPEAKERS] + [f"{100 * row['mean']:.1f}%"]
                for row in table.values()}
    assert rows == expected


def test_the_deeper_row_is_the_shipped_networks_speaker_independence(table):
    assert spoken_cnn(*LEVERS["deeper"].channels) == SPOKEN_CNN
    report = json.loads(spoken_levers.LEVERS_PATH.with_name("spoken_digits_cnn.json").read_text())
    assert table["deeper"]["speakers"] == {name: row["float32"] for name, row in report["speakers"].items()}


def test_unknown_levers_are_refused(capsys):
    with pytest.raises(SystemExit):
        spoken_levers.main(["--levers", "baseline,louder"])
    assert "unknown lever(s) ['louder']" in capsys.readouterr().err


def test_levers_plot_draws_the_table(plots, table):
    ax = plots.plot_levers(table)
    widths = sorted(patch.get_width() for patch in ax.patches if hasattr(patch, "get_width") and patch.get_height() < 1)
    assert widths == pytest.approx(sorted(100 * row["mean"] for row in table.values()))
    lines = {line.get_label(): line.get_xdata()[0] for line in ax.lines if not line.get_label().startswith("_")}
    assert lines == {"baseline (seed 0)": pytest.approx(100 * table["baseline"]["mean"]),
                     "each held-out speaker": pytest.approx(100 * table["baseline"]["speakers"]["george"])}
    with_goal = plots.plot_levers(table, goal=85)
    assert {line.get_label(): line.get_xdata()[0] for line in with_goal.lines}["goal 85%"] == 85
    with pytest.raises(ValueError, match="goal"):
        plots.plot_levers(table, goal=120)


def test_fresh_epoch_features_equal_to_the_pictures_change_nothing(clips):
    from numformat.nn.spoken_train import SpokenConfig, train_spoken

    x = spoken_digit_features(clips)
    labels = np.arange(len(clips)) % 10
    data = (x, labels, x, labels)
    _, fixed = train_spoken(SpokenConfig(epochs=2), data)
    _, fresh = train_spoken(SpokenConfig(epochs=2), data, epoch_features=lambda rng: x)
    assert fresh["digest"] == fixed["digest"]


def test_update_keeps_the_rows_not_run(tmp_path, monkeypatch, table):
    out = tmp_path / "levers.json"
    out.write_text(json.dumps(table))
    fresh = {"title": LEVERS["band_mean"].title, "speakers": {"george": 0.5}, "mean": 0.5}
    monkeypatch.setattr(spoken_levers, "study", lambda names, jobs: {"band_mean": fresh})
    assert spoken_levers.main(["--levers", "band_mean", "--update", "--out", str(out)]) == 0
    updated = json.loads(out.read_text())
    assert list(updated) == list(table) and updated["band_mean"] == fresh
    assert {name: row for name, row in updated.items() if name != "band_mean"} == \
        {name: row for name, row in table.items() if name != "band_mean"}
    assert spoken_levers.main(["--levers", "band_mean", "--out", str(out)]) == 0  # without --update: only the rows run
    assert list(json.loads(out.read_text())) == ["band_mean"]


def test_the_combined_lever_is_cmn_with_the_floor(powers):
    combined = lever_features(powers, LEVERS["band_mean_floor_mixup"])
    floor_then_cmn = lever_features(powers, Lever("both", norm="band_mean", floor_db=50.0))
    np.testing.assert_array_equal(combined, floor_then_cmn)  # mixup changes training pictures only
    assert not np.array_equal(combined, lever_features(powers, LEVERS["band_mean"]))
    assert LEVERS["band_mean_floor_mixup"].config.mixup == LEVERS["band_mean_mixup"].config.mixup


@pytest.mark.parametrize("argv, message", [
    (["--validate", "--channels", "16"], "--channels '16' must be two or three channel counts from 1 to 256"),
    (["--validate", "--channels", "0,16"], "--channels '0,16' must be two or three channel counts from 1 to 256"),
    (["--validate", "--channels", "8,16,32,64"], "--channels '8,16,32,64' must be two or three channel counts"),
    (["--validate", "--channels", "8,x"], "--channels '8,x' must be two or three channel counts from 1 to 256"),
    (["--channels", "16,32"], "--channels 16,32 needs --validate or --test: the shipped network has 8,16,32 channels"),
    (["--validate", "--ensemble", "0"], "--ensemble 0 must be a number of networks from 1 to 10"),
    (["--validate", "--ensemble", "11"], "--ensemble 11 must be a number of networks from 1 to 10"),
    (["--ensemble", "3"], "--ensemble 3 needs --validate or --test: the shipped file holds one network"),
    (["--folds", "5"], "--folds 5 needs --validate and must be from 2 to 9 folds of the takes 5-49"),
    (["--validate", "--folds", "1"], "--folds 1 needs --validate and must be from 2 to 9 folds"),
    (["--validate", "--folds", "10"], "--folds 10 needs --validate and must be from 2 to 9 folds"),
    (["--validate", "--test"], "--validate and --test: choose one"),
    (["--distill", "3"], "--distill 3 needs --validate or --test, a temperature above 0 up to 100, and no --mixup"),
    (["--validate", "--distill", "0"], "--distill 0 needs --validate or --test, a temperature above 0"),
    (["--test", "--distill", "3", "--mixup", "0.2"], "and no --mixup (its targets are already soft)"),
])
def test_train_cli_refuses_bad_channels(capsys, argv, message):
    from numformat.nn import spoken_train

    with pytest.raises(SystemExit):
        spoken_train.main(argv)
    assert message in capsys.readouterr().err


def fake_trainer(seen):
    """A stand-in for ``train_spoken``: the seeded initial network, untrained, noting what it was given."""
    from numformat.nn.model import FloatCNN

    def fake_train(config, data, *, show_progress, architecture):
        seen.append((config, data, architecture))
        return FloatCNN.initial(np.random.default_rng(config.seed), architecture), {}
    return fake_train


@pytest.fixture
def faked(monkeypatch, clips):
    """``(spoken_train, x, labels, seen)``: the module with 24 test clips as its validation takes
    and :func:`fake_trainer` as its ``train_spoken``, noting each training in ``seen``."""
    from numformat.nn import spoken_train

    x = spoken_digit_features(clips)
    labels = np.arange(len(clips)) % 10
    seen = []
    monkeypatch.setattr(spoken_train, "validation_features", lambda: (x, labels, x, labels))
    monkeypatch.setattr(spoken_train, "train_spoken", fake_trainer(seen))
    return spoken_train, x, labels, seen


def test_train_cli_validates_a_recipe(faked, capsys):
    spoken_train, x, labels, seen = faked
    assert spoken_train.main(["--validate", "--seed", "2", "--mixup", "0.2", "--mask-bands", "4",
                              "--channels", "16,32"]) == 0
    [(config, data, architecture)] = seen
    assert config == spoken_train.SpokenConfig(seed=2, mixup=0.2, mask_bands=4)
    assert data[0] is x and architecture == spoken_cnn(16, 32)
    out = capsys.readouterr().out.splitlines()
    assert [line.rsplit(", ", 1)[1] for line in out] == ["seed 2", "seed 2 + 5 shifts"]
    model = spoken_train.FloatCNN.initial(np.random.default_rng(2), spoken_cnn(16, 32))
    right = int(np.sum(model.predict(x) == labels))
    assert out[0] == (f"validation (takes 5-9) accuracy {right / len(x):.2%} ({len(x) - right} of {len(x)} wrong), "
                      "seed 2")


def test_train_cli_validates_an_ensemble(faked, capsys):
    from numformat.nn.model import FloatCNN

    spoken_train, x, labels, seen = faked
    assert spoken_train.main(["--validate", "--seed", "4", "--ensemble", "3"]) == 0
    assert [config.seed for config, _, _ in seen] == [4, 5, 6]
    out = capsys.readouterr().out
    members = [FloatCNN.initial(np.random.default_rng(seed), SPOKEN_CNN) for seed in (4, 5, 6)]
    averaged = np.mean(spoken_train.ensemble_predict(members, x) == labels)
    assert f"validation (takes 5-9) accuracy {averaged:.2%} (" in out and out.count("3 networks averaged") == 1
    assert out.count(", seed ") == 6 and out.count("3 networks + 5 shifts averaged") == 1


@pytest.mark.parametrize("name", ["band_mean", "band_mean_test_shifts", "band_mean_ensemble_3_test_shifts"])
def test_held_out_accuracy_scores_the_held_out_speaker_with_the_levers_networks(monkeypatch, name):
    """With the training faked (the seeded initial networks), the score is the ensemble's, shifts and all."""
    from numformat.nn.model import FloatCNN
    from numformat.nn.spoken_train import ensemble_predict

    lever = LEVERS[name]
    train, test = (part.subset(np.arange(0, len(part), 125)) for part in load_spoken_digits("speaker:theo"))
    monkeypatch.setattr(spoken_levers, "load_spoken_digits", lambda split: (train, test))
    seeds = []

    def fake_networks(config, data, networks, **options):
        seeds.extend(range(config.seed, config.seed + networks))
        return [(FloatCNN.initial(np.random.default_rng(seed), options["architecture"]), {})
                for seed in range(config.seed, config.seed + networks)]
    monkeypatch.setattr(spoken_levers, "train_networks", fake_networks)
    lever_name, speaker, accuracy, right = spoken_levers.held_out_accuracy((name, "theo"))
    assert (lever_name, speaker, right) == (name, "theo", None) and seeds == list(range(lever.ensemble))
    models = [FloatCNN.initial(np.random.default_rng(seed), spoken_cnn(*lever.channels)) for seed in range(lever.ensemble)]
    x_test = lever_features(np.stack([speech_power(clip) for clip in test.audio]), lever)
    assert accuracy == np.mean(ensemble_predict(models, x_test, shifts=lever.test_shifts) == test.labels)


def test_ensemble_targets_blend_the_label_with_the_shifted_ensembles_soft_answers(clips):
    from numformat.nn.distill import softmax
    from numformat.nn.model import FloatCNN
    from numformat.nn.spoken_train import TEST_SHIFTS, ensemble_targets
    from numformat.nn.train import shifted

    x, labels = spoken_digit_features(clips[:6]), np.array([3, 1, 4, 1, 5, 9])
    members = [FloatCNN.initial(np.random.default_rng(seed), SPOKEN_CNN) for seed in (1, 2)]
    targets = ensemble_targets(members, x, labels, 3.0)
    assert targets.dtype == np.float32 and targets.shape == (6, 10)
    np.testing.assert_allclose(targets.sum(axis=1), 1, rtol=1e-6)
    assert np.array_equal(ensemble_targets(members, x, labels, 3.0, label_weight=1.0), np.eye(10)[labels])
    soft = np.mean([softmax(model.forward(shifted(x, *move)), 3.0) for model in members for move in TEST_SHIFTS], axis=0)
    np.testing.assert_allclose(ensemble_targets(members, x, labels, 3.0, label_weight=0.0), soft, rtol=1e-6)
    np.testing.assert_allclose(targets, 0.5 * np.eye(10)[labels] + 0.5 * soft, rtol=1e-6)
    hotter = ensemble_targets(members, x, labels, 10.0, label_weight=0.0)
    assert np.all(hotter.max(axis=1) <= soft.max(axis=1) + 1e-7)  # a higher temperature flattens the answers


def test_train_cli_distills_the_ensemble_into_one_network(faked, capsys):
    from numformat.nn.model import FloatCNN

    spoken_train, x, labels, seen = faked
    assert spoken_train.main(["--validate", "--seed", "4", "--ensemble", "2", "--distill", "3"]) == 0
    assert [config.seed for config, _, _ in seen] == [4, 5, 4]  # two teachers, then the student from --seed
    members = [FloatCNN.initial(np.random.default_rng(seed), SPOKEN_CNN) for seed in (4, 5)]
    student_data = seen[2][1]
    assert student_data[0] is x and student_data[2] is x and student_data[3] is labels
    np.testing.assert_array_equal(student_data[1], spoken_train.ensemble_targets(members, x, labels, 3.0))
    out = capsys.readouterr().out
    student = np.mean(spoken_train.ensemble_predict([FloatCNN.initial(np.random.default_rng(4), SPOKEN_CNN)], x) == labels)
    assert (f"validation (takes 5-9) accuracy {student:.2%} ({round(len(x) * (1 - student))} of {len(x)} wrong), "
            "one network distilled from 2 networks + 5 shifts at T = 3\n") in out
    assert out.count("one network distilled from 2 networks + 5 shifts at T = 3, itself with 5 shifts") == 1


def test_cross_validation_folds_split_the_training_takes(monkeypatch):
    from numformat.nn import spoken_train

    train, _ = load_spoken_digits("official")
    held = [(train.takes - 5) % 5 == fold for fold in range(5)]
    assert np.array_equal(np.sum(held, axis=0), np.ones(len(train)))  # every training clip validated exactly once
    for fold in held:  # each fold holds 9 whole takes: every speaker saying every digit
        assert len(np.unique(train.takes[fold])) == 9 and np.sum(fold) == 9 * 60
        assert set(zip(train.speakers[fold], train.labels[fold])) == set(zip(train.speakers, train.labels))
    from numformat.nn.spoken import SpokenDigits
    monkeypatch.setattr(SpokenDigits, "features", lambda self: np.arange(len(self), dtype=np.float32))
    splits = spoken_train.fold_splits(5)
    assert len(splits) == 5
    for fold, (x_fit, y_fit, x_val, y_val) in enumerate(splits):
        assert np.array_equal(x_val, np.flatnonzero(held[fold])) and np.array_equal(x_fit, np.flatnonzero(~held[fold]))
        assert np.array_equal(y_val, train.labels[held[fold]]) and np.array_equal(y_fit, train.labels[~held[fold]])


def test_train_cli_cross_validates_and_tests(faked, monkeypatch, capsys):
    spoken_train, x, labels, seen = faked
    folds = []
    monkeypatch.setattr(spoken_train, "fold_splits", lambda count: folds.append(count) or
                        [(x, labels, x[fold::count], labels[fold::count]) for fold in range(count)])
    assert spoken_train.main(["--validate", "--folds", "3"]) == 0
    assert folds == [3] and len(seen) == 3
    out = capsys.readouterr().out
    model = spoken_train.FloatCNN.initial(np.random.default_rng(0), SPOKEN_CNN)
    right = int(np.sum(model.predict(x) == labels))  # the three folds pool every clip once
    assert f"3-fold cross-validation (takes 5-49) accuracy {right / len(x):.2%} ({len(x) - right} of {len(x)} wrong), seed 0\n" in out
    monkeypatch.setattr(spoken_train, "official_features", lambda: (x, labels, x, labels))
    assert spoken_train.main(["--test", "--ensemble", "2"]) == 0
    assert "official test (takes 0-4) accuracy" in capsys.readouterr().out and len(seen) == 5


def test_test_shifts_move_the_picture_and_average_the_probabilities(clips):
    from numformat.nn.distill import softmax
    from numformat.nn.model import FloatCNN
    from numformat.nn.spoken_train import TEST_SHIFTS, ensemble_predict
    from numformat.nn.train import shifted

    x = spoken_digit_features(clips)
    up = shifted(x, 1, 0)
    np.testing.assert_array_equal(up[:, :, 1:], x[:, :, :-1])
    assert not up[:, :, 0].any()
    np.testing.assert_array_equal(shifted(x, 0, -1)[:, :, :, :-1], x[:, :, :, 1:])
    np.testing.assert_array_equal(shifted(x, 0, 0), x)
    model = FloatCNN.initial(np.random.default_rng(1), SPOKEN_CNN)
    expected = sum(softmax(model.forward(shifted(x, *move))) for move in TEST_SHIFTS).argmax(axis=1)
    np.testing.assert_array_equal(ensemble_predict([model], x, shifts=True), expected)
    assert len(set(TEST_SHIFTS)) == 5 and (0, 0) in TEST_SHIFTS


def test_removing_the_running_mean_of_the_clips_heard_before(powers):
    from numformat.nn.spoken_levers import without_running_mean

    pictures = lever_features(powers, LEVERS["running_mean_ensemble_3"])
    order = np.random.default_rng(3).permutation(len(pictures))
    adapted = without_running_mean(pictures, order)
    np.testing.assert_array_equal(adapted[order[0]], pictures[order[0]])  # nothing heard before the first
    for k in (1, 2, len(order) - 1):
        expected = pictures[order[k]] - pictures[order[:k]].mean(axis=0, dtype=np.float64)
        np.testing.assert_allclose(adapted[order[k]], expected, atol=FEATURE_STEP / 2 + 1e-6)
    assert adapted.dtype == np.float32 and np.all(np.round(adapted / FEATURE_STEP) * FEATURE_STEP == adapted)
    assert not np.array_equal(adapted, without_running_mean(pictures, order[::-1]))
    running, whole = LEVERS["running_mean_ensemble_3"], LEVERS["speaker_mean_ensemble_3"]
    assert dataclasses.replace(running, title=whole.title, running_mean=False, orders=1) == whole
    assert running.orders == spoken_levers.ORDERS > 1


def test_right_by_position_counts_each_place_in_the_order_of_hearing(clips, powers):
    from numformat.nn.spoken_levers import right_by_position, without_running_mean

    class Oracle:  # "recognises" a picture by looking it up: right exactly where the adapted picture is known
        def __init__(self, known, labels):
            self.known = {picture.tobytes(): label for picture, label in zip(known, labels)}

        def forward(self, x):
            logits = np.zeros((len(x), 10), np.float32)
            for row, picture in enumerate(x):
                logits[row, self.known.get(picture.tobytes(), (row + 1) % 10)] = 1.0
            return logits

    pictures = lever_features(powers, LEVERS["running_mean_ensemble_3"])
    labels = np.arange(len(pictures)) % 10
    first = np.random.default_rng(0).permutation(len(pictures))
    adapted = without_running_mean(pictures, first)
    known = first[::2]  # the oracle knows the pictures heard at even places in order 0
    right = right_by_position([Oracle(adapted[known], labels[known])], pictures, labels, orders=1)
    assert right.tolist() == [1 - place % 2 for place in range(len(pictures))]
    twice = right_by_position([Oracle(adapted[known], labels[known])], pictures, labels, orders=2)
    assert twice.max() <= 2 and np.all(twice >= right)  # order 0 counted again, order 1 adds its own


def test_words_heard_curve_pools_speakers_and_orders():
    from numformat.nn.spoken_levers import words_heard_curve

    starts, stops, accuracy = words_heard_curve([[3, 0, 3, 3, 1], [3, 3, 0, 0, 2]], orders=3, starts=(0, 1, 3))
    assert starts.tolist() == [0, 1, 3] and stops.tolist() == [1, 3, 5]
    assert accuracy.tolist() == pytest.approx([6 / 6, 6 / 12, 6 / 12])
    for bad in ([[4, 0]], [[-1, 0]], [1, 2], []):
        with pytest.raises(ValueError, match="counts from 0 to orders=3"):
            words_heard_curve(bad, orders=3)


def test_the_running_row_is_its_orders_counts(table):
    row = table["running_mean_ensemble_3"]
    assert row["orders"] == LEVERS["running_mean_ensemble_3"].orders
    assert list(row["right_by_position"]) == list(SPEAKERS)
    for speaker, right in row["right_by_position"].items():
        assert len(right) == 500 and 0 <= min(right) and max(right) <= row["orders"]
        assert row["speakers"][speaker] == pytest.approx(sum(right) / (row["orders"] * len(right)))
    assert all("right_by_position" not in other for name, other in table.items() if name != "running_mean_ensemble_3")


def test_words_heard_plot_draws_the_curve_between_its_references(plots, table):
    from numformat.nn.spoken_levers import words_heard_curve

    ax = plots.plot_words_heard(table, goal=85)
    row = table["running_mean_ensemble_3"]
    _, _, accuracy = words_heard_curve(list(row["right_by_position"].values()), row["orders"])
    assert [patch.get_height() for patch in ax.patches] == pytest.approx(list(100 * accuracy))
    lines = sorted(line.get_ydata()[0] for line in ax.lines)
    assert lines == pytest.approx(sorted([100 * table["band_mean_ensemble_3"]["mean"],
                                          100 * table["speaker_mean_ensemble_3"]["mean"], 85]))
    assert ax.get_xticklabels()[0].get_text() == "0" and ax.get_xticklabels()[2].get_text() == "2–3"


def test_removing_each_speakers_mean_picture(powers):
    from numformat.nn.spoken_levers import without_speaker_means

    pictures = lever_features(powers, LEVERS["speaker_mean"])
    speakers = np.array(["a", "b"] * (len(pictures) // 2) + ["a"] * (len(pictures) % 2))
    adapted = without_speaker_means(pictures, speakers)
    for speaker in ("a", "b"):
        mine = speakers == speaker
        assert np.abs(adapted[mine].mean(axis=0)).max() <= FEATURE_STEP / 2 + 1e-6  # rounding moves it at most half a step
        np.testing.assert_allclose(adapted[mine], pictures[mine] - pictures[mine].mean(axis=0), atol=FEATURE_STEP / 2)
    assert adapted.dtype == np.float32 and np.all(np.round(adapted / FEATURE_STEP) * FEATURE_STEP == adapted)
    assert LEVERS["speaker_mean"].norm == "band_mean" and not LEVERS["band_mean"].speaker_mean
