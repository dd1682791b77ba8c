"""The recognizer assembled from parts: fakes stand in for the locator and the letter models, a third model is
one class and one registry line, the fusion follows the config, and the smoother's numbers are the ones shown."""

import numpy as np
import pytest
import torch

from signcam.pipeline import builder
from signcam.pipeline.builder import build_recognizer, reconfigure
from signcam.pipeline.config import FUSED_TEMPERATURE, LANDMARK_SHARE, PERSONAL_LANDMARK_SHARE, RecognitionConfig
from signcam.pipeline.fusion import GeometricFuser, geometric_mean
from signcam.pipeline.sources import Frame
from tests.recognition_fakes import FakeLocator, FakeModel, fake_recognizer, one_hot

HAND = np.full((48, 64, 3), 200, np.uint8)
DARK = np.zeros((48, 64, 3), np.uint8)  # FakeLocator finds no hand here


def frames(images, start: int = 0):
    return [Frame(image, start + i, (start + i) / 30, "test") for i, image in enumerate(images)]


def test_recognizer_runs_fake_parts_and_fuses_with_the_shares() -> None:
    cnn, marks = FakeModel("cnn", one_hot("A", 0.6)), FakeModel("landmarks", one_hot("B", 0.9))
    recognizer = fake_recognizer([cnn, marks], {"cnn": 0.3, "landmarks": 0.7}, video=False, threshold=0.0)
    rec = recognizer.recognize(HAND)
    expected = geometric_mean([cnn.probs, marks.probs], [0.3, 0.7], 1.0)
    assert rec.best_letter == "B" and rec.confidence == pytest.approx(expected.max())
    assert rec.crop_gray.shape == (28, 28) and (cnn.calls, marks.calls) == (1, 1)
    assert recognizer.recognize(DARK).box is None and cnn.calls == 1  # no hand: no model runs


def test_a_model_without_an_answer_leaves_the_others_alone() -> None:
    cnn = FakeModel("cnn", one_hot("A", 0.7))
    marks = FakeModel("landmarks", one_hot("B", 0.99), needs_landmarks=True)
    recognizer = fake_recognizer([cnn, marks], {"cnn": 0.3, "landmarks": 0.7}, video=False, temperature=0.5)
    rec = recognizer.recognize(HAND)  # the fake box has no landmarks: the CNN's own probabilities
    assert rec.letter == "A" and rec.confidence == pytest.approx(0.7)


def test_a_third_model_is_one_class_and_one_registry_line(monkeypatch) -> None:
    class ThumbModel:  # the one class
        name, letters, device = "thumb", FakeModel.letters, torch.device("cpu")

        def probabilities(self, crop_gray, box):
            return one_hot("T", 0.95)

    fakes = {"cnn": lambda config, device: FakeModel("cnn", one_hot("S", 0.5)),
             "landmarks": lambda config, device: FakeModel("landmarks", one_hot("S", 0.5))}
    for name, factory in fakes.items():
        monkeypatch.setitem(builder.LETTER_MODELS, name, factory)
    monkeypatch.setitem(builder.LETTER_MODELS, "thumb", lambda config, device: ThumbModel())  # the one line
    config = RecognitionConfig(device="cpu", roi="full", threshold=0.0, temperature=1.0,
                               shares=(("cnn", 0.2), ("landmarks", 0.2), ("thumb", 0.6)))
    with build_recognizer(config, video=False) as recognizer:
        assert [m.name for m in recognizer.models] == ["cnn", "landmarks", "thumb"]
        rec = recognizer.recognize(HAND)
    expected = geometric_mean([one_hot("S", 0.5), one_hot("S", 0.5), one_hot("T", 0.95)], [0.2, 0.2, 0.6], 1.0)
    assert rec.best_letter == "T" and rec.confidence == pytest.approx(expected.max())


