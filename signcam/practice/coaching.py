"""Coaching during a drill: hints once the model has not read the target for a while, and J/Z by motion.

The drill session decides what is right; this decides what to say when it is not yet. Each recognition goes
to `DrillCoach.update` with the session's state: once the target has gone unread for `after_s` (1.5 s, the
issue's "about 1.5 s": a learner who is still forming the hand needs no advice), the coach
(signcam.practice.coach) names at most two things to change, contrasted with the letter the model reads,
and the note carries the hand's landmarks so the live view can mark the fingers concerned. Advice is
refreshed every `refresh_s`, not every frame, so the words do not flicker while the hand settles. For J and
Z targets every frame's landmarks also go to the MotionReader, and `motion_read` says when it read the target;
once a J or Z target has waited `draw_after_s` (3 s) without a read, `draw_hint` says what to draw and that Space
confirms it (a learner holding the I or D may not know the letter moves, or how).

Usage:
    note = drill_coach.update(state, rec, now)
    if note.motion_read: session.acknowledge_motion(now)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from signcam.labels import MOTION_LETTERS
from signcam.practice import motion
from signcam.practice.coach import Coach, Hint
from signcam.practice.motion import MotionReader
from signcam.practice.pose import FINGER_POINTS, FINGERS
from signcam.store.assets import AssetError, reading_asset

if TYPE_CHECKING:  # attributes only; importing them would pull in torch
    from signcam.pipeline.recognizer import Recognition
    from signcam.practice.session import DrillState

log = logging.getLogger(__name__)

AFTER_S = 1.5
REFRESH_S = 0.5
DRAW_AFTER_S = 3.0  # issue 28: a J or Z target unread this long gets the drawing hint
DRAW_HINTS = {
    "J": "Draw the hook with your little finger, or press Space to confirm you signed J",
    "Z": "Draw the Z with your index finger, or press Space to confirm you signed Z",
}


@dataclass(frozen=True)
class CoachNote:
    """What the panel says and the live view marks after one recognition."""

    target: str | None
    hints: tuple[Hint, ...] = ()
    landmarks: np.ndarray | None = None  # (21, 2) frame pixels of the hand the hints are about
    motion_read: str | None = None  # "J" | "Z" when the reader just read the target motion letter
    draw_hint: str | None = None  # what to draw, once a J or Z target has gone unread for DRAW_AFTER_S

    @property
    def fingers(self) -> tuple[str, ...]:
        """The fingers the hints concern, thumb to little finger, each once."""
        named = {f for h in self.hints for f in h.fingers}
        return tuple(f for f in FINGERS if f in named)

    def finger_points(self) -> list[np.ndarray]:
        """Per finger concerned, its (5, 2) polyline from the wrist to the tip in frame pixels."""
        if self.landmarks is None:
            return []
        return [self.landmarks[[0, *FINGER_POINTS[f]]] for f in self.fingers]


class DrillCoach:
    """Turns drill states and recognitions into CoachNotes; Qt-free, driven by explicit times."""

    def __init__(self, coach: Coach | None = None, reader: MotionReader | None = None,
                 after_s: float = AFTER_S, refresh_s: float = REFRESH_S, draw_after_s: float = DRAW_AFTER_S) -> None:
        self.problem = ""  # a damaged bundled file, in words, and what is off because of it ("" when all is well)
        self.coach: Coach | None = None
        self.reader: MotionReader | None = reader
        try:
            self.coach = coach or Coach()
        except AssetError as e:  # no templates: no hints, and no J/Z (the reader stands on the templates)
            self.problem = f"{e}. Coaching hints and J/Z by motion are off until then."
        if self.coach is not None and self.reader is None:
            try:
                with reading_asset(motion.MODEL_PATH):
                    self.reader = MotionReader(self.coach.templates)
            except AssetError as e:  # the learned model is the only J/Z reader: Space still confirms them
                self.problem = f"{e}. J and Z are not read from motion until then: Space confirms them in drills."
        self.problem = self.problem or (self.coach.problem if self.coach is not None else "")
        if self.problem:
            log.warning(self.problem)
        self.after_s = after_s
        self.refresh_s = refresh_s
        self.draw_after_s = draw_after_s
        self._target: str | None = None
        self._target_since_s = 0.0
        self._unread_since_s = 0.0
        self._advised_s = -np.inf
        self._hints: tuple[Hint, ...] = ()

    def forget(self) -> None:
        """Treat the current target as new at the next update (the learner was away): its clock and motion restart."""
        self._target = None

    def update(self, state: DrillState, rec: Recognition | None, t_s: float) -> CoachNote:
        target = state.target
        if target != self._target:  # a new target: start its clock and forget the last one's advice
            self._target, self._unread_since_s, self._advised_s, self._hints = target, t_s, -np.inf, ()
            self._target_since_s = t_s
            if self.reader is not None:
                self.reader.reset()
        landmarks = rec.box.landmarks if rec is not None and rec.box is not None else None
        if target is None or self.coach is None:
            return CoachNote(target)
        motion_read = draw_hint = None
        if target in MOTION_LETTERS and self.reader is not None:
            read = self.reader.update(t_s, landmarks)
            motion_read = read if read == target else None
            if motion_read is None and t_s - self._target_since_s >= self.draw_after_s:
                draw_hint = DRAW_HINTS[target]
        if state.candidate == target or landmarks is None:
            self._unread_since_s, self._hints = t_s, ()  # read (or no hand): the clock starts again
        elif t_s - self._unread_since_s >= self.after_s and t_s - self._advised_s >= self.refresh_s:
            box = rec.box  # not None: it has landmarks
            self._hints = self.coach.advise(target, landmarks, instead=state.reading_instead,
                                            world_xyz=box.world_landmarks, side=box.side).hints
            self._advised_s = t_s
        return CoachNote(target, self._hints, landmarks if self._hints else None, motion_read, draw_hint)
