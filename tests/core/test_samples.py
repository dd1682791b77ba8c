"""Personal samples on disk and the adopted-weights history: both Qt-free, both in tmp folders."""

import numpy as np
import pytest

from signcam.models.model import ModelConfig, build_model
from signcam.store.samples import SampleError, SampleStore
from signcam.store.user_weights import KEEP_VERSIONS, WeightsHistory
from signcam.store.weights import WeightsError, read_info, save_weights


def _crop(value: int) -> np.ndarray:
    return np.full((28, 28), value, np.uint8)


def test_added_samples_survive_a_reopen_with_counts_and_pixels(tmp_path):
    store = SampleStore(tmp_path)
    store.add("a", _crop(10), np.zeros((50, 40, 3), np.uint8))
    store.add("B", _crop(20))
    reopened = SampleStore(tmp_path)
    images, labels = reopened.arrays()
    assert reopened.counts()["A"] == 1 and reopened.counts()["B"] == 1 and sum(reopened.counts().values()) == 2
    assert labels.tolist() == [0, 1] and images[0, 0, 0] == 10 and images[1, 5, 5] == 20
    assert reopened.samples("A")[0].hand_path.exists() and not reopened.samples("B")[0].hand_path.exists()


def test_landmarks_are_kept_with_the_sample_and_older_rows_have_none(tmp_path):
    """The Retrain report reads a held-back sample with both models, as the app reads the learner's hand."""
    store, crop = SampleStore(tmp_path), np.zeros((28, 28), np.uint8)
    points = np.random.default_rng(0).uniform(0, 640, (21, 3))  # x, y and the locator's depth
    store.add("L", crop, landmarks=points)
    store.add("A", crop)  # captured without landmarks (box mode, or a store from before they were kept)
    reopened = SampleStore(tmp_path).landmarks()
    assert reopened.shape == (2, 21, 2) and np.allclose(reopened[0], points[:, :2], atol=0.05)
    assert np.isnan(reopened[1]).all()
    old = SampleStore(tmp_path / "old")
    sample = old.add("B", crop)
    (old.root / "labels.csv").write_text(f"id,letter,captured_unix_s\n{sample.id},B,1.0\n")  # before landmarks
    assert len(SampleStore(old.root)) == 1 and np.isnan(SampleStore(old.root).landmarks()).all()


def test_delete_removes_the_row_and_the_files(tmp_path):
    store = SampleStore(tmp_path)
    keep, gone = store.add("C", _crop(1)), store.add("C", _crop(2), np.zeros((9, 9, 3), np.uint8))
    assert store.delete([gone.id]) == 1
    assert not gone.crop_path.exists() and not gone.hand_path.exists() and keep.crop_path.exists()
    assert [s.id for s in SampleStore(tmp_path).samples()] == [keep.id]


def test_motion_letters_and_wrong_shapes_are_refused(tmp_path):
    store = SampleStore(tmp_path)
    with pytest.raises(ValueError, match="static letters"):
        store.add("J", _crop(0))
    with pytest.raises(SampleError, match="28, 28"):
        store.add("A", np.zeros((20, 20), np.uint8))
    assert len(store) == 0


def test_a_row_whose_png_was_deleted_by_hand_is_skipped(tmp_path):
    store = SampleStore(tmp_path)
    store.add("D", _crop(3)).crop_path.unlink()
    store.add("E", _crop(4))
    assert [s.letter for s in SampleStore(tmp_path).samples()] == ["E"]


def test_adopt_keeps_the_newest_versions_and_their_reports(tmp_path):
    history = WeightsHistory(tmp_path)
    adopted = []
    for _ in range(KEEP_VERSIONS + 2):
        candidate = save_weights(history.new_candidate_path(), build_model(ModelConfig(width=4)))
        candidate.with_suffix(".report.json").write_text("{}")
        adopted.append(history.adopt(candidate))
    assert history.versions() == adopted[::-1][:KEEP_VERSIONS]
    assert not adopted[0].exists() and adopted[-1].with_suffix(".report.json").exists()
    assert read_info(adopted[-1]).config.width == 4 and list(history.candidates_dir.iterdir()) == []


def test_adopting_a_broken_candidate_moves_nothing(tmp_path):
    history = WeightsHistory(tmp_path)
    candidate = history.new_candidate_path()
    candidate.write_bytes(b"not weights at all")
    with pytest.raises(WeightsError):
        history.adopt(candidate)
    assert candidate.exists() and history.versions() == []
