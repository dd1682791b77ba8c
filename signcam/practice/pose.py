"""Hand-pose features from 21 MediaPipe landmarks, and per-letter templates of them made from real signers.

The coach (signcam.practice.coach) and the J/Z reader (signcam.practice.motion) compare a hand with what many
signers did for a letter, so each feature is something a learner can change and a person can name: how bent
each joint is, how far each fingertip reaches, how far apart neighbouring fingers are, where the thumb tip sits
among the fingers, and which way the hand and the index finger point.

Every feature is the same for a hand and its mirror image. MediaPipe's handedness label is unreliable on
sideways letters (G, H, P), and a 2D view of a right palm is a left hand's back mirrored, so no side is
needed: positions are measured in the hand's own frame (u from the wrist to the middle knuckle, v across the
knuckles toward the little finger, both flip with the image) and directions as unsigned angles from "up".
Only 2D points are used (the photo cache has no z); a finger pointing at the camera looks short.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signcam.pipeline.locate import N_LANDMARKS
from signcam.store.assets import reading_asset
from signcam.store.assets_dir import ASSETS_DIR

TEMPLATES_PATH = ASSETS_DIR / "templates.json"
FINGERS = ("thumb", "index", "middle", "ring", "little")
# MediaPipe Hands numbering: 0 wrist, then 4 points per finger from the knuckle (MCP) to the tip.
FINGER_POINTS = {finger: tuple(range(1 + 4 * i, 5 + 4 * i)) for i, finger in enumerate(FINGERS)}
WRIST, INDEX_MCP, MIDDLE_MCP, LITTLE_MCP = 0, 5, 9, 17
THUMB_TIP, INDEX_TIP, MIDDLE_TIP = 4, 8, 12

JOINTS = ("mcp", "pip", "dip")
# Points whose place in the hand's own frame (palm lengths from the wrist) the judge reads too: the tips,
# and the thumb's and the first two fingers' middle joints, which tell T, S, N, M and K, V apart.
POSITION_POINTS = {"thumb_tip": 4, "index_tip": 8, "middle_tip": 12, "ring_tip": 16, "little_tip": 20,
                   "thumb_ip": 3, "index_pip": 6, "middle_pip": 10}
FEATURES: tuple[str, ...] = (
    *(f"bend_{f}_{j}" for f in FINGERS[1:] for j in JOINTS),  # degrees, 0 = straight
    "bend_thumb_mcp", "bend_thumb_ip",
    *(f"reach_{f}" for f in FINGERS[1:]),  # knuckle to tip, palm lengths
    "thumb_out",  # thumb tip to index knuckle, palm lengths
    "spread_index_middle", "spread_middle_ring", "spread_ring_little",  # tip gap across the hand, palm lengths
    "thumb_across",  # thumb tip across the knuckles: 0 index, 1 middle, 2 ring, 3 little
    "thumb_along",  # thumb tip above (+) or below the index knuckle, palm lengths
    "thumb_index_tip", "thumb_middle_tip",  # thumb tip to those fingertips, palm lengths
    "hand_dir", "index_dir",  # degrees from up: 0 up, 90 sideways, 180 down
    *(f"{axis}_{name}" for axis in ("along", "across") for name in POSITION_POINTS),  # in the hand's frame
)
FEATURE_INDEX = {name: i for i, name in enumerate(FEATURES)}
# Smallest spread a template may claim per feature kind, so a letter that a few signers made alike does not
# turn every small wobble into a complaint (about the landmark jitter between frames of one held hand).
MIN_SCALE = {"bend": 8.0, "reach": 0.08, "thumb_out": 0.08, "spread": 0.06, "thumb_across": 0.35,
             "thumb_along": 0.08, "thumb_index": 0.08, "thumb_middle": 0.08, "hand": 10.0, "index": 10.0,
             "along": 0.06, "across": 0.06}
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def _angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors (..., 2), degrees."""
    cos = (a * b).sum(-1) / np.maximum(np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1), 1e-9)
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))


