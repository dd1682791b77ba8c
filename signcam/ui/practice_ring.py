"""HoldRing: the letter the model reads, inside a ring that fills while it is held."""

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget

RIGHT_COLOUR = QColor("#3fb66b")  # candidate is the target
OTHER_COLOUR = QColor("#e0a030")  # candidate is some other letter
TRACK_COLOUR = QColor("#3a3c42")


class HoldRing(QWidget):
    """Paints only what it was last given; the panel decides letter, progress and colour."""

    def __init__(self, diameter: int = 120, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._diameter = diameter
        self.letter = ""
        self.progress = 0.0
        self._colour = OTHER_COLOUR
        self.setMinimumSize(diameter, diameter)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self._diameter, self._diameter)

    def set_state(self, letter: str | None, progress: float, matches_target: bool) -> None:
        self.letter = letter or ""
        self.progress = min(max(progress, 0.0), 1.0) if letter else 0.0
        self._colour = RIGHT_COLOUR if matches_target else OTHER_COLOUR
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        side = min(self.width(), self.height())
        pen_width = max(side // 12, 4)
        rect = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side).adjusted(
            pen_width, pen_width, -pen_width, -pen_width)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(TRACK_COLOUR, pen_width))
        painter.drawEllipse(rect)
        if self.progress > 0:
            pen = QPen(self._colour, pen_width)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(pen)
            # Qt angles are 1/16 degree, counter-clockwise from 3 o'clock: start at 12, run clockwise.
            painter.drawArc(rect, 90 * 16, -round(self.progress * 360 * 16))
        font = QFont(self.font())
        font.setPixelSize(int(side * 0.42))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self._colour if self.letter else TRACK_COLOUR)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.letter or "·")
        painter.end()
