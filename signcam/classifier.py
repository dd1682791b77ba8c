"""Crops and landmarks in, letter probabilities out: the CNN, the landmark model and their fusion.

The recognizer (signcam.recognizer) composes this with a hand locator and times the stages; the
benchmarks use it directly to score probabilities without re-locating hands. No Qt here.

Usage:
    classifier = LetterClassifier(weights=None, device="cpu")   # the bundled weights
    probs = classifier.classify(crop_gray, box)                  # (24,), fused when box has landmarks
"""

from __future__ import annotations

import os

import numpy as np
import torch

from signcam.fusion import LANDMARK_SHARE, fuse_probabilities
from signcam.inference import inference_model
from signcam.landmarks import BUNDLED_LANDMARK_WEIGHTS, landmark_probabilities, load_landmark_model
from signcam.locate import Box
from signcam.preprocess import to_model_input
from signcam.weights import WeightsInfo, load_model, resolve_device

# Weights fine-tuned on the learner's own samples know that hand better than the landmark model does:
# fused at 0.7 they read a new signer's hand 84.4% right, at 0.2 100% for all five people of
# benchmarks/personal_finetune.py (0.0: 97.8%). The trainer writes this into such weights' metadata.
PERSONAL_LANDMARK_SHARE = 0.2


class LetterClassifier:
    """Loads the weights once (safetensors only); probabilities are softmax(logits / temperature), the
    temperature the trainer calibrated.

    On CPU it uses one thread: this CNN is too small to gain from more, and the app's capture and UI
    threads need the other cores. When a box carries landmarks and a landmark model is available
    (signcam.landmarks; the bundled one by default), its probabilities are fused with the CNN's,
    `landmark_share` to the landmarks (by default the weights' own `landmark_share` metadata, else
    LANDMARK_SHARE): the landmarks see the hand without the stranger's background and light.
    """

    device: torch.device
    info: WeightsInfo

    def __init__(
        self,
        weights: str | os.PathLike | None = None,
        *,
        device: str = "auto",
        landmark_weights: str | os.PathLike | None = None,
        landmark_share: float | None = None,
    ):
        self.device = resolve_device(device)
        if self.device.type == "cpu":
            torch.set_num_threads(1)
        self.model, self.info = load_model(weights, self.device)  # WeightsError for a bad file
        self._net = inference_model(self.model, self.device)
        self.letters = self.info.letters
        if landmark_share is None:  # the weights' own (fine-tuned weights carry a lower one), else the default
            landmark_share = float(self.info.metadata.get("landmark_share", LANDMARK_SHARE))
        self._landmarks = self._load_landmarks(landmark_weights, landmark_share)
        self.landmark_share = landmark_share if self._landmarks is not None else 0.0

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

    def probabilities(self, crops_gray: np.ndarray) -> np.ndarray:
        """(N, 24) calibrated CNN letter probabilities for (N, 28, 28) or (28, 28) uint8 crops."""
        with torch.inference_mode():
            x = to_model_input(crops_gray).to(self.device)
            logits = self._net(x)
            return torch.softmax(logits / self.info.temperature, dim=1).cpu().numpy()

    def landmark_probabilities(self, box: Box) -> np.ndarray | None:
        """(24,) calibrated probabilities of the landmark model, or None without landmarks or model."""
        if self._landmarks is None or box.landmarks is None:
            return None
        return landmark_probabilities(*self._landmarks, box.landmarks)

    def classify(self, crop_gray: np.ndarray, box: Box) -> np.ndarray:
        """(24,) probabilities of one hand: the CNN's on `crop_gray`, fused with the landmarks' of `box`."""
        probs = self.probabilities(crop_gray)[0]
        landmark_probs = self.landmark_probabilities(box)
        return probs if landmark_probs is None else fuse_probabilities(probs, landmark_probs, self.landmark_share)
