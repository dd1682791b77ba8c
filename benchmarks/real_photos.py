"""Accuracy and calibration of the Recognizer on real photos, per source: ../shared/data/real_dev (webcam
photos of strangers, the honest figure) and sign_mnist_sources (the photos Sign-MNIST was made from:
optimistic, a sanity check of locating + preprocessing). Per source: photos, hands found, top-1 accuracy
among found, expected calibration error (ECE, 10 equal-width bins), accuracy of the letters shown at the
threshold, the share of errors that "unsure" catches, and the most frequent confusions; then real_dev
pooled and its mean over people.

`--lopo` checks the one choice made on real_dev, the landmark model's share in the combined
probabilities (signcam.classifier.fuse_probabilities), leave one person out: for each real_dev signer,
the share with the best accuracy on the other four is picked and scored on that signer (the app is
judged on people in no set we have).

sign_mnist_sources frames within a recording session are near-identical, so by default one photo per
session is used (samples 0 and 5 of each letter); --all-sources uses all ten.

Usage:
    python benchmarks/real_photos.py [--roi auto] [--no-mirror-left] [--landmark-share 0.7] [--lopo] [--json]
        [--errors-png /tmp/errors.png]
"""

import argparse
import csv
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from signcam.classifier import LANDMARK_SHARE, fuse_probabilities
from signcam.locate import ROI_MODES
from signcam.recognizer import Recognizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ERROR_CELL_PX = 84  # 3x the model input, with room for the "true>predicted" caption
CALIBRATION_BINS = 10
LOPO_SHARES = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)  # landmark shares tried by --lopo


@dataclass
class Photo:
    source: str
    letter: str
    found: bool = False
    left: bool = False
    cnn: np.ndarray | None = None  # (24,) CNN probabilities
    landmarks: np.ndarray | None = None  # (24,) landmark-model probabilities, None without landmarks
    crop: np.ndarray | None = None

    def probs(self, share: float) -> np.ndarray:
        """The recognizer's probabilities at landmark share `share`."""
        return self.cnn if self.landmarks is None else fuse_probabilities(self.cnn, self.landmarks, share)


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


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = CALIBRATION_BINS) -> float:
    """Sum over equal-width confidence bins of |accuracy - mean confidence|, weighted by the bin's share."""
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    return float(sum(
        (which == b).mean() * abs(correct[which == b].mean() - confidence[which == b].mean())
        for b in range(bins) if (which == b).any()
    ))


def summarise(photos: list[Photo], letters: tuple[str, ...], share: float, threshold: float, top: int) -> dict:
    """Counts, accuracy and calibration of one group of photos."""
    found = [p for p in photos if p.found]
    summary = {"photos": len(photos), "hands_found": len(found), "left_hands": sum(p.left for p in found)}
    if not found:
        return summary
    probs = np.stack([p.probs(share) for p in found])
    truth = np.array([letters.index(p.letter) for p in found])
    correct, confidence = probs.argmax(1) == truth, probs.max(1)
    sure = confidence >= threshold
    confusions = Counter((p.letter, letters[i]) for p, i, ok in zip(found, probs.argmax(1), correct, strict=True)
                         if not ok)
    return summary | {
        "accuracy_found": float(correct.mean()),
        "accuracy_all": float(correct.sum() / len(photos)),
        "ece": expected_calibration_error(confidence, correct),
        "shown": float(sure.mean()),  # share of found hands whose letter is shown (not "unsure")
        "accuracy_shown": float(correct[sure].mean()) if sure.any() else None,
        "errors_caught": float((~sure & ~correct).sum() / max(1, (~correct).sum())),
        "top_confusions": [{"true": t, "predicted": q, "count": n} for (t, q), n in confusions.most_common(top)],
    }


def leave_one_person_out(people: dict[str, list[Photo]], letters: tuple[str, ...]) -> dict:
    """Per held-out person: the landmark share best on the others (ties: the smaller share) and its accuracy."""

    def accuracy(photos: list[Photo], share: float) -> float:
        found = [p for p in photos if p.found]
        return float(np.mean([letters[int(p.probs(share).argmax())] == p.letter for p in found]))

    result = {}
    for person, held_out in people.items():
        others = [p for name, photos in people.items() if name != person for p in photos]
        best = max(LOPO_SHARES, key=lambda s: (accuracy(others, s), -s))
        result[person] = {"share": best, "accuracy_found": accuracy(held_out, best)}
    return result


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


def recognise_all(rec: Recognizer, items: list[tuple[str, Path, str]]) -> list[Photo]:
    """Run the recognizer's locating and both models on every photo, keeping their probabilities apart."""
    photos = []
    for source, path, letter in items:
        photo = Photo(source, letter)
        photos.append(photo)
        image = cv2.imread(str(path))
        recognition = rec.recognize(image) if image is not None else None
        if recognition is None or not recognition.hand_found:
            continue
        photo.found, photo.left, photo.crop = True, recognition.box.side == "left", recognition.crop_gray
        photo.cnn = rec.classifier.probabilities(recognition.crop_gray)[0]
        photo.landmarks = rec.classifier.landmark_probabilities(recognition.box)
    return photos


