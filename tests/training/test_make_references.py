"""Reference hands: colour crops of MIT photos, hand only, every letter, each source credited."""

import cv2
import numpy as np

from signcam.labels import LETTERS
from signcam.store.assets_dir import REFERENCE_DIR
from training.make_references import OUTPUT_PX, PICKS, credits_markdown, hand_square, normalised_shape, reference_image

HAND = np.array([[50 + 3 * i, 40 + 2 * (i % 5)] for i in range(21)], dtype=np.float32)  # (21, 2) pixels


def test_hand_square_is_moved_inside_the_photo_not_cut():
    points = HAND + np.array([180.0, 150.0])  # near the bottom-right corner of a 240x200 photo
    x, y, side = hand_square(points, (200, 240, 3))
    assert x >= 0 and y >= 0 and x + side <= 240 and y + side <= 200
    assert side == round(60 * 1.44)  # the landmarks' 60 px extent plus the margin on both sides


def test_normalised_shape_ignores_size_position_and_hand():
    shape = normalised_shape(HAND)
    bigger = normalised_shape(HAND * 2 + 7)
    mirrored = normalised_shape(HAND * np.array([-1.0, 1.0]))
    assert np.allclose(shape, bigger, atol=1e-5) and np.allclose(shape, mirrored, atol=1e-5)


def test_reference_image_is_a_colour_square_mirrored_on_request():
    photo = np.zeros((200, 240, 3), np.uint8)
    photo[:, :120] = (0, 0, 255)  # left half red
    points = np.array([[60.0, 60.0], [180.0, 140.0]] * 10 + [[120.0, 100.0]], np.float32)
    plain, mirrored = reference_image(photo, points, False), reference_image(photo, points, True)
    assert plain.shape == (OUTPUT_PX, OUTPUT_PX, 3)
    assert plain[128, 5, 2] == 255 and mirrored[128, -5, 2] == 255 and mirrored[128, 5, 2] == 0


def test_every_static_letter_is_picked_once():
    assert sorted(PICKS) == sorted(LETTERS)
    assert len({pick.path for pick in PICKS.values()}) == len(LETTERS)
    assert all(pick.path.split("/")[1] == letter for letter, pick in PICKS.items())


def test_credits_name_each_pick_with_its_copyright_line():
    credits = {pick.path: (f"owner/{letter}", "0123456789abcdef", f"MIT (Copyright (c) {letter})")
               for letter, pick in PICKS.items()}
    text = credits_markdown(credits)
    assert all(f"owner/{letter}" in text and f"Copyright (c) {letter})" in text for letter in PICKS)
    assert "Permission is hereby granted" in text


def test_shipped_references_are_large_colour_pictures_with_credits():
    shipped = REFERENCE_DIR
    assert sorted(p.stem for p in shipped.glob("*.png")) == sorted(LETTERS)
    for path in shipped.glob("*.png"):
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        assert min(image.shape[:2]) >= 200, path
        assert np.abs(image[..., 2].astype(int) - image[..., 0]).mean() > 3, f"{path} looks gray"
    credits = (shipped / "CREDITS.md").read_text()
    assert all(pick.path in credits for pick in PICKS.values())
