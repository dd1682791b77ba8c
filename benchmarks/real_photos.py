"""Accuracy of the Recognizer on real photos, per source: ../shared/data/real_dev (webcam photos of
strangers, the honest figure) and sign_mnist_sources (the photos Sign-MNIST was made from: optimistic,
a sanity check of locating + preprocessing). Per source: photos, hands found, top-1 accuracy among
found, and the most frequent confusions.

sign_mnist_sources frames within a recording session are near-identical, so by default one photo per
session is used (samples 0 and 5 of each letter); --all-sources uses all ten.

Usage:
    python benchmarks/real_photos.py [--roi auto] [--no-mirror-left] [--json] [--errors-png /tmp/errors.png]
"""

import argparse
import csv
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from signcam.locate import ROI_MODES
from signcam.recognizer import Recognizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ERROR_CELL_PX = 84  # 3x the model input, with room for the "true>predicted" caption


@dataclass
class SourceResult:
    photos: int = 0
    found: int = 0
    left: int = 0  # hands found that MediaPipe calls left hands
    correct: int = 0
    confusions: Counter = field(default_factory=Counter)  # (true, predicted) -> count

    def summary(self, top: int) -> dict:
        return {
            "photos": self.photos,
            "hands_found": self.found,
            "left_hands": self.left,
            "accuracy_found": self.correct / self.found if self.found else None,
            "accuracy_all": self.correct / self.photos if self.photos else None,
            "top_confusions": [
                {"true": t, "predicted": p, "count": n} for (t, p), n in self.confusions.most_common(top)
            ],
        }


def photo_list(shared: Path, all_sources: bool) -> list[tuple[str, Path, str]]:
    """(source, path, letter) for real_dev and sign_mnist_sources, from their labels.csv files."""
    items = []
    with open(shared / "real_dev" / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            items.append((f"real_dev/{row['source']}", shared / "real_dev" / row["relative_path"], row["letter"]))
    with open(shared / "sign_mnist_sources" / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            sample = int(Path(row["relative_path"]).stem[1:])
            if all_sources or sample in (0, 5):
                source = f"sign_mnist_sources/user_{row['user']}"
                items.append((source, shared / "sign_mnist_sources" / row["relative_path"], row["letter"]))
    return items


def error_grid(errors: list[tuple[np.ndarray, str, str]], columns: int = 16) -> np.ndarray:
    """The 28x28 inputs the model got wrong, enlarged, captioned "true>predicted"."""
    rows = -(-len(errors) // columns)
    grid = np.full((rows * ERROR_CELL_PX, columns * ERROR_CELL_PX), 255, np.uint8)
    for i, (crop, true, predicted) in enumerate(errors):
        r, c = divmod(i, columns)
        cell = cv2.resize(crop, (ERROR_CELL_PX, ERROR_CELL_PX), interpolation=cv2.INTER_NEAREST)
        cv2.putText(cell, f"{true}>{predicted}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 3)
        cv2.putText(cell, f"{true}>{predicted}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 255, 1)
        grid[r * ERROR_CELL_PX : (r + 1) * ERROR_CELL_PX, c * ERROR_CELL_PX : (c + 1) * ERROR_CELL_PX] = cell
    return grid


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    parser.add_argument("--weights", type=Path, help="weights file (default: the bundled weights)")
    parser.add_argument("--roi", choices=ROI_MODES, default="auto", help="hand locating mode (default: auto)")
    parser.add_argument(
        "--no-mirror-left", dest="mirror_left", action="store_false", help="do not flip left hands (default: flip)"
    )
    parser.add_argument("--all-sources", action="store_true", help="all 10 samples per letter (default: 2)")
    parser.add_argument("--top-confusions", type=int, default=5, help="confusion pairs per source (default: 5)")
    parser.add_argument("--json", action="store_true", help="print JSON (default: a table)")
    parser.add_argument("--errors-png", type=Path, help="write a grid of the misread 28x28 inputs here (default: off)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    start = time.perf_counter()
    results: dict[str, SourceResult] = {}
    errors: list[tuple[np.ndarray, str, str]] = []
    with Recognizer(args.weights, roi=args.roi, device="cpu", video=False, mirror_left=args.mirror_left) as rec:
        for source, path, letter in photo_list(args.shared, args.all_sources):
            result = results.setdefault(source, SourceResult())
            result.photos += 1
            image = cv2.imread(str(path))
            recognition = rec.recognize(image) if image is not None else None
            if recognition is None or not recognition.hand_found:
                continue
            result.found += 1
            result.left += recognition.box.side == "left"
            if recognition.best_letter == letter:
                result.correct += 1
            else:
                result.confusions[(letter, recognition.best_letter)] += 1
                errors.append((recognition.crop_gray, letter, recognition.best_letter))
    seconds = time.perf_counter() - start

    summary = {source: r.summary(args.top_confusions) for source, r in results.items()}
    if args.errors_png and errors:
        cv2.imwrite(str(args.errors_png), error_grid(errors))
    if args.json:
        print(json.dumps({"roi": args.roi, "mirror_left": args.mirror_left, "seconds": seconds, "sources": summary}))
        return 0
    header = ("source", "photos", "found", "left", "acc(found)", "acc(all)", "confusions true>pred")
    print("{:30} {:>6} {:>6} {:>5} {:>10} {:>8}  {}".format(*header))
    for source, s in summary.items():
        acc_found = f"{s['accuracy_found']:.3f}" if s["accuracy_found"] is not None else "-"
        pairs = " ".join(f"{c['true']}>{c['predicted']}x{c['count']}" for c in s["top_confusions"])
        print(
            f"{source:30} {s['photos']:>6} {s['hands_found']:>6} {s['left_hands']:>5} {acc_found:>10} "
            f"{s['accuracy_all']:>8.3f}  {pairs}"
        )
    print(f"{seconds:.0f} s; roi={args.roi} mirror_left={args.mirror_left}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
