"""What the CNN adds on people it never saw: extra/'s held-out people and real_dev, CNN alone, landmarks alone, fused.

The held-out people are the ones the weights' own training run held out (training.extra.split_persons with the
run's seed and `extra_val_persons`), so no photo scored there was trained on by the CNN; the shipped landmark
model is trained on all of extra/, so the "landmarks" and "fused" rows of that set are not held out (the
leave-one-person-out figures for those are benchmarks/real_photos.py --lopo). real_dev is development data
only (never training data for either model). Crops and landmarks come from training.photos, which locates and
crops exactly as `signcam predict --roi auto` does. Fused = the app's fuser (signcam.pipeline.fusion) at
`--landmark-share` (default: the app's, signcam.pipeline.config). Thumb letters (T, S, N, M, A, E), which 2D points
see poorly,
are listed one by one.

Usage:
    python benchmarks/cnn_signers.py --data ../shared/data [--weights W] [--landmark-share 0.7] [--json]
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from signcam.labels import LETTERS
from signcam.models.landmarks import landmark_probabilities
from signcam.models.letter_models import CnnModel, LandmarkModel
from signcam.pipeline.config import FUSED_TEMPERATURE, LANDMARK_SHARE
from signcam.pipeline.fusion import GeometricFuser
from signcam.store.weights import BUNDLED_WEIGHTS, read_info
from training.extra import EXTRA_DIR, split_persons
from training.photos import load_photo_set

THUMB_LETTERS = ("T", "S", "N", "M", "A", "E")


def probabilities(weights: Path, photos, share: float) -> dict[str, np.ndarray]:
    """{"cnn", "landmarks", "fused"}: (N, 24) probabilities of each model on found hands."""
    torch.set_num_threads(1)
    cpu = torch.device("cpu")
    cnn = CnnModel(weights, cpu).batch_probabilities(photos.crops)  # the app's CNN, calibrated
    landmarks = LandmarkModel(None, cpu)
    # The app's own landmark path: both views of each hand (mirror-proof), the model's fitted temperature.
    marks = np.stack([landmark_probabilities(landmarks.model, landmarks.info.temperature, p) for p in photos.points])
    fused = GeometricFuser({"cnn": 1.0 - share, "landmarks": share}, FUSED_TEMPERATURE).fuse(
        {"cnn": cnn, "landmarks": marks})
    return {"cnn": cnn, "landmarks": marks, "fused": fused}


def scores(probs: dict[str, np.ndarray], labels: np.ndarray, groups: np.ndarray) -> dict:
    """Accuracy of each model overall, per group (person) and on the thumb letters."""
    out = {}
    for name, p in probs.items():
        right = p.argmax(1) == labels
        out[name] = {
            "accuracy": float(right.mean()),
            "per_person": {g: float(right[groups == g].mean()) for g in sorted(set(groups))},
            "thumb_letters": {t: float(right[labels == LETTERS.index(t)].mean())
                              for t in THUMB_LETTERS if (labels == LETTERS.index(t)).any()},
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/ and real_dev/")
    parser.add_argument("--weights", type=Path, default=BUNDLED_WEIGHTS, help="CNN weights (default: bundled)")
    parser.add_argument("--landmark-share", type=float, default=LANDMARK_SHARE,
                        help=f"landmark share in the fused figure (default: {LANDMARK_SHARE})")
    parser.add_argument("--json", action="store_true", help="print one JSON object (default: a table)")
    args = parser.parse_args(argv)

    run = read_info(args.weights).metadata.get("train_config", {})
    result = {"weights": str(args.weights), "landmark_share": args.landmark_share}
    extra = load_photo_set(args.data / EXTRA_DIR)
    extra = extra.subset(extra.found)
    persons = extra.persons()
    if run.get("extra"):
        held = split_persons(persons, run.get("extra_val_persons", 0.2), run.get("seed", 0))
        sets = {"extra_held_out": (extra.subset(held), persons[held])}
    else:  # weights that never saw extra/: every person is a stranger to them
        sets = {"extra_all": (extra, persons)}
    real_dev = load_photo_set(args.data / "real_dev")
    real_dev = real_dev.subset(real_dev.found)
    sets["real_dev"] = (real_dev, real_dev.signers)
    for name, (photos, groups) in sets.items():
        result[name] = {"photos": len(photos), **scores(probabilities(args.weights, photos, args.landmark_share),
                                                        photos.labels, groups)}
    if args.json:
        print(json.dumps(result, indent=1))
        return 0
    for name in sets:
        caveat = "; landmarks and fused: trained on these people" if name.startswith("extra") else ""
        print(f"{name} ({result[name]['photos']} found hands{caveat})")
        for model in ("cnn", "landmarks", "fused"):
            r = result[name][model]
            thumbs = " ".join(f"{t} {v:.2f}" for t, v in r["thumb_letters"].items())
            worst = min(r["per_person"].items(), key=lambda kv: kv[1])
            print(f"  {model:10s} {r['accuracy']:.3f}   worst person {worst[0]} {worst[1]:.2f}   thumbs: {thumbs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
