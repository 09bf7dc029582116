"""Speaker independence: the levers tried, each measured with every speaker held out in turn.

    python -m numformat.nn.spoken_levers                # every lever: 246 trainings, ~4.5 h on 2 cores
    python -m numformat.nn.spoken_levers --jobs 1 --levers baseline,band_mean --update

With five voices to learn from, the spoken-digit CNN learns those voices: trained on five
speakers it recognises the sixth far less well than a held-out take of a voice it knows.  Each
*lever* below is a known remedy; the study trains the *baseline*, the first spoken-digit CNN
(:func:`~numformat.nn.spoken.spoken_cnn` with 8 and 16 channels: the study was made on it,
before cross-validation on the official training takes chose the deeper
:data:`~numformat.nn.spoken.SPOKEN_CNN`, whose row is ``deeper``), with the shipped settings
(:class:`~numformat.nn.spoken_train.SpokenConfig`, seed 0) plus one lever, six times (one per
held-out speaker), and tests each network on all 500 clips of the voice it never heard.  The result goes to ``numformat/data/spoken_levers.json`` (lesson 10 draws it):

* **front end** (training and test pictures alike): each band's own mean removed
  (cepstral mean normalisation) or its mean and spread; a floor ``floor_db`` below the clip's
  loudest band energy instead of the fixed ``1e-6`` (a quiet recording's hiss and a clean one's
  silence look alike), 50 dB and 30 dB (tried for the hissiest recordings: the 20 ms frames of
  nicolas's clips span a median 18.5 dB from loudest to quietest, theo's 22 dB, lucas's 52 dB);
  a cepstral *lifter* that keeps only the first ``lifter`` DCT coefficients of each frame's
  log-mel column, smoothing away the harmonics of the speaker's pitch;
* **augmentation** (training pictures only, new every epoch): vocal tract length perturbation
  (VTLP, Jaitly & Hinton 2013: the filterbank's frequencies scaled by a random factor in
  ``1 ± vtlp``, a shorter or longer vocal tract), speed perturbation (Ko et al. 2015: the clip
  played ``1 ± speed`` times as fast, pitch and formants moving together), a random *gain*
  (the power scaled by ``10**(g/10)``, ``g`` in dB drawn from ``gain_db``, as a microphone's
  gain before the ADC: the normalisation removes the constant a gain adds to the log, except in
  quiet bands near the fixed ``1e-6`` floor, which a gain moves), white noise's average power
  (a flat floor across the spectrum) at a random SNR below the speech, SpecAugment masks and
  mixup (:mod:`numformat.nn.spoken_train`);
* **model**: the two convolutions twice as wide, or a third conv block
  (:func:`~numformat.nn.spoken.spoken_cnn`), or an *ensemble*: three (five) networks trained
  from seeds 0, 1, 2 (3, 4) whose probabilities are averaged (three, five times the MACs);
* **test shifts** (the official split's lever, chosen there by cross-validation): each CMN
  network also shown the test picture moved by one mel band and one frame each way
  (:data:`~numformat.nn.spoken_train.TEST_SHIFTS`, five times the MACs), one network and three;
* **combined**: the best front end (CMN) with the two next best levers (the log floor, mixup),
  CMN with the 30 dB floor, CMN in the deeper network, and three deeper CMN networks with test
  shifts, the ensemble that owes least to the test voices: each part measured to help known
  voices by cross-validation on the training takes (the third block; averaging and test shifts
  on the first network), its front end the one nested leave-one-speaker-out chooses
  (:func:`numformat.nn.spoken_voices.front_end_by_voices`);
* **adaptation**: CMN, then each speaker's mean picture (over all their clips, labels unused)
  removed from each of their pictures -- what a device could do after hearing its user for a
  while; for the held-out speaker the mean is taken over the 500 clips it is tested on, so this
  row measures adaptation to the user, not a front end that works on the first word; it is
  measured with one network and with three, and with three where each of the held-out
  speaker's clips, heard in a random order, has only the mean of the clips heard before it
  removed (the first clip none): what a device learns as it listens.  That row hears the 500
  clips in ``orders`` random orders (seeds 0, 1, ...) and averages; its ``right_by_position``
  counts, for each place in the order of hearing, how many orders got that clip right
  (:func:`words_heard_curve` turns them into accuracy against the number of words heard);
* ``seed``: the baseline, and the best lever (CMN), from another seed, which shows how
  far a result moves by chance alone -- read every other row against them.

The levers were compared on the held-out speakers themselves (there is no seventh voice to
validate on), so the best row is an optimistic estimate of what that lever would do for a new
speaker.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import pathlib
import sys

import numpy as np

from .features import (LOG_FLOOR, MEL_BANDS, RATE_HZ, mel_centres, mel_filterbank, mel_to_hz, normalise,
                       speech_power, to_feature_steps)
from .spoken import DATA_DIR, SPEAKERS, load_spoken_digits, spoken_cnn
from .spoken_train import SpokenConfig, ensemble_predict, train_networks

LEVERS_PATH = DATA_DIR / "spoken_levers.json"
VTLP_BOUNDARY_HZ = 3200.0  # VTLP warps linearly up to here, then bends to keep 4 kHz at 4 kHz
ORDERS = 20                # random orders in which a device hears its user's 500 clips
DEEPER = (8, 16, 32)       # the deeper rows' channels: a third conv block, the shipped network (a test checks)


@dataclasses.dataclass(frozen=True)
class Lever:
    """One change to the baseline (every field at its default is the baseline: the shipped recipe and
    front end on the first network, 8 and 16 channels)."""

    title: str
    norm: str = "picture"      # "picture" (shipped), "band_mean", "band_mean_spread"
    floor_db: float = 0.0      # > 0: log floor this many dB below the clip's loudest band energy
    lifter: int = 0            # > 0: keep this many cepstral coefficients per frame
    vtlp: float = 0.0          # > 0: warp the filterbank by a factor in 1 ± vtlp per clip and epoch
    gain_db: tuple = ()        # (low, high): scale the power by a gain (dB) drawn from this range
    noise_snr_db: tuple = ()   # (low, high): add white noise's average power at an SNR drawn from this range
    speed: float = 0.0         # > 0: play each training clip at a speed in 1 ± speed per epoch
    channels: tuple = (8, 16)  # each convolution's channels (spoken_cnn): the baseline is the first network
    speaker_mean: bool = False  # remove each speaker's mean picture (over all their clips)
    running_mean: bool = False  # with speaker_mean: the held-out speaker's mean over the clips heard before
    orders: int = 1            # with running_mean: heard in this many random orders (seeds 0, 1, ...), averaged
    ensemble: int = 1          # > 1: this many networks (seeds seed, seed + 1, ...), probabilities averaged
    test_shifts: bool = False  # each network also shown the test picture moved by one band and one frame
    config: SpokenConfig = SpokenConfig()

    @property
    def augments_front_end(self):
        return self.vtlp > 0 or self.speed > 0 or bool(self.noise_snr_db) or bool(self.gain_db)


LEVERS = {
    "baseline": Lever("baseline: 8 and 16 channels (seed 0)"),
    "seed_1": Lever("baseline, seed 1", config=SpokenConfig(seed=1)),
    "band_mean": Lever("each band's mean removed (CMN)", norm="band_mean"),
    "band_mean_spread": Lever("each band's mean and spread (CMVN)", norm="band_mean_spread"),
    "floor_50db": Lever("log floor 50 dB below the loudest", floor_db=50.0),
    "floor_30db": Lever("log floor 30 dB below the loudest", floor_db=30.0),
    "lifter_12": Lever("cepstral lifter, 12 coefficients", lifter=12),
    "vtlp_10": Lever("VTLP, warp 0.9 to 1.1", vtlp=0.1),
    "noise": Lever("white noise, SNR 10 to 30 dB", noise_snr_db=(10.0, 30.0)),
    "gain": Lever("gain, -20 to +10 dB", gain_db=(-20.0, 10.0)),
    "band_mean_masks": Lever("CMN + SpecAugment masks (4 bands, 4 frames)", norm="band_mean",
                             config=SpokenConfig(mask_bands=4, mask_frames=4)),
    "band_mean_mixup": Lever("CMN + mixup (0.2)", norm="band_mean", config=SpokenConfig(mixup=0.2)),
    "speed_10": Lever("speed perturbation, 0.9 to 1.1", speed=0.1),
    "wider": Lever("a wider CNN: 16 and 32 channels (3.6× the MACs)", channels=(16, 32)),
    "deeper": Lever("a deeper CNN: a third conv block, 32 channels (shipped)", channels=DEEPER),
    "deeper_band_mean": Lever("CMN + the deeper CNN", norm="band_mean", channels=DEEPER),
    "band_mean_seed_1": Lever("CMN, seed 1", norm="band_mean", config=SpokenConfig(seed=1)),
    "band_mean_ensemble_3": Lever("CMN, three networks (seeds 0-2) averaged", norm="band_mean", ensemble=3),
    "band_mean_ensemble_5": Lever("CMN, five networks (seeds 0-4) averaged", norm="band_mean", ensemble=5),
    "band_mean_test_shifts": Lever("CMN + test shifts (5 passes)", norm="band_mean", test_shifts=True),
    "band_mean_ensemble_3_test_shifts": Lever("CMN, three networks + test shifts (15 passes)", norm="band_mean",
                                              ensemble=3, test_shifts=True),
    "deeper_band_mean_ensemble_3_test_shifts": Lever("CMN + the deeper CNN, three networks + test shifts (15 passes)",
                                                     norm="band_mean", channels=DEEPER, ensemble=3,
                                                     test_shifts=True),
    "band_mean_floor_30db": Lever("CMN + log floor 30 dB", norm="band_mean", floor_db=30.0),
    "band_mean_floor_mixup": Lever("CMN + log floor 50 dB + mixup (0.2)", norm="band_mean", floor_db=50.0,
                                   config=SpokenConfig(mixup=0.2)),
    "speaker_mean": Lever("CMN + the speaker's mean picture removed", norm="band_mean",
                          speaker_mean=True),
    "speaker_mean_ensemble_3": Lever("CMN + the speaker's mean picture removed, three networks",
                                     norm="band_mean", speaker_mean=True, ensemble=3),
    "running_mean_ensemble_3": Lever("CMN + the mean of the speaker's earlier clips removed, three networks",
                                     norm="band_mean", speaker_mean=True, running_mean=True, ensemble=3,
                                     orders=ORDERS),
}


def warped_filterbank(alpha, bands=MEL_BANDS):
    """The mel filterbank with every frequency scaled by ``alpha`` below :data:`VTLP_BOUNDARY_HZ`
    and bent linearly above it so that 0 Hz and the Nyquist frequency stay where they are.

    >>> bool(np.array_equal(warped_filterbank(1.0), mel_filterbank()))
    True
    """
    nyquist = RATE_HZ / 2
    edges_hz = mel_to_hz(mel_centres(bands))
    if alpha != 1.0:
        bend = VTLP_BOUNDARY_HZ * min(alpha, 1) / alpha
        high = nyquist - (nyquist - VTLP_BOUNDARY_HZ * min(alpha, 1)) / (nyquist - bend) * (nyquist - edges_hz)
        edges_hz = np.where(edges_hz <= bend, edges_hz * alpha, high)
    return mel_filterbank(bands, edges_hz=edges_hz)


def speed_perturbed(clip, factor):
    """``clip`` played ``factor`` times faster, by linear interpolation between its samples: the
    word lasts ``1 / factor`` as long and every frequency, pitch and formants alike, is ``factor``
    times higher (speed perturbation, Ko et al. 2015, as ``sox speed`` does it).

    >>> speed_perturbed(np.array([0, 100, 200, 300, 400], np.int16), 1.5).tolist()
    [0, 150, 300]
    """
    positions = np.arange(int((clip.size - 1) / factor) + 1) * factor
    return np.round(np.interp(positions, np.arange(clip.size), clip)).astype(np.int16)


def speed_powers(audio, speed, rng):
    """The speech power spectra (:func:`~numformat.nn.features.speech_power`) of every clip of
    ``audio`` played at a speed drawn from ``1 ± speed`` for each."""
    factors = rng.uniform(1 - speed, 1 + speed, len(audio))
    return np.stack([speech_power(speed_perturbed(clip, factor)) for clip, factor in zip(audio, factors)])


def dct_matrix(size):
    """The orthonormal DCT-II as a ``(size, size)`` matrix: ``dct_matrix(n) @ x`` is scipy's
    ``dct(x, norm="ortho")`` and its transpose the inverse.

    >>> bool(np.allclose(dct_matrix(4) @ dct_matrix(4).T, np.eye(4)))
    True
    """
    n, k = np.meshgrid(np.arange(size), np.arange(size))
    matrix = np.sqrt(2 / size) * np.cos(np.pi * (2 * n + 1) * k / (2 * size))
    matrix[0] /= np.sqrt(2)
    return matrix


def lever_log_mel(power, lever, bank):
    """One clip's ``(bands, frames)`` log-mel energies from its speech power spectra, with
    ``lever``'s floor and lifter (steps 5 and 6 of :mod:`numformat.nn.features`, varied)."""
    energies = power @ bank.T
    floor = energies.max() * 10 ** (-lever.floor_db / 10) if lever.floor_db > 0 else LOG_FLOOR
    log_energies = np.log(energies + floor).T
    if lever.lifter:
        cepstrum = dct_matrix(len(log_energies)) @ log_energies
        cepstrum[lever.lifter:] = 0
        log_energies = dct_matrix(len(log_energies)).T @ cepstrum
    return log_energies


