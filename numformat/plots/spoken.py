"""The spoken-digit capstone: a voice, its μ-law codes, its log-mel picture, int8 feature maps, the verdicts.

Each figure draws what :mod:`numformat.nn.spoken` and :mod:`numformat.nn.features` compute, so
lesson 10 shows the whole pipeline one call at a time::

    int16 samples → G.711 μ-law codes → 32 × 32 log-mel picture → int8 feature maps → the digit
"""

from __future__ import annotations

from .base import axes_or_new
from ..checks import check_int, check_real
from ..palette import BLUE, GREEN, GREY, ORANGE, RED


def plot_voice_and_codes(pcm, speech, zoom, *, rate_hz=8000, axes=None):
    """A clip's int16 waveform (the ``speech`` span shaded, the ``zoom`` span marked) and, below,
    the G.711 μ-law code of every sample in ``zoom``.

    ``speech`` and ``zoom`` are ``(start, stop)`` sample indices.  The codes are drawn as the
    level they stand for, ``±(127 − code mod 128)``: μ-law sends the sign in the top bit and
    the magnitude inverted, so 255 and 127 are the two codes next to zero.  Returns the two axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    from ..adc import mulaw_encode

    pcm = np.asarray(pcm)
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(8, 4.6), layout="constrained")
    wave_ax, code_ax = axes
    seconds = np.arange(pcm.size) / rate_hz
    wave_ax.plot(seconds, pcm, color=BLUE, lw=0.6)
    wave_ax.axvspan(speech[0] / rate_hz, speech[1] / rate_hz, color=ORANGE, alpha=0.15, label="speech found")
    wave_ax.axvspan(zoom[0] / rate_hz, zoom[1] / rate_hz, color=RED, alpha=0.35, label="zoomed below")
    wave_ax.set(xlabel="time (s)", ylabel="int16 sample", ylim=(-32768, 32767))
    wave_ax.legend(loc="upper right", fontsize="small")

    codes = mulaw_encode(pcm[zoom[0]:zoom[1]]).astype(np.int64)
    levels = np.where(codes >= 128, 255 - codes, -(127 - codes))  # G.711: sign bit, inverted magnitude
    index = np.arange(zoom[0], zoom[1])
    code_ax.step(index, levels, where="mid", color=ORANGE, lw=1)
    code_ax.plot(index, levels, "o", color=ORANGE, ms=3, label="μ-law level, ±(127 − code mod 128)")
    code_ax.axhline(0, color=GREY, lw=0.6)
    code_ax.set(xlabel="sample index", ylabel="μ-law level", ylim=(-128, 128))
    code_ax.legend(loc="upper right", fontsize="small")
    return axes


def plot_log_mel(picture, ax=None, *, title=None, rate_hz=8000):
    """The 32 × 32 log-mel picture (bands × frames) as an image, low frequencies at the bottom.

    The y ticks give every eighth band's centre in Hz (HTK's mel scale, as the front end uses).
    """
    import numpy as np

    from ..nn.features import mel_centres, mel_to_hz

    picture = np.asarray(picture)
    ax = axes_or_new(ax, figsize=(4.6, 4))
    image = ax.imshow(picture, origin="lower", aspect="auto", cmap="magma")
    bands = np.arange(0, picture.shape[0], 8)
    centres_hz = mel_to_hz(mel_centres(picture.shape[0], rate_hz)[1:-1])
    ax.set_yticks(bands, [f"{centres_hz[band]:.0f}" for band in bands])
    ax.set(xlabel="frame (32 spread over the speech)", ylabel="mel band centre (Hz)")
    ax.figure.colorbar(image, ax=ax, label="standard deviations from the mean")
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def plot_feature_maps(codes, ncols=4, *, title=None):
    """Every channel of one int8 feature map ``(channels, height, width)``, on one code scale −128…127.

    ReLU's zeros are the output zero point, so dark cells are "nothing here".  Returns the axes.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    codes = np.asarray(codes)
    channels = codes.shape[0]
    nrows = -(-channels // ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(1.8 * ncols, 1.7 * nrows), layout="constrained",
                                squeeze=False)
    for channel, ax in enumerate(axes.flat):
        ax.axis("off")
        if channel < channels:
            image = ax.imshow(codes[channel], origin="lower", cmap="viridis", vmin=-128, vmax=127)
            ax.set_title(f"channel {channel}", fontsize=8)
    figure.colorbar(image, ax=axes, label="int8 code", shrink=0.8)
    if title is not None:
        figure.suptitle(title, fontsize=10)
    return axes


