"""Attempts and their score: accuracy, time per letter, letters per minute, streaks, session summary."""

import enum
from dataclasses import dataclass

SLOWEST = 3  # letters the summary names as slowest
# A rate says something only over a few letters and some time (issue 32: the first letter showed "133.9 letters/min").
RATE_MIN_LETTERS = 3
RATE_MIN_S = 10.0


class Outcome(enum.Enum):
    """How an attempt at one target letter ended."""

    CORRECT = "correct"  # the target letter was held until confirmed (or a motion letter was acknowledged)
    SKIPPED = "skipped"  # the learner pressed Skip
    TIMED_OUT = "timed_out"  # nothing right within SessionConfig.skip_after_s


@dataclass(frozen=True)
class Attempt:
    """One target letter, from the moment it was shown until it was confirmed or skipped."""

    letter: str  # upper case; J and Z only for motion prompts
    outcome: Outcome
    started_s: float  # session clock, seconds
    time_s: float  # shown -> confirmed or skipped
    wrong_reads: int  # other letters confirmed while this one was the target
    word: str  # the drill item the letter belongs to ("" for a single-letter drill)

    @property
    def correct(self) -> bool:
        return self.outcome is Outcome.CORRECT


@dataclass(frozen=True)
class SessionSummary:
    """What the end-of-session screen shows."""

    attempts: int
    correct: int
    skipped: int  # manual skips and time-outs
    accuracy: float  # correct / attempts, 0 when there were none
    mean_time_s: float  # over correct attempts only: a skip's time says nothing about speed
    letters_per_minute: float  # correct letters per minute of time spent on targets
    best_streak: int
    slowest: tuple[str, ...]  # up to SLOWEST letters, slowest mean correct time first; empty when no more than
    # SLOWEST letters were read right (issue 32: "Slowest: C, B, A" for a 3-letter drill only lists the drill)
    missed: tuple[str, ...]  # letters skipped or timed out, in order, no repeats
    time_s: float = 0.0  # spent on targets, all attempts

    @property
    def rate_known(self) -> bool:
        """Enough letters and time for letters_per_minute to mean something."""
        return self.attempts >= RATE_MIN_LETTERS and self.time_s >= RATE_MIN_S


class Scoreboard:
    """Accumulates attempts; streak = consecutive correct attempts without a wrong read."""

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []
        self.streak = 0
        self.best_streak = 0
        self.streak_ended_by: Attempt | None = None  # the last attempt that set the streak back to 0


    def add(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)
        # A letter that needed a wrong read first is right but not fluent, so it ends the streak too.
        self.streak = self.streak + 1 if attempt.correct and attempt.wrong_reads == 0 else 0
        if self.streak == 0:
            self.streak_ended_by = attempt
        self.best_streak = max(self.best_streak, self.streak)

    def summary(self) -> SessionSummary:
        correct = [a for a in self.attempts if a.correct]
        total_s = sum(a.time_s for a in self.attempts)
        per_letter: dict[str, list[float]] = {}
        for a in correct:
            per_letter.setdefault(a.letter, []).append(a.time_s)
        slowest = sorted(per_letter, key=lambda k: -sum(per_letter[k]) / len(per_letter[k]))[:SLOWEST]
        if len(per_letter) <= SLOWEST:
            slowest = []
        missed = dict.fromkeys(a.letter for a in self.attempts if not a.correct)
        return SessionSummary(
            attempts=len(self.attempts),
            correct=len(correct),
            skipped=len(self.attempts) - len(correct),
            accuracy=len(correct) / len(self.attempts) if self.attempts else 0.0,
            mean_time_s=sum(a.time_s for a in correct) / len(correct) if correct else 0.0,
            letters_per_minute=60.0 * len(correct) / total_s if total_s > 0 else 0.0,
            best_streak=self.best_streak,
            slowest=tuple(slowest),
            missed=tuple(missed),
            time_s=total_s,
        )


@dataclass(frozen=True)
class LetterStats:
    """One letter's record over all stored attempts (what history returns, what weighting reads)."""

    attempts: int
    correct: int
    mean_time_s: float  # over correct attempts; 0 when there are none

    @property
    def accuracy(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0
