"""Frames in, letters out: locate the hand, crop it Sign-MNIST style, run the CNN, time each stage.

The one pipeline used by the GUI worker, `signcam predict` and the benchmarks. No Qt here.

Usage:
    recognizer = Recognizer(roi="auto")
    rec = recognizer.step(frame)        # rec.letter is None when no hand or unsure
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from signcam.inference import inference_model
from signcam.landmarks import BUNDLED_LANDMARK_WEIGHTS, landmark_features, load_landmark_model
from signcam.locate import ROI_MODES, Box, HandLocator, make_locator
from signcam.preprocess import crop_hand, to_model_input
from signcam.sources import Frame
from signcam.weights import WeightsInfo, load_model, resolve_device

TOP_K = 3
# Share of the landmark model in the combined probabilities, where the locator gave landmarks. Chosen leave
# one person out on real_dev (benchmarks/real_photos.py --lopo; picks per held-out signer in benchmarks/README.md).
LANDMARK_SHARE = 0.7
# Weights fine-tuned on the learner's own samples know that hand better than the landmark model does:
# fused at 0.7 they read a new signer's hand 84.4% right, at 0.2 100% for all five people of
# benchmarks/personal_finetune.py (0.0: 97.8%). The trainer writes this into such weights' metadata.
PERSONAL_LANDMARK_SHARE = 0.2


@dataclass(frozen=True)
class Recognition:
    frame: Frame | None
    box: Box | None  # None = no hand found
    crop_gray: np.ndarray | None  # the (28, 28) uint8 the model saw
    letter: str | None  # None when no hand or unsure (below threshold)
    best_letter: str | None  # top-1 even when unsure (None only if no hand)
    confidence: float  # probability of best_letter (0.0 if no hand)
    top: tuple[tuple[str, float], ...]  # top-3 (letter, p), empty if no hand
    timings_ms: dict[str, float] = field(default_factory=dict)  # "locate", "preprocess", "model", "total"

    @property
    def hand_found(self) -> bool:
        return self.box is not None

    @property
    def unsure(self) -> bool:
        """A hand was found but the best letter is below the threshold."""
        return self.box is not None and self.letter is None


def fuse_probabilities(cnn: np.ndarray, landmarks: np.ndarray, share: float) -> np.ndarray:
    """Weighted geometric mean of two (24,) probability vectors, renormalised; `share` goes to `landmarks`.
    Unlike an arithmetic mean, two models that agree reinforce each other, and a disagreement lowers the
    confidence toward "unsure" (benchmarks/README.md compares the two)."""
    log_p = (1.0 - share) * np.log(np.maximum(cnn, 1e-12)) + share * np.log(np.maximum(landmarks, 1e-12))
    fused = np.exp(log_p - log_p.max())
    return fused / fused.sum()


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class Recognizer:
    """Loads the weights once (safetensors only) and runs the pipeline on frames or images.

    On CPU it uses one thread: this CNN is too small to gain from more, and the app's capture and UI
    threads need the other cores. Probabilities are softmax(logits / temperature), the temperature
    the trainer calibrated. `mirror_left` flips hands that look like left hands so they look like the
    right hands Sign-MNIST shows: on real_dev/longhongvo23 (mirrored selfie frames, 279 of 283 hands
    "left") top-1 goes from 0.05 to 0.41; MediaPipe's rare handedness errors on sign_mnist_sources
    (6 of 324, all right hands) cost 0-2 points per signer (benchmarks/real_photos.py). When the locator
    gives landmarks and a landmark model is available (signcam.landmarks; the bundled one by default),
    its probabilities are averaged with the CNN's, `landmark_share` to the landmarks (by default the
    weights' own `landmark_share` metadata, else LANDMARK_SHARE): the landmarks see the hand without the
    stranger's background and light. Thread-safe: the GUI may change `roi` or
    `threshold` while a worker thread calls `step`.
    """

    device: torch.device
    info: WeightsInfo

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
        self.device = resolve_device(device)
        if self.device.type == "cpu":
            torch.set_num_threads(1)
        self.model, self.info = load_model(weights, self.device)  # WeightsError for a bad file
        self._net = inference_model(self.model, self.device)
        self.letters = self.info.letters
        self.threshold = threshold
        self.video = video
        self.mirror_left = mirror_left
        if landmark_share is None:  # the weights' own (fine-tuned weights carry a lower one), else the default
            landmark_share = float(self.info.metadata.get("landmark_share", LANDMARK_SHARE))
        self._landmarks = self._load_landmarks(landmark_weights, landmark_share)
        self.landmark_share = landmark_share if self._landmarks is not None else 0.0
        self._locator_options = dict(locator_options or {})
        self._lock = threading.RLock()
        self._locator: HandLocator | None = None
        self._still_locator: HandLocator | None = None  # for recognize() on a video recognizer; made lazily
        self.roi = roi

    @staticmethod
    def _load_landmarks(path: str | os.PathLike | None, share: float) -> tuple[torch.nn.Module, float] | None:
        """(landmark model, its temperature), or None when unused: share 0, or no bundled file (an
        explicitly named file must load)."""
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"landmark_share must be in [0, 1], got {share}")
        if share == 0.0 or (path is None and not BUNDLED_LANDMARK_WEIGHTS.exists()):
            return None
        model, info = load_landmark_model(path)
        return model, info.temperature

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

    def _crop(self, image_bgr: np.ndarray, box: Box) -> np.ndarray:
        return crop_hand(image_bgr, box, mirror=self.mirror_left and box.side == "left")

    def probabilities(self, crops_gray: np.ndarray) -> np.ndarray:
        """(N, 24) calibrated letter probabilities for (N, 28, 28) or (28, 28) uint8 crops."""
        with torch.inference_mode():
            x = to_model_input(crops_gray).to(self.device)
            logits = self._net(x)
            return torch.softmax(logits / self.info.temperature, dim=1).cpu().numpy()

    def landmark_probabilities(self, box: Box) -> np.ndarray | None:
        """(24,) calibrated probabilities of the landmark model, or None without landmarks or model."""
        if self._landmarks is None or box.landmarks is None:
            return None
        model, temperature = self._landmarks
        with torch.inference_mode():
            x = torch.from_numpy(landmark_features(box.landmarks, box.side)).unsqueeze(0)  # (1, 42)
            return torch.softmax(model(x) / temperature, dim=1)[0].numpy()

    def _fused(self, probs: np.ndarray, box: Box) -> np.ndarray:
        landmark_probs = self.landmark_probabilities(box)
        return probs if landmark_probs is None else fuse_probabilities(probs, landmark_probs, self.landmark_share)

    def _result(
        self, frame: Frame | None, box: Box | None, crop: np.ndarray | None, probs: np.ndarray | None, timings: dict
    ) -> Recognition:
        if box is None or probs is None:
            return Recognition(frame, None, None, None, None, 0.0, (), timings)
        order = np.argsort(probs)[::-1][:TOP_K]
        top = tuple((self.letters[i], float(probs[i])) for i in order)
        best, confidence = top[0]
        letter = best if confidence >= self.threshold else None
        return Recognition(frame, box, crop, letter, best, confidence, top, timings)

    def step(self, frame: Frame) -> Recognition:
        """Recognise one frame of a stream (tracking mode if the recognizer was made with video=True)."""
        return self._recognize(frame.image_bgr, frame)

    def recognize(self, image_bgr: np.ndarray) -> Recognition:
        """Recognise one image that is not part of a stream (`frame` of the result is None)."""
        return self._recognize(image_bgr, None)

    def _recognize(self, image_bgr: np.ndarray, frame: Frame | None) -> Recognition:
        start = time.perf_counter()
        with self._lock:
            t = time.perf_counter()
            box = self._locator_for(still=frame is None).locate(image_bgr)
            timings = {"locate": _ms(t)}
        crop = probs = None
        if box is not None:
            t = time.perf_counter()
            crop = self._crop(image_bgr, box)
            timings["preprocess"] = _ms(t)
            t = time.perf_counter()
            probs = self._fused(self.probabilities(crop)[0], box)
            timings["model"] = _ms(t)
        else:
            timings.update(preprocess=0.0, model=0.0)
        timings["total"] = _ms(start)
        return self._result(frame, box, crop, probs, timings)

    def recognize_batch(self, images_bgr: Sequence[np.ndarray]) -> list[Recognition]:
        """Recognise many independent images with one model call; per-image `model` time is the
        batch's time divided by the number of hands found."""
        boxes, crops, timings = [], [], []
        for image in images_bgr:
            start = time.perf_counter()
            with self._lock:
                box = self._locator_for(still=True).locate(image)
            t = time.perf_counter()
            locate_ms = (t - start) * 1000.0
            crop = self._crop(image, box) if box is not None else None
            boxes.append(box)
            crops.append(crop)
            timings.append({"locate": locate_ms, "preprocess": _ms(t) if box is not None else 0.0})
        found = [i for i, c in enumerate(crops) if c is not None]
        probs: dict[int, np.ndarray] = {}
        if found:
            t = time.perf_counter()
            batch_probs = self.probabilities(np.stack([crops[i] for i in found]))
            model_ms = _ms(t) / len(found)
            probs = {i: self._fused(p, boxes[i]) for i, p in zip(found, batch_probs, strict=True)}
        results = []
        for i, timing in enumerate(timings):
            timing["model"] = model_ms if i in probs else 0.0
            timing["total"] = timing["locate"] + timing["preprocess"] + timing["model"]
            results.append(self._result(None, boxes[i], crops[i], probs.get(i), timing))
        return results

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
