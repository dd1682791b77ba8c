"""Landmark features, the landmark model's file, and its vote in the Recognizer."""

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from signcam.labels import LETTERS
from signcam.models.landmarks import (
    LandmarkConfig,
    LandmarkNet,
    landmark_features,
    landmark_probabilities,
    load_landmark_model,
    save_landmark_model,
)
from signcam.models.model import build_model
from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import LANDMARK_SHARE, PERSONAL_LANDMARK_SHARE, RecognitionConfig
from signcam.pipeline.fusion import geometric_mean
from signcam.store.weights import WeightsError, save_weights

HAND = np.random.default_rng(0).uniform(0, 100, (21, 2)).astype(np.float32)


@pytest.fixture(scope="module")
def landmark_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    model = LandmarkNet(LandmarkConfig(hidden=16)).eval()
    return save_landmark_model(tmp_path_factory.mktemp("lm") / "lm.safetensors", model, {"temperature": 2.0})


@pytest.mark.parametrize("features", ["xy", "xy+dist"])
def test_features_ignore_position_and_size_but_not_rotation(features: str) -> None:
    base = landmark_features(torch.from_numpy(HAND)[None], features)
    assert base.shape == (1, {"xy": 42, "xy+dist": 162}[features]) and base.dtype == torch.float32
    moved = torch.from_numpy(HAND * 3 + 50)[None]
    torch.testing.assert_close(landmark_features(moved, features), base, atol=1e-5, rtol=1e-5)
    turned = torch.from_numpy(HAND @ np.array([[0, -1], [1, 0]], np.float32))[None]
    assert not torch.allclose(landmark_features(turned, features), base, atol=1e-3)
    with pytest.raises(ValueError, match="21, 2"):
        landmark_features(torch.from_numpy(HAND[:5])[None], features)
    with pytest.raises(ValueError, match="unknown landmark features"):
        landmark_features(moved, "xyz")


def test_probabilities_are_the_same_for_a_hand_and_its_mirror(landmark_weights: Path) -> None:
    """A left-handed signer, or a G pointing the other way, reads as the same letter."""
    model, info = load_landmark_model(landmark_weights)
    probs = landmark_probabilities(model, info.temperature, HAND)
    assert probs.shape == (24,) and probs.sum() == pytest.approx(1.0, abs=1e-5)
    mirror = HAND * np.array([-1, 1], np.float32) + np.array([640, 0], np.float32)
    np.testing.assert_allclose(landmark_probabilities(model, info.temperature, mirror), probs, atol=1e-6)
    sharper = landmark_probabilities(model, 1.0, HAND)
    assert sharper.max() > probs.max()  # the file's temperature (2.0) softens


def test_fusion_is_a_tempered_weighted_geometric_mean() -> None:
    rng = np.random.default_rng(0)
    cnn, landmarks = rng.dirichlet(np.ones(24)), rng.dirichlet(np.ones(24))
    expected = (cnn**0.25 * landmarks**0.75) ** 2
    np.testing.assert_allclose(geometric_mean([cnn, landmarks], [0.25, 0.75], 0.5), expected / expected.sum(),
                               rtol=1e-6)
    np.testing.assert_allclose(geometric_mean([cnn, landmarks], [0.0, 1.0], 1.0), landmarks, rtol=1e-6)
    both = geometric_mean([np.stack([cnn, landmarks]), np.stack([landmarks, cnn])], [0.5, 0.5], 1.0)
    np.testing.assert_allclose(both[0], both[1], rtol=1e-6)  # batched, and symmetric at share 0.5


def test_landmark_file_round_trip_and_refuses_other_files(landmark_weights: Path, random_weights: Path) -> None:
    model, info = load_landmark_model(landmark_weights)
    assert info.temperature == 2.0 and info.config.hidden == 16 and not model.training
    with pytest.raises(WeightsError, match="not a signcam landmark model"):
        load_landmark_model(random_weights)


def test_recognizer_fuses_cnn_and_landmark_probabilities(
    random_weights: Path, landmark_weights: Path, webcam_photo: Path
) -> None:
    image = cv2.imread(str(webcam_photo))
    config = RecognitionConfig(weights=str(random_weights), landmark_weights=str(landmark_weights), device="cpu",
                               threshold=0.0, shares=(("cnn", 0.75), ("landmarks", 0.25)), temperature=1.0)
    with build_recognizer(config, video=False) as recognizer:
        cnn, marks = recognizer.models
        rec = recognizer.recognize(image)
        answers = [model.probabilities(rec.crop_gray, rec.box) for model in (cnn, marks)]
        expected = geometric_mean(answers, [0.75, 0.25], 1.0)
        assert rec.confidence == pytest.approx(expected.max(), abs=1e-5)
        assert rec.best_letter == recognizer.letters[int(expected.argmax())]
    with build_recognizer(replace(config, roi="box"), video=False) as recognizer:  # no landmarks: the CNN alone
        boxed = recognizer.recognize(image)
        cnn_only = recognizer.models[0].probabilities(boxed.crop_gray, boxed.box)
        assert boxed.confidence == pytest.approx(cnn_only.max(), abs=1e-5)


def test_zero_share_loads_no_landmark_model(random_weights: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.safetensors")
    config = RecognitionConfig(weights=str(random_weights), landmark_weights=missing, roi="box", device="cpu",
                               shares=(("cnn", 1.0), ("landmarks", 0.0)))
    with build_recognizer(config, video=False) as recognizer:
        assert [m.name for m in recognizer.models] == ["cnn"]
    with pytest.raises(WeightsError, match="not found"):
        build_recognizer(replace(config, shares=RecognitionConfig().shares), video=False)


def test_weights_fine_tuned_on_the_learner_use_the_personal_shares(landmark_weights: Path, tmp_path: Path) -> None:
    """The weights say whether they know the learner's hand; the config says what that is worth."""
    personal = save_weights(tmp_path / "personal.safetensors", build_model(),
                            {"train_config": {"personal_dir": "/samples"}, "personal_letters": {"L": 4, "A": 1}})
    older = save_weights(tmp_path / "older.safetensors", build_model(),  # fine-tuned before letters were recorded
                         {"train_config": {"personal_dir": "/samples"}})
    plain = save_weights(tmp_path / "plain.safetensors", build_model())
    personal_shares = np.full(len(LETTERS), LANDMARK_SHARE)
    personal_shares[[LETTERS.index("A"), LETTERS.index("L")]] = PERSONAL_LANDMARK_SHARE  # only the letters it learnt
    for weights, landmark_share in ((personal, personal_shares), (older, LANDMARK_SHARE), (plain, LANDMARK_SHARE)):
        config = RecognitionConfig(weights=str(weights), landmark_weights=str(landmark_weights), roi="box",
                                   device="cpu")
        with build_recognizer(config, video=False) as recognizer:
            assert np.array_equal(recognizer.fuser.shares["landmarks"], landmark_share)
            assert np.allclose(sum(np.asarray(share) for share in recognizer.fuser.shares.values()), 1.0)
            # letters never captured: the bundled CNN reads them, as before the fine-tune
            assert ("bundled_cnn" in [m.name for m in recognizer.models]) == (weights == personal)
    config = RecognitionConfig(weights=str(personal), landmark_weights=str(landmark_weights), personal_min_samples=2)
    with build_recognizer(config, video=False) as recognizer:  # one sample of A is too few to trust the CNN on A
        assert recognizer.fuser.shares["landmarks"][LETTERS.index("A")] == LANDMARK_SHARE
