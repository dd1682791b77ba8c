"""Practice logic driven by scripted smoother streams: right, wrong, flicker, no hand, time-outs, skip."""

import random
import subprocess
import sys

import pytest

from signcam.labels import LETTERS
from signcam.practice import (
    DrillItem,
    FreeSpelling,
    LetterOrder,
    MotionPolicy,
    Outcome,
    PracticeSession,
    SessionConfig,
    custom_drill,
    letter_drill,
    letter_weights,
    load_words,
    word_drill,
)
from signcam.practice.scoring import LetterStats
from tests.practice_fakes import Script


def _script(session: PracticeSession) -> Script:
    return Script(session.update)


def test_right_letters_spell_a_word():
    session = PracticeSession([DrillItem(tuple("CAT"), "CAT")], start_s=0.0)
    script = _script(session)
    script.hold("C", 1.1)  # stable on the 3rd frame (0.2 s), confirmed 0.8 s later
    assert session.target == "A"
    script.hold("A", 1.1)
    script.hold("T", 1.1)
    assert session.finished and session.state.finished and session.state.target is None
    attempts = session.score.attempts
    assert [a.letter for a in attempts] == list("CAT")
    assert all(a.outcome is Outcome.CORRECT for a in attempts)
    assert attempts[0].time_s == pytest.approx(1.0)
    assert session.score.streak == 3


def test_wrong_letter_counts_as_wrong_read_and_shows_what_model_reads():
    session = PracticeSession([DrillItem(("U",))], start_s=0.0)
    script = _script(session)
    script.hold("R", 1.1)
    state = session.state
    assert state.target == "U" and not state.finished
    assert state.reading_instead == "R" and state.last_wrong == "R"
    assert [c for c, _ in state.top] == ["R", "S", "T"]
    script.hold("U", 1.1)
    (attempt,) = session.score.attempts
    assert attempt.correct and attempt.wrong_reads == 1
    assert session.score.streak == 0  # right in the end, but not fluent


def test_flicker_between_letters_never_confirms():
    session = PracticeSession([DrillItem(("A",))], start_s=0.0)
    _script(session).sequence("AS" * 30)
    assert session.target == "A" and session.score.attempts == []


def test_single_flicker_frames_do_not_break_a_hold():
    session = PracticeSession([DrillItem(("A",))], start_s=0.0)
    _script(session).sequence("AAAASAAA.AAAA")
    assert session.finished


def test_no_hand_shows_nothing_to_read_and_pauses_the_countdown():
    session = PracticeSession([DrillItem(("B",))], start_s=0.0)
    _script(session).hold(None, 2.0, hand=False)
    state = session.state
    assert not state.hand_found and state.reading_instead is None and state.top == ()
    assert state.time_left_s == pytest.approx(10.0) and not state.countdown_running


def test_no_camera_never_times_out_or_scores():
    """Issue 23: with no camera the skip timer saved every letter as timed out."""
    session = PracticeSession([DrillItem(("A",)), DrillItem(("B",))], start_s=0.0, config=SessionConfig(5.0))
    assert session.tick(60.0).target == "A" and session.score.attempts == []
    state = session.skip(61.0)  # passed over without a try: moves on, scores nothing
    assert state.target == "B" and session.score.attempts == []


def test_countdown_runs_only_while_a_hand_is_in_view():
    session = PracticeSession([DrillItem(("A",))], start_s=0.0, config=SessionConfig(5.0))
    script = _script(session)
    script.hold("B", 3.0)  # frames 0.0-2.9: 2.9 s counted
    script.hold(None, 10.0, hand=False)  # the first HAND_GRACE_S still counts (a blink), then it waits
    assert session.target == "A" and session.state.time_left_s == pytest.approx(5.0 - 2.9 - 1.0)
    script.hold("B", 2.0)
    (attempt,) = session.score.attempts
    assert attempt.outcome is Outcome.TIMED_OUT


def test_skip_after_a_hand_was_seen_is_scored():
    session = PracticeSession([DrillItem(tuple("AB"), "AB")], start_s=0.0)
    script = _script(session)
    script.hold("C", 0.5)
    session.skip(0.5)
    script.hold(None, 3.0, hand=False)
    session.skip(3.5)  # B: no hand since it was shown 3 s ago
    assert [a.letter for a in session.score.attempts] == ["A"]


def test_unsure_hand_shows_best_guess_and_top3():
    session = PracticeSession([DrillItem(("B",))], start_s=0.0)
    _script(session).hold(None, 0.5)  # hand present, model unsure
    assert session.state.candidate is None
    assert session.state.reading_instead == "E" and len(session.state.top) == 3


