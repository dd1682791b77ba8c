"""Practice mode without Qt: drills, the hold-to-confirm drill session, scoring and free spelling.

Everything here is driven by `SmoothedLetter` updates plus explicit times (`t_s`), so scripted
prediction streams test it without a camera, a model or a clock.
"""

from signcam.practice.drills import (
    DrillItem,
    LetterOrder,
    MotionPolicy,
    custom_drill,
    drill_letters,
    letter_drill,
    letter_weights,
    load_words,
    word_drill,
)
from signcam.practice.scoring import Attempt, Outcome, Scoreboard, SessionSummary
from signcam.practice.session import DrillState, PracticeSession, SessionConfig
from signcam.practice.spelling import FreeSpelling

__all__ = [
    "Attempt",
    "DrillItem",
    "DrillState",
    "FreeSpelling",
    "LetterOrder",
    "MotionPolicy",
    "Outcome",
    "PracticeSession",
    "Scoreboard",
    "SessionConfig",
    "SessionSummary",
    "custom_drill",
    "drill_letters",
    "letter_drill",
    "letter_weights",
    "load_words",
    "word_drill",
]
