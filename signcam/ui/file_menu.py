"""The File menu: open photos or a video, loop videos, save a snapshot, quit. Its file dialogs
leave as intents (`photos_chosen`, `video_chosen`, `snapshot_chosen`) for the window to act on.

Each dialog starts in the folder it was last left in (its own settings key), else in the user's Pictures or
Videos folder, never the current folder (issue 32: snapshots landed in the checkout, each overwriting the last
as ./signcam-snapshot.png); a snapshot's name carries the time it was taken.
"""

import datetime
from pathlib import Path

from PySide6.QtCore import QDir, QStandardPaths, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from signcam.pipeline.sources import IMAGE_SUFFIXES
from signcam.ui.menus import add_action
from signcam.ui.settings import Key, Settings

VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"
PHOTO_FILTER = f"Images ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))});;All files (*)"
Place = QStandardPaths.StandardLocation
FIRST_FOLDER = {Key.FOLDER_PHOTOS: Place.PicturesLocation, Key.FOLDER_VIDEO: Place.MoviesLocation,
                Key.FOLDER_SNAPSHOT: Place.PicturesLocation}  # where each dialog starts the first time


def snapshot_name(now: datetime.datetime | None = None) -> str:
    """signcam-20261207-201530.png: one file per snapshot, in the order taken."""
    return f"signcam-{(now or datetime.datetime.now()):%Y%m%d-%H%M%S}.png"


class FileMenu(QMenu):
    photos_chosen = Signal(list)  # of Path
    video_chosen = Signal(str)
    snapshot_chosen = Signal(str)  # a .png path to write
    loop_toggled = Signal(bool)
    quit_requested = Signal()

    def __init__(self, loop: bool, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__("&File", parent)
        self._settings = settings
        add_action(self, "Open &photo…", self.ask_photos, QKeySequence.StandardKey.Open)
        add_action(self, "Open &video…", self.ask_video, "Ctrl+Shift+O")
        add_action(self, "&Loop videos", self.loop_toggled.emit, checkable=True, checked=loop)
        self.addSeparator()
        add_action(self, "&Save snapshot…", self._ask_snapshot, QKeySequence.StandardKey.Save)
        self.addSeparator()
        # Ctrl+Q (Cmd+Q on macOS) spelled out: StandardKey.Quit is empty on Windows and without a desktop theme.
        add_action(self, "&Quit", self.quit_requested.emit, "Ctrl+Q").setMenuRole(
            QAction.MenuRole.QuitRole)

    def start_folder(self, key: Key) -> str:
        """The folder the dialog for `key` was last left in, if it still exists; else its first folder."""
        last = self._settings.value(key, "")
        if last and Path(last).is_dir():
            return last
        first = QStandardPaths.writableLocation(FIRST_FOLDER[key])
        return first if first and Path(first).is_dir() else QDir.homePath()

    def _remember(self, key: Key, chosen: str) -> None:
        self._settings.set_value(key, str(Path(chosen).parent))

    def ask_photos(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self.parentWidget(), "Open photos",
                                                self.start_folder(Key.FOLDER_PHOTOS), PHOTO_FILTER)
        if names:
            self._remember(Key.FOLDER_PHOTOS, names[0])
            self.photos_chosen.emit([Path(n) for n in names])

    def ask_video(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self.parentWidget(), "Open video", self.start_folder(Key.FOLDER_VIDEO),
                                              VIDEO_FILTER)
        if name:
            self._remember(Key.FOLDER_VIDEO, name)
            self.video_chosen.emit(name)

    def _ask_snapshot(self) -> None:
        suggested = str(Path(self.start_folder(Key.FOLDER_SNAPSHOT)) / snapshot_name())
        name, _ = QFileDialog.getSaveFileName(self.parentWidget(), "Save snapshot", suggested, "PNG images (*.png)")
        if name:
            self._remember(Key.FOLDER_SNAPSHOT, name)
            self.snapshot_chosen.emit(name)
