"""The coach's depth contrasts (signcam/assets/depth_contrasts.json) from the world landmarks of extra/'s photos.

M and N differ by how many fingers fold over the thumb, which a 2D view hides (every 2D aspect of their templates
differs by less than one robust spread). MediaPipe's world landmarks carry depth: for each pair of DEPTH_PAIRS a
linear discriminant of DEPTH_FEATURES (signcam.practice.pose) tells them apart, and the coach names it
(benchmarks/coach.py measures it leave one person out, fitting it without the held-out person).

Usage:
    python -m training.make_depth_contrasts --data ../shared/data
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import numpy as np

from signcam.labels import LETTERS
from signcam.practice.pose import DEPTH_PAIRS, DEPTH_PATH, depth_features, fit_depth_contrast, save_depth_contrasts
from training.make_templates import MIT_NOTICE, read_credits
from training.photos import SIDES, load_photo_set

log = logging.getLogger("signcam.train.depth")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="folder holding extra/")
    parser.add_argument("--out", type=Path, default=DEPTH_PATH,
                        help=f"the depth contrasts JSON to write (default: {DEPTH_PATH}, the bundled one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    folder = args.data / "extra"
    photos = load_photo_set(folder)
    keep = photos.found & np.isfinite(photos.world).all((1, 2))
    photos = photos.subset(keep)
    letters = np.array([LETTERS[i] for i in photos.labels])
    depth = np.stack([depth_features(w, SIDES[s]) for w, s in zip(photos.world, photos.sides, strict=True)])
    contrasts = [fit_depth_contrast(depth, letters, pair) for pair in DEPTH_PAIRS]
    provenance = {"made_by": "python -m training.make_depth_contrasts", "data": "extra/ (MIT)",
                  "photos": int(len(photos)), "credits": read_credits(folder), "mit_notice": MIT_NOTICE}
    path = save_depth_contrasts(contrasts, args.out, provenance)
    log.info("%s: %d contrasts from %d photos", path, len(contrasts), len(photos))
    return 0


if __name__ == "__main__":
    sys.exit(main())
