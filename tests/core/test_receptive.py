"""The reading drill without Qt: timelines, per-letter scoring, pace up and down, history, word choice."""

import random
import sqlite3
from datetime import datetime

import pytest

from signcam.practice.history import History
from signcam.practice.receptive import (
    PACE_MAX,
    PACE_MIN,
    DrillState,
    ReceptiveConfig,
    ReceptiveDrill,
    WordSource,
    load_hand_index,
    missed_positions,
    weighted_words,
)

HANDS = {letter: [f"{letter}-{k}.jpg" for k in range(3)] for letter in "ABCDEFGHIKLMNOPQRSTUVWXY"}


def _drill(history=None, **config) -> ReceptiveDrill:
    return ReceptiveDrill(HANDS, history=history, config=ReceptiveConfig(**config), rng=random.Random(1),
                          clock=lambda: datetime(2026, 3, 1, 12).timestamp())


def test_timeline_paces_letters_after_the_pause():
    drill = _drill(start_pace=2.0, pause_s=0.8)
    drill.start(["cab"])
    steps = drill.sequence()
    assert [s.letter for s in steps] == ["C", "A", "B"]
    assert [s.start_s for s in steps] == pytest.approx([0.8, 1.3, 1.8])
    assert all(s.duration_s == pytest.approx(0.5) for s in steps)


def test_double_letter_slides_the_same_hand_and_signers_vary_otherwise():
    drill = _drill()
    drill.start(["hello"])
    steps = drill.sequence()
    assert [s.double for s in steps] == [False, False, False, True, False]
    assert steps[3].signer == steps[2].signer  # one hand slides
    varied = _drill()
    varied.start(["abababab"])
    signers = [s.signer for s in varied.sequence()]
    assert all(a != b for a, b in zip(signers, signers[1:], strict=False)) or len(set(signers)) > 1


def test_j_and_z_are_their_start_hands_moving_and_take_longer():
    drill = _drill(start_pace=2.0, motion_slots=1.5)
    drill.start(["jaz"])
    steps = drill.sequence()
    assert [(s.letter, s.hand, s.motion) for s in steps] == [("J", "I", True), ("A", "A", False), ("Z", "D", True)]
    assert steps[0].duration_s == pytest.approx(0.75)


def test_missed_letters_align_so_a_dropped_letter_costs_one():
    assert missed_positions("HELLO", "HELO") == (3,)
    assert missed_positions("HELLO", "HELLO") == ()
    assert missed_positions("CAT", "CUT") == (1,)
    assert missed_positions("CAT", "") == (0, 1, 2)


def test_right_words_raise_the_pace_after_a_run_and_a_miss_lowers_it():
    drill = _drill(start_pace=2.0, pace_step=0.5, rise_after=2)
    drill.start(["cat", "dog", "sun", "map", "cup"])
    paces = []
    for typed in ("cat", "dog", "sun", "mop"):
        result = drill.check(typed)
        paces.append((result.pace, result.new_pace))
        drill.next_word()
    assert paces == [(2.0, 2.0), (2.0, 2.5), (2.5, 2.5), (2.5, 2.0)]
    assert drill.summary().best_pace == 2.5


def test_pace_stays_between_one_and_six():
    drill = _drill(start_pace=1.0)
    drill.start(["a", "b"])
    drill.check("x")
    assert drill.pace == PACE_MIN
    fast = _drill(start_pace=6.0, rise_after=1)
    fast.start(["a"])
    fast.check("a")
    assert fast.pace == PACE_MAX


def test_slower_lowers_the_pace_and_counts_as_a_replay():
    drill = _drill(start_pace=3.0, pace_step=0.5)
    drill.start(["cat"])
    steps = drill.slower()
    assert drill.pace == 2.5 and steps[1].start_s - steps[0].start_s == pytest.approx(0.4)
    drill.replay()
    assert drill.check("cat").replays == 2


def test_review_shows_only_the_missed_letters_slowly():
    drill = _drill(review_pace=0.75)
    drill.start(["hello"])
    assert drill.review() == []
    drill.check("helo")
    review = drill.review()
    assert [s.letter for s in review] == ["L"] and review[0].duration_s == pytest.approx(1 / 0.75)
    assert review[0].start_s == 0.0


def test_check_only_while_reading_and_drill_ends_after_last_word():
    drill = _drill()
    assert drill.check("x") is None
    assert not drill.start(["123", "  "])  # nothing to spell
    drill.start(["ab"])
    drill.check("ab")
    assert drill.check("ab") is None  # already answered
    assert not drill.next_word()
    assert drill.state is DrillState.DONE and drill.word == ""


def test_readings_are_stored_apart_from_signing_attempts(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    drill = _drill(history, start_pace=2.0)
    drill.start(["hello", "cat"], WordSource.CUSTOM)
    drill.check("helo")
    drill.next_word()
    drill.check("cat")
    assert history.count() == 0  # the signing drills' table is untouched
    stats = history.reading_letter_stats()
    assert (stats["L"].attempts, stats["L"].correct) == (2, 1)
    [day] = history.reading_days()
    assert (day.day, day.words, day.right, day.best_pace) == ("2026-03-01", 2, 1, 1.5)
    with sqlite3.connect(tmp_path / "h.sqlite3") as other:
        assert other.execute("SELECT source FROM readings").fetchall() == [("custom",), ("custom",)]
    history.close()

    reopened = History(tmp_path / "h.sqlite3")
    assert _drill(reopened).pace == 1.5  # the next drill goes on at the last pace shown
    reopened.close()


def test_weakest_words_favour_misread_letters():
    rng = random.Random(0)
    weights = {c: 0.05 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"} | {"Q": 1.0, "U": 1.0}
    picks = [weighted_words(["quit", "cat", "dog", "map", "sun", "hat"], weights, 1, rng)[0] for _ in range(200)]
    assert picks.count("QUIT") > 100
    assert len(weighted_words(["a", "b"], weights, 5, rng)) == 2


def test_weakest_items_come_from_this_drills_history(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    drill = _drill(history, words_per_drill=1)
    drill.start(["xyz"] * 6)
    for _ in range(6):
        drill.check("abc")
        drill.next_word()
    picks = [drill.weakest_items(["xyz", "abc", "def", "ghi", "klm", "nop"])[0] for _ in range(40)]
    assert picks.count("XYZ") > 20
    history.close()


def test_bundled_hand_index_has_several_signers_per_static_letter():
    index = load_hand_index()
    assert set(index) == set(HANDS)
    assert all(len(files) >= 2 for files in index.values())
