"""The progress view draws every practised letter, and a speed axis that reads for one day."""

from signcam.labels import LETTERS
from signcam.practice.history import DayStats
from signcam.practice.scoring import LetterStats
from signcam.ui.progress_view import ProgressView


def test_zero_percent_letter_draws_a_red_bar_taller_than_unseen(qtbot):
    view = ProgressView()
    qtbot.addWidget(view)
    view.set_data({"A": LetterStats(4, 0, 0.0), "B": LetterStats(4, 4, 1.5)}, [DayStats(8, 4, 1.6, day="2026-11-30")])
    heights = dict(zip(LETTERS, view.bar_heights, strict=True))
    assert heights["A"] > heights["C"] > 0  # 0 % right is visible, and distinct from never practised
    assert heights["B"] == 100
    bars = [item for item in view.letters_plot.listDataItems() + view.letters_plot.getPlotItem().items
            if hasattr(item, "opts") and "brushes" in item.opts][0]
    assert bars.opts["brushes"][0].color().name() == "#d9534f"


def test_speed_axis_for_one_day_starts_at_zero(qtbot):
    view = ProgressView()
    qtbot.addWidget(view)
    view.set_data({"A": LetterStats(3, 3, 1.62)}, [DayStats(3, 3, 1.62, day="2026-11-30")])  # 37 letters/min
    low, high = view.speed_plot.getViewBox().viewRange()[1]
    assert low == 0 and 37 < high < 60
