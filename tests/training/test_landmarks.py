"""Landmark trainer: augmentation keeps the normalisation and mirrors half the hands; a small run holds out
whole persons, fits the temperature on them and writes a model the app can load."""

from pathlib import Path

import numpy as np
import pytest
import torch

from signcam.models.landmarks import load_landmark_model, normalised
from training import landmarks as trainer
from training.landmarks import LandmarkTrainConfig, augmented, train_landmarks
from training.photos import PhotoSet

LETTER_HANDS = np.random.default_rng(1).uniform(0, 100, (24, 21, 2)).astype(np.float32)  # one "shape" per letter


def synthetic_set(name: str, persons: int, per_letter: int, seed: int) -> PhotoSet:
    """Each letter's shape, moved, scaled and jittered per photo; every person shows every letter, and the odd
    persons show it mirrored (left hands); every 25th photo has no hand."""
    rng = np.random.default_rng(seed)
    labels = np.tile(np.repeat(np.arange(24), per_letter), persons)
    person = np.repeat(np.arange(persons), 24 * per_letter)
    points = LETTER_HANDS[labels] * rng.uniform(0.5, 2, (len(labels), 1, 1)) + rng.uniform(0, 300, (len(labels), 1, 2))
    points += rng.normal(0, 1.0, points.shape)
    points[person % 2 == 1, :, 0] *= -1
    found = np.arange(len(labels)) % 25 != 0
    points[~found] = np.nan
    n = len(labels)
    return PhotoSet(name, np.array([f"{i}.jpg" for i in range(n)]), labels, np.array([f"s{p}" for p in person]),
                    np.array([f"src{p}" for p in person]), found, points.astype(np.float32),
                    np.full((n, 21), np.nan, np.float32), np.full((n, 21, 3), np.nan, np.float32),
                    found.astype(np.int8), np.zeros((n, 4), np.int32), np.zeros((n, 28, 28), np.uint8))


def test_augmented_keeps_wrist_at_origin_and_mirrors_about_half() -> None:
    points = torch.from_numpy(np.repeat(LETTER_HANDS[:1], 400, axis=0))
    out = augmented(points, LandmarkTrainConfig(rotate_deg=0, stretch=0, jitter=0), torch.Generator().manual_seed(0))
    assert torch.allclose(out[:, 0], torch.zeros(400, 2), atol=1e-6)
    base = normalised(points[:1])[0]
    flipped = torch.isclose(out[:, :, 0], -base[:, 0], atol=1e-5).all(dim=1)
    assert torch.isclose(out[~flipped], base, atol=1e-5).all()  # the rest are unchanged
    assert 150 < int(flipped.sum()) < 250
    plain = augmented(points, LandmarkTrainConfig(mirror=False, rotate_deg=0, stretch=0, jitter=0),
                      torch.Generator().manual_seed(0))
    assert torch.isclose(plain, base, atol=1e-5).all()


def test_small_run_holds_out_persons_and_writes_a_loadable_model(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sets = {"extra": synthetic_set("extra", 4, 3, 0), "real_dev": synthetic_set("real_dev", 2, 2, 1)}
    for name in sets:
        (tmp_path / name).mkdir()
        (tmp_path / name / "labels.csv").write_text("relative_path,letter\n")
    monkeypatch.setattr(trainer, "load_photo_set", lambda folder, cache_dir=None: sets[Path(folder).name])
    config = LandmarkTrainConfig(data=str(tmp_path), out=str(tmp_path / "lm.safetensors"), hidden=32, epochs=15,
                                 batch_size=32)
    _, metrics = train_landmarks(config)
    assert sorted(metrics["lopo_accuracy"]) == ["extra/src0", "extra/src1", "extra/src2", "extra/src3",
                                                "real_dev/src0", "real_dev/src1"]
    # Distinct shapes are learnable, and mirror-proof: persons 1 and 3 are mirrored, and the model learns both.
    assert metrics["lopo_extra_worst"] > 0.9 and metrics["lopo_all_mean"] > 0.9
    assert metrics["train_hands"] == int(sets["extra"].found.sum())
    model, info = load_landmark_model(config.out)
    assert info.config.hidden == 32 and info.temperature == metrics["temperature"] > 0


def test_main_refuses_a_folder_without_extra(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert trainer.main(["--data", str(tmp_path)]) == 2
    assert "extra/labels.csv" in capsys.readouterr().err


def test_turning_in_3d_uses_depth_and_keeps_the_wrist() -> None:
    """Yaw 90 deg shows the hand edge-on (x becomes the depth), pitch 90 deg from above (y becomes minus the
    depth); no turn leaves the points as they are, and the random turn stays within its bounds."""
    import math

    import torch

    from training.landmarks import turned, turned_in_3d

    points = torch.rand(3, 21, 2) * 100
    points[:, 0] = 0  # the wrist at the origin
    z = torch.rand(3, 21) * 50
    z[:, 0] = 0
    none, quarter = torch.zeros(3), torch.full((3,), math.pi / 2)
    assert torch.allclose(turned(points, z, none, none), points, atol=1e-4)
    assert torch.allclose(turned(points, z, quarter, none), torch.stack([z, points[..., 1]], 2), atol=1e-3)
    assert torch.allclose(turned(points, z, none, quarter), torch.stack([points[..., 0], -z], 2), atol=1e-3)
    gen = torch.Generator().manual_seed(0)
    small = turned_in_3d(points, z, LandmarkTrainConfig(yaw_deg=5, pitch_deg=5), gen)
    assert (small - points).abs().max() < 0.1 * 150  # a 5 deg turn moves a point by less than a tenth of its reach


def test_person_folds_keep_each_person_in_one_fold() -> None:
    persons = np.array([f"extra/p{i % 10}" for i in range(200)])
    grouped = trainer.person_folds(persons, 3)
    assert sorted(set(grouped)) == [0, 1, 2]
    assert all(len(set(grouped[persons == p])) == 1 for p in set(persons))
    assert len(set(trainer.person_folds(persons, 0))) == 10  # one fold per person
