"""J and Z from fingertip strokes: drawn by real I and D hands (extra/), at several speeds, sizes (small ones too:
issue 28), turns, noise levels and with either hand, loose, drifting, through a camera that repeats frames; never
from a held letter, a hand moved about, a wrong starting hand or the other stroke; and real signers' J and Z
(motion/), as recorded and mirrored, against word signs."""

from pathlib import Path

import numpy as np
import pytest

from signcam.practice.motion import MODEL_PATH, MotionConfig, MotionReader, load_motion_model
from tests.conftest import need_shared
from tests.core.real_hands import locate_hands
from training.motion_clips import (
    UNKNOWN_ASPECT_X,
    Clip,
    captured,
    drawn_clip,
    held_clip,
    loosen,
    moved_clip,
)
from training.motion_recordings import load_recordings, play


@pytest.fixture(scope="module")
def reader() -> MotionReader:
    return MotionReader()


def _reads(reader: MotionReader, clip: Clip) -> list[str]:
    reader.reset()
    out = [reader.update(float(t), p) for t, p in zip(clip.times_s, clip.points, strict=True)]
    return [letter for letter in out if letter]


@pytest.mark.parametrize(("letter", "start"), [("J", "I"), ("Z", "D")])
@pytest.mark.parametrize(("duration_s", "size_palm", "turn_deg", "mirror", "noise_palm", "fps"), [
    (0.5, 1.0, 0.0, False, 0.015, 30.0),  # fast
    (1.3, 1.0, 0.0, True, 0.015, 30.0),  # slow, other hand
    (0.9, 0.6, 20.0, False, 0.02, 30.0),  # small, turned
    (0.9, 1.4, -20.0, True, 0.02, 15.0),  # large, turned the other way, 15 fps
    (1.8, 0.3, 0.0, False, 0.01, 20.0),  # issue 28: slow and small (the old size gate dropped it)
])
def test_drawn_letter_is_read_once(shared_data: Path, reader: MotionReader, letter: str, start: str, duration_s: float,
                                   size_palm: float, turn_deg: float, mirror: bool, noise_palm: float,
                                   fps: float) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(7)
    for hand in hands[start]:
        clip = drawn_clip(hand, letter, rng, duration_s=duration_s, size_palm=size_palm, turn_deg=turn_deg,
                          mirror=mirror, noise_palm=noise_palm, fps=fps)
        # Never the other letter; at most one extra read (issue 28's model now and then reads the held starting
        # hand's jitter: one of these ten clips, 0.24 s into the hold before a slow J; benchmarks/README.md).
        reads = _reads(reader, clip)
        assert letter in reads and set(reads) == {letter} and len(reads) <= 2


