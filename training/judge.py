"""Is a candidate better than the weights in use? Judged letter by letter, through the app's own fusion. No Qt here.

A fine-tune on a few crops of one letter can read that letter better and every other letter worse (issue 29), and
the official test set alone never shows it: its people are the ones the CNN learnt from, and it has no landmarks.
So the Retrain report scores the candidate and the weights in use on three sets, with the models and the fusion
shares the app would use for each (signcam.pipeline.builder.build_models and build_fuser):
  - "yours": the learner's held-back samples (never trained on), letter by letter;
  - "others": JUDGE_HANDS, a fixed set of other people's hands that ships with the app (extra/'s and extra2/'s
    signers, crop and landmarks as the app's still-photo path made them; training/make_judge_hands.py);
  - "test": the official test set (no landmarks: the picture models alone, as the app reads a hand in box mode).
The verdict is "worse" when a letter of yours lost a sample, or other people's hands or the official test lost more
than TOLERANCE; the app then makes Discard the default and says what got worse.

Usage:
    judgement = judge("candidate.safetensors", "in_use.safetensors", yours=Hands(crops, labels, points),
                      test=Hands(test_images, test_labels))
    judgement["verdict"], judgement["message"]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.models.letter_models import CnnModel
from signcam.pipeline.builder import build_fuser, build_models
from signcam.pipeline.config import RecognitionConfig
from signcam.store.assets_dir import ASSETS_DIR

JUDGE_HANDS = ASSETS_DIR / "judge_hands.npz"
TOLERANCE = 0.01  # other people's hands and the official test may lose at most this share (1 point)
FEW_LETTERS = 12  # a candidate fine-tuned on fewer of the learner's letters than this: "capture more letters"


@dataclass(frozen=True)
class Hands:
    """Hands to judge on: row i is one hand."""

    crops: np.ndarray  # (N, 28, 28) uint8, the CNN's input
    labels: np.ndarray  # (N,) int64 index into LETTERS
    points: np.ndarray | None = None  # (N, 21, 2) float32 pixel landmarks, NaN rows where none; None: no landmarks

    def __len__(self) -> int:
        return len(self.labels)


def load_judge_hands(path: str | Path = JUDGE_HANDS) -> Hands:
    with np.load(path) as z:
        return Hands(z["crops"], z["labels"].astype(np.int64), z["points"].astype(np.float32))


class FusedReader:
    """The app's models and fusion for one CNN weights file (None: the bundled ones), built once and used on any
    number of hand sets: the models the app loads beside those weights, at the shares it gives them."""

    def __init__(self, weights: str | Path | None, device: str = "cpu") -> None:
        config = RecognitionConfig(weights=None if weights is None else str(weights), device=device)
        self.models = build_models(config)
        self.fuser = build_fuser(config, self.models)

    @property
    def personal_letters(self) -> dict[str, int]:
        """The learner's letters the CNN weights were fine-tuned on, with their sample counts ({}: none)."""
        return next(m for m in self.models if m.name == "cnn").personal_letters

    def predict(self, hands: Hands) -> np.ndarray:
        """(N,) the letter the app would show for each hand (argmax of the fused probabilities); a hand without
        landmarks is read by the picture models alone, as the app reads it in the box and full modes."""
        pictures = {m.name: m.batch_probabilities(hands.crops) for m in self.models if isinstance(m, CnnModel)}
        fused = self.fuser.fuse(pictures).copy()
        landmarks = next((m for m in self.models if m.name == "landmarks"), None)
        found = np.zeros(len(hands), bool) if hands.points is None else ~np.isnan(hands.points[:, 0, 0])
        if landmarks is not None and found.any():
            both = {name: p[found] for name, p in pictures.items()}
            fused[found] = self.fuser.fuse({**both, "landmarks": landmarks.batch_probabilities(hands.points[found])})
        return fused.argmax(axis=1)


