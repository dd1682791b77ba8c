"""Landmark clips made from real still hands: J and Z drawn by an I or D hand, held letters, transitions.

Before real recordings of J and Z were found, benchmarks/motion_synthetic.py and the tests made them: a real I (or D)
hand from a photo is moved so that its little (or index) fingertip follows the letter's stroke, at a given
duration, size, turn and hand (mirror), with per-frame landmark jitter like MediaPipe's on a webcam (about
1-3% of the palm length; `noise_palm`) and a slow drift of the whole hand. A J also twists the hand during
the hook, as the wrist turns. Held letters are a still photo's landmarks replayed with the same jitter,
drift, wobble and the odd one-frame glitch of a finger; transitions morph one letter into another while the
hand moves, which is what a learner does between letters.

Issue 28 adds what real learners do and the first clips did not: strokes of 0.3-2 s and 0.2-1.5 hand lengths drawn
at an uneven speed (`speed_warp`) by a loose starting hand (`loosen`: thumb out, fingers bent) that drifts while it
draws (`drift_palm`), and the camera's side of it (`captured`): 15-30 frames per second with repeated frames (a
capture loop faster than the camera) and dropped ones, and an unknown aspect (a 16:9 picture read as 4:3 squeezes
x by 0.75).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signcam.practice.motion import TIP, resample, stroke
from signcam.practice.pose import FINGER_POINTS, MIDDLE_MCP, WRIST

UNKNOWN_ASPECT_X = 0.75  # a 16:9 picture's landmarks read as 4:3 (motion/README: image_wh 0 0 -> assume 4:3)


@dataclass(frozen=True)
class Clip:
    times_s: np.ndarray  # (T,)
    points: np.ndarray  # (T, 21, 2) pixels; NaN rows where the hand was lost


def _palm(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[MIDDLE_MCP] - points[WRIST]))


def _rotate(points: np.ndarray, degrees: float, about: np.ndarray) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return (points - about) @ np.array([[c, s], [-s, c]]) + about


def _mirror(points: np.ndarray) -> np.ndarray:
    out = points.copy()
    out[..., 0] = 2 * points[..., 0].mean() - points[..., 0]
    return out


def _times(duration_s: float, fps: float, rng: np.random.Generator) -> np.ndarray:
    n = max(int(round(duration_s * fps)), 2)
    return np.arange(n) / fps + rng.normal(0.0, 0.003, n)  # capture timestamps wobble by a few ms


def _drift(n: int, palm: float, amount_palm: float, rng: np.random.Generator) -> np.ndarray:
    """(n, 2) smooth wandering of the whole hand, up to about `amount_palm` palm lengths."""
    steps = rng.normal(0.0, 1.0, (n, 2)).cumsum(0)
    steps -= np.linspace(0, 1, n)[:, None] * steps[-1]  # a bridge: ends where it started
    scale = np.abs(steps).max() or 1.0
    return steps / scale * amount_palm * palm


def _jitter(frames: np.ndarray, palm: float, noise_palm: float, rng: np.random.Generator) -> np.ndarray:
    return frames + rng.normal(0.0, noise_palm * palm, frames.shape)


def stroke_path(letter: str, n: int) -> np.ndarray:
    """(n, 2) points along the letter's stroke, bounding box 1, evenly spaced."""
    path = resample(stroke(letter), n)
    return (path - path.min(0)) / np.ptp(path, axis=0).max()


def loosen(hand: np.ndarray, rng: np.random.Generator, degrees: float) -> np.ndarray:
    """`hand` (21, 2) with every finger turned about its knuckle and bent by up to about `degrees` (the thumb
    twice as far): the loose I with the thumb out, the D with bent fingers, that learners hold."""
    out = np.asarray(hand, np.float64).copy()
    for finger, points in FINGER_POINTS.items():
        spread = rng.normal(0.0, degrees * (2.0 if finger == "thumb" else 1.0))
        out[list(points)] = _rotate(out[list(points)], spread, out[points[0]])
        bend = rng.normal(0.0, degrees)
        out[list(points[1:])] = _rotate(out[list(points[1:])], bend, out[points[1]])
    return out


