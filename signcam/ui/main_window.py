"""The main window: menus, actions, status bar, drag-and-drop and the wiring between the views,
the recognition worker and the settings. No pipeline logic lives here.

The window appears before torch, MediaPipe and the weights are loaded (issue 13: 9.5-12 s to a window
when it waited for them), and so does the camera picture or the "No camera" page: the live recognizer is
built in the recognition thread while the camera picture already plays under "Loading the model…" (a video
file or folder shows its first frame at once and is read from it once the model is there, so none goes
unread); the photo recognizer is built when the first photo is opened. Every change of weights, device, hand mode or
threshold takes one road: menu -> `recognition` (the one RecognitionConfig) -> the recognition thread and
the photo reader rebuild what changed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from signcam.photo_reader import PhotoReader
from signcam.pipeline.config import RecognitionConfig, RecognitionSettings
from signcam.pipeline.sources import IMAGE_SUFFIXES, find_images, list_cameras, open_source
from signcam.ui.camera_menu import CameraMenu
from signcam.ui.empty_state import EmptyStateView
from signcam.ui.file_menu import FileMenu
from signcam.ui.live_session import LiveSession
from signcam.ui.live_view import RecognitionView
from signcam.ui.menus import add_action, hide_while_empty
from signcam.ui.photo_view import PhotoView
from signcam.ui.recognition_menu import RecognitionMenu
from signcam.ui.settings import Key, Settings
from signcam.ui.status_bar import StatusBar

if TYPE_CHECKING:
    from signcam.store.weights import WeightsInfo

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1100, 720)
LOADING = "Loading the model…"


@contextmanager
def wait_cursor() -> Iterator[None]:
    """While the GUI thread loads weights (a few seconds the first time: torch)."""
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QApplication.restoreOverrideCursor()


def menu_actions(actions: list[QAction]) -> list[QAction]:
    """Every action under `actions`, submenus included, in menu order. Walked through the menus rather than
    the menu bar's children: File, Camera and Recognition are the window's children, so their Ctrl+O,
    Ctrl+Shift+O, Ctrl+S, Ctrl+Q and F5 were missing from the shortcuts list (issue 23)."""
    found: list[QAction] = []
    for action in actions:
        found.append(action)
        if action.menu() is not None:
            found += menu_actions(action.menu().actions())
    return found


def source_label(spec: int | str) -> str:
    return f"Camera {spec}" if isinstance(spec, int) else f"Video: {Path(spec).name}"


class MainWindow(QMainWindow):
    """`recognition` holds the one RecognitionConfig (views, recognizers and practice follow it);
    `recognition_changed` re-emits every live or photo result in the GUI thread, for panels added
    with `add_panel()` (practice, training); `practice_menu`/`training_menu` are theirs to fill."""

    recognition_changed = Signal(object)

    def __init__(self, settings: Settings, *, source: int | str | None = None, weights: str | None = None,
                 roi: str | None = None, device: str | None = None, loop: bool | None = None):
        super().__init__()
        self.setWindowTitle("signcam")
        self.setAcceptDrops(True)
        self._settings = settings
        self.recognition = RecognitionSettings(settings.recognition_config(weights, roi, device))
        self.recognition.changed.connect(self._on_config_changed)
        self._loop = settings.value(Key.LOOP_VIDEO, False) if loop is None else loop
        self._source: int | str = source if source is not None else settings.camera_index()
        self.live = LiveSession(self)
        for name in ("model_loaded", "model_failed", "config_failed", "previewed", "recognized", "source_opened",
                     "source_lost", "source_ended", "failed"):
            getattr(self.live, name).connect(getattr(self, f"_on_{name}"))  # LiveSession.x -> self._on_x
        self.photos = PhotoReader(self.recognition)
        self.model_info: WeightsInfo | None = None  # of the weights last loaded, for About and the status bar
        self._device_text = ""  # where the loaded models run ("CPU"); "" until a recognizer is built
        # Why no model is loaded, for the status bar and About (issue 32: "loading…" for ever with no source or
        # bad weights): (short, full) text.
        self.model_missing = ("loading…", "loading…")
        self._model_ready = False  # the running worker has built its recognizer
        self.last_error = ""
        self.message_box: QMessageBox | None = None  # the last error or help box shown

        self.live_view = RecognitionView(mirror=settings.value(Key.MIRROR, True))
        self.photo_view = PhotoView(self._recognize_photo)
        for view in (self.live_view, self.photo_view.view):
            view.set_threshold(self.recognition.config.threshold)
        self.photo_view.recognized.connect(self.recognition_changed)
        self.photo_view.back_to_live_requested.connect(self.retry)
        self.empty_view = EmptyStateView()
        self.empty_view.retry_requested.connect(self.retry)
        self.empty_view.choose_camera_requested.connect(lambda: self.camera_menu.popup(QCursor.pos()))
        self.empty_view.open_photo_requested.connect(lambda: self.file_menu.ask_photos())
        self.empty_view.open_video_requested.connect(lambda: self.file_menu.ask_video())
        self.pages = QStackedWidget()
        for page in (self.live_view, self.photo_view, self.empty_view):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self._build_menus()
        self._build_status_bar()
        self._restore_geometry()

    # -- public API ----------------------------------------------------------------------------
    def start_source(self, spec: int | str) -> None:
        """Show `spec` (camera index or video path) live: its picture (or why there is none) as soon as it
        opens, letters once the recognition thread has built the recognizer. Errors end up in the empty state."""
        self.live.stop()
        self._source, self._model_ready = spec, False
        if not self._device_text:
            self.model_missing = ("loading…", "loading…")
        self.status.source_label.setText(source_label(spec))
        self.live.start(lambda: open_source(spec, loop=self._loop, realtime=True), self.recognition.config,
                        preview=isinstance(spec, int))  # a recording: first frame, then read once the model is there
        self.status.stats.reset()
        self.live_view.clear(f"Opening {source_label(spec).lower()}…")
        self.live_view.set_message("")
        self._show_page(self.live_view)

    def retry(self) -> None:
        self.start_source(self._source)

    def choose_camera(self, index: int) -> None:
        self._settings.set_value(Key.CAMERA, index)
        self.start_source(index)

    def open_photos(self, paths: list[Path]) -> None:
        """Stop the camera (it would compete for the CPU) and step through `paths`."""
        if not paths:
            return
        self.live.stop()
        self.status.source_label.setText(f"{len(paths)} photo{'s' * (len(paths) > 1)}")
        self.photo_view.set_photos(paths)
        self._show_page(self.photo_view)

    def load_weights(self, path: str | None) -> bool:
        """Switch to `path` (None = bundled); on a bad file say why and keep the weights in use."""
        return self._reconfigure(replace(self.recognition.config, weights=path))

    def set_device(self, name: str) -> bool:
        """Run every model on `name`; an unavailable device is refused and the one in use kept."""
        return self._reconfigure(replace(self.recognition.config, device=name))

    def set_roi(self, mode: str) -> None:
        self.recognition.update(roi=mode)

    def set_threshold(self, value: float) -> None:
        self.recognition.update(threshold=value)

    def set_mirror(self, on: bool) -> None:
        self.live_view.set_mirror(on)
        self._settings.set_value(Key.MIRROR, on)

    def set_practising(self, on: bool) -> None:
        """While the practice panel is open it shows the reading, so the video takes the live view's column."""
        self.live_view.set_side_panel(not on)

    def save_snapshot(self, path: str | Path) -> bool:
        return self.pages.currentWidget().grab().save(str(path))

    def add_panel(self, widget: QWidget, title: str,
                  area: Qt.DockWidgetArea = Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
        """Dock `widget` beside the view (practice, training); it can listen to `recognition_changed`."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def show_warning(self, title: str, text: str) -> None:
        """For panels' start-up notices (an unusable history): a box over the window and the status bar."""
        self._show_error(title, text)

    @property
    def source(self) -> int | str:
        return self._source

    # -- building ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = FileMenu(self._loop, self._settings, self)
        self.file_menu.photos_chosen.connect(self.open_photos)
        self.file_menu.video_chosen.connect(self.start_source)
        self.file_menu.snapshot_chosen.connect(self._on_snapshot_chosen)
        self.file_menu.loop_toggled.connect(self._on_loop_toggled)
        self.file_menu.quit_requested.connect(self.close)
        bar.addMenu(self.file_menu)

        view_menu = bar.addMenu("&View")
        self.mirror_action = add_action(view_menu, "&Mirror view", self.set_mirror, "Ctrl+M", checkable=True,
                                        checked=self.live_view.mirror)
        add_action(view_menu, "&Full screen", self._on_full_screen, "F11")

        self.camera_menu = CameraMenu(lambda: list_cameras(), lambda: self._source if self.live.running else None, self)
        self.camera_menu.camera_chosen.connect(self.choose_camera)
        self.camera_menu.retry_requested.connect(self.retry)
        bar.addMenu(self.camera_menu)
        self.recognition_menu = RecognitionMenu(self.recognition, self)
        self.recognition_menu.weights_chosen.connect(self.load_weights)
        self.recognition_menu.device_chosen.connect(self.set_device)
        bar.addMenu(self.recognition_menu)

        self.practice_menu = bar.addMenu("&Practice")
        self.training_menu = bar.addMenu("&Training")
        hide_while_empty(self.practice_menu)
        hide_while_empty(self.training_menu)

        help_menu = bar.addMenu("&Help")
        add_action(help_menu, "&Keyboard shortcuts", self._on_shortcuts, "Ctrl+/")
        add_action(help_menu, "&About signcam", self._on_about).setMenuRole(QAction.MenuRole.AboutRole)

    def _build_status_bar(self) -> None:
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        self.live_view.painted.connect(self.status.on_painted)
        self.status.source_label.setText(source_label(self._source))
        self._status_timer = QTimer(self, interval=500, timeout=self._update_status)
        self._status_timer.start()

    def _restore_geometry(self) -> None:
        geometry = self._settings.value(Key.GEOMETRY, QByteArray())
        if geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.resize(*DEFAULT_SIZE)
        state = self._settings.value(Key.WINDOW_STATE, QByteArray())
        if not state.isEmpty():
            self.restoreState(state)

    # -- recognition config and recognizers ----------------------------------------------------
    def _on_config_changed(self, old: RecognitionConfig, new: RecognitionConfig) -> None:
        """The one road for every change: the recognition thread (and the photo reader, subscribed itself)
        rebuild what changed; the views re-render."""
        self._settings.save_recognition_config(new)
        self.live.set_config(new)
        for view in (self.live_view, self.photo_view.view):
            view.set_threshold(new.threshold)
        self._refresh_photo()
        self._update_status()

    def _reconfigure(self, config: RecognitionConfig) -> bool:
        """New weights or device: refuse at once what can be checked without loading (a missing device, a file
        that is not signcam weights), else change the config; the recognition thread loads the models and
        reports a late failure through `config_failed`."""
        from signcam.pipeline.builder import check_config  # imports torch: a menu is used after the model loaded
        from signcam.store.weights import DeviceError, WeightsError

        try:
            check_config(config)
        except (WeightsError, DeviceError) as e:
            self._refuse(str(e), self.recognition.config)
            return False
        self.recognition.update(weights=config.weights, device=config.device)
        if not self.live.running and self.pages.currentWidget() is self.empty_view:
            self.start_source(self._source)  # "Cannot start recognition" with the old choice: try the new one
        return True

    def _refuse(self, message: str, kept: RecognitionConfig) -> None:
        name = Path(kept.weights or "bundled weights").name
        self._show_error("Cannot use this choice", f"{message}\n\nThe weights in use are unchanged: {name}.")
        self.recognition_menu.sync()

    def _on_config_failed(self, message: str, in_use: RecognitionConfig) -> None:
        """The recognition thread could not build the new choice and kept the recognizer it had: so does the
        config."""
        self.recognition.update(weights=in_use.weights, device=in_use.device)
        self._refuse(message, in_use)

    def _recognize_photo(self, path: Path):
        loaded = self.photos.recognizer is not None
        with wait_cursor():
            result = self.photos.read(path)
        if not loaded:
            self._on_model_loaded(self.photos.recognizer)
        return result

    def _refresh_photo(self) -> None:
        if self.pages.currentWidget() is self.photo_view:
            self.photo_view.refresh()

    # -- worker --------------------------------------------------------------------------------
    def _on_model_loaded(self, recognizer) -> None:
        self.model_info = recognizer.info
        self.model_missing = ("", "")
        device = recognizer.device
        self._device_text = "CPU" if device.type == "cpu" else f"GPU ({device})"
        if self.sender() is self.live and self._model_ready:  # rebuilt after a new choice of weights or device
            name = recognizer.info.path.name if recognizer.info is not None else "weights"
            self.statusBar().showMessage(f"Using weights {name} on {self._device_text}", 5000)
        elif self.sender() is self.live:
            self._model_ready = True
            if self.live_view.message == LOADING:
                self.live_view.set_message("")
        self._update_status()

    def _on_previewed(self, frame) -> None:
        """A frame before the model is ready: the picture plays, marked as not read yet."""
        self.live_view.show_frame(frame.image_bgr)
        if not self.live_view.message:
            self.live_view.set_message(LOADING)

    def _on_model_failed(self, message: str) -> None:
        if not self._device_text:
            name = Path(self.recognition.config.weights or "bundled weights").name
            self.model_missing = (f"failed to load ({name})", f"failed to load: {message}")
        self._show_empty("Cannot start recognition", f"{message}\nPick weights or a device in the Recognition menu.")

    def _on_recognized(self, recognition) -> None:
        self.live_view.set_result(recognition)
        self.recognition_changed.emit(recognition)

    def _on_source_opened(self, name: str) -> None:
        self.live_view.set_message("" if self._model_ready else LOADING)
        self.statusBar().showMessage(f"Reading {Path(name).name}", 3000)

    def _on_source_lost(self, message: str) -> None:
        self.live_view.set_message(message)
        self.statusBar().showMessage(message)

    def _on_source_ended(self) -> None:
        self.live_view.set_message("End of video — Camera > Retry plays it again")

    def _on_failed(self, message: str) -> None:
        if not self._device_text:  # the models load with a source: none opened, none loaded
            self.model_missing = ("not loaded (no source)", "not loaded: no camera or video could be opened "
                                  "(they load with the first camera, video or photo)")
        if isinstance(self._source, int):  # "cannot open camera 0" starts a sentence; a video's starts with its path
            message = message[:1].upper() + message[1:]
            self._show_empty("No camera", f"{message}.\nConnect a camera and retry, or use a photo or video.")
        else:
            self._show_empty("Cannot play this video", message)

    # -- menu handlers -------------------------------------------------------------------------
    def _on_loop_toggled(self, on: bool) -> None:
        self._loop = on
        self._settings.set_value(Key.LOOP_VIDEO, on)

    def _on_snapshot_chosen(self, name: str) -> None:
        if not self.save_snapshot(name):
            self._show_error("Cannot save snapshot", f"Could not write {name}.")

    def _on_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _on_about(self) -> None:
        from signcam.ui.about import AboutDialog  # about imports torch for its version

        AboutDialog(self.model_info, self._device_text or "no model loaded", self,
                    missing=self.model_missing[1]).open()

    def _on_shortcuts(self) -> None:
        from signcam.ui.about import shortcuts_html

        self._show_message("Keyboard shortcuts", shortcuts_html(menu_actions(self.menuBar().actions())),
                           QMessageBox.Icon.NoIcon)

    # -- drag and drop -------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if len(paths) == 1 and paths[0].suffix.lower() not in IMAGE_SUFFIXES and paths[0].is_file():
            self.start_source(str(paths[0]))  # a dropped video plays like File > Open video
        else:
            self.open_photos([image for p in paths for image in (find_images(p) if p.is_dir() else [p])])
        event.acceptProposedAction()

    # -- state ---------------------------------------------------------------------------------
    def _update_status(self) -> None:
        live = self.pages.currentWidget() is self.live_view and self.live.running
        recognizer = self.live.recognizer if live else self.photos.recognizer
        roi = recognizer.roi if recognizer is not None else self.recognition.config.roi
        device = self._device_text or f"Model {self.model_missing[0]}"
        self.status.refresh(live=live, device=device, roi=roi)

    def _show_page(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        self.statusBar().clearMessage()
        self._update_status()

    def _show_empty(self, title: str, detail: str) -> None:
        self.live.stop()
        self.empty_view.set_reason(title, detail)
        self._show_page(self.empty_view)

    def _show_message(self, title: str, text: str, icon: QMessageBox.Icon) -> None:
        """Window-modal but not blocking (open, not exec), so the live view keeps running."""
        if self.message_box is not None:
            self.message_box.close()
            self.message_box.deleteLater()
        self.message_box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        self.message_box.setWindowModality(Qt.WindowModality.WindowModal)
        self.message_box.open()

    def _show_error(self, title: str, text: str) -> None:
        log.warning("%s: %s", title, text)
        self.last_error = text
        self.statusBar().showMessage(text.splitlines()[0], 10000)
        self._show_message(title, text, QMessageBox.Icon.Warning)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._settings.set_value(Key.GEOMETRY, self.saveGeometry())
        self._settings.set_value(Key.WINDOW_STATE, self.saveState())
        self._settings.sync()
        self.live.stop()
        self.photos.close()
        super().closeEvent(event)