def fused_predictions(weights: str | Path | None, hands: Hands, device: str = "cpu") -> np.ndarray:
    """FusedReader(weights).predict(hands), for one set of hands."""
    return FusedReader(weights, device).predict(hands)


def compare(labels: np.ndarray, before: np.ndarray, after: np.ndarray) -> dict:
    """Right before and after, in all and per letter (letters with no hand left out)."""
    per_letter = {}
    for k, letter in enumerate(LETTERS):
        rows = labels == k
        if rows.any():
            per_letter[letter] = {"n": int(rows.sum()), "before": int((before[rows] == k).sum()),
                                  "after": int((after[rows] == k).sum())}
    n = len(labels)
    return {"n": n, "before": float(np.mean(before == labels)) if n else None,
            "after": float(np.mean(after == labels)) if n else None, "per_letter": per_letter}


def _letters(per_letter: dict, worse: bool) -> list[str]:
    """The letters that lost (worse) or gained (not worse) a hand, the biggest change first."""
    change = {letter: m["after"] - m["before"] for letter, m in per_letter.items()}
    return sorted((letter for letter, c in change.items() if (c < 0 if worse else c > 0)),
                  key=lambda letter: abs(change[letter]), reverse=True)


def _names(letters: list[str], most: int = 6) -> str:
    return ", ".join(letters[:most]) + (f" and {len(letters) - most} more" if len(letters) > most else "")


def verdict(groups: dict, personal_letters: dict[str, int]) -> tuple[str, str]:
    """("better" | "same" | "worse", one sentence for the learner)."""
    good, bad = [], []
    if yours := groups.get("yours"):
        if better := _letters(yours["per_letter"], worse=False):
            good.append(f"reads your {_names(better)} better")
        if worse := _letters(yours["per_letter"], worse=True):
            bad.append(f"reads your {_names(worse)} worse")
    for key, what in (("others", "other people's hands"), ("test", "the official test set")):
        group = groups.get(key)
        if not group or group["before"] is None:
            continue
        change = group["after"] - group["before"]
        figures = f"{group['before']:.1%} → {group['after']:.1%} right"
        if change < -TOLERANCE:
            lost = _letters(group["per_letter"], worse=True)
            bad.append(f"reads {what} worse ({figures}; most of all {_names(lost, 4)})")
        elif change > TOLERANCE:
            good.append(f"reads {what} better ({figures})")
    if bad:
        advice = ("capture more letters" if len(personal_letters) < FEW_LETTERS else
                  "capture more samples of each letter")
        lead = f"{good[0][0].upper()}{good[0][1:]}, but " if good else ""
        text = f"{lead}{' and '.join(bad)}" if good else f"{bad[0][0].upper()}{' and '.join(bad)[1:]}"
        return "worse", f"{text}: {advice}. Discard keeps the weights in use."
    if good:
        return "better", f"{good[0][0].upper()}{'; '.join(good)[1:]}, and nothing got worse."
    return "same", "Reads as well as the weights in use: nothing got worse, nothing better."


def judge(candidate: str | Path, current: str | Path | None, *, yours: Hands | None = None,
          others: Hands | None = None, test: Hands | None = None, device: str = "cpu") -> dict:
    """{"verdict", "message", "groups": {"yours", "others", "test": compare()'s dicts}} of `candidate` against
    `current` (None: the bundled weights). `others` defaults to JUDGE_HANDS; `test` is the official test set."""
    others = load_judge_hands() if others is None else others
    before, after = FusedReader(current, device), FusedReader(candidate, device)  # each built once
    groups = {}
    for key, hands in (("yours", yours), ("others", others), ("test", test)):
        if hands is not None and len(hands):
            groups[key] = compare(hands.labels, before.predict(hands), after.predict(hands))
    personal_letters = after.personal_letters
    kind, message = verdict(groups, personal_letters)
    return {"verdict": kind, "message": message, "groups": groups, "personal_letters": personal_letters}
