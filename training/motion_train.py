"""Fit the J/Z reader's model (signcam.practice.motion.MotionModel) so that it reads people it never saw.

Data (issue 28): the real recordings of ../shared/data/motion/ (4 people, MIT) and motion2/ (16 people: one clear J
and Z, the rest held hands and hands moved about; MIT and CC0), and strokes drawn by the still I and D hands of
every person in extra/, extra2/ and extra3/ with the variation real learners show (`stroke_params`: 0.3-2 s,
0.2-1.5 palm lengths, uneven speed, 15-30 fps with repeated and dropped frames, 4:3 or 16:9 or unknown aspect,
either hand, loose starting hands, drift, the whole hand or only the finger moving), plus those people's hands
held while drifting, moved about without drawing, and changing letter.
Every recording is played through the reader's own trajectory code (`MotionReader.observe` / `candidates`), as
it is and mirrored, and every window it would try becomes one example: a window that starts near a marked
stroke's start and ends near its end is that letter; one of an unmarked positive recording that covers most of
it (tresajoby: one sign per 30 frames) is that letter; windows of negatives and of positives away from their
strokes are "none"; the rest (half a stroke, unclear rows, borisgraudt's unmarked Z stream) are left out.

A person is the unit: a source of motion/ or motion2/ is one person, and a photo set's person (training.photos.
person_of) who is also a recorded source (hawkcodesz, vyshu150, ...) is the same person, so holding a person out
removes their recordings and the strokes their hands drew. The reading probability per letter is chosen on
out-of-fold probabilities (the training people split into `inner_folds` groups, each scored by a model fitted
without it): the lowest that keeps false reads on the real negatives <= `max_false_per_1000` pooled and no
person above `max_person_false_per_1000`. With --hold-out PERSON nothing of that person is used.

Usage:
    python -m training.motion_train [--data ../shared/data] [--out signcam/assets/motion.safetensors]
    python -m training.motion_train --hold-out aw09 --out /tmp/m.safetensors
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.practice.motion import CLASSES, MotionConfig, MotionModel, MotionReader
from training.motion_clips import (
    UNKNOWN_ASPECT_X,
    Clip,
    captured,
    drawn_clip,
    held_clip,
    loosen,
    moved_clip,
    transition_clip,
)
from training.motion_recordings import Recording, load_recordings, located
from training.photos import PhotoSet, load_photo_set

log = logging.getLogger("signcam.train.motion")

RECORDING_SETS = ("motion", "motion2")  # folders under the data folder with motion/'s layout
LEGACY_LANDMARKS = ("motion",)  # sets whose stored landmarks came from legacy MediaPipe Hands, not the app's locator
PHOTO_SETS = ("extra", "extra2", "extra3")  # still hands that draw the synthetic strokes (all may train weights)
SYNTHETIC = "synthetic/"  # path prefix of the synthetic recordings; their source is the person whose hand drew
START_SLACK_FRAMES = (6, 3)  # a window may start this many frames before / after a marked stroke's start ...
END_SLACK_FRAMES = (2, 4)  # ... and end this many before / after its end (marked by eye, +-2 frames)
NONE_STRIDE = 4  # "none" windows kept for fitting at every 4th frame (neighbours overlap)
GRID = np.round(np.concatenate([np.arange(0.30, 0.981, 0.01), [0.985, 0.99, 0.995]]), 3)  # reading probabilities


@dataclass(frozen=True)
class TrainConfig:
    hidden: int = 32  # tanh units: ~3,500 weights, ~14 KB on disk
    epochs: int = 12  # minibatch Adam passes over the windows
    batch: int = 256
    lr: float = 3e-3
    weight_decay: float = 1e-3
    max_false_per_1000: float = 2.0  # issue 28 allows 5 per 1,000 negative frames pooled; room for new people
    max_person_false_per_1000: float = 8.0  # ... and 10 for any one person
    inner_folds: int = 3  # groups of training people that choose the thresholds out of fold
    strokes_per_hand: int = 2  # synthetic strokes each I (J) or D (Z) photo draws
    held_per_person: int = 12  # synthetic held / drifting hands per photo person (half of them I or D)
    moved_per_person: int = 16  # synthetic hands swayed, bobbed, raised, lowered or circled (3 in 4 I or D)
    transitions_per_person: int = 6  # synthetic letter changes per photo person
    words_every: int = 3  # tresajoby's 1,000 word signs: every 3rd one is fitted on and chooses thresholds
    cooldown_s: float = MotionConfig.cooldown_s  # for the simulated reads
    seed: int = 0


def stroke_params(rng: np.random.Generator) -> dict:
    """One synthetic stroke's variation (issue 28): duration, size, speed, hand, drift and the camera's side."""
    return {"duration_s": float(rng.uniform(0.3, 2.0)), "size_palm": float(np.exp(rng.uniform(np.log(0.2),
                                                                                          np.log(1.5)))),
            "turn_deg": float(rng.uniform(-25, 25)), "mirror": bool(rng.random() < 0.5),
            "noise_palm": float(rng.uniform(0.008, 0.025)), "speed_warp": float(rng.uniform(0.0, 0.6)),
            "drift_palm": float(rng.uniform(0.0, 1.0)), "fps": float(rng.uniform(15.0, 30.0)),
            "hold_s": float(rng.uniform(0.3, 0.8)), "loose_deg": float(rng.uniform(0.0, 12.0)),
            "hand_share": float(rng.choice([1.0, rng.uniform(0.0, 1.0)])),
            "complete": float(rng.uniform(0.7, 1.0)) if rng.random() < 0.25 else 1.0,
            **camera_params(rng)}


def camera_params(rng: np.random.Generator) -> dict:
    """Repeated frames (a capture loop faster than the camera), lost frames, and the aspect."""
    return {"repeat_share": float(rng.uniform(0.1, 0.45)) if rng.random() < 0.4 else 0.0,
            "drop_share": float(rng.uniform(0.02, 0.1)) if rng.random() < 0.3 else 0.0,
            "x_scale": float(rng.choice([1.0, 1.0, UNKNOWN_ASPECT_X]))}


def stroke_clip(hand: np.ndarray, letter: str, rng: np.random.Generator, params: dict) -> tuple[Clip, tuple[int, int]]:
    """`hand` drawing `letter` with `params` (stroke_params), as captured, and the frames the stroke spans."""
    p = dict(params)
    camera = {k: p.pop(k) for k in ("repeat_share", "drop_share", "x_scale")}
    hand = loosen(hand, rng, p.pop("loose_deg"))
    clip = captured(drawn_clip(hand, letter, rng, **p), rng, **camera)
    first = int(np.searchsorted(clip.times_s, p["hold_s"]))
    last = max(int(np.searchsorted(clip.times_s, p["hold_s"] + p["duration_s"])) - 1, first)
    return clip, (first, last)


def synthetic_recordings(photo_sets: list[PhotoSet], rng: np.random.Generator, config: TrainConfig,
                         persons: set[str] | None = None) -> list[Recording]:
    """Every I hand drawing J and every D hand Z (`strokes_per_hand` times, stroke_params), and per person held
    hands (half I or D) drifting up to 2 palm lengths, hands moved about without drawing (moved_clip) and letter
    changes: of `persons` only when given."""
    out = []
    for photos in photo_sets:
        person = photos.persons()
        for letter, start in (("J", "I"), ("Z", "D")):
            for i in np.flatnonzero(photos.found & (photos.labels == LETTERS.index(start))):
                if persons is not None and person[i] not in persons:
                    continue
                for _ in range(config.strokes_per_hand):
                    clip, span = stroke_clip(photos.points[i], letter, rng, stroke_params(rng))
                    out.append(_clip_recording(clip, letter, person[i], "positive", [span]))
        for who in np.unique(person[photos.found]):
            if persons is not None and who not in persons:
                continue
            mine = np.flatnonzero(photos.found & (person == who))
            starts = mine[np.isin(photos.labels[mine], [LETTERS.index("I"), LETTERS.index("D")])]
            for k in range(config.held_per_person):
                i = rng.choice(starts if len(starts) and k % 2 == 0 else mine)
                hand = loosen(photos.points[i], rng, rng.uniform(0.0, 12.0))
                clip = held_clip(hand, rng, duration_s=rng.uniform(1.5, 3.0), fps=rng.uniform(15.0, 30.0),
                                 drift_palm=rng.uniform(0.2, 2.0), noise_palm=rng.uniform(0.008, 0.025))
                out.append(_clip_recording(captured(clip, rng, **camera_params(rng)), "held", who, "negative", []))
            for k in range(config.moved_per_person):
                i = rng.choice(starts if len(starts) and k % 4 else mine)
                hand = loosen(photos.points[i], rng, rng.uniform(0.0, 12.0))
                clip = moved_clip(hand, rng, duration_s=rng.uniform(1.0, 3.0), fps=rng.uniform(15.0, 30.0),
                                  noise_palm=rng.uniform(0.008, 0.025))
                out.append(_clip_recording(captured(clip, rng, **camera_params(rng)), "moved", who, "negative", []))
            if len(np.unique(photos.labels[mine])) > 1:
                for _ in range(config.transitions_per_person):
                    first = rng.choice(mine)
                    second = rng.choice(mine[photos.labels[mine] != photos.labels[first]])
                    clip = transition_clip(photos.points[first], photos.points[second], rng,
                                           fps=rng.uniform(15.0, 30.0))
                    out.append(_clip_recording(captured(clip, rng, **camera_params(rng)), "change", who,
                                               "negative", []))
    return out


def _clip_recording(clip: Clip, what: str, person: str, role: str, strokes: list[tuple[int, int]]) -> Recording:
    """A synthetic clip as a Recording: `what` is the letter drawn, or "held" / "change" (negatives, letter "-")."""
    n = len(clip.times_s)
    return Recording(f"{SYNTHETIC}{what}", what if role == "positive" else "-", person, role, False, strokes,
                     clip.times_s, clip.points, np.full((n, 21), np.nan))


def is_synthetic(rec: Recording) -> bool:
    return rec.path.startswith(SYNTHETIC)


def load_real(data: Path) -> list[Recording]:
    """The real recordings of RECORDING_SETS under `data`; the frame recordings of LEGACY_LANDMARKS sets with the
    landmarks the app's live locator finds in them (the model is fitted on what the app will see)."""
    recordings = []
    for name in RECORDING_SETS:
        if (data / name / "labels.csv").exists():
            mine = load_recordings(data / name)
            for rec in mine:
                if name in LEGACY_LANDMARKS and rec.frames:
                    rec.points_xy = located(rec)
            recordings += mine
    return recordings


