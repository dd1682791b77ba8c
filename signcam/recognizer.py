"""Frames in, letters out: locate the hand, crop it Sign-MNIST style, classify, smooth, time each stage.

The one pipeline used by the GUI worker, `signcam predict` and the benchmarks. It composes a hand
locator (signcam.locate), the crop (signcam.preprocess), a LetterClassifier (signcam.classifier) and,
for a stream, a Smoother (signcam.smoothing), so the live letter does not flicker. No Qt here.

Usage:
    recognizer = Recognizer(roi="auto")
    rec = recognizer.step(frame)        # rec.letter is None when no hand, unsure or not yet settled
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from signcam.classifier import LetterClassifier
from signcam.config import RecognitionConfig
from signcam.locate import ROI_MODES, Box, HandLocator, make_locator
from signcam.preprocess import crop_hand
from signcam.smoothing import Smoother
from signcam.sources import Frame

TOP_K = 3
# The live letter is the one most of the last 5 frames (~170 ms at 30 fps) agree on above the threshold:
# a single misread frame no longer flashes another letter on the overlay.
OVERLAY_WINDOW = 5


@dataclass(frozen=True)
class Recognition:
    frame: Frame
    box: Box | None  # None = no hand found
    crop_gray: np.ndarray | None  # the (28, 28) uint8 the model saw
    letter: str | None  # above the threshold (and, in a stream, settled over recent frames), else None
    best_letter: str | None  # this frame's top-1 even when unsure (None only if no hand)
    confidence: float  # probability of `letter` (smoothed in a stream), else of best_letter (0.0 if no hand)
    top: tuple[tuple[str, float], ...]  # this frame's top-3 (letter, p), empty if no hand
    timings_ms: dict[str, float] = field(default_factory=dict)  # "locate", "preprocess", "model", "smooth", "total"

    @property
    def hand_found(self) -> bool:
        return self.box is not None


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class Recognizer:
    """Runs the pipeline on frames of a stream (`step`) or on single images (`recognize`).

    `mirror_left` flips hands that look like left hands so they look like the right hands Sign-MNIST
    shows: on real_dev/longhongvo23 (mirrored selfie frames, 279 of 283 hands "left") top-1 goes from
    0.05 to 0.41; MediaPipe's rare handedness errors on sign_mnist_sources (6 of 324, all right hands)
    cost 0-2 points per signer (benchmarks/real_photos.py). Thread-safe: the GUI may change `roi` or
    `threshold` (see `apply`) while a worker thread calls `step`.
    """

    def __init__(
        self,
        weights: str | os.PathLike | None = None,
        *,
        roi: str = "auto",
        device: str = "auto",
        threshold: float = 0.6,
        video: bool = True,
        mirror_left: bool = True,
        locator_options: dict | None = None,
        landmark_weights: str | os.PathLike | None = None,
        landmark_share: float | None = None,
    ):
        self.classifier = LetterClassifier(weights, device=device, landmark_weights=landmark_weights,
                                           landmark_share=landmark_share)
        self.device, self.info, self.letters = self.classifier.device, self.classifier.info, self.classifier.letters
        self.video = video
        self.mirror_left = mirror_left
        self._smoother = Smoother(window=OVERLAY_WINDOW, hold_ms=0.0, min_confidence=threshold)
        self.threshold = threshold
        self._locator_options = dict(locator_options or {})
        self._lock = threading.RLock()
        self._locator: HandLocator | None = None
        self._still_locator: HandLocator | None = None  # for still frames on a video recognizer; made lazily
        self.roi = roi

    @classmethod
    def from_config(cls, config: RecognitionConfig, *, video: bool) -> Recognizer:
        return cls(config.weights, roi=config.roi, device=config.device, threshold=config.threshold, video=video)

    def apply(self, config: RecognitionConfig) -> None:
        """Take a new config's roi and threshold (weights and device need a new Recognizer)."""
        self.threshold = config.threshold
        if config.roi != self._roi:
            self.roi = config.roi

    @property
    def threshold(self) -> float:
        return self._threshold

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._threshold = value
        self._smoother.min_confidence = value

    @property
    def roi(self) -> str:
        """The locating mode actually in use ("box" when "auto" fell back for lack of MediaPipe)."""
        return self._locator.mode if self._locator is not None else self._roi

    @roi.setter
    def roi(self, mode: str) -> None:
        if mode not in ROI_MODES:
            raise ValueError(f"unknown roi mode {mode!r}; choose from {', '.join(ROI_MODES)}")
        locator = make_locator(mode, video=self.video, **self._locator_options)
        with self._lock:
            old = (self._locator, self._still_locator)
            self._locator, self._still_locator, self._roi = locator, None, mode
            self._smoother.reset()
        for old_locator in old:
            if old_locator is not None:
                old_locator.close()

    def _locator_for(self, still: bool) -> HandLocator:
        """The stream locator, or for a still image on a video recognizer a static one: MediaPipe's
        tracking state from earlier frames would otherwise look for the hand where it was before."""
        if self._locator is None:
            raise RuntimeError("the Recognizer is closed")
        if not (still and self.video and self._locator.mode == "auto"):
            return self._locator
        if self._still_locator is None:
            self._still_locator = make_locator("auto", video=False, **self._locator_options)
        return self._still_locator

    def step(self, frame: Frame) -> Recognition:
        """Recognise one frame: a stream's frames are tracked and smoothed, a still frame stands alone."""
        start = time.perf_counter()
        image_bgr = frame.image_bgr
        with self._lock:
            t = time.perf_counter()
            box = self._locator_for(still=frame.still).locate(image_bgr, timestamp_s=frame.timestamp_s)
            timings = {"locate": _ms(t)}
        crop = probs = None
        if box is not None:
            t = time.perf_counter()
            crop = crop_hand(image_bgr, box, mirror=self.mirror_left and box.side == "left")
            timings["preprocess"] = _ms(t)
            t = time.perf_counter()
            probs = self.classifier.classify(crop, box)
            timings["model"] = _ms(t)
        else:
            timings.update(preprocess=0.0, model=0.0)
        t = time.perf_counter()
        result = self._result(frame, box, crop, probs, timings)
        timings["smooth"] = _ms(t)
        timings["total"] = _ms(start)
        return result

    def recognize(self, image_bgr: np.ndarray, origin: str = "image") -> Recognition:
        """Recognise one image that is not part of a stream."""
        return self.step(Frame(image_bgr, 0, 0.0, origin, still=True))

    def _result(self, frame: Frame, box: Box | None, crop: np.ndarray | None, probs: np.ndarray | None,
                timings: dict) -> Recognition:
        if box is None or probs is None:
            top, best, confidence = (), None, 0.0
        else:
            order = np.argsort(probs)[::-1][:TOP_K]
            top = tuple((self.letters[i], float(probs[i])) for i in order)
            best, confidence = top[0]
        if frame.still or not self.video:
            letter = best if best is not None and confidence >= self._threshold else None
        else:
            with self._lock:
                smoothed = self._smoother.update(best, confidence, frame.timestamp_s, box is not None)
            letter = smoothed.letter
            confidence = smoothed.confidence if letter is not None else confidence
        return Recognition(frame, box, crop, letter, best, confidence, top, timings)

    def close(self) -> None:
        with self._lock:
            for locator in (self._locator, self._still_locator):
                if locator is not None:
                    locator.close()
            self._locator = self._still_locator = None

    def __enter__(self) -> Recognizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
