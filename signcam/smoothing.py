"""Temporal smoothing of per-frame predictions: a stable letter, hold-to-confirm, and no-hand time.

A pure state machine (no clocks, no threads): the caller passes each frame's prediction and
timestamp, so tests drive it with synthetic sequences and video files replay deterministically.

Rules, per update:
- The last `window` updates vote. An update votes for its letter when a hand was found, the letter
  is not None and its confidence is >= `min_confidence`; no-hand and unsure frames vote for nothing.
- The stable letter is the one with more than half of the window's votes (counted against the full
  window size, so a letter needs window // 2 + 1 agreeing frames, also right after a reset). So a
  single flickering or missed frame does not break a held letter, and nothing shows until the
  prediction has settled. Its confidence is the mean confidence of its votes.
- `held_ms` runs from the update where the letter became stable; `confirmed` carries the letter on the
  one update where `held_ms` first reaches `hold_ms` and fires again only after the stable letter
  changed or went away (practice mode counts a letter as signed then).
- `no_hand_ms` runs from the first update of the current no-hand run; 0 while a hand is seen.

Usage:
    smoother = Smoother(window=5, hold_ms=800)
    state = smoother.update_from(recognizer.step(frame))
"""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from signcam.recognizer import Recognition


@dataclass(frozen=True)
class SmoothedLetter:
    letter: str | None  # stable letter over the recent window; None if no hand / unsure / unstable
    confidence: float  # mean probability of that letter over its votes in the window
    held_ms: float  # how long `letter` has been the stable letter (0 if None)
    hold_progress: float  # held_ms / hold_ms clipped to [0, 1]
    confirmed: str | None  # the letter on the one update where held_ms first reaches hold_ms; else None
    no_hand_ms: float  # how long no hand has been seen (0 while a hand is seen)


class Smoother:
    def __init__(self, window: int = 5, hold_ms: float = 800.0, min_confidence: float = 0.6):
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if hold_ms < 0:
            raise ValueError(f"hold_ms must be >= 0, got {hold_ms}")
        self.window = window
        self.hold_ms = hold_ms
        self.min_confidence = min_confidence
        self.reset()

    def reset(self) -> None:
        """Forget everything (new practice prompt, new source)."""
        self._votes: deque[tuple[str, float] | None] = deque(maxlen=self.window)
        self._stable: str | None = None
        self._stable_since_s = 0.0
        self._confirmed = False
        self._no_hand_since_s: float | None = None

    def update(self, letter: str | None, confidence: float, t_s: float, hand_found: bool = True) -> SmoothedLetter:
        """Add one frame's prediction (its top-1 letter, that letter's probability, its time)."""
        votes = hand_found and letter is not None and confidence >= self.min_confidence
        self._votes.append((letter, confidence) if votes else None)
        if hand_found:
            self._no_hand_since_s = None
        elif self._no_hand_since_s is None:
            self._no_hand_since_s = t_s
        no_hand_ms = 0.0 if self._no_hand_since_s is None else max(0.0, (t_s - self._no_hand_since_s) * 1000.0)

        counts = Counter(v[0] for v in self._votes if v is not None)
        stable, confidence_mean = None, 0.0
        if counts:
            candidate, n = counts.most_common(1)[0]
            if n > self.window // 2:
                stable = candidate
                confidence_mean = sum(v[1] for v in self._votes if v is not None and v[0] == candidate) / n

        if stable != self._stable:
            self._stable, self._stable_since_s, self._confirmed = stable, t_s, False
        if stable is None:
            return SmoothedLetter(None, 0.0, 0.0, 0.0, None, no_hand_ms)

        held_ms = max(0.0, (t_s - self._stable_since_s) * 1000.0)
        progress = 1.0 if self.hold_ms == 0 else min(1.0, held_ms / self.hold_ms)
        confirmed = None
        if not self._confirmed and held_ms >= self.hold_ms:
            self._confirmed = True
            confirmed = stable
        return SmoothedLetter(stable, confidence_mean, held_ms, progress, confirmed, no_hand_ms)

    def update_from(self, rec: Recognition, t_s: float | None = None) -> SmoothedLetter:
        """Update from a Recognition; the time defaults to its frame's timestamp (else now)."""
        if t_s is None:
            t_s = rec.frame.timestamp_s if rec.frame is not None else time.monotonic()
        # This frame's own top-1 probability: `rec.confidence` may already be smoothed over the stream.
        return self.update(rec.best_letter, rec.top[0][1] if rec.top else 0.0, t_s, rec.hand_found)
