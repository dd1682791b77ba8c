"""Writes the reading drill's hands, signcam/assets/read_hands/: several real signers per static letter, hand only.

The reading drill (signcam.practice.receptive) spells words with a different person's hand for each letter, as
reading real people is. Photos come from the MIT-licensed webcam sets extra/ and extra2/ (credited in the
output's CREDITS.md); their landmarks from `training.photos.load_photo_set` (the app's own still-photo locator,
cached). Per letter the best photos of PER_LETTER different persons are taken, ranked as the references are
(`make_references.photo_score`: hand size x sharpness x typical shape), blurred sources left out.

Faces are never shown: everything outside the hand's shape (the palm polygon and each finger as a thick line
through its landmarks, edge feathered inwards) is painted the app's background colour, so a face beside the
hand or between spread fingers cannot appear. The contact sheet (`--sheet`) was looked at for faces (none) and
for photos filed under a letter that show another shape (left out: EXCLUDED).

Every crop shows the palm at one size (issue 32: cropped to the landmarks' extent, a fist filled its square and a
pointing hand did not, so one word's hands differed 2x in size): the square is PALM_SIDE palms wide, larger
only where a hand would not fit, centred on the hand; photo edges inside it are background like the rest.
index.json gives each crop's `palm_px`.

Each crop faces the way its letter's reference does: a photo whose landmarks match the reference better when
mirrored is flipped (the references show a right hand seen from the front). Deterministic: same photos, same
landmark cache -> same files.

Usage:
    python -m training.make_read_hands --data ../shared/data --out signcam/assets/read_hands
    python -m training.make_read_hands --data ../shared/data --keep-picks   # the shipped photos, cropped again
    python -m training.make_read_hands --data ../shared/data --sheet runs/read-hands.png   # also a contact sheet
"""

from __future__ import annotations

import argparse
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from signcam.labels import LETTERS
from training.make_references import (
    BLURRED_SOURCES,
    MARGIN,
    MIT_LICENCE,
    PICKS,
    hand_square,
    normalised_shape,
    photo_score,
    read_credits,
)
from training.photos import PhotoSet, load_photo_set, person_of

log = logging.getLogger(__name__)

PHOTO_SETS = ("extra", "extra2")  # MIT, may be shipped with credit (shared data README)
PER_LETTER = 4  # signers per letter: enough that a word rarely repeats a person, ~1 MB in all
OUTPUT_PX = 192  # the drill shows hands at ~300 px; the photos' hands are 120-290 px, so little is invented
JPEG_QUALITY = 88
FINGER_WIDTH = 0.36  # of the palm length (wrist to middle knuckle): a finger is ~0.25 wide, plus a margin
TIP_BEYOND = 0.1  # of the palm length: the fingertip's landmark sits under the nail, the skin goes on past it
FEATHER = 0.012  # Gaussian sigma, of the output size: a soft edge reads as a cut-out, not a stencil
BACKGROUND_BGR = (34, 31, 30)  # #1e1f22, the app's dark background (progress_view.BACKGROUND)
PALM_SIDE = 3.0  # the crop's side in palms: an open hand (fingertips ~2 palms from the wrist) plus a margin fits
KNUCKLE_SHARE = 0.8  # knuckle width (index to little finger) / palm length on a flat hand: a palm seen end-on
# (pointing at the camera) is measured across the knuckles instead

# (letter, person) left out by eye from the contact sheet (`--sheet`): their photos of the letter show another shape.
EXCLUDED = {
    ("A", "chiskhanhv"): "index and middle finger up, not an A",
    ("X", "mandeep888"): "index finger straight up, not hooked",
}


@dataclass(frozen=True)
class Chosen:
    """One shipped crop."""

    letter: str
    photo_set: str  # extra | extra2
    path: str  # relative to the photo set
    person: str
    mirror: bool


def raw_shape(points: np.ndarray) -> np.ndarray:
    """(21, 2) landmarks relative to the wrist, scaled by the palm length, not flipped (orientation kept)."""
    shape = points - points[0]
    return shape / max(float(np.linalg.norm(shape[9])), 1e-6)


def needs_mirror(points: np.ndarray, reference: np.ndarray) -> bool:
    """True when the mirrored hand is closer to the reference's raw shape than the hand as photographed."""
    shape = raw_shape(points)
    plain = np.linalg.norm(shape - reference, axis=1).mean()
    mirrored = np.linalg.norm(shape * np.array([-1.0, 1.0]) - reference, axis=1).mean()
    return bool(mirrored < plain)


PALM = (0, 1, 2, 5, 9, 13, 17)  # MediaPipe landmark indices around the palm
FINGERS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))


