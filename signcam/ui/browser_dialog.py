"""Training > Browse data: the learner's own samples, the reference hands and the Sign-MNIST CSVs as tiles
(image, actual letter, predicted letter and confidence), filtered by letter or by "misclassified", with a
confusion matrix whose cells show the examples behind them.

It opens on what the app already has (your samples, else the reference hands), since the CSVs are a
separate download; one sentence says where to get them (issue 13: it opened empty, on a red line).

27k tiles stay fast because a QListView with uniform item sizes asks the model only for the tiles on
screen, and a tile's pixmap is made when it is asked for. Predictions run in a reader thread (loading the
models takes seconds, finding the hand in a photo 0.2-1.1 s on a busy 2-core CPU), so the dialog shows the
images at once and fills in predictions without freezing the window; a timer shows the progress.

A tile with a colour photo (your samples' hand crops, the reference hands) shows what the app reads: the photo
through a still recognizer built from the app's recognition config, so the picture and hand-shape models are
fused as in the live view (issue 32: the picture model alone said 67% where the live view read 98%). A
Sign-MNIST tile is only 28x28 gray, with no hand to find landmarks on: the picture model alone reads it, and
the dialog says so.
"""

import logging
import threading
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import torch
from PySide6.QtCore import QAbstractListModel, QDir, QModelIndex, QPersistentModelIndex, QSize, Qt, QTimer, Signal
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
from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.locate import FullFrameLocator
from signcam.pipeline.preprocess import crop_hand
from signcam.pipeline.recognizer import Recognizer
from signcam.store.assets_dir import BUNDLED_WEIGHTS, REFERENCE_DIR
from signcam.store.samples import SampleStore
from signcam.store.weights import DeviceError, WeightsError
from signcam.ui.confusion_view import ConfusionView
from signcam.ui.images import gray_to_qimage
from signcam.ui.screen_fit import fit_to_screen
from training.data import CsvError, Dataset, find_csvs, load_csv
from training.report import classification_metrics

log = logging.getLogger(__name__)

TILE_PX = 84  # 3x the 28x28 input, nearest-neighbour so single pixels stay visible
CHUNK = 256  # images per prediction step: ~0.1 s on one core, short enough to keep the window responsive
POLL_MS = 100  # how often the window shows the reader thread's progress
NO_HAND = -1  # the predicted class of a photo in which the app finds no hand
WRONG = QColor(210, 60, 50)
SOURCES = {"samples": "My samples", "references": "Reference hands", "test": "Test (Sign-MNIST)",
           "train": "Train (Sign-MNIST)"}
GET_CSVS = ("The Sign-MNIST CSVs are a free download: save sign_mnist_train.csv and sign_mnist_test.csv from "
            "kaggle.com/datasets/datamunge/sign-language-mnist into a folder, then choose it with Sign-MNIST "
            "folder… above.")


def reference_dataset(folder: Path = REFERENCE_DIR) -> tuple[Dataset, list[Path]]:
    """The bundled reference hands: each picture (the `full` locator's hand crop, made 28x28 gray by the app's
    own crop_hand, for the tile) and its photo (for the app to read)."""
    images, labels, photos = [], [], []
    for path in sorted(folder.glob("*.png")):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None or path.stem not in LETTERS:
            continue
        images.append(crop_hand(image, FullFrameLocator().locate(image)))
        labels.append(class_of_letter(path.stem))
        photos.append(path)
    if not images:
        return Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), str(folder), ""), []
    return Dataset(np.stack(images), np.array(labels, np.int64), str(folder), ""), photos


