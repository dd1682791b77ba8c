"""Issue 31: hostile names, folders, cameras and video sizes at `signcam predict` and `open_source`; each answered
with a clear line, the other photos still read, nothing written where it should not be."""

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks.hostile import deep_tree, grey_jpeg, mjpg_video
from signcam import limits, predict
from signcam.pipeline.sources import CameraSource, SourceError, open_source, scan_images


def run(capsys, argv: list[str]) -> tuple[int, list[str], str]:
    code = predict.main([*argv, "--roi", "box"])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_text_mode_escapes_newlines_and_terminal_codes_in_names(capsys, tmp_path: Path) -> None:
    photo = grey_jpeg(tmp_path / "a\nfake.jpg: Z  [Z=1.00]  hand=right\x1b[2J\u202e.jpg")
    code, lines, _ = run(capsys, [str(photo)])
    assert code == 0 and len(lines) == 1
    assert "\\n" in lines[0] and "\\x1b[2J" in lines[0] and "\\u202e" in lines[0]
    assert "\x1b" not in lines[0] and "\u202e" not in lines[0]


def test_extreme_aspect_photo_is_read_and_the_run_goes_on(capsys, tmp_path: Path) -> None:
    thin = tmp_path / "thin.png"
    cv2.imwrite(str(thin), np.full((3, 10_000, 3), 128, np.uint8))
    grey = grey_jpeg(tmp_path / "grey.jpg")
    code = predict.main([str(thin), str(grey), "--roi", "auto", "--json"])
    items = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [i["path"] for i in items] == [str(thin), str(grey)]
    assert code == 0 and items[0]["error"] is None


def test_one_photo_that_breaks_the_recognizer_does_not_end_the_run(capsys, tmp_path: Path, monkeypatch) -> None:
    from signcam.pipeline.recognizer import Recognizer

    first, second = grey_jpeg(tmp_path / "1.jpg"), grey_jpeg(tmp_path / "2.jpg")
    real_step = Recognizer.step
    calls = []

    def step(self, frame):
        calls.append(frame.origin)
        if len(calls) == 1:
            raise cv2.error("(-215:Assertion failed) !dsize.empty()")
        return real_step(self, frame)

    monkeypatch.setattr(Recognizer, "step", step)
    code, lines, _ = run(capsys, [str(first), str(second)])
    assert code == 1 and len(lines) == 2
    assert "could not be read" in lines[0] and "error" not in lines[1]


def test_deep_folder_tree_is_searched_to_the_limit_and_said(capsys, tmp_path: Path) -> None:
    top = deep_tree(tmp_path / "deep", limits.MAX_FOLDER_DEPTH + 8)
    code, lines, _ = run(capsys, [str(top)])
    assert code == 1
    assert "top.jpg: " in lines[0] and "error" not in lines[0]  # the top photo is read
    assert len(lines) == 2 and f"more than {limits.MAX_FOLDER_DEPTH} folders deep" in lines[1]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_unreadable_subfolder_is_named_with_exit_1(capsys, tmp_path: Path) -> None:
    grey_jpeg(tmp_path / "ok.jpg")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        code, lines, _ = run(capsys, [str(tmp_path)])
    finally:
        locked.chmod(0o755)
    assert code == 1 and "cannot read this folder" in lines[-1]


def test_unreadable_subfolder_is_reported_by_the_scan(tmp_path: Path, monkeypatch) -> None:
    grey_jpeg(tmp_path / "ok.jpg")
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    images, problems = scan_images(tmp_path)
    assert images == [tmp_path / "ok.jpg"]
    assert problems == [(tmp_path / "locked", "cannot read this folder (Permission denied)")]


def test_save_crops_into_a_file_is_refused_before_reading(capsys, tmp_path: Path) -> None:
    target = tmp_path / "crops"
    target.write_text("not a folder")
    code, lines, err = run(capsys, [str(grey_jpeg(tmp_path / "g.jpg")), "--save-crops", str(target)])
    assert code == 2 and lines == [] and "is a file, not a folder" in err and "Traceback" not in err


def test_save_crops_failure_is_said_with_exit_1(capsys, tmp_path: Path, monkeypatch, webcam_photo: Path) -> None:
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(predict, "save_crop", full)
    code, lines, err = run(capsys, [str(webcam_photo), "--save-crops", str(tmp_path / "crops")])
    assert code == 1 and len(lines) == 1 and "No space left on device" in err


def test_save_crops_writes_a_crop_for_a_very_long_name(capsys, tmp_path: Path, webcam_photo: Path) -> None:
    photo = tmp_path / ("h" * 245 + ".jpg")
    photo.write_bytes(webcam_photo.read_bytes())
    code, _, err = run(capsys, [str(photo), "--save-crops", str(tmp_path / "crops")])
    written = sorted(p.name for p in (tmp_path / "crops").iterdir())
    assert code == 0 and err == "" and len(written) == 2 and written[1].endswith("_x8.png")


@pytest.mark.parametrize("index", [-5, -1, 100, 10**20])
def test_camera_numbers_out_of_range_are_refused_before_opencv(index: int) -> None:
    def never(*args):
        raise AssertionError("OpenCV must not be asked")

    with pytest.raises(SourceError, match="a camera number is 0 to 99"):
        CameraSource(index, capture_factory=never)


def test_camera_number_too_large_for_opencv_from_the_command_line() -> None:
    with pytest.raises(SourceError, match="there is no camera 99999999999999999999"):
        open_source("99999999999999999999")


def test_huge_video_frames_are_refused_at_open(tmp_path: Path) -> None:
    video = mjpg_video(tmp_path / "big.avi", 64, 48, announce=(16_000, 16_000))
    with pytest.raises(SourceError, match="16000x16000 pixels are too large"):
        open_source(video)

