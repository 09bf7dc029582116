"""The README's "The library" section runs: its ```python blocks, pasted in order into one fresh
Python session, execute without an error.

The blocks run in a fresh interpreter (so sounddevice, which PortAudio configures once at import,
sees this test's ALSA device), in one namespace, in a temporary directory (the files they write
land there).  A block that fails is named by its number, its heading and its README line.  The
block that opens with ``# Live audio`` records and plays through a real PortAudio device: on
Linux the test gives it an ALSA *file* device (playback written to a file, capture read from a
file, as tests/test_audio.py does); without PortAudio that block is skipped with the reason,
unless NUMFORMAT_REQUIRE_AUDIO=1 (set in CI), under which it fails.

Every name a block binds is bound by no earlier block, so no block silently reuses another's
``q`` or ``y`` for something else (importing the same module again is allowed).

The whole run takes about 40 s on a 2-core machine (Deep Compression's fine-tuning and four
epochs of QAT are most of it).
"""

import ast
import json
import pathlib
import platform
import subprocess
import sys

import numpy as np
import pytest

from .alsa_device import REQUIRE_AUDIO, device_folder, portaudio_missing

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LIVE_AUDIO_MARK = "# Live audio"

RUNNER = """\
import json, sys, traceback

blocks = json.load(open(sys.argv[1]))
namespace = {"__name__": "__main__"}
results = []
for number, block in enumerate(blocks, 1):
    if block["live_audio"]:
        from numformat import audio
        ok, reason = audio.available()
        if not ok:
            results.append({"block": number, "status": "skipped", "reason": reason})
            continue
    filename = f"<README block {number}>"
    try:
        exec(compile(block["code"], filename, "exec"), namespace)
    except BaseException as error:
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
        results.append({"block": number, "status": "failed", "line": frames[-1].lineno if frames else None,
                        "error": f"{type(error).__name__}: {error}"})
        break
    results.append({"block": number, "status": "passed"})
print(json.dumps(results))
"""


def library_blocks(readme_text):
    """The ```python blocks of the README's "## The library" section, in order: dicts with the
    block's ``code``, its ``heading`` (the ### above it), ``line`` (the README line of its first
    code line) and ``live_audio``."""
    lines = readme_text.splitlines()
    start = lines.index("## The library")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    blocks, heading, index = [], "", start + 1
    while index < end:
        line = lines[index]
        if line.startswith("### "):
            heading = line.lstrip("# ").strip()
        if line.strip() == "```python":
            close = lines.index("```", index + 1)
            code = "\n".join(lines[index + 1:close]) + "\n"
            blocks.append({"code": code, "heading": heading, "line": index + 2,
                           "live_audio": code.lstrip().startswith(LIVE_AUDIO_MARK)})
            index = close
        index += 1
    return blocks


def bound_names(code):
    """The names a block binds at its top level: {name: how} with how "import <module>" for an
    import and "assignment" otherwise."""
    names = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                module = f"{getattr(node, 'module', None) or ''}.{alias.name}".lstrip(".")
                names[alias.asname or alias.name.split(".")[0]] = f"import {module}"
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.setdefault(node.id, "assignment")
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.setdefault(node.name, "assignment")
    return names


def describe(blocks, number, line=None):
    block = blocks[number - 1]
    where = f"README block {number} (under '### {block['heading']}', README.md line {block['line']}"
    return where + (f", block line {line} = README.md line {block['line'] + line - 1})" if line else ")")


def test_the_library_section_has_python_blocks_and_one_live_audio_block():
    blocks = library_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 8
    assert sum(block["live_audio"] for block in blocks) == 1


def test_no_block_rebinds_a_name_of_an_earlier_block():
    blocks = library_blocks(README.read_text(encoding="utf-8"))
    seen = {}
    for number, block in enumerate(blocks, 1):
        for name, how in bound_names(block["code"]).items():
            if name in seen and not (how.startswith("import") and seen[name][1] == how):
                assert False, (f"{name!r} is bound in {describe(blocks, seen[name][0])} and again in "
                               f"{describe(blocks, number)}: give it a name of its own")
            seen.setdefault(name, (number, how))


def test_block_extraction_and_binding_rules_on_a_small_readme():
    text = ("# T\n## Set up\n```python\nignored = 1\n```\n## The library\n### A\n```python\nx = 1\nimport numpy as np\n```\n"
            "### B\n```python\n# Live audio: needs a device\nfor i in range(2):\n    y = x + i\n```\n## Next\n"
            "```python\nnot_this = 2\n```\n")
    blocks = library_blocks(text)
    assert [(block["heading"], block["line"], block["live_audio"]) for block in blocks] == [("A", 9, False),
                                                                                           ("B", 14, True)]
    assert bound_names(blocks[0]["code"]) == {"x": "assignment", "np": "import numpy"}
    assert bound_names(blocks[1]["code"]) == {"i": "assignment", "y": "assignment"}


@pytest.fixture(scope="module")
def readme_run(tmp_path_factory):
    """Run every block in one fresh interpreter, in a temporary folder with an ALSA file device."""
    blocks = library_blocks(README.read_text(encoding="utf-8"))
    folder = tmp_path_factory.mktemp("readme")
    (folder / "blocks.json").write_text(json.dumps(blocks))
    # 20 s of a quiet 16 kHz tone: longer than anything the live block records.
    source = (1000 * np.sin(2 * np.pi * 440 * np.arange(320_000) / 16000)).astype("<i2")
    env = {**device_folder(folder, source), "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    work = folder / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, "-c", RUNNER, str(folder / "blocks.json")], cwd=work, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return blocks, json.loads(result.stdout.strip().splitlines()[-1]), work


def test_library_blocks_run_in_one_session(readme_run):
    blocks, results, work = readme_run
    for result in results:
        assert result["status"] != "failed", f"{describe(blocks, result['block'], result['line'])}: {result['error']}"
    ran = [result["block"] for result in results]
    assert ran == list(range(1, len(blocks) + 1)), "every block ran, in order"
    assert {"out.wav", "digits_int8.onnx"} <= {path.name for path in work.iterdir()}, "files land in the test's folder"


def test_live_audio_block_runs_on_a_file_device(readme_run):
    blocks, results, work = readme_run
    number = next(number for number, block in enumerate(blocks, 1) if block["live_audio"])
    result = next(result for result in results if result["block"] == number)
    if result["status"] == "skipped":
        # On Linux the test gave PortAudio a device: only a missing PortAudio is a reason to skip.
        if REQUIRE_AUDIO or (platform.system() == "Linux" and not portaudio_missing(result["reason"])):
            pytest.fail(f"{describe(blocks, number)} needs live audio, which failed: {result['reason']}")
        pytest.skip(f"{describe(blocks, number)}: no live audio here (NUMFORMAT_REQUIRE_AUDIO=1 makes this fail): "
                    f"{result['reason']}")
    assert result["status"] == "passed", f"{describe(blocks, number, result.get('line'))}: {result.get('error')}"
    assert (work.parent / "played.raw").stat().st_size > 0, "the live block played through the file device"