def lever_picture(power, lever, bank):
    """One clip's ``(bands, frames)`` picture under ``lever``'s front end (step 7 varied too)."""
    log_energies = lever_log_mel(power, lever, bank)
    if lever.norm == "picture":
        return normalise(log_energies)
    centred = log_energies - log_energies.mean(axis=1, keepdims=True)
    spread = centred.std(axis=1, keepdims=True) + 1e-3 if lever.norm == "band_mean_spread" else centred.std()
    return to_feature_steps(centred / spread)


def lever_features(powers, lever, rng=None):
    """``(N, 1, bands, frames)`` pictures of the clips whose speech power spectra are ``powers``;
    with ``rng``, ``lever``'s augmentations (VTLP, gain, noise) drawn afresh for every clip."""
    bank = mel_filterbank()
    alphas = rng.uniform(1 - lever.vtlp, 1 + lever.vtlp, len(powers)) if rng is not None and lever.vtlp else None
    pictures = np.empty((len(powers), 1, MEL_BANDS, powers.shape[1]), np.float32)
    for index, power in enumerate(powers):
        if rng is not None and lever.gain_db:
            power = power * 10 ** (rng.uniform(*lever.gain_db) / 10)
        if rng is not None and lever.noise_snr_db:
            power = power + power.mean() * 10 ** (-rng.uniform(*lever.noise_snr_db) / 10)
        pictures[index, 0] = lever_picture(power, lever, bank if alphas is None else warped_filterbank(alphas[index]))
    return pictures


