"""Scripted recognitions for practice-mode tests: what the recognizer would emit, without a model."""

from collections.abc import Callable

from signcam.locate import Box
from signcam.recognizer import Recognition
from signcam.smoothing import SmoothedLetter, Smoother

FRAME_S = 0.1  # 10 recognitions per second, about what the app's worker delivers on a slow CPU
HOLD_MS = 750.0  # between two frame times, so float rounding cannot move a confirm by one frame
UNSURE_TOP = (("E", 0.40), ("S", 0.30), ("A", 0.20))


def recognition(letter: str | None, confidence: float = 0.9, hand: bool = True) -> Recognition:
    """A Recognition for `letter`; letter None with a hand is an unsure reading (best guess E)."""
    if not hand:
        return Recognition(None, None, None, None, None, 0.0, ())
    box = Box(10, 10, 100, 100, side="right")
    if letter is None:
        return Recognition(None, box, None, None, "E", 0.40, UNSURE_TOP)
    runners_up = [c for c in "STA" if c != letter][:2]
    top = ((letter, confidence), (runners_up[0], (1 - confidence) * 0.6), (runners_up[1], (1 - confidence) * 0.3))
    return Recognition(None, box, None, letter, letter, confidence, top)


class Script:
    """Feeds recognitions at FRAME_S intervals through a real Smoother into `consume(smoothed, rec, t_s)`."""

    def __init__(self, consume: Callable[[SmoothedLetter, Recognition, float], object]) -> None:
        self.consume = consume
        self.smoother = Smoother(hold_ms=HOLD_MS)
        self.t = 0.0

    def hold(self, letter: str | None, seconds: float, hand: bool = True) -> None:
        """One frame now and every FRAME_S after, round(seconds / FRAME_S) frames in all."""
        for _ in range(round(seconds / FRAME_S)):
            rec = recognition(letter, hand=hand)
            self.consume(self.smoother.update_from(rec, self.t), rec, self.t)
            self.t = round(self.t + FRAME_S, 6)

    def sequence(self, letters: str) -> None:
        """One frame per character; '.' is a frame with no hand."""
        for c in letters:
            self.hold(None if c == "." else c, FRAME_S, hand=c != ".")
