"""The Camera menu: the cameras this machine has, listed afresh each time it opens, and Retry."""

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from signcam.ui.menus import add_action


class CameraMenu(QMenu):
    camera_chosen = Signal(int)
    retry_requested = Signal()

    def __init__(self, list_cameras: Callable[[], list[int]], current: Callable[[], int | str | None],
                 parent: QWidget | None = None) -> None:
        """`list_cameras()` probes the cameras; `current()` is the camera in use (None or a path: none)."""
        super().__init__("&Camera", parent)
        self._list_cameras, self._current = list_cameras, current
        self.retry_action = add_action(self, "&Retry", self.retry_requested.emit, QKeySequence.StandardKey.Refresh)
        self.aboutToShow.connect(self._fill)

    def _fill(self) -> None:
        for action in self.actions():
            if action is not self.retry_action:
                self.removeAction(action)
                action.deleteLater()
        cameras, current = self._list_cameras(), self._current()
        if isinstance(current, int) and current not in cameras:
            cameras = sorted([*cameras, current])  # a camera in use may fail to open a second time
        for index in cameras:
            action = QAction(f"Camera {index}", self, checkable=True, checked=index == current)
            action.triggered.connect(lambda _=False, i=index: self.camera_chosen.emit(i))
            self.insertAction(self.retry_action, action)
        if not cameras:
            self.insertAction(self.retry_action, QAction("No cameras found", self, enabled=False))
        self.insertSeparator(self.retry_action)
