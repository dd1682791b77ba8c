"""`signcam predict PATH...`: read letters from still photos (files or folders, recursively).

One line per image; with --json one JSON object per line:
    {"path", "letter", "confidence", "top": [{"letter", "p"}, ...], "hand": {"x","y","w","h","side"} | null,
     "error": null | message}
A file that cannot be read (or is too large, from its header) gets an `error` entry and the others
go on; so does a folder without images, or one that cannot be read or lies deeper than
signcam.limits.MAX_FOLDER_DEPTH. Text lines show file names with control characters escaped. Exit status: 0 all
read, 1 some file failed, a folder held no images or could not be searched, or a crop could not be written (no
photo read is a failure), 2 bad usage (including an unusable weights file or device, or a --save-crops path that
is not a writable folder).

Usage:
    signcam predict photo.jpg photos/ --json --roi auto --save-crops /tmp/crops
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from signcam.pipeline.config import DEFAULT_THRESHOLD, RecognitionConfig
from signcam.pipeline.locate import ROI_MODES
from signcam.pipeline.sources import SourceError, read_photo, scan_images

if TYPE_CHECKING:  # the recognizer brings torch (~2-3 s): imported once the arguments are known to be good
    from signcam.pipeline.recognizer import Recognition, Recognizer

ENLARGED_SIZE = 224  # --save-crops also writes the 28x28 input at this size (nearest) for viewing


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signcam predict", description="Read ASL fingerspelling letters from photos (folders recurse)."
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    parser.add_argument("--roi", choices=ROI_MODES, default="auto", help="hand locating mode (default: auto)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line (default: text)")
    parser.add_argument("--weights", help="a .safetensors weights file (default: the bundled weights)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (default: auto)")
    parser.add_argument(
        "--threshold", type=float, default=DEFAULT_THRESHOLD,
        help=f"below this confidence the letter is null (default: {DEFAULT_THRESHOLD})"
    )
    parser.add_argument(
        "--save-crops", type=Path, metavar="DIR", help="write each 28x28 model input here (default: off)"
    )
    return parser


EMPTY_FOLDER = "no images found in this folder"


def iter_paths(specs: list[str]) -> Iterator[tuple[Path, str | None]]:
    """(path, None) for the given paths in order, folders expanded to their images (recursive, sorted);
    (folder, EMPTY_FOLDER) for a folder without any, (folder, why) for one that could not be searched (unreadable,
    or deeper than signcam.limits.MAX_FOLDER_DEPTH)."""
    for spec in specs:
        path = Path(spec)
        if not path.is_dir():
            yield path, None
            continue
        images, problems = scan_images(path)
        yield from ((image, None) for image in images)
        yield from problems
        if not images and not problems:
            yield path, EMPTY_FOLDER


NOT_FINITE = "the model gave probabilities that are not finite numbers (damaged weights?)"


# Control characters (newlines, ESC of ANSI sequences, DEL), format characters (bidi overrides) and line or
# paragraph separators: a file name holding them could forge a result line or clear the terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]")


def printable(text: str) -> str:
    """`text` safe for any terminal and stdout: control and format characters shown as escapes (\\n, \\x1b,
    \\u202e), a file name's undecodable bytes (kept by Python as lone surrogates) as \\xNN, and characters the
    stream cannot encode as escapes, instead of a UnicodeEncodeError mid-run."""
    text = _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    return text.encode(encoding, "backslashreplace").decode(encoding)


def entry(path: Path, rec: Recognition | None, error: str | None) -> dict:
    """The JSON contract of one image; never a NaN (not JSON), an `error` instead."""
    if rec is not None and not all(math.isfinite(p) for p in (rec.confidence, *(p for _, p in rec.top))):
        rec, error = None, NOT_FINITE
    if rec is None:
        return {"path": str(path), "letter": None, "confidence": 0.0, "top": [], "hand": None, "error": error}
    return {
        "path": str(path),
        "letter": rec.letter,
        "confidence": round(rec.confidence, 4),
        "top": [{"letter": letter, "p": round(p, 4)} for letter, p in rec.top],
        "hand": rec.box.to_dict() if rec.box is not None else None,
        "error": None,
    }


def format_line(item: dict) -> str:
    """The human-readable line of one image."""
    if item["error"]:
        return f"{item['path']}: error: {item['error']}"
    if item["hand"] is None:
        return f"{item['path']}: no hand"
    top = " ".join(f"{t['letter']}={t['p']:.2f}" for t in item["top"])
    letter = item["letter"] or f"unsure ({item['top'][0]['letter']}?)"
    return f"{item['path']}: {letter}  [{top}]  hand={item['hand']['side'] or '?'}"


STEM_BYTES = 100  # of the photo's name in a crop's name: the index keeps names unique, 255 bytes is the usual cap


def save_crop(directory: Path, index: int, path: Path, crop_gray: np.ndarray) -> None:
    """The exact 28x28 input and an enlarged copy; names keep the order and (the start of) the source's stem.
    OSError (full disk, read-only folder) from the write itself: OpenCV's imwrite only warns and returns False."""
    stem = os.fsencode(path.stem)[:STEM_BYTES].decode("utf-8", "ignore") if os.name != "nt" else path.stem[:50]
    stem = f"{index:05d}_{stem}"
    big = cv2.resize(crop_gray, (ENLARGED_SIZE, ENLARGED_SIZE), interpolation=cv2.INTER_NEAREST)
    for name, image in ((f"{stem}.png", crop_gray), (f"{stem}_x8.png", big)):
        target = directory / name
        try:
            with open(target, "wb") as f:
                f.write(cv2.imencode(".png", image)[1].tobytes())
        except OSError:
            target.unlink(missing_ok=True)  # never half a PNG
            raise