def without_speaker_means(pictures, speakers):
    """``pictures`` minus the mean picture of their speaker, rounded to the feature step again.

    >>> pictures = np.arange(8, dtype=np.float32).reshape(4, 1, 1, 2)
    >>> without_speaker_means(pictures, np.array(["a", "a", "b", "b"]))[:, 0, 0].tolist()
    [[-1.0, -1.0], [1.0, 1.0], [-1.0, -1.0], [1.0, 1.0]]
    """
    adapted = np.empty_like(pictures)
    for speaker in np.unique(speakers):
        mine = speakers == speaker
        adapted[mine] = to_feature_steps(pictures[mine] - pictures[mine].mean(axis=0, dtype=np.float64))
    return adapted


def without_running_mean(pictures, order):
    """One speaker's ``pictures`` heard one by one in ``order`` (a permutation of their indices),
    each minus the mean of the pictures heard before it (the first unchanged), rounded to the
    feature step again: adaptation as a device would do it, from the first word on.

    >>> pictures = np.array([2, 4, 9], np.float32).reshape(3, 1, 1, 1)   # heard 9, then 2 (- 9), then 4 (- 5.5)
    >>> without_running_mean(pictures, np.array([2, 0, 1])).ravel().tolist()
    [-7.0, -1.5, 9.0]
    """
    heard = pictures[order].astype(np.float64)
    before = np.zeros_like(heard)
    before[1:] = np.cumsum(heard, axis=0)[:-1] / np.arange(1, len(heard)).reshape(-1, *[1] * (heard.ndim - 1))
    adapted = np.empty_like(pictures)
    adapted[order] = to_feature_steps(heard - before)
    return adapted


