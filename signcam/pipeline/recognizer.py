"""Frames in, letters out: locate the hand, crop it Sign-MNIST style, run the letter models, fuse, smooth.

The one pipeline used by the GUI worker, `signcam predict` and the benchmarks. It is assembled from parts
that share small protocols: a HandLocator (signcam.pipeline.locate), letter models (signcam.models.letter_models), a
fuser
(signcam.pipeline.fusion) and the app's one Smoother (signcam.pipeline.smoothing), whose output travels inside every
`Recognition` of a stream. It takes objects, never strings: signcam.pipeline.builder.build_recognizer(config) makes
them, and tests pass fakes. No Qt here.

Usage:
    recognizer = build_recognizer(RecognitionConfig(roi="auto"), video=True)    # signcam.pipeline.builder
    rec = recognizer.step(frame)        # rec.letter is None when no hand, unsure or not yet settled
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from signcam.models.letter_models import LetterModel, weights_info
from signcam.pipeline.fusion import GeometricFuser
from signcam.pipeline.locate import Box, HandLocator
from signcam.pipeline.preprocess import crop_hand
from signcam.pipeline.smoothing import TOP_K, SmoothedLetter, Smoother
from signcam.pipeline.sources import Frame


@dataclass(frozen=True)
class Recognition:
    frame: Frame
    box: Box | None  # None = no hand found
    crop_gray: np.ndarray | None  # the (28, 28) uint8 the model saw
    # In a stream the next four are the smoother's (one probability vector, so they never disagree); for a still
    # image they are the image's own.
    letter: str | None  # top-1 above the threshold (in a stream: settled over recent frames), else None
    best_letter: str | None  # top-1 even when unsure (None without a hand)
    confidence: float  # probability of best_letter (0.0 without a hand)
    top: tuple[tuple[str, float], ...]  # top-3 (letter, p), empty without a hand
    timings_ms: dict[str, float] = field(default_factory=dict)  # "locate", "preprocess", "model", "smooth", "total"
    smoothed: SmoothedLetter | None = None  # the stream's smoother state (hold, confirm, no-hand time); None: still

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
    cost 0-2 points per signer (benchmarks/real_photos.py). `still_locator` makes, when first needed, the
    locator for still frames on a video recognizer (MediaPipe's tracking state from earlier frames would
    look for the hand where it was before); None: the stream's locator. Thread-safe: the recognition thread
    may swap the locator or change the threshold between two `step`s of another thread.
    """

    def __init__(
        self,
        locator: HandLocator,
        models: Sequence[LetterModel],
        fuser: GeometricFuser,
        smoother: Smoother,
        *,
        video: bool = True,
        still_locator: Callable[[], HandLocator] | None = None,
        mirror_left: bool = True,
    ):
        if not models:
            raise ValueError("a Recognizer needs at least one letter model")
        if len({tuple(model.letters) for model in models}) > 1:
            raise ValueError("the letter models read their letters in different orders; the fuser cannot mix them")
        self.models = list(models)
        self.fuser = fuser
        self.letters = self.models[0].letters
        self.video = video
        self.mirror_left = mirror_left
        self._smoother = smoother
        self._lock = threading.RLock()
        self._locator: HandLocator | None = locator
        self._make_still_locator = still_locator
        self._still_locator: HandLocator | None = None

    @property
    def device(self):
        """The device the models run on (the builder puts them all on one)."""
        return self.models[0].device

    @property
    def info(self):
        """The CNN weights' WeightsInfo (About and the status bar name the file), or None."""
        return weights_info(self.models)

    @property
    def threshold(self) -> float:
        return self._smoother.min_confidence

    @threshold.setter
    def threshold(self, value: float) -> None:
        self._smoother.min_confidence = value

    @property
    def roi(self) -> str:
        """The locating mode actually in use ("box" when "auto" fell back for lack of MediaPipe)."""
        return self._locator.mode if self._locator is not None else ""

    def set_locator(self, locator: HandLocator, still_locator: Callable[[], HandLocator] | None = None) -> None:
        """Locate with `locator` from the next frame on; the old ones are closed and the smoother forgets."""
        with self._lock:
            old = (self._locator, self._still_locator)
            self._locator, self._still_locator, self._make_still_locator = locator, None, still_locator
            self._smoother.reset()
        for old_locator in old:
            if old_locator is not None:
                old_locator.close()

    def _locator_for(self, still: bool) -> HandLocator:
        if self._locator is None:
            raise RuntimeError("the Recognizer is closed")
        if not (still and self.video and self._make_still_locator is not None):
            return self._locator
        if self._still_locator is None:
            self._still_locator = self._make_still_locator()
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
            probs = self.fuser.fuse({model.name: model.probabilities(crop, box) for model in self.models})
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
        if box is None:
            probs = None
        if frame.still or not self.video:
            if probs is None:
                return Recognition(frame, box, crop, None, None, 0.0, (), timings)
            order = np.argsort(probs)[::-1][:TOP_K]
            top = tuple((self.letters[i], float(probs[i])) for i in order)
            letter = top[0][0] if top[0][1] >= self.threshold else None
            return Recognition(frame, box, crop, letter, top[0][0], top[0][1], top, timings)
        with self._lock:
            smoothed = self._smoother.update(probs, frame.timestamp_s)
        best, confidence = smoothed.top[0] if smoothed.top else (None, 0.0)
        return Recognition(frame, box, crop, smoothed.letter, best, confidence, smoothed.top, timings, smoothed)

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
