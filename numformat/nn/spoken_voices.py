"""How many voices must it hear?  A new voice's accuracy against the number of voices trained on.

    python -m numformat.nn.spoken_voices              # 83 trainings, about an hour on 2 cores
    python -m numformat.nn.spoken_voices --parts band_mean_sets --update

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

Last, every set of four voices is trained again with CMN, each band's mean removed (the levers
study's best front end, ``Lever.norm="band_mean"``; 15 trainings), so that a front end can be
chosen for each new voice *without hearing it*: :func:`front_end_by_voices` scores both front
ends on the other five voices alone (train on four, test on the fifth, five ways) and tests
only the one chosen on the new voice -- nested leave-one-speaker-out, the honest figure the
levers study could not give.

The result goes to ``numformat/data/spoken_voices.json`` (lesson 10 draws it)::

    {"sets": {"george": {"jackson": 0.302, ...}, "george+jackson": {...}, ...},
     "fewer_clips": {"takes": 10, "speakers": {"george": ..., ...}},
     "band_mean_sets": {"george+jackson+lucas+nicolas": {"theo": ..., "yweweler": ...}, ...}}

``sets`` maps each training set (its speakers joined by ``+``, in :data:`SPEAKERS` order) to
the accuracy on each speaker it left out; ``fewer_clips`` maps each held-out speaker to the
accuracy of the network trained on the other five's first ``takes`` takes; ``band_mean_sets``
is ``sets``' four-voice part with CMN.  ``--parts`` runs some parts, ``--update`` keeps the
others already in the file.
"""

from __future__ import annotations

import functools
import itertools
import json
import multiprocessing
import pathlib
import sys

import numpy as np

from ..checks import check_real
from .features import speech_power
from .spoken import DATA_DIR, SPEAKERS, read_spoken_file
from .spoken_levers import Lever, lever_features, merged, study_parser
from .spoken_train import SpokenConfig, train_spoken

VOICES_PATH = DATA_DIR / "spoken_voices.json"
FEWER_TAKES = 10  # the "fewer clips" row: takes 0-9 of each of five voices, 500 clips as one voice has
PARTS = ("sets", "fewer_clips", "band_mean_sets")  # the study's parts, as the JSON file holds them


def voice_sets(sizes=range(1, len(SPEAKERS))):
    """Every set of ``k`` speakers for each ``k`` in ``sizes``, as tuples in :data:`SPEAKERS` order.

    >>> [len(voice_sets([k])) for k in range(1, 6)]
    [6, 15, 20, 15, 6]
    >>> voice_sets([5])[0]
    ('george', 'jackson', 'lucas', 'nicolas', 'theo')
    """
    return [voices for k in sizes for voices in itertools.combinations(SPEAKERS, k)]


@functools.lru_cache(maxsize=2)
def every_clip(norm="picture"):
    """``(x, labels, speakers, takes)`` of all 3,000 clips of the shipped file, in its order;
    ``norm="band_mean"`` gives CMN's pictures (:class:`~numformat.nn.spoken_levers.Lever`'s ``norm``)."""
    clips = read_spoken_file()
    if norm == "picture":
        x = clips.features()
    else:
        x = lever_features(np.stack([speech_power(clip) for clip in clips.audio]), Lever(norm, norm=norm))
    return x, clips.labels, clips.speakers, clips.takes


def unseen_accuracy(job):
    """``(voices, takes, norm, {speaker: accuracy})``: the shipped recipe with the front end's
    ``norm`` trained on the clips of the ``voices`` with take < ``takes``, scored on all 500
    clips of every speaker not in ``voices``."""
    voices, takes, norm = job
    x, labels, speakers, clip_takes = every_clip(norm)
    chosen = np.isin(speakers, voices) & (clip_takes < takes)
    model, _ = train_spoken(SpokenConfig(), (x[chosen], labels[chosen], None, None))
    unseen = ~np.isin(speakers, voices)
    right = model.predict(x[unseen]) == labels[unseen]
    return voices, takes, norm, {speaker: float(np.mean(right[speakers[unseen] == speaker]))
                                 for speaker in SPEAKERS if speaker not in voices}


def part_tasks(part):
    """The trainings of one part of the study, as :func:`unseen_accuracy`'s jobs."""
    every_take = int(every_clip()[3].max()) + 1
    if part == "sets":
        return [(voices, every_take, "picture") for voices in voice_sets()]
    if part == "fewer_clips":
        return [(voices, FEWER_TAKES, "picture") for voices in voice_sets([len(SPEAKERS) - 1])]
    if part == "band_mean_sets":
        return [(voices, every_take, "band_mean") for voices in voice_sets([len(SPEAKERS) - 2])]
    raise ValueError(f"part={part!r} is not one of {PARTS}")


