"""Spoken digits: the shipped μ-law recordings against a fresh build, the splits, the shipped CNN
(float goals, int8 within half a point, both engines, onnxruntime bit for bit), its training
trajectory, and recognise() through real PortAudio with an ALSA file device."""

import json
import os
import pathlib
import platform

import numpy as np
import pytest

from numformat.adc import mulaw_decode, mulaw_encode
from numformat.nn import spoken, spoken_build

from .alsa_device import device_folder, run_on_device

ROOT = pathlib.Path(__file__).resolve().parent.parent
# CI keeps a copy of shared/ beside the clone; NUMFORMAT_FSDD points elsewhere (a worktree, say)
FSDD = pathlib.Path(os.environ.get("NUMFORMAT_FSDD", ROOT.parent / "shared" / "data" / "fsdd"))
# The goal on the official test split is 98.5%; the shipped three-block model reaches
# 99.00% (297 of 300; chosen by cross-validation on the training takes, see the README) and this
# floor pins that, so a change that loses a clip fails here.
FLOAT_ACCURACY_FLOOR = 297 / 300


@pytest.fixture(scope="module")
def everything():
    return spoken.read_spoken_file()


@pytest.fixture(scope="module")
def official():
    return spoken.load_spoken_digits("official")


# --- the shipped recordings ---------------------------------------------------------------------

def test_shipped_file_is_what_the_build_makes_from_the_recordings():
    if not (FSDD / "recordings").is_dir():
        pytest.skip(f"the FSDD recordings are not at {FSDD} (CI has them beside the clone; set NUMFORMAT_FSDD)")
    clips = spoken_build.read_recordings(FSDD / "recordings")
    built = spoken_build.build_arrays(clips)
    with np.load(spoken.DATA_PATH, allow_pickle=False) as shipped:
        assert sorted(shipped.files) == sorted(built)
        for name, array in built.items():
            assert shipped[name].dtype == array.dtype and np.array_equal(shipped[name], array), name
    # and what load_spoken_digits hands out is G.711's decoding of every original sample
    decoded = spoken.read_spoken_file().audio
    for (pcm, _, _, _), clip in zip(clips[::97], decoded[::97]):
        assert np.array_equal(clip, mulaw_decode(mulaw_encode(pcm)))


def test_the_file_holds_the_whole_dataset(everything):
    assert len(everything) == 3000 and everything.rate_hz == 8000
    assert sum(clip.size for clip in everything.audio) == 10_498_424
    assert all(clip.dtype == np.int16 and clip.ndim == 1 for clip in everything.audio)
    cells = np.zeros((6, 10, 50), dtype=int)
    np.add.at(cells, (np.searchsorted(spoken.SPEAKERS, everything.speakers), everything.labels,
                      everything.takes), 1)
    assert np.all(cells == 1)  # every speaker, digit and take exactly once
    # μ-law: every sample is one of G.711's 256 levels, and the file holds one byte per sample
    levels = set(mulaw_decode(np.arange(256, dtype=np.uint8)).tolist())
    assert set(np.unique(np.concatenate(everything.audio[:300])).tolist()) <= levels
    with np.load(spoken.DATA_PATH, allow_pickle=False) as stored:
        assert stored["codes"].dtype == np.uint8 and stored["codes"].size == 10_498_424


def test_official_split(official):
    train, test = official
    assert (len(train), len(test)) == (2700, 300)
    assert set(test.takes.tolist()) == set(range(5)) and set(train.takes.tolist()) == set(range(5, 50))
    assert np.array_equal(np.bincount(test.labels), np.full(10, 30))
    assert sorted(set(test.speakers.tolist())) == list(spoken.SPEAKERS)


@pytest.mark.parametrize("speaker", spoken.SPEAKERS)
def test_speaker_split_holds_out_one_voice(everything, speaker):
    train, test = spoken.load_spoken_digits(f"speaker:{speaker}")
    assert (len(train), len(test)) == (2500, 500)
    assert set(test.speakers.tolist()) == {speaker} and speaker not in set(train.speakers.tolist())
    first = np.flatnonzero(everything.speakers == speaker)[0]
    assert np.array_equal(test.audio[0], everything.audio[first])


@pytest.mark.parametrize("split, error, message", [
    (None, TypeError, "split must be a str"),
    ("speaker:alice", ValueError, "names no speaker"),
    ("random", ValueError, "use 'official' or 'speaker:<name>'"),
])
def test_bad_splits(split, error, message):
    with pytest.raises(error, match=message):
        spoken.load_spoken_digits(split)


# --- the shipped CNN ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def test_features(official):
    _, test = official
    return test.features(), test.labels


