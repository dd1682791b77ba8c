"""Scripted recognitions for practice-mode tests: what the recognizer would emit, without a model."""

from collections.abc import Callable

import numpy as np

from signcam.labels import LETTERS
from signcam.pipeline.locate import Box
from signcam.pipeline.recognizer import Recognition
from signcam.pipeline.smoothing import SmoothedLetter, Smoother

FRAME_S = 0.1  # 10 recognitions per second, about what the app's worker delivers on a slow CPU
HOLD_MS = 750.0  # between two frame times, so float rounding cannot move a confirm by one frame
UNSURE_TOP = (("E", 0.40), ("S", 0.30), ("A", 0.20))


def top_of(letter: str | None, confidence: float = 0.9) -> tuple[tuple[str, float], ...]:
    """A reading's top-3: `letter` then two runners-up; letter None is an unsure reading (best guess E)."""
    if letter is None:
        return UNSURE_TOP
    runners_up = [c for c in "STA" if c != letter][:2]
    return (letter, confidence), (runners_up[0], (1 - confidence) * 0.6), (runners_up[1], (1 - confidence) * 0.3)


def probs_of(letter: str | None, confidence: float = 0.9) -> np.ndarray:
    """The (24,) probabilities whose top-3 is top_of(letter, confidence)."""
    top = top_of(letter, confidence)
    probs = np.full(len(LETTERS), (1.0 - sum(p for _, p in top)) / (len(LETTERS) - len(top)))
    for name, p in top:
        probs[LETTERS.index(name)] = p
    return probs


def recognition(letter: str | None, confidence: float = 0.9, hand: bool = True) -> Recognition:
    """A still image's Recognition for `letter` (no smoother state); letter None with a hand is unsure."""
    if not hand:
        return Recognition(None, None, None, None, None, 0.0, ())
    top = top_of(letter, confidence)
    return Recognition(None, Box(10, 10, 100, 100, side="right"), None, letter, top[0][0], top[0][1], top)


class Stream:
    """A live stream of scripted readings through a real Smoother, as the recognizer makes them: every
    Recognition carries the smoothed letter, confidence, top-3 and hold state."""

    def __init__(self, hold_ms: float = HOLD_MS, threshold: float = 0.6) -> None:
        self.smoother = Smoother(LETTERS, window=5, hold_ms=hold_ms, min_confidence=threshold)

    def recognition(self, letter: str | None, confidence: float = 0.9, hand: bool = True,
                    t_s: float = 0.0) -> Recognition:
        smoothed = self.smoother.update(probs_of(letter, confidence) if hand else None, t_s)
        box = Box(10, 10, 100, 100, side="right") if hand else None
        best, p = smoothed.top[0] if smoothed.top else (None, 0.0)
        return Recognition(None, box, None, smoothed.letter, best, p, smoothed.top, {}, smoothed)


class Script:
    """Feeds readings at FRAME_S intervals through a Stream into `consume(smoothed, rec, t_s)`."""

    def __init__(self, consume: Callable[[SmoothedLetter, Recognition, float], object]) -> None:
        self.consume = consume
        self.stream = Stream()
        self.t = 0.0

    def hold(self, letter: str | None, seconds: float, hand: bool = True) -> None:
        """One frame now and every FRAME_S after, round(seconds / FRAME_S) frames in all."""
        for _ in range(round(seconds / FRAME_S)):
            rec = self.stream.recognition(letter, hand=hand, t_s=self.t)
            self.consume(rec.smoothed, rec, self.t)
            self.t = round(self.t + FRAME_S, 6)

    def sequence(self, letters: str) -> None:
        """One frame per character; '.' is a frame with no hand."""
        for c in letters:
            self.hold(None if c == "." else c, FRAME_S, hand=c != ".")
