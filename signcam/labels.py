"""The 24 static ASL letters the model reads, and the mapping from Sign-MNIST's CSV labels.

Sign-MNIST labels are letter positions in A..Z (0-24) with no 9 (J) and no 25 (Z): both letters
need motion, so no single frame shows them and the model has no output for them at all.
"""

import string

MOTION_LETTERS = frozenset("JZ")  # the model never reads them; practice reads them from motion (practice.motion)
LETTERS: tuple[str, ...] = tuple(c for c in string.ascii_uppercase if c not in MOTION_LETTERS)
# The static letter each motion letter starts from: J is an I whose little finger draws a hook, Z a D whose index
# finger draws a Z (the coach shows the start pose; the motion reader checks it).
START_POSE = {"J": "I", "Z": "D"}
ALL_LETTERS: tuple[str, ...] = tuple(string.ascii_uppercase)  # what drills can ask for
NUM_CLASSES = len(LETTERS)  # 24

_CLASS_OF_CSV_LABEL = {string.ascii_uppercase.index(letter): i for i, letter in enumerate(LETTERS)}


def class_of_csv_label(label: int) -> int:
    """Model class index (0-23) of a Sign-MNIST CSV label; KeyError for 9, 25 and anything else."""
    return _CLASS_OF_CSV_LABEL[label]


def is_known_csv_label(label: int) -> bool:
    return label in _CLASS_OF_CSV_LABEL


def class_of_letter(letter: str) -> int:
    """Model class index of a letter (case-insensitive); ValueError for J, Z or a non-letter."""
    upper = letter.upper()
    if upper not in LETTERS:
        raise ValueError(f"{letter!r} is not one of the static letters {''.join(LETTERS)}")
    return LETTERS.index(upper)