def right_by_position(models, pictures, labels, orders):
    """For each place in the order of hearing, how many of ``orders`` random orders (seeds 0, 1,
    ...) of one speaker's ``pictures`` the ``models`` got right, each picture adapted by
    :func:`without_running_mean`: ``right[k]`` is over the clips heard after ``k`` others."""
    right = np.zeros(len(labels), np.int64)
    for seed in range(orders):
        order = np.random.default_rng(seed).permutation(len(labels))
        right += (ensemble_predict(models, without_running_mean(pictures, order)) == labels)[order]
    return right


def words_heard_curve(right, orders, starts=(0, 1, 2, 4, 8, 16, 32, 64, 128, 256)):
    """Accuracy against the number of the user's words heard before: for each run of places in
    the order of hearing, from ``starts[i]`` up to ``starts[i + 1]`` (the last to the end), the
    share of the clips heard there that were right, over every order and every list of ``right``.

    ``right`` is a list of :func:`right_by_position` counts (one per speaker), ``orders`` how
    many orders each counts.  Returns ``(starts, stops, accuracy)`` as arrays.

    >>> words_heard_curve([[1, 2, 2, 0], [2, 2, 1, 1]], orders=2, starts=(0, 1, 2))
    (array([0, 1, 2]), array([1, 2, 4]), array([0.75, 1.  , 0.5 ]))
    """
    right = np.asarray(right, dtype=np.int64)
    if right.ndim != 2 or right.size == 0 or right.min() < 0 or right.max() > orders:
        raise ValueError(f"right must be lists of counts from 0 to orders={orders}, one per speaker, got shape {right.shape}")
    starts = np.asarray(starts, np.int64)
    stops = np.append(starts[1:], right.shape[1])
    accuracy = np.array([right[:, start:stop].sum() / (orders * right[:, start:stop].size)
                         for start, stop in zip(starts, stops)])
    return starts, stops, accuracy


