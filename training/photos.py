"""Labelled hand photos of many signers (extra/, real_dev/) as arrays, located and cropped exactly as the app does.

Sign-MNIST holds ~1,700 photos of seven people; `extra/` adds ~20 signers (MIT, may train bundled weights) and
`real_dev/` five more (development only). Both models learn and are chosen on whole signers, so every photo
keeps its signer. Each photo goes through the app's own still-photo path: `make_locator("auto", video=False)`
(MediaPipe's full model, static mode, black-border retry, then the brightened and contrast-stretched retries)
and `crop_hand` (left hands mirrored, as the Recognizer does), so training sees what the app sees. MediaPipe
costs ~40-60 ms a photo on one core, so the result is cached in `~/.cache/signcam`, keyed by the labels file,
the locator's settings and EXTRACT_VERSION.

Usage:
    python -m training.photos --data ../shared/data        # extracts (or loads) extra/ and real_dev/, prints rates
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import cv2
import numpy as np
from platformdirs import user_cache_dir
from tqdm import tqdm

from signcam.labels import LETTERS
from signcam.pipeline.locate import make_locator
from signcam.pipeline.preprocess import crop_hand

log = logging.getLogger("signcam.train.photos")

PHOTO_SETS = ("extra", "extra2", "extra3", "real_dev")  # folders under the data folder that hold labels.csv + photos
SIDES = ("", "right", "left")  # side codes in the cache: MediaPipe's handedness as the locator reports it
# Bump when the locator or the crop changes, so caches are rebuilt (2: z and world landmarks, photo retries;
# 3: the official MediaPipe's Tasks HandLandmarker; 4: photos settled by tracking, as the live view reads them).
EXTRACT_VERSION = 4


def person_of(signer_id: str) -> str:
    """The person behind a signer id: sessions of one account ("evriel714_s1".."_s4") count as one person,
    because extra/PROVENANCE.md cannot tell them apart; validation holds out persons, not sessions."""
    return re.sub(r"_s\d+$", "", signer_id)


@dataclass(frozen=True)
class PhotoSet:
    """One labelled photo set; row i of every array is photo `paths[i]`."""

    name: str  # "extra" | "real_dev"
    paths: np.ndarray  # (N,) str, relative to the set's folder
    labels: np.ndarray  # (N,) int64 index into LETTERS
    signers: np.ndarray  # (N,) str: whole signers are held out together
    sources: np.ndarray  # (N,) str: the repository (credit) or collection
    found: np.ndarray  # (N,) bool: the locator found a hand
    points: np.ndarray  # (N, 21, 2) float32 landmark pixels in the photo; NaN where not found
    z: np.ndarray  # (N, 21) float32 Box.landmarks_z (depth relative to the wrist, x's pixel units); NaN where not found
    world: np.ndarray  # (N, 21, 3) float32 Box.world_landmarks (metres); NaN where not found
    sides: np.ndarray  # (N,) int8 index into SIDES
    boxes: np.ndarray  # (N, 4) int32 x, y, w, h; 0 where not found
    crops: np.ndarray  # (N, 28, 28) uint8 the app's model input (mirrored for left hands); 0 where not found

    def subset(self, mask: np.ndarray) -> PhotoSet:
        """The rows where `mask` is true (e.g. found hands, or all but one signer)."""
        return PhotoSet(self.name, *(getattr(self, f.name)[mask] for f in fields(self)[1:]))

    def persons(self) -> np.ndarray:
        """(N,) str: each photo's person (`person_of` its signer), the unit held out together."""
        return np.array([person_of(s) for s in self.signers])

    def side_names(self) -> list[str | None]:
        """Each photo's side as the Box had it ("left" | "right" | None)."""
        return [SIDES[s] or None for s in self.sides]

    def __len__(self) -> int:
        return len(self.labels)


