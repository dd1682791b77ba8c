"""End to end on a real recording: a signer's Z (and J) from ../shared/data/motion/ accepted in a drill.

The clip is made at test time from the recording's frames (hawkcodesz, MIT; faces are visible, so nothing of it is
committed) and played through the real Recognizer in video mode (live locator, models) into the PracticePanel, as
the live view delivers frames. Skips when shared data is absent.
"""

import random
from pathlib import Path

import cv2
import pytest

from signcam.practice.controller import PracticeController
from signcam.ui.practice_view import PracticePanel
from tests.conftest import need_shared
from tests.ui.conftest import play_into_practice, write_video

FPS = 28  # motion/README: the template capture loop saved about 28 frames a second
# (recording, first frame, last frame): the first marked stroke with the start hand before it and time after it
CLIPS = {"Z": ("frames/hawkcodesz/Z_1", 0, 40), "J": ("frames/hawkcodesz/J_1", 0, 30)}


def _clip(shared_data: Path, letter: str, path: Path) -> Path:
    folder, first, last = CLIPS[letter]
    frames_dir = shared_data / "motion" / folder
    need_shared(frames_dir)
    frames = [cv2.imread(str(p)) for p in sorted(frames_dir.glob("*.jpg"))[first:last + 1]]
    return write_video(path, frames, FPS)


@pytest.mark.parametrize("letter", ["Z", "J"])
def test_a_real_signers_motion_letter_is_accepted_in_a_drill(qtbot, shared_data: Path, tmp_path: Path,
                                                              letter: str) -> None:
    pytest.importorskip("mediapipe")
    clip = _clip(shared_data, letter, tmp_path / f"{letter}.avi")
    t = [0.0]
    controller = PracticeController(clock=lambda: t[0], skip_after_s=10.0, rng=random.Random(0))
    panel = PracticePanel(controller)
    qtbot.addWidget(panel)
    controller.set_motion_letters(True)
    assert controller.start_custom_text(letter.lower())
    summaries = []
    controller.finished.connect(summaries.append)
    play_into_practice(controller, clip, t)
    # Accepted: the one-letter drill ended right, and only the motion reader can confirm a Z or J here (the
    # models never read them, Space was never pressed, and the clip is far shorter than the skip time).
    assert len(summaries) == 1 and panel.pages.currentWidget() is panel.summary_page
    assert (summaries[0].attempts, summaries[0].correct) == (1, 1)
