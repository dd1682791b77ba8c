"""A wheel built from the checkout carries the bundled models and pictures, and once installed outside
the checkout `signcam predict` reads a photo with them from another folder (issue 12: only the
editable install used to work). Builds offline from the checkout's files: about 15-30 s."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.labels import LETTERS

REPO = Path(__file__).resolve().parents[2]
ASSETS = ("signnet.safetensors", "landmarks.safetensors", "hand_landmarker.task", "hand_landmarker.LICENSE",
          "words.txt", "judge_hands.npz")


def _checkout_files() -> list[str]:
    """What a fresh clone holds (tracked files, plus new ones git does not ignore), as paths relative to REPO."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listed if name and (REPO / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build from a copy, so the checkout gets no build/ or egg-info and nothing outside the clone leaks in."""
    clone, out = tmp_path_factory.mktemp("clone"), tmp_path_factory.mktemp("dist")
    for name in _checkout_files():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, clone / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(clone)], check=True, capture_output=True, timeout=300)
    wheels = list(out.glob("signcam-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_holds_models_word_list_and_every_reference(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in ASSETS:
        assert f"signcam/assets/{asset}" in names
    references = {n for n in names if n.startswith("signcam/assets/reference/") and n.endswith(".png")}
    assert {Path(n).stem for n in references} >= set(LETTERS)
    assert {"signcam/assets/read_hands/index.json", "signcam/assets/read_hands/CREDITS.md"} <= names
    assert {n[-6] for n in names if n.startswith("signcam/assets/read_hands/") and n.endswith(".jpg")} >= set(LETTERS)
    assert "training/train.py" in names and "signcam/ui/main_window.py" in names
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_installed_wheel_predicts_a_photo_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    photo = elsewhere / "hand.png"
    image = np.zeros((200, 200, 3), np.uint8)
    cv2.circle(image, (100, 100), 60, (170, 190, 210), -1)
    cv2.imwrite(str(photo), image)
    env = {**os.environ, "PYTHONPATH": str(target)}  # the installed copy, not this checkout
    where = subprocess.run([sys.executable, "-c", "import signcam.store.assets_dir as a; print(a.BUNDLED_WEIGHTS)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target) and Path(where.stdout.strip()).exists()
    result = subprocess.run([str(target / "bin" / "signcam"), "predict", str(photo), "--json", "--roi", "full"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["path"] == str(photo) and item["error"] is None and item["hand"]["w"] == 200
    assert len(item["top"]) == 3 and all(t["letter"] in LETTERS for t in item["top"])


def test_installed_wheel_finds_a_real_hand_with_its_own_hand_model(wheel: Path, tmp_path: Path,
                                                                   webcam_photo: Path) -> None:
    """`--roi auto` from the installed copy: MediaPipe runs the hand model inside the wheel (nothing downloaded)."""
    target, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    photo = shutil.copy(webcam_photo, elsewhere / "hand.jpg")
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run([sys.executable, "-c", "import signcam.pipeline.locate as l; print(l.HAND_MODEL)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(target)
    result = subprocess.run([str(target / "bin" / "signcam"), "predict", str(photo), "--json", "--roi", "auto"],
                            cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["error"] is None and item["hand"] is not None and item["hand"]["side"] in ("left", "right")
