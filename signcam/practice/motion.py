"""J and Z from fingertip trajectories: the two letters a single frame cannot show.

J starts as I and the little fingertip draws a hook (down, then curving round); Z starts as D and the index
fingertip draws a Z (across, diagonally back and down, across again). `MotionReader` keeps the last
`window_s` of tracked landmarks and, after every frame, looks for a segment ending now that starts with the
letter's hand (the coach's judge, signcam.practice.pose) and whose fingertip path has the letter's shape.

The shape test follows the "$1 recognizer" (Wobbrock et al., 2007): the path is resampled to N points evenly
spaced along its length, centred and scaled, and compared point by point with the letter's stroke, mirrored
(either hand, selfie or not) and turned up to `max_turn_deg`; a J is not an upside-down J, so rotation is
bounded, not searched all round. No model file: two strokes drawn below, and thresholds measured in
benchmarks/motion.py on trajectories synthesised from real I and D hands and on held static letters.

Usage:
    reader = MotionReader()
    letter = reader.update(t_s, box.landmarks if box else None)   # "J", "Z" or None, once per gesture
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from signcam.labels import START_POSE
from signcam.practice.pose import FINGER_POINTS, MIDDLE_MCP, WRIST, Templates, load_templates, pose_features

N_POINTS = 32  # resampled points per path ($1 uses 64; 32 is as exact for two short strokes and half the work)
TIP = {"J": FINGER_POINTS["little"][3], "Z": FINGER_POINTS["index"][3]}


def stroke(letter: str) -> np.ndarray:
    """The letter's stroke as a polyline (M, 2) in image axes (y down), as a camera facing the signer sees it
    for a right hand; mirrored, it is the left hand's (or a selfie view's).
    J: down 0.7, then a half circle of radius 0.3 curling to the side and back up. Z: across, back
    diagonally down, across."""
    if letter == "Z":
        return np.array([(0, 0), (1, 0), (0, 1), (1, 1)], np.float64)
    down = np.stack([np.zeros(20), np.linspace(0.0, 0.7, 20)], 1)
    theta = np.linspace(0.0, np.pi, 30)
    hook = np.stack([-0.3 + 0.3 * np.cos(theta), 0.7 + 0.3 * np.sin(theta)], 1)
    return np.concatenate([down, hook])


def resample(path: np.ndarray, n: int = N_POINTS) -> np.ndarray:
    """n points evenly spaced along the polyline `path` (M, 2)."""
    steps = np.linalg.norm(np.diff(path, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] <= 0:
        return np.repeat(path[:1], n, 0)
    targets = np.linspace(0.0, along[-1], n)
    return np.stack([np.interp(targets, along, path[:, k]) for k in range(2)], 1)


def normalise(points: np.ndarray) -> np.ndarray:
    """Centre on the centroid and divide by the larger side of the bounding box (keeps the aspect)."""
    centred = points - points.mean(0)
    return centred / max(float(np.ptp(points, axis=0).max()), 1e-9)


STROKES = {letter: normalise(resample(stroke(letter))) for letter in "JZ"}


def _variants(stroke: np.ndarray, max_turn_deg: float, step_deg: float = 10.0) -> np.ndarray:
    """(V, N, 2): the stroke and its mirror image, each turned by -max..+max degrees."""
    mirrored = stroke * np.array([-1.0, 1.0])
    out = []
    for base in (stroke, mirrored):
        for angle in np.radians(np.arange(-max_turn_deg, max_turn_deg + 1e-6, step_deg)):
            c, s = np.cos(angle), np.sin(angle)
            out.append(normalise(base @ np.array([[c, s], [-s, c]])))
    return np.stack(out)


def shape_error(path_xy: np.ndarray, letter: str, max_turn_deg: float = 30.0) -> float:
    """Mean distance between a fingertip path (M, 2) and the letter's stroke, both resampled and scaled to
    a unit bounding box, at the best mirror and turn: < 0.05 for a drawn stroke, > 0.15 for other shapes."""
    points = normalise(resample(np.asarray(path_xy, np.float64)))
    variants = _variants(STROKES[letter], max_turn_deg)
    return float(np.linalg.norm(variants - points, axis=2).mean(1).min())


@dataclass(frozen=True)
class MotionConfig:
    window_s: float = 1.6  # history kept: signers draw J and Z in ~0.5-1.3 s
    min_segment_s: float = 0.35  # shorter strokes are twitches
    segment_step_s: float = 0.1  # candidate start times are this far apart
    min_size: float = 0.45  # the stroke's bounding box, in palm lengths (wrist to middle knuckle)
    # shape_error above which a path is not the letter. Best segment of synthesised strokes (jitter 1-3% of
    # the palm): median 0.03, 95th percentile 0.05; of an I or D hand wandering a palm length: 1st
    # percentile 0.08 (J) and 0.13 (Z). At 0.11 such wandering read as J or Z in 9% of clips.
    max_error: float = 0.075
    max_turn_deg: float = 30.0  # how far the drawn letter may be turned
    start_frames: int = 3  # frames at the start of the segment that must show the starting hand
    start_margin: float = 1.5  # judge log-probability the start letter may trail the likeliest letter by
    cooldown_s: float = 0.8  # after a read, nothing new until this has passed (one read per gesture)


@dataclass(frozen=True)
class _Sample:
    t_s: float
    points: np.ndarray  # (21, 2) pixels
    palm_px: float
    starts: frozenset[str]  # motion letters whose starting hand this frame shows


class MotionReader:
    """Reads J and Z from a stream of landmarks; feed it every frame, hand or not."""

    def __init__(self, templates: Templates | None = None, config: MotionConfig | None = None,
                 letters: str = "JZ") -> None:
        self.templates = templates or load_templates()
        if self.templates.judge is None:
            raise ValueError("these templates have no judge; rebuild them with training/make_templates.py")
        self.config = config or MotionConfig()
        self.letters = tuple(letters)
        self._samples: deque[_Sample] = deque()
        self._quiet_until_s = -np.inf

    def reset(self) -> None:
        """Forget the trajectory and the cool-down (a new target, or a new clip whose clock starts again)."""
        self._samples.clear()
        self._quiet_until_s = -np.inf

    def _starts(self, points: np.ndarray) -> frozenset[str]:
        judge = self.templates.judge
        log_p = judge.log_probs(pose_features(points))
        best = float(log_p.max())
        return frozenset(m for m in self.letters
                         if log_p[judge.letters.index(START_POSE[m])] >= best - self.config.start_margin)

    def update(self, t_s: float, points_xy: np.ndarray | None) -> str | None:
        """Adds one frame (None: no hand, which breaks the trajectory) and returns a letter once it is drawn."""
        if points_xy is None:
            self._samples.clear()
            return None
        points = np.asarray(points_xy, np.float64)[:, :2]
        palm = float(np.linalg.norm(points[MIDDLE_MCP] - points[WRIST]))
        self._samples.append(_Sample(t_s, points, max(palm, 1e-6), self._starts(points)))
        while self._samples and self._samples[0].t_s < t_s - self.config.window_s:
            self._samples.popleft()
        if t_s < self._quiet_until_s:
            return None
        letter = self._read()
        if letter is not None:
            self._quiet_until_s = t_s + self.config.cooldown_s
            self._samples.clear()
        return letter

    def _read(self) -> str | None:
        cfg = self.config
        samples = list(self._samples)
        if len(samples) < cfg.start_frames + 4:
            return None
        now = samples[-1].t_s
        times = np.array([s.t_s for s in samples])
        best: tuple[float, str] | None = None
        for start_s in np.arange(times[0], now - cfg.min_segment_s + 1e-9, cfg.segment_step_s):
            first = int(np.searchsorted(times, start_s - 1e-9))
            segment = samples[first:]
            if len(segment) < cfg.start_frames + 4:
                continue
            palm = float(np.median([s.palm_px for s in segment]))
            for letter in self.letters:
                if not all(letter in s.starts for s in segment[:cfg.start_frames]):
                    continue
                path = np.array([s.points[TIP[letter]] for s in segment]) / palm
                if float(np.ptp(path, axis=0).max()) < cfg.min_size:
                    continue
                error = shape_error(path, letter, cfg.max_turn_deg)
                if error <= cfg.max_error and (best is None or error < best[0]):
                    best = (error, letter)
        return best[1] if best else None
