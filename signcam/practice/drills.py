"""Drill content: single letters (random, alphabetical, weakest first), built-in words, custom text.

J and Z are signed with motion, so the model never reads them. Letter drills and built-in words leave them
out by default (MotionPolicy.SKIP); with MotionPolicy.PROMPT they are in, and the session shows the motion
letter as a prompt that the motion reader (signcam.practice.motion) or a key press confirms. Custom text
always keeps them as prompts: dropping letters from a word the learner typed would practise a different word.
"""

import enum
import random
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from signcam.labels import ALL_LETTERS, LETTERS, MOTION_LETTERS
from signcam.limits import custom_text, split_long_word
from signcam.practice.scoring import LetterStats
from signcam.store.assets_dir import ASSETS_DIR

WORDS_PATH = ASSETS_DIR / "words.txt"


class LetterOrder(enum.Enum):
    RANDOM = "random"
    ALPHABETICAL = "alphabetical"
    WEAKEST = "weakest"  # sampled in proportion to letter_weights() of the learner's history


class MotionPolicy(enum.Enum):
    SKIP = "skip"  # leave out J, Z and words with them
    PROMPT = "prompt"  # keep them; the motion reader or a key press confirms the motion letter


def drill_letters(motion: MotionPolicy = MotionPolicy.SKIP) -> tuple[str, ...]:
    """The letters a letter drill asks for: the 24 static ones, or all 26 with J and Z."""
    return ALL_LETTERS if motion is MotionPolicy.PROMPT else LETTERS


@dataclass(frozen=True)
class DrillItem:
    """One thing to spell: a word, or a single letter (word == "")."""

    letters: tuple[str, ...]  # upper case, A-Z
    word: str = ""

    @property
    def text(self) -> str:
        return self.word or "".join(self.letters)


def load_words(path: Path = WORDS_PATH) -> list[str]:
    """Lower-case words, one per line; blank lines and `#` comments ignored, non-letters rejected."""
    words = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        word = line.strip()
        if not word or word.startswith("#"):
            continue
        if not re.fullmatch(r"[a-z]+", word):
            raise ValueError(f"{path}:{number}: {word!r} is not a lower-case word")
        words.append(word)
    return words


def letter_weights(stats: Mapping[str, LetterStats]) -> dict[str, float]:
    """Sampling weight per letter (J and Z too): higher for letters the learner misses or signs slowly.

    The error rate is Laplace-smoothed ((misses + 1) / (attempts + 2)) so an unseen letter gets a
    middling 0.5 instead of never or always coming up, and a letter that is slow relative to the
    learner's own median gets up to twice the weight. A floor keeps mastered letters in the rotation.
    """
    times = [s.mean_time_s for s in stats.values() if s.correct]
    median_s = statistics.median(times) if times else 0.0
    weights = {}
    for letter in ALL_LETTERS:
        s = stats.get(letter, LetterStats(0, 0, 0.0))
        error = (s.attempts - s.correct + 1) / (s.attempts + 2)
        slowness = min(max(s.mean_time_s / median_s, 0.5), 2.0) if s.correct and median_s > 0 else 1.0
        weights[letter] = 0.05 + error * slowness
    return weights


def letter_drill(
    order: LetterOrder,
    count: int,
    rng: random.Random,
    weights: Mapping[str, float] | None = None,
    motion: MotionPolicy = MotionPolicy.SKIP,
) -> list[DrillItem]:
    """`count` single-letter items; random orders never repeat a letter back to back.

    No back-to-back repeats because the smoother confirms a letter again only after it changed, so
    a repeat would need the learner to drop and re-form the hand, which reads as a glitch.
    """
    alphabet = drill_letters(motion)
    if order is LetterOrder.ALPHABETICAL:
        return [DrillItem((alphabet[i % len(alphabet)],)) for i in range(count)]
    if order is LetterOrder.WEAKEST and weights is None:
        raise ValueError("the weakest-letter drill needs weights (see letter_weights)")
    letters: list[str] = []
    for _ in range(count):
        pool = [c for c in alphabet if not letters or c != letters[-1]]
        pool_weights = [weights[c] for c in pool] if order is LetterOrder.WEAKEST and weights else None
        letters.append(rng.choices(pool, weights=pool_weights)[0])
    return [DrillItem((c,)) for c in letters]


def word_drill(
    words: Sequence[str], count: int, rng: random.Random, motion: MotionPolicy = MotionPolicy.SKIP
) -> list[DrillItem]:
    """`count` distinct words picked at random (fewer if the list is shorter)."""
    pool = [w for w in words if motion is MotionPolicy.PROMPT or not MOTION_LETTERS & set(w.upper())]
    return [DrillItem(tuple(w.upper()), w.upper()) for w in rng.sample(pool, min(count, len(pool)))]


def custom_drill(text: str) -> list[DrillItem]:
    """Items from typed text: whitespace separates words, anything but A-Z is dropped ("don't" -> DONT). Only the
    first MAX_CUSTOM_TEXT_CHARS characters count, and a word over MAX_WORD_LETTERS is split (signcam.limits)."""
    words = (re.sub(r"[^A-Z]", "", chunk) for chunk in custom_text(text)[0].upper().split())
    return [DrillItem(tuple(piece), piece) for w in words if w for piece in split_long_word(w)]