def hand_mask(local: np.ndarray, size: int) -> np.ndarray:
    """uint8 mask of the hand's shape: the palm polygon and each finger as a thick line through its joints.
    Not the convex hull: that would also keep what lies between spread fingers (a wall, a face behind)."""
    palm_px = float(np.linalg.norm(local[9] - local[0]))
    width = max(int(round(FINGER_WIDTH * palm_px)), 2)
    mask = np.zeros((size, size), np.uint8)
    cv2.fillConvexPoly(mask, cv2.convexHull(local[list(PALM)].astype(np.int32)), 255)
    for chain in FINGERS:
        joints = local[list(chain)].astype(np.int32)
        cv2.polylines(mask, [joints], False, 255, width, cv2.LINE_8)  # thick lines end in round caps
        tip, before = local[chain[-1]], local[chain[-2]]
        beyond = tip + (tip - before) / max(float(np.linalg.norm(tip - before)), 1e-6) * TIP_BEYOND * palm_px
        cv2.line(mask, tip.astype(np.int32), beyond.astype(np.int32), 255, width)  # the fingertip past its point
    return mask


def palm_size(points: np.ndarray) -> float:
    """The palm's length in pixels (wrist to the middle finger's knuckle), or its knuckle width / KNUCKLE_SHARE
    when that is longer (a palm foreshortened by pointing towards the camera)."""
    length = float(np.linalg.norm(points[9] - points[0]))
    return max(length, float(np.linalg.norm(points[17] - points[5])) / KNUCKLE_SHARE)


def read_square(points: np.ndarray) -> tuple[int, int, int]:
    """(x, y, side) of the square PALM_SIDE palms wide around the hand (wider only if the hand with MARGIN would
    not fit); it may reach past the photo's edges."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    side = int(round(max(PALM_SIDE * palm_size(points), float(max(hi - lo)) * (1 + 2 * MARGIN))))
    centre = (lo + hi) / 2
    return int(round(centre[0] - side / 2)), int(round(centre[1] - side / 2)), side


def hand_only(image_bgr: np.ndarray, points: np.ndarray, mirror: bool) -> np.ndarray:
    """The OUTPUT_PX square around the hand (`read_square`) with everything outside the hand's shape painted over."""
    x, y, side = read_square(points)
    padded = cv2.copyMakeBorder(image_bgr, side, side, side, side, cv2.BORDER_CONSTANT, value=BACKGROUND_BGR)
    interpolation = cv2.INTER_LANCZOS4 if side < OUTPUT_PX else cv2.INTER_AREA
    crop = cv2.resize(padded[y + side:y + 2 * side, x + side:x + 2 * side], (OUTPUT_PX, OUTPUT_PX),
                      interpolation=interpolation)
    mask = hand_mask((points - (x, y)) * (OUTPUT_PX / side), OUTPUT_PX)
    alpha = cv2.GaussianBlur(mask, (0, 0), FEATHER * OUTPUT_PX).astype(np.float32)[..., None] / 255.0
    alpha = np.minimum(alpha, mask[..., None] / 255.0)  # feather inwards only: nothing outside the mask shows
    out = (crop * alpha + np.array(BACKGROUND_BGR, np.float32) * (1 - alpha)).astype(np.uint8)
    return cv2.flip(out, 1) if mirror else out


def choose(data: Path, photos: dict[str, PhotoSet]) -> list[Chosen]:
    """PER_LETTER photos per static letter, each of a different person, best `photo_score` first."""
    extra = photos["extra"]
    row_of = {str(p): i for i, p in enumerate(extra.paths)}
    chosen = []
    for letter in LETTERS:
        pick = PICKS[letter]
        reference = raw_shape(extra.points[row_of[pick.path]]) * (np.array([-1.0, 1.0]) if pick.mirror else 1.0)
        rows = [(name, int(i)) for name, s in photos.items()
                for i in np.flatnonzero(s.found & (s.labels == LETTERS.index(letter))
                                        & ~np.isin(s.sources, BLURRED_SOURCES))]
        median = np.median([normalised_shape(photos[name].points[i]) for name, i in rows], axis=0)
        scored = []
        for name, i in rows:
            s = photos[name]
            image = cv2.imread(str(data / name / s.paths[i]))
            score = photo_score(image, hand_square(s.points[i], image.shape), normalised_shape(s.points[i]), median)
            if score is not None:
                scored.append((score, name, i))
        persons: set[str] = set()
        for _, name, i in sorted(scored, reverse=True):
            s = photos[name]
            person = person_of(str(s.signers[i]))
            if person in persons or (letter, person) in EXCLUDED:
                continue
            persons.add(person)
            chosen.append(Chosen(letter, name, str(s.paths[i]), person, needs_mirror(s.points[i], reference)))
            if len(persons) == PER_LETTER:
                break
    return chosen


