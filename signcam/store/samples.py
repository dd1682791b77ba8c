"""Personal samples: the learner's own hand crops, kept on disk for fine-tuning. No Qt here.

Layout of a store (the user data folder's `samples/`, or any folder a test or benchmark picks):

    labels.csv          id,letter,captured_unix_s,landmarks  (one row per sample; rewritten atomically; landmarks:
                        the hand's 21 points as 42 pixel numbers, so the Retrain report reads a held-back sample
                        with both models as the app would; empty for samples captured without them)
    crops/<id>.png      the 28x28 grayscale image the model read
    hands/<id>.png      the colour hand crop it was made from (for the review grid, and to re-crop later)

PNG rather than a CSV of pixels so the learner can look at, copy or delete their own pictures with any
file manager; the labels file is the one source of truth, and a PNG it does not list is ignored. A row whose id
is not a plain file name (`../../x`: signcam.limits.safe_name), or whose crop is not 28x28, is skipped with a log
line; a capture time that is not a number reads as 0 (unknown).

Usage:
    store = SampleStore()               # platformdirs.user_data_dir("signcam")/samples
    store.add("A", rec.crop_gray, hand_bgr)
    images, labels = store.arrays()     # (N, 28, 28) uint8, (N,) class indices
"""

import csv
import io
import logging
import math
import os
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from signcam.labels import LETTERS, class_of_letter
from signcam.limits import safe_name
from signcam.models.model import INPUT_SIZE
from signcam.store.files import atomic_write_text, user_data_dir

log = logging.getLogger(__name__)

LABELS_FILE = "labels.csv"
FIELDS = ("id", "letter", "captured_unix_s", "landmarks")
N_POINTS = 21


def default_samples_dir() -> Path:
    return user_data_dir() / "samples"


@dataclass(frozen=True)
class Sample:
    id: str
    letter: str
    captured_unix_s: float
    crop_path: Path  # 28x28 grayscale PNG
    hand_path: Path  # colour hand crop PNG (may be missing if the user deleted it by hand)
    landmarks: tuple[float, ...] = ()  # x0, y0, .. x20, y20 in frame pixels; () when not recorded


class SampleError(ValueError):
    """A sample that cannot be stored or read; the message names the file or letter."""