def load_all(data: Path, config: TrainConfig, seed: int = 0) -> list[Recording]:
    """load_real's recordings and the synthetic ones of PHOTO_SETS' people."""
    photo_sets = [load_photo_set(data / name) for name in PHOTO_SETS if (data / name / "labels.csv").exists()]
    return load_real(data) + synthetic_recordings(photo_sets, np.random.default_rng(seed), config)


@dataclass
class Windows:
    """Every window the reader would try, over all recordings: features and where they came from."""

    features: np.ndarray  # (M, F) float32
    labels: np.ndarray  # (M,) index into CLASSES
    recording: np.ndarray  # (M,) index into the recordings list
    end: np.ndarray  # (M,) frame the window ends at
    start_t: np.ndarray  # (M,) time of its first frame
    mirrored: np.ndarray  # (M,) bool: played mirrored
    allowed: np.ndarray  # (M, 2) bool: the reader may read it as J, as Z (MotionReader.candidates)


def window_label(rec: Recording, first: int, last: int) -> int:
    """CLASSES index for the window of frames first..last of `rec`, or -1 to leave it out."""
    if rec.role == "negative":
        return 0
    if rec.role != "positive":
        return -1
    letter = CLASSES.index(rec.letter)
    if rec.strokes:
        for a, b in rec.strokes:
            late = max(START_SLACK_FRAMES[1], round(0.25 * (b - a)))  # a long slow Z may be caught a little late
            starts_right = a - START_SLACK_FRAMES[0] <= first <= a + late
            if starts_right and b - END_SLACK_FRAMES[0] <= last <= b + END_SLACK_FRAMES[1]:
                return letter
            if first <= b + 3 and last >= a - 3:
                return -1  # part of a stroke: neither the letter nor clearly not
        return 0
    n = len(rec.times_s)
    if n > 45:
        return -1  # an unmarked stream of many strokes (borisgraudt): no place to say where one ends
    return letter if first <= 0.3 * n and last >= 0.65 * n else -1


