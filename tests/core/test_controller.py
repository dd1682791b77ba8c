"""The practice controller without Qt: it counts what the recognizer's smoother confirmed, feedback never
contradicts itself, a broken streak is explained, every attempt is recorded once."""

import random

from signcam.practice.controller import PracticeController, PracticeMode
from signcam.practice.history import History
from tests.practice_fakes import FRAME_S, Stream, recognition


class Clock:
    """The controller's clock, and the recognizer's stream the test feeds on the same time line."""

    def __init__(self, threshold: float = 0.6) -> None:
        self.t = 0.0
        self.stream = Stream(threshold=threshold)

    def __call__(self) -> float:
        return self.t


def _controller(tmp_path, threshold: float = 0.6) -> tuple[PracticeController, Clock, Stream]:
    clock = Clock(threshold)
    history = History(tmp_path / "history.sqlite3")
    controller = PracticeController(history, clock=clock, wall_clock=lambda: 1.0e9, rng=random.Random(0))
    return controller, clock, clock.stream


def _feed(controller: PracticeController, clock: Clock, letter: str | None, seconds: float,
          confidence: float = 0.9) -> None:
    for _ in range(round(seconds / FRAME_S)):
        controller.on_recognition(clock.stream.recognition(letter, confidence, t_s=clock.t))
        clock.t = round(clock.t + FRAME_S, 6)


def test_the_recognizers_smoothed_reading_decides_what_counts(tmp_path):
    controller, clock, stream = _controller(tmp_path, threshold=0.6)
    controller.start_custom_text("aa")
    _feed(controller, clock, "A", 1.1, confidence=0.7)
    assert controller.state.letter_index == 1  # 0.7 >= 0.6: held and confirmed
    stream.smoother.min_confidence = 0.8  # what a new threshold does to the recognizer's one smoother
    _feed(controller, clock, None, 0.3)  # release for the double letter
    _feed(controller, clock, "A", 2.0, confidence=0.7)
    assert controller.state.letter_index == 1 and controller.state.candidate is None  # 0.7 < 0.8 now
    controller.on_recognition(recognition("A"))  # a still photo's reading is not practice
    assert controller.state.letter_index == 1
    controller.history.close()


def test_you_held_goes_once_the_target_is_held(tmp_path):
    controller, clock, _ = _controller(tmp_path)
    controller.start_custom_text("a")
    _feed(controller, clock, "Y", 1.1)
    assert controller.state.last_wrong == "Y"
    _feed(controller, clock, "A", 0.4)  # stable A, not yet confirmed
    state = controller.state
    assert state.candidate == "A" and state.last_wrong is None
    controller.history.close()


def test_broken_streak_says_where_and_why(tmp_path):
    controller, clock, _ = _controller(tmp_path)
    controller.start_custom_text("bcd")
    _feed(controller, clock, "Y", 1.1)  # a wrong letter first: B still counts, the streak does not
    _feed(controller, clock, "B", 1.1)
    _feed(controller, clock, "C", 1.1)
    text = controller.stats_text(controller.state)
    assert text.startswith("Streak 1 (restarted at B: another letter was read first)") and "2/2 right" in text
    assert controller.history.count() == 2
    _feed(controller, clock, "D", 1.1)
    assert controller.mode is PracticeMode.SUMMARY and controller.summary.correct == 3
    assert controller.history.count() == 3  # each attempt written once
    controller.history.close()


def test_changed_fires_and_stop_returns_to_idle(tmp_path):
    controller, clock, _ = _controller(tmp_path)
    seen = []
    controller.changed.connect(lambda: seen.append(controller.mode))
    controller.start_free_spelling()
    _feed(controller, clock, "H", 1.1)
    assert controller.spelling.text == "H"
    controller.stop()
    assert seen[0] is PracticeMode.FREE and seen[-1] is PracticeMode.IDLE and controller.spelling is None
    controller.history.close()
