"""Practice history: every attempt in SQLite in the user data folder, committed as it happens.

One row per attempt, committed by a writer thread within milliseconds (WAL journal), so a crash loses at
most the attempts in flight. The schema version lives in PRAGMA user_version. A file SQLite cannot read,
or one written by a newer signcam, is renamed aside (never deleted) and a fresh file is started;
`recovery_message` says so, for the UI to show. Where that is impossible too (a read-only or missing
folder: the rename or the new file fails), the file is left untouched and practice runs on an in-memory
history that is not saved; `recovery_message` says that instead.

A file another program holds locked is never renamed: attempts and readings stay queued and the writer retries
until it is free. A damaged page met later makes that read come back empty with `problem` saying why, not raise;
a row with values no signcam writes (a time in the year 30,000, a pace of "abc": another tool, a disk error) is
left out of the figures.

Usage:
    history = History()                 # platformdirs.user_data_dir("signcam")/history.sqlite3
    history.record(attempt, at_unix_s=time.time(), drill="word")
    weights = letter_weights(history.letter_stats())
"""

import logging
import sqlite3
import threading
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from signcam.practice.scoring import Attempt, LetterStats
from signcam.store.files import user_data_dir

if TYPE_CHECKING:
    from signcam.practice.receptive import ReadResult

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 0.25  # SQLite's own wait for a lock per statement; short, as reads run on the GUI thread
RETRY_START_S, RETRY_MAX_S = 0.1, 2.0  # the writer's backoff while the file stays locked
READ_WAIT_S = 0.5  # a read first waits this long for queued attempts, so it includes them
FLUSH_WAIT_S = 5.0
CLOSE_WAIT_S = 3.0  # quitting waits this long for a locked file before giving up on the queued attempts
_INSERT = ("INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_READING = ("INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                   " VALUES (?, ?, ?, ?, ?, ?, ?)")


def _number(column: str, low: float, high: float) -> str:
    return f"typeof({column}) IN ('integer', 'real') AND {column} BETWEEN {low} AND {high}"


# The rows the figures use: what signcam itself writes. SQLite keeps any value in any column, and date() of a time
# past the year 9999 is NULL, so a row from another tool or a damaged disk is skipped here rather than raise later.
_TIME_OK = _number("at_unix_s", 0, 253_402_300_799)  # 1970 to the end of 9999
_ATTEMPT_OK = (f"{_TIME_OK} AND {_number('time_s', 0, 86_400)} AND typeof(letter) = 'text'"
               " AND length(letter) = 1 AND typeof(outcome) = 'text'")
_READING_OK = f"{_TIME_OK} AND {_number('pace', 0.01, 100)} AND correct IN (0, 1)"
_READING_LETTER_OK = "typeof(letter) = 'text' AND length(letter) = 1 AND correct IN (0, 1)"
_SCHEMA_V1 = """
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    at_unix_s REAL NOT NULL,       -- wall clock when the attempt ended
    letter TEXT NOT NULL,          -- A-Z upper case
    outcome TEXT NOT NULL,         -- Outcome.value: correct, skipped, timed_out
    time_s REAL NOT NULL,          -- target shown -> confirmed or skipped
    wrong_reads INTEGER NOT NULL,  -- other letters confirmed meanwhile
    word TEXT NOT NULL,            -- "" for single-letter drills
    drill TEXT NOT NULL,           -- letter, word, custom
    mode TEXT NOT NULL,            -- easy (reference shown) or hard
    hand TEXT NOT NULL             -- right or left
);
CREATE INDEX attempts_letter ON attempts (letter);
"""
# The reading drill (practice.receptive), kept apart from the signing drills' attempts. Created on first use
# with IF NOT EXISTS and no version bump: an older signcam ignores tables it does not know, so its file stays
# readable to it (a bump would make that signcam set the whole history aside).
_READINGS = """
CREATE TABLE IF NOT EXISTS readings (
    id INTEGER PRIMARY KEY,
    at_unix_s REAL NOT NULL,       -- wall clock when the word was answered
    word TEXT NOT NULL,            -- A-Z upper case, as shown
    typed TEXT NOT NULL,           -- the answer, upper-case letters only
    correct INTEGER NOT NULL,      -- 1 when typed == word
    pace REAL NOT NULL,            -- letters per second the word was shown at
    replays INTEGER NOT NULL,      -- extra showings asked for
    source TEXT NOT NULL           -- WordSource.value: words, custom, weakest
);
CREATE TABLE IF NOT EXISTS reading_letters (
    reading_id INTEGER NOT NULL REFERENCES readings (id),
    letter TEXT NOT NULL,          -- one row per letter shown
    correct INTEGER NOT NULL       -- 0 when the alignment found it missed
);
"""


