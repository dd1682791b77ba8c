"""Do our 28x28 crops look like Sign-MNIST rows? Calibration of signcam.pipeline.preprocess and the locator
margin on ../shared/data/sign_mnist_sources, the colour photos Sign-MNIST was made from.

Each source photo *is* a Sign-MNIST crop box, so three pipelines are compared with the CSV rows:
  full    the photo as the box (Sign-MNIST's own geometry) -> grayscale -> 28x28 INTER_AREA
  linear  the same with bilinear resizing (shows why area interpolation)
  auto    MediaPipe box (--roi auto geometry, static mode, border retry) -> crop_hand
Numbers per pipeline: pixel mean/std, L1 distance between 32-bin histograms (vs the train CSV),
median RMSE to the nearest CSV row of the same letter (the rows are augmented variants of these
photos, so a faithful pipeline lands close to one of them), and the model's accuracy. Also: the
landmark margin that reproduces the dataset's boxes, and mirroring left hands on/off.

Writes a PNG grid (one row per letter: our auto crops | CSV rows of that letter) to --png, outside
the repo: the photos' licence is unknown.

Usage:
    python benchmarks/preprocess_calibration.py [--weights W] [--png /tmp/signcam_calibration.png] [--all]
"""

import argparse
import csv
import logging
import string
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import torch

from signcam.models.letter_models import CnnModel
from signcam.pipeline.locate import Box, make_locator
from signcam.pipeline.preprocess import crop_hand

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
GRID_SCALE = 3  # grid cells are 84x84 px
GRID_PER_SIDE = 5  # crops and CSV rows shown per letter


def load_csv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(path)
    return frame["label"].to_numpy(), frame.drop(columns="label").to_numpy(np.uint8).reshape(-1, 28, 28)


