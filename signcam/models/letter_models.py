"""Letter models: a hand's crop and box in, the 24 letters' probabilities (or None) out, each on its own device.

The recognizer calls every model it was given and fuses what they return (signcam.pipeline.fusion); it knows nothing
about what a model reads. A new model is one class with `name`, `device`, `letters` and `probabilities`, plus
one line in signcam.pipeline.builder's LETTER_MODELS. No Qt here.

Usage:
    cnn = CnnModel(weights=None, device=torch.device("cpu"))    # the bundled weights
    probs = cnn.probabilities(crop_gray, box)                    # (24,) calibrated
"""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np
import torch

from signcam.models.inference import inference_model
from signcam.models.landmarks import both_views_logits, landmark_probabilities, load_landmark_model
from signcam.pipeline.locate import Box
from signcam.pipeline.preprocess import to_model_input
from signcam.store.weights import WeightsInfo, load_model


class LetterModel(Protocol):
    name: str  # its key in the config's fusion shares
    device: torch.device  # where it runs; it moved itself there once
    letters: tuple[str, ...]  # the order of its probabilities

    def probabilities(self, crop_gray: np.ndarray, box: Box) -> np.ndarray | None:
        """(len(letters),) probabilities for one hand, or None when this model cannot read it."""
        ...


class CnnModel:
    """The 28x28 CNN (signcam.models.model) on the Sign-MNIST-style crop; probabilities are softmax(logits /
    temperature), the temperature the trainer calibrated. Weights load once (safetensors only)."""

    name = "cnn"

    def __init__(self, weights: str | os.PathLike | None, device: torch.device):
        self.device = device
        self.model, self.info = load_model(weights, device)  # WeightsError for a bad file
        self._net = inference_model(self.model, device)
        self.letters = self.info.letters

    @property
    def personal(self) -> bool:
        """True for weights fine-tuned on the learner's own samples (the trainer records the folder)."""
        return bool(self.info.metadata.get("train_config", {}).get("personal_dir"))

    @property
    def personal_letters(self) -> dict[str, int]:
        """{letter: the learner's samples it was fine-tuned on} (the trainer records them); {} for other weights,
        and for personal weights from before it did: nothing says which letters they learnt."""
        counts = self.info.metadata.get("personal_letters")
        if not isinstance(counts, dict):
            return {}
        return {letter: n for letter, n in counts.items() if letter in self.letters and isinstance(n, int) and n > 0}

    def batch_probabilities(self, crops_gray: np.ndarray) -> np.ndarray:
        """(N, 24) calibrated probabilities for (N, 28, 28) or (28, 28) uint8 crops: one upload, one download."""
        with torch.inference_mode():
            x = to_model_input(crops_gray).to(self.device, non_blocking=True)  # (N, 1, 28, 28)
            logits = self._net(x)
            return torch.softmax(logits / self.info.temperature, dim=1).cpu().numpy()

    def probabilities(self, crop_gray: np.ndarray, box: Box) -> np.ndarray:
        return self.batch_probabilities(crop_gray)[0]


class LandmarkModel:
    """The MLP on the hand's 21 landmarks (signcam.models.landmarks); None for a box without landmarks (box and full
    locating modes)."""

    name = "landmarks"

    def __init__(self, weights: str | os.PathLike | None, device: torch.device):
        self.device = device
        model, self.info = load_landmark_model(weights)  # WeightsError for a bad file
        self.model = model.to(device)
        self.letters = tuple(self.info.metadata["letters"])

    def batch_probabilities(self, points: np.ndarray) -> np.ndarray:
        """(N, 24) calibrated probabilities for (N, 21, 2) pixel landmarks (both views, as `probabilities`)."""
        with torch.inference_mode():
            x = torch.from_numpy(np.asarray(points, np.float32)[..., :2]).to(self.device)
            return torch.softmax(both_views_logits(self.model, x) / self.info.temperature, dim=1).cpu().numpy()

    def probabilities(self, crop_gray: np.ndarray, box: Box) -> np.ndarray | None:
        if box.landmarks is None:
            return None
        return landmark_probabilities(self.model, self.info.temperature, box.landmarks)


def weights_info(models: list[LetterModel]) -> WeightsInfo | None:
    """The CNN weights' info among `models` (About and the status bar name that file), else None."""
    return next((m.info for m in models if isinstance(getattr(m, "info", None), WeightsInfo)), None)