def default_history_path() -> Path:
    return user_data_dir() / "history.sqlite3"


@dataclass(frozen=True)
class DayStats(LetterStats):
    """One calendar day (local time) of practice, for the speed-over-time plot."""

    day: str = ""  # ISO date, YYYY-MM-DD

    @property
    def letters_per_minute(self) -> float:
        return 60.0 / self.mean_time_s if self.mean_time_s > 0 else 0.0


@dataclass(frozen=True)
class ReadingDay:
    """One calendar day (local time) of the reading drill, for Progress's pace-per-day plot."""

    day: str  # ISO date, YYYY-MM-DD
    words: int
    right: int
    best_pace: float  # letters/s: the fastest pace at which a word was read right that day (0 if none)


class History:
    """The attempts database. `record()` only queues (it never blocks the GUI thread); a writer thread commits the
    queue, and while another program holds the file locked it retries with backoff, keeping the attempts queued
    until they are written. Reads wait briefly for the queue, then read; a read that hits a lock or a damaged
    page returns what it could (empty) and says why in `problem`, instead of raising."""

    _readings_ready = False  # the reading tables exist in this file (made on first use)

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_history_path()
        self.recovery_message: str | None = None
        self.problem: str | None = None  # the last read or write that failed, for the UI; None when all is well
        self._lock = threading.Lock()  # the one connection is shared by the reads and the writer thread
        self._queue: deque[tuple[tuple, list[tuple]] | tuple] = deque()  # attempts' rows, (reading, letters)
        self._wake = threading.Condition()
        self._closing = False
        self._needs_setup = False  # opened while locked: WAL, schema and checks still to do (by the writer)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open(self.path)
        except sqlite3.DatabaseError as error:
            if not _is_locked(error):
                self._conn = self._recover(error)
            else:  # in use, not unreadable: never set aside (issue 24); the writer finishes opening it later
                self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
                self._needs_setup = True
                self.recovery_message = (
                    f"The practice history at {self.path} is locked by another program. It was left as it is; "
                    "this session's attempts are kept and saved as soon as it is free.")
                log.warning(self.recovery_message)
        except OSError as error:
            self._conn = self._recover(error)
        self._writer = threading.Thread(target=self._write_queue, name="history-writer", daemon=True)
        self._writer.start()

    def _recover(self, error: Exception) -> sqlite3.Connection:
        """Keep the unreadable file aside and start a new one; failing that, leave it and keep nothing."""
        aside = None
        try:
            aside = self._move_aside()
            conn = self._open(self.path)
            self.recovery_message = (
                f"The practice history at {self.path} could not be read ({error}); it was kept as "
                f"{aside.name} and a new, empty history was started."
            )
        except (OSError, sqlite3.DatabaseError) as again:
            kept = f"it was kept as {aside.name}" if aside else "it was left untouched"
            self.recovery_message = (
                f"The practice history at {self.path} could not be used ({error}) and its folder cannot be "
                f"written ({again}); {kept}. Practice works, but this session's attempts will not be saved."
            )
            conn = self._open(":memory:")
        log.warning(self.recovery_message)
        return conn

    def _open(self, target: Path | str) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            self._prepare(conn)
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """WAL, the schema, and a check that the table reads; DatabaseError for a file that is not a usable
        history (OperationalError "database is locked" for one in use)."""
        conn.execute("PRAGMA journal_mode=WAL")  # the first read: fails here on a non-database file
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(f"schema version {version} is newer than this signcam's")
        if version == 0:
            with conn:
                conn.executescript(_SCHEMA_V1 + f"PRAGMA user_version = {SCHEMA_VERSION};")
        try:  # a damaged page: readable in parts, so kept in use, not set aside; reads say what they could not read
            damage = conn.execute("PRAGMA quick_check(1)").fetchall()[0][0]
        except sqlite3.DatabaseError as error:
            if _is_locked(error):
                raise
            damage = str(error)
        if damage != "ok":
            self.problem = (f"The practice history at {self.path} is damaged in places ({damage}); new attempts "
                            "are still saved, and figures that need the damaged part are left out.")
            self.recovery_message = self.problem
            log.warning(self.problem)

    def _move_aside(self) -> Path:
        """Renames the unreadable file (and its WAL side files) to a unique, dated name."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        self.path.rename(aside)
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                side.rename(aside.with_name(aside.name + suffix))
        return aside

    def record(
        self, attempt: Attempt, at_unix_s: float, drill: str = "letter", mode: str = "easy", hand: str = "right"
    ) -> None:
        """Queues one attempt for the writer thread, which commits it within milliseconds (or, while the file is
        locked, as soon as it is free); never blocks."""
        row = (at_unix_s, attempt.letter, attempt.outcome.value, attempt.time_s, attempt.wrong_reads, attempt.word,
               drill, mode, hand)
        with self._wake:
            self._queue.append(row)
            self._wake.notify_all()

    def flush(self, timeout_s: float = FLUSH_WAIT_S) -> bool:
        """Waits until every queued attempt is committed; False if some are still queued after `timeout_s`."""
        with self._wake:
            return self._wake.wait_for(lambda: not self._queue, timeout=timeout_s)

    @property
    def pending(self) -> int:
        """Attempts queued and not yet committed."""
        with self._wake:
            return len(self._queue)

    def _write_queue(self) -> None:
        """The writer thread: commit what is queued; on a lock or a full disk, wait (backing off) and try again."""
        wait_s = RETRY_START_S
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._queue or self._closing)
                if not self._queue:
                    return
                rows = list(self._queue)
            try:
                with self._lock:
                    if self._needs_setup:
                        self._prepare(self._conn)
                        self._needs_setup = False
                    self._insert(rows)
            except sqlite3.Error as error:
                why = "is locked by another program" if _is_locked(error) else f"cannot be written ({error})"
                self.problem = f"The practice history {why}; {_count_words(rows)} are kept and retried."
                log.warning(self.problem)
                with self._wake:
                    if self._closing:
                        return  # close() decides how long to wait; it reports what is left
                    self._wake.wait(wait_s)
                wait_s = min(2 * wait_s, RETRY_MAX_S)
                continue
            with self._wake:
                for _ in rows:
                    self._queue.popleft()
                self._wake.notify_all()
            if self.problem and self.problem.endswith("retried."):
                self.problem = None
            wait_s = RETRY_START_S

    def _insert(self, rows: list[tuple]) -> None:
        """Commit queued rows in one transaction: an attempt is a 9-tuple, a reading a (row, letters) pair. Call it
        holding self._lock."""
        if any(len(row) == 2 for row in rows):
            self._readings()
        with self._conn:
            for row in rows:
                if len(row) != 2:
                    self._conn.execute(_INSERT, row)
                    continue
                reading, letters = row
                reading_id = self._conn.execute(_INSERT_READING, reading).lastrowid
                self._conn.executemany("INSERT INTO reading_letters (reading_id, letter, correct) VALUES (?, ?, ?)",
                                       [(reading_id, *letter) for letter in letters])

    def _query(self, sql: str, default: object) -> object:
        """All rows of `sql`, after waiting briefly for queued attempts; `default` (and `problem` set) when the
        file is locked or a damaged page is met, so no caller sees an sqlite3 error."""
        self.flush(READ_WAIT_S)
        try:
            with self._lock:
                return self._conn.execute(sql).fetchall()
        except sqlite3.DatabaseError as error:
            why = "is locked by another program" if _is_locked(error) else f"is damaged ({error})"
            self.problem = f"The practice history at {self.path} {why}; its figures cannot be shown now."
            log.warning(self.problem)
            return default

    def count(self) -> int:
        rows = self._query(f"SELECT count(*) FROM attempts WHERE {_ATTEMPT_OK}", [(0,)])
        return int(rows[0][0])

    def letter_stats(self) -> dict[str, LetterStats]:
        """Per letter: attempts, correct, mean seconds per correct attempt."""
        rows = self._query(
            "SELECT letter, count(*), sum(outcome = 'correct'),"
            " coalesce(avg(CASE WHEN outcome = 'correct' THEN time_s END), 0)"
            f" FROM attempts WHERE {_ATTEMPT_OK} GROUP BY letter ORDER BY letter", []
        )
        return {letter: LetterStats(int(n), int(correct), float(mean_s)) for letter, n, correct, mean_s in rows}

    def daily_stats(self) -> list[DayStats]:
        """Per local calendar day, oldest first."""
        rows = self._query(
            "SELECT date(at_unix_s, 'unixepoch', 'localtime') AS day, count(*), sum(outcome = 'correct'),"
            " coalesce(avg(CASE WHEN outcome = 'correct' THEN time_s END), 0)"
            f" FROM attempts WHERE {_ATTEMPT_OK} GROUP BY day ORDER BY day", []
        )
        return [DayStats(int(n), int(correct), float(mean_s), day=day) for day, n, correct, mean_s in rows]

    # -- the reading drill (practice.receptive) --------------------------------------------------------------
    def _readings(self) -> sqlite3.Connection:
        """The connection, with the reading tables made if this file has none yet; call it holding self._lock
        (the writer thread shares the connection)."""
        if not self._readings_ready:
            with self._conn:
                self._conn.executescript(_READINGS)
            self._readings_ready = True
        return self._conn

    def record_reading(self, result: "ReadResult", at_unix_s: float) -> None:
        """Queues one answered word and its letters, committed together by the writer thread like an attempt (so a
        file locked by another program keeps it queued and retried, never lost); never blocks."""
        reading = (at_unix_s, result.word, result.typed, int(result.correct), result.pace, result.replays,
                   result.source.value)
        missed = set(result.missed)
        letters = [(c, int(i not in missed)) for i, c in enumerate(result.word)]
        with self._wake:
            self._queue.append((reading, letters))
            self._wake.notify_all()

    def _reading_query(self, sql: str, default: list) -> list:
        """`_query` on the reading tables, made first; a lock or damage gives `default` and `problem`."""
        try:
            with self._lock:
                self._readings()
        except sqlite3.DatabaseError as error:
            self.problem = f"The practice history at {self.path} cannot be read now ({error})."
            log.warning(self.problem)
            return default
        return self._query(sql, default)

    def reading_letter_stats(self) -> dict[str, LetterStats]:
        """Per letter read: letters shown, read right (no times: a reading is timed per word, not letter)."""
        rows = self._reading_query(
            f"SELECT letter, count(*), sum(correct) FROM reading_letters WHERE {_READING_LETTER_OK}"
            " GROUP BY letter ORDER BY letter", [])
        return {letter: LetterStats(int(n), int(right), 0.0) for letter, n, right in rows}

    def reading_days(self) -> list[ReadingDay]:
        """Per local calendar day, oldest first: words read, read right, and the fastest pace read right."""
        rows = self._reading_query(
            "SELECT date(at_unix_s, 'unixepoch', 'localtime') AS day, count(*), sum(correct),"
            f" coalesce(max(CASE WHEN correct THEN pace END), 0) FROM readings WHERE {_READING_OK}"
            " GROUP BY day ORDER BY day", [])
        return [ReadingDay(day, int(n), int(right), float(pace)) for day, n, right, pace in rows]

    def last_reading_pace(self) -> float | None:
        """The pace the learner was last shown a word at, so the next drill goes on from there."""
        rows = self._reading_query(
            f"SELECT pace FROM readings WHERE {_READING_OK} ORDER BY at_unix_s DESC, id DESC LIMIT 1", [])
        return float(rows[0][0]) if rows else None

    def unsaved_message(self) -> str:
        """"" when nothing is queued; else what is still unsaved and why, for the learner (quitting now loses it)."""
        with self._wake:
            rows = list(self._queue)
        if not rows:
            return ""
        return (f"{_count_words(rows).capitalize()} could not be saved to the practice history at {self.path}: "
                f"{self.problem or 'it is busy'}")

    def close(self, timeout_s: float = CLOSE_WAIT_S) -> str:
        """Writes what is queued (waiting at most `timeout_s` for a lock to go), then closes; returns
        `unsaved_message()` for what is still queued after that, which is lost (and logged)."""
        self.flush(timeout_s)
        with self._wake:
            self._closing = True
            self._wake.notify_all()
        self._writer.join(RETRY_MAX_S + BUSY_TIMEOUT_S + 1)
        lost = self.unsaved_message()
        if lost:
            log.warning("practice history: %s", lost)
        with self._lock:
            self._conn.close()
        return lost


def _count_words(rows: list[tuple]) -> str:
    """"3 attempts", "1 reading", "2 attempts and 1 reading": what queued rows hold, in words."""
    readings = sum(len(row) == 2 for row in rows)
    counts = ((len(rows) - readings, "attempt"), (readings, "reading"))
    return " and ".join(f"{n} {what}{'s' * (n != 1)}" for n, what in counts if n) or "nothing"


def _is_locked(error: BaseException) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the file; waiting helps, setting it aside does not."""
    code = getattr(error, "sqlite_errorcode", None)
    return code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in str(error)