class TileModel(QAbstractListModel):
    """Images with labels and (once computed) predictions; `rows` is the filtered view into them."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.images = np.zeros((0, 28, 28), np.uint8)
        self.labels = np.zeros(0, np.int64)
        self.photos: list[Path | None] = []  # a colour photo the app reads, else None: the picture model alone
        self.predicted: np.ndarray | None = None  # (N,) class indices (NO_HAND: none found), once all are done
        self.confidence: np.ndarray | None = None
        self.rows = np.zeros(0, np.int64)

    def set_data(self, images: np.ndarray, labels: np.ndarray, photos: list[Path | None]) -> None:
        self.beginResetModel()
        self.images, self.labels, self.photos = images, labels, photos
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
            if self.predicted[i] == NO_HAND:
                return f"{actual} → no hand"
            return f"{actual} → {LETTERS[self.predicted[i]]} {self.confidence[i]:.0%}"
        wrong = self.predicted is not None and self.predicted[i] != self.labels[i]
        if role == Qt.ItemDataRole.ForegroundRole and wrong:
            return QBrush(WRONG)
        if role == Qt.ItemDataRole.ToolTipRole:
            reader = "the app reads (as live)" if self.photos[i] is not None else "the picture model alone reads"
            if self.predicted is None:
                read = ""
            elif self.predicted[i] == NO_HAND:
                read = ", the app finds no hand in its photo"
            else:
                read = f", {reader} {LETTERS[self.predicted[i]]} ({self.confidence[i]:.1%})"
            return f"#{i}: actual {actual}{read}"
        return None


class BrowserDialog(QDialog):
    """`data_dir` holds the Kaggle CSVs (the Retrain dialog's setting); `config` is the app's recognition config
    (the weights in use, the fusion, the hand locating), read as the live view reads."""

    data_dir_chosen = Signal(str)  # a folder with the CSVs, picked here: the Training menu remembers it

    def __init__(self, *, data_dir: str, samples: SampleStore, config: RecognitionConfig,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Browse data")
        self._data_dir, self._samples = data_dir, samples
        self._config = replace(config, device="cpu")  # the same reading; the live view keeps its device
        self._weights_name = Path(config.weights).name if config.weights else BUNDLED_WEIGHTS.name
        self._model: CnnModel | None = None  # the picture model, for tiles without a photo
        self._recognizer: Recognizer | None = None  # the app's, for tiles with a photo (built when first needed)
        self._reader: threading.Thread | None = None  # reads the tiles in order into _results
        self._cancel = threading.Event()
        self._results: list[tuple[int, float]] = []  # (class or NO_HAND, confidence) per tile read so far
        self._reader_error = ""
        self._closed = False  # the dialog is done: the reader closes the recognizer as it ends
        self._gone = threading.Event()  # set when Qt deletes the dialog unclosed (the app quitting): reading stops
        self.destroyed.connect(self._gone.set)  # not a method of self: Qt calls no slot of an object it deletes
        self._cell: tuple[int, int] | None = None
        self._error = ""  # something failed: shown in red
        self._note = ""  # nothing to show yet, and how to get it
        self._timer = QTimer(self, interval=POLL_MS, timeout=self._on_poll)

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
        self.progress.setFormat("reading… %p%")
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
        """Load the chosen data (CSVs take a few seconds) and start reading it in the reader thread."""
        self._stop_reading()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self._error = self._note = ""
        try:
            data, photos = self._load(self.source_combo.currentData())
        except (CsvError, OSError, ValueError) as e:
            data, photos = Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), "", ""), []
            self._error = str(e)
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._cell = None
        self.tiles.set_data(data.images, data.labels, photos or [None] * len(data))
        self.confusion.set_matrix(np.zeros((len(LETTERS), len(LETTERS)), int))
        if len(data):
            self.progress.setRange(0, len(data))
            self.progress.setValue(0)
            self.progress.show()
            self._start_reading()
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
        folder = QFileDialog.getExistingDirectory(self, "Folder with the Sign-MNIST CSVs",
                                                  self._data_dir or QDir.homePath())  # not the current folder
        if folder:
            self.set_data_dir(folder)

    def select_source(self, key: str) -> None:
        """Show one of SOURCES ("samples", "references", "test", "train")."""
        self.source_combo.setCurrentIndex(self.source_combo.findData(key))

    def _load(self, key: str) -> tuple[Dataset, list[Path | None]]:
        """The data and, where there is one, each picture's colour photo."""
        if key == "samples":
            images, labels = self._samples.arrays()
            if not len(labels):
                self._note = "No samples of your own yet: Training > Capture my samples… records them."
            photos = [s.hand_path if s.hand_path.exists() else None for s in self._samples.samples()]
            return Dataset(images, labels, str(self._samples.root), ""), photos
        if key == "references":
            return reference_dataset()
        if not self._data_dir:
            self._note = GET_CSVS
            return Dataset(np.zeros((0, 28, 28), np.uint8), np.zeros(0, np.int64), "", ""), []
        train_csv, test_csv = find_csvs(self._data_dir)
        return load_csv(test_csv if key == "test" else train_csv), []

    def _start_reading(self) -> None:
        self._results, self._reader_error = [], ""
        self._cancel = threading.Event()
        # Not a daemon: Python waits for it at exit, since a daemon thread still inside MediaPipe when the
        # interpreter ends aborts the process ("terminate called without an active exception").
        self._reader = threading.Thread(target=self._read, name="browse-reader",
                                        args=(self.tiles.images, list(self.tiles.photos), self._results, self._cancel))
        self._reader.start()
        self._timer.start()

    def _stop_reading(self) -> None:
        """Cancel the reader thread and wait for it (the tile it is reading, or the models it is loading)."""
        self._timer.stop()
        if self._reader is not None:
            self._cancel.set()
            self._reader.join()
            self._reader = None

    def _read(self, images: np.ndarray, photos: list[Path | None], results: list, cancel: threading.Event) -> None:
        """In the reader thread: each tile's (class, confidence) into `results`, in order, until `cancel` is set. A
        photo goes through the app's recognizer, a run of pictures without one through the CNN in one batch."""
        try:
            self._read_into(images, photos, results, cancel)
        except (WeightsError, DeviceError) as e:
            self._reader_error = f"No predictions: {e}"
        except Exception as e:  # a thread's error is otherwise only a traceback on stderr: say it in the window
            log.exception("reading the tiles failed")
            self._reader_error = f"Reading stopped: {e}"
        finally:
            if self._closed or self._gone.is_set():
                self._close_recognizer()

    def _read_into(self, images: np.ndarray, photos: list[Path | None], results: list,
                   cancel: threading.Event) -> None:
        if self._model is None:
            self._model = CnnModel(self._config.weights, torch.device("cpu"))
        if self._recognizer is None and any(p is not None for p in photos):
            self._recognizer = build_recognizer(self._config, video=False)
        done = 0
        while done < len(photos) and not cancel.is_set() and not self._gone.is_set():
            if photos[done] is not None:
                image = cv2.imread(str(photos[done]), cv2.IMREAD_COLOR)
                rec = self._recognizer.recognize(image, origin=str(photos[done])) if image is not None else None
                found = rec is not None and rec.best_letter is not None
                results.append((class_of_letter(rec.best_letter), rec.confidence) if found else (NO_HAND, 0.0))
                done += 1
                continue
            end = done + 1
            while end < min(len(photos), done + CHUNK) and photos[end] is None:
                end += 1
            probs = self._model.batch_probabilities(images[done:end])  # (n, 24)
            results.extend(zip(probs.argmax(axis=1).tolist(), probs.max(axis=1).tolist(), strict=True))
            done = end

    def _on_poll(self) -> None:
        """The reader's progress; once it is done, its predictions, the confusion matrix and the counts."""
        self.progress.setValue(len(self._results))
        if self._reader is not None and self._reader.is_alive():
            return
        self._timer.stop()
        self._reader = None
        self.progress.hide()
        if self._reader_error or len(self._results) < len(self.tiles.photos):
            self._error = self._reader_error or self._error
            self._apply_filter()
            return
        predicted = np.array([r[0] for r in self._results], np.int64)
        self.tiles.set_predictions(predicted, np.array([r[1] for r in self._results]))
        found = predicted != NO_HAND
        self.confusion.set_matrix(classification_metrics(self.tiles.labels[found], predicted[found])["confusion"])
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
            text += f" · {wrong:,} misclassified by {self._weights_name}"
            no_hand = int((self.tiles.predicted == NO_HAND).sum())
            text += f" ({no_hand:,} with no hand found)" if no_hand else ""
            text += f" · {self._reader_text()}"
        if self._cell:
            text += f" · cell: actual {LETTERS[self._cell[0]]}, predicted {LETTERS[self._cell[1]]}"
        if self._error:
            text = f"<span style='color:#d04040'>{self._error}</span>"
        elif self._note:
            text = self._note
        self.count_label.setText(text)

    def _reader_text(self) -> str:
        """Who read the tiles: the app (fused, as the live view) or, without photos, the picture model alone."""
        with_photo = sum(p is not None for p in self.tiles.photos)
        fused = " (picture and hand-shape models fused)" if self._config.roi == "auto" else ""
        if with_photo == len(self.tiles.photos):
            return f"what the app reads, as in the live view{fused}"
        if with_photo == 0:
            return ("the picture model alone: a 28x28 picture has no hand for the hand-shape model, so the live "
                    "view, which fuses both, may read it otherwise")
        return (f"{with_photo:,} as the app reads them in the live view{fused}, "
                f"{len(self.tiles.photos) - with_photo:,} without a photo by the picture model alone")

    def _close_recognizer(self) -> None:
        if self._recognizer is not None:
            self._recognizer.close()  # closing twice is harmless

    def done(self, result: int) -> None:  # Qt override: no reading after closing, and no wait for the reader
        """The reader stops at its next tile; it closes the recognizer itself if it is still loading a model."""
        self._timer.stop()
        self._closed = True
        self._cancel.set()
        if self._reader is None or not self._reader.is_alive():
            self._close_recognizer()
        super().done(result)
