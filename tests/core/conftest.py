"""Fixtures for the recognition core: random-init weights, real photos from shared/, a short MJPG
video made with OpenCV, and a fake capture object standing in for a webcam."""

from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.models.model import build_model
from signcam.store.weights import save_weights
from tests.conftest import need_shared

# A webcam-like frame (640x480, hand fairly small) and a Sign-MNIST source crop (the hand fills the image).
WEBCAM_PHOTO = "real_dev/mariia00/G/183.jpg"
FILLED_CROP = "sign_mnist_sources/user_3/A0.jpg"


@pytest.fixture(scope="session")
def random_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid weights file with random initialisation: tests check behaviour, not accuracy."""
    return save_weights(tmp_path_factory.mktemp("weights") / "w.safetensors", build_model())


@pytest.fixture(scope="session")
def webcam_photo(shared_data: Path) -> Path:
    path = shared_data / WEBCAM_PHOTO
    need_shared(path)
    return path


@pytest.fixture(scope="session")
def filled_crop(shared_data: Path) -> Path:
    return shared_data / FILLED_CROP


@pytest.fixture(scope="session")
def hand_video(tmp_path_factory: pytest.TempPathFactory, webcam_photo: Path) -> Path:
    """A 12-frame MJPG .avi at 10 fps of the webcam photo drifting sideways (the camera stand-in)."""
    path = tmp_path_factory.mktemp("video") / "hand.avi"
    image = cv2.imread(str(webcam_photo))
    h, w = image.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (w, h))
    for i in range(12):
        writer.write(np.roll(image, 2 * i, axis=1))
    writer.release()
    return path


@pytest.fixture
def grey_image() -> np.ndarray:
    """A plain mid-grey frame: nothing to find."""
    return np.full((240, 320, 3), 128, np.uint8)


class FakeCapture:
    """cv2.VideoCapture stand-in: delivers `frames` good reads, then fails every read (unplugged)."""

    def __init__(self, frames: int = 3, opened: bool = True, fps: float = float("nan")):
        self.frames_left = frames
        self.opened = opened
        self.fps = fps
        self.reads = 0
        self.released = False

    def isOpened(self) -> bool:  # noqa: N802 - the OpenCV name
        return self.opened

    def get(self, prop: int) -> float:
        return self.fps if prop == cv2.CAP_PROP_FPS else 0.0

    def read(self) -> tuple[bool, np.ndarray | None]:
        self.reads += 1
        if self.frames_left <= 0:
            return False, None
        self.frames_left -= 1
        return True, np.full((48, 64, 3), self.reads % 256, np.uint8)

    def release(self) -> None:
        self.released = True


@pytest.fixture
def fake_capture() -> type[FakeCapture]:
    return FakeCapture