def study(parts=PARTS, jobs=2, stream=sys.stderr):
    """The study's ``parts`` (default all) as the JSON file holds them."""
    tasks = [(part, task) for part in parts for task in part_tasks(part)]
    results = {part: {} for part in parts}
    with multiprocessing.Pool(jobs) as pool:
        for (part, _), (voices, takes, norm, scores) in zip(tasks, pool.imap(unseen_accuracy, [t for _, t in tasks])):
            if part == "fewer_clips":
                results[part].update(scores)
            else:
                results[part]["+".join(voices)] = scores
            shown = ", ".join(f"{speaker} {accuracy:.1%}" for speaker, accuracy in scores.items())
            print(f"{part}: {'+'.join(voices)}: {shown}", file=stream, flush=True)
    if "fewer_clips" in results:
        fewer = results["fewer_clips"]
        results["fewer_clips"] = {"takes": FEWER_TAKES, "speakers": {speaker: fewer[speaker] for speaker in SPEAKERS}}
    return results


def front_end_by_voices(voices, levers):
    """The front end chosen for each new voice without hearing it: nested leave-one-speaker-out.

    For each speaker ``h``, each front end's *inner* score is the mean, over the other five
    speakers ``i``, of the network trained on the four left (neither ``h`` nor ``i``) and tested
    on ``i``: ``voices["sets"]`` for the shipped whole-picture normalisation (``"picture"``),
    ``voices["band_mean_sets"]`` for CMN (``"band_mean"``).  The higher is chosen (the shipped
    one on a tie), and its network trained on all five is tested on ``h``: the report's
    (``voices["sets"]``) or the levers study's ``deeper_band_mean`` row (``levers``).  Returns
    ``{h: {"picture": inner, "band_mean": inner, "chosen": norm, "accuracy": on h}}``.

    >>> sets = {"b+c": {"a": 0.5}, "a+c": {"b": 0.6}, "a+b": {"c": 0.7}}
    >>> voices = {"sets": {"a": {"b": 0.4, "c": 0.5}, "b": {"a": 0.3, "c": 0.6}, "c": {"a": 0.2, "b": 0.3}, **sets},
    ...           "band_mean_sets": {"a": {"b": 0.5, "c": 0.6}, "b": {"a": 0.1, "c": 0.5}, "c": {"a": 0.3, "b": 0.2}}}
    >>> levers = {"deeper_band_mean": {"speakers": {"a": 0.9, "b": 0.8, "c": 0.7}}}
    >>> chosen = front_end_by_voices(voices, levers)
    >>> chosen["a"]
    {'picture': 0.45, 'band_mean': 0.35, 'chosen': 'picture', 'accuracy': 0.5}
    >>> chosen["b"]["chosen"], chosen["b"]["accuracy"]
    ('band_mean', 0.8)
    """
    speakers = sorted({speaker for voices_set in voices["sets"] for speaker in voices_set.split("+")},
                      key=lambda name: (SPEAKERS.index(name) if name in SPEAKERS else len(SPEAKERS), name))
    chosen = {}
    for held in speakers:
        others = [speaker for speaker in speakers if speaker != held]
        inner = {norm: float(np.mean([voices[table]["+".join(s for s in others if s != inner_held)][inner_held]
                                      for inner_held in others]))
                 for norm, table in (("picture", "sets"), ("band_mean", "band_mean_sets"))}
        norm = "band_mean" if inner["band_mean"] > inner["picture"] else "picture"
        accuracy = (voices["sets"]["+".join(others)][held] if norm == "picture"
                    else levers["deeper_band_mean"]["speakers"][held])
        chosen[held] = {**inner, "chosen": norm, "accuracy": accuracy}
    return chosen


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
    parser = study_parser("spoken_voices", __doc__, "parts", PARTS, VOICES_PATH)
    args = parser.parse_args(argv)
    parts = [part for part in args.parts.split(",") if part]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown or not parts:
        parser.error(f"--parts must name one or more of {', '.join(PARTS)}, got {args.parts!r}")
    if args.jobs < 1:
        parser.error(f"--jobs must be 1 or more, got {args.jobs}")
    results = study(parts, jobs=args.jobs)
    kept = json.loads(pathlib.Path(args.out).read_text()) if args.update and pathlib.Path(args.out).exists() else {}
    results = merged(kept, results, PARTS)
    pathlib.Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    if "sets" in results:
        sizes, mean, lowest, highest = voices_curve(results["sets"])
        for size, middle, low, high in zip(sizes, mean, lowest, highest):
            print(f"{size} voice{'s' if size > 1 else ' '}: mean {middle:.1%} (lowest {low:.1%}, highest {high:.1%})")
    if "fewer_clips" in results:
        fewer = np.mean(list(results["fewer_clips"]["speakers"].values()))
        print(f"5 voices, takes 0-{FEWER_TAKES - 1} only: mean {fewer:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
