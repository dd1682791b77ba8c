"""The main window: menus, actions, status bar, drag-and-drop and the wiring between the views,
the recognition worker and the settings. No pipeline logic lives here."""

import logging
from pathlib import Path

import torch
from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QCursor, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QStackedWidget, QWidget

from signcam.locate import ROI_MODES
from signcam.recognizer import Recognizer
from signcam.sources import IMAGE_SUFFIXES, SourceError, find_images, list_cameras, open_source, read_image
from signcam.ui.about import about_html, shortcuts_html
from signcam.ui.empty_state import EmptyStateView
from signcam.ui.live_session import LiveSession
from signcam.ui.live_view import RecognitionView
from signcam.ui.menus import add_action, add_choices, hide_while_empty
from signcam.ui.photo_view import PhotoView
from signcam.ui.settings import Key, Settings
from signcam.ui.status_bar import StatusBar
from signcam.weights import DeviceError, WeightsError

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1100, 720)
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
ROI_LABELS = {"auto": "Auto (find the hand)", "box": "Fixed guide box", "full": "Full frame"}
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "GPU (CUDA)"}
VIDEO_FILTER = "Videos (*.mp4 *.avi *.mov *.mkv *.webm);;All files (*)"
PHOTO_FILTER = f"Images ({' '.join('*' + s for s in sorted(IMAGE_SUFFIXES))});;All files (*)"


def source_label(spec: int | str) -> str:
    return f"Camera {spec}" if isinstance(spec, int) else f"Video: {Path(spec).name}"


