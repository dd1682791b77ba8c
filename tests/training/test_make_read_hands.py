"""The reading drill's hand crops: nothing outside the hand survives, orientation follows the reference, credits."""

import json

import numpy as np
import pytest

from signcam.practice.receptive import READ_HANDS_DIR
from training.make_read_hands import (
    BACKGROUND_BGR,
    OUTPUT_PX,
    PALM_SIDE,
    hand_only,
    needs_mirror,
    palm_size,
    read_square,
)


def _hand() -> np.ndarray:
    """(21, 2) landmark pixels of an open right hand, palm to the viewer, fingers up, in a 320x240 photo."""
    wrist = np.array([160.0, 200.0])
    points = [wrist]
    for finger, dx in enumerate((-40, -20, 0, 20, 40)):  # thumb .. little finger, left to right
        base = wrist + (dx * 0.8, -40 if finger else -20)
        points += [base + (dx * 0.2 * k, -18 * k) for k in range(4)]
    return np.array(points)


def test_everything_outside_the_hand_is_painted_over():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)  # a "face" everywhere around the hand
    out = hand_only(photo, _hand(), mirror=False)
    assert out.shape == (OUTPUT_PX, OUTPUT_PX, 3)
    corners = np.concatenate([out[:8, :8], out[:8, -8:], out[-8:, :8], out[-8:, -8:]]).reshape(-1, 3)
    assert (corners == BACKGROUND_BGR).all()
    assert out[OUTPUT_PX // 2:, OUTPUT_PX // 2].std() > 20  # the palm keeps the photo's pixels


def test_mirrored_hand_is_flipped_to_match_the_reference():
    hand = _hand()
    mirrored = hand * (-1, 1) + (320, 0)
    assert not needs_mirror(hand, (hand - hand[0]) / np.linalg.norm(hand[9] - hand[0]))
    assert needs_mirror(mirrored, (hand - hand[0]) / np.linalg.norm(hand[9] - hand[0]))


def test_every_shipped_crop_exists_and_is_credited():
    index = json.loads((READ_HANDS_DIR / "index.json").read_text())["letters"]
    credits = (READ_HANDS_DIR / "CREDITS.md").read_text()
    for entries in index.values():
        assert len({e["person"] for e in entries}) == len(entries)  # different signers
        for entry in entries:
            assert (READ_HANDS_DIR / entry["file"]).stat().st_size < 40_000
            assert f"| {entry['file']} | [" in credits and entry["photo"] in credits


def test_what_shows_between_spread_fingers_is_painted_over():
    photo = np.full((240, 320, 3), 90, np.uint8)
    photo[96:116, 144:149] = 255  # a bright patch in the gap between the index and middle fingertips
    out = hand_only(photo, _hand(), mirror=False)
    assert out.max() < 200


def test_palm_is_one_size_whatever_the_photo_or_the_letter():
    """Issue 32: cropped to the landmarks' extent, one word's hands differed 2x in size (a fist filled its square,
    a pointing hand did not). Each crop is PALM_SIDE palms wide, so the palm comes out one size."""
    hand = _hand()
    fist = hand.copy()
    for tip in (8, 12, 16, 20):  # fingertips folded down onto the palm: a much smaller extent
        fist[tip] = fist[tip - 3] + (0, 10)
    far = (hand - hand[0]) * 0.5 + hand[0]  # the same hand, half as large in the photo
    sizes = []
    for points in (hand, fist, far):
        x, y, side = read_square(points)
        sizes.append(palm_size((points - (x, y)) * (OUTPUT_PX / side)))
    assert max(sizes) == pytest.approx(min(sizes), rel=0.02) == pytest.approx(OUTPUT_PX / PALM_SIDE, rel=0.02)
    photo = np.full((240, 320, 3), 120, np.uint8)
    assert hand_only(photo, far, mirror=False).shape == (OUTPUT_PX, OUTPUT_PX, 3)  # a square past the photo's edge


def test_shipped_crops_show_the_palm_at_one_size():
    index = json.loads((READ_HANDS_DIR / "index.json").read_text())["letters"]
    palms = [entry["palm_px"] for entries in index.values() for entry in entries]
    assert len(palms) >= 90 and max(palms) / min(palms) < 1.1
