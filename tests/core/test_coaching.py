"""DrillCoach: quiet while the learner forms the hand, hints after 1.5 s unread, J and Z read from motion."""

import random
import string
from pathlib import Path

import numpy as np
import pytest

from signcam.labels import LETTERS
from signcam.pipeline.locate import Box
from signcam.pipeline.recognizer import Recognition
from signcam.pipeline.smoothing import SmoothedLetter, Smoother
from signcam.practice import (
    DrillItem,
    LetterOrder,
    MotionPolicy,
    PracticeSession,
    drill_letters,
    letter_drill,
    letter_weights,
)
from signcam.practice.coaching import DrillCoach
from tests.core.real_hands import locate_hands
from training.motion_clips import drawn_clip

FRAME_S = 1 / 30


@pytest.fixture(scope="module")
def drill_coach() -> DrillCoach:
    return DrillCoach()


def _rec(points: np.ndarray | None, letter: str | None) -> Recognition:
    if points is None:
        return Recognition(None, None, None, None, None, 0.0, ())
    box = Box(0, 0, 100, 100, side="right", landmarks=points)
    return Recognition(None, box, None, letter, letter, 0.9, ((letter or "S", 0.9),))


def _feed(drill_coach: DrillCoach, session: PracticeSession, points, letter, start_s: float, seconds: float):
    """Frames of one still hand the model reads as `letter`, never confirmed (the coach is under test)."""
    smoother = Smoother(LETTERS, window=5, hold_ms=10_000, min_confidence=0.6)
    notes, t = [], start_s
    while t < start_s + seconds:
        rec = _rec(points, letter)
        probs = None if points is None else np.eye(len(LETTERS))[LETTERS.index(letter or "S")] * 0.9
        state = session.update(smoother.update(probs, t), rec, t)
        notes.append((t, drill_coach.update(state, rec, t)))
        t += FRAME_S
    return notes


def test_hints_come_after_the_target_went_unread_for_a_while(shared_data: Path, drill_coach: DrillCoach) -> None:
    hands = locate_hands(shared_data)
    session = PracticeSession([DrillItem(("T",))], start_s=0.0)
    notes = _feed(drill_coach, session, hands["S"][0], "S", 0.0, 2.5)
    early = [n for t, n in notes if t < 1.5]
    late = [n for t, n in notes if t >= 1.6]
    assert all(not n.hints for n in early)
    assert late and all(n.hints and n.target == "T" for n in late)
    assert all(len(n.hints) <= 2 and "thumb" in n.fingers for n in late)
    assert late[-1].landmarks is not None and len(late[-1].finger_points()) == len(late[-1].fingers)
    assert all(line.shape == (5, 2) for line in late[-1].finger_points())


def test_no_hints_without_a_hand_or_on_a_new_target(shared_data: Path, drill_coach: DrillCoach) -> None:
    hands = locate_hands(shared_data)
    session = PracticeSession([DrillItem(("T",))], start_s=0.0)
    notes = _feed(drill_coach, session, hands["S"][0], "S", 0.0, 2.0)
    assert notes[-1][1].hints
    lost = _feed(drill_coach, session, None, None, 2.0, 0.2)
    assert not lost[-1][1].hints and lost[-1][1].landmarks is None
    other = PracticeSession([DrillItem(("S",))], start_s=3.0)
    fresh = _feed(drill_coach, other, hands["A"][0], "A", 3.0, 0.5)
    assert all(not n.hints for _, n in fresh)


def test_a_drawn_j_confirms_the_motion_target(shared_data: Path, drill_coach: DrillCoach) -> None:
    hands = locate_hands(shared_data)
    session = PracticeSession([DrillItem(tuple("JA"), "JA")], start_s=0.0)
    clip = drawn_clip(hands["I"][0], "J", np.random.default_rng(2), duration_s=0.8)
    read_at = None
    for t, points in zip(clip.times_s, clip.points, strict=True):
        rec = _rec(points, "I")
        state = session.update(SmoothedLetter("I", 0.9, 0.0, 0.0, None, 0.0), rec, float(t))
        note = drill_coach.update(state, rec, float(t))
        if note.motion_read:
            read_at = float(t)
            session.acknowledge_motion(float(t))
    assert read_at is not None and session.target == "A"
    assert session.score.attempts[0].letter == "J" and session.score.attempts[0].correct


@pytest.mark.parametrize(("target", "start", "words"), [("J", "I", "hook with your little finger"),
                                                         ("Z", "D", "Z with your index finger")])
def test_an_unread_motion_target_says_what_to_draw_after_3_s(shared_data: Path, drill_coach: DrillCoach, target: str,
                                                             start: str, words: str) -> None:
    hands = locate_hands(shared_data)
    session = PracticeSession([DrillItem((target, "A"), target + "A")], start_s=0.0)
    notes = _feed(drill_coach, session, hands[start][0], start, 0.0, 3.5)  # the start hand held, never drawn
    assert all(n.draw_hint is None for t, n in notes if t < 2.9)
    late = [n.draw_hint for t, n in notes if t >= 3.0]
    assert late and all(h is not None and words in h and "Space" in h for h in late)
    assert not any(n.motion_read for _, n in notes)


def test_letter_drills_include_j_and_z_when_motion_letters_are_on() -> None:
    walk = letter_drill(LetterOrder.ALPHABETICAL, 26, random.Random(0), motion=MotionPolicy.PROMPT)
    assert "".join(i.text for i in walk) == string.ascii_uppercase
    assert not {"J", "Z"} & set(drill_letters())
    weights = letter_weights({})
    weakest = letter_drill(LetterOrder.WEAKEST, 400, random.Random(1), weights, MotionPolicy.PROMPT)
    assert {"J", "Z"} <= {i.text for i in weakest}