def confusion_counts(labels, predicted, classes=10):
    """``(classes, classes)`` counts: row = the digit said, column = the digit recognised.

    >>> confusion_counts([0, 1, 1], [0, 1, 0], classes=2).tolist()
    [[1, 0], [1, 1]]
    """
    import numpy as np

    classes = check_int(classes, "classes", low=1)
    said, heard = np.asarray(labels), np.asarray(predicted)
    for name, values in (("labels", said), ("predicted", heard)):
        if values.ndim != 1 or values.dtype.kind not in "iu" or np.any((values < 0) | (values >= classes)):
            shown = values.ravel()[:10].tolist()
            raise ValueError(f"{name}={shown}{'...' if values.size > 10 else ''} must be whole numbers from 0 to "
                             f"{classes - 1}, one per clip (a 1-D integer array)")
    if said.size != heard.size:
        raise ValueError(f"labels and predicted must have the same length, got {said.size} and {heard.size}")
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (said, heard), 1)
    return counts


def plot_confusion(labels, predicted, ax=None, *, classes=10, title=None):
    """The confusion matrix of ``predicted`` against ``labels``, every non-zero count written in
    its cell (off-diagonal ones, the mistakes, in red); the title gives the accuracy."""
    import numpy as np

    counts = confusion_counts(labels, predicted, classes)
    ax = axes_or_new(ax, figsize=(4.6, 4.2))
    ax.imshow(counts, cmap="Blues", vmin=0)
    for (said, heard), count in np.ndenumerate(counts):
        if count:
            ink = "white" if said == heard else RED
            ax.text(heard, said, str(count), ha="center", va="center", fontsize=8, color=ink)
    ax.set_xticks(range(classes))
    ax.set_yticks(range(classes))
    ax.set(xlabel="recognised", ylabel="said")
    accuracy = np.trace(counts) / counts.sum()
    ax.set_title(f"{title + ': ' if title else ''}{np.trace(counts)}/{counts.sum()} = {accuracy:.2%}", fontsize=10)
    return ax


def draw_goal(ax, goal, line):
    """A dotted green line at ``goal`` percent drawn by ``line`` (``ax.axvline`` or ``ax.axhline``),
    labelled for the legend; nothing when ``goal`` is None."""
    if goal is not None:
        line(check_real(goal, "goal", low=0, high=100), color=GREEN, ls=":", lw=1.5, label=f"goal {goal:g}%")


def plot_levers(levers, ax=None, goal=None):
    """The speaker-independence study (:func:`numformat.nn.spoken_levers.study`): one row per
    lever, a bar for the mean over the six held-out speakers and a dot for each speaker, the
    baseline's mean (the first network, seed 0) as a dashed line and the spread between two
    seeds shaded around it.

    ``levers`` is the study's dictionary (``numformat/data/spoken_levers.json``); it must hold
    ``"baseline"``, and ``"seed_1"`` for the shading.  ``goal``, a percentage, draws a dotted
    line there (lesson 10: the course's 85%).  Returns the axes.
    """
    import numpy as np

    names = list(levers)
    ax = axes_or_new(ax, figsize=(8, 0.42 * len(names) + 1.2))
    rows = np.arange(len(names))[::-1]
    means = [100 * levers[name]["mean"] for name in names]
    ax.barh(rows, means, color=[GREY if name in ("baseline", "seed_1") else BLUE for name in names], height=0.6)
    for row, name in zip(rows, names):
        scores = [100 * value for value in levers[name]["speakers"].values()]
        ax.plot(scores, [row] * len(scores), "o", color=ORANGE, ms=3.5, alpha=0.8,
                label="each held-out speaker" if name == names[0] else None)
        ax.text(1, row, f"{levers[name]['mean']:.1%}", va="center", fontsize=8, color="white")
    baseline = 100 * levers["baseline"]["mean"]
    draw_goal(ax, goal, ax.axvline)
    ax.axvline(baseline, color=RED, ls="--", lw=1, label="baseline (seed 0)")
    if "seed_1" in levers:
        other = 100 * levers["seed_1"]["mean"]
        ax.axvspan(min(baseline, other), max(baseline, other), color=RED, alpha=0.12, lw=0)
    ax.set_yticks(rows, [levers[name]["title"] for name in names], fontsize=8)
    ax.set(xlim=(0, 100), xlabel="accuracy on the held-out speaker (%): bar = mean of six, dots = each speaker")
    ax.set_title("a voice never heard: each speaker held out in turn, one row per lever", fontsize=10, pad=28)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=3, fontsize=8, frameon=False)
    return ax