def held_out_accuracy(job):
    """Accuracy on ``speaker``'s 500 clips of the CNN trained with ``lever`` on the other five
    (the clips in ``load_spoken_digits("speaker:<name>")``'s order, as the report trains them),
    as ``(lever, speaker, accuracy, right)``: ``right`` is :func:`right_by_position`'s counts
    when the lever adapts as it listens (the accuracy their mean over the orders), else None."""
    lever_name, speaker = job
    lever = LEVERS[lever_name]
    train, test = load_spoken_digits(f"speaker:{speaker}")
    powers = np.stack([speech_power(clip) for clip in train.audio])
    x_train = lever_features(powers, lever)
    x_test = lever_features(np.stack([speech_power(clip) for clip in test.audio]), lever)
    heard = x_test  # the held-out speaker's pictures before any adaptation
    if lever.speaker_mean:
        x_train, x_test = without_speaker_means(x_train, train.speakers), without_speaker_means(x_test, test.speakers)

    def fresh(rng):
        source = speed_powers(train.audio, lever.speed, rng) if lever.speed else powers
        return lever_features(source, lever, rng)

    trained = train_networks(lever.config, (x_train, train.labels, x_test, test.labels), lever.ensemble,
                             architecture=spoken_cnn(*lever.channels),
                             epoch_features=fresh if lever.augments_front_end else None)
    models = [model for model, _ in trained]
    if lever.running_mean:
        right = right_by_position(models, heard, test.labels, lever.orders)
        return lever_name, speaker, float(right.sum() / (lever.orders * len(right))), right.tolist()
    predicted = ensemble_predict(models, x_test, shifts=lever.test_shifts)
    return lever_name, speaker, float(np.mean(predicted == test.labels)), None