def test_a_loose_drifting_hand_drawing_at_an_uneven_speed_through_a_stuttering_camera_is_read(
        shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(11)
    for letter, start in (("J", "I"), ("Z", "D")):
        for hand in hands[start]:
            clip = drawn_clip(loosen(hand, rng, 8.0), letter, rng, duration_s=1.2, size_palm=0.7, speed_warp=0.5,
                              drift_palm=0.6, fps=24.0)
            assert _reads(reader, captured(clip, rng, repeat_share=0.3, x_scale=UNKNOWN_ASPECT_X)) == [letter]


def test_captured_repeats_drops_and_squeezes_frames() -> None:
    rng = np.random.default_rng(0)
    times = np.arange(60) / 30
    points = np.cumsum(rng.normal(0, 1, (60, 21, 2)), 0) + 100
    clip = Clip(times, points)
    repeated = captured(clip, rng, repeat_share=0.5)
    same = (repeated.points[1:] == repeated.points[:-1]).all(axis=(1, 2))
    assert 15 <= same.sum() <= 45 and np.array_equal(repeated.times_s, times)
    dropped = captured(clip, rng, drop_share=0.2)
    assert 35 <= len(dropped.times_s) <= 55 and dropped.times_s[0] == 0 and dropped.times_s[-1] == times[-1]
    squeezed = captured(clip, rng, x_scale=UNKNOWN_ASPECT_X)
    assert np.allclose(squeezed.points[..., 0], points[..., 0] * 0.75) and np.allclose(squeezed.points[..., 1],
                                                                                       points[..., 1])


def _false_per_1000(reader: MotionReader, clips: list[Clip]) -> float:
    return 1000 * sum(len(_reads(reader, clip)) for clip in clips) / sum(len(clip.times_s) for clip in clips)


def test_held_letters_are_rarely_read_as_motion(shared_data: Path, reader: MotionReader) -> None:
    # Issue 28's bar: <= 5 false reads per 1,000 negative frames. Without a size gate a held hand's jitter is now
    # and then read (2.1 per 1,000 frames here; benchmarks/README.md).
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(3)
    clips = [held_clip(hand, rng) for hand in hands["I"] + hands["D"] + hands["A"] for _ in range(8)]
    assert _false_per_1000(reader, clips) <= 5.0


def test_hands_moved_about_without_drawing_are_rarely_read(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(13)
    clips = [moved_clip(hand, rng, duration_s=2.0) for hand in hands["I"] + hands["D"] for _ in range(10)]
    assert _false_per_1000(reader, clips) <= 5.0


def test_the_stroke_needs_its_starting_hand(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    rng = np.random.default_rng(5)
    # A held A drawing a J's stroke with its little finger is not a J; a D hand drawing a J stroke is not a Z.
    assert _reads(reader, drawn_clip(hands["A"][0], "J", rng)) == []
    assert _reads(reader, drawn_clip(hands["D"][0], "J", rng)) == []


def test_losing_the_hand_for_long_breaks_the_stroke(shared_data: Path, reader: MotionReader) -> None:
    hands = locate_hands(shared_data)
    clip = drawn_clip(hands["D"][0], "Z", np.random.default_rng(1), duration_s=1.0)
    # Half a Z, then the hand is gone for longer than max_gap_s and comes back where the Z would have ended:
    # the jump is not a stroke. (A shorter loss is what blurred frames of a fast real stroke do; see below.)
    half = len(clip.times_s) // 2
    gap_s = MotionConfig().max_gap_s + 0.1
    after = clip.times_s[half - 1] + gap_s + np.arange(15) / 30
    times = np.concatenate([clip.times_s[:half], [clip.times_s[half - 1] + gap_s / 2], after])
    points = np.concatenate([clip.points[:half], np.full((1, 21, 2), np.nan), np.repeat(clip.points[-1:], 15, 0)])
    assert _reads(reader, Clip(times, points)) == []
    assert _reads(reader, clip) == ["Z"]


# -- real recordings (../shared/data/motion/, MIT): the bundled model was fitted on them, so these are regression
# checks of the shipped reader, not held-out figures (those: python benchmarks/motion.py --hold-out).
@pytest.fixture(scope="module")
def tresajoby(shared_data: Path) -> list:
    root = shared_data / "motion"
    need_shared(root / "labels.csv")
    return load_recordings(root, sources=["tresajoby"])


def _reads_of(reader: MotionReader, rec, mirror: bool = False) -> list[str]:
    reader.reset()
    points = rec.points_xy * np.array([-1.0, 1.0]) if mirror else rec.points_xy
    return [letter for _, letter in play(reader.update, rec.times_s, points)]


@pytest.mark.parametrize("mirror", [False, True])
def test_real_signers_j_and_z_are_read_in_either_view(tresajoby: list, reader: MotionReader, mirror: bool) -> None:
    for letter in "JZ":
        mine = [r for r in tresajoby if r.kind == f"positive {letter}"][:20]
        read = sum(_reads_of(reader, r, mirror) == [letter] for r in mine)
        assert read >= 17, f"{letter} read once in {read} of {len(mine)} (mirrored: {mirror})"


def test_word_signs_are_rarely_read_as_j_or_z(tresajoby: list, reader: MotionReader) -> None:
    words = [r for r in tresajoby if r.kind == "words"][::10]  # 100 signs, 10 of each word
    frames = sum(len(r.times_s) for r in words)
    false = sum(len(_reads_of(reader, r)) for r in words)
    assert 1000 * false / frames <= 5.0


def test_the_bundled_model_is_small_and_names_its_sources() -> None:
    assert MODEL_PATH.stat().st_size <= 1_000_000
    model = load_motion_model()
    assert set(model.thresholds) == {"J", "Z"} and all(0 < v < 1 for v in model.thresholds.values())
    assert {c["source_repo"] for c in model.meta["credits"]} >= {"HawkCodesZ/SignLang.AI",
                                                                   "tresajoby/Sign_Language_Recognition",
                                                                   "aw09/alphasibi", "barribam/Habul-2024"}


def test_free_spelling_writes_a_drawn_j_when_motion_letters_are_on(tresajoby: list, tmp_path: Path) -> None:
    from signcam.pipeline.locate import Box
    from signcam.pipeline.recognizer import Recognition
    from signcam.pipeline.smoothing import SmoothedLetter
    from signcam.practice.controller import PracticeController
    from signcam.practice.history import History

    rec = next(r for r in tresajoby if r.kind == "positive J")
    clock = [0.0]
    controller = PracticeController(History(tmp_path / "history.sqlite3"), clock=lambda: clock[0])
    for motion_on, expected in ((False, ""), (True, "J")):
        controller.set_motion_letters(motion_on)
        controller.start_free_spelling()
        for t, points in zip(rec.times_s, rec.points_xy, strict=True):
            clock[0] = float(t)
            box = None if np.isnan(points[0, 0]) else Box(0, 0, 10, 10, side="right", landmarks=points)
            unsure = SmoothedLetter(None, 0.0, 0.0, 0.0, None, 0.0)  # the models never settle on a letter here
            controller.on_recognition(Recognition(None, box, None, None, "I", 0.3, (("I", 0.3),), smoothed=unsure))
        assert controller.spelling.text == expected
    controller.history.close()
