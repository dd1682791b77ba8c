"""What the live view tells a learner when nothing is being read: no hand, a video that ended, a box past
the photo's edge."""

from dataclasses import replace

import numpy as np
from PySide6.QtGui import QColor

from signcam.pipeline.locate import Box
from signcam.pipeline.recognizer import Recognition
from signcam.pipeline.sources import Frame
from signcam.ui.live_view import NO_HAND_HINT, SURE, RecognitionView
from tests.ui.conftest import write_video


def _colours(view: RecognitionView) -> set[tuple[int, int, int]]:
    image = view.grab().toImage()
    return {QColor(image.pixel(x, y)).getRgb()[:3] for x in range(0, image.width(), 2)
            for y in range(0, image.height(), 2)}


def _recognition(image_bgr: np.ndarray, box: Box | None, letter: str | None = "A") -> Recognition:
    return Recognition(Frame(image_bgr, 1, 0.0, "test"), box, np.zeros((28, 28), np.uint8) if box else None,
                       letter if box else None, letter if box else None, 0.9 if box else 0.0,
                       (("A", 0.9), ("B", 0.05), ("C", 0.05)) if box else ())


def test_end_of_video_drops_the_letter_and_greys_the_frame(qtbot, make_window, tmp_path):
    video = write_video(tmp_path / "blue.avi", [np.full((240, 320, 3), (200, 60, 20), np.uint8)] * 10)
    window = make_window(roi="box", loop=False)
    window.resize(1100, 600)
    window.show()
    window.start_source(str(video))
    qtbot.waitUntil(lambda: window.live_view.shown_letter() != "", timeout=5000)  # it was reading
    with qtbot.waitSignal(window.live.source_ended, timeout=5000):
        pass
    view = window.live_view
    assert not view.live
    assert view.shown_letter() == ""
    assert view.state_text() == "End of video"
    centre = view.grab().toImage().pixel(view.width() // 3, view.height() // 2)
    r, g, b, _ = QColor(centre).getRgb()
    assert r == g == b, "the last frame must be shown grey, not in colour as if live"


def test_no_hand_says_what_to_do(qtbot):
    view = RecognitionView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_result(_recognition(np.full((240, 320, 3), 120, np.uint8), None))
    assert view.shown_letter() == "–"
    assert view.state_text() == NO_HAND_HINT == "Show one hand inside the frame"
    view.set_result(_recognition(np.full((240, 320, 3), 120, np.uint8), Box(100, 60, 80, 80)))
    assert view.state_text() == "" and view.shown_letter() == "A"


def test_hand_box_is_clipped_to_the_photo(qtbot):
    view = RecognitionView()
    qtbot.addWidget(view)
    view.resize(900, 400)  # a 320x240 photo scaled to 533x400, with dark margins left and right
    view.set_result(_recognition(np.full((240, 320, 3), 120, np.uint8), Box(-60, -40, 200, 200)))
    image = view.grab().toImage()
    frame_w = 900 - 250
    margin_x = (frame_w - 400 * 320 / 240) / 2
    sure = SURE.getRgb()[:3]
    in_margin = {QColor(image.pixel(x, y)).getRgb()[:3] for x in range(0, int(margin_x) - 2)
                 for y in range(0, 400, 3)}
    in_photo = {QColor(image.pixel(x, y)).getRgb()[:3] for x in range(int(margin_x), frame_w // 2)
                for y in range(0, 400, 3)}
    assert sure in in_photo, "the box is drawn on the photo"
    assert sure not in in_margin, "the box must not spill into the dark margin"


def test_new_letter_shows_settling_not_a_question_mark(qtbot):
    """Issue 32: just after a new letter the panel said "?" and "not sure" beside a 99% bar and "A 99%" in the
    top-3; until the smoother settles it shows the candidate greyed, "settling…"."""
    from tests.practice_fakes import Stream

    view = RecognitionView()
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.set_threshold(0.6)
    stream = Stream()
    image = np.full((240, 320, 3), 120, np.uint8)
    rec = stream.recognition("A", 0.99, t_s=0.0)
    assert rec.letter is None and rec.top[0] == ("A", 0.99)  # the smoother has one vote of the three it needs
    view.set_result(replace(rec, frame=Frame(image, 1, 0.0, "test")))
    assert (view.shown_letter(), view.caption(), view.settling) == ("A", "settling…", True)
    view.grab()  # paints without error
    for i in range(1, 3):
        rec = stream.recognition("A", 0.99, t_s=0.1 * i)
    view.set_result(replace(rec, frame=Frame(image, 3, 0.2, "test")))
    assert (view.shown_letter(), view.caption(), view.settling) == ("A", "confidence", False)
    unsure = Stream().recognition(None, t_s=0.0)  # best guess E at 40%: below the threshold, truly unsure
    view.set_result(replace(unsure, frame=Frame(image, 4, 0.3, "test")))
    assert (view.shown_letter(), view.caption()) == ("?", "not sure")