def pose_features(points_xy: np.ndarray) -> np.ndarray:
    """(21, 2) or (N, 21, 2) landmark pixels (y down) -> (len(FEATURES),) or (N, len(FEATURES)) float32."""
    p = np.asarray(points_xy, np.float64)[..., :2]
    if p.shape[-2:] != (N_LANDMARKS, 2):
        raise ValueError(f"expected (..., {N_LANDMARKS}, 2) landmarks, got shape {p.shape}")
    single = p.ndim == 2
    p = p.reshape(-1, N_LANDMARKS, 2)
    axis = p[:, MIDDLE_MCP] - p[:, WRIST]
    palm = np.maximum(np.linalg.norm(axis, axis=-1), 1e-6)  # (N,)
    u = axis / palm[:, None]
    v = np.stack([-u[:, 1], u[:, 0]], -1)
    flip = np.where(((p[:, LITTLE_MCP] - p[:, INDEX_MCP]) * v).sum(-1) < 0, -1.0, 1.0)
    v = v * flip[:, None]  # across the knuckles toward the little finger, in the image or its mirror
    rel = p - p[:, WRIST:WRIST + 1]
    pu = (rel * u[:, None]).sum(-1) / palm[:, None]  # (N, 21) along the hand
    pv = (rel * v[:, None]).sum(-1) / palm[:, None]  # (N, 21) across it

    def dist(i: int, j: int) -> np.ndarray:
        return np.linalg.norm(p[:, i] - p[:, j], axis=-1) / palm

    def bend(prev: int, joint: int, nxt: int) -> np.ndarray:
        return _angle_deg(p[:, joint] - p[:, prev], p[:, nxt] - p[:, joint])

    def up_angle(i: int, j: int) -> np.ndarray:
        d = p[:, j] - p[:, i]
        return _angle_deg(d, np.broadcast_to(np.array([0.0, -1.0]), d.shape))  # image y points down

    columns: dict[str, np.ndarray] = {}
    for finger in FINGERS[1:]:
        mcp, pip, dip, tip = FINGER_POINTS[finger]
        columns[f"bend_{finger}_mcp"] = bend(WRIST, mcp, pip)
        columns[f"bend_{finger}_pip"] = bend(mcp, pip, dip)
        columns[f"bend_{finger}_dip"] = bend(pip, dip, tip)
        columns[f"reach_{finger}"] = dist(mcp, tip)
    columns["bend_thumb_mcp"] = bend(1, 2, 3)
    columns["bend_thumb_ip"] = bend(2, 3, 4)
    columns["thumb_out"] = dist(THUMB_TIP, INDEX_MCP)
    tips = {f: FINGER_POINTS[f][3] for f in FINGERS[1:]}
    for a, b in (("index", "middle"), ("middle", "ring"), ("ring", "little")):
        columns[f"spread_{a}_{b}"] = pv[:, tips[b]] - pv[:, tips[a]]  # < 0: the fingers cross (R)
    knuckle_span = np.maximum(pv[:, LITTLE_MCP] - pv[:, INDEX_MCP], 0.15)  # edge-on hands: no blow-up
    columns["thumb_across"] = np.clip(3.0 * (pv[:, THUMB_TIP] - pv[:, INDEX_MCP]) / knuckle_span, -3.0, 6.0)
    columns["thumb_along"] = pu[:, THUMB_TIP] - pu[:, INDEX_MCP]
    columns["thumb_index_tip"] = dist(THUMB_TIP, INDEX_TIP)
    columns["thumb_middle_tip"] = dist(THUMB_TIP, MIDDLE_TIP)
    columns["hand_dir"] = up_angle(WRIST, MIDDLE_MCP)
    columns["index_dir"] = up_angle(INDEX_MCP, INDEX_TIP)
    for name, point in POSITION_POINTS.items():
        columns[f"along_{name}"], columns[f"across_{name}"] = pu[:, point], pv[:, point]
    out = np.stack([columns[name] for name in FEATURES], -1).astype(np.float32)
    return out[0] if single else out


def _min_scale(feature: str) -> float:
    for prefix, value in MIN_SCALE.items():
        if feature.startswith(prefix):
            return value
    raise KeyError(feature)


