"""Combining any number of letter models' probabilities into the one confidence the app shows.

A weighted geometric mean, renormalised: models that agree reinforce each other, and a disagreement lowers
the confidence toward "unsure" (benchmarks/README.md compares it with the arithmetic mean). A temperature
then sharpens or softens the result so that its confidence means what it says on people the models never
saw. The shares and the temperature live in the recognition config (signcam.pipeline.config, with how they were
chosen); the app, `signcam predict` and the benchmarks all fuse through `GeometricFuser`.

Usage:
    fuser = GeometricFuser({"cnn": 0.3, "landmarks": 0.7}, temperature=0.9)
    probs = fuser.fuse({"cnn": cnn_probs, "landmarks": None})   # None: that model had nothing to say
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

Share = float | np.ndarray  # one number, or (K,): one per letter (weights fine-tuned on some of the learner's letters)


def geometric_mean(probs: list[np.ndarray], shares: list[Share], temperature: float) -> np.ndarray:
    """softmax(sum_i share_i log p_i / temperature) of (..., K) probability arrays; shares sum to 1 (per letter
    when they are (K,) arrays)."""
    log_p = sum(share * np.log(np.maximum(p, 1e-12)) for p, share in zip(probs, shares, strict=True))
    log_p = log_p / temperature
    fused = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
    return fused / fused.sum(axis=-1, keepdims=True)


class GeometricFuser:
    """Fuses the models that answered (a model without a share is ignored), their shares renormalised over
    them (letter by letter for per-letter shares). A lone answer passes through
    unchanged: each model is calibrated by its own temperature, and the fused temperature was fitted on the
    combination."""

    def __init__(self, shares: Mapping[str, Share], temperature: float = 1.0) -> None:
        if temperature <= 0.0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        values = [np.asarray(share, dtype=np.float64) for share in shares.values()]
        if not values or any((v < 0.0).any() for v in values) or not (sum(values) > 0.0).all():
            raise ValueError(f"shares must be >= 0 and not all 0, got {dict(shares)}")
        self.shares = {name: share if np.ndim(share) else float(share) for name, share in shares.items()}
        self.temperature = temperature

    def fuse(self, probs: Mapping[str, np.ndarray | None]) -> np.ndarray | None:
        """(..., K) fused probabilities of the models in `probs` that gave some (not None); None if none did."""
        answered = [(p, self.shares[name]) for name, p in probs.items() if p is not None and name in self.shares]
        if len(answered) <= 1:
            return answered[0][0] if answered else None
        total = sum(share for _, share in answered)
        if np.any(np.asarray(total) == 0.0):
            raise ValueError(f"every model that answered has share 0 ({sorted(probs)})")
        return geometric_mean([p for p, _ in answered], [share / total for _, share in answered], self.temperature)
