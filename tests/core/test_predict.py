"""`signcam predict`: the JSON contract and the exit codes, run in-process and as a real CLI."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.predict import main


def run_json(capsys, argv: list[str]) -> tuple[int, list[dict]]:
    code = main([*argv, "--json"])
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


def test_json_contract_for_a_hand(capsys, random_weights: Path, webcam_photo: Path) -> None:
    code, items = run_json(capsys, [str(webcam_photo), "--weights", str(random_weights), "--threshold", "0"])
    assert code == 0
    (item,) = items
    assert set(item) == {"path", "letter", "confidence", "top", "hand", "error"}
    assert item["path"] == str(webcam_photo) and item["error"] is None
    assert item["letter"] == item["top"][0]["letter"] and item["confidence"] == item["top"][0]["p"]
    assert len(item["top"]) == 3 and set(item["top"][0]) == {"letter", "p"}
    assert set(item["hand"]) == {"x", "y", "w", "h", "side"} and item["hand"]["side"] in ("left", "right")


def test_bad_files_get_errors_and_the_rest_go_on(
    capsys, tmp_path: Path, random_weights: Path, webcam_photo: Path
) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    (tmp_path / "notes.txt").write_text("hello")
    grey = tmp_path / "grey.png"
    cv2.imwrite(str(grey), np.full((120, 160, 3), 128, np.uint8))
    argv = [str(tmp_path / "empty.jpg"), str(tmp_path / "corrupt.png"), str(tmp_path / "notes.txt"),
            str(tmp_path / "missing.jpg"), str(grey), str(webcam_photo), "--weights", str(random_weights)]
    code, items = run_json(capsys, argv)
    assert code == 1
    assert [i["error"] is not None for i in items] == [True, True, True, True, False, False]
    assert "empty" in items[0]["error"] and "no such file" in items[3]["error"]
    assert items[4]["hand"] is None and items[4]["letter"] is None  # plain grey: no hand, no guess
    assert items[5]["hand"] is not None


def test_folder_recurses_and_saves_crops(capsys, tmp_path: Path, random_weights: Path, webcam_photo: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    shutil.copy(webcam_photo, tmp_path / "in" / "sub" / "hand.jpg")
    code, items = run_json(capsys, [str(tmp_path / "in"), "--weights", str(random_weights),
                                    "--save-crops", str(tmp_path / "crops")])
    assert code == 0 and len(items) == 1 and items[0]["path"].endswith("sub/hand.jpg")
    crop = cv2.imread(str(tmp_path / "crops" / "00000_hand.png"), cv2.IMREAD_UNCHANGED)
    assert crop.shape == (28, 28)


def test_text_output_and_roi_full(capsys, random_weights: Path, filled_crop: Path) -> None:
    assert main([str(filled_crop), "--roi", "full", "--weights", str(random_weights), "--threshold", "0"]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(str(filled_crop) + ": ") and "hand=?" in line


def test_bad_weights_exit_2(capsys, tmp_path: Path, filled_crop: Path) -> None:
    bad = tmp_path / "w.safetensors"
    bad.write_bytes(b"nonsense")
    assert main([str(filled_crop), "--weights", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "w.safetensors" in err and "Traceback" not in err


def test_bad_usage_exit_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["x.jpg", "--roi", "magic"])
    assert exc.value.code == 2


def test_cli_output_is_clean(random_weights: Path, webcam_photo: Path, tmp_path: Path) -> None:
    """The real command: JSON on stdout only, and no MediaPipe/TFLite noise or traceback on stderr."""
    missing = tmp_path / "missing.jpg"
    result = subprocess.run(
        [sys.executable, "-m", "signcam.cli", "predict", str(webcam_photo), str(missing), "--json",
         "--weights", str(random_weights)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert [json.loads(line)["error"] is None for line in result.stdout.splitlines()] == [True, False]
    assert result.stderr == ""


def test_predict_reads_photos_through_open_source_and_refuses_a_video(
    capsys, tmp_path: Path, random_weights: Path, hand_video: Path, webcam_photo: Path
) -> None:
    """A video handed to `signcam predict` is not silently read as its first frame: an error entry, the rest go on."""
    code, items = run_json(capsys, [str(hand_video), str(webcam_photo), "--weights", str(random_weights)])
    assert code == 1
    assert items[0]["error"] == "not a photo" and items[0]["top"] == []
    assert items[1]["error"] is None and items[1]["hand"] is not None