def study(names=tuple(LEVERS), jobs=2, stream=sys.stderr):
    """``{lever: {"title", "speakers": {speaker: accuracy}, "mean"}}`` for the ``names`` levers;
    a lever that adapts as it listens adds ``"orders"`` and ``"right_by_position": {speaker: counts}``."""
    tasks = [(name, speaker) for name in names for speaker in SPEAKERS]
    results = {name: {"title": LEVERS[name].title, "speakers": {}} for name in names}
    with multiprocessing.Pool(jobs) as pool:
        for name, speaker, accuracy, right in pool.imap(held_out_accuracy, tasks):
            results[name]["speakers"][speaker] = accuracy
            if right is not None:
                results[name]["orders"] = LEVERS[name].orders
                results[name].setdefault("right_by_position", {})[speaker] = right
            print(f"{name:>18} held out {speaker:>9}: {accuracy:.2%}", file=stream, flush=True)
    for row in results.values():
        row["mean"] = float(np.mean(list(row["speakers"].values())))
    return results


def merged(table, results, order=tuple(LEVERS)):
    """``table`` with ``results``' rows put in or replaced, in ``order`` (:data:`LEVERS`' by default).

    >>> list(merged({"wider": 1, "baseline": 2}, {"band_mean": 3, "baseline": 4}).items())
    [('baseline', 4), ('band_mean', 3), ('wider', 1)]
    """
    table = {**table, **results}
    return {name: table[name] for name in order if name in table}


def study_parser(module, description, choice, names, out):
    """The command line of a study of several trainings, ``python -m numformat.nn.<module>``: ``--<choice>``
    (comma-separated ``names``, all by default), ``--jobs``, ``--out`` (default ``out``) and ``--update``."""
    parser = argparse.ArgumentParser(prog=f"python -m numformat.nn.{module}", description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(f"--{choice}", default=",".join(names), help="comma-separated names (default: all)")
    parser.add_argument("--jobs", type=int, default=2, help="trainings run at once (one per core)")
    parser.add_argument("--out", default=str(out))
    parser.add_argument("--update", action="store_true",
                        help=f"keep the other {choice} already in --out and replace only those run")
    return parser


def main(argv=None):
    parser = study_parser("spoken_levers", __doc__, "levers", LEVERS, LEVERS_PATH)
    args = parser.parse_args(argv)
    names = [name for name in args.levers.split(",") if name]
    unknown = sorted(set(names) - set(LEVERS))
    if unknown:
        parser.error(f"unknown lever(s) {unknown}; choose from {sorted(LEVERS)}")
    results = study(names, args.jobs)
    if args.update and pathlib.Path(args.out).exists():
        results = merged(json.loads(pathlib.Path(args.out).read_text()), results)
    with open(args.out, "w") as file:
        file.write(json.dumps(results, indent=2) + "\n")
    for name, row in results.items():
        print(f"{row['title']:>45}: mean {row['mean']:.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
