"""The Training menu: Retrain…, Capture my samples…, Browse data…, Use bundled weights.

Usage (from the main window, once):
    install_training(window)   # fills window.training_menu; switches weights with window.load_weights

`window` is signcam's MainWindow: it needs `training_menu` (QMenu), `recognition_menu` (it lists the adopted
weights), `load_weights(path | None) -> bool`, `recognition` (its `config.weights` is the weights in use, None =
bundled), `recognition_changed` (Signal(object) carrying Recognition in the GUI thread) and `statusBar()`.
`settings` and `user_dir` default to the app's QSettings and signcam.store.files.user_data_dir(); tests pass
temporary ones. The dialogs (torch, pyqtgraph, pandas) are imported when first opened, not at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence

from signcam.store.assets_dir import BUNDLED_WEIGHTS
from signcam.store.files import user_data_dir
from signcam.ui.settings import Key, Settings

if TYPE_CHECKING:
    from signcam.store.user_weights import WeightsHistory
    from signcam.ui.browser_dialog import BrowserDialog
    from signcam.ui.capture_dialog import CaptureDialog
    from signcam.ui.retrain_dialog import RetrainDialog


class TrainingActions(QObject):
    """Owns the dialogs the Training menu opens and what they change; a child of the window, so it
    lives exactly as long as the menu that calls it."""

    def __init__(self, window, settings: Settings, user_dir: Path, retrain_overrides: dict | None = None):
        super().__init__(window)
        self.window, self.settings = window, settings
        self.user_dir = user_dir
        self.samples_dir = user_dir / "samples"
        self.retrain_overrides = retrain_overrides
        self.retrain_dialog: RetrainDialog | None = None
        self.capture_dialog: CaptureDialog | None = None
        self.browser_dialog: BrowserDialog | None = None

    @property
    def history(self) -> WeightsHistory:
        from signcam.store.user_weights import WeightsHistory

        return WeightsHistory(self.user_dir)

    def current_weights(self) -> Path:
        weights = self.window.recognition.config.weights
        return Path(weights) if weights else BUNDLED_WEIGHTS

    def open_retrain(self) -> RetrainDialog:
        from signcam.store.samples import SampleStore
        from signcam.ui.retrain_dialog import RetrainDialog

        if self.retrain_dialog is not None and self.retrain_dialog.isVisible():
            self.retrain_dialog.raise_()  # one training at a time
            return self.retrain_dialog
        self.retrain_dialog = RetrainDialog(self.settings, history=self.history,
                                            samples=SampleStore(self.samples_dir),
                                            current_weights=self.current_weights(),
                                            overrides=self.retrain_overrides, parent=self.window)
        self.retrain_dialog.adopted.connect(self._on_adopted)
        self.retrain_dialog.open()
        return self.retrain_dialog

    def open_capture(self) -> CaptureDialog:
        from signcam.store.samples import SampleStore
        from signcam.ui.capture_dialog import CaptureDialog

        if self.capture_dialog is not None and self.capture_dialog.isVisible():
            self.capture_dialog.raise_()  # two open dialogs would both store every frame
            return self.capture_dialog
        dialog = CaptureDialog(SampleStore(self.samples_dir), parent=self.window)
        self.window.recognition_changed.connect(dialog.on_recognition)
        dialog.finished.connect(lambda: self.window.recognition_changed.disconnect(dialog.on_recognition))
        self.capture_dialog = dialog
        dialog.show()
        return dialog

    def open_browser(self) -> BrowserDialog:
        from signcam.store.samples import SampleStore
        from signcam.ui.browser_dialog import BrowserDialog

        self.browser_dialog = BrowserDialog(data_dir=self.settings.value(Key.TRAINING_DATA, ""),
                                            samples=SampleStore(self.samples_dir),
                                            config=self.window.recognition.config, parent=self.window)
        self.browser_dialog.data_dir_chosen.connect(lambda folder: self.settings.set_value(Key.TRAINING_DATA, folder))
        self.browser_dialog.show()
        return self.browser_dialog

    def use_bundled(self) -> bool:
        return self.window.load_weights(None)

    def _on_adopted(self, path: Path) -> None:
        if self.window.load_weights(str(path)):
            self.window.statusBar().showMessage(f"Now using your retrained weights {path.name}", 8000)


def install_training(window, settings: Settings | None = None, user_dir: Path | None = None,
                     retrain_overrides: dict | None = None) -> TrainingActions:
    """Fill `window.training_menu`; returns the TrainingActions (tests drive the dialogs through it)."""
    actions = TrainingActions(window, settings or Settings(), Path(user_dir or user_data_dir()), retrain_overrides)
    window.recognition_menu.list_adopted(actions.history)  # Recognition > Weights lists what Retrain adopts
    menu = window.training_menu
    menu.addAction("&Retrain…", QKeySequence("Ctrl+Shift+R"), actions.open_retrain)
    menu.addAction("&Capture my samples…", actions.open_capture)
    menu.addAction("&Browse data…", actions.open_browser)
    menu.addSeparator()
    menu.addAction("Use &bundled weights", actions.use_bundled)
    return actions