def collect_windows(recordings: list[Recording], reader: MotionReader, words_every: int = 3) -> Windows:
    """Plays every real recording as it is and mirrored (the synthetic ones drew with either hand already), and
    every `words_every`-th word sign, through the reader's trajectory code. Kept: every window of a real
    recording played as it is (the thresholds replay them) and every letter window; other "none" windows at
    every NONE_STRIDE-th frame."""
    parts: dict[str, list] = {k: [] for k in ("features", "labels", "recording", "end", "start_t", "mirrored",
                                              "allowed")}
    words = 0
    for r, rec in enumerate(recordings):
        if rec.kind == "words":
            words += 1
            if words % words_every:
                continue
        for mirror in (False,) if is_synthetic(rec) else (False, True):
            keep_all = not mirror and not is_synthetic(rec)
            reader.reset()
            points = rec.points_xy * np.array([-1.0, 1.0]) if mirror else rec.points_xy
            for k, (t, p) in enumerate(zip(rec.times_s, points, strict=True)):
                if not reader.observe(float(t), None if np.isnan(p[0, 0]) else p):
                    continue
                features, starts, allowed = reader.candidates()
                for f, start_t, ok in zip(features, starts, allowed, strict=True):
                    first = int(np.searchsorted(rec.times_s, start_t - 1e-9))
                    label = window_label(rec, first, k)
                    if not keep_all and (label < 0 or (label == 0 and k % NONE_STRIDE)):
                        continue
                    for key, value in (("features", f.astype(np.float32)), ("labels", label), ("recording", r),
                                       ("end", k), ("start_t", start_t), ("mirrored", mirror), ("allowed", ok)):
                        parts[key].append(value)
    return Windows(**{k: np.array(v) for k, v in parts.items()})


