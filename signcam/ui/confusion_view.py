"""A clickable confusion matrix (rows = actual letter, columns = predicted), shared by the retrain
report and the dataset browser; clicking a cell asks to see the examples behind it.

It asks for room for the whole matrix but scrolls when a dialog on a small screen has less: a fixed size
(~600 px tall) made the Retrain report grow past a 1366x768 laptop's screen (issue 32)."""

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem, QWidget

from signcam.labels import LETTERS

CELL_W_PX, CELL_H_PX = 28, 23  # "999" at the smaller cell font; the whole 24x24 matrix fits without scrolling
MIN_ROWS = 8  # shown at the least, with a scroll bar, where a small screen has no room for all 24


class ConfusionView(QTableWidget):
    cell_chosen = Signal(int, int)  # actual class, predicted class

    def __init__(self, parent: QWidget | None = None):
        super().__init__(len(LETTERS), len(LETTERS), parent)
        self.setHorizontalHeaderLabels(list(LETTERS))
        self.setVerticalHeaderLabels(list(LETTERS))
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 0.8)
        self.setFont(font)
        for header, size in ((self.horizontalHeader(), CELL_W_PX), (self.verticalHeader(), CELL_H_PX)):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(size)
            header.setDefaultSectionSize(size)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        frame = 2 * self.frameWidth()
        header_h = self.horizontalHeader().sizeHint().height() + frame
        scroll_w = self.verticalScrollBar().sizeHint().width()
        self._full = QSize(self.verticalHeader().sizeHint().width() + len(LETTERS) * CELL_W_PX + frame,
                           header_h + len(LETTERS) * CELL_H_PX)
        self._least = QSize(self._full.width() + scroll_w, header_h + MIN_ROWS * CELL_H_PX)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Maximum)
        self.setFixedWidth(self._least.width())  # room for the scroll bar, so no column is ever cut
        self.setToolTip("Rows: actual letter · columns: predicted. Click a cell to see its examples.")
        self.cellClicked.connect(lambda row, col: self.cell_chosen.emit(row, col))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override): the whole matrix
        return QSize(self._least.width(), self._full.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override): MIN_ROWS rows, the rest scrolls
        return self._least

    def set_matrix(self, confusion: list[list[int]] | np.ndarray) -> None:
        """Blue for right answers, red for mistakes, stronger where a row has more of them."""
        matrix = np.asarray(confusion, dtype=int)
        row_totals = np.maximum(matrix.sum(axis=1), 1)
        for i in range(len(LETTERS)):
            for j in range(len(LETTERS)):
                count = int(matrix[i, j])
                item = QTableWidgetItem(str(count) if count else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if count:
                    strength = 60 + int(195 * count / row_totals[i])
                    colour = QColor(40, 110, 220, strength) if i == j else QColor(220, 60, 50, strength)
                    item.setBackground(QBrush(colour))
                    item.setToolTip(f"actual {LETTERS[i]}, predicted {LETTERS[j]}: {count}")
                self.setItem(i, j, item)
