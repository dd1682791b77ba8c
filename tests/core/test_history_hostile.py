"""Issue 31: a reading answered while another program locks the history is kept and saved later, rows with values
no signcam writes are left out of the figures, and what is still unsaved at quit is said in words."""

import sqlite3
from pathlib import Path

from signcam.practice.history import History
from signcam.practice.receptive import ReadResult, WordSource
from tests.core.test_history_lock import attempt, history_with


def lock_for_writing(path: Path) -> sqlite3.Connection:
    """Another program in the middle of a write transaction: readers go on, writers get SQLITE_BUSY."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def reading(word: str = "CAT", typed: str = "CAT", pace: float = 1.5) -> ReadResult:
    return ReadResult(word, typed, (), pace, pace, 0, WordSource.WORDS)


def test_reading_answered_while_locked_is_kept_and_saved_once_free(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history_with(path, 3)
    history = History(path)
    other = lock_for_writing(path)
    history.record_reading(reading(), at_unix_s=1.7e9)  # used to raise "database is locked" and lose the word
    assert not history.flush(0.5) and history.pending == 1
    other.execute("ROLLBACK")
    other.close()
    assert history.flush(10)
    assert [(d.words, d.right, d.best_pace) for d in history.reading_days()] == [(1, 1, 1.5)]
    assert history.reading_letter_stats()["A"].attempts == 1
    history.close()


def history_with_bad_rows(path: Path) -> History:
    """One good attempt (A) and reading (CAT at pace 2), then rows signcam never writes: a time in the year
    33,658, a letter time and a pace that are text, and a letter row of bytes for a reading that does not exist."""
    history = History(path)
    history.record(attempt("A"), at_unix_s=1.7e9)
    history.record_reading(reading("CAT", pace=2.0), at_unix_s=1.7e9)
    assert history.flush(10)
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
                    " VALUES (1e15, 'B', 'correct', 1.0, 0, '', 'letter', 'easy', 'right')")
        raw.execute("INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
                    " VALUES (1.7e9, 'C', 'correct', 'abc', 0, '', 'letter', 'easy', 'right')")
        raw.execute("INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                    " VALUES (1.8e9, 'DOG', 'DOG', 1, 'abc', 0, 'words')")
        raw.execute("INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                    " VALUES (1e15, 'DOG', 'DOG', 1, 3.0, 0, 'words')")
        raw.execute("INSERT INTO reading_letters (reading_id, letter, correct) VALUES (99, x'00ff', 'x')")
    raw.close()
    return history


def test_rows_with_bad_values_are_left_out_of_the_figures(tmp_path: Path) -> None:
    history = history_with_bad_rows(tmp_path / "history.sqlite3")
    days = history.daily_stats()
    assert [(d.attempts, type(d.day)) for d in days] == [(1, str)]
    assert set(history.letter_stats()) == {"A"} and history.count() == 1
    assert [(d.words, d.best_pace, type(d.day)) for d in history.reading_days()] == [(1, 2.0, str)]
    assert history.last_reading_pace() == 2.0
    assert set(history.reading_letter_stats()) == {"C", "A", "T"}
    history.close()


def test_what_cannot_be_saved_at_quit_is_said_in_words(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    history_with(path, 1)
    history = History(path)
    other = lock_for_writing(path)
    history.record(attempt("B"), at_unix_s=2.0e9)
    history.record_reading(reading(), at_unix_s=2.0e9)
    lost = history.close(timeout_s=0.3)
    other.close()
    assert lost.startswith("1 attempt and 1 reading could not be saved to the practice history at ")
    assert "locked by another program" in lost