WINDOWS_VERSION = 2  # bump when window_features, the labels or the synthesis change


def cached_windows(recordings: list[Recording], words_every: int, cache_dir: Path | None = None) -> Windows:
    """collect_windows, kept in the cache folder keyed by the recordings' content (synthetic ones included, so
    the seed and the synthesis settings count) and WINDOWS_VERSION: the trainer and both benchmarks play the
    same ~130,000 frames (minutes on a busy machine) once."""
    import hashlib

    from platformdirs import user_cache_dir

    from signcam.store.files import atomic_path

    digest = hashlib.sha1(f"{WINDOWS_VERSION} {words_every}".encode())
    for rec in recordings:
        digest.update(f"{rec.path} {rec.source} {rec.role} {rec.letter} {rec.strokes}".encode())
        digest.update(np.nan_to_num(rec.points_xy).astype(np.float32).tobytes())
        digest.update(rec.times_s.astype(np.float32).tobytes())
    path = Path(cache_dir or user_cache_dir("signcam")) / f"motion-windows-{digest.hexdigest()[:16]}.npz"
    if path.exists():
        with np.load(path) as data:
            return Windows(**{k: data[k] for k in data.files})
    windows = collect_windows(recordings, MotionReader(use_model=False), words_every)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, **vars(windows))
    return windows


def fit(features: np.ndarray, labels: np.ndarray, config: TrainConfig) -> MotionModel:
    """Class-balanced cross-entropy, minibatch Adam; returns the model with no thresholds yet."""
    import torch

    torch.set_num_threads(1)  # a few thousand weights: threads cost more than they give
    torch.manual_seed(config.seed)
    mean, std = features.mean(0, dtype=np.float64), features.std(0, dtype=np.float64) + 1e-6
    x = torch.tensor((features - mean) / std, dtype=torch.float32)
    y = torch.tensor(labels)
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(np.float64)
    weight = torch.tensor(counts.sum() / np.maximum(counts, 1) / len(CLASSES), dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], config.hidden), torch.nn.Tanh(),
                              torch.nn.Linear(config.hidden, len(CLASSES)))
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    generator = torch.Generator().manual_seed(config.seed)
    net.train()
    for _ in range(config.epochs):
        for batch in torch.randperm(len(y), generator=generator).split(config.batch):
            optimizer.zero_grad()
            loss_fn(net(x[batch]), y[batch]).backward()
            optimizer.step()
    w1, b1, w2, b2 = (p.detach().double().numpy() for p in net.parameters())
    return MotionModel(mean, std, w1.T, b1, w2.T, b2, thresholds={}, meta={})