MIN_SCALES = np.array([_min_scale(f) for f in FEATURES], np.float32)


@dataclass(frozen=True)
class LetterTemplate:
    """One letter's distribution of each feature over many signers' photos."""

    letter: str
    quantiles: np.ndarray  # (len(QUANTILES), len(FEATURES))
    n_photos: int
    n_people: int

    @property
    def median(self) -> np.ndarray:
        return self.quantiles[QUANTILES.index(0.5)]

    @property
    def scale(self) -> np.ndarray:
        """Robust spread per feature: half the 10-90% range over 1.28 (a normal's sigma), floored."""
        spread = (self.quantiles[-1] - self.quantiles[0]) / (2 * 1.2816)
        return np.maximum(spread, MIN_SCALES)

    def z(self, features: np.ndarray) -> np.ndarray:
        """Signed distance of each feature from this letter's median, in its robust spreads."""
        return (np.asarray(features, np.float32) - self.median) / self.scale


@dataclass(frozen=True)
class LetterJudge:
    """Which letter a pose looks like most: a one-hidden-layer network (tanh) on the standardised features.

    The per-feature templates alone tell a letter's photos from its usual confusions' less well (nearest
    template 78% right leave one person out on extra/, a linear judge 86%, this one 87% with ~2,200 weights;
    at the coach's margin it is quiet as often and speaks on 92% instead of 87% of confused photos), so the
    coach asks the judge whether to speak and the templates what to say. Fitted by training/make_templates.py."""

    letters: tuple[str, ...]
    mean: np.ndarray  # (len(FEATURES),)
    std: np.ndarray  # (len(FEATURES),)
    w1: np.ndarray  # (len(FEATURES), hidden)
    b1: np.ndarray  # (hidden,)
    w2: np.ndarray  # (hidden, len(letters))
    b2: np.ndarray  # (len(letters),)

    ARRAYS = ("mean", "std", "w1", "b1", "w2", "b2")

    def log_probs(self, features: np.ndarray) -> np.ndarray:
        """(len(letters),) or (N, len(letters)) log-probabilities for (F,) or (N, F) features."""
        hidden = np.tanh(((np.asarray(features, np.float64) - self.mean) / self.std) @ self.w1 + self.b1)
        logits = hidden @ self.w2 + self.b2
        logits = logits - logits.max(-1, keepdims=True)
        return logits - np.log(np.exp(logits).sum(-1, keepdims=True))

    def to_dict(self) -> dict:
        return {"letters": "".join(self.letters), **{k: np.round(getattr(self, k), 4).tolist() for k in self.ARRAYS}}

    @classmethod
    def from_dict(cls, doc: dict) -> LetterJudge:
        return cls(tuple(doc["letters"]), **{k: np.array(doc[k], np.float64) for k in cls.ARRAYS})


@dataclass(frozen=True)
class Templates:
    letters: dict[str, LetterTemplate]
    judge: LetterJudge | None = None
    credits: tuple[dict, ...] = ()  # data sources (repository, commit, licence) the templates were made from

    def __getitem__(self, letter: str) -> LetterTemplate:
        return self.letters[letter.upper()]

    def __contains__(self, letter: str) -> bool:
        return letter.upper() in self.letters


def build_templates(features: np.ndarray, labels: Sequence[str], people: Sequence[str],
                    judge: LetterJudge | None = None, credits: Sequence[dict] = ()) -> Templates:
    """Templates from (N, len(FEATURES)) features with each row's letter and person.

    Each person counts once per letter: a person's photos of a letter are weighted 1/their count, so a
    signer with 10 near-identical frames does not outvote one with 3."""
    features = np.asarray(features, np.float64)
    labels, people = np.asarray(labels), np.asarray(people)
    letters = {}
    for letter in sorted(set(labels.tolist())):
        rows = labels == letter
        weights = np.zeros(rows.sum())
        for person in set(people[rows].tolist()):
            mine = people[rows] == person
            weights[mine] = 1.0 / mine.sum()
        quantiles = np.stack([_weighted_quantiles(features[rows][:, k], weights) for k in range(len(FEATURES))], 1)
        letters[letter] = LetterTemplate(letter, quantiles.astype(np.float32), int(rows.sum()),
                                         len(set(people[rows].tolist())))
    return Templates(letters, judge, tuple(credits))