@pytest.fixture(scope="module")
def train_features(official):
    train, _ = official
    return train.features(), train.labels


@pytest.fixture(scope="module")
def shipped():
    return spoken.load_spoken_model(), spoken.load_spoken_int8()


def test_float_accuracy_on_the_official_test_split(shipped, test_features):
    x_test, y_test = test_features
    assert shipped[0].accuracy(x_test, y_test) >= FLOAT_ACCURACY_FLOOR


@pytest.mark.parametrize("requant", ["fixedpoint", "float32"])
def test_int8_is_within_half_a_point_of_float(shipped, test_features, requant):
    x_test, y_test = test_features
    model, int8_model = shipped
    assert int8_model.accuracy(x_test, y_test, requant=requant) >= model.accuracy(x_test, y_test) - 0.005


def test_predict_compares_int32_logits_as_values_not_codes(shipped, test_features):
    """Each class's int32 logit is in its own unit S_in · S_w[o]: on the shipped model the largest
    code and the largest value disagree on a test clip, and predict follows the values, as the
    dequantized logits of forward (and recognise) do."""
    x_test, _ = test_features
    int8_model = shipped[1]
    assert np.ptp(int8_model.output_qp.scale) > 0                  # one scale per class
    largest_code = int8_model.layer_outputs(x_test)["logits"].argmax(axis=1)
    predicted = int8_model.predict(x_test)
    assert np.array_equal(predicted, int8_model.forward(x_test).argmax(axis=1))
    assert np.count_nonzero(largest_code != predicted) >= 1


def test_both_engines_give_the_same_integers(shipped, test_features):
    x_test, _ = test_features
    int8_model = shipped[1]
    loop = int8_model.layer_outputs(x_test[:2], engine="loop")
    vectorized = int8_model.layer_outputs(x_test[:2], engine="vectorized")
    assert loop.keys() == vectorized.keys()
    for name in loop:
        assert np.array_equal(loop[name], vectorized[name]), name


def test_onnxruntime_gives_the_same_integers_on_every_test_clip(shipped, test_features, tmp_path):
    pytest.importorskip("onnxruntime")
    from numformat.nn import export_onnx, run_onnxruntime

    x_test, _ = test_features
    int8_model = shipped[1]
    export_onnx(int8_model, tmp_path / "spoken.onnx")
    ours = int8_model.forward(x_test, requant="float32")
    theirs = run_onnxruntime(tmp_path / "spoken.onnx", x_test)
    assert theirs.dtype == ours.dtype and np.array_equal(theirs, ours)


def test_shipped_int8_ranges_are_the_training_features_min_and_max(shipped, train_features):
    from numformat.nn.spoken_train import activation_ranges

    assert activation_ranges(shipped[0], train_features[0]) == spoken.shipped_ranges()


def test_shipped_file_records_its_training(shipped):
    from numformat.nn.spoken_train import SpokenConfig
    from numformat.nn.train import weights_digest

    with np.load(spoken.WEIGHTS_PATH, allow_pickle=False) as stored:
        digests = stored["meta_digest"]
        assert int(stored["meta_epochs"]) == SpokenConfig().epochs == len(digests)
        assert float(stored["meta_learning_rate"]) == SpokenConfig().learning_rate
    assert digests[-1] == weights_digest(shipped[0])


def test_training_reproduces_the_shipped_first_epoch_bit_for_bit(train_features, test_features):
    """One epoch from the seed lands on the weights whose SHA-256 the shipped file recorded; each
    epoch depends only on the one before, so the whole run rebuilds the file."""
    from numformat.nn.spoken_train import SpokenConfig, train_spoken

    data = (*train_features, test_features[0][:10], test_features[1][:10])
    _, history = train_spoken(SpokenConfig(), data, epochs=1)
    with np.load(spoken.WEIGHTS_PATH, allow_pickle=False) as stored:
        assert history["digest"] == stored["meta_digest"][:1].tolist()


# --- recognise() -------------------------------------------------------------------------------

def padded(clip, before=2000, after=6000):
    return np.concatenate([np.zeros(before, np.int16), clip, np.zeros(after, np.int16)])


def test_recognise_clip_finds_the_digit_in_silence(shipped, official):
    _, test = official
    for index in (0, 31, 62, 93):
        result = spoken.recognise_clip(padded(test.audio[index]), shipped[1])
        assert result.digit == test.labels[index] and 0.1 < result.confidence <= 1
        start, stop = result.speech
        assert start <= 2000 and stop >= 2000 + test.audio[index].size - 2 * 160


