"""J and Z read from real recordings (../shared/data/motion/ and motion2/, or folders with their layout), per person.

Every recording is played through the app's own path: frame recordings through the live locator in video mode
(`make_locator("auto", video=True)`, as the camera is) and then the MotionReader; landmark-only recordings straight
into the reader at their frame rate. A source of these sets is one person (motion2/README: minhquyen's J_2 may be a
second man in the same room; counted with minhquyen). Reported per person (issue 28): recall per letter on `positive`
recordings (a marked stroke counts when its letter is read within its span +-10 frames; a recording without marked
strokes when its letter is read once), false J/Z reads per 1,000 frames of `negative` recordings (held I/D, held hands
filed as J or Z, word signs), wrong-letter reads, `unclear` rows apart; then the mean and the worst person for J and
for Z recall (every person with strokes of that letter weighted equally) and false reads pooled and worst person.

By default the bundled model is measured; it was fitted on every person here, so that is not held out.
`--hold-out` fits the model again without each person in turn (training/motion_train.py, the bundled model's recipe:
their recordings and the synthetic strokes their hands drew are left out, and the thresholds are chosen on other
people's out-of-fold probabilities) and reports every person by the model that never saw them.

Usage:
    python benchmarks/motion.py [--recordings ../shared/data/motion ../shared/data/motion2] [--json]
    python benchmarks/motion.py --hold-out [--data ../shared/data]      # leave one person out
    python benchmarks/motion.py --stored-landmarks ...                  # frame recordings from the npz, no MediaPipe
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from signcam.practice.motion import MotionModel, MotionReader
from training.motion_recordings import Recording, load_recordings, located, play, score

UPDATE_MS: list[float] = []  # every MotionReader.update's duration: its cost per frame in the GUI thread
DATA = Path("../shared/data")


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


def held_out_models(data: Path, people: list[str]) -> dict[str, MotionModel]:
    """One model per person of `people`, fitted on everyone else (their recordings and the strokes their hands
    drew; training/motion_train.py, the bundled model's recipe and data). Thresholds are chosen on other people
    only: on out-of-fold probabilities (everyone split into groups once, each group scored by a model fitted
    without it) of the other people's negatives, so no person's own windows choose the thresholds they are read
    with."""
    from training.motion_train import TrainConfig, cached_windows, load_all, out_of_fold, train
    from training.motion_train import people as people_in

    config = TrainConfig()
    everything = load_all(data, config, config.seed)
    windows = cached_windows(everything, config.words_every)
    everyone = people_in(everything)
    probs = out_of_fold(everything, windows, everyone, config)
    return {p: train(everything, windows, [o for o in everyone if o != p], config, probs) for p in people}


def fmt(value: float | None, pct: bool = True) -> str:
    if value is None:
        return "-"
    return f"{value:.1%}" if pct else f"{value:.2f}"


def by_person(summary: dict) -> dict:
    """Mean and worst person for J and Z recall (persons with strokes of the letter), false reads pooled and worst."""
    people = summary["per_source"]
    out: dict = {}
    for m in "JZ":
        recall = {p: s["recall"][m] for p, s in people.items() if s["recall"][m] is not None}
        worst = min(recall, key=recall.get) if recall else None
        out[m] = {"mean": float(np.mean(list(recall.values()))) if recall else None, "people": len(recall),
                  "worst": worst, "worst_recall": recall.get(worst) if worst else None}
    false = {p: s["false_reads_per_1000_frames"] for p, s in people.items()
             if s["false_reads_per_1000_frames"] is not None}
    worst = max(false, key=false.get) if false else None
    out["false_per_1000"] = {"pooled": summary["false_reads_per_1000_frames"], "worst": worst,
                             "worst_per_1000": false.get(worst) if worst else None, "people": len(false)}
    return out


def table(summary: dict, label: str) -> str:
    lines = [f"| {label} | J recall | Z recall | wrong letter | false reads / 1000 frames: held | words | all |",
             "|---|---|---|---|---|---|---|"]
    for name, s in [*summary["per_source"].items(), ("all (pooled)", summary)]:
        c, f = s["counts"], s["false_reads"]
        recall = [f"{fmt(s['recall'][m])} ({c[m]['hits']}/{c[m]['targets']})" if c[m]["targets"] else "-"
                  for m in "JZ"]
        false = [f"{fmt(f[k]['per_1000'], False)} ({f[k]['reads']}/{f[k]['frames']})" if f[k]["frames"] else "-"
                 for k in ("negative", "words")]
        lines.append(f"| {name} | {recall[0]} | {recall[1]} | {c['J']['wrong_letter'] + c['Z']['wrong_letter']} | "
                     f"{false[0]} | {false[1]} | {fmt(s['false_reads_per_1000_frames'], False)} |")
    b = summary["by_person"]
    lines.append("")
    for m in "JZ":
        lines.append(f"{m} recall by person: mean {fmt(b[m]['mean'])} over {b[m]['people']} people, worst "
                     f"{fmt(b[m]['worst_recall'])} ({b[m]['worst']})")
    f = b["false_per_1000"]
    lines.append(f"false reads per 1000 negative frames: pooled {fmt(f['pooled'], False)}, worst person "
                 f"{fmt(f['worst_per_1000'], False)} ({f['worst']}) of {f['people']} people with negatives")
    unclear = summary["unclear"]
    if unclear:
        lines.append("\nunclear (not counted): " + "; ".join(
            f"{u['path']} read {u['hits']}/{u['targets']}, wrong {u['wrong']}" for u in unclear))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=Path, nargs="+", default=[DATA / "motion", DATA / "motion2"],
                        help="folders with motion/'s layout (default: ../shared/data/motion ../shared/data/motion2)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--hold-out", action="store_true",
                        help="report each person by a model fitted without them (default: the bundled model)")
    parser.add_argument("--data", type=Path, default=DATA,
                        help="folder holding motion/, motion2/, extra/, extra2/, extra3/: what --hold-out fits on "
                             "(default: ../shared/data)")
    parser.add_argument("--stored-landmarks", action="store_true",
                        help="play frame recordings from their stored landmarks, not the live locator")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    recordings = [r for root in args.recordings for r in load_recordings(root)]
    started = time.perf_counter()
    if args.hold_out:
        people = list(dict.fromkeys(r.source for r in recordings))
        models = held_out_models(args.data, people)
        reads: list[list[tuple[int, str]]] = [[] for _ in recordings]
        for person, model in models.items():
            mine = [i for i, r in enumerate(recordings) if r.source == person]
            for i, r in zip(mine, run([recordings[i] for i in mine], MotionReader(model=model), args.stored_landmarks),
                            strict=True):
                reads[i] = r
        thresholds = {p: m.thresholds for p, m in models.items()}
    else:
        reader = MotionReader()
        reads = run(recordings, reader, args.stored_landmarks)
        thresholds = {"bundled": reader.model.thresholds if reader.model else None}
    summary = score(recordings, reads)
    summary["by_person"] = by_person(summary)
    summary["held_out"] = args.hold_out
    summary["thresholds"] = thresholds
    summary["update_ms"] = {"median": float(np.median(UPDATE_MS)), "p95": float(np.percentile(UPDATE_MS, 95))}
    if args.json:
        print(json.dumps(summary))
        return 0
    label = "person (held out)" if args.hold_out else "person (bundled model: fitted on all of them)"
    print(table(summary, label))
    print(f"\nthresholds {thresholds}")
    print(f"MotionReader.update per frame: median {summary['update_ms']['median']:.2f} ms, "
          f"p95 {summary['update_ms']['p95']:.2f} ms over {len(UPDATE_MS)} frames; "
          f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