def plot_words_heard(levers, ax=None, goal=None):
    """Adapting as it listens: accuracy on a new voice against how many of its words were heard
    before, from the study's ``running_mean_ensemble_3`` row (every speaker and random order
    pooled, :func:`numformat.nn.spoken_levers.words_heard_curve`), between three CMN networks of
    the same recipe trained without adaptation (``band_mean_ensemble_3``) and the adapted networks
    with the mean of all 500 clips (``speaker_mean_ensemble_3``), drawn as dashed lines; ``goal``
    (%) dotted.  Returns the axes.
    """
    import numpy as np

    from ..nn.spoken_levers import words_heard_curve

    row = levers["running_mean_ensemble_3"]
    starts, stops, accuracy = words_heard_curve(list(row["right_by_position"].values()), row["orders"])
    ax = axes_or_new(ax, figsize=(9, 3.6))
    labels = [str(start) if stop == start + 1 else f"{start}–{stop - 1}" for start, stop in zip(starts, stops)]
    ax.bar(np.arange(len(starts)), 100 * accuracy, color=BLUE, width=0.7)
    for index, value in enumerate(accuracy):
        ax.text(index, 100 * value - 1, f"{value:.0%}", ha="center", va="top", fontsize=8, color="white")
    ax.axhline(100 * levers["band_mean_ensemble_3"]["mean"], color=RED, ls="--", lw=1,
               label=f"no adaptation: {levers['band_mean_ensemble_3']['mean']:.1%}")
    ax.axhline(100 * levers["speaker_mean_ensemble_3"]["mean"], color=ORANGE, ls="--", lw=1,
               label=f"the mean of all 500 clips removed: {levers['speaker_mean_ensemble_3']['mean']:.1%}")
    draw_goal(ax, goal, ax.axhline)
    ax.set_xticks(np.arange(len(starts)), labels)
    ax.set(ylim=(0, 100), xlabel="the user's words heard before this one",
           ylabel="accuracy (%)")
    ax.set_title(f"three CMN networks adapting as they listen: six new voices, {row['orders']} random orders each",
                 fontsize=10, pad=22)
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1), ncol=3, fontsize=8, frameon=False)
    return ax


def plot_voices(voices, ax=None, goal=None):
    """The voices study (:mod:`numformat.nn.spoken_voices`): accuracy on a voice never heard
    against the number of voices trained on, a dot for every (training set, unseen speaker) pair
    and the mean of each number as a line; the five voices with 100 clips each (500 clips, as
    many as one voice has) as a red diamond beside them.  With a ``goal`` (%), a dotted line there
    and, dashed, the power law fitted to the means (:func:`~numformat.nn.spoken_voices.error_power_law`)
    carried on to the number of voices it would need: a guess, drawn apart from the measurements.
    Returns the axes.

    ``voices`` is the study's dictionary (``numformat/data/spoken_voices.json``).
    """
    import numpy as np

    from ..nn.spoken_voices import error_power_law, voices_curve, voices_for

    ax = axes_or_new(ax, figsize=(8, 3.8))
    jitter = np.random.default_rng(0)
    first = next(iter(voices["sets"]))
    for voices_trained, scores in voices["sets"].items():
        size = len(voices_trained.split("+"))
        values = 100 * np.array(list(scores.values()))
        ax.plot(size + jitter.uniform(-0.12, 0.12, values.size), values, "o", color=ORANGE, ms=3, alpha=0.5,
                label="a training set, one unseen speaker" if voices_trained == first else None)
    sizes, mean, _, _ = voices_curve(voices["sets"])
    ax.plot(sizes, 100 * mean, "-o", color=BLUE, lw=2, label="mean over every pair")
    for size, value in zip(sizes, mean):
        ax.annotate(f"{value:.1%}", (size, 100 * value), textcoords="offset points", xytext=(9, -12), fontsize=8,
                    color=BLUE, bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    fewer = voices["fewer_clips"]
    fewer_mean = float(np.mean(list(fewer["speakers"].values())))
    ax.plot([sizes[-1] + 0.3], [100 * fewer_mean], "D", color=RED, ms=7,
            label=f"5 voices, takes 0–{fewer['takes'] - 1} only (500 clips): {fewer_mean:.1%}")
    last = sizes[-1] + 0.5
    needed = voices_for(goal / 100, sizes, mean) if goal is not None else None
    if needed is not None:
        a, b = error_power_law(sizes, mean)
        far = np.linspace(1, np.ceil(needed), 200)
        ax.plot(far, 100 * (1 - np.exp(a + b * np.log(far))), "--", color=GREY, lw=1,
                label=f"power law fitted to the means, carried on: {goal:g}% at about {needed:.0f} voices")
        last = np.ceil(needed) + 0.5
    draw_goal(ax, goal, ax.axhline)
    ax.set_xticks(np.arange(1, int(last) + 1))
    ax.set(xlim=(0.5, last), ylim=(0, 100), xlabel="voices trained on (all 500 clips of each; the diamond: 100 of each)",
           ylabel="accuracy on an unseen voice (%)")
    ax.set_title("every set of the six speakers trained on, every unseen one tested", fontsize=10)
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return ax
