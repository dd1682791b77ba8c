"""Landmark features, the landmark model's file, and its vote in the Recognizer."""

from pathlib import Path

import cv2
import numpy as np
import pytest
import torch

from signcam.fusion import LANDMARK_SHARE, fuse_probabilities
from signcam.landmarks import (
    LandmarkConfig,
    LandmarkNet,
    landmark_features,
    landmark_probabilities,
    load_landmark_model,
    save_landmark_model,
)
from signcam.model import build_model
from signcam.recognizer import Recognizer
from signcam.weights import WeightsError, save_weights

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
    np.testing.assert_allclose(fuse_probabilities(cnn, landmarks, 0.75, 0.5), expected / expected.sum(), rtol=1e-6)
    np.testing.assert_allclose(fuse_probabilities(cnn, landmarks, 1.0, 1.0), landmarks, rtol=1e-6)
    both = fuse_probabilities(np.stack([cnn, landmarks]), np.stack([landmarks, cnn]), 0.5, 1.0)
    np.testing.assert_allclose(both[0], both[1], rtol=1e-6)  # batched, and symmetric at share 0.5


def test_landmark_file_round_trip_and_refuses_other_files(landmark_weights: Path, random_weights: Path) -> None:
    model, info = load_landmark_model(landmark_weights)
    assert info.temperature == 2.0 and info.config.hidden == 16 and not model.training
    with pytest.raises(WeightsError, match="not a signcam landmark model"):
        load_landmark_model(random_weights)


def test_recognizer_averages_cnn_and_landmark_votes(
    random_weights: Path, landmark_weights: Path, webcam_photo: Path
) -> None:
    image = cv2.imread(str(webcam_photo))
    with Recognizer(random_weights, device="cpu", video=False, threshold=0.0, landmark_weights=landmark_weights,
                    landmark_share=0.25) as recognizer:
        rec = recognizer.recognize(image)
        cnn = recognizer.classifier.probabilities(rec.crop_gray)[0]
        landmarks = recognizer.classifier.landmark_probabilities(rec.box)
        expected = fuse_probabilities(cnn, landmarks, 0.25)
        assert rec.confidence == pytest.approx(expected.max(), abs=1e-5)
        assert rec.best_letter == recognizer.letters[int(expected.argmax())]
        recognizer.roi = "box"  # a guide box has no landmarks: the CNN alone
        boxed = recognizer.recognize(image)
        cnn_only = recognizer.classifier.probabilities(boxed.crop_gray)[0]
        assert boxed.confidence == pytest.approx(cnn_only.max(), abs=1e-5)


def test_zero_share_loads_no_landmark_model(random_weights: Path, tmp_path: Path) -> None:
    with Recognizer(random_weights, roi="box", device="cpu", landmark_weights=tmp_path / "missing.safetensors",
                    landmark_share=0.0) as recognizer:
        assert recognizer.classifier.landmark_share == 0.0
    with pytest.raises(WeightsError, match="not found"):
        Recognizer(random_weights, roi="box", device="cpu", landmark_weights=tmp_path / "missing.safetensors")


def test_landmark_share_comes_from_the_weights_unless_given(landmark_weights: Path, tmp_path: Path) -> None:
    """Weights fine-tuned on the learner's samples carry their own, lower share."""
    personal = save_weights(tmp_path / "personal.safetensors", build_model(), {"landmark_share": 0.2})
    with Recognizer(personal, roi="box", device="cpu", landmark_weights=landmark_weights) as recognizer:
        assert recognizer.classifier.landmark_share == 0.2
    with Recognizer(personal, roi="box", device="cpu", landmark_weights=landmark_weights,
                    landmark_share=0.5) as recognizer:
        assert recognizer.classifier.landmark_share == 0.5
    plain = save_weights(tmp_path / "plain.safetensors", build_model())
    with Recognizer(plain, roi="box", device="cpu", landmark_weights=landmark_weights) as recognizer:
        assert recognizer.classifier.landmark_share == LANDMARK_SHARE
