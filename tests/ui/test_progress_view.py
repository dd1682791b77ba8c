"""The progress view draws every practised letter, and a speed axis that reads for one day."""

from signcam.labels import ALL_LETTERS
from signcam.practice.history import DayStats
from signcam.practice.scoring import LetterStats
from signcam.ui.progress_view import ProgressView


def test_zero_percent_letter_draws_a_red_bar_taller_than_unseen(qtbot):
    view = ProgressView()
    qtbot.addWidget(view)
    view.set_data({"A": LetterStats(4, 0, 0.0), "B": LetterStats(4, 4, 1.5)}, [DayStats(8, 4, 1.6, day="2026-11-30")])
    heights = dict(zip(ALL_LETTERS, view.bar_heights, strict=True))
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


def test_j_and_z_drawn_from_the_history(qtbot):
    """Issue 32: the history holds J and Z (drilled from their motion); Progress left them out."""
    view = ProgressView()
    qtbot.addWidget(view)
    view.set_data({"J": LetterStats(2, 2, 2.0), "Z": LetterStats(2, 0, 0.0)}, [DayStats(4, 2, 2.0, day="2026-12-07")])
    heights = dict(zip(ALL_LETTERS, view.bar_heights, strict=True))
    assert heights["J"] == 100 and heights["Z"] > heights["A"]
    ticks = [name for _, name in view.letters_plot.getAxis("bottom")._tickLevels[0]]
    assert "J" in ticks and "Z" in ticks


def test_summary_counts_in_words_not_day_s(qtbot):
    view = ProgressView()
    qtbot.addWidget(view)
    view.set_data({"A": LetterStats(1, 1, 1.0)}, [DayStats(1, 1, 1.0, day="2026-12-07")])
    assert "1 letter practised over 1 day," in view.summary_label.text()
    view.set_data({"A": LetterStats(3, 3, 1.0)}, [DayStats(1, 1, 1.0, day="2026-12-06"),
                                                  DayStats(2, 2, 1.0, day="2026-12-07")])
    assert "3 letters practised over 2 days," in view.summary_label.text()
