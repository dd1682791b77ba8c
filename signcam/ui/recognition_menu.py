"""The Recognition menu: hand locating, confidence threshold, device and weights, as one view of the
app's RecognitionSettings.

Roi and threshold go straight into the settings; weights and device must be loaded and checked first,
so they leave as intents (`weights_chosen`, `device_chosen`) for the window. The checks follow
`settings.changed`, so the menu never disagrees with the config, whoever changed it.
"""

from pathlib import Path

from PySide6.QtCore import QDir, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from signcam.pipeline.config import DEVICE_LABELS, RecognitionConfig, RecognitionSettings
from signcam.pipeline.locate import ROI_MODES
from signcam.ui.menus import add_action, add_choices

THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
ROI_LABELS = {"auto": "Auto (find the hand)", "box": "Fixed guide box", "full": "Full frame"}  # else its name


class RecognitionMenu(QMenu):
    weights_chosen = Signal(object)  # a path, or None for the bundled weights
    device_chosen = Signal(str)

    def __init__(self, settings: RecognitionSettings, parent: QWidget | None = None) -> None:
        super().__init__("&Recognition", parent)
        self._settings = settings
        config = settings.config
        self.aboutToShow.connect(self._enable_available_devices)
        self.roi_actions = add_choices(self.addMenu("&Hand locating"),
                                       {mode: ROI_LABELS.get(mode, mode) for mode in ROI_MODES}, config.roi,
                                       lambda mode: settings.update(roi=mode))
        self.threshold_actions = add_choices(
            self.addMenu("Confidence &threshold"), {t: f"{t:.0%}" for t in THRESHOLDS}, self._nearest(config),
            lambda value: settings.update(threshold=value))
        self.device_actions = add_choices(self.addMenu("&Device"), DEVICE_LABELS, config.device,
                                          self.device_chosen.emit)
        weights_menu = self.addMenu("&Weights")
        self.bundled_weights_action = add_action(weights_menu, "&Bundled", lambda: self.weights_chosen.emit(None))
        self.bundled_weights_action.setCheckable(True)  # after add_action: `triggered`, so re-picking reloads
        add_action(weights_menu, "&Custom file…", self._on_choose_weights)
        settings.changed.connect(lambda old, new: self.sync())
        self.sync()

    @staticmethod
    def _nearest(config: RecognitionConfig) -> float:
        return min(THRESHOLDS, key=lambda t: abs(t - config.threshold))

    def sync(self) -> None:
        """Check what the config says (also after a refused choice, to undo the click's check)."""
        config = self._settings.config
        self.bundled_weights_action.setChecked(config.weights is None)
        for actions, value in ((self.device_actions, config.device), (self.roi_actions, config.roi),
                               (self.threshold_actions, self._nearest(config))):
            for key, action in actions.items():
                action.setChecked(key == value)

    def _enable_available_devices(self) -> None:
        from signcam.pipeline.config import available_devices  # imports torch: only once the menu is opened

        available = available_devices()
        for name, action in self.device_actions.items():
            action.setEnabled(name in available)

    def _on_choose_weights(self) -> None:
        weights = self._settings.config.weights  # start where the weights in use are (issue 32: the current folder)
        folder = str(Path(weights).parent) if weights else QDir.homePath()
        name, _ = QFileDialog.getOpenFileName(self, "Choose weights", folder, "Weights (*.safetensors);;All files (*)")
        if name:
            self.weights_chosen.emit(name)
        else:
            self.sync()