def test_recognise_without_a_microphone_uses_a_test_clip(monkeypatch, shipped, test_features):
    import io

    from numformat import audio

    monkeypatch.setattr(audio, "available", lambda kind="both": (False, "no input sound device: none here"))
    stream = io.StringIO()
    result = spoken.recognise(int8_model=shipped[1], stream=stream)
    assert "no microphone (no input sound device)" in stream.getvalue() and "test clip 0" in stream.getvalue()
    assert result.digit == shipped[1].predict(test_features[0][:1], engine="loop")[0]
    assert f"digit {result.digit}" in stream.getvalue()


def test_silence_is_a_defined_answer(shipped):
    result = spoken.recognise_clip(np.zeros(8000, np.int16), shipped[1])
    assert result.digit is None and result.confidence == 0.0 and "heard no speech" in str(result)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"seconds": 0}, ValueError, r"seconds=0 must lie in \(0"),
    ({"seconds": 600}, ValueError, "seconds=600 must lie in"),
    ({"seconds": float("nan")}, ValueError, "seconds=nan"),
    ({"seconds": "1"}, TypeError, "seconds must be a real number"),
])
def test_recognise_rejects_bad_durations(kwargs, error, message):
    with pytest.raises(error, match=message):
        spoken.recognise(**kwargs)


@pytest.mark.parametrize("pcm, error, message", [
    (np.zeros(8000, np.int32), TypeError, "int16 PCM"),
    (np.zeros((8000, 2), np.int16), ValueError, "one mono clip"),
    (np.array([0.0, np.nan]), ValueError, r"must lie in \[-1, 1\]"),
    (np.full(10 * 60 * 8000, 9000, np.int16), ValueError, "lasts 600.0 s"),
])
def test_recognise_clip_rejects_bad_audio(shipped, pcm, error, message):
    with pytest.raises(error, match=message):
        spoken.recognise_clip(pcm, shipped[1])


RECOGNISE_SCRIPT = """\
import json, sys
from numformat.nn import spoken
from numformat import audio
ok, reason = audio.available("input")
if not ok:
    print(json.dumps({"available": False, "reason": reason}))
    sys.exit(0)
result = spoken.recognise(1.5)
print(json.dumps({"available": True, "reason": reason, "digit": result.digit, "source": result.source}))
"""


@pytest.mark.parametrize("index", [7, 154])
def test_recognise_through_real_portaudio(tmp_path, official, index):
    """A known recording played into the ALSA file device's capture side: recognise() records it
    through sounddevice and PortAudio and must say the digit in the file."""
    if platform.system() != "Linux":
        pytest.skip("the ALSA file device exists only on Linux")
    _, test = official
    env = {**device_folder(tmp_path, padded(test.audio[index], 1000, 16000)), "HOME": str(tmp_path),
           "PYTHONPATH": str(ROOT)}
    summary = run_on_device(RECOGNISE_SCRIPT, env, timeout=120)
    assert summary["source"] == "microphone" and summary["digit"] == test.labels[index]


def test_the_shipped_report_is_what_the_shipped_models_measure(shipped, test_features):
    """numformat/data/spoken_digits_cnn.json (python -m numformat.nn.spoken_report, quoted by the
    README) holds the accuracies the shipped weights give now, on the μ-law test clips."""
    from numformat.nn.spoken_report import REPORT_PATH

    report = json.loads(REPORT_PATH.read_text())
    x_test, y_test = test_features
    model, int8_model = shipped
    assert report["int8"] == {"float32": model.accuracy(x_test, y_test),
                              "int8_fixedpoint": int8_model.accuracy(x_test, y_test, requant="fixedpoint"),
                              "int8_float32": int8_model.accuracy(x_test, y_test, requant="float32")}
    assert report["formats"]["mulaw8"] == {"float32": model.accuracy(x_test, y_test),
                                           "int8": int8_model.accuracy(x_test, y_test), "silent": 0}
    assert set(report["speakers"]) == set(spoken.SPEAKERS)


def test_uniform_pcm_is_the_course_quantizer():
    from numformat.adc import Quantizer
    from numformat.nn.spoken_report import uniform_pcm

    pcm = np.arange(-32768, 32768, 7, dtype=np.int16)
    for bits in (4, 8):
        step = 2 ** (16 - bits)
        rounded = uniform_pcm(pcm, bits)
        inside = pcm.astype(int) <= (2 ** (bits - 1) - 1) * step  # above the top level it saturates
        assert np.all(rounded % step == 0) and np.all(np.abs(rounded.astype(int) - pcm)[inside] <= step // 2)
        np.testing.assert_array_equal(rounded / 32768, Quantizer(bits).quantize(pcm / 32768))
