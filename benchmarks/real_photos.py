"""Accuracy and calibration of the shipped models on strangers' hands, per person, per letter.

1. The app's path: every photo of ../shared/data/real_dev (five people in no training set) and two photos per
   session of sign_mnist_sources (the photos Sign-MNIST was made from: optimistic, a sanity check) go through
   `Recognizer.recognize`, exactly as `signcam predict --roi auto` reads them. Per source: photos, hands found,
   top-1 among found, expected calibration error (ECE, 10 equal-width bins), the share of found hands whose
   letter is shown at the threshold, their accuracy, the share of errors that "unsure" catches, confusions.
2. `--lopo`: leave one person out over the persons of extra/, extra2/ and extra3/, plus real_dev's five. The landmark
   model is retrained with the shipped recipe (its file's `train_config`) without each of those persons and scores
   that person; real_dev's people are scored by the shipped files. Hands are located and cropped as in 1
   (training.photos: the same locator and crop, cached). The CNN is the shipped one on every person: it is held out
   only where it never saw the person: name the persons a CNN trained on extra/ never saw with --cnn-unseen (the
   fusion check uses only those and real_dev). Prints the per-person table, per letter, worst letter and confusions,
   and the fusion check: for each of those persons, the landmark share and temperature with the lowest NLL on the
   others. Per letter, each person weighs one: the mean of the persons' accuracies on it and the worst person's
   (real_dev too).

sign_mnist_sources frames within a recording session are near-identical, so by default one photo per session
is used (samples 0 and 5 of each letter); --all-sources uses all ten.

Usage:
    python benchmarks/real_photos.py [--lopo] [--weights W] [--landmark-weights L] [--landmark-share S]
        [--fused-temperature T] [--threshold 0.6] [--json] [--errors-png /tmp/errors.png]
"""

import argparse
import csv
import json
import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from signcam.models.landmarks import landmark_probabilities, load_landmark_model
from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import DEFAULT_THRESHOLD, FUSED_TEMPERATURE, LANDMARK_SHARE, RecognitionConfig
from signcam.pipeline.fusion import GeometricFuser
from signcam.pipeline.locate import ROI_MODES
from signcam.pipeline.recognizer import Recognizer
from training.landmarks import TRAIN_SETS, Hands, LandmarkTrainConfig, fit, found_hands
from training.photos import load_photo_set

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
ERROR_CELL_PX = 84  # 3x the model input, with room for the "true>predicted" caption
CALIBRATION_BINS = 10
SHARES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # landmark shares tried by the fusion check
TEMPERATURES = (0.6, 0.7, 0.8, 0.9, 1.0, 1.2)  # fused temperatures tried by the fusion check


@dataclass
class Photo:
    source: str  # the person (a real_dev or extra source) or sign_mnist_sources user
    letter: str
    found: bool = False
    cnn: np.ndarray | None = None  # (24,) CNN probabilities
    landmarks: np.ndarray | None = None  # (24,) landmark-model probabilities, None without landmarks
    crop: np.ndarray | None = None

    def probs(self, share: float, temperature: float) -> np.ndarray:
        """The recognizer's probabilities at this landmark share and fused temperature (the app's fuser)."""
        return fuser(share, temperature).fuse({"cnn": self.cnn, "landmarks": self.landmarks})


def fuser(share: float, temperature: float) -> GeometricFuser:
    return GeometricFuser({"cnn": 1.0 - share, "landmarks": share}, temperature)


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


def summarise(photos: list[Photo], letters: tuple[str, ...], share: float, temperature: float, threshold: float,
              top: int) -> dict:
    """Counts, accuracy, calibration and confusions of one group of photos."""
    found = [p for p in photos if p.found]
    summary = {"photos": len(photos), "hands_found": len(found)}
    if not found:
        return summary
    probs = np.stack([p.probs(share, temperature) for p in found])
    truth = np.array([letters.index(p.letter) for p in found])
    correct, confidence = probs.argmax(1) == truth, probs.max(1)
    sure = confidence >= threshold
    confusions = Counter((p.letter, letters[i]) for p, i, ok in zip(found, probs.argmax(1), correct, strict=True)
                         if not ok)
    per_letter = {letters[k]: float(correct[truth == k].mean()) for k in sorted(set(truth))}
    return summary | {
        "accuracy_found": float(correct.mean()),
        "ece": expected_calibration_error(confidence, correct),
        "nll": float(-np.log(np.maximum(probs[np.arange(len(truth)), truth], 1e-12)).mean()),
        "shown": float(sure.mean()),  # share of found hands whose letter is shown (not "unsure")
        "accuracy_shown": float(correct[sure].mean()) if sure.any() else None,
        "errors_caught": float((~sure & ~correct).sum() / max(1, (~correct).sum())),
        "per_letter": per_letter,
        "worst_letter": min(per_letter, key=per_letter.get),
        "top_confusions": [{"true": t, "predicted": q, "count": n} for (t, q), n in confusions.most_common(top)],
    }