class MainWindow(QMainWindow):
    """`recognition_changed` re-emits every live or photo result in the GUI thread, for panels added
    with `add_panel()` (practice, training); `practice_menu`/`training_menu` are theirs to fill."""

    recognition_changed = Signal(object)

    def __init__(self, settings: Settings, *, source: int | str | None = None, weights: str | None = None,
                 roi: str | None = None, device: str | None = None, loop: bool | None = None):
        super().__init__()
        self.setWindowTitle("signcam")
        self.setAcceptDrops(True)
        self._settings = settings
        self._roi = roi or settings.value(Key.ROI, "auto")
        self._roi = self._roi if self._roi in ROI_MODES else "auto"
        self._threshold = settings.value(Key.THRESHOLD, 0.6)
        self._device = device or settings.value(Key.DEVICE, "auto")
        self._weights = weights or settings.value(Key.WEIGHTS, "") or None
        self._loop = settings.value(Key.LOOP_VIDEO, False) if loop is None else loop
        self._source: int | str = source if source is not None else settings.value(Key.CAMERA, 0)
        self.live = LiveSession(self)
        self.live.recognized.connect(self._on_recognized)
        self.live.source_opened.connect(self._on_source_opened)
        self.live.source_lost.connect(self._on_source_lost)
        self.live.source_ended.connect(self._on_source_ended)
        self.live.failed.connect(self._on_failed)
        self._photo_recognizer: Recognizer | None = None
        self.last_error = ""
        self.message_box: QMessageBox | None = None  # the last error or help box shown

        self.live_view = RecognitionView(mirror=settings.value(Key.MIRROR, True))
        self.live_view.set_threshold(self._threshold)
        self.photo_view = PhotoView(self._recognize_photo)
        self.photo_view.view.set_threshold(self._threshold)
        self.photo_view.recognized.connect(self.recognition_changed)
        self.photo_view.back_to_live_requested.connect(self.retry)
        self.empty_view = EmptyStateView()
        self.empty_view.retry_requested.connect(self.retry)
        self.empty_view.choose_camera_requested.connect(lambda: self.camera_menu.popup(QCursor.pos()))
        self.empty_view.open_photo_requested.connect(self._on_open_photo)
        self.empty_view.open_video_requested.connect(self._on_open_video)
        self.pages = QStackedWidget()
        for page in (self.live_view, self.photo_view, self.empty_view):
            self.pages.addWidget(page)
        self.setCentralWidget(self.pages)
        self._build_menus()
        self._build_status_bar()
        self._restore_geometry()
        self._load_photo_recognizer()

    # -- public API ----------------------------------------------------------------------------
    def start_source(self, spec: int | str) -> None:
        """Show `spec` (camera index or video path) live; errors end up in the empty state."""
        self.live.stop()
        self._source = spec
        self.status.source_label.setText(source_label(spec))
        try:
            recognizer = self._new_recognizer(video=True, weights=self._weights, device=self._device)
        except (WeightsError, DeviceError) as e:
            self._show_empty("Cannot start recognition", f"{e}\nPick weights or a device in the Recognition menu.")
            return
        self.live.start(lambda: open_source(spec, loop=self._loop, realtime=True), recognizer)
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
        return self._reconfigure(path, self._device)

    def set_device(self, name: str) -> bool:
        return self._reconfigure(self._weights, name)

    def set_roi(self, mode: str) -> None:
        self._roi = mode
        self._settings.set_value(Key.ROI, mode)
        for recognizer in self._recognizers():
            recognizer.roi = mode
        self._refresh_photo()
        self._update_status()

    def set_threshold(self, value: float) -> None:
        self._threshold = value
        self._settings.set_value(Key.THRESHOLD, value)
        self.live_view.set_threshold(value)
        self.photo_view.view.set_threshold(value)
        for recognizer in self._recognizers():
            recognizer.threshold = value
        self._refresh_photo()

    def set_mirror(self, on: bool) -> None:
        self.live_view.set_mirror(on)
        self._settings.set_value(Key.MIRROR, on)

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

    @property
    def recognizer(self) -> Recognizer | None:
        """The recognizer for photos; its `info` and `device` are the ones the live view uses too."""
        return self._photo_recognizer

    # -- building ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.open_photo_action = add_action(file_menu, "Open &photo…", self._on_open_photo,
                                              QKeySequence.StandardKey.Open)
        self.open_video_action = add_action(file_menu, "Open &video…", self._on_open_video, "Ctrl+Shift+O")
        self.loop_action = add_action(file_menu, "&Loop videos", self._on_loop_toggled, checkable=True,
                                        checked=self._loop)
        file_menu.addSeparator()
        self.snapshot_action = add_action(file_menu, "&Save snapshot…", self._on_save_snapshot,
                                            QKeySequence.StandardKey.Save)
        file_menu.addSeparator()
        self.quit_action = add_action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

        view_menu = bar.addMenu("&View")
        self.mirror_action = add_action(view_menu, "&Mirror view", self.set_mirror, "Ctrl+M", checkable=True,
                                          checked=self.live_view.mirror)
        add_action(view_menu, "&Full screen", self._on_full_screen, "F11")

        self.camera_menu = bar.addMenu("&Camera")
        self.camera_menu.aboutToShow.connect(self._fill_camera_menu)
        self.retry_action = add_action(self.camera_menu, "&Retry", self.retry, QKeySequence.StandardKey.Refresh)

        recognition_menu = bar.addMenu("&Recognition")
        self.roi_actions = add_choices(recognition_menu.addMenu("&Hand locating"), ROI_LABELS, self._roi,
                                         self.set_roi)
        self.threshold_actions = add_choices(
            recognition_menu.addMenu("Confidence &threshold"), {t: f"{t:.0%}" for t in THRESHOLDS},
            min(THRESHOLDS, key=lambda t: abs(t - self._threshold)), self.set_threshold)
        self.device_actions = add_choices(recognition_menu.addMenu("&Device"), DEVICE_LABELS, self._device,
                                            self.set_device)
        self.device_actions["cuda"].setEnabled(torch.cuda.is_available())
        weights_menu = recognition_menu.addMenu("&Weights")
        self.bundled_weights_action = add_action(weights_menu, "&Bundled", lambda: self.load_weights(None))
        self.bundled_weights_action.setCheckable(True)  # after add_action: `triggered`, so re-picking reloads
        add_action(weights_menu, "&Custom file…", self._on_choose_weights)

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

    # -- recognizers ---------------------------------------------------------------------------
    def _new_recognizer(self, *, video: bool, weights: str | None, device: str) -> Recognizer:
        return Recognizer(weights, roi=self._roi, device=device, threshold=self._threshold, video=video)

    def _recognizers(self) -> list[Recognizer]:
        live = [self.live.recognizer] if self.live.running else []
        return live + ([self._photo_recognizer] if self._photo_recognizer is not None else [])

    def _load_photo_recognizer(self) -> None:
        try:
            self._photo_recognizer = self._new_recognizer(video=False, weights=self._weights, device=self._device)
        except (WeightsError, DeviceError) as e:
            self._show_error("Cannot load weights", str(e))
        self._sync_recognition_actions()

    def _reconfigure(self, weights: str | None, device: str) -> bool:
        """New weights or device: build and check a recognizer first, so a bad choice changes nothing."""
        try:
            photo = self._new_recognizer(video=False, weights=weights, device=device)
            live = self._new_recognizer(video=True, weights=weights, device=device) if self.live.running else None
        except (WeightsError, DeviceError) as e:
            kept = self._photo_recognizer.info.path.name if self._photo_recognizer else "none"
            self._show_error("Cannot use this choice", f"{e}\n\nThe weights in use are unchanged: {kept}.")
            self._sync_recognition_actions()
            return False
        self._weights, self._device = weights, device
        self._settings.set_value(Key.WEIGHTS, weights or "")
        self._settings.set_value(Key.DEVICE, device)
        if self._photo_recognizer is not None:
            self._photo_recognizer.close()
        self._photo_recognizer = photo
        if live is not None:
            self.live.replace_recognizer(live)
        elif self.pages.currentWidget() is self.empty_view:
            self.retry()
        self._refresh_photo()
        self._sync_recognition_actions()
        self.statusBar().showMessage(f"Using weights {photo.info.path.name} on {self._device_text()}", 5000)
        return True

    def _recognize_photo(self, path: Path):
        if self._photo_recognizer is None:
            raise ValueError("No weights loaded: choose Recognition > Weights.")
        try:
            image = read_image(path)
        except SourceError as e:
            raise ValueError(f"Cannot open this photo: {e}") from None
        return image, self._photo_recognizer.recognize(image)

    def _refresh_photo(self) -> None:
        if self.pages.currentWidget() is self.photo_view:
            self.photo_view.refresh()

    # -- worker --------------------------------------------------------------------------------
    def _on_recognized(self, recognition) -> None:
        self.live_view.set_result(recognition)
        self.recognition_changed.emit(recognition)

    def _on_source_opened(self, name: str) -> None:
        self.live_view.set_message("")
        self.statusBar().showMessage(f"Reading {Path(name).name}", 3000)

    def _on_source_lost(self, message: str) -> None:
        self.live_view.set_message(message)
        self.statusBar().showMessage(message)

    def _on_source_ended(self) -> None:
        self.live_view.set_message("End of video — Camera > Retry plays it again")

    def _on_failed(self, message: str) -> None:
        message = message[:1].upper() + message[1:]
        if isinstance(self._source, int):
            self._show_empty("No camera", f"{message}.\nConnect a camera and retry, or use a photo or video.")
        else:
            self._show_empty("Cannot play this video", message)

    # -- menu handlers -------------------------------------------------------------------------
    def _fill_camera_menu(self) -> None:
        for action in self.camera_menu.actions():
            if action is not self.retry_action:
                self.camera_menu.removeAction(action)
                action.deleteLater()
        cameras = list_cameras()
        if isinstance(self._source, int) and self.live.running and self._source not in cameras:
            cameras = sorted([*cameras, self._source])  # a camera in use may fail to open a second time
        first = self.retry_action
        for index in cameras:
            action = QAction(f"Camera {index}", self.camera_menu, checkable=True, checked=index == self._source)
            action.triggered.connect(lambda _=False, i=index: self.choose_camera(i))
            self.camera_menu.insertAction(first, action)
        if not cameras:
            none = QAction("No cameras found", self.camera_menu, enabled=False)
            self.camera_menu.insertAction(first, none)
        self.camera_menu.insertSeparator(first)

    def _on_open_photo(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Open photos", "", PHOTO_FILTER)
        self.open_photos([Path(n) for n in names])

    def _on_open_video(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open video", "", VIDEO_FILTER)
        if name:
            self.start_source(name)

    def _on_loop_toggled(self, on: bool) -> None:
        self._loop = on
        self._settings.set_value(Key.LOOP_VIDEO, on)

    def _on_save_snapshot(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Save snapshot", "signcam-snapshot.png", "PNG images (*.png)")
        if name and not self.save_snapshot(name):
            self._show_error("Cannot save snapshot", f"Could not write {name}.")

    def _on_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def _on_choose_weights(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Choose weights", "", "Weights (*.safetensors);;All files (*)")
        if name:
            self.load_weights(name)
        else:
            self._sync_recognition_actions()

    def _on_about(self) -> None:
        info = self._photo_recognizer.info if self._photo_recognizer else None
        self._show_message("About signcam", about_html(info, self._device_text()), QMessageBox.Icon.Information)

    def _on_shortcuts(self) -> None:
        actions = [a for menu in self.menuBar().findChildren(QMenu) for a in menu.actions()]
        self._show_message("Keyboard shortcuts", shortcuts_html(dict.fromkeys(actions)), QMessageBox.Icon.NoIcon)

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
    def _device_text(self) -> str:
        if self._photo_recognizer is None:
            return "no model"
        device = self._photo_recognizer.device
        return "CPU" if device.type == "cpu" else f"GPU ({device})"

    def _update_status(self) -> None:
        roi = self._photo_recognizer.roi if self._photo_recognizer is not None else self._roi
        live = self.pages.currentWidget() is self.live_view and self.live.running
        self.status.refresh(live=live, device=self._device_text(), roi=roi)

    def _sync_recognition_actions(self) -> None:
        self.bundled_weights_action.setChecked(self._photo_recognizer is not None and not self._weights)
        for value, action in self.device_actions.items():
            action.setChecked(value == self._device)
        self._update_status()

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
        if self._photo_recognizer is not None:
            self._photo_recognizer.close()
            self._photo_recognizer = None
        super().closeEvent(event)
