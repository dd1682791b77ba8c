"""extra/'s photos (MIT, ~20 signers) as CNN training and validation rows, split by person.

Sign-MNIST's 27,455 rows come from ~1,700 photos of seven people, so a CNN trained on them alone reads a
stranger's crop poorly. extra/ (next to the Sign-MNIST CSVs) adds 4,630 webcam photos of ~20 people, cropped
exactly as the app crops (training.photos). Frames of one person are near-duplicates, so validation holds out
whole people: the `signer_id`s of one person (evriel714_s1..s4, recorded in four sessions) go together.
The photos where MediaPipe found no hand (3.4%) have no crop and are left out, as the app shows no letter there.
"""

import hashlib
from pathlib import Path

import numpy as np

from training.data import Dataset
from training.photos import load_photo_set

EXTRA_DIR = "extra"  # the folder beside the Sign-MNIST CSVs


def split_persons(persons: np.ndarray, val_fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of the rows whose person is held out for validation: a seeded choice of about
    `val_fraction` of the people (at least one when val_fraction > 0 and there are two or more)."""
    names = np.array(sorted(set(persons.tolist())))
    n_val = 0 if val_fraction <= 0 or len(names) < 2 else max(1, round(len(names) * val_fraction))
    held = np.random.default_rng(seed).permutation(names)[:n_val]
    return np.isin(persons, held)


def load_extra(folder: str | Path, val_fraction: float, seed: int, sample: int | None = None
               ) -> tuple[Dataset, Dataset, np.ndarray]:
    """(training rows, validation rows, the validation rows' persons) of extra/'s found hands; `sample`: of only
    that many photos spread over the set (training.photos.load_photo_set), for a dry run."""
    folder = Path(folder)
    photos = load_photo_set(folder, sample=sample)
    photos = photos.subset(photos.found)
    persons = photos.persons()
    held = split_persons(persons, val_fraction, seed)
    digest = hashlib.sha256((folder / "labels.csv").read_bytes()).hexdigest()
    rows = Dataset(photos.crops, photos.labels, str(folder / "labels.csv"), digest)
    return rows.subset(np.flatnonzero(~held)), rows.subset(np.flatnonzero(held)), persons[held]


def concat(a: Dataset, b: Dataset) -> Dataset:
    """Rows of `a` then `b`; source and digest name both."""
    return Dataset(np.concatenate([a.images, b.images]), np.concatenate([a.labels, b.labels]),
                   f"{a.source} + {b.source}", f"{a.sha256}+{b.sha256}")
