"""How many voices must it hear?  A new voice's accuracy against the number of voices trained on.

    python -m numformat.nn.spoken_voices              # 68 trainings, ~45 min on 2 cores

The levers study (:mod:`numformat.nn.spoken_levers`) left a voice the network never heard at
about 80-84%, short of the course's 85%.  This study asks whether the data is what limits it.
The shipped recipe (:data:`~numformat.nn.spoken.SPOKEN_CNN`,
:class:`~numformat.nn.spoken_train.SpokenConfig` with seed 0) is trained on **every set of k of
the six speakers**, k = 1 to 5 (6 + 15 + 20 + 15 + 6 = 62 trainings, each on all 500 clips of
each voice in the set), and each network is tested on all 500 clips of every speaker it did
not hear.  For k = 5 the six networks are the report's (:mod:`numformat.nn.spoken_report`: the
same clips in the same order, so the same weights).

One more row separates *voices* from *clips*: five voices with only takes 0-9 of each (100 clips
a voice, 500 in all: as many as a single voice gives), each speaker held out in turn (6 trainings).
Against one voice's 500 clips it shows what more voices do at the same number of clips; against
five voices' 2,500 clips, what more clips of the same voices do.

The result goes to ``numformat/data/spoken_voices.json`` (lesson 10 draws it)::

    {"sets": {"george": {"jackson": 0.302, ...}, "george+jackson": {...}, ...},
     "fewer_clips": {"takes": 10, "speakers": {"george": ..., ...}}}

``sets`` maps each training set (its speakers joined by ``+``, in :data:`SPEAKERS` order) to
the accuracy on each speaker it left out; ``fewer_clips`` maps each held-out speaker to the
accuracy of the network trained on the other five's first ``takes`` takes.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import multiprocessing
import pathlib
import sys

import numpy as np

from ..checks import check_real
from .spoken import DATA_DIR, SPEAKERS, read_spoken_file
from .spoken_train import SpokenConfig, train_spoken

VOICES_PATH = DATA_DIR / "spoken_voices.json"
FEWER_TAKES = 10  # the "fewer clips" row: takes 0-9 of each of five voices, 500 clips as one voice has


def voice_sets(sizes=range(1, len(SPEAKERS))):
    """Every set of ``k`` speakers for each ``k`` in ``sizes``, as tuples in :data:`SPEAKERS` order.

    >>> [len(voice_sets([k])) for k in range(1, 6)]
    [6, 15, 20, 15, 6]
    >>> voice_sets([5])[0]
    ('george', 'jackson', 'lucas', 'nicolas', 'theo')
    """
    return [voices for k in sizes for voices in itertools.combinations(SPEAKERS, k)]


@functools.lru_cache(maxsize=1)
def every_clip():
    """``(x, labels, speakers, takes)`` of all 3,000 clips of the shipped file, in its order."""
    clips = read_spoken_file()
    return clips.features(), clips.labels, clips.speakers, clips.takes


def unseen_accuracy(job):
    """``(voices, takes, {speaker: accuracy})``: the shipped recipe trained on the clips of the
    ``voices`` with take < ``takes``, scored on all 500 clips of every speaker not in ``voices``."""
    voices, takes = job
    x, labels, speakers, clip_takes = every_clip()
    chosen = np.isin(speakers, voices) & (clip_takes < takes)
    model, _ = train_spoken(SpokenConfig(), (x[chosen], labels[chosen], None, None))
    unseen = ~np.isin(speakers, voices)
    right = model.predict(x[unseen]) == labels[unseen]
    return voices, takes, {speaker: float(np.mean(right[speakers[unseen] == speaker]))
                           for speaker in SPEAKERS if speaker not in voices}


def study(sizes=range(1, len(SPEAKERS)), jobs=2, stream=sys.stderr):
    """The study as the JSON file holds it, for training sets of the ``sizes`` (default 1 to 5)."""
    every_take = int(every_clip()[3].max()) + 1
    tasks = [(voices, every_take) for voices in voice_sets(sizes)]
    tasks += [(voices, FEWER_TAKES) for voices in voice_sets([len(SPEAKERS) - 1])]
    results = {"sets": {}, "fewer_clips": {"takes": FEWER_TAKES, "speakers": {}}}
    with multiprocessing.Pool(jobs) as pool:
        for voices, takes, scores in pool.imap(unseen_accuracy, tasks):
            if takes == FEWER_TAKES:
                results["fewer_clips"]["speakers"].update(scores)
            else:
                results["sets"]["+".join(voices)] = scores
            shown = ", ".join(f"{speaker} {accuracy:.1%}" for speaker, accuracy in scores.items())
            print(f"{'+'.join(voices)} (takes < {takes}): {shown}", file=stream, flush=True)
    results["sets"] = {"+".join(voices): results["sets"]["+".join(voices)] for voices in voice_sets(sizes)}
    fewer = results["fewer_clips"]["speakers"]
    results["fewer_clips"]["speakers"] = {speaker: fewer[speaker] for speaker in SPEAKERS}
    return results


def voices_curve(sets, speaker=None):
    """``(sizes, mean, lowest, highest)`` arrays: for each number of training voices, the mean,
    lowest and highest accuracy over every (training set, unseen speaker) pair of ``sets``, or
    only over the pairs whose unseen speaker is ``speaker``.

    >>> sets = {"a": {"b": 0.5, "c": 0.7}, "b": {"a": 0.6, "c": 0.8}, "a+b": {"c": 0.9}}
    >>> voices_curve(sets)
    (array([1, 2]), array([0.65, 0.9 ]), array([0.5, 0.9]), array([0.8, 0.9]))
    >>> voices_curve(sets, speaker="c")[1]
    array([0.75, 0.9 ])
    """
    pairs = {}
    for voices, scores in sets.items():
        chosen = [value for unseen, value in scores.items() if speaker in (None, unseen)]
        if chosen:
            pairs.setdefault(len(voices.split("+")), []).extend(chosen)
    sizes = np.array(sorted(pairs))
    if sizes.size == 0 or any(not 0 <= value <= 1 for values in pairs.values() for value in values):
        raise ValueError("sets must map training sets to {unseen speaker: accuracy from 0 to 1}, got "
                         f"{len(sets)} sets" + (f" with speaker={speaker!r} unseen in none" if sizes.size == 0 and sets
                                                else ""))
    table = [np.array(pairs[size]) for size in sizes]
    return (sizes, np.array([row.mean() for row in table]), np.array([row.min() for row in table]),
            np.array([row.max() for row in table]))


def error_power_law(sizes, accuracy):
    """``(a, b)`` of the straight line ``log(error) = a + b · log(voices)`` through the mean
    errors ``1 − accuracy`` by least squares: the learning curve's usual shape, error falling
    as a power of the data.

    >>> a, b = error_power_law([1, 2, 4], [0.6, 0.8, 0.9])
    >>> round(float(np.exp(a)), 3), round(float(b), 3)
    (0.4, -1.0)
    """
    sizes, accuracy = np.asarray(sizes, np.float64), np.asarray(accuracy, np.float64)
    if sizes.shape != accuracy.shape or sizes.size < 2 or np.any(sizes <= 0) or np.any((accuracy <= 0) | (accuracy >= 1)):
        raise ValueError(f"sizes and accuracy must be two or more positive sizes and accuracies strictly between "
                         f"0 and 1 of the same shape, got shapes {sizes.shape} and {accuracy.shape}")
    b, a = np.polyfit(np.log(sizes), np.log(1 - accuracy), 1)
    return float(a), float(b)


def voices_for(goal, sizes, accuracy):
    """How many training voices the power law of :func:`error_power_law` needs for ``goal``
    accuracy (0 to 1), or None if the fitted error does not fall.  An extrapolation, not a
    measurement: read it as "if the trend held".

    >>> round(voices_for(0.95, [1, 2, 4], [0.6, 0.8, 0.9]), 6)
    8.0
    """
    goal = check_real(goal, "goal", low=0, high=1)
    a, b = error_power_law(sizes, accuracy)
    return None if b >= 0 else float(np.exp((np.log(1 - goal) - a) / b))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m numformat.nn.spoken_voices", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=2, help="trainings run at once (one per core)")
    parser.add_argument("--out", default=str(VOICES_PATH))
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, got {args.jobs}")
    results = study(jobs=args.jobs)
    pathlib.Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    sizes, mean, lowest, highest = voices_curve(results["sets"])
    for size, middle, low, high in zip(sizes, mean, lowest, highest):
        print(f"{size} voice{'s' if size > 1 else ' '}: mean {middle:.1%} (lowest {low:.1%}, highest {high:.1%})")
    fewer = np.mean(list(results["fewer_clips"]["speakers"].values()))
    print(f"5 voices, takes 0-{FEWER_TAKES - 1} only: mean {fewer:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
