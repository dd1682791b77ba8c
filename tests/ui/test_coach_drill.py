"""End to end: a word drill with a J word on a synthetic clip; and the live view marking a hint's fingers.

No recording of a J was available, so the clip is made from real photos of extra/ (MIT; nothing committed):
an I photo moved across a larger frame so that its little fingertip draws a J (turning as the wrist does in
the hook), then an A and a B photo held still. Every frame goes through the real Recognizer in video mode
(MediaPipe tracking, CNN + landmark model) into the PracticePanel, as the live view delivers them.
"""

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.pipeline.locate import Box
from signcam.pipeline.recognizer import Recognition
from signcam.pipeline.sources import Frame
from signcam.practice.coach import Hint
from signcam.practice.coaching import CoachNote
from signcam.practice.controller import PracticeController
from signcam.ui.coach_overlay import MARK
from signcam.ui.live_view import RecognitionView
from signcam.ui.practice_view import PracticePanel
from tests.ui.conftest import play_into_practice, write_video
from training.motion_clips import stroke_path

FPS = 30
CANVAS = (640, 480)  # w, h: the photos are 320x240, so there is room to move
PHOTOS = {"I": "meyyappan/I/s1_5.jpg", "A": "sarthak2656/A/s1_95.jpg", "B": "vyshu150/B/s1_85.jpg"}
LITTLE_TIP = 20


def _place(photo: np.ndarray, shift: np.ndarray, turn_deg: float = 0.0, about: np.ndarray | None = None):
    """The photo on the canvas, moved by `shift` and turned about `about` (canvas pixels)."""
    matrix = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
    if turn_deg:
        rotation = cv2.getRotationMatrix2D((float(about[0]), float(about[1])), turn_deg, 1.0)
        matrix = np.vstack([rotation, [0, 0, 1]]) @ np.vstack([matrix, [0, 0, 1]])
        matrix = np.float32(matrix[:2])
    return cv2.warpAffine(photo, matrix, CANVAS, borderMode=cv2.BORDER_REPLICATE)


def _jab_clip(shared_data: Path, path: Path) -> Path:
    """I drawing a J (0.5 s still, 0.9 s drawing, 0.3 s still), then A and B held 2 s each."""
    from signcam.pipeline.locate import make_locator

    photos = {k: cv2.imread(str(shared_data / "extra" / v)) for k, v in PHOTOS.items()}
    locator = make_locator("auto", video=False)
    try:
        box = locator.locate(photos["I"])
    finally:
        locator.close()
    assert box is not None and box.landmarks is not None
    offset = np.array([160.0, 60.0])
    tip = box.landmarks[LITTLE_TIP] + offset
    palm = float(np.linalg.norm(box.landmarks[9] - box.landmarks[0]))
    stroke = stroke_path("J", 200) * 1.2 * palm
    frames = [_place(photos["I"], offset)] * (FPS // 2)
    for i in range(int(0.9 * FPS)):
        p = (1 - np.cos(np.pi * i / (0.9 * FPS - 1))) / 2  # speeds up, then slows down
        at = tip + stroke[int(round(p * 199))] - stroke[0]
        frames.append(_place(photos["I"], offset + at - tip, -30.0 * max(0.0, p - 0.5) / 0.5, at))
    frames += [frames[-1]] * (FPS // 3)
    for letter in "AB":
        frames += [_place(photos[letter], offset)] * (2 * FPS)
    return write_video(path, frames, FPS)


def test_word_drill_with_a_j_word_end_to_end(qtbot, shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("mediapipe")
    clip = _jab_clip(shared_data, tmp_path / "jab.avi")
    t = [0.0]
    controller = PracticeController(clock=lambda: t[0], skip_after_s=10.0, rng=random.Random(0))
    panel = PracticePanel(controller)
    qtbot.addWidget(panel)
    controller.set_motion_letters(True)
    assert controller.start_custom_text("jab")
    assert panel.motion_done_action.isEnabled() and "J moves" in panel.feedback_label.text()
    reads, summaries = [], []
    controller.coached.connect(lambda note: reads.append(note.motion_read) if note.motion_read else None)
    controller.finished.connect(summaries.append)
    play_into_practice(controller, clip, t)
    assert len(summaries) == 1 and panel.pages.currentWidget() is panel.summary_page
    summary = summaries[0]
    assert reads == ["J"]  # read from the motion, once; Space was never pressed
    assert (summary.attempts, summary.correct) == (3, 3)


def test_live_view_marks_the_fingers_a_hint_names(qtbot) -> None:
    view = RecognitionView(mirror=False)
    qtbot.addWidget(view)
    view.resize(640 + 250, 480)  # the frame at scale 1 beside the side panel
    points = np.stack([np.full(21, 320.0), np.linspace(400, 100, 21)], 1)  # a straight vertical "hand"
    box = Box(270, 90, 100, 320, side="right", landmarks=points)
    frame = Frame(np.zeros((480, 640, 3), np.uint8), 0, 0.0, "test")
    view.set_result(Recognition(frame, box, None, None, "S", 0.4, (("S", 0.4),)))
    index_tip = points[8]

    def colour_at_tip() -> tuple[int, int, int]:
        pixel = view.grab().toImage().pixelColor(int(index_tip[0]), int(index_tip[1]))
        return pixel.red(), pixel.green(), pixel.blue()

    assert colour_at_tip() != (MARK.red(), MARK.green(), MARK.blue())
    hint = Hint("curl_index", "Curl your index finger", ("index",), -3.0)
    view.set_coach_note(CoachNote("A", (hint,), points))
    assert colour_at_tip() == (MARK.red(), MARK.green(), MARK.blue())
    view.set_coach_note(CoachNote("A"))  # the coach fell quiet: nothing marked
    assert colour_at_tip() != (MARK.red(), MARK.green(), MARK.blue())