def _weighted_quantiles(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order]) - 0.5 * weights[order]
    return np.interp(np.array(QUANTILES) * weights.sum(), cumulative, values[order])


def save_templates(templates: Templates, path: str | os.PathLike, provenance: dict | None = None) -> Path:
    """Write the templates as JSON (temp file, then rename: a killed write leaves the old file)."""
    path = Path(path)
    doc = {
        "features": list(FEATURES),
        "quantiles": list(QUANTILES),
        "provenance": provenance or {},
        "credits": list(templates.credits),
        "judge": templates.judge.to_dict() if templates.judge else None,
        "letters": {t.letter: {"n_photos": t.n_photos, "n_people": t.n_people,
                               "quantiles": np.round(t.quantiles.astype(np.float64), 2).tolist()}
                    for t in templates.letters.values()},
    }
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_templates(path: str | os.PathLike | None = None) -> Templates:
    """Read templates (the bundled file by default); ValueError if the file's features differ from FEATURES."""
    path = Path(path or TEMPLATES_PATH)
    with reading_asset(path):  # a damaged file: one AssetError naming it (signcam.store.assets)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if tuple(doc.get("features", ())) != FEATURES or tuple(doc.get("quantiles", ())) != QUANTILES:
            raise ValueError(f"{path}: templates were made for other features; rebuild with "
                             "training/make_templates.py")
        letters = {letter: LetterTemplate(letter, np.array(entry["quantiles"], np.float32), int(entry["n_photos"]),
                                          int(entry["n_people"])) for letter, entry in doc["letters"].items()}
        judge = LetterJudge.from_dict(doc["judge"]) if doc.get("judge") else None
        return Templates(letters, judge, tuple(doc.get("credits", ())))


# -- depth: what a 2D view hides (M vs N: how many fingers fold over the thumb) ------------------------------------
DEPTH_PATH = ASSETS_DIR / "depth_contrasts.json"
DEPTH_PAIRS = (("M", "N"),)  # letters whose 2D templates differ by less than a spread in every aspect
COVER_FINGERS = ("index", "middle", "ring", "little")
DEPTH_FEATURES: tuple[str, ...] = (
    "thumb_across_3d",  # thumb tip across the knuckles in 3D: 0 index knuckle, 1 little knuckle
    "thumb_depth",  # thumb tip in front of (+) the palm plane, palm lengths
    *(f"cover_{f}_tip" for f in COVER_FINGERS),  # fingertip in front of the thumb tip, palm lengths
    *(f"cover_{f}_pip" for f in COVER_FINGERS),  # middle joint in front of the thumb tip
    *(f"thumb_to_{f}_pip" for f in COVER_FINGERS),  # thumb tip to that middle joint, palm lengths
    "thumb_gap_index_middle", "thumb_gap_middle_ring", "thumb_gap_ring_little",  # thumb tip to the middle of two
)


def depth_features(world_xyz: np.ndarray, side: str | None) -> np.ndarray:
    """(21, 3) MediaPipe world landmarks (metres) and the hand's side in the image -> (len(DEPTH_FEATURES),).

    Depths are along the palm's normal; a left hand is a right hand mirrored, so its normal is turned round."""
    w = np.asarray(world_xyz, np.float64)
    palm = max(float(np.linalg.norm(w[MIDDLE_MCP] - w[WRIST])), 1e-6)
    normal = np.cross(w[INDEX_MCP] - w[WRIST], w[LITTLE_MCP] - w[WRIST])
    normal = normal / max(float(np.linalg.norm(normal)), 1e-9) * (-1.0 if side == "left" else 1.0)
    knuckles = w[LITTLE_MCP] - w[INDEX_MCP]
    thumb = w[THUMB_TIP]
    pips = {f: w[FINGER_POINTS[f][1]] for f in COVER_FINGERS}
    tips = {f: w[FINGER_POINTS[f][3]] for f in COVER_FINGERS}
    out = [float((thumb - w[INDEX_MCP]) @ knuckles / max(float(knuckles @ knuckles), 1e-9)),
           float((thumb - w[WRIST]) @ normal / palm)]
    out += [float((tips[f] - thumb) @ normal / palm) for f in COVER_FINGERS]
    out += [float((pips[f] - thumb) @ normal / palm) for f in COVER_FINGERS]
    out += [float(np.linalg.norm(pips[f] - thumb) / palm) for f in COVER_FINGERS]
    out += [float(np.linalg.norm(thumb - (pips[a] + pips[b]) / 2) / palm)
            for a, b in zip(COVER_FINGERS[:-1], COVER_FINGERS[1:], strict=True)]
    return np.array(out, np.float32)


