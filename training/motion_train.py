"""Fit the J/Z reader's model (signcam.practice.motion.MotionModel) on real recordings, leave one source out.

Data: ../shared/data/motion/ (four MIT-licensed sources; read its README). Every recording is played through
the reader's own trajectory code (`MotionReader.observe` / `candidates`), as it is and mirrored (either hand,
selfie view or not), and every window it would try becomes one example: a window that starts near a marked
stroke's start and ends near its end is that letter; one of an unmarked positive recording that covers most of
it (tresajoby: one sign per 30 frames) is that letter; windows of negatives (held I and D, a held hand filed as
J, word signs) and of positives away from their strokes are "none"; the rest (half a stroke, unclear rows,
borisgraudt's unmarked Z stream) are left out. The reading probability per letter is chosen on out-of-fold
probabilities (inner leave-one-source-out over the training sources): the lowest that keeps false reads on
their negatives <= `max_false_per_1000`. With --hold-out SOURCE nothing of SOURCE is used.

Usage:
    python -m training.motion_train --recordings ../shared/data/motion [--out signcam/assets/motion.safetensors]
    python -m training.motion_train --recordings ../shared/data/motion --hold-out tresajoby --out /tmp/m.safetensors
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
from signcam.practice.motion import CLASSES, MotionModel, MotionReader
from training.motion_clips import Clip, drawn_clip, held_clip
from training.motion_recordings import Recording, load_recordings
from training.photos import PhotoSet, load_photo_set

log = logging.getLogger("signcam.train.motion")

SOURCES = ("hawkcodesz", "sarthak2656", "tresajoby", "borisgraudt")
SYNTHETIC = "synthetic"  # strokes drawn by still extra/ hands (training/motion_clips.py): never held out
START_SLACK_FRAMES = (6, 3)  # a window may start this many frames before / after a marked stroke's start ...
END_SLACK_FRAMES = (2, 4)  # ... and end this many before / after its end (marked by eye, +-2 frames)
NONE_STRIDE = 3  # fit on every third "none" window (neighbours overlap; a third of the time)
GRID = np.round(np.arange(0.30, 0.991, 0.01), 2)  # reading probabilities tried


@dataclass(frozen=True)
class TrainConfig:
    hidden: int = 24  # tanh units: ~1,800 weights, 8 KB on disk
    epochs: int = 300  # full-batch Adam steps; the loss is flat by ~200
    lr: float = 0.01  # Adam
    weight_decay: float = 1e-3  # keeps the few positive sources from being memorised
    max_false_per_1000: float = 1.0  # issue 22 allows 5 per 1,000 negative frames; leave room for new people
    cooldown_s: float = 0.8  # MotionConfig.cooldown_s, for the simulated reads
    seed: int = 0  # torch initialisation


@dataclass
class Windows:
    """Every window the reader would try, over all recordings: features and where they came from."""

    features: np.ndarray  # (M, F)
    labels: np.ndarray  # (M,) index into CLASSES, -1 = left out
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


def synthetic_recordings(photos: PhotoSet, rng: np.random.Generator, held: int = 300) -> list[Recording]:
    """Every I hand of `photos` drawing a J and every D hand a Z (random speed, size, turn, hand, noise, frame
    rate, as benchmarks/motion_synthetic.py), and `held` random hands held still: more people's hands than the
    four recorded signers, and strokes of either letter when a fold holds out the source with most of them."""
    out = []
    for letter, start in (("J", "I"), ("Z", "D")):
        for hand in photos.points[photos.found & (photos.labels == LETTERS.index(start))]:
            duration_s, fps = rng.uniform(0.5, 1.4), float(rng.choice([15.0, 30.0]))
            clip = drawn_clip(hand, letter, rng, duration_s=duration_s, size_palm=rng.uniform(0.6, 1.6),
                              turn_deg=rng.uniform(-25, 25), mirror=bool(rng.random() < 0.5),
                              noise_palm=rng.uniform(0.01, 0.03), fps=fps)
            first = int(np.searchsorted(clip.times_s, 0.3))  # drawn_clip holds the hand 0.3 s, then draws
            last = int(np.searchsorted(clip.times_s, 0.3 + duration_s)) - 1
            out.append(_clip_recording(clip, letter, "positive", [(first, last)]))
    for i in rng.choice(np.flatnonzero(photos.found), held, replace=False):
        out.append(_clip_recording(held_clip(photos.points[i], rng, drift_palm=rng.uniform(0.2, 1.0)), "held",
                                   "negative", []))
    return out


def _clip_recording(clip: Clip, letter: str, role: str, strokes: list[tuple[int, int]]) -> Recording:
    n = len(clip.times_s)
    return Recording(f"{SYNTHETIC}/{letter}", letter, SYNTHETIC, role, False, strokes, clip.times_s,
                     clip.points, np.full((n, 21), np.nan))


def collect_windows(recordings: list[Recording], reader: MotionReader) -> Windows:
    """Plays every recording, as it is and mirrored, through the reader's trajectory code."""
    parts: dict[str, list] = {k: [] for k in ("features", "labels", "recording", "end", "start_t", "mirrored",
                                              "allowed")}
    for r, rec in enumerate(recordings):
        for mirror in (False, True):
            reader.reset()
            points = rec.points_xy * np.array([-1.0, 1.0]) if mirror else rec.points_xy
            for k, (t, p) in enumerate(zip(rec.times_s, points, strict=True)):
                if not reader.observe(float(t), None if np.isnan(p[0, 0]) else p):
                    continue
                features, starts, allowed = reader.candidates()
                for f, start_t, ok in zip(features, starts, allowed, strict=True):
                    first = int(np.searchsorted(rec.times_s, start_t - 1e-9))
                    for key, value in (("features", f), ("labels", window_label(rec, first, k)), ("recording", r),
                                       ("end", k), ("start_t", start_t), ("mirrored", mirror), ("allowed", ok)):
                        parts[key].append(value)
    return Windows(**{k: np.array(v) for k, v in parts.items()})