def nearest_row_rmse(crops: np.ndarray, letters: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """RMSE (grey levels) from each crop to the closest CSV row of the same letter."""
    out = np.empty(len(crops))
    for letter in np.unique(letters):
        idx = np.flatnonzero(letters == letter)
        ref = rows[labels == string.ascii_uppercase.index(letter)].reshape(-1, 784).astype(np.float32)
        c = crops[idx].reshape(len(idx), -1).astype(np.float32)
        d2 = (c**2).sum(1)[:, None] - 2 * c @ ref.T + (ref**2).sum(1)[None]
        out[idx] = np.sqrt(np.maximum(d2.min(1), 0) / 784)
    return out


def histogram_l1(a: np.ndarray, b: np.ndarray) -> float:
    ha = np.histogram(a, bins=32, range=(0, 256))[0] / a.size
    hb = np.histogram(b, bins=32, range=(0, 256))[0] / b.size
    return float(np.abs(ha - hb).sum())


def accuracy(cnn: CnnModel | None, crops: np.ndarray, letters: np.ndarray) -> float | None:
    if cnn is None or len(crops) == 0:
        return None
    probs = cnn.batch_probabilities(crops)
    predicted = np.array(cnn.letters)[probs.argmax(1)]
    return float((predicted == letters).mean())


def grid_png(crops: np.ndarray, letters: np.ndarray, rows: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """One line per letter: GRID_PER_SIDE of our crops, a gap, GRID_PER_SIDE CSV rows of that letter."""
    rng = np.random.default_rng(0)
    lines = []
    for letter in sorted(set(letters)):
        ours = crops[letters == letter]
        ours = ours[np.linspace(0, len(ours) - 1, GRID_PER_SIDE).astype(int)]
        ref = rows[labels == string.ascii_uppercase.index(letter)]
        ref = ref[rng.choice(len(ref), GRID_PER_SIDE, replace=False)]
        gap = np.full((28, 8), 255, np.uint8)
        lines.append(np.hstack([*ours, gap, *ref]))
    grid = np.vstack(lines)
    return cv2.resize(grid, None, fx=GRID_SCALE, fy=GRID_SCALE, interpolation=cv2.INTER_NEAREST)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help=f"shared data folder (default: {SHARED})")
    parser.add_argument("--weights", type=Path, help="weights for the accuracy column (default: bundled, if present)")
    parser.add_argument("--png", type=Path, default=Path("/tmp/signcam_calibration.png"), help="grid output path")
    parser.add_argument("--all", action="store_true", help="all 10 photos per letter and signer (default: 0 and 5)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sources = args.shared / "sign_mnist_sources"

    start = time.perf_counter()
    labels, rows = load_csv(args.shared / "sign_mnist_train.csv.gz")
    with open(sources / "labels.csv", newline="") as f:
        entries = [r for r in csv.DictReader(f) if args.all or int(Path(r["relative_path"]).stem[1:]) in (0, 5)]
    images = [cv2.imread(str(sources / r["relative_path"])) for r in entries]
    letters = np.array([r["letter"] for r in entries])

    try:
        cnn = CnnModel(args.weights, torch.device("cpu"))
    except Exception as e:  # accuracy is optional here: the pixel statistics stand without a model
        logging.warning("no model for the accuracy column: %s", e)
        cnn = None

    def gray(image: np.ndarray) -> np.ndarray:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)

    full = np.stack([crop_hand(im, Box(0, 0, im.shape[1], im.shape[0])) for im in images])
    linear = np.stack([cv2.resize(gray(im), (28, 28), interpolation=cv2.INTER_LINEAR) for im in images])
    locator = make_locator("auto", video=False)
    boxes = [locator.locate(im) for im in images]
    locator.close()
    found = np.array([b is not None for b in boxes])
    auto = np.stack([crop_hand(im, b) for im, b in zip(images, boxes, strict=True) if b is not None])
    sides = np.array([b.side for b in boxes if b is not None])
    mirrored = np.stack(
        [crop_hand(im, b, mirror=b.side == "left") for im, b in zip(images, boxes, strict=True) if b is not None]
    )
    flipped_all = auto[:, :, ::-1]

    print(f"{len(images)} source photos, {len(rows)} CSV rows; hands found by auto: {found.sum()}/{len(images)}")
    print(f"CSV rows: mean {rows.mean():.1f} std {rows.std():.1f}")
    header = ("pipeline", "n", "mean", "std", "hist L1", "NN-RMSE med", "p90", "accuracy")
    print("{:24} {:>5} {:>6} {:>5} {:>7} {:>11} {:>5} {:>8}".format(*header))
    for name, crops, lets in (
        ("full (dataset box)", full, letters),
        ("full, bilinear", linear, letters),
        ("auto (MediaPipe box)", auto, letters[found]),
        ("auto, mirror left", mirrored, letters[found]),
        ("auto, mirror all", np.ascontiguousarray(flipped_all), letters[found]),
    ):
        rmse = nearest_row_rmse(crops, lets, rows, labels)
        acc = accuracy(cnn, crops, lets)
        acc_text = f"{acc:.3f}" if acc is not None else "-"
        print(
            f"{name:24} {len(crops):>5} {crops.mean():6.1f} {crops.std():5.1f} {histogram_l1(crops, rows):7.3f} "
            f"{np.median(rmse):11.1f} {np.percentile(rmse, 90):5.1f} {acc_text:>8}"
        )

    margins = []
    for image, box in zip(images, boxes, strict=True):
        if box is not None:
            extent = float(max(box.landmarks.max(0) - box.landmarks.min(0)))
            margins.append((max(image.shape[:2]) / extent - 1) / 2)
    q = np.percentile(margins, [25, 50, 75])
    print(f"margin reproducing the dataset boxes: median {q[1]:.3f} (quartiles {q[0]:.3f}-{q[2]:.3f})")
    print(f"handedness found: right {int((sides == 'right').sum())}, left {int((sides == 'left').sum())}")

    args.png.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(args.png), grid_png(auto, letters[found], rows, labels))
    print(f"grid (ours | CSV rows, one line per letter): {args.png}; {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
