"""Issue 31 in the app: values no signcam writes (settings, history rows) are skipped, not raised; quitting with
practice the history could not save asks first."""

import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from signcam.practice import load_words
from signcam.practice.history import History
from signcam.ui.practice_menu import install_practice
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.receptive_view import open_reading_drill
from tests.core.test_history_hostile import lock_for_writing, reading
from tests.core.test_history_lock import attempt


def bad_rows(path: Path) -> History:
    history = History(path)
    history.record(attempt("A"), at_unix_s=1.7e9)
    history.record_reading(reading(), at_unix_s=1.7e9)
    assert history.flush(10)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
                    " VALUES (1e15, 'B', 'correct', 1.0, 0, '', 'letter', 'easy', 'right')")
        raw.execute("INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                    " VALUES (1.9e9, 'DOG', 'DOG', 1, 'abc', 0, 'words')")
    raw.close()
    return history


def test_progress_and_reading_drill_open_over_rows_with_bad_values(qtbot, tmp_path: Path) -> None:
    history = bad_rows(tmp_path / "history.sqlite3")
    progress = ProgressDialog(history)
    qtbot.addWidget(progress)
    assert "1 letters practised over 1 day(s)" in progress.view.summary_label.text()
    dialog = open_reading_drill(history, load_words())
    qtbot.addWidget(dialog)
    assert dialog.view.drill.pace == 1.5  # the last good reading's pace, not "abc"
    history.close()


def test_closing_with_unsaved_practice_asks_first(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).close()
    history = History(path)
    window = make_window()
    install_practice(window, history)
    window.show()
    other = lock_for_writing(path)
    history.record(attempt("B"), at_unix_s=2.0e9)
    asked = []
    monkeypatch.setattr("signcam.practice.history.CLOSE_WAIT_S", 0.2)
    monkeypatch.setattr("signcam.ui.practice_menu.CLOSE_WAIT_S", 0.2)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible() and len(asked) == 1  # Cancel: the window stays, the attempt stays queued
    assert asked[0].startswith("1 attempt could not be saved to the practice history")
    other.execute("ROLLBACK")
    other.close()
    assert history.flush(10)
    asked.clear()
    window.close()
    assert not window.isVisible() and asked == []  # saved meanwhile: nothing to ask
    history.close()
