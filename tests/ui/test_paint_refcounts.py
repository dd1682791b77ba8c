"""The app's own paint code must not leak references to None/True/False (issue 11).

PySide6-Essentials 6.12.0 releases one reference to None too many on every QPainter.setPen,
fillRect, drawImage, drawRect and drawLine call: the live view at 30 fps lost 1,300-2,000
references a second and CPython < 3.12 aborted after 58-135 s ("none_dealloc"). This paints the
real live view (frame, box, banner, side panel; sure, settling, unsure and no-hand results) and the practice
ring a few thousand times offscreen and checks the counts held. On CPython 3.12+ None and the bools
are immortal (their counts are fixed), so only the loop's completion is checked there.

Needs only Qt and numpy (no torch), so it also runs in a throwaway venv with another PySide6:
    QT_QPA_PLATFORM=offscreen python -m pytest --noconftest -q tests/ui/test_paint_refcounts.py
"""

import sys
from types import SimpleNamespace

import numpy as np
from PySide6.QtGui import QImage

from signcam.pipeline.locate import Box
from signcam.pipeline.sources import Frame
from signcam.ui.live_view import RecognitionView
from signcam.ui.practice_ring import HoldRing

PAINTS = 3000  # ~30 QPainter calls each: a leak of one reference per call shows as ~-90,000
CHUNK = 100
# The counts wander by a few dozen as objects come and go; a leak falls by ~30 per painted frame.
SLACK = 500
MORTAL_SINGLETONS = sys.version_info < (3, 12)


def recognition(kind: str, rng: np.random.Generator) -> SimpleNamespace:
    """What RecognitionView reads from a signcam.pipeline.recognizer.Recognition (which would import torch)."""
    frame = Frame(rng.integers(0, 255, (120, 160, 3), dtype=np.uint8), 0, 0.0, "test")
    if kind == "none":
        return SimpleNamespace(frame=frame, box=None, crop_gray=None, letter=None, best_letter=None, confidence=0.0,
                               top=(), hand_found=False)
    crop = rng.integers(0, 255, (28, 28), dtype=np.uint8)
    return SimpleNamespace(frame=frame, box=Box(40, 20, 60, 70), crop_gray=crop,
                           letter="B" if kind == "sure" else None, best_letter="B",
                           confidence={"sure": 0.8, "settling": 0.9}.get(kind, 0.4),
                           top=(("B", 0.8), ("E", 0.1), ("S", 0.05)), hand_found=True)


def counts() -> tuple[int, int, int]:
    return sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)


def test_painting_the_live_view_and_ring_keeps_none_and_bools_alive(qtbot) -> None:
    rng = np.random.default_rng(0)
    view = RecognitionView(mirror=True)
    view.resize(560, 380)  # wide enough for the side panel (>= 2 x PANEL_W)
    view.set_threshold(0.6)
    ring = HoldRing(60)
    ring.resize(60, 60)
    for widget in (view, ring):
        qtbot.addWidget(widget)
    results = [recognition(kind, rng) for kind in ("sure", "unsure", "none", "settling")]
    view_image = QImage(view.size(), QImage.Format.Format_RGB32)
    ring_image = QImage(ring.size(), QImage.Format.Format_ARGB32)

    before = counts()
    lowest = before
    for i in range(PAINTS):
        view.set_result(results[i % len(results)])
        view.set_message("Camera lost, retrying" if i % 2 else "")
        view.render(view_image)
        ring.set_state("B" if i % 4 else None, (i % 10) / 10, matches_target=i % 3 == 0)
        ring.render(ring_image)
        if i % CHUNK == 0:
            lowest = tuple(map(min, lowest, counts()))
            # Stop at once on a leak: a few hundred more frames would take None to zero and abort pytest.
            if MORTAL_SINGLETONS and any(b - low > SLACK for b, low in zip(before, lowest, strict=True)):
                break
    after = counts()
    view.clear()
    view.render(view_image)  # the placeholder branch

    assert view.shown_letter() == ""
    if not MORTAL_SINGLETONS:
        return  # immortal on 3.12+: reaching here is the check
    names = ("None", "True", "False")
    fell = {name: b - a for name, b, a in zip(names, before, after, strict=True) if b - a > SLACK}
    assert not fell, (f"painting {i + 1} frames dropped references to {fell} (before {before}, after {after}):"
                      " this Qt binding releases references it does not own; see the PySide6 pin in pyproject.toml")

