"""Landmarks of a few real photos of extra/ (MIT), found by the app's still-photo locator, for coach and
J/Z tests; the photos are read by path from ../shared/data and nothing from them is committed."""

import functools
from pathlib import Path

import cv2
import numpy as np
import pytest

HAND_PHOTOS = {"I": ("meyyappan/I/s1_5.jpg", "chiskhanhv/I/s1_5.jpg"),
               "D": ("meyyappan/D/s1_5.jpg", "chiskhanhv/D/s1_35.jpg"),
               "A": ("meyyappan/A/s1_5.jpg",),
               "S": ("meyyappan/S/s1_5.jpg", "hawkcodesz/S/s1_5.jpg")}


@functools.cache
def locate_hands(shared_data: Path) -> dict[str, list[np.ndarray]]:
    """{letter: [(21, 2) landmark pixels per photo]} for HAND_PHOTOS (once per session); skips without
    MediaPipe. Tests call it with the `shared_data` fixture."""
    pytest.importorskip("mediapipe")
    from signcam.pipeline.locate import make_locator

    locator = make_locator("auto", video=False)
    try:
        boxes = {letter: [locator.locate(cv2.imread(str(shared_data / "extra" / p))) for p in paths]
                 for letter, paths in HAND_PHOTOS.items()}
    finally:
        locator.close()
    assert all(box is not None and box.landmarks is not None for found in boxes.values() for box in found)
    return {letter: [box.landmarks for box in found] for letter, found in boxes.items()}