Frames = list[tuple[float, np.ndarray, np.ndarray]]  # per frame with windows: (time, start times, (W, 2) J Z)


def frames_of(windows: Windows, probs: np.ndarray, recordings: list[Recording], r: int) -> Frames:
    """The windows of recording r (played as it is) grouped by the frame they end at."""
    rows = np.flatnonzero((windows.recording == r) & ~windows.mirrored)
    ends = windows.end[rows]
    gated = np.where(windows.allowed[rows], probs[rows][:, 1:], 0.0)  # (R, 2): J, Z where the reader may read
    return [(float(recordings[r].times_s[e]), windows.start_t[rows[ends == e]], gated[ends == e])
            for e in np.unique(ends)]


def simulate(frames: Frames, thresholds: dict[str, float], cooldown_s: float) -> list[tuple[int, str]]:
    """(frame number in `frames`, letter) of the reads the reader would make with these thresholds."""
    reads: list[tuple[int, str]] = []
    last_t, quiet_until = -np.inf, -np.inf
    columns = [("JZ".index(c), th, c) for c, th in thresholds.items()]
    for k, (t, starts, p) in enumerate(frames):
        if t < quiet_until:
            continue
        best = p[starts > last_t].max(0, initial=0.0)
        hits = [(best[i], c) for i, th, c in columns if best[i] >= th]
        if hits:
            reads.append((k, max(hits)[1]))
            last_t, quiet_until = t, t + cooldown_s
    return reads


def choose_thresholds(windows: Windows, probs: np.ndarray, recordings: list[Recording], persons: list[str],
                      config: TrainConfig) -> dict[str, float]:
    """Per letter, the lowest reading probability (bisection over GRID) whose false reads on the real negatives
    of `persons` stay within `max_false_per_1000` pooled and `max_person_false_per_1000` for each person."""
    played = set(np.unique(windows.recording).tolist())
    negatives = [r for r, rec in enumerate(recordings) if rec.role == "negative" and not is_synthetic(rec)
                 and rec.source in persons and r in played]
    grouped = {r: frames_of(windows, probs, recordings, r) for r in negatives}
    frames_of_person: dict[str, int] = {}
    for r in negatives:
        frames_of_person[recordings[r].source] = frames_of_person.get(recordings[r].source, 0) + \
            len(recordings[r].times_s)
    n_frames = sum(frames_of_person.values())
    thresholds = {}
    for letter in "JZ":
        column = "JZ".index(letter)
        # Recordings where this letter cannot reach the lowest threshold are skipped (most of the word signs).
        busy = {r: f for r, f in grouped.items() if any(p[:, column].max() >= GRID[0] for _, _, p in f)}

        def ok(threshold: float, busy: dict = busy, letter: str = letter) -> bool:
            per_person: dict[str, int] = {}
            for r, f in busy.items():
                who = recordings[r].source
                per_person[who] = per_person.get(who, 0) + len(simulate(f, {letter: threshold}, config.cooldown_s))
            pooled = 1000 * sum(per_person.values()) / max(n_frames, 1)
            worst = max((1000 * v / frames_of_person[p] for p, v in per_person.items()), default=0.0)
            return pooled <= config.max_false_per_1000 and worst <= config.max_person_false_per_1000

        lo, hi = 0, len(GRID) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if ok(float(GRID[mid])):
                hi = mid
            else:
                lo = mid + 1
        thresholds[letter] = float(GRID[lo])
    return thresholds


def _person_of_windows(recordings: list[Recording], windows: Windows) -> np.ndarray:
    return np.array([rec.source for rec in recordings])[windows.recording]


def _usable(recordings: list[Recording], windows: Windows, persons: list[str]) -> np.ndarray:
    """The windows of `persons` to fit on: every letter window, "none" windows at every NONE_STRIDE-th frame."""
    thinned = (windows.labels > 0) | ((windows.labels == 0) & (windows.end % NONE_STRIDE == 0))
    return np.isin(_person_of_windows(recordings, windows), persons) & thinned


