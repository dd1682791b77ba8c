"""Writes signcam/assets/judge_hands.npz: the fixed set of other people's hands the Retrain report judges on.

A candidate fine-tuned on the learner's hand must still read everyone else (training.judge). These hands are the
"everyone else": up to PER_LETTER photos per person and letter of the MIT-licensed webcam sets extra/ and extra2/
(credited in signcam/assets/CREDITS.md), located and cropped by the app's still-photo path
(`training.photos.load_photo_set`, cached), so the report reads them exactly as the app would. Only the 28x28
grayscale crop and the 21 landmark points are kept: no photo, no face. Never real_dev/ (a development set).
Deterministic: same cache, same file.

Usage:
    python -m training.make_judge_hands --data ../shared/data --out signcam/assets/judge_hands.npz
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from training.photos import load_photo_set

log = logging.getLogger("signcam.train.judge_hands")
SETS = ("extra", "extra2")  # MIT, credited; the bundled weights learnt from them, as from the official test's people
PER_LETTER = 2  # photos per person and letter: ~20 people x 24 letters x 2, about a thousand hands


def judge_hands(data: Path, cache_dir: Path | None = None, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    crops, points, labels, persons = [], [], [], []
    for name in SETS:
        photos = load_photo_set(data / name, cache_dir=cache_dir)
        photos = photos.subset(photos.found)
        who = photos.persons()
        for person in sorted(set(who)):
            for k in np.unique(photos.labels[who == person]):
                rows = np.flatnonzero((who == person) & (photos.labels == k))
                for i in np.sort(rng.permutation(rows)[:PER_LETTER]):
                    crops.append(photos.crops[i])
                    points.append(photos.points[i])
                    labels.append(k)
                    persons.append(f"{name}/{person}")
    return {"crops": np.array(crops, np.uint8), "points": np.array(points, np.float32),
            "labels": np.array(labels, np.int8), "persons": np.array(persons)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the Retrain report's fixed set of other people's hands.")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help="folder holding extra/ and extra2/ (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/judge_hands.npz"),
                        help="output file (default: signcam/assets/judge_hands.npz)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="landmark cache of training.photos (default: the user cache folder)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    arrays = judge_hands(args.data, args.cache_dir)
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(args.out)
    log.info("%s: %d hands of %d people", args.out, len(arrays["labels"]), len(set(arrays["persons"])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
