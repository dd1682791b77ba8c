"""J and Z read from real recordings (../shared/data/motion/ or any folder with its layout), per letter and source.

Every recording is played through the app's own path: frame recordings through the live locator in video mode
(`make_locator("auto", video=True)`, as the camera is) and then the MotionReader; landmark-only recordings straight
into the reader at their frame rate. Reported (issue 22): recall per letter on `positive` recordings (a marked stroke
counts when its letter is read within its span +-10 frames; a recording without marked strokes when its letter is
read once), false J/Z reads per 1,000 frames of `negative` recordings (held I/D, held hands filed as J) and of word
signs, wrong-letter reads, the same per source, `unclear` rows apart.

By default the bundled model is measured; it was fitted on all four sources of motion/, so on motion/ itself that
is not held out. `--hold-out` fits the model again without each source in turn (training/motion_train.py, the
same recipe as the bundled model) and reports every source by the model that never saw it.

Usage:
    python benchmarks/motion.py --recordings ../shared/data/motion [--json]
    python benchmarks/motion.py --recordings ../shared/data/motion --hold-out [--photos ../shared/data/extra]
    python benchmarks/motion.py --recordings DIR --stored-landmarks     # frame recordings from the npz, no MediaPipe
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from signcam.practice.motion import MotionModel, MotionReader
from training.motion_recordings import Recording, load_recordings, play, score

UPDATE_MS: list[float] = []  # every MotionReader.update's duration: its cost per frame in the GUI thread


def located(rec: Recording) -> np.ndarray:
    """(T, 21, 2) landmark pixels of a frame recording found by the live locator (video mode), NaN where none."""
    from signcam.pipeline.locate import make_locator

    locator = make_locator("auto", video=True)  # one fresh tracker per recording, as a new camera stream
    try:
        out = np.full((len(rec.frames), 21, 2), np.nan)
        for k, path in enumerate(rec.frames):
            box = locator.locate(cv2.imread(str(path)))
            if box is not None and box.landmarks is not None:
                out[k] = box.landmarks
    finally:
        locator.close()
    return out


def timed(reader: MotionReader):
    def update(t_s: float, points: np.ndarray | None) -> str | None:
        start = time.perf_counter()
        letter = reader.update(t_s, points)
        UPDATE_MS.append((time.perf_counter() - start) * 1000)
        return letter
    return update


def run(recordings: list[Recording], reader: MotionReader, stored: bool) -> list[list[tuple[int, str]]]:
    reads = []
    for rec in recordings:
        reader.reset()
        points = rec.points_xy if stored or not rec.frames else located(rec)
        reads.append(play(timed(reader), rec.times_s, points))
    return reads


def held_out_models(recordings_dir: Path, photos: Path) -> dict[str, MotionModel]:
    """One model per source, fitted on the other sources (and the synthetic strokes) only."""
    from training.motion_train import SOURCES, TrainConfig, collect_windows, synthetic_recordings, train
    from training.photos import load_photo_set

    recordings = load_recordings(recordings_dir)
    recordings += synthetic_recordings(load_photo_set(photos), np.random.default_rng(0))
    windows = collect_windows(recordings, MotionReader(use_model=False))
    present = [s for s in SOURCES if any(r.source == s for r in recordings)]
    return {s: train(recordings, windows, [o for o in present if o != s], TrainConfig()) for s in present}


def fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if pct else f"{value:.2f}"


def table(summary: dict, label: str) -> str:
    lines = [f"| {label} | J recall | Z recall | wrong letter | false reads / 1000 frames: held | words | all |",
             "|---|---|---|---|---|---|---|"]
    for name, s in [("all", summary), *summary["per_source"].items()]:
        c, f = s["counts"], s["false_reads"]
        recall = [f"{fmt(s['recall'][m])} ({c[m]['hits']}/{c[m]['targets']})" if c[m]["targets"] else "-"
                  for m in "JZ"]
        false = [f"{fmt(f[k]['per_1000'], False)} ({f[k]['reads']}/{f[k]['frames']})" if f[k]["frames"] else "-"
                 for k in ("negative", "words")]
        lines.append(f"| {name} | {recall[0]} | {recall[1]} | {c['J']['wrong_letter'] + c['Z']['wrong_letter']} | "
                     f"{false[0]} | {false[1]} | {fmt(s['false_reads_per_1000_frames'], False)} |")
    unclear = summary["unclear"]
    if unclear:
        lines.append("\nunclear (not counted): " + "; ".join(
            f"{u['path']} read {u['hits']}/{u['targets']}, wrong {u['wrong']}" for u in unclear))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=Path, required=True, help="a folder with motion/'s layout")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--hold-out", action="store_true",
                        help="report each source by a model fitted without it (default: the bundled model)")
    parser.add_argument("--photos", type=Path, default=Path("../shared/data/extra"),
                        help="still hands for the synthetic strokes of --hold-out (default: ../shared/data/extra)")
    parser.add_argument("--stored-landmarks", action="store_true",
                        help="play frame recordings from their stored landmarks, not the live locator")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    recordings = load_recordings(args.recordings)
    started = time.perf_counter()
    if args.hold_out:
        models = held_out_models(args.recordings, args.photos)
        reads: list[list[tuple[int, str]]] = [[] for _ in recordings]
        for source, model in models.items():
            mine = [i for i, r in enumerate(recordings) if r.source == source]
            for i, r in zip(mine, run([recordings[i] for i in mine], MotionReader(model=model), args.stored_landmarks),
                            strict=True):
                reads[i] = r
        thresholds = {s: m.thresholds for s, m in models.items()}
    else:
        reader = MotionReader()
        reads = run(recordings, reader, args.stored_landmarks)
        thresholds = {"bundled": reader.model.thresholds if reader.model else None}
    summary = score(recordings, reads)
    summary["held_out"] = args.hold_out
    summary["thresholds"] = thresholds
    summary["update_ms"] = {"median": float(np.median(UPDATE_MS)), "p95": float(np.percentile(UPDATE_MS, 95))}
    if args.json:
        print(json.dumps(summary))
        return 0
    label = "held-out source" if args.hold_out else "source (bundled model: fitted on all four)"
    print(table(summary, label))
    print(f"\nthresholds {thresholds}")
    print(f"MotionReader.update per frame: median {summary['update_ms']['median']:.2f} ms, "
          f"p95 {summary['update_ms']['p95']:.2f} ms over {len(UPDATE_MS)} frames; "
          f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