def _progress(u: np.ndarray, speed_warp: float, rng: np.random.Generator) -> np.ndarray:
    """Share of the stroke drawn at times u (0..1): speeds up and slows down, and with `speed_warp` > 0 also
    hurries and lingers unevenly (a smooth random speed between 1 - warp and 1 + warp times the mean)."""
    eased = (1 - np.cos(np.pi * np.clip(u, 0, 1))) / 2
    if speed_warp <= 0:
        return eased
    knots = np.linspace(0, 1, 6)
    speed = np.interp(np.linspace(0, 1, 200), knots, 1 + speed_warp * rng.uniform(-1, 1, len(knots)))
    warp = np.concatenate([[0.0], np.cumsum(speed)])[:-1] / speed.sum()
    return np.interp(eased, np.linspace(0, 1, 200), warp)


def drawn_clip(hand: np.ndarray, letter: str, rng: np.random.Generator, *, duration_s: float = 0.9,
               size_palm: float = 1.0, turn_deg: float = 0.0, mirror: bool = False, fps: float = 30.0,
               noise_palm: float = 0.015, hold_s: float = 0.3, speed_warp: float = 0.0,
               drift_palm: float = 0.05, hand_share: float = 1.0, complete: float = 1.0) -> Clip:
    """`hand` (21, 2) still landmarks of I (for J) or D (for Z) drawing the letter, held before and after,
    while the whole hand drifts about `drift_palm` palm lengths (half of it steadily one way). `hand_share`:
    how much of the stroke the whole hand makes; the rest the drawing finger makes from its knuckle, the wrist
    still (tresajoby draws that way; 1.0 moves the whole hand, 0.0 only the finger). `complete`: the share of
    the stroke drawn before the hand stops (tresajoby's 1-s recordings cut some Zs after the diagonal)."""
    hand = np.asarray(hand, np.float64)
    if mirror:
        hand = _mirror(hand)
    palm = _palm(hand)
    tip = TIP[letter]
    path = stroke_path(letter, 200) * size_palm * palm
    if mirror:
        path[:, 0] = -path[:, 0]
    path = _rotate(path, turn_deg, path[0]) - path[0] + hand[tip]
    hold, move, after = (_times(d, fps, rng) for d in (hold_s, duration_s, 0.2))
    progress = _progress(move / duration_s, speed_warp, rng) * complete
    frames = [hand] * len(hold)
    twist = rng.uniform(20, 45) * (-1 if mirror else 1) if letter == "J" else 0.0  # the wrist turns in the hook
    finger = next(points for points in FINGER_POINTS.values() if points[-1] == tip)
    follows = np.full(21, hand_share)  # how far each landmark follows the tip
    follows[list(finger)] = hand_share + (1 - hand_share) * np.array([0.3, 0.6, 0.85, 1.0])
    for p in progress:
        at = np.array([np.interp(p * 199, np.arange(200), path[:, k]) for k in range(2)])
        moved = hand + follows[:, None] * (at - hand[tip])
        turn = twist * np.clip((p - 0.5) / 0.5, 0, 1)
        frames.append(_rotate(moved, turn, at))
    frames += [frames[-1]] * len(after)
    times = np.concatenate([hold, hold_s + move, hold_s + duration_s + after])
    heading = rng.normal(0.0, 1.0, 2)
    steady = np.linspace(0, 1, len(frames))[:, None] * heading / np.linalg.norm(heading) * drift_palm / 2 * palm
    frames_arr = np.stack(frames) + (_drift(len(frames), palm, drift_palm / 2, rng) + steady)[:, None]
    return Clip(times, _jitter(frames_arr, palm, noise_palm, rng))


def captured(clip: Clip, rng: np.random.Generator, *, repeat_share: float = 0.0, drop_share: float = 0.0,
             x_scale: float = 1.0) -> Clip:
    """The clip as a camera and capture loop deliver it: a share of frames repeat the one before (the loop ran
    faster than the camera), a share is lost, and x is scaled by `x_scale` (UNKNOWN_ASPECT_X: a 16:9 picture
    whose landmarks are read as 4:3)."""
    points = clip.points.copy()
    for k in np.flatnonzero(rng.random(len(points)) < repeat_share):
        if k:
            points[k] = points[k - 1]
    keep = rng.random(len(points)) >= drop_share
    keep[[0, -1]] = True
    points[..., 0] *= x_scale
    return Clip(clip.times_s[keep], points[keep])


