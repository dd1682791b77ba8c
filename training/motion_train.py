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

from signcam.practice.motion import CLASSES, MotionModel, MotionReader
from training.motion_recordings import Recording, load_recordings

log = logging.getLogger("signcam.train.motion")

SOURCES = ("hawkcodesz", "sarthak2656", "tresajoby", "borisgraudt")
START_SLACK_FRAMES = (6, 3)  # a window may start this many frames before / after a marked stroke's start ...
END_SLACK_FRAMES = (2, 4)  # ... and end this many before / after its end (marked by eye, +-2 frames)
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
            if a - START_SLACK_FRAMES[0] <= first <= a + late and b - END_SLACK_FRAMES[0] <= last <= b + END_SLACK_FRAMES[1]:
                return letter
            if first <= b + 3 and last >= a - 3:
                return -1  # part of a stroke: neither the letter nor clearly not
        return 0
    n = len(rec.times_s)
    if n > 45:
        return -1  # an unmarked stream of many strokes (borisgraudt): no place to say where one ends
    return letter if first <= 0.3 * n and last >= 0.65 * n else -1


def collect_windows(recordings: list[Recording], reader: MotionReader) -> Windows:
    """Plays every recording, as it is and mirrored, through the reader's trajectory code."""
    parts: dict[str, list] = {k: [] for k in ("features", "labels", "recording", "end", "start_t", "mirrored")}
    for r, rec in enumerate(recordings):
        for mirror in (False, True):
            reader.reset()
            points = rec.points_xy * np.array([-1.0, 1.0]) if mirror else rec.points_xy
            for k, (t, p) in enumerate(zip(rec.times_s, points, strict=True)):
                if not reader.observe(float(t), None if np.isnan(p[0, 0]) else p):
                    continue
                features, starts = reader.candidates()
                for f, start_t in zip(features, starts, strict=True):
                    first = int(np.searchsorted(rec.times_s, start_t - 1e-9))
                    for key, value in (("features", f), ("labels", window_label(rec, first, k)), ("recording", r),
                                       ("end", k), ("start_t", start_t), ("mirrored", mirror)):
                        parts[key].append(value)
    return Windows(np.array(parts["features"]), np.array(parts["labels"]), np.array(parts["recording"]),
                   np.array(parts["end"]), np.array(parts["start_t"]), np.array(parts["mirrored"]))


def fit(features: np.ndarray, labels: np.ndarray, config: TrainConfig) -> MotionModel:
    """Class-balanced cross-entropy, full batch; returns the model with no thresholds yet."""
    import torch

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


def simulate(windows: Windows, probs: np.ndarray, recordings: list[Recording], chosen: np.ndarray,
             thresholds: dict[str, float], cooldown_s: float) -> list[list[tuple[int, str]]]:
    """Reads per chosen recording (unmirrored play) as the reader would make them with these thresholds."""
    out = []
    for r in chosen:
        rows = np.flatnonzero((windows.recording == r) & ~windows.mirrored)
        times = recordings[r].times_s
        reads: list[tuple[int, str]] = []
        last_t, quiet_until = -np.inf, -np.inf
        for end in np.unique(windows.end[rows]):
            t = times[end]
            mine = rows[(windows.end[rows] == end) & (windows.start_t[rows] > last_t)]
            if t < quiet_until or not len(mine):
                continue
            best = probs[mine].max(0)
            hits = [(best[CLASSES.index(c)], c) for c in thresholds if best[CLASSES.index(c)] >= thresholds[c]]
            if hits:
                reads.append((int(end), max(hits)[1]))
                last_t, quiet_until = t, t + cooldown_s
        out.append(reads)
    return out


def choose_thresholds(windows: Windows, probs: np.ndarray, recordings: list[Recording], chosen: np.ndarray,
                      config: TrainConfig) -> dict[str, float]:
    """Per letter, the lowest reading probability whose false reads on the chosen negatives stay in bounds."""
    from training.motion_recordings import score

    thresholds = {}
    for letter in "JZ":
        pick = 0.99
        for th in GRID:
            reads = simulate(windows, probs, recordings, chosen, {letter: float(th)}, config.cooldown_s)
            summary = score([recordings[r] for r in chosen], reads)
            if (summary["false_reads_per_1000_frames"] or 0.0) <= config.max_false_per_1000:
                pick = float(th)
                break
        thresholds[letter] = pick
    return thresholds


def train(recordings: list[Recording], windows: Windows, sources: list[str], config: TrainConfig) -> MotionModel:
    """The model fitted on `sources`, its thresholds chosen on out-of-fold probabilities over those sources."""
    of_source = np.array([rec.source for rec in recordings])
    in_train = np.isin(of_source[windows.recording], sources)
    usable = in_train & (windows.labels >= 0)
    model = fit(windows.features[usable], windows.labels[usable], config)
    # Out-of-fold probabilities: each training source scored by a model fitted on the other training sources.
    probs = np.zeros((len(windows.labels), len(CLASSES)))
    for inner in sources:
        rows = in_train & (of_source[windows.recording] == inner)
        rest = usable & (of_source[windows.recording] != inner)
        probs[rows] = fit(windows.features[rest], windows.labels[rest], config).probs(windows.features[rows])
    chosen = np.flatnonzero(np.isin(of_source, sources))
    thresholds = choose_thresholds(windows, probs, recordings, chosen, config)
    log.info("trained on %s: thresholds %s", sources, thresholds)
    return MotionModel(model.mean, model.std, model.w1, model.b1, model.w2, model.b2, thresholds,
                       meta={"sources": sources, "thresholds": thresholds, "config": vars(config) | {}})


def save_model(model: MotionModel, path: Path, credits: list[dict]) -> Path:
    """Write the arrays to safetensors with the thresholds, sources and credits as metadata (temp, rename)."""
    from safetensors.numpy import save_file

    from signcam.files import atomic_path

    meta = model.meta | {"classes": list(CLASSES), "credits": credits}
    arrays = {k: np.ascontiguousarray(getattr(model, k), np.float32) for k in MotionModel.ARRAYS}
    with atomic_path(path) as tmp:
        save_file(arrays, str(tmp), metadata={"signcam": json.dumps(meta)})
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
    parser.add_argument("--hold-out", choices=SOURCES, help="leave this source out entirely (default: none)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/motion.safetensors"),
                        help="(default: signcam/assets/motion.safetensors)")
    parser.add_argument("--seed", type=int, default=0, help="(default: 0)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = TrainConfig(seed=args.seed)
    recordings = load_recordings(args.recordings)
    sources = [s for s in SOURCES if s != args.hold_out]
    windows = collect_windows(recordings, MotionReader(use_model=False))
    model = train(recordings, windows, sources, config)
    save_model(model, args.out, source_credits(args.recordings, sources))
    log.info("wrote %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
