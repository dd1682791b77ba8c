"""Issue 31: custom text is cut at signcam.limits.MAX_CUSTOM_TEXT_CHARS with a word saying so, a 32,767-letter
"word" is split into words a person could read, and the reading drill's answer check stays linear."""

import random

from signcam.limits import MAX_CUSTOM_TEXT_CHARS, MAX_WORD_LETTERS
from signcam.practice import custom_drill
from signcam.practice.controller import PracticeController
from signcam.practice.receptive import ReceptiveDrill, WordSource, load_hand_index


def test_custom_drill_is_cut_at_the_limit_and_long_words_split() -> None:
    items = custom_drill("A" * 32_767)
    assert sum(len(item.letters) for item in items) == MAX_CUSTOM_TEXT_CHARS
    assert max(len(item.letters) for item in items) == MAX_WORD_LETTERS


def test_controller_says_when_pasted_text_was_cut() -> None:
    controller = PracticeController(None)
    assert controller.start_custom_text("hello " * 1_000)
    assert f"limited to {MAX_CUSTOM_TEXT_CHARS:,} characters" in controller.notice
    assert "5,000 were left out" in controller.notice


def test_reading_a_32767_letter_word_is_split_cut_and_checked_quickly() -> None:
    drill = ReceptiveDrill(load_hand_index(), rng=random.Random(0))
    items = drill.custom_items("B" * 32_767)
    assert "left out" in drill.notice
    assert sum(map(len, items)) == MAX_CUSTOM_TEXT_CHARS and max(map(len, items)) == MAX_WORD_LETTERS
    assert drill.start(items, WordSource.CUSTOM)
    result = drill.check("C" * 32_767)  # aligned with at most a word's length more: the check is linear
    assert not result.correct and len(result.missed) == MAX_WORD_LETTERS
    assert len(result.typed) == 2 * MAX_WORD_LETTERS