def test_time_out_moves_on_after_skip_after_s():
    session = PracticeSession([DrillItem(("A",)), DrillItem(("B",))], start_s=0.0, config=SessionConfig(5.0))
    script = _script(session)
    script.hold("C", 4.9)  # frames 0.0-4.8
    assert session.tick(4.85).target == "A"
    state = session.tick(5.0)  # the timer, between frames: the hand was seen 0.2 s ago
    assert state.target == "B" and state.time_left_s == pytest.approx(5.0)
    assert session.score.attempts[0].outcome is Outcome.TIMED_OUT


def test_time_out_while_frames_arrive():
    session = PracticeSession([DrillItem(("A",))], start_s=0.0, config=SessionConfig(2.0))
    _script(session).hold("B", 2.5)
    (attempt,) = session.score.attempts
    assert attempt.outcome is Outcome.TIMED_OUT and attempt.time_s == pytest.approx(2.0)
    assert attempt.wrong_reads == 1


def test_time_out_disabled_with_zero():
    session = PracticeSession([DrillItem(("A",))], start_s=0.0, config=SessionConfig(skip_after_s=0))
    assert session.tick(1000.0).target == "A"


def test_manual_skip_records_skip_and_breaks_streak():
    session = PracticeSession([DrillItem(tuple("AB"), "AB"), DrillItem(("C",))], start_s=0.0)
    script = _script(session)
    script.hold("A", 1.1)  # A confirmed at 1.0 s, B shown
    assert session.score.streak == 1
    script.hold("C", 0.5)  # a try at B
    session.skip(3.0)
    assert session.target == "C" and session.score.streak == 0
    assert session.score.attempts[-1].outcome is Outcome.SKIPPED
    assert session.score.attempts[-1].time_s == pytest.approx(2.0)
    assert session.score.attempts[-1].word == "AB"


def test_double_letter_needs_release():
    session = PracticeSession([DrillItem(tuple("LL"), "LL")], start_s=0.0)
    script = _script(session)
    script.hold("L", 2.0)  # held on: the smoother does not fire twice
    assert session.target == "L" and session.state.release_hint
    script.hold(None, 0.3, hand=False)
    assert not session.state.release_hint
    script.hold("L", 1.1)
    assert session.finished


def test_motion_letter_is_acknowledged_by_key_not_by_stream():
    session = PracticeSession([DrillItem(tuple("JA"), "JA")], start_s=0.0)
    _script(session).hold("I", 1.1)  # J starts from I; the model's I must not count
    assert session.state.motion_prompt and session.target == "J"
    assert session.state.last_wrong is None
    session.acknowledge_motion(1.5)
    assert session.target == "A" and session.score.attempts[0].correct
    session.acknowledge_motion(1.6)  # not a motion letter now: ignored
    assert session.target == "A"


def test_summary_scores_accuracy_speed_and_streak():
    session = PracticeSession([DrillItem((c,)) for c in "ABCD"], start_s=0.0)
    script = _script(session)
    script.hold("A", 1.1)  # confirmed at 1.0: 1.0 s
    script.hold("B", 1.5)  # shown at 1.0, stable at 1.3, confirmed at 2.1: 1.1 s
    session.skip(5.0)  # C shown at 2.1: 2.9 s
    script.t = 5.0
    script.hold("D", 1.1)  # confirmed at 6.0: 1.0 s
    summary = session.summary()
    assert (summary.attempts, summary.correct, summary.skipped) == (4, 3, 1)
    assert summary.accuracy == pytest.approx(0.75)
    assert summary.mean_time_s == pytest.approx((1.0 + 1.1 + 1.0) / 3)
    assert summary.letters_per_minute == pytest.approx(60 * 3 / (1.0 + 1.1 + 2.9 + 1.0))
    assert summary.best_streak == 2 and summary.missed == ("C",)
    assert summary.slowest == ()  # 3 letters read right: naming all 3 as "slowest" would say nothing


def test_summary_names_the_slowest_only_among_more_letters():
    session = PracticeSession([DrillItem((c,)) for c in "ABCDE"], start_s=0.0)
    script = _script(session)
    for letter, pause_s in zip("ABCDE", (0.0, 3.0, 0.0, 2.0, 1.0), strict=True):
        script.t += pause_s  # the learner takes this much longer to start the letter
        script.hold(letter, 1.1)
    assert session.summary().slowest == ("B", "D", "E")


def test_session_needs_items():
    with pytest.raises(ValueError, match="at least one item"):
        PracticeSession([], start_s=0.0)


def test_alphabetical_drill_walks_the_static_letters():
    items = letter_drill(LetterOrder.ALPHABETICAL, 25, random.Random(0))
    assert "".join(i.text for i in items) == "".join(LETTERS) + "A"