def test_fusion_numbers_live_in_the_config_and_personal_weights_pick_their_shares(monkeypatch) -> None:
    personal = FakeModel("cnn", one_hot("A"))
    personal.personal_letters = {"A": 4}  # fine-tuned on 4 of the learner's A: personal shares on A, no other letter
    monkeypatch.setitem(builder.LETTER_MODELS, "cnn", lambda config, device: personal)
    monkeypatch.setitem(builder.LETTER_MODELS, "landmarks", lambda config, device: FakeModel("landmarks", one_hot("B")))
    with build_recognizer(RecognitionConfig(device="cpu", roi="full"), video=False) as recognizer:
        shares = recognizer.fuser.shares
        assert (shares["cnn"][0], shares["landmarks"][0]) == (1 - PERSONAL_LANDMARK_SHARE, PERSONAL_LANDMARK_SHARE)
        assert np.allclose(shares["landmarks"][1:], LANDMARK_SHARE)
        assert recognizer.fuser.temperature == FUSED_TEMPERATURE
    personal.personal_letters = {}
    with build_recognizer(RecognitionConfig(device="cpu", roi="full"), video=False) as recognizer:
        assert recognizer.fuser.shares == {"cnn": pytest.approx(1 - LANDMARK_SHARE), "landmarks": LANDMARK_SHARE}
    only_cnn = RecognitionConfig(device="cpu", roi="full", shares=(("cnn", 1.0), ("landmarks", 0.0)),
                                 personal_shares=(("cnn", 1.0),))
    with build_recognizer(only_cnn, video=False) as recognizer:
        assert [m.name for m in recognizer.models] == ["cnn"]  # share 0: never loaded


def test_per_letter_shares_fuse_each_letter_at_its_own_shares() -> None:
    cnn, marks = np.full(24, 0.5 / 23), np.full(24, 0.5 / 23)
    cnn[0], marks[1] = 0.5, 0.5  # the CNN says A, the landmarks say B, equally sure
    trusted_on_a = np.where(np.arange(24) == 0, 0.8, 0.3)
    fused = GeometricFuser({"cnn": trusted_on_a, "landmarks": 1 - trusted_on_a}).fuse({"cnn": cnn, "landmarks": marks})
    assert fused.argmax() == 0 and fused.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="not all 0"):
        GeometricFuser({"cnn": np.where(np.arange(24) == 0, 0.0, 1.0)})


def test_fuser_ignores_models_it_has_no_share_for() -> None:
    fuser = GeometricFuser({"cnn": 0.5, "landmarks": 0.5}, temperature=1.0)
    assert fuser.fuse({"cnn": None, "landmarks": None}) is None
    np.testing.assert_allclose(fuser.fuse({"cnn": one_hot("A"), "other": one_hot("B")}), one_hot("A"))


def test_stream_recognitions_carry_the_one_smoother_state() -> None:
    """The readout (letter, confidence), the top-3 and practice (smoothed) read one set of numbers."""
    model = FakeModel("cnn", one_hot("C", 0.8))
    recognizer = fake_recognizer([model], {"cnn": 1.0}, hold_ms=90.0)
    recs = [recognizer.step(f) for f in frames([HAND] * 6)]
    assert [r.letter for r in recs] == [None, None, "C", "C", "C", "C"]
    for rec in recs[2:]:
        assert rec.smoothed.letter == rec.letter and rec.top == rec.smoothed.top
        assert rec.confidence == rec.smoothed.confidence == rec.top[0][1]
    assert [r.smoothed.confirmed for r in recs] == [None] * 5 + ["C"]  # 100 ms after it settled at frame 2


def test_threshold_and_hand_mode_change_in_place_models_rebuild(monkeypatch) -> None:
    built = []
    monkeypatch.setitem(builder.LETTER_MODELS, "cnn", lambda config, device: built.append(1) or FakeModel(
        "cnn", one_hot("A", 0.7)))
    old = RecognitionConfig(device="cpu", roi="full", shares=(("cnn", 1.0),), personal_shares=(("cnn", 1.0),))
    recognizer = build_recognizer(old, video=True)
    new = RecognitionConfig(device="cpu", roi="box", threshold=0.8, shares=old.shares,
                            personal_shares=old.personal_shares)
    assert reconfigure(recognizer, old, new, video=True) is recognizer and len(built) == 1
    assert recognizer.threshold == 0.8 and recognizer.roi == "box"
    assert all(r.letter is None for r in (recognizer.step(f) for f in frames([HAND] * 5)))  # 0.7 < 0.8
    rebuilt = reconfigure(recognizer, new, RecognitionConfig(weights="other.safetensors", device="cpu", roi="box",
                                                             shares=old.shares, personal_shares=old.personal_shares),
                          video=True)
    assert rebuilt is not recognizer and len(built) == 2


def test_locator_is_closed_when_swapped_and_at_close() -> None:
    first, second = FakeLocator(), FakeLocator()
    recognizer = fake_recognizer([FakeModel("cnn", one_hot("A"))], {"cnn": 1.0}, locator=first)
    recognizer.set_locator(second)
    assert first.closed and not second.closed
    recognizer.close()
    assert second.closed
