"""A real ALSA device for tests on a machine without a sound card: playback to a file, capture from one.

PortAudio reads the ALSA configuration once, when sounddevice is imported, so a test that wants
this device runs its audio in a new process whose ``XDG_CONFIG_HOME`` is the folder
:func:`device_folder` prepares (``alsa/asoundrc`` there overrides CI's own /dev/zero device for
that process only).  What the process plays lands in ``played.raw``; what it records is read from
``source.raw`` (raw little-endian int16).
"""

import json
import os
import subprocess
import sys

import pytest

REQUIRE_AUDIO = os.environ.get("NUMFORMAT_REQUIRE_AUDIO") == "1"

ASOUNDRC = """\
# numformat's test device: playback is written to a file, capture reads a known file.
pcm.!default {{
    type asym
    playback.pcm {{
        type file
        slave.pcm "null"
        file "{played}"
        format "raw"
    }}
    capture.pcm {{
        type file
        slave.pcm "null"
        file "/dev/null"
        infile "{source}"
        format "raw"
    }}
}}
"""


def portaudio_missing(reason):
    """Whether ``audio.available()``'s reason says PortAudio (or sounddevice) is missing, not the device."""
    return reason.startswith(("sounddevice cannot load PortAudio", "the sounddevice package is not installed"))


def device_folder(folder, source_int16):
    """Write the device's configuration and its capture file into ``folder``; return the process env."""
    source_int16.astype("<i2").tofile(folder / "source.raw")
    (folder / "alsa").mkdir(exist_ok=True)
    (folder / "alsa" / "asoundrc").write_text(ASOUNDRC.format(played=folder / "played.raw",
                                                             source=folder / "source.raw"))
    env = {**os.environ, "XDG_CONFIG_HOME": str(folder)}
    env.pop("ALSA_CONFIG_PATH", None)
    return env


def run_on_device(script, env, *args, timeout=300):
    """Run the Python ``script`` in a process on the device of ``env`` (:func:`device_folder`) and
    return the JSON summary it prints last; skip (or, with ``NUMFORMAT_REQUIRE_AUDIO=1``, fail)
    when PortAudio itself is missing, fail when the device is there but does not work."""
    result = subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    if not summary["available"]:
        if REQUIRE_AUDIO or not portaudio_missing(summary["reason"]):
            pytest.fail(f"live audio through the ALSA file device failed: {summary['reason']}")
        pytest.skip(f"no PortAudio here (set NUMFORMAT_REQUIRE_AUDIO=1 to make this fail): {summary['reason']}")
    return summary