class SampleStore:
    """Reads and writes one folder of personal samples; every change rewrites labels.csv atomically."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_samples_dir()
        self._samples: list[Sample] = self._read()
        self._counter = 0

    # -- reading -------------------------------------------------------------------------------
    def _read(self) -> list[Sample]:
        path = self.root / LABELS_FILE
        if not path.exists():
            return []
        samples = []
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            for row in csv.DictReader(f):
                letter = str(row.get("letter") or "").upper()
                sample_id = str(row.get("id") or "")
                if not safe_name(sample_id):  # an id is a file name: never a path out of this folder
                    log.warning("%s: skipping a row whose id %r is not a plain file name", path, sample_id[:80])
                    continue
                crop = self.root / "crops" / f"{sample_id}.png"
                if letter not in LETTERS or not crop.exists():
                    continue  # a row for a deleted file or a hand-edited typo: skip it rather than fail
                if _png_size(crop) != (INPUT_SIZE, INPUT_SIZE):
                    log.warning("%s: not a %dx%d PNG; skipped", crop, INPUT_SIZE, INPUT_SIZE)
                    continue
                samples.append(self._sample(sample_id, letter, _seconds(row.get("captured_unix_s")),
                                            _points(str(row.get("landmarks") or ""))))
        return samples

    def _sample(self, sample_id: str, letter: str, captured: float, landmarks: tuple[float, ...] = ()) -> Sample:
        return Sample(sample_id, letter, captured, self.root / "crops" / f"{sample_id}.png",
                      self.root / "hands" / f"{sample_id}.png", landmarks)

    def samples(self, letter: str | None = None) -> list[Sample]:
        return [s for s in self._samples if letter is None or s.letter == letter]

    def __len__(self) -> int:
        return len(self._samples)

    def counts(self) -> dict[str, int]:
        """Samples per letter, every static letter present (0 when none)."""
        counts = dict.fromkeys(LETTERS, 0)
        for s in self._samples:
            counts[s.letter] += 1
        return counts

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(N, 28, 28) uint8 crops and (N,) int64 class indices, in capture order. A crop that does not read (a
        damaged PNG behind a good header) is logged and the store forgets its sample, as it does a row whose file
        is gone, so samples() and landmarks() line up with these rows."""
        images, labels, kept = [], [], []
        for sample in self._samples:
            try:
                images.append(self.read_crop(sample))
            except SampleError as e:  # the others still train
                log.warning("%s; skipped", e)
                continue
            labels.append(class_of_letter(sample.letter))
            kept.append(sample)
        self._samples = kept
        stacked = np.stack(images) if images else np.zeros((0, INPUT_SIZE, INPUT_SIZE), np.uint8)
        return stacked, np.array(labels, dtype=np.int64)

    def landmarks(self) -> np.ndarray:
        """(N, 21, 2) float32 landmark pixels in capture order (arrays()' rows); NaN rows where none were recorded."""
        points = np.full((len(self._samples), N_POINTS, 2), np.nan, np.float32)
        for i, s in enumerate(self._samples):
            if s.landmarks:
                points[i] = np.reshape(s.landmarks, (N_POINTS, 2))
        return points

    @staticmethod
    def read_crop(sample: Sample) -> np.ndarray:
        crop = cv2.imread(str(sample.crop_path), cv2.IMREAD_GRAYSCALE)
        if crop is None or crop.shape != (INPUT_SIZE, INPUT_SIZE):
            raise SampleError(f"{sample.crop_path}: not a {INPUT_SIZE}x{INPUT_SIZE} grayscale PNG")
        return crop

    # -- writing -------------------------------------------------------------------------------
    def add(self, letter: str, crop_gray: np.ndarray, hand_bgr: np.ndarray | None = None,
            landmarks: np.ndarray | None = None) -> Sample:
        """Store one sample (with the hand's (21, 2+) landmarks when the locator gave them); the PNGs are written
        before the labels row, so a crash never lists a file that is not there."""
        letter = LETTERS[class_of_letter(letter)]  # ValueError for J, Z, non-letters
        if crop_gray.shape != (INPUT_SIZE, INPUT_SIZE) or crop_gray.dtype != np.uint8:
            raise SampleError(f"a crop must be ({INPUT_SIZE}, {INPUT_SIZE}) uint8, got {crop_gray.shape} "
                              f"{crop_gray.dtype}")
        now = time.time()
        self._counter += 1
        points = () if landmarks is None else _points(_points_text(np.asarray(landmarks, float)[:, :2].ravel()))
        sample = self._sample(f"{letter}_{int(now * 1000)}_{self._counter:03d}", letter, now, points)
        for path, image in ((sample.crop_path, crop_gray), (sample.hand_path, hand_bgr)):
            if image is None or image.size == 0:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if not cv2.imwrite(str(path), image):
                raise SampleError(f"{path}: cannot write PNG")
        self._samples.append(sample)
        self._write_labels()
        return sample

    def delete(self, ids: set[str] | list[str]) -> int:
        """Remove samples by id (labels first, then their files); returns how many were removed. Only files of
        listed samples, whose ids were checked when read, are removed: never anything outside this folder."""
        ids = set(ids)
        gone = [s for s in self._samples if s.id in ids and safe_name(s.id)]
        self._samples = [s for s in self._samples if s.id not in ids]
        self._write_labels()
        for s in gone:
            s.crop_path.unlink(missing_ok=True)
            s.hand_path.unlink(missing_ok=True)
        return len(gone)

    def _write_labels(self) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(FIELDS)
        writer.writerows((s.id, s.letter, f"{s.captured_unix_s:.3f}", _points_text(s.landmarks))
                         for s in self._samples)
        atomic_write_text(self.root / LABELS_FILE, text.getvalue())


def _seconds(value: object) -> float:
    """A capture time from labels.csv; 0 (unknown) for anything but a finite number of seconds."""
    try:
        seconds = float(str(value or 0))
    except ValueError:
        return 0.0
    return seconds if math.isfinite(seconds) and seconds >= 0 else 0.0


def _png_size(path: Path) -> tuple[int, int] | None:
    """(width, height) from a PNG's header (its first 24 bytes), or None when it is not a PNG."""
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def _points_text(values: Iterable[float]) -> str:
    """The landmarks column as written: pixels to 0.1, space-separated."""
    return " ".join(f"{v:.1f}" for v in values)


def _points(text: str) -> tuple[float, ...]:
    """The landmarks column: 42 finite numbers, else () (an older store, or a hand-edited row)."""
    try:
        values = tuple(float(v) for v in text.split())
    except ValueError:
        return ()
    return values if len(values) == 2 * N_POINTS and all(np.isfinite(values)) else ()
