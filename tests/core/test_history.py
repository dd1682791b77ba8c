"""History: attempts survive a restart, queries aggregate them, a corrupt file is kept aside."""

import sqlite3
from datetime import datetime

import pytest

from signcam.practice import Attempt, Outcome
from signcam.practice.history import SCHEMA_VERSION, History


def _attempt(letter: str, outcome: Outcome = Outcome.CORRECT, time_s: float = 2.0) -> Attempt:
    return Attempt(letter=letter, outcome=outcome, started_s=0.0, time_s=time_s, wrong_reads=0, word="")


def _unix(day: int, hour: int = 12) -> float:
    return datetime(2026, 3, day, hour).timestamp()  # local time, as daily_stats groups


def test_attempts_survive_restart(tmp_path):
    path = tmp_path / "history.sqlite3"
    history = History(path)
    history.record(_attempt("A"), at_unix_s=_unix(1), drill="word", mode="hard", hand="left")
    history.record(_attempt("B", Outcome.SKIPPED, 10.0), at_unix_s=_unix(1))
    history.close()

    reopened = History(path)
    assert reopened.recovery_message is None
    assert reopened.count() == 2
    assert reopened.letter_stats()["B"].correct == 0


def test_each_attempt_committed_without_close(tmp_path):
    """A second connection (as after a crash) sees the attempt without close() having run."""
    path = tmp_path / "history.sqlite3"
    history = History(path)
    history.record(_attempt("C"), at_unix_s=_unix(2))
    assert history.flush(timeout_s=5)
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT letter FROM attempts").fetchall() == [("C",)]
    history.close()


def test_schema_version_is_stored(tmp_path):
    path = tmp_path / "history.sqlite3"
    History(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_letter_stats_accuracy_and_mean_time_over_correct(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    for outcome, time_s in [(Outcome.CORRECT, 1.0), (Outcome.CORRECT, 3.0), (Outcome.TIMED_OUT, 10.0)]:
        history.record(_attempt("R", outcome, time_s), at_unix_s=_unix(3))
    stats = history.letter_stats()["R"]
    assert (stats.attempts, stats.correct) == (3, 2)
    assert stats.accuracy == pytest.approx(2 / 3)
    assert stats.mean_time_s == pytest.approx(2.0)  # the time-out's 10 s says nothing about speed
    history.close()


def test_daily_stats_grouped_by_day_oldest_first(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    history.record(_attempt("A", time_s=4.0), at_unix_s=_unix(5))
    history.record(_attempt("A", time_s=2.0), at_unix_s=_unix(4))
    history.record(_attempt("B", Outcome.SKIPPED), at_unix_s=_unix(4, 18))
    days = history.daily_stats()
    assert [d.day for d in days] == ["2026-03-04", "2026-03-05"]
    assert (days[0].attempts, days[0].correct, days[0].accuracy) == (2, 1, 0.5)
    assert days[1].letters_per_minute == pytest.approx(15.0)  # one letter per 4 s
    history.close()


def test_corrupt_file_kept_aside_and_fresh_file_started(tmp_path):
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not an SQLite database" * 100
    path.write_bytes(garbage)

    history = History(path)

    assert history.recovery_message is not None
    assert "could not be read" in history.recovery_message
    kept = list(tmp_path.glob("history.sqlite3.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == garbage
    assert kept[0].name in history.recovery_message
    history.record(_attempt("D"), at_unix_s=_unix(6))
    assert history.count() == 1
    history.close()


def test_history_from_newer_signcam_is_kept_aside(tmp_path):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    history = History(path)
    assert history.recovery_message is not None and "newer" in history.recovery_message
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*"))) == 1
    history.close()


def test_two_corrupt_files_in_the_same_second_both_kept(tmp_path):
    path = tmp_path / "history.sqlite3"
    for payload in (b"first garbage" * 50, b"second garbage" * 50):
        path.write_bytes(payload)
        History(path).close()
        path.unlink()  # the fresh file, so the next round starts from garbage again
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*"))) == 2
