"""Metrics (accuracy, per-letter precision/recall, confusion matrix) and the JSON and PNG reports."""

import json
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.store.files import atomic_path, atomic_write_text


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    """Accuracy, per-letter precision/recall/support and the confusion matrix (rows = actual)."""
    k = len(LETTERS)
    confusion = np.bincount(y_true * k + y_pred, minlength=k * k).reshape(k, k)
    support = confusion.sum(axis=1)
    predicted = confusion.sum(axis=0)
    hits = np.diag(confusion)
    per_letter = {
        letter: {
            "precision": float(hits[i] / predicted[i]) if predicted[i] else None,
            "recall": float(hits[i] / support[i]) if support[i] else None,
            "support": int(support[i]),
        }
        for i, letter in enumerate(LETTERS)
    }
    return {
        "accuracy": float(hits.sum() / max(1, len(y_true))),
        "n": int(len(y_true)),
        "errors": int(len(y_true) - hits.sum()),
        "per_letter": per_letter,
        "confusion": confusion.tolist(),
    }


def format_metrics(metrics: dict) -> str:
    """A human-readable table: overall accuracy, per-letter recall/precision, top confusions."""
    lines = [f"accuracy {metrics['accuracy']:.4%} ({metrics['n'] - metrics['errors']}/{metrics['n']})", ""]
    lines.append("letter  recall  precision  n")
    for letter, m in metrics["per_letter"].items():
        rec = "-" if m["recall"] is None else f"{m['recall']:.3f}"
        prec = "-" if m["precision"] is None else f"{m['precision']:.3f}"
        lines.append(f"{letter:>6}  {rec:>6}  {prec:>9}  {m['support']}")
    confusion = np.array(metrics["confusion"])
    np.fill_diagonal(confusion, 0)
    pairs = [(int(confusion[i, j]), LETTERS[i], LETTERS[j]) for i, j in zip(*np.nonzero(confusion), strict=True)]
    if pairs:
        lines += ["", "most confused (actual -> predicted): "
                  + ", ".join(f"{a}->{p} x{n}" for n, a, p in sorted(pairs, reverse=True)[:8])]
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> None:
    """Atomic like the weights: a half-written report never replaces a good one."""
    atomic_write_text(path, json.dumps(payload, indent=1))


def write_png(path: Path, history: list[dict], confusion: list[list[int]], title: str) -> None:
    """Loss and accuracy curves beside the test confusion matrix, written atomically like the JSON."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc, ax_cm) = plt.subplots(1, 3, figsize=(16, 5), gridspec_kw={"width_ratios": [1, 1, 1.3]})
    epochs = [h["epoch"] for h in history]
    ax_loss.plot(epochs, [h["train_loss"] for h in history], label="train")
    ax_loss.plot(epochs, [h["val_loss"] for h in history], label="validation")
    ax_loss.set(xlabel="epoch", ylabel="loss", title="Loss")
    ax_loss.legend()
    ax_acc.plot(epochs, [h["val_acc"] for h in history], label="validation", color="C1")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="Validation accuracy")
    matrix = np.array(confusion, dtype=float)
    shown = ax_cm.imshow(np.log1p(matrix), cmap="Blues")
    ax_cm.set(xticks=range(len(LETTERS)), yticks=range(len(LETTERS)), xticklabels=LETTERS, yticklabels=LETTERS,
              xlabel="predicted", ylabel="actual", title="Test confusion (log scale)")
    for i, j in zip(*np.nonzero((matrix > 0) & ~np.eye(len(LETTERS), dtype=bool)), strict=True):
        ax_cm.text(j, i, int(matrix[i, j]), ha="center", va="center", fontsize=7, color="crimson")
    fig.colorbar(shown, ax=ax_cm, fraction=0.046)
    fig.suptitle(title)
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:  # savefig writes in place: a kill mid-write would leave 0 bytes
            fig.savefig(tmp, dpi=90, format="png")
    finally:
        plt.close(fig)