def print_table(summary: dict[str, dict]) -> None:
    header = ("source", "photos", "found", "left", "acc(found)", "ECE", "shown", "acc(shown)", "caught",
              "confusions true>pred")
    print("{:30} {:>6} {:>6} {:>5} {:>10} {:>6} {:>6} {:>10} {:>6}  {}".format(*header))
    for source, s in summary.items():
        if "accuracy_found" not in s:
            print(f"{source:30} {s['photos']:>6} {s['hands_found']:>6} {s['left_hands']:>5}")
            continue
        shown_acc = f"{s['accuracy_shown']:.3f}" if s["accuracy_shown"] is not None else "-"
        pairs = " ".join(f"{c['true']}>{c['predicted']}x{c['count']}" for c in s["top_confusions"])
        print(f"{source:30} {s['photos']:>6} {s['hands_found']:>6} {s['left_hands']:>5} {s['accuracy_found']:>10.3f} "
              f"{s['ece']:>6.3f} {s['shown']:>6.2f} {shown_acc:>10} {s['errors_caught']:>6.2f}  {pairs}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    parser.add_argument("--weights", type=Path, help="weights file (default: the bundled weights)")
    parser.add_argument("--landmark-weights", type=Path, help="landmark model (default: the bundled one)")
    parser.add_argument("--landmark-share", type=float, default=LANDMARK_SHARE,
                        help=f"landmark model's share: 0 = CNN alone, 1 = landmarks alone (default: {LANDMARK_SHARE})")
    parser.add_argument("--roi", choices=ROI_MODES, default="auto", help="hand locating mode (default: auto)")
    parser.add_argument(
        "--no-mirror-left", dest="mirror_left", action="store_false", help="do not flip left hands (default: flip)"
    )
    parser.add_argument("--threshold", type=float, default=0.6, help="the app's unsure threshold (default: 0.6)")
    parser.add_argument("--lopo", action="store_true", help="leave-one-person-out check of the landmark share")
    parser.add_argument("--all-sources", action="store_true", help="all 10 samples per letter (default: 2)")
    parser.add_argument("--top-confusions", type=int, default=5, help="confusion pairs per source (default: 5)")
    parser.add_argument("--json", action="store_true", help="print JSON (default: a table)")
    parser.add_argument("--errors-png", type=Path, help="write a grid of the misread 28x28 inputs here (default: off)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    start = time.perf_counter()
    with Recognizer(args.weights, roi=args.roi, device="cpu", video=False, mirror_left=args.mirror_left,
                    landmark_weights=args.landmark_weights, landmark_share=args.landmark_share) as rec:
        photos = recognise_all(rec, photo_list(args.shared, args.all_sources))
        letters, share = rec.letters, rec.classifier.landmark_share
    seconds = time.perf_counter() - start

    groups: dict[str, list[Photo]] = {}
    for photo in photos:
        groups.setdefault(photo.source, []).append(photo)
    people = {name: g for name, g in groups.items() if name.startswith("real_dev/")}
    summary = {name: summarise(g, letters, share, args.threshold, args.top_confusions) for name, g in groups.items()}
    summary["real_dev (pooled)"] = summarise([p for g in people.values() for p in g], letters, share,
                                             args.threshold, args.top_confusions)
    mean_over_people = float(np.mean([summary[name]["accuracy_found"] for name in people]))
    lopo = leave_one_person_out(people, letters) if args.lopo and share > 0 else {}
    if args.errors_png:
        errors = [(p.crop, p.letter, letters[int(p.probs(share).argmax())]) for p in photos
                  if p.found and letters[int(p.probs(share).argmax())] != p.letter]
        if errors:
            cv2.imwrite(str(args.errors_png), error_grid(errors))

    if args.json:
        print(json.dumps({"roi": args.roi, "mirror_left": args.mirror_left, "landmark_share": share,
                          "threshold": args.threshold, "seconds": seconds, "sources": summary,
                          "real_dev_mean_over_people": mean_over_people, "lopo": lopo}))
        return 0
    print_table(summary)
    print(f"real_dev mean over people: {mean_over_people:.3f}")
    if lopo:
        cells = "  ".join(f"{name.split('/')[-1]} {r['accuracy_found']:.3f} (share {r['share']})"
                          for name, r in lopo.items())
        print(f"leave one person out (landmark share picked on the other four): {cells}")
        print(f"  mean over held-out people: {np.mean([r['accuracy_found'] for r in lopo.values()]):.3f}")
    print(f"{seconds:.0f} s; roi={args.roi} mirror_left={args.mirror_left} landmark_share={share} "
          f"threshold={args.threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
