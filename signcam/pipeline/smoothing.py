"""Temporal smoothing of per-frame probabilities: one stable reading, hold-to-confirm, and no-hand time.

The recognizer runs the app's one Smoother on a stream and puts its `SmoothedLetter` into every
`Recognition`, so the overlay, the readout, the top-3 and practice all show the same numbers. A pure state
machine (no clocks, no threads, no imports from the rest of signcam): the caller passes each frame's
probabilities and timestamp, so tests drive it with synthetic sequences and video files replay
deterministically.

Rules, per update:
- The last `window` updates vote. An update votes for its top-1 letter when a hand was found and that
  letter's probability is >= `min_confidence`; no-hand and unsure frames vote for nothing.
- The stable letter is the one with more than half of the window's votes (counted against the full
  window size, so a letter needs window // 2 + 1 agreeing frames, also right after a reset). So a
  single flickering or missed frame does not break a held letter, and nothing shows until the
  prediction has settled.
- The numbers shown are one mean probability vector: over the stable letter's votes while there is one,
  else over the window's hand frames. Its top-3 is `top`, and the stable letter is its top-1 with
  `confidence` = its mean probability, so the letter, its confidence and the top-3 never disagree.
- `held_ms` runs from the update where the letter became stable; `confirmed` carries the letter on the
  one update where `held_ms` first reaches `hold_ms` and fires again only after the stable letter
  changed or went away (practice mode counts a letter as signed then).
- `no_hand_ms` runs from the first update of the current no-hand run; 0 while a hand is seen.

Usage:
    smoother = Smoother(LETTERS, window=5, hold_ms=800, min_confidence=0.6)  # the builder passes the config's
    state = smoother.update(probs, t_s)        # probs: (24,) or None for no hand
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOP_K = 3  # letters in `top`: what the readout lists under the letter


@dataclass(frozen=True)
class SmoothedLetter:
    letter: str | None  # stable letter over the recent window; None if no hand / unsure / unstable
    confidence: float  # mean probability of that letter over its votes in the window (0 if None)
    held_ms: float  # how long `letter` has been the stable letter (0 if None)
    hold_progress: float  # held_ms / hold_ms clipped to [0, 1]
    confirmed: str | None  # the letter on the one update where held_ms first reaches hold_ms; else None
    no_hand_ms: float  # how long no hand has been seen (0 while a hand is seen)
    top: tuple[tuple[str, float], ...] = ()  # best TOP_K (letter, mean p), see the rules; empty without hands


class Smoother:
    def __init__(self, letters: Sequence[str], *, window: int, hold_ms: float, min_confidence: float):
        """`letters` name the probabilities' columns; the three numbers come from the RecognitionConfig."""
        if window < 1:
            raise ValueError(f"window must be >= 1, got {window}")
        if hold_ms < 0:
            raise ValueError(f"hold_ms must be >= 0, got {hold_ms}")
        self.letters = tuple(letters)
        self.window = window
        self.hold_ms = hold_ms
        self.min_confidence = min_confidence
        self.reset()

    def reset(self) -> None:
        """Forget everything (new source, new locator)."""
        self._frames: deque[tuple[int | None, np.ndarray] | None] = deque(maxlen=self.window)  # (vote, probs)
        self._stable: str | None = None
        self._stable_since_s = 0.0
        self._confirmed = False
        self._no_hand_since_s: float | None = None

    def update(self, probs: np.ndarray | None, t_s: float) -> SmoothedLetter:
        """Add one frame: its (len(letters),) probabilities, or None when no hand was found."""
        vote = None
        if probs is not None:
            probs = np.asarray(probs, np.float64)
            best = int(probs.argmax())
            vote = best if probs[best] >= self.min_confidence else None
        self._frames.append(None if probs is None else (vote, probs))
        if probs is not None:
            self._no_hand_since_s = None
        elif self._no_hand_since_s is None:
            self._no_hand_since_s = t_s
        no_hand_ms = 0.0 if self._no_hand_since_s is None else max(0.0, (t_s - self._no_hand_since_s) * 1000.0)

        hands = [f for f in self._frames if f is not None]
        counts = Counter(v for v, _ in hands if v is not None)
        stable = None
        if counts:
            candidate, n = counts.most_common(1)[0]
            if n > self.window // 2:
                stable = candidate
        shown = [p for v, p in hands if stable is None or v == stable]
        top: tuple[tuple[str, float], ...] = ()
        if shown:
            mean = np.mean(shown, axis=0)  # (len(letters),)
            order = np.argsort(mean)[::-1][:TOP_K]
            top = tuple((self.letters[i], float(mean[i])) for i in order)
        letter = self.letters[stable] if stable is not None else None

        if letter != self._stable:
            self._stable, self._stable_since_s, self._confirmed = letter, t_s, False
        if letter is None:
            return SmoothedLetter(None, 0.0, 0.0, 0.0, None, no_hand_ms, top)

        held_ms = max(0.0, (t_s - self._stable_since_s) * 1000.0)
        progress = 1.0 if self.hold_ms == 0 else min(1.0, held_ms / self.hold_ms)
        confirmed = None
        if not self._confirmed and held_ms >= self.hold_ms:
            self._confirmed = True
            confirmed = letter
        return SmoothedLetter(letter, top[0][1], held_ms, progress, confirmed, no_hand_ms, top)
