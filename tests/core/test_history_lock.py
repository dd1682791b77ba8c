"""A history another program holds locked, or one with a damaged page (issue 24): never set aside, nothing lost,
no sqlite3 error reaching the caller."""

import sqlite3
import time
from pathlib import Path

from signcam.practice import Attempt, Outcome
from signcam.practice.history import History


def attempt(letter: str = "A") -> Attempt:
    return Attempt(letter=letter, outcome=Outcome.CORRECT, started_s=0.0, time_s=1.5, wrong_reads=0, word="")


def history_with(path: Path, n: int) -> None:
    history = History(path)
    for i in range(n):
        history.record(attempt("ABCDEFGHIKLMNOPQRSTUVWXY"[i % 24]), at_unix_s=1.0e9 + i)
    assert history.flush(timeout_s=10)
    history.close()


def lock_exclusively(path: Path) -> sqlite3.Connection:
    """What the issue's battery did from another process: PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_history_locked_at_start_up_is_not_set_aside_and_gets_the_attempts_later(tmp_path):
    path = tmp_path / "history.sqlite3"
    history_with(path, 5)
    other = lock_exclusively(path)
    history = History(path)
    assert "locked by another program" in history.recovery_message and "left as it is" in history.recovery_message
    assert sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name) == []  # nothing renamed aside
    start = time.monotonic()
    history.record(attempt("B"), at_unix_s=2.0e9)
    assert time.monotonic() - start < 0.1  # queued, not waited for on the GUI thread
    assert history.letter_stats() == {} and "locked" in history.problem  # a read says why, does not raise
    assert history.pending == 1
    other.execute("ROLLBACK")
    other.close()
    assert history.flush(timeout_s=10)
    assert history.count() == 6  # the five before and the one made while locked
    history.close()


def test_attempts_made_while_locked_are_retried_not_dropped(tmp_path):
    path = tmp_path / "history.sqlite3"
    history = History(path)
    other = sqlite3.connect(path, isolation_level=None)  # WAL: an open history keeps EXCLUSIVE mode out, but
    other.execute("BEGIN EXCLUSIVE")  # another program's long write transaction still blocks every write of ours
    start = time.monotonic()
    for letter in "CAT":
        history.record(attempt(letter), at_unix_s=1.0e9)
    assert time.monotonic() - start < 0.1
    assert not history.flush(timeout_s=0.5) and history.pending == 3
    other.execute("ROLLBACK")
    other.close()
    assert history.flush(timeout_s=10)
    assert sorted(history.letter_stats()) == ["A", "C", "T"] and history.problem is None
    history.close()


def test_damaged_page_gives_a_message_not_a_database_error(tmp_path):
    path = tmp_path / "history.sqlite3"
    history_with(path, 3000)
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    middle = pages // 2 * page_size
    data[middle : middle + page_size] = b"\xa5" * page_size  # one page of a table or index overwritten
    path.write_bytes(bytes(data))

    history = History(path)
    stats, days = history.letter_stats(), history.daily_stats()  # used to raise sqlite3.DatabaseError
    assert isinstance(stats, dict) and isinstance(days, list)
    assert "damaged" in (history.recovery_message or "") and "damaged" in history.problem
    assert path.exists() and not any("corrupt" in p.name for p in tmp_path.iterdir())  # kept in use, not renamed
    history.close()
