"""Training > Browse data: the learner's own samples, the reference hands and the Sign-MNIST CSVs as tiles
(image, actual letter, predicted letter and confidence), filtered by letter or by "misclassified", with a
confusion matrix whose cells show the examples behind them.

It opens on what the app already has (your samples, else the reference hands), since the CSVs are a
separate download; one sentence says where to get them (issue 13: it opened empty, on a red line).

27k tiles stay fast because a QListView with uniform item sizes asks the model only for the tiles on
screen, and a tile's pixmap is made when it is asked for. Predictions run in small chunks on a timer,
so the dialog shows the images at once and fills in predictions without freezing the window. The
predictions are the app's own CNN (signcam.models.letter_models.CnnModel: the same file reading, inference model
and calibrated probabilities the recognizer uses); 28x28 tiles have no landmarks, so nothing else is fused.
"""

from pathlib import Path

import cv2
import numpy as np
import torch
from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from signcam.labels import LETTERS, class_of_letter
from signcam.models.letter_models import CnnModel
from signcam.pipeline.locate import FullFrameLocator
from signcam.pipeline.preprocess import crop_hand
from signcam.store.assets_dir import REFERENCE_DIR
from signcam.store.samples import SampleStore
from signcam.store.weights import WeightsError
from signcam.ui.confusion_view import ConfusionView
from signcam.ui.images import gray_to_qimage
from signcam.ui.screen_fit import fit_to_screen
from training.data import CsvError, Dataset, find_csvs, load_csv
from training.report import classification_metrics

TILE_PX = 84  # 3x the 28x28 input, nearest-neighbour so single pixels stay visible
CHUNK = 256  # images per prediction step: ~0.1 s on one core, short enough to keep the window responsive
WRONG = QColor(210, 60, 50)
SOURCES = {"samples": "My samples", "references": "Reference hands", "test": "Test (Sign-MNIST)",
           "train": "Train (Sign-MNIST)"}
GET_CSVS = ("The Sign-MNIST CSVs are a free download: save sign_mnist_train.csv and sign_mnist_test.csv from "
            "kaggle.com/datasets/datamunge/sign-language-mnist into a folder, then choose it with Sign-MNIST "
            "folder… above.")


def reference_dataset(folder: Path = REFERENCE_DIR) -> Dataset:
    """The bundled reference hands as the model sees them: each picture is a hand crop (the `full` locator),
    made 28x28 gray by the app's own crop_hand."""
    images, labels = [], []
    for path in sorted(folder.glob("*.png")):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None or path.stem not in LETTERS:
            continue
        images.append(crop_hand(image, FullFrameLocator().locate(image)))
        labels.append(class_of_letter(path.stem))
    if not images:
        return Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), str(folder), "")
    return Dataset(np.stack(images), np.array(labels, np.int64), str(folder), "")


