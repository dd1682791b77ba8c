"""The practice panel's end-of-drill summary page and its free-spelling page."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QGridLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from signcam.practice import FreeSpelling, SessionSummary
from signcam.ui.practice_ring import HoldRing
from signcam.ui.wording import plural


class SummaryPage(QWidget):
    """Shows a SessionSummary; the panel decides what "again" and "done" mean."""

    again_requested = Signal()
    done_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        again = QPushButton("Practice again")
        again.clicked.connect(self.again_requested)
        done = QPushButton("Done")
        done.clicked.connect(self.done_requested)
        layout = QVBoxLayout(self)
        for widget in (self.label, again, done):
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_summary(self, title: str, s: SessionSummary) -> None:
        self.label.setText(
            f"<h2>{title} done</h2>"
            f"<p><b>{s.correct}</b> of {plural(s.attempts, 'letter')} right ({s.accuracy:.0%})<br>"
            + (f"{s.letters_per_minute:.1f} letters per minute · " if s.rate_known else "")
            + f"{s.mean_time_s:.1f} s per letter<br>"
            f"Best streak: {s.best_streak}</p>"
            + (f"<p>Slowest: {', '.join(s.slowest)}<br>" if s.slowest else "<p>")
            + f"Skipped or timed out: {', '.join(s.missed) or 'none'}</p>")


class FreeSpellingPage(QWidget):
    """The live candidate in a hold ring above the text typed so far, with editing buttons."""

    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spelling: FreeSpelling | None = None
        hint = QLabel("<b>Free spelling</b><br>Hold a letter to type it; drop your hand for a space.")
        hint.setWordWrap(True)
        self.ring = HoldRing(110)
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setStyleSheet("font-size: 22px;")
        buttons = QGridLayout()  # two rows: four in one row of the narrow panel clipped "Backspace" (issue 23)
        for i, (label, slot) in enumerate((("Backspace", self._on_backspace), ("Clear", self._on_clear),
                                           ("Copy", self._on_copy), ("Stop", self.stop_requested.emit))):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button, i // 2, i % 2)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.ring, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

    def render(self) -> None:
        """Shows the current FreeSpelling state (call after each update)."""
        if self.spelling is None:
            return
        self.ring.set_state(self.spelling.candidate, self.spelling.hold_progress, True)
        if self.text.toPlainText() != self.spelling.text:
            self.text.setPlainText(self.spelling.text)

    def _on_backspace(self) -> None:
        if self.spelling is not None:
            self.spelling.backspace()
            self.render()

    def _on_clear(self) -> None:
        if self.spelling is not None:
            self.spelling.clear()
            self.render()

    def _on_copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text.toPlainText())
