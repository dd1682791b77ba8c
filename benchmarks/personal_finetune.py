"""Does fine-tuning on a few of your own samples make the app read your hand better, and nobody's worse?

Each real_dev person in turn plays the learner (real_dev is a development set: fine here, never in shipped assets).
Every photo is located and cropped once, as the app does (training.photos.load_photo_set, cached). For each
scenario (how many letters the learner captured: 1, 3, 12, 24; how many samples of each: 1, 5, 20, fewer where the
person has fewer photos, one photo of each letter always left to test) the captured crops go into a SampleStore and
are fine-tuned on with the Retrain dialog's recipe (training.config.fine_tune_config, through train(), without a
held-back part: the person's other photos are the test). Before and after are the app's fused reading
(training.judge.fused_predictions, as the Retrain report: the models and shares signcam.pipeline.builder gives
those weights, i.e. the fine-tuned CNN at the personal shares on the captured letters, the bundled CNN on the
others, and the bundled landmark model), scored on
  - the learner's other photos of the captured letters ("captured") and of the letters not captured ("others"),
  - every other real_dev person ("other people": per person, the mean and the worst change are reported).
Fine-tune seconds are the wall time of train() with the CSVs already in memory (the benchmark reads them once).

Usage:
    OMP_NUM_THREADS=1 nice python benchmarks/personal_finetune.py [--letters 1 3 12 24] [--shots 1 5 20] [--json]
"""

import argparse
import functools
import json
import logging
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

import training.train
from signcam.labels import LETTERS
from signcam.store.samples import SampleStore
from signcam.store.weights import BUNDLED_WEIGHTS
from training.config import TrainConfig, fine_tune_config
from training.judge import Hands, fused_predictions
from training.photos import load_photo_set

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
log = logging.getLogger("signcam.bench")


def fused_right(weights: Path | None, hands: Hands) -> np.ndarray:
    """(N,) bool: the app's fused reading of each photo (training.judge, as the Retrain report) is its letter."""
    return fused_predictions(weights, hands) == hands.labels


def pick(photos, person: str, n_letters: int, shots: int, seed: int) -> tuple[list[str], np.ndarray]:
    """(the captured letters, indices of the captured photos): `n_letters` of the person's letters that have at
    least two photos, and of each `shots` random photos, at most all but one."""
    rng = np.random.default_rng([seed, zlib.crc32(person.encode()), n_letters])  # the same letters for every shots
    mine = np.flatnonzero(photos.persons() == person)
    counts = np.bincount(photos.labels[mine], minlength=len(LETTERS))
    letters = sorted(rng.choice(np.flatnonzero(counts >= 2), size=min(n_letters, int((counts >= 2).sum())),
                                replace=False))
    captured = []
    for k in letters:
        rows = rng.permutation(mine[photos.labels[mine] == k])
        captured.extend(rows[: min(shots, len(rows) - 1)])
    return [LETTERS[k] for k in letters], np.array(sorted(captured), dtype=np.int64)


def accuracy(right: np.ndarray, mask: np.ndarray) -> float | None:
    return float(right[mask].mean()) if mask.any() else None


def run_scenario(base: TrainConfig, overrides: dict, weights: Path, photos, hands: Hands, before: np.ndarray,
                 person: str, n_letters: int, shots: int, seed: int) -> dict:
    letters, captured = pick(photos, person, n_letters, shots, seed)
    with tempfile.TemporaryDirectory() as tmp:
        store = SampleStore(Path(tmp) / "samples")
        for i in captured:
            store.add(LETTERS[photos.labels[i]], photos.crops[i])
        config = replace(fine_tune_config(base, str(weights), str(store.root)), personal_holdout=0,
                         out=str(Path(tmp) / "candidate.safetensors"), **overrides)
        start = time.perf_counter()
        result = training.train.train(config)
        seconds = time.perf_counter() - start
        after = fused_right(result.weights_path, hands)
    persons = photos.persons()
    tested = np.ones(len(photos), bool)
    tested[captured] = False
    mine = tested & (persons == person)
    in_captured = np.isin(photos.labels, [LETTERS.index(letter) for letter in letters])
    row = {"person": person, "letters": "".join(letters), "shots": shots, "samples": len(captured),
           "official_test": result.test["accuracy"], "seconds": seconds}
    for name, mask in (("captured", mine & in_captured), ("others", mine & ~in_captured)):
        row[name] = {"n": int(mask.sum()), "before": accuracy(before, mask), "after": accuracy(after, mask)}
    others = {p: (accuracy(before, persons == p), accuracy(after, persons == p)) for p in np.unique(persons)
              if p != person}
    changes = [a - b for b, a in others.values()]
    row["other_people"] = {"before": float(np.mean([b for b, _ in others.values()])),
                           "after": float(np.mean([a for _, a in others.values()])),
                           "worst_change": float(min(changes))}
    return row


