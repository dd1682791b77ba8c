"""UI fixtures: throwaway settings, weights files, and MJPG videos that stand in for the camera."""

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

import signcam.ui.app as app_module
from signcam.cli import build_app_parser
from signcam.models.model import build_model
from signcam.pipeline.sources import Frame, SourceLost
from signcam.store.weights import BUNDLED_WEIGHTS, save_weights
from signcam.ui.main_window import MainWindow
from signcam.ui.settings import Settings
from tests.conftest import need_shared
from tests.training.conftest import csv_text, synthetic_rows

VIDEO_FPS = 30


def write_video(path: Path, frames_bgr: list[np.ndarray], fps: int = VIDEO_FPS) -> Path:
    """An MJPG .avi (OpenCV's most portable codec) of the given same-size frames."""
    h, w = frames_bgr[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened(), "OpenCV cannot write MJPG here"
    for frame in frames_bgr:
        writer.write(frame)
    writer.release()
    return path


class FakeCamera:
    """Delivers `frames` frames, then raises SourceLost (an unplugged camera) if `lose` is set."""

    is_live, fps = True, 30.0

    def __init__(self, frames: int | None, lose: bool = False):
        self.name, self._left, self._lose, self._index = "fake:0", frames, lose, 0

    def read(self) -> Frame | None:
        if self._left is not None:
            if self._left == 0:
                if self._lose:
                    raise SourceLost("fake:0 stopped delivering frames")
                return None
            self._left -= 1
        self._index += 1
        return Frame(np.full((48, 64, 3), 100, np.uint8), self._index, 0.0, self.name)

    def close(self) -> None:
        """Nothing to release."""


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "signcam.ini"


@pytest.fixture
def settings(settings_path: Path) -> Settings:
    """An INI-file QSettings in tmp: the user's real settings are never read or written."""
    return Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))


@pytest.fixture(scope="session")
def test_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Untrained but valid weights: enough for everything that does not check which letter."""
    return save_weights(tmp_path_factory.mktemp("weights") / "w.safetensors", build_model())


@pytest.fixture(scope="session")
def bundled_weights() -> Path:
    if not BUNDLED_WEIGHTS.exists():
        pytest.skip(f"bundled weights {BUNDLED_WEIGHTS} not trained yet")
    return BUNDLED_WEIGHTS


@pytest.fixture(scope="session")
def real_dev_images(shared_data: Path) -> list[tuple[Path, str]]:
    root = shared_data / "real_dev"
    need_shared(root / "labels.csv")
    with open(root / "labels.csv", newline="") as f:
        return [(root / row["relative_path"], row["letter"]) for row in csv.DictReader(f)]


@pytest.fixture(scope="session")
def gray_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of a plain synthetic scene: for plumbing tests that do not care about letters."""
    rng = np.random.default_rng(0)
    frames = [np.full((240, 320, 3), 90 + i, np.uint8) + rng.integers(0, 20, (240, 320, 3), dtype=np.uint8)
              for i in range(60)]
    return write_video(tmp_path_factory.mktemp("video") / "gray.avi", frames)


@pytest.fixture
def make_window(qtbot, settings: Settings, test_weights: Path):
    """MainWindow factory with test weights and tmp settings; every window is closed at teardown."""
    windows: list[MainWindow] = []

    def make(**kwargs) -> MainWindow:
        kwargs.setdefault("weights", str(test_weights))
        kwargs.setdefault("device", "cpu")
        window = MainWindow(kwargs.pop("settings", settings), **kwargs)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()


def run_app_until_exec(monkeypatch: pytest.MonkeyPatch, settings: Settings, argv: list[str]) -> MainWindow:
    """run_app as `signcam ARGV` runs it, stopped where the event loop would start; the visible window."""
    windows = []

    def fake_exec(app: QApplication) -> int:
        windows.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        return 0

    monkeypatch.setattr(app_module, "Settings", lambda: settings)
    monkeypatch.setattr(app_module.signal, "signal", lambda *args: None)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    try:
        assert app_module.run_app(build_app_parser().parse_args(argv)) == 0
    finally:
        QCoreApplication.setOrganizationName(names[0])
        QCoreApplication.setApplicationName(names[1])
    assert len(windows) == 1
    return windows[0]


@pytest.fixture
def kaggle_dir(tmp_path: Path) -> Path:
    """A folder with tiny synthetic train/test CSVs under Kaggle's file names."""
    folder = tmp_path / "kaggle"
    folder.mkdir()
    (folder / "sign_mnist_train.csv").write_text(csv_text(synthetic_rows(96, seed=1)))
    (folder / "sign_mnist_test.csv").write_text(csv_text(synthetic_rows(48, seed=2)))
    return folder


def play_into_practice(controller, clip: Path, clock: list[float]) -> None:
    """Every frame of `clip` through the app's live recognizer (auto hand mode, the practice hold time) into the
    practice controller, the clip's own timestamps driving `clock[0]` (the controller's clock)."""
    from signcam.pipeline.builder import build_recognizer
    from signcam.pipeline.config import RecognitionConfig
    from signcam.pipeline.sources import open_source

    recognizer = build_recognizer(RecognitionConfig(roi="auto", hold_ms=800.0), video=True)
    source = open_source(clip)
    try:
        for frame in source:
            clock[0] = frame.timestamp_s
            controller.on_recognition(recognizer.step(frame))
    finally:
        source.close()
        recognizer.close()
