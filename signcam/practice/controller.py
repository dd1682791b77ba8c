"""The practice controller: everything practice remembers between frames, without Qt.

It owns the drill session or free spelling in progress, the drill coach (hints after 1.5 s unread, J
and Z read from the motion), which drill it is (to start it again), the learner's options (hard mode,
left hand, J/Z) and the recording of each finished attempt in the history. The Qt panel only renders
what it says and forwards clicks. When a letter is held and confirmed is decided once, by the
recognizer's smoother (`Recognition.smoothed`, threshold and hold time from the RecognitionConfig), so
the overlay, the readout and practice never disagree on what counts as a letter.

Usage:
    controller = PracticeController(history)
    controller.changed.connect(panel.render)       # after every change
    controller.start_word_drill()
    controller.on_recognition(rec)                  # per live recognition; controller.tick() from a timer
"""

from __future__ import annotations

import enum
import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from signcam.limits import custom_text
from signcam.pipeline.config import Event
from signcam.practice import (
    Attempt,
    LetterOrder,
    MotionPolicy,
    Outcome,
    SessionSummary,
    custom_drill,
    drill_letters,
    letter_drill,
    letter_weights,
    load_words,
    word_drill,
)
from signcam.practice.coaching import CoachNote, DrillCoach
from signcam.practice.session import DrillState, PracticeSession, SessionConfig
from signcam.practice.spelling import FreeSpelling

if TYPE_CHECKING:  # only attributes are read; importing them would pull in torch
    from signcam.pipeline.recognizer import Recognition
    from signcam.practice.history import History

log = logging.getLogger(__name__)

LETTERS_PER_DRILL = 20
WORDS_PER_DRILL = 10
DRILL_TITLES = {"letter": "Letter drill", "word": "Word drill", "custom": "Custom text"}


class PracticeMode(enum.Enum):
    IDLE = "idle"  # nothing running: the panel offers the drills
    DRILL = "drill"  # a letter, word or custom-text drill
    SUMMARY = "summary"  # a drill just ended: its summary is shown
    FREE = "free"  # free spelling


def streak_note(attempt: Attempt | None) -> str:
    """Why the streak went back to 0 (on which letter), so "Streak 1 · 2/2 right" never puzzles."""
    if attempt is None:
        return ""
    if attempt.outcome is Outcome.CORRECT:
        return f"restarted at {attempt.letter}: another letter was read first"
    return f"restarted at {attempt.letter}: {'timed out' if attempt.outcome is Outcome.TIMED_OUT else 'skipped'}"


