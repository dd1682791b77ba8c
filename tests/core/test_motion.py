"""J and Z from fingertip strokes: drawn by real I and D hands (extra/), at several speeds, sizes, turns,
noise levels and with either hand; never from a held letter, a wrong starting hand or the other stroke."""

from pathlib import Path

import numpy as np
import pytest

from signcam.practice.motion import MotionReader, shape_error, stroke
from tests.core.real_hands import locate_hands
from training.motion_clips import Clip, drawn_clip, held_clip, stroke_path


@pytest.fixture(scope="module")
def reader() -> MotionReader:
    return MotionReader()


def _reads(reader: MotionReader, clip: Clip) -> list[str]:
    reader.reset()
    out = [reader.update(float(t), p) for t, p in zip(clip.times_s, clip.points, strict=True)]
    return [letter for letter in out if letter]


def test_a_clean_stroke_matches_its_letter_in_either_hand_and_turned() -> None:
    for letter in "JZ":
        path = stroke_path(letter, 40) * 150
        mirrored = path * np.array([-1.0, 1.0])
        c, s = np.cos(np.radians(20)), np.sin(np.radians(20))
        turned = path @ np.array([[c, s], [-s, c]])
        assert max(shape_error(p, letter) for p in (path, mirrored, turned)) < 0.05
        assert shape_error(path, "Z" if letter == "J" else "J") > 0.15


def test_other_shapes_are_far_from_both_strokes() -> None:
    line = np.stack([np.linspace(0, 100, 30), np.linspace(0, 30, 30)], 1)
    theta = np.linspace(0, 2 * np.pi, 40)
    circle = np.stack([np.cos(theta), np.sin(theta)], 1) * 50
    upside_down_j = stroke("J") * np.array([1.0, -1.0])
    for letter in "JZ":
        assert shape_error(line, letter) > 0.15 and shape_error(circle, letter) > 0.15
    assert shape_error(upside_down_j, "J") > 0.15


@pytest.mark.parametrize(("letter", "start"), [("J", "I"), ("Z", "D")])
@pytest.mark.parametrize(("duration_s", "size_palm", "turn_deg", "mirror", "noise_palm", "fps"), [
    (0.5, 1.0, 0.0, False, 0.015, 30.0),  # fast
    (1.3, 1.0, 0.0, True, 0.015, 30.0),  # slow, other hand
    (0.9, 0.6, 20.0, False, 0.02, 30.0),  # small, turned
    (0.9, 1.6, -20.0, True, 0.03, 15.0),  # large, turned the other way, noisy, 15 fps
])
def test_drawn_letter_is_read_once(shared_data: Path, reader: MotionReader, letter: str, start: str, duration_s: float,
                                   size_palm: float, turn_deg: float, mirror: bool, noise_palm: float,
                                   fps: float) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(7)
    for hand in hands[start]:
        clip = drawn_clip(hand, letter, rng, duration_s=duration_s, size_palm=size_palm, turn_deg=turn_deg,
                          mirror=mirror, noise_palm=noise_palm, fps=fps)
        assert _reads(reader, clip) == [letter]


def test_held_letters_are_never_read_as_motion(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(3)
    for hand in hands["I"] + hands["D"] + hands["A"]:
        for _ in range(5):
            assert _reads(reader, held_clip(hand, rng)) == []


def test_the_stroke_needs_its_starting_hand(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(5)
    # A held A drawing a J's stroke with its little finger is not a J; a D hand drawing a J stroke is not a Z.
    assert _reads(reader, drawn_clip(hands["A"][0], "J", rng)) == []
    assert _reads(reader, drawn_clip(hands["D"][0], "J", rng)) == []


def test_losing_the_hand_breaks_the_stroke(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    clip = drawn_clip(hands["D"][0], "Z", np.random.default_rng(1), duration_s=1.0)
    points = clip.points.copy()
    middle = len(points) // 2
    points[middle - 2:middle + 2] = np.nan  # the hand leaves the frame half way through the Z
    assert _reads(reader, Clip(clip.times_s, points)) == []
