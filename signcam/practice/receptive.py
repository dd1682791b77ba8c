"""Reading fingerspelling (the receptive drill): signcam spells a word as a sequence of real hands, the learner
types what they read. No camera and no model: only the hand crops in assets/read_hands and the history.

The pace is in letters per second, 1 to 6 (issue 25: fluent fingerspelling runs at about 4-6 letters/s). It rises
one step after a run of right words and falls one step after a miss, so the drill settles at the learner's edge.
Scoring is per letter too: the typed word is aligned with the shown one (difflib), so a dropped letter costs
one letter, not every letter after it, and the missed letters are shown again slowly, beside the reference.

Each word becomes a timeline of `Shown` steps (which letter, which signer, when, for how long); the view only
plays it. J and Z are drawn as motion: the hand they start from (START_POSE: I for J, D for Z) travels along
the letter's stroke, so they take longer than a held letter. The second of a double letter (the two L's of
HELLO) is the same hand with the small slide signers use, so the view can draw it moving.

Usage:
    drill = ReceptiveDrill(load_hand_index(), history=history)
    drill.start(drill.word_list_items(load_words()))      # or custom_items("hello world"), weakest_items(...)
    steps = drill.sequence()                              # the view plays these
    result = drill.check("helo")                          # scored, recorded, pace adjusted
    drill.next_word()
"""

from __future__ import annotations

import difflib
import enum
import json
import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from signcam.labels import START_POSE
from signcam.limits import MAX_WORD_LETTERS, custom_text, split_long_word
from signcam.pipeline.config import Event
from signcam.practice.drills import letter_weights
from signcam.store.assets_dir import ASSETS_DIR


class ReadingHistory(Protocol):
    """What the reading drill needs of its store (practice.history.History has it): the store depends on the
    drill's result type, never the other way round, so the two modules import in one direction only."""

    def last_reading_pace(self) -> float | None: ...

    def reading_letter_stats(self) -> dict: ...

    def record_reading(self, result: ReadResult, at_unix_s: float) -> None: ...

log = logging.getLogger(__name__)

READ_HANDS_DIR = ASSETS_DIR / "read_hands"  # made by training/make_read_hands.py; index.json lists the crops
PACE_MIN, PACE_MAX = 1.0, 6.0  # letters per second (issue 25)


@dataclass(frozen=True)
class ReceptiveConfig:
    """How the drill paces itself; every number has a reason in its comment."""

    start_pace: float = 2.0  # letters/s for a first drill: slow enough to read each hand, fast enough to chain
    pace_step: float = 0.5  # one step up or down: 12 steps from 1 to 6, each a noticeable change
    rise_after: int = 3  # right words in a row before the pace rises (one lucky word proves little)
    review_pace: float = 0.75  # letters/s when missed letters are shown again beside the reference
    pause_s: float = 0.8  # blank before each word: the pause between words a reader relies on
    motion_slots: float = 1.5  # a J or Z lasts this many letter slots: the stroke takes longer than a held shape
    words_per_drill: int = 10  # as the signing word drill (controller.WORDS_PER_DRILL)


class WordSource(enum.Enum):
    WORDS = "words"  # the bundled word list
    CUSTOM = "custom"  # text the learner typed
    WEAKEST = "weakest"  # words rich in the letters this drill's history says the learner misreads


class DrillState(enum.Enum):
    IDLE = "idle"  # nothing started
    READING = "reading"  # a word is shown (or was shown); the learner types it
    ANSWERED = "answered"  # checked: feedback and the missed letters are shown; next_word() goes on
    DONE = "done"  # the last word was answered


