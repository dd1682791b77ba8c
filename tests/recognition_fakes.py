"""Recognizer parts without weights or MediaPipe: a locator that finds a fixed box, letter models that answer
what they are told, and a recognizer assembled from them the way signcam.pipeline.builder assembles the real ones."""

import numpy as np
import torch

from signcam.labels import LETTERS
from signcam.pipeline.fusion import GeometricFuser
from signcam.pipeline.locate import Box
from signcam.pipeline.recognizer import Recognizer
from signcam.pipeline.smoothing import Smoother


def one_hot(letter: str, p: float = 0.9) -> np.ndarray:
    """(24,) probabilities: `p` on `letter`, the rest spread evenly."""
    probs = np.full(len(LETTERS), (1.0 - p) / (len(LETTERS) - 1))
    probs[LETTERS.index(letter)] = p
    return probs


class FakeLocator:
    """Finds a hand in the middle of any frame that is not all black; counts its calls and closes."""

    def __init__(self, mode: str = "fake", landmarks: bool = False) -> None:
        self.mode, self.landmarks, self.calls, self.closed = mode, landmarks, 0, False

    def locate(self, image_bgr: np.ndarray, timestamp_s: float | None = None) -> Box | None:
        self.calls += 1
        if not image_bgr.any():
            return None
        h, w = image_bgr.shape[:2]
        points = np.zeros((21, 2), np.float32) if self.landmarks else None
        return Box(w // 4, h // 4, w // 2, h // 2, side="right", landmarks=points)

    def close(self) -> None:
        self.closed = True


class FakeModel:
    """Answers `probs` (or, when given, what `read(frame mean)` says) for every hand; None without landmarks
    when `needs_landmarks`."""

    letters = LETTERS
    device = torch.device("cpu")

    def __init__(self, name: str, probs: np.ndarray, needs_landmarks: bool = False) -> None:
        self.name, self.probs, self.needs_landmarks, self.calls = name, probs, needs_landmarks, 0

    def probabilities(self, crop_gray: np.ndarray, box: Box) -> np.ndarray | None:
        self.calls += 1
        if self.needs_landmarks and box.landmarks is None:
            return None
        return self.probs


def fake_recognizer(models: list, shares: dict[str, float], *, video: bool = True, threshold: float = 0.6,
                    temperature: float = 1.0, hold_ms: float = 800.0, locator: FakeLocator | None = None) -> Recognizer:
    return Recognizer(locator or FakeLocator(), models, GeometricFuser(shares, temperature),
                      Smoother(LETTERS, window=5, hold_ms=hold_ms, min_confidence=threshold), video=video)