def out_of_fold(recordings: list[Recording], windows: Windows, persons: list[str], config: TrainConfig) -> np.ndarray:
    """(M, len(CLASSES)) probabilities of the windows of `persons`, each by a model fitted without them: the
    persons split into `inner_folds` groups (zeros for other windows)."""
    of_person = _person_of_windows(recordings, windows)
    usable = _usable(recordings, windows, persons)
    order = np.random.default_rng(config.seed).permutation(sorted(persons))
    probs = np.zeros((len(windows.labels), len(CLASSES)))
    for k in range(config.inner_folds):
        rows = np.isin(of_person, order[k::config.inner_folds])
        rest = usable & ~rows
        probs[rows] = fit(windows.features[rest], windows.labels[rest], config).probs(windows.features[rows])
    return probs


def train(recordings: list[Recording], windows: Windows, persons: list[str], config: TrainConfig,
          probs: np.ndarray | None = None) -> MotionModel:
    """The model fitted on everything of `persons` (real and synthetic), its thresholds chosen on out-of-fold
    probabilities of their real negatives (`out_of_fold` over `persons` unless `probs` are given: a benchmark
    holding out one person at a time passes those of everyone once, and only the other people's choose)."""
    usable = _usable(recordings, windows, persons)
    model = fit(windows.features[usable], windows.labels[usable], config)
    if probs is None:
        probs = out_of_fold(recordings, windows, persons, config)
    thresholds = choose_thresholds(windows, probs, recordings, persons, config)
    real = sorted({rec.source for rec in recordings if not is_synthetic(rec)} & set(persons))
    log.info("fitted on %d people (%d recorded): thresholds %s", len(persons), len(real), thresholds)
    return MotionModel(model.mean, model.std, model.w1, model.b1, model.w2, model.b2, thresholds,
                       meta={"recorded_people": real, "people": len(persons), "thresholds": thresholds,
                             "config": vars(config) | {}})


def people(recordings: list[Recording]) -> list[str]:
    """Every person in the recordings, real and synthetic, each once."""
    return sorted({rec.source for rec in recordings})


def save_model(model: MotionModel, path: Path, credits: list[dict]) -> Path:
    """Write the arrays to safetensors with the thresholds, sources and credits as metadata (temp, rename)."""
    from safetensors.numpy import save

    from signcam.store.files import atomic_path

    meta = model.meta | {"classes": list(CLASSES), "credits": credits}
    arrays = {k: np.ascontiguousarray(getattr(model, k), np.float32) for k in MotionModel.ARRAYS}
    with atomic_path(path) as tmp:
        tmp.write_bytes(save(arrays, metadata={"signcam": json.dumps(meta)}))
    return path


def source_credits(data: Path, persons: list[str]) -> list[dict]:
    """Repository, commit and licence of each recorded source used, from the labels.csv of RECORDING_SETS (the
    notices: motion/LICENSES.md, motion2/LICENSES.md); the photo sets' credits are in CREDITS.md."""
    import csv

    seen: dict[str, dict] = {}
    for name in RECORDING_SETS:
        if not (data / name / "labels.csv").exists():
            continue
        with open(data / name / "labels.csv", newline="") as f:
            for row in csv.DictReader(f):
                if row["source"] in persons and row["source"] not in seen:
                    seen[row["source"]] = {"set": name} | {k: row[k] for k in ("source", "source_repo",
                                                                                 "source_commit", "licence")}
    return list(seen.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help="folder holding motion/, motion2/, extra/, extra2/, extra3/ (default: ../shared/data)")
    parser.add_argument("--hold-out", help="leave this person out entirely (default: none)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/motion.safetensors"),
                        help="the J/Z motion model to write (safetensors; default: signcam/assets/motion.safetensors, "
                             "the bundled one)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed of the synthetic strokes and the fit (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = TrainConfig(seed=args.seed)
    recordings = load_all(args.data, config, args.seed)
    everyone = people(recordings)
    if args.hold_out and args.hold_out not in everyone:
        parser.error(f"--hold-out {args.hold_out}: no such person (one of {', '.join(everyone)})")
    persons = [p for p in everyone if p != args.hold_out]
    log.info("%d recordings (%d synthetic) of %d people", len(recordings),
             sum(is_synthetic(r) for r in recordings), len(everyone))
    windows = cached_windows(recordings, config.words_every)
    log.info("%d windows (%d J, %d Z)", len(windows.labels), (windows.labels == 1).sum(), (windows.labels == 2).sum())
    model = train(recordings, windows, persons, config)
    save_model(model, args.out, source_credits(args.data, persons))
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