@dataclass(frozen=True)
class Shown:
    """One step of a word's timeline: which hand to show, when and how."""

    letter: str  # A-Z
    hand: str  # the static letter whose crops are shown: the letter itself, or I for J and D for Z
    signer: int  # index into the hand index's list for `hand`
    start_s: float  # from the start of the sequence (after the pause)
    duration_s: float
    double: bool = False  # the second of a double letter: the view slides the same hand sideways
    motion: bool = False  # J or Z: the view moves the hand along motion.stroke(letter)

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class ReadResult:
    """One answered word: what was shown, what was typed, and what the pace did."""

    word: str
    typed: str  # upper case, letters only
    missed: tuple[int, ...]  # positions in `word` the learner did not read
    pace: float  # letters/s the word was shown at (last showing, after any "slower")
    new_pace: float  # the pace the next word is shown at
    replays: int  # times the learner asked to see it again
    source: WordSource

    @property
    def correct(self) -> bool:
        return self.typed == self.word

    @property
    def letters_right(self) -> int:
        return len(self.word) - len(self.missed)

    @property
    def missed_letters(self) -> str:
        return "".join(self.word[i] for i in self.missed)


@dataclass(frozen=True)
class ReceptiveSummary:
    words: int
    words_right: int
    letters: int
    letters_right: int
    start_pace: float
    best_pace: float  # the fastest pace at which a word was read right (0 when none was)
    missed: tuple[str, ...]  # letters misread, in order, no repeats


def clean_word(text: str) -> str:
    """Upper-case letters only ("don't" -> DONT): what is shown, and what a typed answer is compared as."""
    return re.sub(r"[^A-Z]", "", text.upper())


def missed_positions(word: str, typed: str) -> tuple[int, ...]:
    """Positions of `word` not matched in `typed`, aligned so one dropped or extra letter costs one letter."""
    matcher = difflib.SequenceMatcher(None, word, typed, autojunk=False)
    matched = {block.a + k for block in matcher.get_matching_blocks() for k in range(block.size)}
    return tuple(i for i in range(len(word)) if i not in matched)


def load_hand_index(folder: Path = READ_HANDS_DIR) -> dict[str, list[str]]:
    """Static letter -> the file names of its hand crops (one per signer), from folder/index.json."""
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return {letter: [entry["file"] for entry in entries] for letter, entries in index["letters"].items()}


def hand_of(letter: str) -> str:
    """The static hand shown for a letter: J starts as I, Z as D (their motion is drawn on top)."""
    return START_POSE.get(letter, letter)


def weighted_words(words: Sequence[str], weights: Mapping[str, float], count: int, rng: random.Random) -> list[str]:
    """`count` distinct words, each drawn with probability growing with its letters' mean weight to the 4th
    power, so a word of weak letters (weight ~0.9) is drawn ~7x as often as one of unseen letters (0.55)."""
    pool = [clean_word(w) for w in words if clean_word(w)]
    chosen: list[str] = []
    while pool and len(chosen) < count:
        scores = [(sum(weights.get(c, 0.5) for c in w) / len(w)) ** 4 for w in pool]
        word = rng.choices(pool, weights=scores)[0]
        chosen.append(word)
        pool.remove(word)
    return chosen


@dataclass
class _Item:
    word: str
    signers: list[int]  # per position, into the hand index's list for hand_of(letter)
    replays: int = 0
    result: ReadResult | None = None


@dataclass
class _Run:
    items: list[_Item]
    source: WordSource
    start_pace: float
    index: int = 0
    results: list[ReadResult] = field(default_factory=list)


