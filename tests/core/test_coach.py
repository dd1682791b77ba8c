"""Pose features, templates and the coach: mirror-proof features, honest templates, short plain hints."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signcam.labels import LETTERS
from signcam.practice.coach import MAX_HINTS, Coach, direction_words, thumb_place
from signcam.practice.pose import (
    DEPTH_FEATURES,
    FEATURE_INDEX,
    FEATURES,
    FINGERS,
    TEMPLATES_PATH,
    build_templates,
    depth_features,
    load_templates,
    pose_features,
    save_templates,
)


def _hand(seed: int = 0) -> np.ndarray:
    """A plausible right hand in pixels: wrist low, fingers fanned upward, some noise."""
    rng = np.random.default_rng(seed)
    points = [(0.0, 0.0)]
    for k, angle in enumerate(np.radians([-50, -15, 0, 15, 30])):
        direction = np.array([np.sin(angle), -np.cos(angle)])
        base = direction * (0.4 if k == 0 else 1.0)
        points += [tuple(base + direction * 0.35 * j) for j in range(4)]
    return 100 * np.array(points) + 320 + rng.normal(0, 2, (21, 2))


def test_features_are_the_same_for_a_hand_and_its_mirror_image() -> None:
    hand = _hand()
    mirrored = hand * np.array([-1.0, 1.0]) + np.array([640.0, 0.0])
    np.testing.assert_allclose(pose_features(hand), pose_features(mirrored), atol=1e-3)


def test_turning_the_hand_changes_only_the_directions() -> None:
    hand = _hand(1)
    c, s = np.cos(np.radians(90)), np.sin(np.radians(90))
    turned = (hand - hand[0]) @ np.array([[c, s], [-s, c]]) + hand[0]
    before, after = pose_features(hand), pose_features(turned)
    directions = [FEATURE_INDEX["hand_dir"], FEATURE_INDEX["index_dir"]]
    np.testing.assert_allclose(np.delete(before, directions), np.delete(after, directions), atol=1e-3)
    assert abs(after[FEATURE_INDEX["hand_dir"]] - 90) < 15 and before[FEATURE_INDEX["hand_dir"]] < 15


def test_features_reject_wrong_shapes_and_batch() -> None:
    with pytest.raises(ValueError, match="21, 2"):
        pose_features(np.zeros((20, 2)))
    batch = np.stack([_hand(0), _hand(1)])
    assert pose_features(batch).shape == (2, len(FEATURES))


def test_templates_weight_each_person_once() -> None:
    # Person a: 9 photos at 0; b and c one photo at 1 each. Per photo the median is 0; per person it is 1.
    features = np.zeros((11, len(FEATURES)))
    features[9:] = 1.0
    templates = build_templates(features, ["A"] * 11, ["a"] * 9 + ["b", "c"])
    assert templates["A"].median[0] == pytest.approx(1.0)
    assert templates["A"].n_people == 3 and templates["A"].n_photos == 11


def test_templates_round_trip_and_reject_other_features(tmp_path: Path) -> None:
    bundled = load_templates()
    path = save_templates(bundled, tmp_path / "t.json")
    again = load_templates(path)
    np.testing.assert_allclose(again["T"].quantiles, bundled["T"].quantiles, atol=0.006)
    hand = pose_features(_hand())
    np.testing.assert_allclose(again.judge.log_probs(hand), bundled.judge.log_probs(hand), atol=1e-3)
    path.write_text(path.read_text().replace('"bend_index_mcp"', '"bend_index_knuckle"'))
    with pytest.raises(ValueError, match="rebuild"):
        load_templates(path)


def test_bundled_templates_cover_every_static_letter_and_are_small() -> None:
    templates = load_templates()
    assert sorted(templates.letters) == sorted(LETTERS)
    assert all(t.n_people >= 10 for t in templates.letters.values())
    assert TEMPLATES_PATH.stat().st_size < 100_000
    assert templates.credits and all("MIT" in c["licence"] for c in templates.credits)


@pytest.fixture(scope="module")
def coach() -> Coach:
    return Coach()


@pytest.mark.parametrize("letter", [c for c in LETTERS if c not in "MN"])
def test_coach_is_quiet_on_a_letters_typical_hand(coach: Coach, letter: str) -> None:
    assert coach.advise_features(letter, coach.templates[letter].median).matches


@pytest.mark.parametrize(("signed", "target", "words"), [
    ("S", "T", "thumb"), ("T", "S", "thumb"), ("R", "V", "Uncross your index and middle"),
    ("G", "H", "Straighten your middle finger"), ("V", "K", "thumb"),
])
def test_coach_names_what_differs_between_confused_letters(coach: Coach, signed: str, target: str,
                                                            words: str) -> None:
    advice = coach.advise_features(target, coach.templates[signed].median)
    assert not advice.matches and advice.looks_like == signed
    assert 1 <= len(advice.hints) <= MAX_HINTS
    assert any(words in h.text for h in advice.hints), [h.text for h in advice.hints]
    assert all(set(h.fingers) <= set(FINGERS) and h.fingers for h in advice.hints)
    assert len({h.text for h in advice.hints}) == len(advice.hints)


def test_coach_contrasts_with_the_models_reading_when_given(coach: Coach) -> None:
    advice = coach.advise_features("T", coach.templates["S"].median, instead="A")
    assert advice.looks_like == "A"


def test_motion_letters_are_coached_by_their_starting_hand(coach: Coach) -> None:
    assert coach.advise_features("J", coach.templates["I"].median).matches
    advice = coach.advise_features("Z", coach.templates["L"].median)
    assert advice.looks_like == "L" and any("thumb" in h.text for h in advice.hints)


def test_words_for_directions_and_thumb_places() -> None:
    assert [direction_words(d) for d in (5, 90, 175)] == ["up", "sideways", "down"]
    assert thumb_place(0.5) == "between your index and middle fingers"
    assert thumb_place(2.6) == "between your ring and little fingers"


def test_coach_and_motion_reader_load_without_qt_or_torch() -> None:
    code = ("import sys, signcam.practice.coach, signcam.practice.motion, signcam.practice.coaching; "
            "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken', 'torch'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def _depth_like(coach: Coach, letter: str) -> np.ndarray:
    """Depth features whose M/N contrast value is `letter`'s typical one."""
    contrast = coach.contrasts[frozenset("MN")]
    w = contrast.weights
    return contrast.mean + contrast.std * w * contrast.median[letter] / (w @ w)


@pytest.mark.parametrize(("signed", "target", "words"), [("N", "M", "index, middle and ring"),
                                                         ("M", "N", "only two fingers")])
def test_depth_tells_m_from_n_where_2d_cannot(coach: Coach, signed: str, target: str, words: str) -> None:
    hand_2d = coach.templates[target].median  # in 2D the hand looks right ...
    assert coach.advise_features(target, hand_2d, depth=_depth_like(coach, target)).matches
    advice = coach.advise_features(target, hand_2d, depth=_depth_like(coach, signed))  # ... in depth it does not
    assert advice.looks_like == signed and [h.aspect for h in advice.hints] == [f"depth_{target}{signed}"]
    assert words in advice.hints[0].text


def test_depth_features_are_the_same_for_a_hand_and_its_mirror_image() -> None:
    rng = np.random.default_rng(0)
    world = rng.normal(0, 0.03, (21, 3))
    mirrored = world * np.array([-1.0, 1.0, 1.0])
    np.testing.assert_allclose(depth_features(world, "right"), depth_features(mirrored, "left"), atol=1e-5)
    assert depth_features(world, "right").shape == (len(DEPTH_FEATURES),)
