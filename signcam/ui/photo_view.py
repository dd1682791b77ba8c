"""Still photos: a side list to step through, each photo recognised when first shown."""

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from signcam.ui.live_view import RecognitionView


def display_names(paths: list[Path]) -> list[str]:
    """The shortest trailing part of each path that tells the photos apart: "10.jpg" while the names are
    unique, "alice/10.jpg" and "bob/10.jpg" when a folder holds same-named files in subfolders."""
    depth = 1
    while True:
        names = ["/".join(path.parts[-depth:]) for path in paths]
        if len(set(names)) == len(names) or all(depth >= len(path.parts) for path in paths):
            return names
        depth += 1


class PhotoView(QWidget):
    """Shows photos with their recognition; `recognize(path)` returns (image, Recognition) or raises
    ValueError with a message for the user."""

    back_to_live_requested = Signal()
    recognized = Signal(object)

    def __init__(self, recognize: Callable[[Path], tuple[np.ndarray, object]], parent: QWidget | None = None):
        super().__init__(parent)
        self._recognize = recognize
        self._cache: dict[Path, tuple[np.ndarray, object]] = {}
        self.view = RecognitionView()
        self._list = QListWidget()
        self._list.setMaximumWidth(220)
        self._list.currentRowChanged.connect(self._on_row_changed)
        self._error = QLabel()
        self._error.setObjectName("photoError")
        self._error.setWordWrap(True)
        self._error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._error.hide()
        prev_button, next_button = QPushButton("◀ Previous"), QPushButton("Next ▶")
        prev_button.clicked.connect(lambda: self.step(-1))
        next_button.clicked.connect(lambda: self.step(1))
        live_button = QPushButton("Back to camera")
        live_button.clicked.connect(self.back_to_live_requested)
        for key, delta in ((Qt.Key.Key_Left, -1), (Qt.Key.Key_Right, 1)):
            QShortcut(QKeySequence(key), self, lambda d=delta: self.step(d))
        self._position = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(prev_button)
        bar.addWidget(next_button)
        bar.addWidget(self._position)
        bar.addStretch()
        bar.addWidget(live_button)
        main = QVBoxLayout()
        main.addWidget(self._error)
        main.addWidget(self.view, 1)
        main.addLayout(bar)
        layout = QHBoxLayout(self)
        layout.addWidget(self._list)
        layout.addLayout(main, 1)

    def set_photos(self, paths: list[Path]) -> None:
        self._cache.clear()
        self._list.clear()
        for path, name in zip(paths, display_names(paths), strict=True):
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self._list.addItem(item)
        self._list.setVisible(len(paths) > 1)
        self._list.setCurrentRow(0)

    def refresh(self) -> None:
        """Recognise the current photo again (new weights, mode or threshold)."""
        self._cache.clear()
        self._on_row_changed(self._list.currentRow())

    def step(self, delta: int) -> None:
        count = self._list.count()
        if count:
            self._list.setCurrentRow((self._list.currentRow() + delta) % count)

    @property
    def error(self) -> str:
        return self._error.text() if self._error.isVisibleTo(self) else ""

    @property
    def count(self) -> int:
        return self._list.count()

    @property
    def names(self) -> list[str]:
        """The names as the side list shows them."""
        return [self._list.item(i).text() for i in range(self._list.count())]

    @property
    def position_text(self) -> str:
        return self._position.text()

    @property
    def current_row(self) -> int:
        return self._list.currentRow()

    def _on_row_changed(self, row: int) -> None:
        if row < 0:
            return
        path = Path(self._list.item(row).data(Qt.ItemDataRole.UserRole))
        self._position.setText(f"{row + 1} of {self._list.count()}  ·  {self._list.item(row).text()}")
        try:
            if path not in self._cache:
                self._cache[path] = self._recognize(path)
        except ValueError as e:
            self._error.setText(str(e))
            self._error.show()
            self.view.clear(f"Cannot show {path.name}")
            return
        self._error.hide()
        image, recognition = self._cache[path]
        self.view.set_result(recognition, image)
        self.recognized.emit(recognition)
