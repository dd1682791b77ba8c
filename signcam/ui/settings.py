"""One typed wrapper over QSettings, so keys and types live in one place.

QSettings hands back strings from INI files and native types from the registry; `value()` converts
to the type of the default given, so callers never see "true" where they expected True.
"""

import logging
from enum import Enum
from typing import TypeVar

from PySide6.QtCore import QByteArray, QSettings

from signcam.limits import MAX_CAMERA_INDEX, camera_index
from signcam.pipeline.config import DEFAULT_THRESHOLD, ROI_MODES, RecognitionConfig

log = logging.getLogger(__name__)
T = TypeVar("T")


class Key(str, Enum):
    CAMERA = "camera/index"
    ROI = "recognition/roi-mode"
    THRESHOLD = "recognition/threshold"
    DEVICE = "recognition/device"
    WEIGHTS = "recognition/weights-path"  # "" = the bundled weights
    MIRROR = "view/mirror"
    LOOP_VIDEO = "view/loop-video"
    GEOMETRY = "window/geometry"
    WINDOW_STATE = "window/state"
    TRAINING_DATA = "training/data-dir"  # the folder with the Kaggle Sign-MNIST CSVs
    TRAINING_TIMES = "training/last-run-times"  # JSON {mode: RunTimes fields} of the last finished run per mode
    PRACTICE_HARD = "practice/hard-mode"  # reference picture hidden
    PRACTICE_LEFT = "practice/left-hand"  # reference pictures mirrored
    PRACTICE_MOTION = "practice/motion-words"  # words with J and Z, confirmed by a key press
    # The folder each file dialog was last left in (issue 32: every dialog started in the current folder).
    FOLDER_PHOTOS = "folders/photos"
    FOLDER_VIDEO = "folders/video"
    FOLDER_SNAPSHOT = "folders/snapshot"


_TRUE = {"true", "1", "yes", "on"}


class Settings:
    """Typed access to the app's QSettings; pass a QSettings (e.g. an INI file) to isolate tests."""

    def __init__(self, qsettings: QSettings | None = None):
        self._q = qsettings if qsettings is not None else QSettings()

    def value(self, key: Key, default: T) -> T:
        """The stored value converted to type(default); the default when unset or unreadable."""
        raw = self._q.value(key.value)
        if raw is None:
            return default
        try:
            if isinstance(default, bool):
                return (raw if isinstance(raw, bool) else str(raw).lower() in _TRUE)  # type: ignore[return-value]
            if isinstance(default, QByteArray):
                return raw if isinstance(raw, QByteArray) else default  # type: ignore[return-value]
            return type(default)(raw)  # type: ignore[call-arg]
        except (TypeError, ValueError):
            log.warning("ignoring unreadable setting %s=%r", key.value, raw)
            return default

    def camera_index(self) -> int:
        """The saved camera (0 when unset, or not a camera number 0..MAX_CAMERA_INDEX: OpenCV segfaults on -1..-5
        where there is no camera, and a 20-digit number is no C int)."""
        raw = self._q.value(Key.CAMERA.value)
        index = camera_index(raw) if raw is not None else 0
        if index is None:
            log.warning("ignoring setting %s=%r: not a camera number 0 to %d", Key.CAMERA.value, raw, MAX_CAMERA_INDEX)
            return 0
        return index

    def set_value(self, key: Key, value: object) -> None:
        self._q.setValue(key.value, value)

    def remove(self, key: Key) -> None:
        self._q.remove(key.value)

    def sync(self) -> None:
        self._q.sync()

    def save_problem(self) -> str | None:
        """None when settings can be saved; else a message for the user (a read-only or missing config folder):
        QSettings itself drops the changes without a word (issue 24)."""
        self._q.sync()
        if self._q.status() == QSettings.Status.AccessError or not self._q.isWritable():
            return (f"Settings cannot be saved: {self._q.fileName()} cannot be written (a read-only folder?). "
                    "Changes you make last until you quit.")
        return None

    def recognition_config(self, weights: str | None = None, roi: str | None = None,
                           device: str | None = None) -> RecognitionConfig:
        """The given choices (the command line's), else the saved ones; a saved value no longer valid
        gives the default."""
        roi = roi or self.value(Key.ROI, "auto")
        threshold = self.value(Key.THRESHOLD, DEFAULT_THRESHOLD)
        return RecognitionConfig(weights=weights or self.value(Key.WEIGHTS, "") or None,
                                 device=device or self.value(Key.DEVICE, "auto"),
                                 roi=roi if roi in ROI_MODES else "auto",
                                 threshold=threshold if 0.0 <= threshold <= 1.0 else DEFAULT_THRESHOLD)

    def save_recognition_config(self, config: RecognitionConfig) -> None:
        for key, value in ((Key.ROI, config.roi), (Key.THRESHOLD, config.threshold),
                           (Key.WEIGHTS, config.weights or ""), (Key.DEVICE, config.device)):
            self.set_value(key, value)
