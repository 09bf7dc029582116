"""Spoken digits: the shipped μ-law recordings against a fresh build, the splits, the shipped CNN
(float goals, int8 within half a point, both engines, onnxruntime bit for bit), its training
trajectory, and recognise() through real PortAudio with an ALSA file device."""

import json
import os
import pathlib
import platform
import subprocess
import sys

import numpy as np
import pytest

from numformat.adc import mulaw_decode, mulaw_encode
from numformat.nn import spoken, spoken_build

from .alsa_device import REQUIRE_AUDIO, device_folder, portaudio_missing

ROOT = pathlib.Path(__file__).resolve().parent.parent
# CI keeps a copy of shared/ beside the clone; NUMFORMAT_FSDD points elsewhere (a worktree, say)
FSDD = pathlib.Path(os.environ.get("NUMFORMAT_FSDD", ROOT.parent / "shared" / "data" / "fsdd"))


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
