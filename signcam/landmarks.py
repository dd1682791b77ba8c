"""The hand's 21 landmarks as a second view of the letter: features, a small MLP, and its weights file.

The CNN reads a 28x28 crop that also shows the stranger's room and light; the landmarks that MediaPipe
computes anyway when it locates the hand (`Box.landmarks`) show the hand's shape and nothing else. The
model is trained on landmarks extracted from the CC0 Sign-MNIST train rows (training/landmarks.py), and
the recognizer averages its probabilities with the CNN's (see `Recognizer`). Nothing here imports
MediaPipe: features are computed from points the locator already returned.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from signcam.assets_dir import ASSETS_DIR
from signcam.labels import LETTERS, NUM_CLASSES
from signcam.weights import WeightsError, load_tensors, read_metadata, write_safetensors

BUNDLED_LANDMARK_WEIGHTS = ASSETS_DIR / "landmarks.safetensors"
N_LANDMARKS = 21  # MediaPipe Hands: wrist, then 4 points per finger from thumb to little finger
N_FEATURES = 2 * N_LANDMARKS
MODEL_KIND = "landmarks"  # metadata "model" value that tells this file from the CNN's


def landmark_features(points_xy: np.ndarray, side: str | None) -> np.ndarray:
    """(21, 2) pixel coordinates -> (42,) float32 features, the same for any camera, distance and hand.

    Left hands are mirrored to right hands (Sign-MNIST's signers are mostly right-handed, and MediaPipe's
    handedness is right far more often than a mirror of the whole hand). The points are centred on the
    wrist and divided by the largest wrist distance. Rotation is kept on purpose: H and U, or G and P,
    differ mainly in which way the fingers point."""
    points = np.asarray(points_xy, np.float32)[:, :2]
    if points.shape != (N_LANDMARKS, 2):
        raise ValueError(f"expected ({N_LANDMARKS}, 2) landmarks, got shape {points.shape}")
    points = points - points[0]  # wrist at the origin
    if side == "left":
        points[:, 0] = -points[:, 0]
    scale = float(np.linalg.norm(points, axis=1).max())
    return (points / max(scale, 1e-6)).reshape(-1)  # (42,)


@dataclass(frozen=True)
class LandmarkConfig:
    num_classes: int = NUM_CLASSES  # 24 static letters, as the CNN
    hidden: int = 256  # units per hidden layer: validation 98.5% vs 97.6% at 128; ~0.3 MB file
    dropout: float = 0.2  # between the hidden layers; the train landmarks come from ~1,700 photos

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "LandmarkConfig":
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


class LandmarkNet(nn.Module):
    """Two hidden layers on the (N, 42) features -> (N, 24) logits."""

    def __init__(self, config: LandmarkConfig):
        super().__init__()
        self.config = config
        h = config.hidden
        self.layers = nn.Sequential(
            nn.Linear(N_FEATURES, h), nn.BatchNorm1d(h), nn.ReLU(inplace=True), nn.Dropout(config.dropout),
            nn.Linear(h, h), nn.BatchNorm1d(h), nn.ReLU(inplace=True), nn.Linear(h, config.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


@dataclass(frozen=True)
class LandmarkInfo:
    path: Path
    config: LandmarkConfig
    temperature: float  # logits are divided by this for calibrated confidence
    metadata: dict


def save_landmark_model(path: str | Path, model: LandmarkNet, metadata: dict | None = None) -> Path:
    """Atomically write the landmark model (safetensors + metadata, as the CNN's weights)."""
    meta = {"model": MODEL_KIND, "config": model.config.to_dict(), "letters": list(LETTERS), **(metadata or {})}
    return write_safetensors(path, model.state_dict(), meta)


def load_landmark_model(path: str | Path | None = None) -> tuple[LandmarkNet, LandmarkInfo]:
    """Load a landmark model (the bundled file by default) in eval mode on the CPU; WeightsError if unusable."""
    path = Path(path or BUNDLED_LANDMARK_WEIGHTS)
    meta = read_metadata(path)
    if meta.get("model") != MODEL_KIND or tuple(meta.get("letters", ())) != LETTERS:
        raise WeightsError(f"{path}: not a signcam landmark model for the letters {''.join(LETTERS)}")
    config = LandmarkConfig.from_dict(meta.get("config", {}))
    model = LandmarkNet(config)
    try:
        model.load_state_dict(load_tensors(path))
    except RuntimeError:
        raise WeightsError(f"{path}: tensors do not match the landmark model's configuration") from None
    info = LandmarkInfo(path, config, float(meta.get("temperature", 1.0)), meta)
    return model.eval(), info
