"""Smoother on synthetic probability sequences at 10 fps (100 ms a frame)."""

from signcam.labels import LETTERS
from signcam.pipeline.smoothing import Smoother
from tests.recognition_fakes import one_hot


def feed(smoother: Smoother, letters: str, confidence: float = 0.9, start_s: float = 0.0):
    """One update per character at 100 ms steps; '.' = no hand, lower case = unsure (p=0.3)."""
    states = []
    for i, c in enumerate(letters):
        t = start_s + 0.1 * i
        states.append(smoother.update(None if c == "." else one_hot(c.upper(), confidence if c.isupper() else 0.3), t))
    return states


def test_held_letter_is_stable_then_confirmed_once() -> None:
    smoother = Smoother(LETTERS, window=5, hold_ms=500, min_confidence=0.6)
    states = feed(smoother, "A" * 12)
    assert [s.letter for s in states[:2]] == [None, None]  # needs 3 of 5 votes
    assert all(s.letter == "A" for s in states[2:])
    assert states[2].held_ms == 0 and states[7].held_ms == 500
    assert [i for i, s in enumerate(states) if s.confirmed] == [7]
    assert states[7].confirmed == "A" and states[7].hold_progress == 1.0
    assert states[4].hold_progress == 0.4
    assert states[5].confidence == 0.9 and states[5].top[0] == ("A", 0.9)


def test_single_flicker_does_not_break_hold() -> None:
    smoother = Smoother(LETTERS, window=5, hold_ms=500, min_confidence=0.6)
    states = feed(smoother, "AAAAB" + "A" * 6)
    assert all(s.letter == "A" for s in states[2:])
    assert states[7].held_ms == 500 and states[7].confirmed == "A"


def test_alternating_letters_are_unstable() -> None:
    states = feed(Smoother(LETTERS, window=5, hold_ms=800, min_confidence=0.6), "ABCABCABC")
    assert all(s.letter is None and s.confirmed is None for s in states)


def test_no_hand_clears_letter_and_counts_time() -> None:
    smoother = Smoother(LETTERS, window=5, hold_ms=300, min_confidence=0.6)
    states = feed(smoother, "AAAAAA" + "." * 6)
    assert states[5].letter == "A" and states[5].no_hand_ms == 0
    assert states[6].no_hand_ms == 0 and states[6].letter == "A"  # one missed frame is tolerated
    assert states[9].letter is None and states[9].held_ms == 0
    assert states[11].no_hand_ms == 500


def test_unsure_frames_do_not_vote() -> None:
    states = feed(Smoother(LETTERS, window=5, hold_ms=800, min_confidence=0.6), "aaaaaaa")
    assert all(s.letter is None for s in states)


def test_confirm_refires_after_letter_changes_and_returns() -> None:
    smoother = Smoother(LETTERS, window=3, hold_ms=200, min_confidence=0.6)
    states = feed(smoother, "AAAAAA" + "BBBBBB" + "AAAAAA")
    assert [s.confirmed for s in states if s.confirmed] == ["A", "B", "A"]


def test_reset_forgets_history() -> None:
    smoother = Smoother(LETTERS, window=3, hold_ms=100, min_confidence=0.6)
    feed(smoother, "AAAA")
    smoother.reset()
    assert smoother.update(one_hot("A"), 5.0).letter is None


def test_letter_confidence_and_top3_come_from_one_mean() -> None:
    """The readout and the top-3 never disagree: both are one mean over the stable letter's votes."""
    smoother = Smoother(LETTERS, window=5, hold_ms=0, min_confidence=0.6)
    feed(smoother, "AAA", confidence=0.7)
    last = feed(smoother, "AB", confidence=0.9, start_s=0.3)[-1]
    assert last.letter == "A" and last.top[0] == ("A", last.confidence)
    assert abs(last.confidence - (3 * 0.7 + 0.9) / 4) < 1e-9  # the B frame did not vote for A
    unsure = feed(Smoother(LETTERS, window=5, hold_ms=800, min_confidence=0.6), "aab")[-1]
    assert unsure.letter is None and [name for name, _ in unsure.top[:2]] == ["A", "B"]
