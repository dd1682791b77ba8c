"""Progress from the practice history: per-letter accuracy bars (all 26: J and Z are drilled from their motion),
letters per minute over the days, and the reading drill's pace reached per day."""

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from signcam.labels import ALL_LETTERS
from signcam.practice.history import DayStats, History, ReadingDay
from signcam.practice.receptive import PACE_MAX
from signcam.practice.scoring import LetterStats
from signcam.ui.screen_fit import fit_to_screen
from signcam.ui.wording import plural

BACKGROUND = "#1e1f22"
GOOD, FAIR, WEAK, UNSEEN = "#3fb66b", "#e0a030", "#d9534f", "#4a4c52"
STUB = 3.0  # % height of the bar for an unseen letter: a grey stub reads as "no data", not as 0 % right
MIN_BAR = 5.0  # % height at least for a practised letter, so 0 % right still draws its red bar


def _bar_colour(stats: LetterStats | None) -> str:
    if stats is None or not stats.attempts:
        return UNSEEN
    return GOOD if stats.accuracy >= 0.8 else FAIR if stats.accuracy >= 0.5 else WEAK


class ProgressView(QWidget):
    """Re-renders from the two history queries it is given; it never touches the database itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.letters_plot = pg.PlotWidget(background=BACKGROUND, title="Accuracy per letter")
        self.letters_plot.setLabel("left", "% right")
        self.letters_plot.setYRange(0, 100, padding=0.02)
        self.letters_plot.getAxis("bottom").setTicks([list(enumerate(ALL_LETTERS))])
        self.letters_plot.setMouseEnabled(x=False, y=False)
        self.speed_plot = pg.PlotWidget(background=BACKGROUND, title="Speed over time")
        self.speed_plot.setLabel("left", "letters / min")
        self.speed_plot.setMouseEnabled(x=False, y=False)
        self.speed_plot.showGrid(x=False, y=True, alpha=0.2)
        self.reading_plot = pg.PlotWidget(background=BACKGROUND, title="Reading pace (Read fingerspelling)")
        self.reading_plot.setLabel("left", "letters / s")
        self.reading_plot.setMouseEnabled(x=False, y=False)
        self.reading_plot.showGrid(x=False, y=True, alpha=0.2)
        self.bar_heights: list[float] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.letters_plot, 1)
        layout.addWidget(self.speed_plot, 1)
        layout.addWidget(self.reading_plot, 1)

    def set_data(self, letters: dict[str, LetterStats], days: list[DayStats],
                 readings: Sequence[ReadingDay] = ()) -> None:
        total = sum(s.attempts for s in letters.values())
        correct = sum(s.correct for s in letters.values())
        words = sum(d.words for d in readings)
        fastest = max((d.best_pace for d in readings), default=0.0)
        read = (f" Read fingerspelling: {sum(d.right for d in readings)} of {plural(words, 'word')} read right"
                + (f", fastest {fastest:g} letters/s." if fastest else ".") if words else "")
        if not total:
            self.summary_label.setText(("No signing practice yet: finish a drill and your progress shows here."
                                        + read) if words else
                                       "No practice yet: finish a drill and your progress shows here.")
        else:
            self.summary_label.setText(f"{plural(total, 'letter')} practised over {plural(len(days), 'day')}, "
                                       f"{correct / total:.0%} right. Bars: green 80 % or more, amber 50-79 %, "
                                       f"red below 50 %, grey not practised yet.{read}")
        self.letters_plot.clear()
        heights = [self.bar_height(letters.get(c)) for c in ALL_LETTERS]
        self.bar_heights = heights
        brushes = [pg.mkBrush(_bar_colour(letters.get(c))) for c in ALL_LETTERS]
        self.letters_plot.addItem(pg.BarGraphItem(x=list(range(len(ALL_LETTERS))), height=heights, width=0.7,
                                                  brushes=brushes, pen=pg.mkPen(None)))
        self.speed_plot.clear()
        self.speed_plot.getAxis("bottom").setTicks([[(i, d.day[5:]) for i, d in enumerate(days)]])
        if days:
            speeds = [d.letters_per_minute for d in days]
            self.speed_plot.plot([float(i) for i in range(len(days))], speeds,
                                 pen=pg.mkPen("#5b8def", width=2), symbol="o", symbolBrush="#5b8def",
                                 symbolSize=8)
            self.speed_plot.setXRange(-0.5, max(len(days) - 0.5, 0.5))
            # From zero, with headroom: auto-range around a single point gave a 37.0-37.6 axis.
            self.speed_plot.setYRange(0, max(max(speeds) * 1.25, 1.0), padding=0)
        self._plot_reading(readings)

    def _plot_reading(self, readings: Sequence[ReadingDay]) -> None:
        """The fastest pace read right per day, on the drill's whole 0-6 letters/s scale."""
        self.reading_plot.clear()
        self.reading_plot.getAxis("bottom").setTicks([[(i, d.day[5:]) for i, d in enumerate(readings)]])
        self.reading_plot.setYRange(0, PACE_MAX, padding=0.02)
        if readings:
            self.reading_plot.plot([float(i) for i in range(len(readings))], [d.best_pace for d in readings],
                                   pen=pg.mkPen(GOOD, width=2), symbol="o", symbolBrush=GOOD, symbolSize=8)
            self.reading_plot.setXRange(-0.5, max(len(readings) - 0.5, 0.5))

    @staticmethod
    def bar_height(stats: LetterStats | None) -> float:
        """The bar's height in %: the accuracy, at least MIN_BAR once practised, STUB when never practised."""
        if stats is None or not stats.attempts:
            return STUB
        return max(100 * stats.accuracy, MIN_BAR)


class ProgressDialog(QDialog):
    """Practice > Progress…: the ProgressView filled from `history` when opened."""

    def __init__(self, history: History, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Practice progress")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = ProgressView(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        fit_to_screen(self, 720, 680)
        self.view.set_data(history.letter_stats(), history.daily_stats(), history.reading_days())