def crops_folder_problem(directory: Path) -> str | None:
    """None once `directory` exists as a folder we may write to (made if missing); else why not, in words."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"{directory} is a file, not a folder"
    except OSError as e:
        return f"{directory} cannot be made ({e.strerror or e})"
    if not os.access(directory, os.W_OK | os.X_OK):
        return f"{directory} cannot be written (read-only?)"
    return None


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="signcam: %(message)s")
    if not 0.0 <= args.threshold <= 1.0:
        print(f"signcam predict: --threshold must be in [0, 1], got {args.threshold}", file=sys.stderr)
        return 2
    if args.save_crops and (problem := crops_folder_problem(args.save_crops)):
        print(printable(f"signcam predict: --save-crops: {problem}"), file=sys.stderr)
        return 2
    from signcam.pipeline.builder import (
        build_recognizer,  # torch: only after `--help` and bad usage have had their answer
    )
    from signcam.store.weights import DeviceError, WeightsError

    try:
        config = RecognitionConfig(weights=args.weights, device=args.device, roi=args.roi, threshold=args.threshold)
        recognizer = build_recognizer(config, video=False)
    except (WeightsError, DeviceError) as e:
        print(printable(f"signcam predict: {e}"), file=sys.stderr)
        return 2
    try:
        with recognizer:
            return _predict_all(recognizer, args)
    except BrokenPipeError:  # `signcam predict ... | head`: stop quietly, as other Unix tools do
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so the interpreter's final flush cannot fail again
        return 1


def _predict_all(recognizer: Recognizer, args: argparse.Namespace) -> int:
    """Print one line per image (or empty folder); 1 if any image could not be read or a folder held none."""
    failed = 0
    crops = args.save_crops
    for index, (path, error) in enumerate(iter_paths(args.paths)):
        rec = None
        if error is None:
            try:
                rec = recognizer.step(read_photo(path))
            except SourceError as e:
                error = str(e).removeprefix(f"{path}: ")
            except Exception as e:  # noqa: BLE001 - one photo that breaks a library must not end the run
                logging.getLogger(__name__).debug("reading %s failed", path, exc_info=True)
                error = f"could not be read ({type(e).__name__}: {e})"
        item = entry(path, rec, error)
        failed += item["error"] is not None
        print(json.dumps(item, allow_nan=False) if args.json else printable(format_line(item)), flush=True)
        if crops and rec is not None and rec.crop_gray is not None:
            try:
                save_crop(crops, index, path, rec.crop_gray)
            except OSError as e:
                print(printable(f"signcam predict: --save-crops: cannot write in {crops} ({e.strerror or e}); "
                                "no more crops are written"), file=sys.stderr)
                failed, crops = failed + 1, None
    return 1 if failed else 0
