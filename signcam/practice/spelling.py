"""Free spelling: confirmed letters (and J or Z read from the motion) become text; a pause with no hand becomes
one space."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only attributes are read; importing it would pull in the recognition core
    from signcam.pipeline.smoothing import SmoothedLetter


class FreeSpelling:
    """Turns smoother updates into text.

    A space is inserted once per pause (no_hand_ms >= space_after_ms), never at the start and never
    twice in a row, so resting the hand for a minute still gives a single word break.
    """

    def __init__(self, space_after_ms: float = 1200.0) -> None:
        self.space_after_ms = space_after_ms  # a deliberate drop of the hand, longer than a re-grip
        self.text = ""
        self.candidate: str | None = None  # the letter being held now, for the live display
        self.hold_progress = 0.0

    def update(self, smoothed: SmoothedLetter, motion: str | None = None) -> bool:
        """Feeds one smoother update and the motion reader's letter, if it read one; True when the text changed."""
        self.candidate = smoothed.letter
        self.hold_progress = smoothed.hold_progress
        if motion is not None:  # a drawn J or Z: the drawing is the confirmation, nothing to hold
            self.text += motion
            return True
        if smoothed.confirmed is not None:
            self.text += smoothed.confirmed
            return True
        if smoothed.no_hand_ms >= self.space_after_ms and self.text and not self.text.endswith(" "):
            self.text += " "
            return True
        return False

    def backspace(self) -> None:
        self.text = self.text[:-1]

    def clear(self) -> None:
        self.text = ""