def recognise_all(rec: Recognizer, items: list[tuple[str, Path, str]]) -> list[Photo]:
    """The app's path on every photo, keeping the two models' probabilities apart (fused later)."""
    photos = []
    for source, path, letter in items:
        photo = Photo(source, letter)
        photos.append(photo)
        image = cv2.imread(str(path))
        recognition = rec.recognize(image) if image is not None else None
        if recognition is None or not recognition.hand_found:
            continue
        photo.found, photo.crop = True, recognition.crop_gray
        answers = {m.name: m.probabilities(recognition.crop_gray, recognition.box) for m in rec.models}
        photo.cnn, photo.landmarks = answers.get("cnn"), answers.get("landmarks")  # share 0: a model not loaded
    return photos


def held_out_extra(rec: Recognizer, shared: Path, recipe: LandmarkTrainConfig, temperature: float) -> list[Photo]:
    """The photos of the landmark model's training sets (extra/, extra2/, extra3/), each person scored by a landmark
    model trained with `recipe` on all the other persons of those sets, as the shipped model was trained."""
    sets = [load_photo_set(shared / name) for name in TRAIN_SETS if (shared / name / "labels.csv").exists()]
    hands = Hands.concat([found_hands(photos) for photos in sets])
    result = []
    for photos in sets:
        persons = np.array([f"{photos.name}/{s}" for s in photos.sources])
        cnn = np.zeros((len(photos), len(rec.letters)), np.float32)
        cnn[photos.found] = rec.models[0].batch_probabilities(photos.crops[photos.found])
        group = [Photo(str(p), rec.letters[y]) for p, y in zip(persons, photos.labels, strict=True)]
        for person in sorted(set(persons)):
            logging.info("lopo: training without %s", person)
            model = fit(hands.subset(hands.persons != person), recipe)
            for i in np.flatnonzero((persons == person) & photos.found):
                group[i].found, group[i].cnn, group[i].crop = True, cnn[i], photos.crops[i]
                group[i].landmarks = landmark_probabilities(model, temperature, photos.points[i])
        result += group
    return result


