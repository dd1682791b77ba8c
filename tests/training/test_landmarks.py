"""Landmark trainer: augmentation keeps the features' normalisation; a cached extraction is reused and
a small run trains, calibrates and writes a model the app can load."""

from pathlib import Path

import numpy as np
import torch

from signcam.landmarks import landmark_features, load_landmark_model
from tests.training.conftest import synthetic_rows
from training.data import load_csv
from training.landmarks import LandmarkTrainConfig, augment_features, cached_landmarks, train_landmarks

LETTER_HANDS = np.random.default_rng(1).uniform(0, 28, (24, 21, 2)).astype(np.float32)  # one "shape" per letter


def fake_cache(data, cache_dir: Path) -> None:
    """What `cached_landmarks` would write, without MediaPipe: each letter's shape plus a little noise,
    and no hand in every tenth row."""
    rng = np.random.default_rng(0)
    points = LETTER_HANDS[data.labels] + rng.normal(0, 0.3, (len(data), 21, 2)).astype(np.float32)
    sides = np.ones(len(data), np.int8)
    sides[::10] = 0
    points[sides == 0] = np.nan
    np.savez_compressed(cache_dir / f"landmarks-{data.sha256[:16]}-{len(data)}.npz", points=points, side=sides)


def test_augment_features_keep_wrist_at_origin_and_unit_size() -> None:
    x = torch.from_numpy(np.stack([landmark_features(p, "right") for p in LETTER_HANDS]))
    out = augment_features(x, LandmarkTrainConfig(), torch.Generator().manual_seed(0)).view(24, 21, 2)
    assert torch.allclose(out[:, 0], torch.zeros(24, 2), atol=1e-6)
    assert torch.allclose(out.norm(dim=2).amax(dim=1), torch.ones(24), atol=1e-5)
    assert not torch.allclose(out.reshape(24, -1), x, atol=1e-3)


def test_small_run_uses_the_cache_and_writes_a_loadable_model(write_csv, tmp_path: Path) -> None:
    train_csv = write_csv("train.csv", synthetic_rows(480))
    test_csv = write_csv("test.csv", synthetic_rows(96, seed=1))
    for path in (train_csv, test_csv):
        fake_cache(load_csv(path), tmp_path)
    points, sides = cached_landmarks(load_csv(train_csv), tmp_path)  # read back, no MediaPipe
    assert points.shape == (480, 21, 2) and (sides > 0).sum() == 432
    config = LandmarkTrainConfig(train_csv=str(train_csv), test_csv=str(test_csv), out=str(tmp_path / "lm.safetensors"),
                                 cache_dir=str(tmp_path), hidden=32, epochs=15)
    _, metrics = train_landmarks(config)
    assert metrics["test_found"] == 86 / 96 and metrics["test_accuracy_found"] > 0.9  # distinct shapes are learnable
    model, info = load_landmark_model(config.out)
    assert info.config.hidden == 32 and info.temperature == metrics["temperature"]
