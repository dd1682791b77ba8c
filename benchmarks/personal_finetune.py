"""Does fine-tuning on a few of your own samples make the app read your hand? Simulated with real_dev.

Each real_dev source folder is one person. For each person: crop every photo with the app's own
pipeline (Recognizer(roi="auto") -> crop_gray, photos without a found hand are left out), keep
--shots crops per letter as that person's "captured samples" (fewer where a letter has too few photos:
one is always left to test), fine-tune from the given weights with the app's fine-tune recipe
(training.train.fine_tune_config, through train() with personal_dir, as the Retrain dialog does), and
test before and after on the rest of that person's crops. The fine-tune time is the wall time of
train(), CSV loading and the official test pass included: what the learner waits for.

Usage:
    OMP_NUM_THREADS=1 python benchmarks/personal_finetune.py [--weights W] [--shots 5] [--json]
"""

import argparse
import csv
import json
import logging
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from signcam.labels import LETTERS
from signcam.recognizer import Recognizer
from signcam.samples import SampleStore
from signcam.sources import read_image
from signcam.weights import BUNDLED_WEIGHTS
from training.data import Dataset
from training.train import TrainConfig, evaluate_model, fine_tune_config, train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
log = logging.getLogger("signcam.bench")


def crops_by_person(recognizer: Recognizer, root: Path) -> tuple[dict, dict]:
    """{person: {letter: [crop, ...]}} in file order, and {person: photos without a found hand}."""
    crops: dict = defaultdict(lambda: defaultdict(list))
    missed: dict = defaultdict(int)
    with open(root / "labels.csv", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["relative_path"])
    for row in rows:
        rec = recognizer.recognize(read_image(root / row["relative_path"]))
        if rec.crop_gray is None:
            missed[row["source"]] += 1
        else:
            crops[row["source"]][row["letter"]].append(rec.crop_gray)
    return crops, missed


def split_shots(letters: dict, shots: int, rng: np.random.Generator) -> tuple[Dataset, Dataset]:
    """(captured, rest): per letter `shots` random crops (at most all but one) and the others."""
    parts: dict = {"train": ([], []), "test": ([], [])}
    for letter, crops in letters.items():
        order = rng.permutation(len(crops))
        k = min(shots, len(crops) - 1) if len(crops) > 1 else len(crops)
        for i, j in enumerate(order):
            images, labels = parts["train" if i < k else "test"]
            images.append(crops[j])
            labels.append(LETTERS.index(letter))
    return tuple(Dataset(np.array(im, np.uint8).reshape(-1, 28, 28), np.array(lb, np.int64), "real_dev", "")
                 for im, lb in parts.values())


def run_person(base: TrainConfig, weights: Path, captured: Dataset, rest: Dataset, before_model) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = SampleStore(tmp)
        for image, label in zip(captured.images, captured.labels, strict=True):
            store.add(LETTERS[label], image)
        config = replace(fine_tune_config(base, str(weights), tmp), personal_holdout=0)  # rest = the test
        start = time.perf_counter()
        result = train(config)
        seconds = time.perf_counter() - start
    before, after = evaluate_model(before_model, rest), evaluate_model(result.model, rest)
    return {"captured": len(captured), "tested": len(rest), "before": before["accuracy"],
            "after": after["accuracy"], "official_test_after": result.test["accuracy"], "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", type=Path, default=BUNDLED_WEIGHTS, help=f"start weights (default: {BUNDLED_WEIGHTS})")
    p.add_argument("--shots", type=int, default=5, help="captured samples per letter (default: 5)")
    p.add_argument("--data", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    p.add_argument("--people", nargs="*", help="only these real_dev sources (default: all)")
    p.add_argument("--seed", type=int, default=0, help="(default: 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    torch.set_num_threads(1)  # the learner's laptop runs the camera beside it; one core is the honest figure

    recognizer = Recognizer(args.weights, roi="auto", device="cpu", video=False)
    crops, missed = crops_by_person(recognizer, args.data / "real_dev")
    base = TrainConfig(train_csv=str(args.data / "sign_mnist_train.csv.gz"),
                       test_csv=str(args.data / "sign_mnist_test.csv.gz"), device="cpu", out="", seed=args.seed)
    per_person = {}
    for person in sorted(crops):
        if args.people and person not in args.people:
            continue
        rng = np.random.default_rng([args.seed, zlib.crc32(person.encode())])  # same split with --people
        captured, rest = split_shots(crops[person], args.shots, rng)
        if len(rest) == 0:
            log.warning("%s: no photos left to test after taking the samples", person)
            continue
        per_person[person] = {**run_person(base, args.weights, captured, rest, recognizer.model),
                              "no_hand": missed[person]}
        log.info("%s: %s", person, per_person[person])
    before = float(np.mean([r["before"] for r in per_person.values()]))
    after = float(np.mean([r["after"] for r in per_person.values()]))
    if args.json:
        print(json.dumps({"before": before, "after": after, "per_person": per_person}))
        return 0
    print(f"{'person':<15} {'captured':>8} {'tested':>6} {'no hand':>7} {'before':>7} {'after':>7} "
          f"{'official test':>13} {'seconds':>7}")
    for person, r in per_person.items():
        print(f"{person:<15} {r['captured']:>8} {r['tested']:>6} {r['no_hand']:>7} {r['before']:>7.1%} "
              f"{r['after']:>7.1%} {r['official_test_after']:>13.2%} {r['seconds']:>7.1f}")
    print(f"{'mean':<15} {'':>8} {'':>6} {'':>7} {before:>7.1%} {after:>7.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
