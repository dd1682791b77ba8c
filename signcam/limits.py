"""The limits on what signcam reads, stated once: every entry (photos, videos, folders, settings, typed text)
checks against these, and the README's "Reliability" section lists them. No Qt, no numpy: anything may import it.

Each limit is far beyond honest input and well inside what keeps a case under ~1 GB and a few seconds.
"""

import os
import re

# Photos. Larger photos are refused from their header (Pillow reads it for every format), before decoding: a 1 KB
# RLE BMP or a 1.5 MB PNG can announce 400 MP, 1.2 GB as BGR (and OpenCV stops at 2^30 pixels, or crashes). 80 MP
# is 240 MB as BGR, beyond any webcam or phone photo in normal modes. Decoding holds about twice that for a moment
# (measured 470 MB for a 79 MP PNG, 8- or 16-bit); the photo is then scaled to MAX_FRAME_PIXELS, so the locator's
# and preprocessing's copies of it stay small (issue 24: 4.9 GB peak before).
MAX_IMAGE_PIXELS = 80_000_000
# The whole file is read before its header is looked at; an uncompressed 80 MP BMP is 240 MB, so a larger file is
# not a photo we could decode anyway (a sparse 10 GB "photo.jpg" would otherwise be read into memory).
MAX_IMAGE_FILE_BYTES = 256 * 2**20
MAX_FRAME_PIXELS = 16_000_000  # photos and video frames are scaled to this: a 12 MP phone photo passes unchanged
# Video frames: the decoder hands over every frame whole before anything can scale it, so a larger video is
# refused at open from its announced size (and any frame over it is refused too). 8K UHD (7680x4320, 33 MP) fits;
# a 16000x16000 MJPG of 4.6 MB took over 4 GB (issue 31).
MAX_VIDEO_FRAME_PIXELS = 7680 * 4320
MAX_CAMERA_INDEX = 99  # OpenCV's camera indices; -1..-5 segfault where there is no camera, 2^64 is not an int
MAX_FOLDER_DEPTH = 32  # folders below a folder given to `signcam predict` or played as a source
MAX_CUSTOM_TEXT_CHARS = 1_000  # custom text to sign or read: about 10 minutes at a slow pace
MAX_WORD_LETTERS = 45  # one word of custom text (the longest English dictionary word); longer ones are split


def camera_index(value: object) -> int | None:
    """`value` (an int, or text of digits) as a camera index in 0..MAX_CAMERA_INDEX; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 6 else MAX_CAMERA_INDEX + 1
    else:
        return None
    return number if 0 <= number <= MAX_CAMERA_INDEX else None


def custom_text(text: str) -> tuple[str, str]:
    """(`text` cut to MAX_CUSTOM_TEXT_CHARS, "" or a sentence saying what was left out), for every custom text
    entry (Practice > Custom text, the reading drill's own words)."""
    if len(text) <= MAX_CUSTOM_TEXT_CHARS:
        return text, ""
    return text[:MAX_CUSTOM_TEXT_CHARS], (f"Custom text is limited to {MAX_CUSTOM_TEXT_CHARS:,} characters; the "
                                          f"last {len(text) - MAX_CUSTOM_TEXT_CHARS:,} were left out.")


def split_long_word(word: str) -> list[str]:
    """`word` in pieces of at most MAX_WORD_LETTERS letters (one piece for any real word)."""
    return [word[i:i + MAX_WORD_LETTERS] for i in range(0, len(word), MAX_WORD_LETTERS)] or [word]


# An id or name read from a file and used as part of a path: letters, digits, '-', '_' and inner dots only, so it
# holds no separator, no '..', no drive or device name, and stays inside its folder.
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}")


def safe_name(name: str) -> bool:
    """True when `name` can be used as one file name inside a folder (no separators, no '..', not hidden)."""
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name and os.path.basename(name) == name