def test_random_drill_never_repeats_back_to_back():
    letters = [i.text for i in letter_drill(LetterOrder.RANDOM, 500, random.Random(1))]
    assert all(a != b for a, b in zip(letters, letters[1:], strict=False))
    assert set(letters) == set(LETTERS)


def test_weakest_drill_favours_missed_and_slow_letters():
    stats = {c: LetterStats(10, 10, 1.0) for c in LETTERS}
    stats["M"] = LetterStats(10, 2, 1.0)  # often missed
    stats["Q"] = LetterStats(10, 10, 4.0)  # right but slow
    weights = letter_weights(stats)
    assert weights["M"] > weights["Q"] > weights["A"] > 0
    letters = [i.text for i in letter_drill(LetterOrder.WEAKEST, 2000, random.Random(2), weights)]
    assert letters.count("M") > 3 * letters.count("A")


def test_unseen_letters_get_a_middling_weight():
    weights = letter_weights({"A": LetterStats(20, 20, 1.0), "B": LetterStats(20, 0, 0.0)})
    assert weights["A"] < weights["C"] < weights["B"]


def test_weakest_drill_requires_weights():
    with pytest.raises(ValueError, match="weights"):
        letter_drill(LetterOrder.WEAKEST, 3, random.Random(0))


def test_builtin_words_load_and_skip_motion_letters_by_default():
    words = load_words()
    assert len(words) >= 300 and "just" in words and "zoo" in words
    skipped = word_drill(words, len(words), random.Random(0))
    assert not any(set(i.letters) & {"J", "Z"} for i in skipped)
    prompted = word_drill(words, len(words), random.Random(0), MotionPolicy.PROMPT)
    assert any("Z" in i.letters for i in prompted) and len(prompted) == len(words)


def test_load_words_rejects_non_words(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("# comment\ncat\n\nDog\n")
    with pytest.raises(ValueError, match="words.txt:4"):
        load_words(path)


def test_custom_text_drops_non_letters_and_splits_on_spaces():
    items = custom_drill("  Don't panic, 42 Zoë!  ")
    assert [i.word for i in items] == ["DONT", "PANIC", "ZO"]


def test_free_spelling_appends_confirmed_letters_and_one_space_per_pause():
    spelling = FreeSpelling(space_after_ms=1200)
    script = Script(lambda smoothed, rec, t: spelling.update(smoothed))
    script.hold("H", 1.1)
    script.hold("I", 1.1)
    assert spelling.text == "HI" and spelling.candidate == "I"
    script.hold(None, 4.0, hand=False)  # a long rest: still one space
    assert spelling.text == "HI " and spelling.candidate is None
    script.hold("A", 1.1)
    assert spelling.text == "HI A"
    spelling.backspace()
    assert spelling.text == "HI "
    spelling.clear()
    assert spelling.text == ""


def test_free_spelling_short_drop_is_not_a_space():
    spelling = FreeSpelling(space_after_ms=1200)
    script = Script(lambda smoothed, rec, t: spelling.update(smoothed))
    script.hold("H", 1.1)
    script.hold(None, 1.0, hand=False)
    script.hold("I", 1.1)
    assert spelling.text == "HI"


def test_free_spelling_no_space_before_any_letter():
    spelling = FreeSpelling()
    Script(lambda smoothed, rec, t: spelling.update(smoothed)).hold(None, 3.0, hand=False)
    assert spelling.text == ""


def test_practice_controller_and_config_load_without_qt_or_torch():
    code = (
        "import sys, signcam.practice, signcam.practice.history, signcam.practice.controller, signcam.pipeline.config;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'torch')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def test_paused_drill_neither_times_out_nor_counts_the_time_away():
    """Issue 32: a drill kept running while the learner was in the Retrain dialog and recorded a time-out."""
    session = PracticeSession([DrillItem((c,)) for c in "AB"], start_s=0.0, config=SessionConfig(skip_after_s=10.0))
    script = _script(session)
    script.hold("E", 4.0)  # trying: 4 s of the 10 s gone
    state = session.pause(script.t)
    left_s = state.time_left_s
    assert left_s == pytest.approx(6.0, abs=0.15)
    assert state.paused and not state.countdown_running
    for t in range(5, 60):  # a minute elsewhere; the camera still sees a hand (signing B: no letter counts)
        session.update(script.stream.recognition("B", t_s=float(t)).smoothed, None, float(t))
        session.tick(float(t))
    assert session.target == "A" and not session.score.attempts and session.state.time_left_s == left_s
    state = session.resume(60.0)
    assert not state.paused and state.time_left_s == left_s
    script.t = 60.0
    script.hold("A", 1.1)
    attempt = session.score.attempts[0]
    assert attempt.correct and attempt.time_s == pytest.approx(4.0 + 1.0, abs=0.15)  # not a minute
