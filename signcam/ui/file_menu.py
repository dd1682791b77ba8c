"""The File menu: open photos or a video, loop videos, save a snapshot, quit. Its file dialogs
leave as intents (`photos_chosen`, `video_chosen`, `snapshot_chosen`) for the window to act on."""

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from signcam.pipeline.sources import IMAGE_SUFFIXES
from signcam.ui.menus import add_action

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"
PHOTO_FILTER = f"Images ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))});;All files (*)"


class FileMenu(QMenu):
    photos_chosen = Signal(list)  # of Path
    video_chosen = Signal(str)
    snapshot_chosen = Signal(str)  # a .png path to write
    loop_toggled = Signal(bool)
    quit_requested = Signal()

    def __init__(self, loop: bool, parent: QWidget | None = None) -> None:
        super().__init__("&File", parent)
        add_action(self, "Open &photo…", self.ask_photos, QKeySequence.StandardKey.Open)
        add_action(self, "Open &video…", self.ask_video, "Ctrl+Shift+O")
        add_action(self, "&Loop videos", self.loop_toggled.emit, checkable=True, checked=loop)
        self.addSeparator()
        add_action(self, "&Save snapshot…", self._ask_snapshot, QKeySequence.StandardKey.Save)
        self.addSeparator()
        # Ctrl+Q (Cmd+Q on macOS) spelled out: StandardKey.Quit is empty on Windows and without a desktop theme.
        add_action(self, "&Quit", self.quit_requested.emit, "Ctrl+Q").setMenuRole(
            QAction.MenuRole.QuitRole)

    def ask_photos(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self.parentWidget(), "Open photos", "", PHOTO_FILTER)
        if names:
            self.photos_chosen.emit([Path(n) for n in names])

    def ask_video(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.parentWidget(), "Open video", "", VIDEO_FILTER)
        if name:
            self.video_chosen.emit(name)

    def _ask_snapshot(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self.parentWidget(), "Save snapshot", "signcam-snapshot.png",
                                              "PNG images (*.png)")
        if name:
            self.snapshot_chosen.emit(name)
