"""Smoother on synthetic prediction sequences at 10 fps (100 ms a frame)."""

import numpy as np

from signcam.locate import Box
from signcam.recognizer import Recognition
from signcam.smoothing import Smoother
from signcam.sources import Frame


def feed(smoother: Smoother, letters: str, confidence: float = 0.9, start_s: float = 0.0):
    """One update per character at 100 ms steps; '.' = no hand, lower case = unsure (p=0.3)."""
    states = []
    for i, c in enumerate(letters):
        t = start_s + 0.1 * i
        if c == ".":
            states.append(smoother.update(None, 0.0, t, hand_found=False))
        else:
            states.append(smoother.update(c.upper(), confidence if c.isupper() else 0.3, t))
    return states


def test_held_letter_is_stable_then_confirmed_once() -> None:
    smoother = Smoother(window=5, hold_ms=500)
    states = feed(smoother, "A" * 12)
    assert [s.letter for s in states[:2]] == [None, None]  # needs 3 of 5 votes
    assert all(s.letter == "A" for s in states[2:])
    assert states[2].held_ms == 0 and states[7].held_ms == 500
    assert [i for i, s in enumerate(states) if s.confirmed] == [7]
    assert states[7].confirmed == "A" and states[7].hold_progress == 1.0
    assert states[4].hold_progress == 0.4
    assert states[5].confidence == 0.9


def test_single_flicker_does_not_break_hold() -> None:
    smoother = Smoother(window=5, hold_ms=500)
    states = feed(smoother, "AAAAB" + "A" * 6)
    assert all(s.letter == "A" for s in states[2:])
    assert states[7].held_ms == 500 and states[7].confirmed == "A"


def test_alternating_letters_are_unstable() -> None:
    states = feed(Smoother(window=5), "ABCABCABC")
    assert all(s.letter is None and s.confirmed is None for s in states)


def test_no_hand_clears_letter_and_counts_time() -> None:
    smoother = Smoother(window=5, hold_ms=300)
    states = feed(smoother, "AAAAAA" + "." * 6)
    assert states[5].letter == "A" and states[5].no_hand_ms == 0
    assert states[6].no_hand_ms == 0 and states[6].letter == "A"  # one missed frame is tolerated
    assert states[9].letter is None and states[9].held_ms == 0
    assert states[11].no_hand_ms == 500


def test_unsure_frames_do_not_vote() -> None:
    states = feed(Smoother(window=5, min_confidence=0.6), "aaaaaaa")
    assert all(s.letter is None for s in states)


def test_confirm_refires_after_letter_changes_and_returns() -> None:
    smoother = Smoother(window=3, hold_ms=200)
    states = feed(smoother, "AAAAAA" + "BBBBBB" + "AAAAAA")
    assert [s.confirmed for s in states if s.confirmed] == ["A", "B", "A"]


def test_reset_forgets_history() -> None:
    smoother = Smoother(window=3, hold_ms=100)
    feed(smoother, "AAAA")
    smoother.reset()
    assert smoother.update("A", 0.9, 5.0).letter is None


def test_update_from_recognition_uses_frame_time() -> None:
    smoother = Smoother(window=1, hold_ms=0)
    frame = Frame(np.zeros((2, 2, 3), np.uint8), 0, 12.5, "test")
    rec = Recognition(frame, Box(0, 0, 2, 2), None, None, "K", 0.7, (("K", 0.7),), {})
    state = smoother.update_from(rec)
    assert state.letter == "K" and state.confirmed == "K"
    no_hand = Recognition(frame, None, None, None, None, 0.0, (), {})
    assert smoother.update_from(no_hand, t_s=13.0).letter is None
