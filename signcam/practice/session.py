"""The drill session: one target letter at a time, confirmed by the smoother's hold, skipped or timed out.

It consumes what the recognition core already decided (`SmoothedLetter.confirmed` fires once when a
letter has been held long enough above the confidence threshold) and never reads a clock: every
call takes `t_s`, so scripted streams test it exactly.

Only a target the learner was seen trying is scored (issue 23: a drill with no camera saved every letter
as timed out, which Progress then drew red and counted among the weakest): the time-out countdown runs
only while a hand is in view (or was, within HAND_GRACE_S), and a target skipped before any hand was
seen moves on without an Attempt.

A drill pauses while the learner is elsewhere (issue 32: 20 s in the Retrain dialog recorded a time-out): while
`pause`d, readings are ignored and no time counts, towards the time-out or the attempt's time; `resume` goes on
with the time that was left.

Usage:
    session = PracticeSession(word_drill(load_words(), 10, rng), start_s=now)
    state = session.update(rec.smoothed, rec, now)  # per live recognition
    session.tick(now)  # from a timer, so time-outs happen without frames too
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from signcam.labels import MOTION_LETTERS
from signcam.practice.drills import DrillItem
from signcam.practice.scoring import Attempt, Outcome, Scoreboard, SessionSummary

# A hand lost for a few frames (a blink of the locator, a frame drop) keeps the countdown running; a hand
# gone for longer (or no camera at all) pauses it, so nobody is timed out for not being in view.
HAND_GRACE_S = 1.0

if TYPE_CHECKING:  # the session only reads attributes; importing them would pull in torch
    from signcam.pipeline.recognizer import Recognition
    from signcam.pipeline.smoothing import SmoothedLetter


@dataclass(frozen=True)
class SessionConfig:
    skip_after_s: float = 10.0  # a target not confirmed by then counts as timed out; 0 disables time-outs


@dataclass(frozen=True)
class DrillState:
    """Everything the view shows, recomputed after each update; the view keeps no state of its own."""

    item: DrillItem | None  # None once finished
    item_index: int  # 0-based, == item_count once finished
    item_count: int
    letter_index: int  # position of the target within the item
    target: str | None
    motion_prompt: bool  # the target is J or Z: the learner signs it and presses a key
    candidate: str | None  # the smoothed letter now (None: no hand or unsure)
    hold_progress: float  # of the candidate's hold, [0, 1]
    reading_instead: str | None  # the model's best guess when it is not the target (hand present)
    top: tuple[tuple[str, float], ...]  # the model's top-3 for the latest frame
    hand_found: bool
    release_hint: bool  # target equals the letter just confirmed: re-form the hand to sign it again
    last_wrong: str | None  # a wrong letter confirmed during this target, for "you signed X"
    time_left_s: float  # until the time-out; inf when disabled
    streak: int
    finished: bool
    countdown_running: bool = True  # False while no hand is in view: the time-out waits for the learner
    paused: bool = False  # the learner is elsewhere (another window): nothing is read or timed
    letter_outcomes: tuple[Outcome | None, ...] = ()  # of the item's letters before letter_index;
    # None: passed over (skipped) before a hand was seen, so not scored


class PracticeSession:
    """Walks a list of drill items letter by letter and scores every target letter as one Attempt."""

    def __init__(
        self,
        items: Sequence[DrillItem],
        start_s: float,
        config: SessionConfig | None = None,
    ) -> None:
        if not items or not all(item.letters for item in items):
            raise ValueError("a practice session needs at least one item, each with at least one letter")
        self.items = tuple(items)
        self.config = config or SessionConfig()
        self.score = Scoreboard()  # score.attempts grows by one per finished target, in order
        self._item_index = 0
        self._letter_index = 0
        self._target_started_s = start_s
        self._now_s = start_s
        self._active_s = 0.0  # of the current target, with a hand in view: what the time-out counts
        self._hand_seen_s: float | None = None  # when a hand was last in view (None: not yet)
        self._hand_seen_for_target = False
        self._outcomes: list[Outcome | None] = []  # of the current item's finished letters
        self._wrong_reads = 0
        self._last_wrong: str | None = None
        self._release_hint = False
        self._smoothed: SmoothedLetter | None = None
        self._rec: Recognition | None = None
        self._paused_s: float | None = None  # when the learner went elsewhere (None: here)

    @property
    def finished(self) -> bool:
        return self._item_index >= len(self.items)

    @property
    def target(self) -> str | None:
        return None if self.finished else self.items[self._item_index].letters[self._letter_index]

    @property
    def paused(self) -> bool:
        return self._paused_s is not None

    def pause(self, t_s: float) -> DrillState:
        """The learner went elsewhere: from t_s nothing is read or timed until `resume`."""
        if self._paused_s is None:
            self._advance(t_s)
            self._paused_s = max(t_s, self._now_s)
        return self.state

    def resume(self, t_s: float) -> DrillState:
        """Back: the target goes on with the time it had left; the time away counts nowhere."""
        if self._paused_s is not None:
            away_s = max(t_s - self._paused_s, 0.0)
            self._paused_s = None
            self._target_started_s += away_s
            if self._hand_seen_s is not None:  # a hand in view when the learner left is in view for its grace
                self._hand_seen_s += away_s
            self._now_s = max(self._now_s, t_s)
        return self.state

    def update(self, smoothed: SmoothedLetter, rec: Recognition | None, t_s: float) -> DrillState:
        """Feeds one smoothed reading (and the raw recognition it came from, for the top-3); ignored while paused."""
        if self._paused_s is not None:
            return self.state
        self._smoothed, self._rec = smoothed, rec
        self._advance(t_s)
        hand_found = rec.hand_found if rec is not None else smoothed.no_hand_ms == 0
        if hand_found:
            self._hand_seen_s, self._hand_seen_for_target = t_s, True
        target = self.target
        if target is not None and target not in MOTION_LETTERS:
            if self._release_hint and smoothed.letter != target:
                self._release_hint = False
            if smoothed.confirmed == target:
                self._finish_target(target, Outcome.CORRECT, t_s)
                return self.state
            if smoothed.confirmed is not None:
                self._wrong_reads += 1
                self._last_wrong = smoothed.confirmed
            elif smoothed.letter == target:
                self._last_wrong = None  # corrected: "you held X" would now contradict "hold it"
        return self.tick(t_s)

    def tick(self, t_s: float) -> DrillState:
        """Advances time without a reading: times the target out once it has had skip_after_s with a hand in view."""
        if self._paused_s is not None:
            return self.state
        self._advance(t_s)
        target, limit_s = self.target, self.config.skip_after_s
        if target is not None and limit_s > 0 and self._active_s >= limit_s:
            self._finish_target(target, Outcome.TIMED_OUT, self._now_s)
        return self.state

    def skip(self, t_s: float) -> DrillState:
        """The learner gave up on the current target."""
        target = self.target
        if target is not None:
            self._finish_target(target, Outcome.SKIPPED, t_s)
        return self.state

    def acknowledge_motion(self, t_s: float) -> DrillState:
        """The learner signed the motion letter (J or Z) the model cannot read; ignored otherwise."""
        target = self.target
        if target is not None and target in MOTION_LETTERS:
            self._finish_target(target, Outcome.CORRECT, t_s)
        return self.state

    def summary(self) -> SessionSummary:
        return self.score.summary()

    @property
    def state(self) -> DrillState:
        s, rec = self._smoothed, self._rec
        target = self.target
        hand_found = rec.hand_found if rec is not None else bool(s and s.no_hand_ms == 0)
        best = s.letter if s and s.letter else (rec.best_letter if rec is not None else None)
        limit_s = self.config.skip_after_s
        return DrillState(
            item=None if self.finished else self.items[self._item_index],
            item_index=self._item_index,
            item_count=len(self.items),
            letter_index=self._letter_index,
            target=target,
            motion_prompt=target in MOTION_LETTERS,
            candidate=s.letter if s else None,
            hold_progress=s.hold_progress if s else 0.0,
            reading_instead=best if hand_found and best != target and target is not None else None,
            top=rec.top if rec is not None and hand_found else (),
            hand_found=hand_found,
            release_hint=self._release_hint,
            last_wrong=self._last_wrong,
            time_left_s=max(limit_s - self._active_s, 0.0) if limit_s > 0 else float("inf"),
            streak=self.score.streak,
            finished=self.finished,
            countdown_running=self._hand_in_view(self._now_s) and self._paused_s is None,
            paused=self._paused_s is not None,
            letter_outcomes=tuple(self._outcomes),
        )

    def _hand_in_view(self, t_s: float) -> bool:
        return self._hand_seen_s is not None and t_s - self._hand_seen_s < HAND_GRACE_S

    def _advance(self, t_s: float) -> None:
        """Moves the clock to t_s; the part of the step within HAND_GRACE_S of the last hand counts to the time-out."""
        if t_s <= self._now_s:
            return
        if self._hand_seen_s is not None:
            self._active_s += max(min(t_s, self._hand_seen_s + HAND_GRACE_S) - self._now_s, 0.0)
        self._now_s = t_s

    def _finish_target(self, target: str, outcome: Outcome, t_s: float) -> None:
        item = self.items[self._item_index]
        scored = self._hand_seen_for_target  # no hand, no try: nothing to score or record
        if scored:
            self.score.add(Attempt(
                letter=target,
                outcome=outcome,
                started_s=self._target_started_s,
                time_s=max(t_s - self._target_started_s, 0.0),
                wrong_reads=self._wrong_reads,
                word=item.word,
            ))
        self._outcomes.append(outcome if scored else None)
        self._letter_index += 1
        if self._letter_index >= len(item.letters):
            self._item_index += 1
            self._letter_index = 0
            self._outcomes = []
        next_target = self.target
        # The smoother re-fires only after the letter changes, so "LL" or "...T" + "T..." needs a release.
        self._release_hint = outcome is Outcome.CORRECT and next_target == target
        self._target_started_s = t_s
        self._now_s = max(self._now_s, t_s)
        self._active_s = 0.0
        self._hand_seen_for_target = False  # only a hand seen while this target is shown counts as a try
        self._wrong_reads = 0
        self._last_wrong = None