def pick_fusion(people: dict[str, list[Photo]], letters: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """For each person, the (share, temperature) with the lowest NLL over the other persons' found hands."""
    def nll(photos: list[Photo], share: float, temperature: float) -> float:
        return float(np.mean([-np.log(max(p.probs(share, temperature)[letters.index(p.letter)], 1e-12))
                              for p in photos if p.found]))

    picks = {}
    for person in people:
        others = [p for name, g in people.items() if name != person for p in g]
        picks[person] = min(((s, t) for s in SHARES for t in TEMPERATURES), key=lambda st: nll(others, *st))
    return picks


def error_grid(errors: list[tuple[np.ndarray, str, str]], columns: int = 16) -> np.ndarray:
    """The 28x28 inputs the models got wrong, enlarged, captioned "true>predicted"."""
    rows = -(-len(errors) // columns)
    grid = np.full((rows * ERROR_CELL_PX, columns * ERROR_CELL_PX), 255, np.uint8)
    for i, (crop, true, predicted) in enumerate(errors):
        r, c = divmod(i, columns)
        cell = cv2.resize(crop, (ERROR_CELL_PX, ERROR_CELL_PX), interpolation=cv2.INTER_NEAREST)
        cv2.putText(cell, f"{true}>{predicted}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 0, 3)
        cv2.putText(cell, f"{true}>{predicted}", (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.4, 255, 1)
        grid[r * ERROR_CELL_PX : (r + 1) * ERROR_CELL_PX, c * ERROR_CELL_PX : (c + 1) * ERROR_CELL_PX] = cell
    return grid


def print_table(summary: dict[str, dict]) -> None:
    header = ("source", "photos", "found", "acc(found)", "ECE", "shown", "acc(shown)", "caught", "worst",
              "confusions true>pred")
    print("{:34} {:>6} {:>6} {:>10} {:>6} {:>6} {:>10} {:>6} {:>9}  {}".format(*header))
    for source, s in summary.items():
        if "accuracy_found" not in s:
            print(f"{source:34} {s['photos']:>6} {s['hands_found']:>6}")
            continue
        shown_acc = f"{s['accuracy_shown']:.3f}" if s["accuracy_shown"] is not None else "-"
        worst = f"{s['worst_letter']} {s['per_letter'][s['worst_letter']]:.2f}"
        pairs = " ".join(f"{c['true']}>{c['predicted']}x{c['count']}" for c in s["top_confusions"])
        print(f"{source:34} {s['photos']:>6} {s['hands_found']:>6} {s['accuracy_found']:>10.3f} {s['ece']:>6.3f} "
              f"{s['shown']:>6.2f} {shown_acc:>10} {s['errors_caught']:>6.2f} {worst:>9}  {pairs}")


def print_letters(title: str, s: dict) -> None:
    print(f"{title} per letter: " + " ".join(f"{k} {v:.2f}" for k, v in s["per_letter"].items()))


def letters_by_person(summary: dict[str, dict], persons: list[str]) -> dict[str, dict]:
    """Per letter over `persons` (each weighs one, whatever their photo count): the mean of their accuracies on
    that letter, the worst person's and who it is. A person without a found hand of a letter is left out of it."""
    table: dict[str, dict] = {}
    for letter in sorted({k for n in persons for k in summary[n].get("per_letter", {})}):
        scores = {n: summary[n]["per_letter"][letter] for n in persons if letter in summary[n].get("per_letter", {})}
        worst = min(scores, key=scores.get)
        table[letter] = {"mean": float(np.mean(list(scores.values()))), "worst": scores[worst], "worst_person": worst,
                         "persons": len(scores)}
    return table


def print_letters_by_person(title: str, table: dict[str, dict]) -> None:
    print(f"{title}, per letter (mean over persons / worst person):")
    for letter, row in table.items():
        print(f"  {letter}  {row['mean']:.3f}  {row['worst']:.2f} {row['worst_person']:28} ({row['persons']} persons)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    parser.add_argument("--weights", type=Path, help="CNN weights file (default: the bundled weights)")
    parser.add_argument("--landmark-weights", type=Path, help="landmark model (default: the bundled one)")
    parser.add_argument("--landmark-share", type=float, default=LANDMARK_SHARE,
                        help=f"landmark model's share: 0 = CNN alone, 1 = landmarks alone (default: {LANDMARK_SHARE})")
    parser.add_argument("--fused-temperature", type=float, default=FUSED_TEMPERATURE,
                        help=f"divides the fused log-probabilities (default: {FUSED_TEMPERATURE})")
    parser.add_argument("--roi", choices=ROI_MODES, default="auto", help="hand locating mode (default: auto)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                        help=f"the app's unsure threshold (default: {DEFAULT_THRESHOLD})")
    parser.add_argument("--lopo", action="store_true",
                        help="leave one person out over extra/ + extra2/ + extra3/ (real_dev: shipped files)")
    parser.add_argument("--cnn-unseen", help="comma-separated extra/ sources the CNN never saw, for the fusion check "
                        "(default: all, right for a CNN trained on Sign-MNIST only)")
    parser.add_argument("--all-sources", action="store_true", help="all 10 samples per letter (default: 2)")
    parser.add_argument("--top-confusions", type=int, default=6, help="confusion pairs per source (default: 6)")
    parser.add_argument("--json", action="store_true", help="print JSON (default: tables)")
    parser.add_argument("--errors-png", type=Path, help="write a grid of the misread 28x28 inputs here (default: off)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.lopo and not args.json else logging.WARNING, format="%(message)s")

    start = time.perf_counter()
    share, temperature = args.landmark_share, args.fused_temperature
    config = RecognitionConfig(  # --landmark-share wins over the app's choice for fine-tuned weights too
        weights=str(args.weights) if args.weights else None, device="cpu", roi=args.roi, threshold=args.threshold,
        landmark_weights=str(args.landmark_weights) if args.landmark_weights else None, temperature=temperature,
        shares=(shares := (("cnn", 1.0 - share), ("landmarks", share))), personal_shares=shares)
    with build_recognizer(config, video=False) as rec:
        photos = recognise_all(rec, photo_list(args.shared, args.all_sources))
        letters, cnn_path = rec.letters, str(rec.info.path)
        if args.lopo:
            _, landmark_info = load_landmark_model(args.landmark_weights)
            recipe = replace(LandmarkTrainConfig(), **{k: v for k, v in landmark_info.metadata.get(
                "train_config", {}).items() if k in LandmarkTrainConfig.__dataclass_fields__})
            photos += held_out_extra(rec, args.shared, recipe, landmark_info.temperature)
    seconds = time.perf_counter() - start

    groups: dict[str, list[Photo]] = {}
    for photo in photos:
        groups.setdefault(photo.source, []).append(photo)
    people = {name: g for name, g in groups.items() if not name.startswith("sign_mnist_sources/")}
    summary = {name: summarise(g, letters, share, temperature, args.threshold, args.top_confusions)
               for name, g in groups.items()}
    real_dev_people = [name for name in people if name.startswith("real_dev/")]
    real_dev = [p for name in real_dev_people for p in people[name]]
    summary["real_dev (pooled)"] = summarise(real_dev, letters, share, temperature, args.threshold,
                                             args.top_confusions)
    report: dict = {"roi": args.roi, "landmark_share": share, "fused_temperature": temperature,
                    "threshold": args.threshold, "seconds": seconds, "sources": summary,
                    "cnn_weights": cnn_path, "real_dev_letters": letters_by_person(summary, real_dev_people)}
    if args.lopo:
        everyone = [p for g in people.values() for p in g]
        summary["all held-out persons (pooled)"] = summarise(everyone, letters, share, temperature, args.threshold,
                                                             args.top_confusions)
        held_out = [n for n in people if not n.startswith("real_dev/")]
        extra = [summary[n]["accuracy_found"] for n in held_out]
        named = args.cnn_unseen.split(",") if args.cnn_unseen else None
        unseen = {n: g for n, g in people.items() if named is None or n.startswith("real_dev/")
                  or n.split("/", 1)[1] in named}
        report["lopo"] = {"extra_mean": float(np.mean(extra)), "extra_worst": float(min(extra)),
                          "persons_mean": float(np.mean([summary[n]["accuracy_found"] for n in people])),
                          "letters": letters_by_person(summary, held_out),
                          "fusion_persons": sorted(unseen), "fusion_picks": pick_fusion(unseen, letters)}
    if args.errors_png:
        errors = [(p.crop, p.letter, letters[int(p.probs(share, temperature).argmax())]) for p in photos
                  if p.found and letters[int(p.probs(share, temperature).argmax())] != p.letter]
        if errors:
            cv2.imwrite(str(args.errors_png), error_grid(errors))

    if args.json:
        print(json.dumps(report))
        return 0
    print_table(summary)
    print_letters("real_dev (pooled)", summary["real_dev (pooled)"])
    print_letters_by_person(f"real_dev, {len(real_dev_people)} persons, shipped models", report["real_dev_letters"])
    if args.lopo:
        lopo = report["lopo"]
        print_letters("all held-out persons (pooled)", summary["all held-out persons (pooled)"])
        print_letters_by_person(f"{'+'.join(TRAIN_SETS)}, {len(held_out)} persons, each left out", lopo["letters"])
        print(f"leave one person out: {'+'.join(TRAIN_SETS)} mean {lopo['extra_mean']:.3f}, "
              f"worst {lopo['extra_worst']:.3f} ({min(held_out, key=lambda n: summary[n]['accuracy_found'])}); "
              f"mean over all {len(people)} persons {lopo['persons_mean']:.3f}")
        picks = Counter(lopo["fusion_picks"].values())
        print(f"fusion (share, temperature) picked by NLL on the other persons, over {len(unseen)} persons: "
              + ", ".join(f"{st} x{n}" for st, n in picks.most_common()))
    print(f"{seconds:.0f} s; CNN {cnn_path}; roi={args.roi} landmark_share={share} fused_temperature={temperature} "
          f"threshold={args.threshold}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