def summary(rows: list[dict]) -> dict:
    """The worst change in each group over every scenario, and the learner with 5 samples of all 24 letters."""
    def changes(group: str, key: str = "after") -> list[float]:
        return [r[group][key] - r[group]["before"] for r in rows if r[group].get("before") is not None]

    full = [r for r in rows if len(r["letters"]) >= 20 and r["shots"] == 5]
    return {"scenarios": len(rows),
            "worst_change_captured": min(changes("captured"), default=None),
            "worst_change_others": min(changes("others"), default=None),
            "worst_change_other_people": min(r["other_people"]["worst_change"] for r in rows) if rows else None,
            "all_letters_5_shots_captured_after": [r["captured"]["after"] for r in full]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", type=Path, default=BUNDLED_WEIGHTS, help=f"start weights (default: {BUNDLED_WEIGHTS})")
    p.add_argument("--letters", type=int, nargs="+", default=[1, 3, 12, 24],
                   help="letters captured (default: 1 3 12 24)")
    p.add_argument("--shots", type=int, nargs="+", default=[1, 5, 20], help="samples per letter (default: 1 5 20)")
    p.add_argument("--data", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    p.add_argument("--people", nargs="*", help="only these real_dev persons as the learner (default: all)")
    p.add_argument("--distill", type=float, help="override the recipe's distillation weight (default: the recipe's)")
    p.add_argument("--seed", type=int, default=0, help="(default: 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    torch.set_num_threads(1)  # the learner's laptop runs the camera beside it; one core is the honest figure
    training.train.load_csv = functools.cache(training.train.load_csv)  # read the CSVs once, not per fine-tune

    photos = load_photo_set(args.data / "real_dev")
    photos = photos.subset(photos.found)
    hands = Hands(photos.crops, photos.labels, photos.points)
    before = fused_right(args.weights, hands)
    base = TrainConfig(train_csv=str(args.data / "sign_mnist_train.csv.gz"),
                       test_csv=str(args.data / "sign_mnist_test.csv.gz"), device="cpu", seed=args.seed)
    overrides = {} if args.distill is None else {"distill": args.distill}
    rows = []
    for person in sorted(set(photos.persons())):
        if args.people and person not in args.people:
            continue
        for n_letters in args.letters:
            for shots in args.shots:
                row = run_scenario(base, overrides, args.weights, photos, hands, before, person, n_letters, shots,
                                   args.seed)
                rows.append(row)
                log.warning("%s", json.dumps(row))
    result = {"summary": summary(rows), "scenarios": rows}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{'person':<22} {'letters':>7} {'shots':>5} {'captured':>17} {'others':>17} {'other people':>17} "
          f"{'official':>8} {'s':>5}")
    for r in rows:
        cells = [f"{r[g]['before'] or 0:.3f}->{r[g]['after'] or 0:.3f}" if r[g]["n"] else "-"
                 for g in ("captured", "others")]
        o = r["other_people"]
        print(f"{r['person']:<22} {len(r['letters']):>7} {r['shots']:>5} {cells[0]:>17} {cells[1]:>17} "
              f"{o['before']:.3f}->{o['after']:.3f} {r['official_test']:>8.4f} {r['seconds']:>5.1f}")
    print(json.dumps(result["summary"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
