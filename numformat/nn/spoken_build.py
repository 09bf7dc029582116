"""Build ``numformat/data/spoken_digits.npz`` from the Free Spoken Digit Dataset's recordings.

    python -m numformat.nn.spoken_build                       # reads <repo>/../shared/data/fsdd/recordings
    python -m numformat.nn.spoken_build --source DIR --out my.npz

The Free Spoken Digit Dataset v1.0.9 (Zohar Jackson and contributors, CC BY-SA 4.0; see
``numformat/data/README.md``) is 3,000 WAV files ``{digit}_{speaker}_{take}.wav``: mono, 8 kHz,
16-bit PCM.  The package cannot read them at run time (``pip install`` users have no copy), so
this script stores every sample once as an 8-bit **G.711 μ-law code** made by the course's own
:func:`numformat.adc.mulaw_encode` -- half the bytes of 16-bit PCM -- in one ``.npz`` file
(``np.savez_compressed``, arrays only, no pickle):

``codes``          uint8, every clip's μ-law codes one after another
``offsets``        int64 ``(clips + 1,)``: clip ``i`` is ``codes[offsets[i]:offsets[i + 1]]``
``labels``         uint8, the digit said
``speakers``       uint8, an index into ``speaker_names``
``speaker_names``  str, the speakers in alphabetical order
``takes``          uint8, the take (0-49; the dataset's official test set is takes 0-4)
``rate_hz``        the sample rate, 8000

Clips are sorted by speaker, digit and take, so the file is the same for the same recordings
(numpy writes a fixed time stamp into the zip: the bytes are the same on every run).  Only this
script reads the recordings; :func:`numformat.nn.spoken.load_spoken_digits` reads the file.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

import numpy as np

from ..adc import mulaw_encode
from ..audio import read_wav

RATE_HZ = 8000
DATA_PATH = pathlib.Path(__file__).resolve().parent.parent / "data" / "spoken_digits.npz"
REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPOSITORY.parent / "shared" / "data" / "fsdd" / "recordings"
FILE_NAME = re.compile(r"^(?P<digit>[0-9])_(?P<speaker>[a-z]+)_(?P<take>[0-9]+)\.wav$")


def read_recordings(source):
    """Every recording in ``source`` as ``(pcm_int16, digit, speaker, take)``, sorted by speaker, digit, take.

    A file whose name is not ``{digit}_{speaker}_{take}.wav``, or that is not mono 8 kHz 16-bit
    PCM, stops the build with a ``ValueError`` naming it.
    """
    source = pathlib.Path(source)
    if not source.is_dir():
        raise ValueError(f"source={str(source)!r} is not a folder; pass --source with the FSDD 'recordings' folder")
    clips = []
    for path in sorted(source.glob("*.wav")):
        match = FILE_NAME.match(path.name)
        if match is None:
            raise ValueError(f"{path.name!r} is not named {{digit}}_{{speaker}}_{{take}}.wav")
        pcm, rate = read_wav(path, raw=True)
        if rate != RATE_HZ or pcm.dtype != np.int16 or pcm.ndim != 1:
            raise ValueError(f"{path.name!r} must be mono {RATE_HZ} Hz 16-bit PCM, got {rate} Hz, "
                             f"{pcm.dtype}, shape {pcm.shape}")
        clips.append((pcm, int(match["digit"]), match["speaker"], int(match["take"])))
    if not clips:
        raise ValueError(f"no .wav recordings in {str(source)!r}")
    return sorted(clips, key=lambda clip: (clip[2], clip[1], clip[3]))


def build_arrays(clips):
    """The arrays of the shipped file (see the module docstring) from :func:`read_recordings`' clips."""
    speaker_names = sorted({speaker for _, _, speaker, _ in clips})
    lengths = np.array([pcm.size for pcm, _, _, _ in clips], dtype=np.int64)
    return {
        "codes": mulaw_encode(np.concatenate([pcm for pcm, _, _, _ in clips])),
        "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        "labels": np.array([digit for _, digit, _, _ in clips], dtype=np.uint8),
        "speakers": np.array([speaker_names.index(speaker) for _, _, speaker, _ in clips], dtype=np.uint8),
        "speaker_names": np.array(speaker_names),
        "takes": np.array([take for _, _, _, take in clips], dtype=np.uint8),
        "rate_hz": np.array(RATE_HZ),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.nn.spoken_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default=str(DEFAULT_SOURCE), help="the FSDD recordings folder")
    parser.add_argument("--out", default=str(DATA_PATH), help="where to write the .npz (default: the shipped file)")
    args = parser.parse_args(argv)
    arrays = build_arrays(read_recordings(args.source))
    np.savez_compressed(args.out, **arrays)
    print(f"{len(arrays['labels'])} clips, {arrays['codes'].size:,} μ-law samples "
          f"({pathlib.Path(args.out).stat().st_size:,} bytes) -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
