"""How well the coach coaches, leave one person out over extra/ and on real_dev's five people.

Two figures (issue 15):
- quiet on the right letter: for a photo of letter X coached toward X, the share where the coach says the
  hand matches (target >= 90%);
- useful hints: for a photo of Y coached toward X, where (X, Y) is a usual confusion, the share where the coach
  speaks and every hint names a real difference between the two templates: the aspect of Y's median pose is
  off X's template by at least REAL_DIFFERENCE robust spreads, in the direction the hint asks to change
  (target >= 85%).
Templates and the depth contrasts (M vs N from MediaPipe's world landmarks, training/make_depth_contrasts.py)
are rebuilt without the held-out person (extra/; evriel714's sessions s1-s4 count as one person); real_dev is
judged against templates and contrasts from all of extra/. `--no-depth` measures the coach on 2D landmarks
only. It also writes a markdown table of the hints given per pair, for a person to read.

Usage:
    python benchmarks/coach.py --data ../shared/data [--margin M] [--sweep] [--hints-md benchmarks/coach-hints.md]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.practice.coach import DEPTH_MIN, DEPTH_SPEAK, MARGIN, REAL_DIFFERENCE, Coach
from signcam.practice.pose import (
    DEPTH_FEATURES,
    DEPTH_PAIRS,
    DepthContrast,
    Templates,
    depth_features,
    fit_depth_contrast,
    pose_features,
)
from training.make_templates import make_templates
from training.photos import SIDES, load_photo_set

PAIRS = (("T", "S"), ("N", "M"), ("K", "V"), ("G", "H"), ("G", "P"), ("H", "P"), ("E", "S"), ("A", "S"),
         ("D", "L"), ("R", "U"), ("R", "V"), ("U", "V"))


def load(data: Path, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(features, letters, people, depth features) of the photos of one set where a hand was found; depth rows
    are NaN where MediaPipe gave no world landmarks."""
    photos = load_photo_set(data / name)
    photos = photos.subset(photos.found)
    letters = np.array([LETTERS[i] for i in photos.labels])
    people = photos.persons()
    depth = np.array([depth_features(w, SIDES[side]) if np.isfinite(w).all() else np.full(len(DEPTH_FEATURES), np.nan)
                      for w, side in zip(photos.world, photos.sides, strict=True)])
    return pose_features(photos.points), letters, people, depth


def make_contrasts(depth: np.ndarray, letters: np.ndarray) -> dict[frozenset, DepthContrast]:
    """The depth contrasts of DEPTH_PAIRS from these photos (the rows with world landmarks)."""
    ok = np.isfinite(depth).all(1)
    return {frozenset(pair): fit_depth_contrast(depth[ok], letters[ok], pair) for pair in DEPTH_PAIRS}


def real_difference(coach: Coach, target: str, other: str, aspect: str, deviation: float) -> bool:
    """Is the other letter's typical pose off the target's template in this aspect, the way the hint says?"""
    templates = coach.templates
    if aspect.startswith("depth_"):  # the other letter's typical value in the pair's depth contrast
        contrast = coach.contrasts[frozenset((target, other))]
        toward = np.sign(contrast.median[other] - contrast.median[target])
        other_dev = toward * (contrast.median[other] - contrast.median[target]) / contrast.scale[target]
        return other_dev >= REAL_DIFFERENCE and deviation > 0
    other_dev = coach.deviations(target, templates[other].median).get(aspect, 0.0)
    return abs(other_dev) >= REAL_DIFFERENCE and np.sign(other_dev) == np.sign(deviation)


def judge(coach: Coach, features: np.ndarray, letters: np.ndarray, depth: np.ndarray | None, group: str,
          rows: list[dict]) -> None:
    """Append one row per (photo, target) judgement to `rows` (depth None: 2D landmarks only)."""
    for k, (f, letter) in enumerate(zip(features, letters, strict=True)):
        d = None if depth is None or not np.isfinite(depth[k]).all() else depth[k]
        advice = coach.advise_features(letter, f, depth=d)
        rows.append({"group": group, "kind": "same", "target": letter, "photo": letter, "ok": advice.matches,
                     "texts": ()})
        for a, b in PAIRS:
            if letter not in (a, b):
                continue
            target = b if letter == a else a
            advice = coach.advise_features(target, f, depth=d)
            real = [real_difference(coach, target, letter, h.aspect, h.deviation) for h in advice.hints]
            rows.append({"group": group, "kind": "pair", "target": target, "photo": letter,
                         "ok": bool(real) and all(real), "texts": tuple(h.text for h in advice.hints),
                         "real": tuple(real)})


# (group, templates and depth contrasts without the group, its features, letters, depth features)
Fold = tuple[str, Templates, dict, np.ndarray, np.ndarray, np.ndarray]


