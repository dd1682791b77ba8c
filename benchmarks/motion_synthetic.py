"""J and Z reading: drawn letters found, and false reads on held static letters and on transitions.

No recordings of J or Z were available. Positives are synthesised from real hands (training/motion_clips.py):
every I photo draws a J and every D photo a Z, with a random duration (0.5-1.4 s), size (0.6-1.6 palm lengths),
turn (+-25 degrees), hand (mirror half the time), landmark jitter (1-3% of the palm) and frame rate (15 or 30
fps). real_dev's people are held out from the templates' judge that gates the starting hand; extra/'s are not
(optimistic). Negatives: every real_dev photo and a sample of extra/ held for 2 s with jitter, drift, wobble
and glitches (target: <= 1 false read per 200 held letters); I and D hands (the starting hands) wandering a
whole palm length while held; and transitions between two photos of one person while the hand moves.

Usage:
    python benchmarks/motion_synthetic.py --data ../shared/data [--extra-held 1200] [--transitions 1000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.practice.motion import MotionReader
from training.motion_clips import Clip, drawn_clip, held_clip, transition_clip
from training.photos import PhotoSet, load_photo_set

BINS = {"duration_s": (0.5, 0.8, 1.1, 1.4), "size_palm": (0.6, 0.9, 1.2, 1.6), "turn_deg": (-25, -10, 10, 25),
        "noise_palm": (0.01, 0.017, 0.023, 0.03)}


UPDATE_MS: list[float] = []  # every MotionReader.update's duration: the cost per frame in the GUI thread


def replay(reader: MotionReader, clip: Clip) -> list[str]:
    """Every letter the reader reads in the clip, fed frame by frame as the app would."""
    reader.reset()
    reads = []
    for t_s, points in zip(clip.times_s, clip.points, strict=True):
        start = time.perf_counter()
        letter = reader.update(float(t_s), None if np.isnan(points[0, 0]) else points)
        UPDATE_MS.append((time.perf_counter() - start) * 1000)
        if letter:
            reads.append(letter)
    return reads


def positives(reader: MotionReader, photos: PhotoSet, rng: np.random.Generator) -> list[dict]:
    rows = []
    for letter, start in (("J", "I"), ("Z", "D")):
        for hand in photos.points[photos.found & (photos.labels == LETTERS.index(start))]:
            params = {"duration_s": rng.uniform(0.5, 1.4), "size_palm": rng.uniform(0.6, 1.6),
                      "turn_deg": rng.uniform(-25, 25), "noise_palm": rng.uniform(0.01, 0.03),
                      "mirror": bool(rng.random() < 0.5), "fps": float(rng.choice([15.0, 30.0]))}
            reads = replay(reader, drawn_clip(hand, letter, rng, **params))
            rows.append({"set": photos.name, "letter": letter, **params, "ok": reads == [letter],
                         "wrong": any(r != letter for r in reads)})
    return rows


def held(reader: MotionReader, photos: PhotoSet, count: int | None, rng: np.random.Generator,
         letters: str = "", drift_palm: float = 0.2) -> tuple[int, int]:
    """(clips with any read, clips) for `count` found photos (all when None; of `letters` if given) held for
    2 s while the hand wanders up to `drift_palm` palm lengths."""
    index = np.flatnonzero(photos.found)
    if letters:
        index = index[np.isin(photos.labels[index], [LETTERS.index(c) for c in letters])]
    if count is not None and count < len(index):
        index = rng.choice(index, count, replace=False)
    hits = sum(bool(replay(reader, held_clip(photos.points[i], rng, drift_palm=drift_palm))) for i in index)
    return hits, len(index)


def transitions(reader: MotionReader, photos: PhotoSet, count: int, rng: np.random.Generator) -> tuple[int, int]:
    """(clips with any read, clips): one person changes from one letter to another while moving the hand."""
    found = np.flatnonzero(photos.found)
    hits = 0
    for _ in range(count):
        first = rng.choice(found)
        same_person = found[(photos.signers[found] == photos.signers[first]) &
                            (photos.labels[found] != photos.labels[first])]
        second = rng.choice(same_person)
        hits += bool(replay(reader, transition_clip(photos.points[first], photos.points[second], rng)))
    return hits, count


def binned(rows: list[dict], key: str) -> str:
    edges = BINS[key]
    cells = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mine = [r["ok"] for r in rows if lo <= r[key] < hi or (hi == edges[-1] and r[key] == hi)]
        cells.append(f"{lo}-{hi}: {np.mean(mine):.0%} of {len(mine)}" if mine else f"{lo}-{hi}: -")
    return f"| {key} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/ and real_dev/")
    parser.add_argument("--extra-held", type=int, default=1200, help="extra/ photos held still (default: 1200)")
    parser.add_argument("--transitions", type=int, default=1000, help="per photo set (default: 1000)")
    parser.add_argument("--seed", type=int, default=0, help="(default: 0)")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    reader = MotionReader()
    sets = {name: load_photo_set(args.data / name) for name in ("extra", "real_dev")}
    started = time.perf_counter()
    rows = [row for photos in sets.values() for row in positives(reader, photos, rng)]
    print("| drawn | read right | read wrong letter |\n|---|---|---|")
    for name in sets:
        for letter in "JZ":
            mine = [r for r in rows if r["set"] == name and r["letter"] == letter]
            print(f"| {letter} by {name} hands | {np.mean([r['ok'] for r in mine]):.1%} of {len(mine)} | "
                  f"{sum(r['wrong'] for r in mine)} |")
    for hand in (False, True):
        mine = [r["ok"] for r in rows if r["mirror"] == hand]
        print(f"| {'mirrored' if hand else 'as photographed'} | {np.mean(mine):.1%} of {len(mine)} | |")
    print("\nread right, by parameter (both sets, both letters):\n")
    for key in BINS:
        print(binned(rows, key))
    negatives = [(f"{name} held 2 s", lambda name=name, count=count: held(reader, sets[name], count, rng))
                 for name, count in (("real_dev", None), ("extra", args.extra_held))]
    negatives += [(f"{name} I and D wandering 1 palm", lambda name=name: held(
        reader, sets[name], None, rng, letters="ID", drift_palm=1.0)) for name in sets]
    negatives += [(f"{name} transitions", lambda name=name: transitions(reader, sets[name], args.transitions, rng))
                  for name in sets]
    print("\n| negatives | clips with a J or Z read | per 200 |\n|---|---|---|")
    for label, measure in negatives:
        hits, n = measure()
        print(f"| {label} | {hits} of {n} | {200 * hits / n:.2f} |")
    total_s = time.perf_counter() - started
    print(f"\nMotionReader.update per frame: median {np.median(UPDATE_MS):.2f} ms, "
          f"p95 {np.percentile(UPDATE_MS, 95):.2f} ms over {len(UPDATE_MS)} frames; {total_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
