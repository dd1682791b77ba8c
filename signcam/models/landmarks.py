"""The hand's 21 landmarks as a second view of the letter: features, a small MLP, and its weights file.

The CNN reads a 28x28 crop that also shows the stranger's room and light; the landmarks that MediaPipe
computes anyway when it locates the hand (`Box.landmarks`) show the hand's shape and nothing else. The
model is trained on the landmarks of many real signers (training/landmarks.py), and the recognizer combines
its probabilities with the CNN's (signcam.pipeline.fusion). Nothing here imports MediaPipe: features are computed from
points the locator already returned.

Mirror-proof: a fingerspelled letter is the same letter in a mirror (left-handed signers, selfie cameras, G and
H pointing either way), so the model is trained on randomly mirrored hands and `letter_probabilities` averages
the hand and its mirror image (geometric mean). MediaPipe's handedness is not used: it is unreliable on
sideways letters, and with both views it does not matter. Leave one person out over extra/'s 17 persons and
real_dev's 5 (training/landmarks.py; one seed): mirroring + both views 0.871 mean over extra persons (worst
0.742) and 0.950 on real_dev, vs 0.858 (worst 0.722) and 0.941 for the old left-to-right canonicalisation.
Features tried the same way (mean over the 22 persons): points 0.889, + fingertip/joint distances 0.889,
+ bone directions and joint angles 0.890, all of them 0.887; adding MediaPipe's z (+0.1 extra, -1.8 real_dev)
or distances between its world landmarks (-0.3, -2.6) did not help. Seeds move these by about +-1 point. Measured
again on extra/ + extra2/ + extra3/ (issue 30, training/landmarks.py): the coach's depth features from the world
landmarks, or the world points in a palm frame, lower the mean over held-out persons by 1-2.4 points.
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from signcam.labels import LETTERS, NUM_CLASSES
from signcam.pipeline.locate import N_LANDMARKS
from signcam.store.assets_dir import ASSETS_DIR
from signcam.store.weights import (
    MAX_TEMPERATURE,
    WeightsError,
    expected_tensors,
    load_tensors,
    metadata_number,
    read_metadata,
    write_safetensors,
)

BUNDLED_LANDMARK_WEIGHTS = ASSETS_DIR / "landmarks.safetensors"
MODEL_KIND = "landmarks"  # metadata "model" value that tells this file from the CNN's
# Points whose pairwise distances are features: the wrist and each finger's base, middle joint and tip (16 points,
# 120 distances). Distances do not change when the hand turns, so they carry the shape apart from the pose.
DISTANCE_POINTS = (0, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18, 20)
FEATURE_SETS = ("xy", "xy+dist")  # LandmarkConfig.features values


def normalised(points: torch.Tensor) -> torch.Tensor:
    """(N, 21, 2) points -> wrist at the origin, largest wrist distance 1: the same for any camera and distance."""
    points = points - points[:, :1]
    return points / points.norm(dim=2).amax(dim=1).clamp_min(1e-6).view(-1, 1, 1)


def landmark_features(points: torch.Tensor, features: str = "xy+dist") -> torch.Tensor:
    """(N, 21, 2) pixel points -> (N, F) float32 features. "xy": the normalised points (42); "xy+dist": plus the
    distances between DISTANCE_POINTS (+120). Rotation is kept in "xy" on purpose: H and U, or G and P,
    differ mainly in which way the fingers point."""
    if points.ndim != 3 or points.shape[1:] != (N_LANDMARKS, 2):
        raise ValueError(f"expected (N, {N_LANDMARKS}, 2) landmarks, got shape {tuple(points.shape)}")
    if features not in FEATURE_SETS:
        raise ValueError(f"unknown landmark features {features!r}; choose from {', '.join(FEATURE_SETS)}")
    p = normalised(points.float())
    parts = [p.flatten(1)]  # (N, 42)
    if features == "xy+dist":
        key = p[:, DISTANCE_POINTS]  # (N, 16, 2)
        rows, cols = torch.triu_indices(len(DISTANCE_POINTS), len(DISTANCE_POINTS), 1, device=p.device)
        parts.append(torch.cdist(key, key)[:, rows, cols])  # (N, 120)
    return torch.cat(parts, dim=1)


def mirrored(points: torch.Tensor) -> torch.Tensor:
    """The same hands seen in a mirror (x negated; features are translation-free, so no width is needed)."""
    return points * torch.tensor([-1.0, 1.0], dtype=points.dtype, device=points.device)


def feature_count(features: str) -> int:
    return landmark_features(torch.zeros(1, N_LANDMARKS, 2), features).shape[1]


@dataclass(frozen=True)
class LandmarkConfig:
    num_classes: int = NUM_CLASSES  # 24 static letters, as the CNN
    features: str = "xy+dist"  # one of FEATURE_SETS (chosen leave-one-signer-out, training/landmarks.py)
    hidden: int = 256  # units per hidden layer
    dropout: float = 0.2  # after each hidden layer

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "LandmarkConfig":
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})


class LandmarkNet(nn.Module):
    """Two hidden layers on the (N, F) features -> (N, 24) logits."""

    def __init__(self, config: LandmarkConfig):
        super().__init__()
        self.config = config
        h = config.hidden
        self.layers = nn.Sequential(
            nn.Linear(feature_count(config.features), h), nn.BatchNorm1d(h), nn.ReLU(inplace=True),
            nn.Dropout(config.dropout),
            nn.Linear(h, h), nn.BatchNorm1d(h), nn.ReLU(inplace=True), nn.Dropout(config.dropout),
            nn.Linear(h, config.num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def both_views_logits(model: LandmarkNet, points: torch.Tensor) -> torch.Tensor:
    """(N, 21, 2) points -> (N, 24) logits, the mean of the hand's and its mirror's: exactly the same for a hand
    and its mirror image. softmax of the mean is the renormalised geometric mean of the two views' softmax."""
    both = torch.cat([points, mirrored(points)])  # (2N, 21, 2)
    logits = model(landmark_features(both, model.config.features))  # (2N, 24)
    return (logits[: len(points)] + logits[len(points) :]) / 2  # (N, 24)


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
    temperature = metadata_number(meta, "temperature", 1.0, 0.0, MAX_TEMPERATURE, path)
    try:
        config = LandmarkConfig.from_dict(meta.get("config", {}))
        with torch.device("meta"):  # shapes only, compared with the file's header before anything is allocated
            expected = expected_tensors(LandmarkNet(config))
    except (RuntimeError, ValueError, TypeError, KeyError):
        raise WeightsError(f"{path}: its landmark model configuration cannot be used") from None
    tensors = load_tensors(path, expected)
    model = LandmarkNet(config)
    model.load_state_dict(tensors)
    info = LandmarkInfo(path, config, temperature, meta)
    return model.eval(), info


def landmark_probabilities(model: LandmarkNet, temperature: float, points_xy: np.ndarray) -> np.ndarray:
    """(21, 2) pixel landmarks of one hand -> (24,) calibrated letter probabilities (both views), computed on the
    model's device; only the probabilities come back to the host."""
    device = next(model.parameters()).device
    with torch.inference_mode():
        points = torch.from_numpy(np.asarray(points_xy, np.float32)[:, :2]).unsqueeze(0)  # (1, 21, 2)
        logits = both_views_logits(model, points.to(device, non_blocking=True))  # (1, 24)
        return torch.softmax(logits / temperature, dim=1)[0].cpu().numpy()