class PracticeController:
    """Drives one drill or free spelling at a time from recognitions and timer ticks.

    `changed()` fires after every change the panel should show; `finished(summary)` when the last
    target of a drill is done; `coached(note)` after each drill recognition with the coach's CoachNote
    (hints and the fingers they concern, for the live view), and with an empty note when a drill ends.
    A history write that fails (full disk) never ends the drill: it sets `notice` and the drill goes on.
    """

    def __init__(
        self,
        history: History | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        skip_after_s: float = 10.0,
        space_after_ms: float = 1200.0,
        rng: random.Random | None = None,
    ) -> None:
        self.history = history
        self.config = SessionConfig(skip_after_s=skip_after_s)
        self.space_after_ms = space_after_ms
        self.hard_mode = False
        self.left_hand = False
        self.motion_policy = MotionPolicy.SKIP
        self.mode = PracticeMode.IDLE
        self.drill = "letter"  # stored with each attempt: letter, word or custom
        self.session: PracticeSession | None = None
        self.spelling: FreeSpelling | None = None
        self.summary: SessionSummary | None = None  # of the drill that ended last
        self.drill_coach = DrillCoach()  # a damaged bundled file turns coaching or J/Z off; `notice` says so
        self.notice = (history.recovery_message if history is not None else "") or self.drill_coach.problem
        self.coach_note = CoachNote(None)
        self.changed = Event()
        self.finished = Event()
        self.coached = Event()
        self._clock, self._wall_clock = clock, wall_clock
        self._rng = rng or random.Random()
        self._restart: Callable[[], object] | None = None
        self._recorded = 0
        self._away = False  # the window says the learner is elsewhere (another window, minimised)

    # -- starting and stopping -----------------------------------------------------------------
    def start_letter_drill(self, order: LetterOrder = LetterOrder.RANDOM) -> None:
        weights = None
        if order is LetterOrder.WEAKEST:
            weights = letter_weights(self.history.letter_stats() if self.history else {})
            if self.history is not None and self.history.problem:  # locked or damaged: say so, drill at random
                self.notice = self.history.problem
        alphabet = drill_letters(self.motion_policy)
        count = len(alphabet) if order is LetterOrder.ALPHABETICAL else LETTERS_PER_DRILL  # all of it, in order
        items = letter_drill(order, count, self._rng, weights, self.motion_policy)
        self._start(PracticeSession(items, self._clock(), self.config), "letter",
                    lambda: self.start_letter_drill(order))

    def start_word_drill(self) -> None:
        items = word_drill(load_words(), WORDS_PER_DRILL, self._rng, self.motion_policy)
        self._start(PracticeSession(items, self._clock(), self.config), "word", self.start_word_drill)

    def start_custom_text(self, text: str) -> bool:
        """Drills the learner's own text; False (and nothing starts) when it has no letters. Text over
        signcam.limits.MAX_CUSTOM_TEXT_CHARS is cut, and `notice` says so."""
        items = custom_drill(text)
        if not items:
            return False
        self._start(PracticeSession(items, self._clock(), self.config), "custom",
                    lambda: self.start_custom_text(text))
        if cut := custom_text(text)[1]:
            self.notice = cut
            self.changed.emit()
        return True

    def start_free_spelling(self) -> None:
        self._quiet_coach()
        self.session, self.spelling = None, FreeSpelling(self.space_after_ms)
        if self.drill_coach.reader is not None:
            self.drill_coach.reader.reset()
        self.mode = PracticeMode.FREE
        self.changed.emit()

    def again(self) -> None:
        """The drill just finished, once more (new random letters or words)."""
        if self._restart is not None:
            self._restart()

    def set_away(self, away: bool) -> None:
        """The window's word: the learner is in another window or dialog, or the window is minimised. A drill
        pauses (no time-out, no attempt, nothing read) and goes on where it was; free spelling types nothing."""
        if away == self._away:
            return
        self._away = away
        if self.session is not None:
            self.session.pause(self._clock()) if away else self.session.resume(self._clock())
            self.drill_coach.forget()  # the hint clock and the J/Z motion start afresh on return
        self.changed.emit()

    @property
    def away(self) -> bool:
        return self._away

    def stop(self) -> None:
        self._quiet_coach()
        self.session = self.spelling = None
        self.mode = PracticeMode.IDLE
        self.changed.emit()

    # -- input ---------------------------------------------------------------------------------
    def on_recognition(self, rec: Recognition) -> None:
        """One live recognition (any thread that also calls the rest; the GUI thread in the app); a still
        image's (no `smoothed`) is not practice."""
        smoothed = rec.smoothed
        if (self.session is None and self.spelling is None) or smoothed is None or self._away:
            return
        t_s = self._clock()
        if self.session is not None:
            state = self.session.update(smoothed, rec, t_s)
            self.coach_note = self.drill_coach.update(state, rec, t_s)
            if self.coach_note.motion_read:  # J or Z drawn: the motion reader confirms it, no key needed
                state = self.session.acknowledge_motion(t_s)
            self._after(state)
            self.coached.emit(self.coach_note)
        elif self.spelling is not None:
            motion = None
            if self.motion_policy is not MotionPolicy.SKIP and self.drill_coach.reader is not None:  # as in drills
                motion = self.drill_coach.reader.update(t_s, rec.box.landmarks if rec.box is not None else None)
            self.spelling.update(smoothed, motion)
            self.changed.emit()

    def tick(self) -> None:
        """From a timer: time-outs happen even when no frames arrive."""
        if self.session is not None:
            self._after(self.session.tick(self._clock()))

    def skip(self) -> None:
        if self.session is not None:
            self._after(self.session.skip(self._clock()))

    def acknowledge_motion(self) -> None:
        if self.session is not None:
            self._after(self.session.acknowledge_motion(self._clock()))

    def set_hard_mode(self, on: bool) -> None:
        self.hard_mode = on
        self.changed.emit()

    def set_left_hand(self, on: bool) -> None:
        self.left_hand = on
        self.changed.emit()

    def set_motion_letters(self, on: bool) -> None:
        """Drills with J and Z: read from the fingertip's motion, or confirmed with a key."""
        self.motion_policy = MotionPolicy.PROMPT if on else MotionPolicy.SKIP

    # -- what the panel shows ------------------------------------------------------------------
    @property
    def state(self) -> DrillState | None:
        return self.session.state if self.session is not None else None

    @property
    def title(self) -> str:
        return DRILL_TITLES.get(self.drill, "Drill")

    def stats_text(self, state: DrillState) -> str:
        """"Streak 1 (restarted at E: ...) · 2/2 right · 12.0 letters/min"."""
        if self.session is None:
            return ""
        note = streak_note(self.session.score.streak_ended_by)
        parts = [f"Streak {state.streak}" + (f" ({note})" if note else "")]
        summary = self.session.summary()
        if summary.attempts:
            parts.append(f"{summary.correct}/{summary.attempts} right")
        if summary.rate_known:
            parts.append(f"{summary.letters_per_minute:.1f} letters/min")
        return " · ".join(parts)

    # -- internals -----------------------------------------------------------------------------
    def _quiet_coach(self) -> None:
        """No drill, no advice: the live view unmarks the fingers."""
        if self.coach_note.target is not None or self.coach_note.hints:
            self.coach_note = CoachNote(None)
            self.coached.emit(self.coach_note)

    def _start(self, session: PracticeSession, drill: str, restart: Callable[[], object]) -> None:
        self._quiet_coach()
        self.session, self.spelling = session, None
        self.drill, self._restart, self._recorded = drill, restart, 0
        if self._away:  # started while elsewhere (a test, a script): it waits for the learner
            session.pause(self._clock())
        self.mode = PracticeMode.DRILL
        self.changed.emit()

    def _after(self, state: DrillState) -> None:
        self._record_new_attempts()
        if state.finished and self.session is not None:
            self._quiet_coach()
            summary = self.session.summary()
            self.session = None
            self.mode = PracticeMode.SUMMARY
            self.summary = summary
            self.changed.emit()
            self.finished.emit(summary)
        else:
            self.changed.emit()

    def _record_new_attempts(self) -> None:
        """Writes attempts the session finished since the last call, each in its own commit."""
        if self.session is None:
            return
        new = self.session.score.attempts[self._recorded:]
        self._recorded += len(new)
        if self.history is None:
            return
        for attempt in new:
            try:
                self.history.record(attempt, self._wall_clock(), drill=self.drill,
                                    mode="hard" if self.hard_mode else "easy",
                                    hand="left" if self.left_hand else "right")
            except sqlite3.Error as error:  # a full disk must not end the drill
                log.warning("practice history not saved: %s", error)
                self.notice = f"Practice history could not be saved: {error}"
        if self.history.problem:  # the writer thread retries a locked or full file; the learner hears why
            self.notice = self.history.problem