@dataclass(frozen=True)
class DepthContrast:
    """One number that tells two letters apart in depth: a ridge-regularised linear discriminant of the
    standardised DEPTH_FEATURES, with each letter's median and robust spread of it."""

    pair: tuple[str, str]
    mean: np.ndarray  # (len(DEPTH_FEATURES),)
    std: np.ndarray
    weights: np.ndarray
    median: dict[str, float]
    scale: dict[str, float]

    def value(self, depth: np.ndarray) -> np.ndarray:
        return ((np.asarray(depth, np.float64) - self.mean) / self.std) @ self.weights

    def deviation(self, letter: str, depth: np.ndarray) -> float:
        """Signed distance of a hand from `letter`'s typical value, in its robust spreads."""
        return float((self.value(depth) - self.median[letter]) / self.scale[letter])

    def to_dict(self) -> dict:
        return {"pair": "".join(self.pair), "mean": np.round(self.mean, 5).tolist(),
                "std": np.round(self.std, 5).tolist(), "weights": np.round(self.weights, 5).tolist(),
                "median": self.median, "scale": self.scale}

    @classmethod
    def from_dict(cls, doc: dict) -> DepthContrast:
        return cls(tuple(doc["pair"]), *(np.array(doc[k], np.float64) for k in ("mean", "std", "weights")),
                   dict(doc["median"]), dict(doc["scale"]))


def fit_depth_contrast(depth: np.ndarray, letters: np.ndarray, pair: tuple[str, str],
                       ridge: float = 1.0) -> DepthContrast:
    """The discriminant between the pair's photos (rows of `depth` with a hand's world landmarks)."""
    a, b = (np.asarray(letters) == pair[0]), (np.asarray(letters) == pair[1])
    both = depth[a | b].astype(np.float64)
    mean, std = both.mean(0), both.std(0) + 1e-6
    za, zb = (depth[a] - mean) / std, (depth[b] - mean) / std
    within = np.cov(za.T) + np.cov(zb.T) + ridge * np.eye(depth.shape[1])
    weights = np.linalg.solve(within, za.mean(0) - zb.mean(0))
    median, scale = {}, {}
    for letter, z in zip(pair, (za, zb), strict=True):
        values = z @ weights
        q25, q50, q75 = np.percentile(values, [25, 50, 75])
        median[letter], scale[letter] = float(q50), max(float(q75 - q25) / 1.349, 1e-6)
    return DepthContrast(pair, mean, std, weights, median, scale)


def save_depth_contrasts(contrasts: Sequence[DepthContrast], path: str | os.PathLike, provenance: dict) -> Path:
    path = Path(path)
    doc = {"features": list(DEPTH_FEATURES), "provenance": provenance, "contrasts": [c.to_dict() for c in contrasts]}
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def load_depth_contrasts(path: str | os.PathLike | None = None) -> dict[frozenset, DepthContrast]:
    """{frozenset(pair): contrast} from the bundled (or given) file; empty when it is missing or out of date."""
    path = Path(path or DEPTH_PATH)
    if not path.exists():
        return {}
    with reading_asset(path):  # a damaged file: one AssetError naming it (signcam.store.assets)
        doc = json.loads(path.read_text(encoding="utf-8"))
        if tuple(doc.get("features", ())) != DEPTH_FEATURES:
            return {}
        return {frozenset(c["pair"]): DepthContrast.from_dict(c) for c in doc["contrasts"]}