def folds(data: Path) -> list[Fold]:
    """One fold per person of extra/ (templates from everyone else), one per person of real_dev (all extra/)."""
    features, letters, people, depth = load(data, "extra")
    out = []
    for person in sorted(set(people)):
        held = people == person
        out.append((f"extra/{person}", make_templates(features[~held], letters[~held], people[~held]),
                    make_contrasts(depth[~held], letters[~held]), features[held], letters[held], depth[held]))
    if (data / "real_dev" / "labels.csv").exists():
        templates, contrasts = make_templates(features, letters, people), make_contrasts(depth, letters)
        dev_features, dev_letters, dev_people, dev_depth = load(data, "real_dev")
        for person in sorted(set(dev_people)):
            held = dev_people == person
            out.append((f"real_dev/{person}", templates, contrasts, dev_features[held], dev_letters[held],
                        dev_depth[held]))
    return out


def evaluate(fold_list: list[Fold], margin: float, use_depth: bool = True) -> list[dict]:
    rows: list[dict] = []
    for group, templates, contrasts, features, letters, depth in fold_list:
        judge(Coach(templates, margin, contrasts=contrasts), features, letters, depth if use_depth else None,
              group, rows)
    return rows


def rate(rows: list[dict]) -> tuple[float, int]:
    return (float(np.mean([r["ok"] for r in rows])) if rows else float("nan")), len(rows)


def summary_table(rows: list[dict]) -> str:
    lines = ["| group | quiet on right letter | useful hints on confusions |", "|---|---|---|"]
    groups = sorted({r["group"] for r in rows})
    for label, members in [("extra/ pooled (LOPO)", [g for g in groups if g.startswith("extra/")]),
                           ("real_dev pooled", [g for g in groups if g.startswith("real_dev/")]), *[
                               (g, [g]) for g in groups]]:
        mine = [r for r in rows if r["group"] in members]
        (same, n_same), (pair, n_pair) = (rate([r for r in mine if r["kind"] == k]) for k in ("same", "pair"))
        lines.append(f"| {label} | {same:.1%} of {n_same} | {pair:.1%} of {n_pair} |")
    return "\n".join(lines)


def per_letter_table(rows: list[dict]) -> str:
    lines = ["| letter | quiet (extra LOPO) | quiet (real_dev) |", "|---|---|---|"]
    for letter in LETTERS:
        cells = [rate([r for r in rows if r["kind"] == "same" and r["target"] == letter and
                       r["group"].startswith(prefix)]) for prefix in ("extra/", "real_dev/")]
        lines.append(f"| {letter} | " + " | ".join(f"{v:.0%} of {n}" for v, n in cells) + " |")
    return "\n".join(lines)


def hints_markdown(rows: list[dict]) -> str:
    """Per pair and direction: the share of useful hints and the most frequent hint texts."""
    out = ["| photo of | coached toward | useful | n | most frequent hints (share of photos) |",
           "|---|---|---|---|---|"]
    for a, b in PAIRS:
        for photo, target in ((a, b), (b, a)):
            mine = [r for r in rows if r["kind"] == "pair" and r["photo"] == photo and r["target"] == target]
            if not mine:
                continue
            counts = collections.Counter(text for r in mine for text in r["texts"] or ("(matches: no hint)",))
            top = "; ".join(f"{text} ({n / len(mine):.0%})" for text, n in counts.most_common(4))
            out.append(f"| {photo} | {target} | {rate(mine)[0]:.0%} | {len(mine)} | {top} |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/ and real_dev/")
    parser.add_argument("--margin", type=float, default=MARGIN, help=f"(default: {MARGIN})")
    parser.add_argument("--sweep", action="store_true", help="print both figures on extra/ for several margins")
    parser.add_argument("--no-depth", action="store_true", help="2D landmarks only, as before world landmarks")
    parser.add_argument("--hints-md", type=Path, default=None, help="write the hint table here (default: none)")
    args = parser.parse_args(argv)
    fold_list = folds(args.data)
    if args.sweep:
        extra = [f for f in fold_list if f[0].startswith("extra/")]
        for margin in (0.25, 0.5, 0.75, 1.0, 1.25, 1.5):
            rows = evaluate(extra, margin)
            same, pair = (rate([r for r in rows if r["kind"] == k])[0] for k in ("same", "pair"))
            print(f"margin {margin:.2f}: quiet {same:.1%}, useful {pair:.1%} (extra/ LOPO)", flush=True)
        return 0
    rows = evaluate(fold_list, args.margin, use_depth=not args.no_depth)
    settings = (f"margin {args.margin}, real difference >= {REAL_DIFFERENCE} robust spreads, "
                f"{'2D only' if args.no_depth else f'depth contrasts for {DEPTH_PAIRS}: named at >= {DEPTH_MIN}, '}"
                f"{'' if args.no_depth else f'spoken over the judge at >= {DEPTH_SPEAK} spreads'}")
    print(settings, "\n")
    print(summary_table(rows), "\n")
    print(per_letter_table(rows), "\n")
    table = hints_markdown(rows)
    print(table)
    if args.hints_md:
        args.hints_md.write_text(
            f"# Coach hints per confused pair\n\nWritten by `python benchmarks/coach.py --data DATA --hints-md "
            f"{args.hints_md}` ({settings}). \"useful\": the coach spoke and every hint names a real difference "
            "between the two letters' templates. extra/ leave one person out and real_dev pooled.\n\n"
            f"{table}\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
