"""The coach: compares the learner's hand with a letter's template and names at most two things to change.

The model says which letter it reads; the coach says what to fix ("Curl your index finger", "Tuck your thumb
between your index and middle fingers", "Point your fingers sideways, not down"). A hand is compared with how
many real signers made the letter (signcam/assets/templates.json, training/make_templates.py), one *aspect* at
a time: each finger's curl, the thumb's curl, how far it sticks out and where its tip sits, the gap between
straight neighbouring fingers, and which way the hand and the index finger point. An aspect's deviation is
the mean of its features' signed distances from the template's median in robust spreads; the coach names
the two aspects furthest off beyond `threshold` and stays quiet when none is. benchmarks/coach.py measures
how often it is quiet on the right letter and how often its hints name a real difference between confused
letters (leave one person out).

Usage:
    coach = Coach()                                   # bundled templates
    advice = coach.advise("T", box.landmarks)         # advice.hints: () when the hand matches
    for hint in advice.hints: print(hint.text, hint.fingers)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from signcam.labels import START_POSE
from signcam.practice.pose import (
    FEATURE_INDEX,
    FINGERS,
    DepthContrast,
    Templates,
    depth_features,
    load_depth_contrasts,
    load_templates,
    pose_features,
)
from signcam.store.assets import AssetError

log = logging.getLogger(__name__)

# How much likelier (log) another letter must look than the target before the coach speaks. Leave one person
# out on extra/ (benchmarks/coach.py --sweep): 0.5 -> quiet on 88.7% of right letters, useful on 84.5% of
# confusions; 1.0 -> 90.7% / 83.2%; 1.25 -> 91.5% / 82.2%. A hint that is not needed costs a learner more.
MARGIN = 1.0
# Robust spreads between two templates for an aspect to count as a real difference between two letters.
REAL_DIFFERENCE = 1.0
MAX_HINTS = 2
RIVALS = 3  # likeliest other letters whose differences from the target rank the hints
# Robust spreads a hand must be off the target toward the rival in a depth contrast for the coach to name it,
# and toward the pair's other letter for the coach to speak even when the judge (2D) finds the hand right.
DEPTH_MIN = 0.5
DEPTH_SPEAK = 1.5
# What to say when the hand is off toward the other letter of a depth pair: (target, rival) -> (text, fingers).
DEPTH_TEXT = {
    ("M", "N"): ("Tuck your thumb further under: your index, middle and ring fingers all fold over it",
                 ("thumb", "ring")),
    ("N", "M"): ("Bring your thumb up between your middle and ring fingers: only two fingers fold over it",
                 ("thumb", "ring")),
}
STRAIGHT_REACH = 0.6  # palm lengths knuckle-to-tip above which a finger counts as straight


@dataclass(frozen=True)
class Hint:
    aspect: str  # e.g. "curl_index", "thumb_place", "hand_dir"
    text: str  # one plain sentence for the learner
    fingers: tuple[str, ...]  # names from FINGERS, for marking on the live view
    deviation: float  # signed, in robust spreads: > 0 means more of the aspect than the template has


@dataclass(frozen=True)
class Advice:
    target: str
    hints: tuple[Hint, ...]  # at most MAX_HINTS, furthest off first; empty when the hand matches
    looks_like: str | None = None  # the letter the hints contrast with (None when quiet)

    @property
    def matches(self) -> bool:
        return not self.hints


Describe = Callable[[np.ndarray, np.ndarray, float], str]  # (template median, current features, deviation)


@dataclass(frozen=True)
class Aspect:
    """Something the learner can change, read from one or more features with a sign each."""

    name: str
    features: tuple[tuple[str, float], ...]  # (feature, +1 | -1): the aspect grows with sign * feature
    fingers: tuple[str, ...]
    describe: Describe
    # to a hand's features (the target's template and the hand compared with it): a gap between two fingers
    # means nothing while one of them is curled (G's middle finger is no "crossed" finger)
    applies: Callable[[np.ndarray], bool] = lambda features: True

    def deviation(self, z: np.ndarray) -> float:
        return float(np.mean([sign * z[FEATURE_INDEX[f]] for f, sign in self.features]))


def _f(values: np.ndarray, name: str) -> float:
    return float(values[FEATURE_INDEX[name]])


def _curl_text(finger: str) -> Describe:
    """deviation < 0: straighter than the template. A half-bent template finger (C, O, X) is "bent", not "curled"."""
    if finger == "thumb":
        return lambda _median, _current, deviation: "Bend your thumb" if deviation < 0 else "Straighten your thumb"

    def describe(median: np.ndarray, _current: np.ndarray, deviation: float) -> str:
        bent = _f(median, f"bend_{finger}_pip")
        if deviation < 0:
            return f"Curl your {finger} finger" if bent > 100 else f"Bend your {finger} finger more"
        return f"Straighten your {finger} finger" if bent < 30 else f"Bend your {finger} finger less"
    return describe


def _thumb_out_text(median: np.ndarray, _current: np.ndarray, deviation: float) -> str:
    return "Hold your thumb out, away from your hand" if deviation < 0 else "Bring your thumb in against your hand"


def _gap_text(a: str, b: str) -> Describe:
    def describe(median: np.ndarray, current: np.ndarray, deviation: float) -> str:
        wanted, now = _f(median, f"spread_{a}_{b}"), _f(current, f"spread_{a}_{b}")
        if wanted < -0.02 and now > wanted:
            return f"Cross your {a} and {b} fingers"
        if now < -0.02 <= wanted:
            return f"Uncross your {a} and {b} fingers"
        if deviation < 0:
            return f"Spread your {a} and {b} fingers apart"
        return f"Hold your {a} and {b} fingers together"
    return describe


_PLACES = ((-0.5, "beside your index finger"), (0.25, "against the side of your index finger"),
           (0.8, "between your index and middle fingers"), (1.25, "in front of your middle finger"),
           (1.8, "between your middle and ring fingers"), (2.3, "in front of your ring finger"),
           (np.inf, "between your ring and little fingers"))


def thumb_place(across: float) -> str:
    """Where a thumb tip `across` (0 index .. 3 little knuckle) sits, in words."""
    return next(words for limit, words in _PLACES if across < limit)


def _thumb_across_text(median: np.ndarray, _current: np.ndarray, deviation: float) -> str:
    across = _f(median, "thumb_across")
    if across < -2.0:
        return "Hold your thumb out to the side"
    return f"{'Tuck' if _is_fist(median) else 'Put'} your thumb {thumb_place(across)}"


def _thumb_height_text(median: np.ndarray, _current: np.ndarray, deviation: float) -> str:
    if deviation > 0:
        return "Lower your thumb tip toward your palm"
    return "Raise your thumb tip toward your fingertips"


def _is_fist(median: np.ndarray) -> bool:
    return _f(median, "reach_index") < 0.4 and _f(median, "reach_middle") < 0.45


def _touch_text(finger: str) -> Describe:
    def describe(median: np.ndarray, _current: np.ndarray, deviation: float) -> str:
        if finger == "middle" and _is_fist(median):  # in a fist the curled middle fingertip is where the thumb
            # crosses the front of the fingers (S), or not (T, A, E)
            return ("Lay your thumb across the front of your fingers" if deviation > 0
                    else "Take your thumb off the front of your fingers")
        if deviation < 0:
            return f"Move your thumb away from your {finger} fingertip"
        if _f(median, f"thumb_{finger}_tip") < 0.35:
            return f"Touch your thumb to your {finger} fingertip"
        return f"Bring your thumb closer to your {finger} fingertip"
    return describe


_DIRECTIONS = ((40.0, "up"), (65.0, "up at a slant"), (115.0, "sideways"), (145.0, "down at a slant"),
               (181.0, "down"))


def direction_words(degrees_from_up: float) -> str:
    return next(words for limit, words in _DIRECTIONS if degrees_from_up < limit)


def _direction_text(feature: str, what: str) -> Describe:
    def describe(median: np.ndarray, current: np.ndarray, deviation: float) -> str:
        wanted, now = direction_words(_f(median, feature)), direction_words(_f(current, feature))
        if wanted != now:
            return f"Point your {what} {wanted}, not {now}"
        # deviation > 0: nearer upright than the template (the aspect grows toward "up")
        return f"Tilt your {what} further from upright" if deviation > 0 else f"Hold your {what} more upright"
    return describe


def _straight(*fingers: str) -> Callable[[np.ndarray], bool]:
    return lambda features: all(_f(features, f"reach_{f}") >= STRAIGHT_REACH for f in fingers)


def _curl(finger: str) -> Aspect:
    joints = (("bend_thumb_mcp", 1.0), ("bend_thumb_ip", 1.0)) if finger == "thumb" else (
        *((f"bend_{finger}_{j}", 1.0) for j in ("mcp", "pip", "dip")), (f"reach_{finger}", -1.0),
        (f"along_{finger}_tip", -1.0))
    return Aspect(f"curl_{finger}", joints, (finger,), _curl_text(finger))


ASPECTS: tuple[Aspect, ...] = (
    *(_curl(f) for f in FINGERS),
    Aspect("thumb_out", (("thumb_out", 1.0),), ("thumb",), _thumb_out_text),
    Aspect("gap_index_middle", (("spread_index_middle", 1.0),), ("index", "middle"), _gap_text("index", "middle"),
           _straight("index", "middle")),
    Aspect("gap_middle_ring", (("spread_middle_ring", 1.0),), ("middle", "ring"), _gap_text("middle", "ring"),
           _straight("middle", "ring")),
    Aspect("thumb_across", (("thumb_across", 1.0), ("across_thumb_tip", 1.0)), ("thumb", "index", "middle"),
           _thumb_across_text),
    Aspect("thumb_height", (("thumb_along", 1.0), ("along_thumb_tip", 1.0)), ("thumb",), _thumb_height_text),
    Aspect("touch_index", (("thumb_index_tip", 1.0),), ("thumb", "index"), _touch_text("index")),
    Aspect("touch_middle", (("thumb_middle_tip", 1.0),), ("thumb", "middle"), _touch_text("middle")),
    Aspect("hand_dir", (("hand_dir", -1.0),), ("index", "middle", "ring", "little"),
           _direction_text("hand_dir", "fingers")),
    Aspect("index_dir", (("index_dir", -1.0),), ("index",), _direction_text("index_dir", "index finger")),
)
ASPECT_BY_NAME = {a.name: a for a in ASPECTS}


class Coach:
    """Names what to change so a hand looks like a target letter; Qt-free and stateless per call.

    It speaks when the judge (a small network in the templates file) finds another letter at least
    e^margin times likelier than the target. It then names the aspects in which the hand is off the
    target the way the rival letter's template is: the differences between what the learner signs and
    what was asked. The rival is the judge's best other letter, or the model's reading when given."""

    def __init__(self, templates: Templates | None = None, margin: float = MARGIN,
                 max_hints: int = MAX_HINTS, contrasts: dict[frozenset, DepthContrast] | None = None) -> None:
        self.templates = templates or load_templates()
        self.problem = ""  # a damaged bundled depth file, in words: the hints go on without the depth contrasts
        try:
            self.contrasts = load_depth_contrasts() if contrasts is None else contrasts
        except AssetError as e:
            self.contrasts, self.problem = {}, f"{e}. Hints that need depth (M, N, ...) are off until then."
            log.warning(self.problem)
        if self.templates.judge is None:
            raise ValueError("these templates have no judge; rebuild them with training/make_templates.py")
        self.margin = margin
        self.max_hints = max_hints

    def deviations(self, target: str, features: np.ndarray) -> dict[str, float]:
        """Signed deviation of every aspect that applies to both the target's template and these features."""
        template = self.templates[START_POSE.get(target.upper(), target)]
        z = template.z(features)
        return {a.name: a.deviation(z) for a in ASPECTS if a.applies(template.median) and a.applies(features)}

    def _differences(self, target: str, other: str) -> dict[str, float]:
        """The aspects in which `other`'s typical hand differs from the target's template (real differences)."""
        return {n: d for n, d in self.deviations(target, self.templates[other].median).items()
                if abs(d) >= REAL_DIFFERENCE}

    def advise(self, target: str, points_xy: np.ndarray, instead: str | None = None,
               world_xyz: np.ndarray | None = None, side: str | None = None) -> Advice:
        """Advice toward `target` (A-Z; J and Z by their starting hands) for (21, 2) landmark pixels.
        `instead`: the letter the model reads, if any; the hints then contrast the target with it.
        `world_xyz`, `side`: the Box's world landmarks and side, for what only depth shows (M vs N)."""
        depth = depth_features(world_xyz, side) if world_xyz is not None else None
        return self.advise_features(target, pose_features(points_xy), instead, depth)

    def depth_deviation(self, target: str, rival: str, depth: np.ndarray) -> float | None:
        """How far the hand is off the target toward the rival in their depth contrast (robust spreads; > 0:
        toward the rival), or None when the pair has no contrast."""
        contrast = self.contrasts.get(frozenset((target, rival)))
        if contrast is None or depth is None or not np.isfinite(depth).all():
            return None
        toward = np.sign(contrast.median[rival] - contrast.median[target])
        return float(toward * contrast.deviation(target, depth))

    def advise_features(self, target: str, features: np.ndarray, instead: str | None = None,
                        depth: np.ndarray | None = None) -> Advice:
        target = target.upper()
        pose = START_POSE.get(target, target)
        judge = self.templates.judge
        log_p = judge.log_probs(features)
        others = [i for i, letter in enumerate(judge.letters) if letter != pose]
        best = max(others, key=lambda i: log_p[i])
        mine = self.deviations(target, features)
        partner = next((b if a == pose else a for a, b in self.contrasts if pose in (a, b)), None) \
            if depth is not None else None
        if partner is not None and (pose, partner) in DEPTH_TEXT:
            off = self.depth_deviation(pose, partner, depth)
            if off is not None and off >= DEPTH_SPEAK:  # plainly the other letter in depth, whatever 2D says
                text, fingers = DEPTH_TEXT[(pose, partner)]
                return Advice(target, (Hint(f"depth_{pose}{partner}", text, fingers, off),), partner)
        if log_p[best] - log_p[judge.letters.index(pose)] < self.margin:
            return Advice(target, ())
        ranked_others = sorted(others, key=lambda i: -log_p[i])[:RIVALS]
        rivals = {judge.letters[i]: float(np.exp(log_p[i])) for i in ranked_others}
        if instead and instead.upper() in self.templates and instead.upper() != pose:
            rivals = {instead.upper(): 1.0}  # the model's reading is what the learner is told they sign
        rival = next(iter(rivals))
        off = self.depth_deviation(pose, rival, depth) if depth is not None else None
        if off is not None and off >= DEPTH_MIN and (pose, rival) in DEPTH_TEXT:
            # 2D templates cannot tell these apart (benchmarks/README.md); depth can, so it is the one hint.
            text, fingers = DEPTH_TEXT[(pose, rival)]
            return Advice(target, (Hint(f"depth_{pose}{rival}", text, fingers, off),), rival)
        differ = {r: self._differences(target, r) for r in rivals}
        # Name the ways the hand is off the target that the likeliest rival's typical hand is off too, those
        # shared by the other likely rivals first (the judge's second guess is often the letter signed); if
        # the hand is off in none of them (a 2D view hides it), say how the rival's typical hand differs.
        same_way = [n for n, d in differ[rival].items() if n in mine and np.sign(d) == np.sign(mine[n])]
        support = {n: sum(p for r, p in rivals.items() if np.sign(differ[r].get(n, 0.0)) == np.sign(mine[n]))
                   for n in same_way}
        if same_way:  # a second hint only where the rivals agree as much as on the first
            same_way = sorted(same_way, key=lambda n: (-support[n], -abs(mine[n])))
            ranked = [(n, mine[n], features) for n in same_way if support[n] >= support[same_way[0]] - 1e-9]
        elif differ[rival]:
            ranked = [(n, d, self.templates[rival].median)
                      for n, d in sorted(differ[rival].items(), key=lambda item: -abs(item[1]))]
        else:
            ranked = [(n, mine[n], features) for n in sorted(mine, key=lambda n: -abs(mine[n]))]
        median = self.templates[pose].median
        hints: list[Hint] = []
        for name, deviation, seen in ranked:
            aspect = ASPECT_BY_NAME[name]
            text = aspect.describe(median, seen, deviation)
            if all(text != h.text for h in hints):  # two thumb aspects can say the same thing
                hints.append(Hint(name, text, aspect.fingers, deviation))
            if len(hints) == self.max_hints:
                break
        return Advice(target, tuple(hints), rival)