def read_labels(folder: Path) -> list[dict[str, str]]:
    """Rows of `folder/labels.csv` with keys relative_path, letter, signer, source (both sets' column names)."""
    rows = []
    with open(folder / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            source = row.get("source_id") or row.get("source") or ""
            signer = row.get("signer_id") or row.get("signer_if_known") or source
            rows.append({"relative_path": row["relative_path"], "letter": row["letter"], "signer": signer,
                         "source": source})
    return rows


def _cache_path(folder: Path, cache_dir: Path, locator_options: dict) -> Path:
    key = hashlib.sha256((folder / "labels.csv").read_bytes())
    key.update(json.dumps({"v": EXTRACT_VERSION, "locator": locator_options}, sort_keys=True).encode())
    return cache_dir / f"photos-{folder.name}-{key.hexdigest()[:16]}.npz"


def _extract(folder: Path, rows: list[dict[str, str]], locator_options: dict) -> dict[str, np.ndarray]:
    n = len(rows)
    points = np.full((n, 21, 2), np.nan, np.float32)
    z = np.full((n, 21), np.nan, np.float32)
    world = np.full((n, 21, 3), np.nan, np.float32)
    sides = np.zeros(n, np.int8)
    boxes = np.zeros((n, 4), np.int32)
    crops = np.zeros((n, 28, 28), np.uint8)
    locator = make_locator("auto", video=False, **locator_options)
    try:
        for i, row in enumerate(tqdm(rows, desc=f"locating hands in {folder.name}", unit="photo")):
            image = cv2.imread(str(folder / row["relative_path"]), cv2.IMREAD_COLOR)
            if image is None:
                log.warning("%s: cannot read %s; counted as no hand", folder.name, row["relative_path"])
                continue
            box = locator.locate(image)
            if box is None or box.landmarks is None:
                continue
            points[i], z[i] = box.landmarks, box.landmarks_z
            if box.world_landmarks is not None:
                world[i] = box.world_landmarks
            sides[i] = SIDES.index(box.side or "")
            boxes[i] = (box.x, box.y, box.w, box.h)
            crops[i] = crop_hand(image, box, mirror=box.side == "left")
    finally:
        locator.close()
    return {"points": points, "z": z, "world": world, "sides": sides, "boxes": boxes, "crops": crops}


def sample_rows(n: int, sample: int | None) -> np.ndarray:
    """Indices of at most `sample` of n rows, spread evenly from first to last (labels.csv lists photos person by
    person, so a sample reaches every part of it); all n when sample is None or not smaller."""
    if sample is None or sample >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(sample, 1)).round().astype(int))


def load_photo_set(folder: str | Path, *, cache_dir: str | Path | None = None,
                   locator_options: dict | None = None, sample: int | None = None) -> PhotoSet:
    """The photo set in `folder` (a labels.csv beside the photos), extracting landmarks and crops on first use.

    `sample`: only that many photos, spread over the set (`sample_rows`), for a quick check such as a dry run:
    taken from the cache when it is there, else located now and not cached (a cache always holds the whole set)."""
    folder = Path(folder)
    locator_options = dict(locator_options or {})
    rows = read_labels(folder)
    unknown = sorted({r["letter"] for r in rows} - set(LETTERS))
    if unknown:
        raise ValueError(f"{folder / 'labels.csv'}: letters {unknown} are not among the static letters")
    cache = _cache_path(folder, Path(cache_dir or user_cache_dir("signcam")), locator_options)
    keep = sample_rows(len(rows), sample)
    if cache.exists():
        with np.load(cache) as z:
            arrays = {k: z[k][keep] for k in z.files}
        rows = [rows[i] for i in keep]
    elif len(keep) < len(rows):
        rows = [rows[i] for i in keep]
        log.info("%s: locating the hands in a sample of %d photos (not cached)", folder, len(rows))
        arrays = _extract(folder, rows, locator_options)
    else:
        log.info("%s: locating the hands in %d photos with MediaPipe, once: the result is cached in %s",
                 folder, len(rows), cache.parent)
        arrays = _extract(folder, rows, locator_options)
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(cache)  # a killed extraction leaves no half cache behind
    return PhotoSet(
        name=folder.name,
        paths=np.array([r["relative_path"] for r in rows]),
        labels=np.array([LETTERS.index(r["letter"]) for r in rows], np.int64),
        signers=np.array([r["signer"] for r in rows]),
        sources=np.array([r["source"] for r in rows]),
        found=~np.isnan(arrays["points"][:, 0, 0]),
        **arrays,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/ and real_dev/")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the located landmarks and crops are cached (default: the user cache folder, "
                             "~/.cache/signcam on Linux)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for name in PHOTO_SETS:
        if not (args.data / name / "labels.csv").exists():
            log.warning("%s: no %s/labels.csv; skipped", args.data, name)
            continue
        photos = load_photo_set(args.data / name, cache_dir=args.cache_dir)
        print(f"{name}: {len(photos)} photos, {len(set(photos.signers))} signers, hands found "
              f"{photos.found.sum()} ({photos.found.mean():.1%})")
        for signer in sorted(set(photos.signers)):
            mask = photos.signers == signer
            print(f"  {signer:24s} {mask.sum():4d} photos, found {photos.found[mask].mean():.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
