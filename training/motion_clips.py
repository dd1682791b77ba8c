"""Landmark clips made from real still hands: J and Z drawn by an I or D hand, held letters, transitions.

Before real recordings of J and Z were found, benchmarks/motion_synthetic.py and the tests made them: a real I (or D)
hand from a photo is moved so that its little (or index) fingertip follows the letter's stroke, at a given
duration, size, turn and hand (mirror), with per-frame landmark jitter like MediaPipe's on a webcam (about
1-3% of the palm length; `noise_palm`) and a slow drift of the whole hand. A J also twists the hand during
the hook, as the wrist turns. Held letters are a still photo's landmarks replayed with the same jitter,
drift, wobble and the odd one-frame glitch of a finger; transitions morph one letter into another while the
hand moves, which is what a learner does between letters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from signcam.practice.motion import TIP, resample, stroke
from signcam.practice.pose import MIDDLE_MCP, WRIST


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


def drawn_clip(hand: np.ndarray, letter: str, rng: np.random.Generator, *, duration_s: float = 0.9,
               size_palm: float = 1.0, turn_deg: float = 0.0, mirror: bool = False, fps: float = 30.0,
               noise_palm: float = 0.015, hold_s: float = 0.3) -> Clip:
    """`hand` (21, 2) still landmarks of I (for J) or D (for Z) drawing the letter, held before and after."""
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
    progress = (1 - np.cos(np.pi * np.clip(move / duration_s, 0, 1))) / 2  # speeds up, then slows down
    frames = [hand] * len(hold)
    twist = rng.uniform(20, 45) * (-1 if mirror else 1) if letter == "J" else 0.0  # the wrist turns in the hook
    for p in progress:
        at = np.array([np.interp(p * 199, np.arange(200), path[:, k]) for k in range(2)])
        moved = hand - hand[tip] + at
        turn = twist * np.clip((p - 0.5) / 0.5, 0, 1)
        frames.append(_rotate(moved, turn, at))
    frames += [frames[-1]] * len(after)
    times = np.concatenate([hold, hold_s + move, hold_s + duration_s + after])
    frames_arr = np.stack(frames) + _drift(len(frames), palm, 0.05, rng)[:, None]
    return Clip(times, _jitter(frames_arr, palm, noise_palm, rng))


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
