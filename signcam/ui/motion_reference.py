"""The signing drill's reference for J and Z: the reading drill's moving hand (HandStage), played in a loop.

A still photo cannot show J or Z, which are drawn in the air (issue 32: easy mode said "No picture: motion
letter" while Read fingerspelling already animated both): the hand they start from (I for J, D for Z) travels
along the letter's stroke, the path drawn behind it, then rests a moment at the end before it starts again.
"""

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QWidget

from signcam.practice.receptive import Shown, hand_of, load_hand_index
from signcam.ui.receptive_view import HandStage

MOVE_S = 1.8  # the stroke at the reading drill's review pace (0.75 letters/s, 1.5 slots: 2 s), a little brisker
REST_S = 0.8  # the finished path stays up before the next pass, so the whole letter can be read
FRAME_MS = 33  # ~30 frames/s: smooth enough for a 200 px stage, light on a busy CPU


class MotionReference(HandStage):
    """`play(letter)` loops the letter's motion until `stop()`."""

    def __init__(self, side_px: int, parent: QWidget | None = None) -> None:
        super().__init__(load_hand_index(), parent=parent)
        self.setFixedSize(side_px, side_px)
        self.setAccessibleName("Reference hand, moving")
        self._clock = QElapsedTimer()
        self._timer = QTimer(self, interval=FRAME_MS, timeout=self._on_frame)
        self._step: Shown | None = None

    def play(self, letter: str, mirrored: bool = False) -> None:
        if self._step is None or self._step.letter != letter or mirrored != self.mirrored:
            self._step = Shown(letter, hand_of(letter), 0, 0.0, MOVE_S, motion=True)
            self.mirrored = mirrored
            self._clock.start()
        self.setAccessibleDescription(f"{letter}: the hand draws the letter in the air")
        self._timer.start()
        self._on_frame()

    def stop(self) -> None:
        self._timer.stop()
        self._step = None
        self.show_step(None)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def _on_frame(self) -> None:
        t_s = (self._clock.elapsed() / 1000.0) % (MOVE_S + REST_S)
        self.show_step(self._step, min(t_s / MOVE_S, 1.0))
