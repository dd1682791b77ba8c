"""Practice history: every attempt in SQLite in the user data folder, committed as it happens.

One row per attempt, committed at once (WAL journal), so a crash loses at most the attempt in
flight. The schema version lives in PRAGMA user_version. A file SQLite cannot read, or one written
by a newer signcam, is renamed aside (never deleted) and a fresh file is started; `recovery_message`
says so, for the UI to show. Where that is impossible too (a read-only or missing folder: the rename
or the new file fails), the file is left untouched and practice runs on an in-memory history that is
not saved; `recovery_message` says that instead.

Usage:
    history = History()                 # platformdirs.user_data_dir("signcam")/history.sqlite3
    history.record(attempt, at_unix_s=time.time(), drill="word")
    weights = letter_weights(history.letter_stats())
"""

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from signcam.files import user_data_dir
from signcam.practice.scoring import Attempt, LetterStats

if TYPE_CHECKING:
    from signcam.practice.receptive import ReadResult

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
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
    """The attempts database; one connection, used from the GUI thread only."""

    _readings_ready = False  # the reading tables exist in this file (made on first use)

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_history_path()
        self.recovery_message: str | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open(self.path)
        except (OSError, sqlite3.DatabaseError) as error:
            self._conn = self._recover(error)

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
        conn = sqlite3.connect(target)
        try:
            conn.execute("PRAGMA journal_mode=WAL")  # the first read: fails here on a non-database file
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"schema version {version} is newer than this signcam's")
            if version == 0:
                with conn:
                    conn.executescript(_SCHEMA_V1 + f"PRAGMA user_version = {SCHEMA_VERSION};")
            conn.execute("SELECT count(*) FROM attempts").fetchone()  # catches a damaged table
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

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
        """Stores one attempt and commits it before returning."""
        with self._conn:
            self._conn.execute(
                "INSERT INTO attempts (at_unix_s, letter, outcome, time_s, wrong_reads, word, drill, mode, hand)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at_unix_s, attempt.letter, attempt.outcome.value, attempt.time_s, attempt.wrong_reads,
                 attempt.word, drill, mode, hand),
            )

    def count(self) -> int:
        return self._conn.execute("SELECT count(*) FROM attempts").fetchone()[0]

    def letter_stats(self) -> dict[str, LetterStats]:
        """Per letter: attempts, correct, mean seconds per correct attempt."""
        rows = self._conn.execute(
            "SELECT letter, count(*), sum(outcome = 'correct'),"
            " coalesce(avg(CASE WHEN outcome = 'correct' THEN time_s END), 0)"
            " FROM attempts GROUP BY letter ORDER BY letter"
        )
        return {letter: LetterStats(n, correct, mean_s) for letter, n, correct, mean_s in rows}

    def daily_stats(self) -> list[DayStats]:
        """Per local calendar day, oldest first."""
        rows = self._conn.execute(
            "SELECT date(at_unix_s, 'unixepoch', 'localtime') AS day, count(*), sum(outcome = 'correct'),"
            " coalesce(avg(CASE WHEN outcome = 'correct' THEN time_s END), 0)"
            " FROM attempts GROUP BY day ORDER BY day"
        )
        return [DayStats(n, correct, mean_s, day=day) for day, n, correct, mean_s in rows]

    # -- the reading drill (practice.receptive) --------------------------------------------------------------
    def _readings(self) -> sqlite3.Connection:
        """The connection, with the reading tables made if this file has none yet."""
        if not self._readings_ready:
            with self._conn:
                self._conn.executescript(_READINGS)
            self._readings_ready = True
        return self._conn

    def record_reading(self, result: "ReadResult", at_unix_s: float) -> None:
        """Stores one answered word and its letters, committed together before returning."""
        conn = self._readings()
        with conn:
            cursor = conn.execute(
                "INSERT INTO readings (at_unix_s, word, typed, correct, pace, replays, source)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at_unix_s, result.word, result.typed, int(result.correct), result.pace, result.replays,
                 result.source.value),
            )
            missed = set(result.missed)
            conn.executemany("INSERT INTO reading_letters (reading_id, letter, correct) VALUES (?, ?, ?)",
                             [(cursor.lastrowid, c, int(i not in missed)) for i, c in enumerate(result.word)])

    def reading_letter_stats(self) -> dict[str, LetterStats]:
        """Per letter read: letters shown, read right (no times: a reading is timed per word, not letter)."""
        rows = self._readings().execute(
            "SELECT letter, count(*), sum(correct) FROM reading_letters GROUP BY letter ORDER BY letter")
        return {letter: LetterStats(n, right, 0.0) for letter, n, right in rows}

    def reading_days(self) -> list[ReadingDay]:
        """Per local calendar day, oldest first: words read, read right, and the fastest pace read right."""
        rows = self._readings().execute(
            "SELECT date(at_unix_s, 'unixepoch', 'localtime') AS day, count(*), sum(correct),"
            " coalesce(max(CASE WHEN correct THEN pace END), 0) FROM readings GROUP BY day ORDER BY day")
        return [ReadingDay(day, n, right, pace) for day, n, right, pace in rows]

    def last_reading_pace(self) -> float | None:
        """The pace the learner was last shown a word at, so the next drill goes on from there."""
        row = self._readings().execute("SELECT pace FROM readings ORDER BY at_unix_s DESC, id DESC LIMIT 1")
        found = row.fetchone()
        return found[0] if found else None

    def close(self) -> None:
        self._conn.close()
