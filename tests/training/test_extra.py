"""training.extra: extra/'s photos join training by person, and validation holds out whole people."""

from pathlib import Path

import numpy as np
import pytest

from signcam.store.weights import read_info
from tests.training.conftest import synthetic_rows
from training import extra as extra_module
from training.config import TrainConfig
from training.extra import load_extra, split_persons
from training.photos import PhotoSet, person_of, sample_rows
from training.train import DRY_RUN_PHOTOS, train

SIGNERS = ["ann_s1", "ann_s2", "bob_s1", "cat_s1", "dan_lighthand", "dan_darkhand"]


def fake_photo_set(folder: Path, per_signer: int = 24, sample: int | None = None) -> PhotoSet:
    """A PhotoSet of random crops, `per_signer` photos for each of SIGNERS, the last one of each not found
    (`sample` of them as load_photo_set samples)."""
    rng = np.random.default_rng(0)
    signers = np.repeat(SIGNERS, per_signer)
    n = len(signers)
    found = np.ones(n, bool)
    found[per_signer - 1 :: per_signer] = False
    photos = PhotoSet(name=folder.name, paths=np.array([f"{i}.jpg" for i in range(n)]), labels=np.arange(n) % 24,
                      signers=signers, sources=np.array(["repo"] * n), found=found,
                      points=np.zeros((n, 21, 2), np.float32), z=np.zeros((n, 21), np.float32),
                      world=np.zeros((n, 21, 3), np.float32), sides=np.zeros(n, np.int8),
                      boxes=np.zeros((n, 4), np.int32), crops=rng.integers(0, 256, (n, 28, 28), dtype=np.uint8))
    return photos.subset(sample_rows(n, sample))


@pytest.fixture
def data_dir(tmp_path: Path, write_csv, monkeypatch: pytest.MonkeyPatch) -> Path:
    """train.csv and test.csv with an extra/ folder beside them (its photos faked: no MediaPipe needed)."""
    write_csv("train.csv", synthetic_rows(96, seed=1))
    write_csv("test.csv", synthetic_rows(48, seed=2))
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "labels.csv").write_text("relative_path,letter,source_id,signer_id\n")
    monkeypatch.setattr(extra_module, "load_photo_set", fake_photo_set)
    return tmp_path


def test_sessions_of_one_person_are_one_person() -> None:
    assert [person_of(s) for s in SIGNERS] == ["ann", "ann", "bob", "cat", "dan_lighthand", "dan_darkhand"]


def test_split_holds_out_whole_people() -> None:
    persons = np.array([person_of(s) for s in np.repeat(SIGNERS, 3)])
    held = split_persons(persons, 0.4, seed=0)
    held_people, kept_people = set(persons[held]), set(persons[~held])
    assert len(held_people) == 2 and not held_people & kept_people
    assert not split_persons(persons, 0.0, seed=0).any()


def test_load_extra_keeps_found_hands_and_separates_people(data_dir: Path) -> None:
    fit, val, val_persons = load_extra(data_dir / "extra", 0.4, seed=0)
    assert len(fit) + len(val) == len(SIGNERS) * 23  # one photo per signer had no hand
    fit_rows = {img.tobytes() for img in fit.images}
    assert len(val) and not any(img.tobytes() in fit_rows for img in val.images)
    assert len(set(val_persons)) == 2


def test_training_adds_extra_and_reports_held_out_people(data_dir: Path, tmp_path: Path) -> None:
    config = TrainConfig(train_csv=str(data_dir / "train.csv"), test_csv=str(data_dir / "test.csv"), epochs=2,
                         width=8, batch_size=32, extra_val_persons=0.4, out=str(tmp_path / "w.safetensors"))
    inspected = []
    result = train(config, inspect=lambda epoch, model: inspected.append(epoch), inspect_every=2)
    assert all(h.val_signers_acc is not None for h in result.history)
    assert 1.0 in inspected and 2.0 in inspected and any(0 < e < 1 for e in inspected)  # mid-epoch traces too
    meta = read_info(result.weights_path).metadata
    assert meta["seconds_per_1000_images"] > 0 and meta["threads"] >= 1 and "val_signers_accuracy" in meta
    assert meta["training_rows"] > 72  # the CSV split alone has 72 rows (24 of 96 validate); extra/ adds more

    without = train(TrainConfig(**{**config.__dict__, "extra": False, "out": ""}))
    assert all(h.val_signers_acc is None for h in without.history)


def test_dry_run_samples_extra_and_runs_one_batch(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    """A dry run asks for a sample of extra/'s photos (not the ~20 minutes of locating all of them), trains one
    batch, says "dry run" rather than "epoch 1/16", and writes nothing."""
    asked = []

    def spy(folder: Path, sample: int | None = None) -> PhotoSet:
        asked.append(sample)
        return fake_photo_set(folder, sample=sample)

    monkeypatch.setattr(extra_module, "load_photo_set", spy)
    out = tmp_path / "w.safetensors"
    config = TrainConfig(train_csv=str(data_dir / "train.csv"), test_csv=str(data_dir / "test.csv"), width=8,
                         batch_size=8, extra_val_persons=0.4, out=str(out), dry_run=True)
    with caplog.at_level("INFO", logger="signcam.train"):
        result = train(config)
    assert asked == [DRY_RUN_PHOTOS]
    assert [(h.epoch, h.epochs) for h in result.history] == [(1, 1)]
    assert "dry run: one batch of epoch 1/1" in caplog.text and "epoch 1/16" not in caplog.text
    assert not out.exists() and result.weights_path is None


def test_sample_rows_spreads_over_the_set() -> None:
    assert sample_rows(5, None).tolist() == [0, 1, 2, 3, 4] and sample_rows(5, 9).tolist() == [0, 1, 2, 3, 4]
    assert sample_rows(100, 4).tolist() == [0, 33, 66, 99]
    assert len(fake_photo_set(Path("extra"), sample=10)) == 10
