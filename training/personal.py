"""Personal samples as training data: an honest per-letter hold-out and oversampling. No Qt here.

A learner captures a handful of crops per letter (signcam.store.samples); a few thousand Sign-MNIST rows
would drown them, so they are repeated until they make up `share` of each epoch. Before that, a part
of every letter is held back and never trained on: the report's "your hand" accuracy comes from it,
as the official test set gives the "everyone" accuracy.
"""

import math
from pathlib import Path

import numpy as np

from signcam.store.samples import SampleStore
from training.data import CsvError, Dataset, stratified_split
from training.judge import Hands


def load_personal(root: str | Path) -> Dataset:
    """The samples in a SampleStore folder as a Dataset; CsvError (the trainer's one data error) when
    there are none, so the dialog and the CLI report it the same way as a bad CSV."""
    root = Path(root)
    store = SampleStore(root)
    if len(store) == 0:
        raise CsvError(f"{root}: no personal samples (capture some with Training > Capture my samples)")
    images, labels = store.arrays()
    return Dataset(images, labels, str(root), "")


def split_indices(labels: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, held back) indices: `holdout` of each letter is held back; letters with one sample train only."""
    if holdout <= 0:
        return np.arange(len(labels)), np.zeros(0, dtype=np.int64)
    return stratified_split(labels, holdout, seed)


def split_personal(data: Dataset, holdout: float, seed: int) -> tuple[Dataset, Dataset]:
    """(train, held back) by split_indices."""
    train_idx, held_idx = split_indices(data.labels, holdout, seed)
    return data.subset(train_idx), data.subset(held_idx)


def held_back_hands(root: str | Path, holdout: float, seed: int) -> Hands:
    """split_personal's held-back samples with their landmarks, for the judge (training.judge): it reads them with
    both models, as the app reads the learner's hand."""
    store = SampleStore(root)
    images, labels = store.arrays()
    held = split_indices(labels, holdout, seed)[1]
    return Hands(images[held], labels[held], store.landmarks()[held])


def repeats_for_share(n_personal: int, n_other: int, share: float) -> int:
    """How many copies of the personal rows make them about `share` of the combined rows (at least 1)."""
    if n_personal == 0:
        return 0
    if n_other == 0 or share >= 1:
        return 1
    return max(1, math.ceil(share * n_other / ((1 - share) * n_personal)))


def combine(csv_rows: Dataset, personal: Dataset, share: float) -> Dataset:
    """The CSV training rows plus the personal rows repeated to about `share` of the total."""
    reps = repeats_for_share(len(personal), len(csv_rows), share)
    images = np.concatenate([csv_rows.images, *([personal.images] * reps)])
    labels = np.concatenate([csv_rows.labels, *([personal.labels] * reps)])
    return Dataset(images, labels, f"{csv_rows.source} + {personal.source} x{reps}", csv_rows.sha256)
