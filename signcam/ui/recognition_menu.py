"""The Recognition menu: hand locating, confidence threshold, device and weights, as one view of the
app's RecognitionSettings.

Roi and threshold go straight into the settings; weights and device must be loaded and checked first,
so they leave as intents (`weights_chosen`, `device_chosen`) for the window. The checks follow
`settings.changed`, so the menu never disagrees with the config, whoever changed it.

Weights names the file in use and lists the learner's adopted weights (newest first) beside the bundled
ones; "Custom file…" opens in their folder (issue 29: only "Bundled" and a file dialog in the working folder,
so an adopted retrain could not be found again, nor told apart from the bundled weights).
"""

from pathlib import Path

from PySide6.QtCore import QDir, Signal
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from signcam.pipeline.config import DEVICE_LABELS, RecognitionConfig, RecognitionSettings
from signcam.pipeline.locate import ROI_MODES
from signcam.store.assets_dir import BUNDLED_WEIGHTS
from signcam.store.user_weights import WeightsHistory, adopted_at
from signcam.ui.menus import add_choices

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
        self.weights_menu = self.addMenu("&Weights")
        self.weights_menu.aboutToShow.connect(self._fill_weights)  # a retrain may have adopted new ones
        self._history: WeightsHistory | None = None
        self.weights_actions: dict[str | None, QAction] = {}  # by path (None: bundled), as listed now
        self._weights_group: QActionGroup | None = None
        self._fill_weights()
        settings.changed.connect(lambda old, new: self.sync())
        self.sync()

    @staticmethod
    def _nearest(config: RecognitionConfig) -> float:
        return min(THRESHOLDS, key=lambda t: abs(t - config.threshold))

    def list_adopted(self, history: WeightsHistory) -> None:
        """List the weights adopted into `history` (the Training menu's), and open Custom file… in their folder."""
        self._history = history
        self._fill_weights()

    def weights_in_use(self) -> str:
        """The weights in use, in words: "Bundled", "Yours, trained 7 Dec 2026 21:15" or the file's name."""
        checked = [a.text().replace("&", "") for a in self.weights_actions.values() if a.isChecked()]
        return checked[0] if checked else self._weights_label(self._settings.config.weights)

    def sync(self) -> None:
        """Check what the config says (also after a refused choice, to undo the click's check)."""
        config = self._settings.config
        for choice, action in self.weights_actions.items():  # checks only: this may run inside a click on one
            action.setChecked(self._same(choice, config.weights))
        self._in_use_action.setText(f"In use: {self.weights_in_use()}")
        for actions, value in ((self.device_actions, config.device), (self.roi_actions, config.roi),
                               (self.threshold_actions, self._nearest(config))):
            for key, action in actions.items():
                action.setChecked(key == value)

    def _enable_available_devices(self) -> None:
        from signcam.pipeline.config import available_devices  # imports torch: only once the menu is opened

        available = available_devices()
        for name, action in self.device_actions.items():
            action.setEnabled(name in available)

    def _weights_label(self, weights: str | None) -> str:
        if weights is None or Path(weights) == BUNDLED_WEIGHTS:
            return "Bundled"
        path = Path(weights)
        trained = adopted_at(path) if self._history is not None and path.parent == self._history.weights_dir else None
        return f"Yours, trained {trained.day} {trained:%b %Y %H:%M}" if trained else path.name

    @staticmethod
    def _same(a: str | None, b: str | None) -> bool:
        """The same weights file (None and the bundled file's path are both the bundled weights)."""
        a_path, b_path = (None if w is None or Path(w) == BUNDLED_WEIGHTS else Path(w) for w in (a, b))
        return a_path == b_path

    def _fill_weights(self) -> None:
        """In use (named), Bundled, the adopted weights and a custom file in use, checked where it is the one in
        use; then Custom file…. Picking one (again) emits weights_chosen: re-picking reloads."""
        menu, in_use = self.weights_menu, self._settings.config.weights
        menu.clear()
        self._in_use_action = menu.addAction("In use:")
        self._in_use_action.setEnabled(False)
        menu.addSeparator()
        choices: list[str | None] = [None, *(str(p) for p in (self._history.versions() if self._history else []))]
        if in_use is not None and not any(self._same(choice, in_use) for choice in choices):
            choices.append(in_use)  # a custom file in use: named and checked too
        if self._weights_group is not None:
            self._weights_group.deleteLater()  # clear() took its actions
        group = self._weights_group = QActionGroup(menu)
        self.weights_actions = {}
        labels = [self._weights_label(choice) for choice in choices]
        for choice, label in zip(choices, labels, strict=True):
            if labels.count(label) > 1:  # two retrains started within a minute: their files tell them apart
                label += f" ({Path(choice).stem})"
            action = QAction(("&" if choice is None else "") + label, menu, checkable=True,
                             checked=self._same(choice, in_use))
            action.setToolTip(str(choice or BUNDLED_WEIGHTS))
            action.triggered.connect(lambda _=False, path=choice: self.weights_chosen.emit(path))
            group.addAction(action)
            menu.addAction(action)
            self.weights_actions[choice] = action
        self._in_use_action.setText(f"In use: {self.weights_in_use()}")
        menu.addSeparator()
        menu.addAction("&Custom file…", self._on_choose_weights)

    def _on_choose_weights(self) -> None:
        # Where adopted weights live (issue 29), else beside the weights in use, else home (never the current folder).
        weights = self._settings.config.weights
        if self._history is not None and self._history.weights_dir.is_dir():
            folder = str(self._history.weights_dir)
        else:
            folder = str(Path(weights).parent) if weights else QDir.homePath()
        name, _ = QFileDialog.getOpenFileName(self, "Choose weights", folder, "Weights (*.safetensors);;All files (*)")
        if name:
            self.weights_chosen.emit(name)
        else:
            self.sync()