def held_clip(hand: np.ndarray, rng: np.random.Generator, *, duration_s: float = 2.0, fps: float = 30.0,
              noise_palm: float = 0.015, drift_palm: float = 0.2, wobble_deg: float = 4.0,
              glitch_rate: float = 0.01) -> Clip:
    """A still hand held for `duration_s`: jitter, drift, wobble and rare one-frame finger glitches."""
    hand = np.asarray(hand, np.float64)
    palm = _palm(hand)
    times = _times(duration_s, fps, rng)
    n = len(times)
    drift = _drift(n, palm, drift_palm, rng)
    wobble = np.sin(np.linspace(0, rng.uniform(1, 4) * np.pi, n)) * wobble_deg
    frames = np.stack([_rotate(hand, w, hand[WRIST]) for w in wobble]) + drift[:, None]
    for i in np.flatnonzero(rng.random(n) < glitch_rate):  # MediaPipe now and then misplaces a finger
        finger = rng.integers(1, 6)
        frames[i, 4 * finger - 3:4 * finger + 1] += rng.normal(0, 0.3 * palm, 2)
    return Clip(times, _jitter(frames, palm, noise_palm, rng))


def moved_clip(hand: np.ndarray, rng: np.random.Generator, *, duration_s: float = 2.0, fps: float = 30.0,
               noise_palm: float = 0.015) -> Clip:
    """A still hand moved about without drawing a letter, as motion2/'s held J and Z folders show: swayed side to
    side, bobbed up and down, raised or lowered in a line, or circled, 0.5-3 palm lengths, turning a little."""
    hand = np.asarray(hand, np.float64)
    palm = _palm(hand)
    times = _times(duration_s, fps, rng)
    u = np.clip(times / duration_s, 0, 1)
    size = rng.uniform(0.5, 3.0) * palm
    angle = rng.uniform(0, 2 * np.pi)
    kind = rng.integers(4)
    if kind == 0:  # sway or bob along one direction, 1-3 times back and forth
        along = np.sin(2 * np.pi * rng.uniform(0.5, 3.0) * u)[:, None] * np.array([np.cos(angle), np.sin(angle)])
        if rng.random() < 0.5:  # mostly sideways or up and down
            along = np.sin(2 * np.pi * rng.uniform(0.5, 3.0) * u)[:, None] * np.array([[1.0, 0.0], [0.0, 1.0]][
                rng.integers(2)])
    elif kind == 1:  # raised or lowered (or pushed aside) in one go
        along = ((1 - np.cos(np.pi * u)) / 2)[:, None] * np.array([np.cos(angle), np.sin(angle)])
    elif kind == 2:  # circled
        turns = rng.uniform(0.5, 1.5) * rng.choice([-1, 1])
        along = np.stack([np.cos(2 * np.pi * turns * u), np.sin(2 * np.pi * turns * u)], 1) - [1.0, 0.0]
    else:  # wandered
        along = _drift(len(times), 1.0, 1.0, rng)
    twist = np.sin(np.pi * rng.uniform(0.5, 2.0) * u) * rng.uniform(-20, 20)
    frames = np.stack([_rotate(hand, w, hand[WRIST]) for w in twist]) + (along * size)[:, None]
    return Clip(times, _jitter(frames, palm, noise_palm, rng))


def transition_clip(first: np.ndarray, second: np.ndarray, rng: np.random.Generator, *, fps: float = 30.0,
                    noise_palm: float = 0.015) -> Clip:
    """Hold `first`, change to `second` in 0.2-0.6 s while the hand moves 0.3-1.2 palms, hold `second`."""
    first, second = np.asarray(first, np.float64), np.asarray(second, np.float64)
    palm = _palm(first)
    second = (second - second[WRIST]) * palm / max(_palm(second), 1e-6) + first[WRIST]  # same place and size
    change_s, hold_s = rng.uniform(0.2, 0.6), 0.5
    times = _times(2 * hold_s + change_s, fps, rng)
    share = np.clip((times - hold_s) / change_s, 0, 1)[:, None, None]
    direction = rng.normal(0, 1, 2)
    shift = direction / np.linalg.norm(direction) * rng.uniform(0.3, 1.2) * palm
    frames = (1 - share) * first + share * (second + shift)
    return Clip(times, _jitter(frames + _drift(len(times), palm, 0.05, rng)[:, None], palm, noise_palm, rng))