def fit(features: np.ndarray, labels: np.ndarray, config: TrainConfig) -> MotionModel:
    """Class-balanced cross-entropy, full batch; returns the model with no thresholds yet."""
    import torch

    torch.set_num_threads(1)  # a few thousand weights: threads cost more than they give
    torch.manual_seed(config.seed)
    mean, std = features.mean(0), features.std(0) + 1e-6
    x = torch.tensor((features - mean) / std, dtype=torch.float32)
    y = torch.tensor(labels)
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(np.float64)
    weight = torch.tensor(counts.sum() / np.maximum(counts, 1) / len(CLASSES), dtype=torch.float32)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], config.hidden), torch.nn.Tanh(),
                              torch.nn.Linear(config.hidden, len(CLASSES)))
    optimizer = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weight)
    net.train()
    for _ in range(config.epochs):
        optimizer.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        optimizer.step()
    w1, b1, w2, b2 = (p.detach().double().numpy() for p in net.parameters())
    return MotionModel(mean, std, w1.T, b1, w2.T, b2, thresholds={}, meta={})


Frames = list[tuple[float, np.ndarray, np.ndarray]]  # per frame with windows: (time, start times, (W, 2) J Z)


def frames_of(windows: Windows, probs: np.ndarray, recordings: list[Recording], r: int) -> Frames:
    """The windows of recording r (unmirrored play) grouped by the frame they end at."""
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


def choose_thresholds(windows: Windows, probs: np.ndarray, recordings: list[Recording], chosen: np.ndarray,
                      config: TrainConfig) -> dict[str, float]:
    """Per letter, the lowest reading probability (bisection over GRID) whose false reads on the chosen
    negatives stay within `max_false_per_1000`."""
    negatives = [r for r in chosen if recordings[r].role == "negative"]
    grouped = [frames_of(windows, probs, recordings, r) for r in negatives]
    n_frames = sum(len(recordings[r].times_s) for r in negatives)
    thresholds = {}
    for letter in "JZ":
        # Frames where this letter cannot reach the lowest threshold are skipped (most of the word signs).
        column = "JZ".index(letter)
        busy = [f for f in grouped if any(p[:, column].max() >= GRID[0] for _, _, p in f)]
        lo, hi = 0, len(GRID) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            false = sum(len(simulate(f, {letter: float(GRID[mid])}, config.cooldown_s)) for f in busy)
            if 1000 * false / max(n_frames, 1) <= config.max_false_per_1000:
                hi = mid
            else:
                lo = mid + 1
        thresholds[letter] = float(GRID[lo])
    return thresholds


