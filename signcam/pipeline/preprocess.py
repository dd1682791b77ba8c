"""Hand box -> the 28x28 grayscale image the model reads, made the way Sign-MNIST rows were made.

Sign-MNIST (Kaggle, datamunge) was built from square colour hand crops (sign_mnist_sources): crop to
the hand, convert to grayscale, shrink to 28x28. So: a square crop centred on the box, grayscale,
area interpolation (averages every source pixel, like ImageMagick's downscaling filters used for the
dataset; nearest or bilinear alias the fingers' edges). Parts of the square outside the frame are
filled by edge replication, which keeps the background's tone instead of adding black bars that
never occur in the dataset. benchmarks/preprocess_calibration.py checks the result against the CSV rows.
"""

import cv2
import numpy as np
import torch

from signcam.models.model import INPUT_SIZE
from signcam.pipeline.locate import Box


def square_crop(image_bgr: np.ndarray, box: Box) -> np.ndarray:
    """The square (side = the box's longer side) centred on `box`, padded by edge replication."""
    h, w = image_bgr.shape[:2]
    side = max(box.w, box.h, 1)
    x0 = box.x + box.w // 2 - side // 2
    y0 = box.y + box.h // 2 - side // 2
    x1, y1 = x0 + side, y0 + side
    if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
        return image_bgr[y0:y1, x0:x1]
    # Clipped indices repeat the border rows/columns: edge replication, even for a box wholly outside.
    rows = np.clip(np.arange(y0, y1), 0, h - 1)
    cols = np.clip(np.arange(x0, x1), 0, w - 1)
    return image_bgr.take(rows, axis=0).take(cols, axis=1)


def crop_hand(image_bgr: np.ndarray, box: Box, *, mirror: bool = False) -> np.ndarray:
    """(28, 28) uint8 grayscale crop of the hand in `box`; `mirror` flips it left-right
    (a left hand then looks like the right hands most Sign-MNIST signers used)."""
    crop = square_crop(image_bgr, box)
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    small = cv2.resize(gray, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
    if mirror:
        small = cv2.flip(small, 1)
    return np.ascontiguousarray(small)


def to_model_input(crops_gray: np.ndarray) -> torch.Tensor:
    """(N, 28, 28) or (28, 28) uint8 -> (N, 1, 28, 28) float32 in [0, 1], as the model expects."""
    crops = np.asarray(crops_gray)
    if crops.ndim == 2:
        crops = crops[None]
    if crops.ndim != 3 or crops.shape[1:] != (INPUT_SIZE, INPUT_SIZE):
        raise ValueError(f"expected (N, {INPUT_SIZE}, {INPUT_SIZE}) crops, got shape {crops.shape}")
    return torch.from_numpy(np.ascontiguousarray(crops, dtype=np.uint8)).unsqueeze(1).float().div_(255.0)