class TileModel(QAbstractListModel):
    """Images with labels and (once computed) predictions; `rows` is the filtered view into them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.labels = np.zeros(0, np.int64)
        self.predicted: np.ndarray | None = None  # (N,) class indices, once every chunk is done
        self.confidence: np.ndarray | None = None
        self.rows = np.zeros(0, np.int64)

    def set_data(self, images: np.ndarray, labels: np.ndarray) -> None:
        self.beginResetModel()
        self.images, self.labels = images, labels
        self.predicted = self.confidence = None
        self.rows = np.arange(len(labels))
        self.endResetModel()

    def set_predictions(self, predicted: np.ndarray, confidence: np.ndarray) -> None:
        self.predicted, self.confidence = predicted, confidence
        if len(self.rows):
            self.dataChanged.emit(self.index(0), self.index(len(self.rows) - 1))

    def set_filter(self, actual: int | None, predicted: int | None, misclassified: bool) -> None:
        keep = np.ones(len(self.labels), bool)
        if actual is not None:
            keep &= self.labels == actual
        if self.predicted is not None:
            if predicted is not None:
                keep &= self.predicted == predicted
            if misclassified:
                keep &= self.predicted != self.labels
        self.beginResetModel()
        self.rows = np.flatnonzero(keep)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        i = int(self.rows[index.row()])
        actual = LETTERS[self.labels[i]]
        if role == Qt.ItemDataRole.DecorationRole:
            return QPixmap.fromImage(gray_to_qimage(self.images[i])).scaled(
                TILE_PX, TILE_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        if role == Qt.ItemDataRole.DisplayRole:
            if self.predicted is None:
                return actual
            return f"{actual} → {LETTERS[self.predicted[i]]} {self.confidence[i]:.0%}"
        wrong = self.predicted is not None and self.predicted[i] != self.labels[i]
        if role == Qt.ItemDataRole.ForegroundRole and wrong:
            return QBrush(WRONG)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"#{i}: actual {actual}" + ("" if self.predicted is None else
                                               f", predicted {LETTERS[self.predicted[i]]} ({self.confidence[i]:.1%})")
        return None


class BrowserDialog(QDialog):
    """`data_dir` holds the Kaggle CSVs (the Retrain dialog's setting); `weights` are the ones whose
    predictions are shown (the weights in use)."""

    data_dir_chosen = Signal(str)  # a folder with the CSVs, picked here: the Training menu remembers it

    def __init__(self, *, data_dir: str, samples: SampleStore, weights: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Browse data")
        self._data_dir, self._samples, self._weights = data_dir, samples, weights
        self._model: CnnModel | None = None
        self._probs: list[np.ndarray] = []
        self._cell: tuple[int, int] | None = None
        self._error = ""  # something failed: shown in red
        self._note = ""  # nothing to show yet, and how to get it
        self._timer = QTimer(self, interval=0, timeout=self._predict_chunk)

        self.tiles = TileModel(self)
        self.view = QListView()
        self.view.setViewMode(QListView.ViewMode.IconMode)
        self.view.setIconSize(QSize(TILE_PX, TILE_PX))
        self.view.setGridSize(QSize(TILE_PX + 36, TILE_PX + 28))
        self.view.setUniformItemSizes(True)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setMovement(QListView.Movement.Static)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setModel(self.tiles)

        self.source_combo = QComboBox()
        for key, text in SOURCES.items():
            self.source_combo.addItem(text, key)
        self.source_combo.setCurrentIndex(0 if len(samples) else 1)
        self.source_combo.currentIndexChanged.connect(self.load_source)
        self.letter_combo = QComboBox()
        self.letter_combo.addItem("All letters", None)
        for i, letter in enumerate(LETTERS):
            self.letter_combo.addItem(letter, i)
        self.letter_combo.currentIndexChanged.connect(self._on_letter_chosen)
        self.wrong_check = QCheckBox("Misclassified only")
        self.wrong_check.toggled.connect(self._apply_filter)
        # Its own folder picker: the Sign-MNIST views stayed empty until a folder was set in Retrain (issue 23).
        self.folder_button = QPushButton("Sign-MNIST folder…")
        self.folder_button.setToolTip(data_dir or "Where sign_mnist_train.csv and sign_mnist_test.csv are")
        self.folder_button.clicked.connect(self._on_choose_folder)
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setFormat("predicting… %p%")
        self.confusion = ConfusionView()
        self.confusion.cell_chosen.connect(self.show_cell)

        controls = QHBoxLayout()
        for widget in (QLabel("Data:"), self.source_combo, self.folder_button, QLabel("Letter:"), self.letter_combo,
                       self.wrong_check):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.progress)
        right = QVBoxLayout()
        right.addWidget(QLabel("Confusion: rows = actual letter, columns = predicted. Click a cell for its examples."))
        right.addWidget(self.confusion)
        right.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.view, 1)
        middle.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(middle, 1)
        layout.addWidget(self.count_label)
        fit_to_screen(self, 1240, 740)
        QTimer.singleShot(0, self.load_source)

    # -- public API ----------------------------------------------------------------------------
    @property
    def predicting(self) -> bool:
        return self._timer.isActive()

    def load_source(self) -> None:
        """Load the chosen data (CSVs take a few seconds) and start predicting it in chunks."""
        self._timer.stop()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self._error = self._note = ""
        try:
            data = self._load(self.source_combo.currentData())
        except (CsvError, OSError, ValueError) as e:
            data = Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), "", "")
            self._error = str(e)
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._cell = None
        self.tiles.set_data(data.images, data.labels)
        self.confusion.set_matrix(np.zeros((len(LETTERS), len(LETTERS)), int))
        self._probs = []
        if len(data) and self._ensure_model():
            self.progress.setRange(0, len(data))
            self.progress.setValue(0)
            self.progress.show()
            self._timer.start()
        else:
            self.progress.hide()
        self._apply_filter()

    def show_cell(self, actual: int, predicted: int) -> None:
        """Show the examples of one confusion cell (actual letter row, predicted letter column)."""
        self._cell = (actual, predicted)
        self.letter_combo.blockSignals(True)
        self.letter_combo.setCurrentIndex(actual + 1)
        self.letter_combo.blockSignals(False)
        self._apply_filter()

    def set_data_dir(self, folder: str) -> bool:
        """Use the CSVs in `folder` (False, and why in the status line, if they are not there)."""
        try:
            find_csvs(folder)
        except CsvError as e:
            self._error = str(e)
            self._apply_filter()
            return False
        self._data_dir = folder
        self.folder_button.setToolTip(folder)
        self.data_dir_chosen.emit(folder)
        if self.source_combo.currentData() in ("test", "train"):
            self.load_source()
        else:
            self.select_source("test")
        return True

    # -- internals -----------------------------------------------------------------------------
    def _on_choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the Sign-MNIST CSVs", self._data_dir)
        if folder:
            self.set_data_dir(folder)

    def select_source(self, key: str) -> None:
        """Show one of SOURCES ("samples", "references", "test", "train")."""
        self.source_combo.setCurrentIndex(self.source_combo.findData(key))

    def _load(self, key: str) -> Dataset:
        if key == "samples":
            images, labels = self._samples.arrays()
            if not len(labels):
                self._note = "No samples of your own yet: Training > Capture my samples… records them."
            return Dataset(images, labels, str(self._samples.root), "")
        if key == "references":
            return reference_dataset()
        if not self._data_dir:
            self._note = GET_CSVS
            return Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), "", "")
        train_csv, test_csv = find_csvs(self._data_dir)
        return load_csv(test_csv if key == "test" else train_csv)

    def _ensure_model(self) -> bool:
        if self._model is None:
            try:
                self._model = CnnModel(self._weights, torch.device("cpu"))
            except WeightsError as e:
                self._error = f"No predictions: {e}"
                return False
        return True

    def _predict_chunk(self) -> None:
        done = sum(len(chunk) for chunk in self._probs)
        images = self.tiles.images[done:done + CHUNK]
        self._probs.append(self._model.batch_probabilities(images))
        done += len(images)
        self.progress.setValue(done)
        if done < len(self.tiles.images):
            return
        self._timer.stop()
        self.progress.hide()
        probs = np.concatenate(self._probs)  # (N, 24)
        predicted = probs.argmax(axis=1)
        self.tiles.set_predictions(predicted, probs.max(axis=1))
        self.confusion.set_matrix(classification_metrics(self.tiles.labels, predicted)["confusion"])
        self._apply_filter()

    def _on_letter_chosen(self) -> None:
        self._cell = None
        self._apply_filter()

    def _apply_filter(self) -> None:
        actual = self.letter_combo.currentData()
        predicted = self._cell[1] if self._cell else None
        self.tiles.set_filter(actual, predicted, self.wrong_check.isChecked())
        total, shown = len(self.tiles.labels), len(self.tiles.rows)
        text = f"Showing {shown:,} of {total:,} images"
        if self.tiles.predicted is not None:
            wrong = int((self.tiles.predicted != self.tiles.labels).sum())
            text += f" · {wrong:,} misclassified by {self._weights.name}"
        if self._cell:
            text += f" · cell: actual {LETTERS[self._cell[0]]}, predicted {LETTERS[self._cell[1]]}"
        if self._error:
            text = f"<span style='color:#d04040'>{self._error}</span>"
        elif self._note:
            text = self._note
        self.count_label.setText(text)

    def done(self, result: int) -> None:  # Qt override: no prediction chunks after closing
        self._timer.stop()
        super().done(result)