class ReceptiveDrill:
    """The receptive drill's state, without Qt. `changed()` fires after every change the view shows.

    `hands` maps each static letter to its crops (load_hand_index); with `history`, every answered word is
    recorded there (its own tables, apart from the signing drills) and the first pace is the last one reached.
    A history write that fails never ends the drill: it sets `notice`.
    """

    def __init__(self, hands: Mapping[str, Sequence[str]], history: ReadingHistory | None = None,
                 config: ReceptiveConfig | None = None, rng: random.Random | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.hands = hands
        self.history = history
        self.config = config or ReceptiveConfig()
        self.rng = rng or random.Random()
        self.clock = clock  # wall clock for the history's day grouping
        self.changed = Event()
        self.state = DrillState.IDLE
        self.notice = ""
        self.run_of_right = 0  # right words in a row since the pace last changed
        last = history.last_reading_pace() if history is not None else None
        self.pace = self._clamp(last if last is not None else self.config.start_pace)
        self._run: _Run | None = None

    # -- choosing words -------------------------------------------------------------------------------------
    def word_list_items(self, words: Sequence[str]) -> list[str]:
        picked = self.rng.sample(list(words), min(self.config.words_per_drill, len(words)))
        return [clean_word(w) for w in picked]

    def weakest_items(self, words: Sequence[str]) -> list[str]:
        """Words chosen for the letters misread most in this drill's own history (unseen letters count 0.5)."""
        stats = self.history.reading_letter_stats() if self.history is not None else {}
        return weighted_words(words, letter_weights(stats), self.config.words_per_drill, self.rng)

    def custom_items(self, text: str) -> list[str]:
        """The words of typed text, cleaned; only its first MAX_CUSTOM_TEXT_CHARS characters count (`notice` says
        when more were left out) and a word over MAX_WORD_LETTERS is split (signcam.limits), so a pasted
        32,767-letter "word" is neither shown for hours nor checked letter against letter."""
        text, self.notice = custom_text(text)
        return [piece for w in (clean_word(chunk) for chunk in text.split()) if w for piece in split_long_word(w)]

    # -- the drill --------------------------------------------------------------------------------------------
    def start(self, words: Sequence[str], source: WordSource = WordSource.WORDS) -> bool:
        """Starts a drill over `words` (cleaned; empty ones dropped); False when nothing is left to show."""
        items = [_Item(w, self._pick_signers(w)) for w in (clean_word(w) for w in words) if w]
        if not items:
            return False
        self._run = _Run(items, source, self.pace)
        self.state = DrillState.READING
        self.changed.emit()
        return True

    @property
    def word(self) -> str:
        """The word being read now ("" when idle or done)."""
        if self._run is None or self.state in (DrillState.IDLE, DrillState.DONE):
            return ""
        return self._run.items[self._run.index].word

    @property
    def position(self) -> tuple[int, int]:
        """(1-based word number, words in the drill)."""
        return (self._run.index + 1, len(self._run.items)) if self._run else (0, 0)

    @property
    def last_result(self) -> ReadResult | None:
        return self._run.results[-1] if self._run and self._run.results else None

    def sequence(self, pace: float | None = None) -> list[Shown]:
        """The current word's timeline at `pace` (default: the drill's), after the pause between words."""
        if self._run is None or not self.word:
            return []
        item = self._run.items[self._run.index]
        return self._timeline(item.word, item.signers, pace or self.pace, self.config.pause_s)

    def review(self) -> list[Shown]:
        """The letters missed in the last answer, one by one at the review pace, same hands as shown."""
        result = self.last_result
        if self.state is not DrillState.ANSWERED and self.state is not DrillState.DONE or result is None:
            return []
        item = self._run.items[self._run.index]
        letters = "".join(item.word[i] for i in result.missed)
        signers = [item.signers[i] for i in result.missed]
        return self._timeline(letters, signers, self.config.review_pace, 0.0, doubles=False)

    def replay(self) -> list[Shown]:
        """The same word again (counted in the result: a word read on the third showing is not yet fluent)."""
        if self.state is DrillState.READING:
            self._run.items[self._run.index].replays += 1
        return self.sequence()

    def slower(self) -> list[Shown]:
        """One pace step down, then the word again (counts as a replay)."""
        self._set_pace(self.pace - self.config.pace_step)
        return self.replay()

    def check(self, typed: str) -> ReadResult | None:
        """Scores the answer, records it, adjusts the pace; None unless a word is waiting for its answer."""
        if self.state is not DrillState.READING:
            return None
        item = self._run.items[self._run.index]
        # Longer than the word by a whole word is wrong whatever it holds; cut, so the alignment (quadratic in the
        # lengths) costs at most MAX_WORD_LETTERS x 2 MAX_WORD_LETTERS steps a word: linear in the text.
        answer = clean_word(typed)[:len(item.word) + MAX_WORD_LETTERS]
        shown_at = self.pace
        missed = missed_positions(item.word, answer)
        if answer == item.word:
            self.run_of_right += 1
            if self.run_of_right >= self.config.rise_after:
                self._set_pace(self.pace + self.config.pace_step)
        else:
            self._set_pace(self.pace - self.config.pace_step)
        result = ReadResult(item.word, answer, missed, shown_at, self.pace, item.replays, self._run.source)
        item.result = result
        self._run.results.append(result)
        self._record(result)
        self.state = DrillState.ANSWERED
        self.changed.emit()
        return result

    def next_word(self) -> bool:
        """After an answer: on to the next word (True), or the drill is done (False)."""
        if self.state is not DrillState.ANSWERED:
            return self.state is DrillState.READING
        if self._run.index + 1 >= len(self._run.items):
            self.state = DrillState.DONE
        else:
            self._run.index += 1
            self.state = DrillState.READING
        self.changed.emit()
        return self.state is DrillState.READING

    def stop(self) -> None:
        self._run = None
        self.state = DrillState.IDLE
        self.changed.emit()

    def summary(self) -> ReceptiveSummary:
        results = self._run.results if self._run else []
        right = [r for r in results if r.correct]
        return ReceptiveSummary(
            words=len(results),
            words_right=len(right),
            letters=sum(len(r.word) for r in results),
            letters_right=sum(r.letters_right for r in results),
            start_pace=self._run.start_pace if self._run else self.pace,
            best_pace=max((r.pace for r in right), default=0.0),
            missed=tuple(dict.fromkeys(c for r in results for c in r.missed_letters)),
        )

    # -- internals ------------------------------------------------------------------------------------------
    def _clamp(self, pace: float) -> float:
        return min(max(pace, PACE_MIN), PACE_MAX)

    def _set_pace(self, pace: float) -> None:
        """A new pace starts a new run of right words, up or down."""
        self.pace = self._clamp(pace)
        self.run_of_right = 0

    def _pick_signers(self, word: str) -> list[int]:
        """Varied signers: never the same crop twice in a row for different letters (a new hand per letter
        is what reading real people is like), the same crop for a double letter (one hand slides)."""
        picks: list[int] = []
        for i, letter in enumerate(word):
            count = len(self.hands.get(hand_of(letter), ()))
            if count == 0:
                raise ValueError(f"no hand crops for {letter!r} in the hand index")
            if i and word[i - 1] == letter:
                picks.append(picks[-1])
                continue
            avoid = picks[-1] if i and count > 1 else None
            picks.append(self.rng.choice([k for k in range(count) if k != avoid]))
        return picks

    def _timeline(self, letters: str, signers: Sequence[int], pace: float, start_s: float,
                  doubles: bool = True) -> list[Shown]:
        slot_s = 1.0 / pace
        steps, t = [], start_s
        for i, (letter, signer) in enumerate(zip(letters, signers, strict=True)):
            motion = letter in START_POSE
            duration = slot_s * (self.config.motion_slots if motion else 1.0)
            double = doubles and i > 0 and letters[i - 1] == letter
            steps.append(Shown(letter, hand_of(letter), signer, t, duration, double=double, motion=motion))
            t += duration
        return steps

    def _record(self, result: ReadResult) -> None:
        if self.history is None:
            return
        try:
            self.history.record_reading(result, at_unix_s=self.clock())  # queued: a locked file is retried
        except sqlite3.Error as error:  # a full disk or a locked file: the drill goes on, the view says so
            log.warning("reading not saved: %s", error)
            self.notice = f"Practice history could not be saved: {error}"
        if problem := getattr(self.history, "problem", None):  # the writer thread's retries, in words
            self.notice = problem
