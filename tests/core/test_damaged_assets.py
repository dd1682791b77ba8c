"""Issue 31: damaged bundled files (a broken install, a disk error, a bad packager). Each gives one line naming the
file and saying to reinstall, and only the part that needs it stays off: the hand model -> the guide box, the
templates -> no coach and no J/Z, the depth contrasts -> hints without depth, the motion model -> J/Z
confirmed with Space."""

import logging
import os
import zipfile
from pathlib import Path

import pytest

from signcam.pipeline import locate
from signcam.pipeline.locate import GuideBoxLocator, hand_model_problem, make_locator
from signcam.practice import motion, pose
from signcam.practice.coach import Coach
from signcam.practice.controller import PracticeController


def damaged_copy(original: Path, folder: Path, how: str) -> Path:
    """`original` cut in half, replaced by random bytes, emptied, or (a zip) with its two models swapped."""
    data = original.read_bytes()
    path = folder / original.name
    if how == "swapped":
        with zipfile.ZipFile(original) as bundle, zipfile.ZipFile(path, "w") as out:
            out.writestr("hand_detector.tflite", bundle.read("hand_landmarks_detector.tflite"))
            out.writestr("hand_landmarks_detector.tflite", bundle.read("hand_detector.tflite"))
        return path
    path.write_bytes({"cut": data[: len(data) // 2], "random": os.urandom(len(data)), "empty": b"",
                      "flipped": data[:4000] + bytes(b ^ 0x5A for b in data[4000:4100]) + data[4100:]}[how])
    return path


@pytest.mark.parametrize("how", ["cut", "random", "empty", "swapped", "flipped"])
def test_damaged_hand_model_gives_one_line_and_the_guide_box(tmp_path, monkeypatch, caplog, how) -> None:
    monkeypatch.setattr(locate, "HAND_MODEL", damaged_copy(locate.HAND_MODEL, tmp_path, how))
    problem = hand_model_problem()
    assert "hand_landmarker.task is damaged" in problem and "reinstall signcam" in problem
    assert "\n" not in problem
    with caplog.at_level(logging.WARNING):
        locator = make_locator("auto")
    assert isinstance(locator, GuideBoxLocator)
    assert [r.getMessage() for r in caplog.records if "hand_landmarker" in r.getMessage()] == [problem]


def test_bundled_hand_model_is_the_shipped_one() -> None:
    assert hand_model_problem() == ""


def test_damaged_templates_turn_coaching_and_motion_off_and_say_so(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(pose, "TEMPLATES_PATH", damaged_copy(pose.TEMPLATES_PATH, tmp_path, "cut"))
    controller = PracticeController(None)
    assert "templates.json is damaged" in controller.notice and "Coaching hints and J/Z" in controller.notice
    assert controller.start_custom_text("jab")  # a drill still runs, J included (confirmed by key)
    controller.start_free_spelling()


def test_damaged_depth_contrasts_leave_the_other_hints(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(pose, "DEPTH_PATH", damaged_copy(pose.DEPTH_PATH, tmp_path, "random"))
    coach = Coach()
    assert "depth_contrasts.json is damaged" in coach.problem and coach.contrasts == {}
    assert PracticeController(None).notice == coach.problem


def test_damaged_motion_model_turns_motion_reading_off_and_says_space_confirms(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(motion, "MODEL_PATH", damaged_copy(motion.MODEL_PATH, tmp_path, "cut"))
    controller = PracticeController(None)
    assert "motion.safetensors is damaged" in controller.notice and "Space confirms them" in controller.notice
    assert controller.drill_coach.reader is None and controller.drill_coach.coach is not None


def test_damaged_landmark_weights_leave_the_cnn_reading(tmp_path, monkeypatch, caplog) -> None:
    from signcam.models import landmarks, letter_models
    from signcam.pipeline import builder
    from signcam.pipeline.config import RecognitionConfig

    bad = damaged_copy(landmarks.BUNDLED_LANDMARK_WEIGHTS, tmp_path, "cut")
    for module in (landmarks, letter_models, builder):
        if hasattr(module, "BUNDLED_LANDMARK_WEIGHTS"):
            monkeypatch.setattr(module, "BUNDLED_LANDMARK_WEIGHTS", bad)
    with caplog.at_level(logging.WARNING):
        models = builder.build_models(RecognitionConfig(device="cpu"))
    assert [type(m).__name__ for m in models] == ["CnnModel"]
    assert any("landmarks.safetensors is damaged" in r.getMessage() and "reinstall" in r.getMessage()
               for r in caplog.records)
