"""Does fine-tuning on a few of your own samples make the app read your hand? Simulated with real_dev.

Each real_dev source folder is one person. For each person: crop every photo with the app's own
pipeline (build_recognizer(roi="auto") -> crop_gray, photos without a found hand are left out), keep
--shots crops per letter as that person's "captured samples" (fewer where a letter has too few photos:
one is always left to test), fine-tune from the given weights with the app's fine-tune recipe
(training.train.fine_tune_config, through train() with personal_dir, as the Retrain dialog does), and
test before and after on the rest of that person's crops. The fine-tune time is the wall time of
train(), CSV loading and the official test pass included: what the learner waits for. "after" is the
fine-tuned CNN alone; "app after" is what the app shows once the learner adopts the weights: the CNN fused
with the bundled landmark model at the share the app gives fine-tuned weights (PERSONAL_LANDMARK_SHARE); "best
share" is the share that would have served that person best, of SHARES.

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
from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import FUSED_TEMPERATURE, LANDMARK_SHARE, PERSONAL_LANDMARK_SHARE, RecognitionConfig
from signcam.pipeline.fusion import GeometricFuser
from signcam.pipeline.preprocess import to_model_input
from signcam.pipeline.recognizer import Recognizer
from signcam.pipeline.sources import read_image
from signcam.store.samples import SampleStore
from signcam.store.weights import BUNDLED_WEIGHTS
from training.config import TrainConfig, fine_tune_config
from training.data import Dataset
from training.train import evaluate_model, predict_logits, train

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
log = logging.getLogger("signcam.bench")
SHARES = (0.0, PERSONAL_LANDMARK_SHARE, 0.4, 0.5, LANDMARK_SHARE)  # landmark shares tried after fine-tuning


def crops_by_person(recognizer: Recognizer, root: Path) -> tuple[dict, dict]:
    """{person: {letter: [(crop, landmark probabilities), ...]}} in file order, and {person: photos
    without a found hand}."""
    crops: dict = defaultdict(lambda: defaultdict(list))
    missed: dict = defaultdict(int)
    with open(root / "labels.csv", newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["relative_path"])
    for row in rows:
        rec = recognizer.recognize(read_image(root / row["relative_path"]))
        if rec.crop_gray is None:
            missed[row["source"]] += 1
        else:
            uniform = np.full(len(LETTERS), 1 / len(LETTERS))
            landmark_probs = next(m.probabilities(rec.crop_gray, rec.box) for m in recognizer.models
                                  if m.name == "landmarks")
            crops[row["source"]][row["letter"]].append(
                (rec.crop_gray, uniform if landmark_probs is None else landmark_probs))
    return crops, missed


def split_shots(letters: dict, shots: int, rng: np.random.Generator) -> tuple[Dataset, Dataset, np.ndarray]:
    """(captured, rest, rest's landmark probabilities): per letter `shots` random crops (at most all but
    one) and the others."""
    parts: dict = {"train": ([], []), "test": ([], [])}
    rest_landmarks = []
    for letter, crops in letters.items():
        order = rng.permutation(len(crops))
        k = min(shots, len(crops) - 1) if len(crops) > 1 else len(crops)
        for i, j in enumerate(order):
            images, labels = parts["train" if i < k else "test"]
            images.append(crops[j][0])
            labels.append(LETTERS.index(letter))
            if i >= k:
                rest_landmarks.append(crops[j][1])
    captured, rest = (Dataset(np.array(im, np.uint8).reshape(-1, 28, 28), np.array(lb, np.int64), "real_dev", "")
                      for im, lb in parts.values())
    return captured, rest, np.array(rest_landmarks).reshape(-1, len(LETTERS))


def fused_accuracy(model, rest: Dataset, landmark_probs: np.ndarray, share: float) -> float:
    """Accuracy of the app's fusion of `model` (the CNN) with the landmark model's probabilities."""
    cnn = torch.softmax(predict_logits(model, to_model_input(rest.images)), dim=1).numpy()
    fuser = GeometricFuser({"cnn": 1.0 - share, "landmarks": share}, FUSED_TEMPERATURE)  # the app's fusion
    fused = fuser.fuse({"cnn": cnn, "landmarks": landmark_probs}).argmax(axis=1)
    return float(np.mean(fused == rest.labels))


def run_person(base: TrainConfig, weights: Path, captured: Dataset, rest: Dataset, rest_landmarks: np.ndarray,
               before_model) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        store = SampleStore(tmp)
        for image, label in zip(captured.images, captured.labels, strict=True):
            store.add(LETTERS[label], image)
        config = replace(fine_tune_config(base, str(weights), tmp), personal_holdout=0)  # rest = the test
        start = time.perf_counter()
        result = train(config)
        seconds = time.perf_counter() - start
    before, after = evaluate_model(before_model, rest), evaluate_model(result.model, rest)
    shares = {share: fused_accuracy(result.model, rest, rest_landmarks, share) for share in SHARES}
    best = max(shares, key=shares.get)
    return {"captured": len(captured), "tested": len(rest), "before": before["accuracy"],
            "after": after["accuracy"], "app_after": shares[PERSONAL_LANDMARK_SHARE], "best_share": best,
            "best_share_after": shares[best], "by_share": shares, "official_test_after": result.test["accuracy"],
            "seconds": seconds}


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

    recognizer = build_recognizer(RecognitionConfig(weights=str(args.weights), roi="auto", device="cpu"), video=False)
    crops, missed = crops_by_person(recognizer, args.data / "real_dev")
    base = TrainConfig(train_csv=str(args.data / "sign_mnist_train.csv.gz"),
                       test_csv=str(args.data / "sign_mnist_test.csv.gz"), device="cpu", out="", seed=args.seed)
    per_person = {}
    for person in sorted(crops):
        if args.people and person not in args.people:
            continue
        rng = np.random.default_rng([args.seed, zlib.crc32(person.encode())])  # same split with --people
        captured, rest, rest_landmarks = split_shots(crops[person], args.shots, rng)
        if len(rest) == 0:
            log.warning("%s: no photos left to test after taking the samples", person)
            continue
        model = recognizer.models[0].model
        per_person[person] = {**run_person(base, args.weights, captured, rest, rest_landmarks, model),
                              "no_hand": missed[person]}
        log.info("%s: %s", person, per_person[person])
    before = float(np.mean([r["before"] for r in per_person.values()]))
    after = float(np.mean([r["after"] for r in per_person.values()]))
    app_after = float(np.mean([r["app_after"] for r in per_person.values()]))
    if args.json:
        print(json.dumps({"before": before, "after": after, "app_after": app_after, "per_person": per_person}))
        return 0
    print(f"{'person':<15} {'captured':>8} {'tested':>6} {'no hand':>7} {'before':>7} {'after':>7} "
          f"{'app after':>9} {'best share':>10} {'official test':>13} {'seconds':>7}")
    for person, r in per_person.items():
        print(f"{person:<15} {r['captured']:>8} {r['tested']:>6} {r['no_hand']:>7} {r['before']:>7.1%} "
              f"{r['after']:>7.1%} {r['app_after']:>9.1%} {r['best_share']:>4} {r['best_share_after']:>5.1%} "
              f"{r['official_test_after']:>13.2%} {r['seconds']:>7.1f}")
    print(f"{'mean':<15} {'':>8} {'':>6} {'':>7} {before:>7.1%} {after:>7.1%} {app_after:>9.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
