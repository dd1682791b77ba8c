"""Real J and Z recordings (../shared/data/motion/, MIT; read its README): loading, playing, scoring.

A recording is either a folder of consecutive webcam frames (played through the app's live locator) or a
landmark sequence (MediaPipe's 21 points per frame, played straight into the reader). Every recording also has
its landmarks in an npz row, so the frame recordings can be replayed without MediaPipe (`stored=True`).
Scoring follows issue 22: a marked stroke counts when its letter is read within its span +-10 frames; a
positive recording without marked strokes counts when its letter is read at least once; every J or Z read in a
negative recording (held I/D, a held hand filed as J, word signs) is a false read.

Usage:
    recordings = load_recordings(Path("../shared/data/motion"))
    reads = [play(MotionReader(), r.times_s, r.points_xy) for r in recordings]
    summary = score(recordings, reads)
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

STROKE_SLACK_FRAMES = 10  # issue 22: a read within a marked stroke's span +-10 frames counts
DEFAULT_WH = (640, 480)  # README: where image_wh is 0 0, assume 4:3
MOTION_LETTERS = "JZ"


@dataclass
class Recording:
    path: str  # labels.csv path: a frames folder or landmarks/<file>.npz#<row>
    letter: str  # the source's label ("J", "Z", "I", "D" or a word)
    source: str
    role: str  # positive | negative | unclear
    mirrored: bool
    strokes: list[tuple[int, int]]  # marked stroke spans, frame numbers
    times_s: np.ndarray  # (T,)
    points_xy: np.ndarray  # (T, 21, 2) pixels; NaN where no hand (stored landmarks)
    z: np.ndarray  # (T, 21) MediaPipe's relative depth; NaN where no hand
    frames: list[Path] = field(default_factory=list)  # the frame files, in capture order (frame recordings)

    @property
    def kind(self) -> str:
        """"positive J", "negative", "words", "unclear" ...: the rows a report groups together."""
        if self.role == "negative":
            return "words" if len(self.letter) > 1 else "negative"
        return f"{self.role} {self.letter}"


def _npz_rows(root: Path) -> dict[str, dict[str, np.ndarray]]:
    return {p.name: dict(np.load(p)) for p in sorted((root / "landmarks").glob("*.npz"))}


def load_recordings(root: Path, sources: Iterable[str] | None = None) -> list[Recording]:
    """Every row of root/labels.csv (of `sources` if given), with its landmarks in pixels and its frame times."""
    npz = _npz_rows(root)
    wanted = None if sources is None else set(sources)
    out = []
    with open(root / "labels.csv", newline="") as f:
        for row in csv.DictReader(f):
            if wanted is not None and row["source"] not in wanted:
                continue
            name, index = row["landmarks"].removeprefix("landmarks/").split("#")
            data, i = npz[name], int(index)
            n = int(data["n_frames"][i])
            w, h = (int(v) for v in data["image_wh"][i])
            w, h = (w, h) if w > 0 else DEFAULT_WH
            points = data["points"][i, :n].astype(np.float64)
            valid = data["valid"][i, :n]
            xy = points[..., :2] * np.array([w, h])
            xy[~valid] = np.nan
            z = points[..., 2].copy()
            z[~valid] = np.nan
            t_s = data["t_s"][i, :n].astype(np.float64)
            fps = float(data["fps"][i]) or float(row["fps_estimate"] or 30.0)
            times = t_s if np.isfinite(t_s).all() else np.arange(n) / fps
            strokes = [tuple(int(v) for v in span.split("-")) for span in row["strokes"].split(";") if span]
            frames = sorted((root / row["path"]).glob("*.jpg")) if row["path"].startswith("frames/") else []
            out.append(Recording(row["path"], row["letter"], row["source"], row["role"],
                                 row["mirrored"].lower() == "true", strokes, times, xy, z, frames))
    return out


def located(rec: Recording) -> np.ndarray:
    """(T, 21, 2) landmark pixels of a frame recording found by the live locator (video mode, one fresh tracker
    per recording, as a new camera stream), NaN where none: what the app sees, which motion/'s stored landmarks
    (legacy MediaPipe Hands) are not."""
    import cv2

    from signcam.pipeline.locate import make_locator

    locator = make_locator("auto", video=True)
    try:
        out = np.full((len(rec.frames), 21, 2), np.nan)
        for k, path in enumerate(rec.frames):
            box = locator.locate(cv2.imread(str(path)))
            if box is not None and box.landmarks is not None:
                out[k] = box.landmarks
    finally:
        locator.close()
    return out


def play(update: Callable[[float, np.ndarray | None], str | None], times_s: np.ndarray,
         points_xy: np.ndarray) -> list[tuple[int, str]]:
    """(frame, letter) of every read when the frames are fed one by one, as the app does."""
    reads = []
    for k, (t, p) in enumerate(zip(times_s, points_xy, strict=True)):
        letter = update(float(t), None if np.isnan(p[0, 0]) else p)
        if letter:
            reads.append((k, letter))
    return reads


def _recording_score(rec: Recording, reads: list[tuple[int, str]]) -> dict:
    letters = [letter for _, letter in reads]
    motion = [letter for letter in letters if letter in MOTION_LETTERS]
    out = {"path": rec.path, "source": rec.source, "kind": rec.kind, "frames": len(rec.times_s), "reads": reads}
    if rec.role == "negative":
        out["false_reads"] = len(motion)
        return out
    if rec.strokes:
        hit = [any(letter == rec.letter and a - STROKE_SLACK_FRAMES <= k <= b + STROKE_SLACK_FRAMES
                   for k, letter in reads) for a, b in rec.strokes]
    else:
        hit = [rec.letter in letters]
    out.update(targets=len(hit), hits=int(sum(hit)), wrong=sum(letter != rec.letter for letter in motion))
    return out


def _summarise(rows: list[dict]) -> dict:
    recall, counts = {}, {}
    for letter in MOTION_LETTERS:
        mine = [r for r in rows if r["kind"] == f"positive {letter}"]
        targets = sum(r["targets"] for r in mine)
        recall[letter] = sum(r["hits"] for r in mine) / targets if targets else None
        counts[letter] = {"hits": sum(r["hits"] for r in mine), "targets": targets,
                          "wrong_letter": sum(r["wrong"] for r in mine)}
    false = {}
    for kind in ("negative", "words"):
        mine = [r for r in rows if r["kind"] == kind]
        frames = sum(r["frames"] for r in mine)
        reads = sum(r["false_reads"] for r in mine)
        false[kind] = {"reads": reads, "frames": frames, "per_1000": 1000 * reads / frames if frames else None}
    frames = sum(v["frames"] for v in false.values())
    reads = sum(v["reads"] for v in false.values())
    unclear = [{"path": r["path"], "hits": r["hits"], "targets": r["targets"], "wrong": r["wrong"]}
               for r in rows if r["kind"].startswith("unclear")]
    return {"recall": recall, "counts": counts,
            "false_reads_per_1000_frames": 1000 * reads / frames if frames else None,
            "false_reads": false, "unclear": unclear}


def score(recordings: list[Recording], reads: list[list[tuple[int, str]]]) -> dict:
    """Recall per letter, false reads per 1000 negative frames (held hands and word signs together, and apart),
    wrong-letter reads, unclear rows apart; the same per source under "per_source"."""
    rows = [_recording_score(rec, r) for rec, r in zip(recordings, reads, strict=True)]
    summary = _summarise(rows)
    summary["per_source"] = {s: _summarise([r for r in rows if r["source"] == s])
                             for s in dict.fromkeys(r["source"] for r in rows)}
    return summary