def credits_markdown(chosen: list[Chosen], credits: dict[str, dict[str, tuple[str, str, str]]]) -> str:
    lines = ["# Credits: the reading drill's hands", "",
             f"Each file is a crop of one webcam photo, {OUTPUT_PX} px, the hand only (everything outside the hand",
             "painted over, so no face is shown; `mirrored` ones flipped left-right to face as the reference does),",
             "made by `python -m training.make_read_hands` from the photos of these MIT-licensed repositories:", "",
             "| file | repository @ commit | photo | mirrored | licence and copyright line |",
             "| --- | --- | --- | --- | --- |"]
    for c, name in zip(chosen, file_names(chosen), strict=True):
        repo, commit, licence = credits[c.photo_set][c.path]
        lines.append(f"| {name} | [{repo}](https://github.com/{repo}) @ {commit[:10]} | {c.photo_set}/{c.path} | "
                     f"{'yes' if c.mirror else 'no'} | {licence} |")
    lines += ["", "Each of those copyright holders licensed their work under the MIT licence:", "", "```",
              MIT_LICENCE, "```"]
    return "\n".join(lines) + "\n"


def file_names(chosen: list[Chosen]) -> list[str]:
    """A1.jpg, A2.jpg, ... in the order chosen."""
    counts: dict[str, int] = {}
    names = []
    for c in chosen:
        counts[c.letter] = counts.get(c.letter, 0) + 1
        names.append(f"{c.letter}{counts[c.letter]}.jpg")
    return names


def shipped_picks(index_path: Path) -> list[Chosen]:
    """The photos an index.json lists, in its order: to crop them again without choosing again (a new landmark
    cache can rank photos differently, and the shipped ones were checked by eye for faces and shapes)."""
    letters = json.loads(index_path.read_text(encoding="utf-8"))["letters"]
    return [Chosen(letter, e["photo"].split("/", 1)[0], e["photo"].split("/", 1)[1], e["person"], e["mirrored"])
            for letter, entries in letters.items() for e in entries]


def write_read_hands(data: Path, out_dir: Path, cache_dir: Path | None = None,
                     sheet: Path | None = None, picks: list[Chosen] | None = None) -> list[Path]:
    """Writes the crops, index.json (what receptive.load_hand_index reads) and CREDITS.md into `out_dir`, of
    `picks` when given, else of the photos `choose` picks."""
    photos = {name: load_photo_set(data / name, cache_dir=cache_dir) for name in PHOTO_SETS}
    chosen = picks if picks is not None else choose(data, photos)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, index = [], {}
    for c, name in zip(chosen, file_names(chosen), strict=True):
        s = photos[c.photo_set]
        i = int(np.flatnonzero(s.paths == c.path)[0])
        image = hand_only(cv2.imread(str(data / c.photo_set / c.path)), s.points[i], c.mirror)
        if not cv2.imwrite(str(out_dir / name), image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]):
            raise OSError(f"cannot write {out_dir / name}")
        written.append(out_dir / name)
        palm_px = palm_size(s.points[i]) * OUTPUT_PX / read_square(s.points[i])[2]
        index.setdefault(c.letter, []).append({"file": name, "person": c.person, "photo": f"{c.photo_set}/{c.path}",
                                               "mirrored": c.mirror, "palm_px": round(palm_px, 1)})
    (out_dir / "index.json").write_text(json.dumps({"letters": index}, indent=1) + "\n")
    credits = {name: read_credits(data, name) for name in PHOTO_SETS}
    (out_dir / "CREDITS.md").write_text(credits_markdown(chosen, credits))
    if sheet is not None:  # one row per letter, to look at every shipped crop at once
        rows = [np.hstack([cv2.imread(str(out_dir / e["file"])) for e in entries]
                          + [np.zeros((OUTPUT_PX, OUTPUT_PX, 3), np.uint8)] * (PER_LETTER - len(entries)))
                for entries in index.values()]
        cv2.imwrite(str(sheet), np.vstack([np.hstack(rows[k:k + 2]) if k + 1 < len(rows) else
                                           np.hstack([rows[k], np.zeros_like(rows[k])])
                                           for k in range(0, len(rows), 2)]))
    log.info("wrote %d hand crops, index.json and CREDITS.md to %s", len(written), out_dir)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Make the reading drill's hand crops from extra/ and extra2/.")
    parser.add_argument("--data", type=Path, default=Path("../shared/data"),
                        help="folder holding extra/ and extra2/ (default: ../shared/data)")
    parser.add_argument("--out", type=Path, default=Path("signcam/assets/read_hands"),
                        help="folder to write the crops, index.json and CREDITS.md into "
                             "(default: signcam/assets/read_hands)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="landmark cache of training.photos (default: the user cache folder)")
    parser.add_argument("--sheet", type=Path, default=None, help="also write a contact sheet PNG here (default: off)")
    parser.add_argument("--keep-picks", action="store_true",
                        help="crop again the photos the output's index.json lists instead of choosing photos anew "
                             "(default: choose)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    picks = shipped_picks(args.out / "index.json") if args.keep_picks else None
    write_read_hands(args.data, args.out, args.cache_dir, args.sheet, picks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