def train(recordings: list[Recording], windows: Windows, sources: list[str], config: TrainConfig) -> MotionModel:
    """The model fitted on `sources` and the synthetic strokes, its thresholds chosen on out-of-fold
    probabilities over the negatives of `sources`."""
    of_source = np.array([rec.source for rec in recordings])
    in_train = np.isin(of_source[windows.recording], [*sources, SYNTHETIC])
    # Every positive window and every NONE_STRIDE-th other: neighbouring windows of a frame are near-duplicates.
    thinned = (windows.labels == 0) & (np.arange(len(windows.labels)) % NONE_STRIDE == 0)
    usable = in_train & ((windows.labels > 0) | thinned)
    model = fit(windows.features[usable], windows.labels[usable], config)
    # Out-of-fold probabilities: each training source scored by a model fitted on the other training sources.
    probs = np.zeros((len(windows.labels), len(CLASSES)))
    for inner in sources:
        rows = of_source[windows.recording] == inner
        rest = usable & (of_source[windows.recording] != inner)
        probs[rows] = fit(windows.features[rest], windows.labels[rest], config).probs(windows.features[rows])
    chosen = np.flatnonzero(np.isin(of_source, sources))
    thresholds = choose_thresholds(windows, probs, recordings, chosen, config)
    log.info("trained on %s: thresholds %s", sources, thresholds)
    return MotionModel(model.mean, model.std, model.w1, model.b1, model.w2, model.b2, thresholds,
                       meta={"sources": sources, "thresholds": thresholds, "config": vars(config) | {}})


def save_model(model: MotionModel, path: Path, credits: list[dict]) -> Path:
    """Write the arrays to safetensors with the thresholds, sources and credits as metadata (temp, rename)."""
    from safetensors.numpy import save

    from signcam.store.files import atomic_path

    meta = model.meta | {"classes": list(CLASSES), "credits": credits}
    arrays = {k: np.ascontiguousarray(getattr(model, k), np.float32) for k in MotionModel.ARRAYS}
    with atomic_path(path) as tmp:
        tmp.write_bytes(save(arrays, metadata={"signcam": json.dumps(meta)}))
    return path


def source_credits(root: Path, sources: list[str]) -> list[dict]:
    """Repository, commit and licence of each source used, from labels.csv (the MIT notices: motion/LICENSES.md)."""
    import csv

    seen: dict[str, dict] = {}
    with open(root / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            if row["source"] in sources and row["source"] not in seen:
                seen[row["source"]] = {k: row[k] for k in ("source", "source_repo", "source_commit", "licence")}
    return list(seen.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=Path, required=True, help="the motion/ folder (labels.csv, landmarks/)")
    parser.add_argument("--photos", type=Path, default=Path("../shared/data/extra"),
                        help="still hands to draw synthetic strokes with (default: ../shared/data/extra)")
    parser.add_argument("--hold-out", choices=SOURCES, help="leave this source out entirely (default: none)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/motion.safetensors"),
                        help="the J/Z motion model to write (safetensors; default: signcam/assets/motion.safetensors, "
                             "the bundled one)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed of the synthetic strokes and the fit (default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = TrainConfig(seed=args.seed)
    recordings = load_recordings(args.recordings)
    recordings += synthetic_recordings(load_photo_set(args.photos), np.random.default_rng(args.seed))
    sources = [s for s in SOURCES if s != args.hold_out]
    windows = collect_windows(recordings, MotionReader(use_model=False))
    model = train(recordings, windows, sources, config)
    save_model(model, args.out, source_credits(args.recordings, sources))
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
