"""Does the live view settle on the letter `signcam predict` reads from the same photo?

Every photo of real_dev (or every Nth, `--every`) is letterboxed into a 640x480 frame and held for `--hold-s`
seconds of an MJPG video at `--fps`; the video is played through the app's live path (`open_source` -> a
stream Recognizer: the hand tracked in VIDEO mode, the overlay's smoothing) and the letter shown on the photo's
last frame is compared with what the photo path (a still Recognizer, as `signcam predict --roi auto`) reads from
the letterboxed photo. "Agree" counts photos where both show the same letter or both show none. Prints the
agreement, the disagreements by class (live none / photo none / different letters), and each disagreement.

Usage:
    python benchmarks/live_photo_agreement.py [--data ../shared/data/real_dev] [--every 1] [--fps 15] [--hold-s 1]
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections import Counter
from pathlib import Path

import cv2
import numpy as np

from signcam.pipeline.builder import build_recognizer
from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import open_source

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
FRAME_W, FRAME_H = 640, 480


def letterboxed(image: np.ndarray) -> np.ndarray:
    """The photo scaled to fit 640x480, centred on black: one frame size for the whole video."""
    scale = min(FRAME_W / image.shape[1], FRAME_H / image.shape[0])
    small = cv2.resize(image, (round(image.shape[1] * scale), round(image.shape[0] * scale)),
                       interpolation=cv2.INTER_AREA)
    frame = np.zeros((FRAME_H, FRAME_W, 3), np.uint8)
    y, x = (FRAME_H - small.shape[0]) // 2, (FRAME_W - small.shape[1]) // 2
    frame[y:y + small.shape[0], x:x + small.shape[1]] = small
    return frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=SHARED / "real_dev", help="a folder with labels.csv")
    parser.add_argument("--every", type=int, default=1, help="use every Nth photo (default: 1)")
    parser.add_argument("--fps", type=float, default=15.0, help="video frame rate (default: 15)")
    parser.add_argument("--hold-s", type=float, default=1.0, help="seconds each photo is held (default: 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (default: text)")
    args = parser.parse_args(argv)

    with open(args.data / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))[:: args.every]
    frames = [letterboxed(cv2.imread(str(args.data / r["relative_path"]))) for r in rows]
    hold = max(1, round(args.hold_s * args.fps))
    config = RecognitionConfig()
    photo_letters, photo_p = [], []
    with build_recognizer(config, video=False) as still:
        for frame in frames:
            recognition = still.recognize(frame)
            photo_letters.append(recognition.letter)
            photo_p.append(recognition.top[0] if recognition.top else (None, 0.0))
    with tempfile.TemporaryDirectory() as folder:
        video = Path(folder) / "held_photos.avi"
        writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), args.fps, (FRAME_W, FRAME_H))
        writer.set(cv2.VIDEOWRITER_PROP_QUALITY, 100)  # a webcam's MJPG is good; artefacts would blur the question
        for frame in frames:
            for _ in range(hold):
                writer.write(frame)
        writer.release()
        live_letters, live_p = [], []
        with build_recognizer(config, video=True) as live, open_source(video) as source:
            for frame in source:
                recognition = live.step(frame)
                if frame.index % hold == hold - 1:
                    live_letters.append(recognition.letter)
                    live_p.append(recognition.top[0] if recognition.top else (None, 0.0))
    pairs = list(zip(live_letters, photo_letters, strict=True))
    agree = sum(a == b for a, b in pairs)
    classes = Counter("live none" if a is None else "photo none" if b is None else "different letters"
                      for a, b in pairs if a != b)
    result = {"photos": len(pairs), "agree": agree, "agreement": agree / len(pairs), "disagreements": dict(classes),
              "cases": [{"path": r["relative_path"], "letter": r["letter"], "live": a, "photo": b,
                         "live_top": lp, "photo_top": pp}
                        for r, (a, b), lp, pp in zip(rows, pairs, live_p, photo_p, strict=True) if a != b]}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{len(pairs)} photos held {hold} frames at {args.fps:g} fps: live and photo agree on {agree} "
          f"({result['agreement']:.1%})")
    for kind, n in classes.most_common():
        print(f"  {kind}: {n}")
    for case in result["cases"]:
        (live_best, live_best_p), (photo_best, photo_best_p) = case["live_top"], case["photo_top"]
        print(f"  {case['path']} ({case['letter']}): live {case['live']} (top {live_best} {live_best_p:.2f}), "
              f"photo {case['photo']} (top {photo_best} {photo_best_p:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
