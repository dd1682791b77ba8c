"""Writes the practice-mode reference hand images, signcam/assets/reference/A.png .. Y.png, from Sign-MNIST.

Each letter's image is its medoid: the real training row closest (Euclidean, in pixel space) to that
letter's mean image. A mean image is blurry and shows no real hand; the medoid is a typical, clear
example. It is upscaled 28 -> 112 px with bicubic interpolation so it reads well on screen. Only the
CC0 CSV is used: the source photos and real_dev have unclear licences and must never become assets.

Usage:
    python -m training.make_references --csv ../shared/data/sign_mnist_train.csv.gz --out signcam/assets/reference
"""

import argparse
import logging
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from signcam.labels import LETTERS, class_of_csv_label, is_known_csv_label

log = logging.getLogger(__name__)

SOURCE_SIZE = 28  # Sign-MNIST images are 28x28 grayscale
OUTPUT_SIZE = 112  # 4x: large enough to read the finger shapes, still a ~6 KB PNG


def medoid_images(labels: np.ndarray, pixels: np.ndarray) -> dict[str, np.ndarray]:
    """Letter -> (28, 28) uint8 medoid image, for every letter present in `labels` (CSV label values)."""
    medoids: dict[str, np.ndarray] = {}
    for label in np.unique(labels):
        if not is_known_csv_label(int(label)):
            raise ValueError(f"unexpected Sign-MNIST label {label}")
        rows = pixels[labels == label].astype(np.float32)  # (n, 784)
        distances = np.linalg.norm(rows - rows.mean(axis=0), axis=1)
        best = rows[int(np.argmin(distances))]
        medoids[LETTERS[class_of_csv_label(int(label))]] = best.reshape(SOURCE_SIZE, SOURCE_SIZE).astype(np.uint8)
    return medoids


def upscale(image_gray: np.ndarray, size: int = OUTPUT_SIZE) -> np.ndarray:
    """Bicubic upscale, clipped back to uint8 (cubic overshoots at edges)."""
    scaled = cv2.resize(image_gray.astype(np.float32), (size, size), interpolation=cv2.INTER_CUBIC)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def write_references(csv_path: Path, out_dir: Path) -> list[Path]:
    """Reads the CSV, writes one PNG per letter into `out_dir`, returns the paths written."""
    frame = pd.read_csv(csv_path)
    labels = frame["label"].to_numpy()
    pixels = frame.drop(columns="label").to_numpy(dtype=np.uint8)  # (n, 784)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for letter, image in sorted(medoid_images(labels, pixels).items()):
        path = out_dir / f"{letter}.png"
        if not cv2.imwrite(str(path), upscale(image), [cv2.IMWRITE_PNG_COMPRESSION, 9]):
            raise OSError(f"cannot write {path}")
        written.append(path)
    log.info("wrote %d reference images to %s", len(written), out_dir)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make reference hand images from the CC0 Sign-MNIST CSV.")
    parser.add_argument("--csv", type=Path, default=Path("../shared/data/sign_mnist_train.csv.gz"),
                        help="Sign-MNIST train CSV (default: ../shared/data/sign_mnist_train.csv.gz)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/reference"),
                        help="output folder (default: signcam/assets/reference)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    write_references(args.csv, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
