"""Soak test: the real main window, offscreen, on a looping video of real hands, for N minutes.

Issue 11: with PySide6-Essentials 6.12.0 the window aborted after 58-135 s of live video
("Fatal Python error: none_dealloc"), because each QPainter call released one reference to None
too many. This runs the window as `signcam --source clip.avi --loop --roi auto` does (practice
panel docked, a word drill running) and samples every `--interval` seconds:

- rss_mb: resident memory of the process (Linux /proc/self/statm);
- shown_fps: results painted by the live view per second (its `painted` signal);
- recog_per_s: results the recognition worker produced per second (emitted + dropped because the
  GUI had not taken the previous one yet);
- none_refs / true_refs: sys.getrefcount(None) / sys.getrefcount(True); falling steadily means a
  binding releases references it does not own (CPython < 3.12 aborts when one reaches zero).

Verdict (exit 1 when broken): resident memory after the first minute grows < 5%, and the window is
still painting at the end. The video is made once from real_dev photos (one per letter, 1 s each)
into runs/soak/ (ignored; the photos are never committed).

Usage:
    nice python benchmarks/soak.py --minutes 30 [--interval 30] [--video clip.avi] [--json]
"""

import argparse
import csv
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402

from signcam.pipeline.locate import ROI_MODES  # noqa: E402
from signcam.practice.history import History  # noqa: E402
from signcam.ui.app import make_application  # noqa: E402
from signcam.ui.main_window import MainWindow  # noqa: E402
from signcam.ui.practice_menu import install_practice  # noqa: E402
from signcam.ui.settings import Settings  # noqa: E402

log = logging.getLogger("soak")
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
VIDEO = Path(__file__).resolve().parents[1] / "runs" / "soak" / "hands.avi"
FPS = 30
FRAME_SIZE = (640, 480)  # a common webcam size
SECONDS_PER_PHOTO = 1.0
MAX_GROWTH = 0.05  # resident memory may grow at most 5% after the first minute
SETTLE_S = 60.0  # model load, MediaPipe graphs, caches and Qt's glyph atlas fill up in here


def write_hand_video(photos: Path, path: Path) -> Path:
    """One real_dev photo per letter (signers taken in turn), letterboxed into 640x480, MJPG .avi."""
    with open(photos / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    signers = sorted({row["source"] for row in rows})
    letters = sorted({row["letter"] for row in rows})
    chosen: dict[str, Path] = {}
    for i, letter in enumerate(letters):
        candidates = [row for row in rows if row["letter"] == letter]
        turn = [row for row in candidates if row["source"] == signers[i % len(signers)]] or candidates
        chosen[letter] = photos / turn[0]["relative_path"]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.avi")
    width, height = FRAME_SIZE
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), FPS, FRAME_SIZE)
    for _letter, photo in sorted(chosen.items()):
        image = cv2.imread(str(photo))
        if image is None:
            continue
        scale = min(width / image.shape[1], height / image.shape[0])
        image = cv2.resize(image, (int(image.shape[1] * scale), int(image.shape[0] * scale)))
        frame = np.full((height, width, 3), 60, np.uint8)
        y, x = (height - image.shape[0]) // 2, (width - image.shape[1]) // 2
        frame[y:y + image.shape[0], x:x + image.shape[1]] = image
        for _ in range(int(SECONDS_PER_PHOTO * FPS)):
            writer.write(frame)
    writer.release()
    tmp.replace(path)
    log.info("wrote %s: %d photos, %.0f s loop", path, len(chosen), len(chosen) * SECONDS_PER_PHOTO)
    return path


def resident_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler:
    """Counts paints and recognitions between samples; one row per sample."""

    def __init__(self, window: MainWindow):
        self._window = window
        self.rows: list[dict[str, float]] = []
        self._painted = self._recognized = 0
        self._last = (time.monotonic(), 0, 0, 0)  # (time, painted, recognized, dropped)
        self.start = self._last[0]
        window.live_view.painted.connect(self._on_painted)
        window.live.recognized.connect(self._on_recognized)

    def _on_painted(self, *_args) -> None:
        self._painted += 1

    def _on_recognized(self, *_args) -> None:
        self._recognized += 1

    def sample(self) -> dict[str, float]:
        now, dropped = time.monotonic(), self._window.live.dropped
        then, painted, recognized, dropped_then = self._last
        dt = now - then
        row = {
            "t_s": round(now - self.start, 1),
            "rss_mb": round(resident_mb(), 1),
            "shown_fps": round((self._painted - painted) / dt, 1),
            "recog_per_s": round((self._recognized - recognized + max(0, dropped - dropped_then)) / dt, 1),
            "none_refs": sys.getrefcount(None),
            "true_refs": sys.getrefcount(True),
            "load_1min": round(os.getloadavg()[0], 1),
        }
        self._last = (now, self._painted, self._recognized, dropped)
        self.rows.append(row)
        log.info("  ".join(f"{v:>11}" for v in row.values()))
        return row


def verdict(rows: list[dict[str, float]]) -> dict[str, object]:
    """Growth of resident memory after the first minute, fps held, None's references held."""
    settled = [r for r in rows if r["t_s"] >= SETTLE_S] or rows[-1:]
    base, last = settled[0], rows[-1]
    growth = (last["rss_mb"] - base["rss_mb"]) / base["rss_mb"]
    fps = [r["shown_fps"] for r in settled]
    return {
        "minutes": round(last["t_s"] / 60, 1),
        "rss_mb_after_first_minute": base["rss_mb"],
        "rss_mb_end": last["rss_mb"],
        "rss_growth": round(growth, 4),
        "shown_fps_median": statistics.median(fps),
        "shown_fps_min": min(fps),
        "shown_fps_last": last["shown_fps"],
        "recog_per_s_median": statistics.median(r["recog_per_s"] for r in settled),
        "none_refs_change": last["none_refs"] - base["none_refs"],
        "true_refs_change": last["true_refs"] - base["true_refs"],
        "ok": growth < MAX_GROWTH and last["shown_fps"] > 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long to run (default: 30)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between samples (default: 30)")
    parser.add_argument("--video", type=Path, help=f"looping clip (default: {VIDEO}, made from real_dev photos)")
    parser.add_argument("--photos", type=Path, default=SHARED / "real_dev",
                        help=f"photos for the default clip (default: {SHARED / 'real_dev'})")
    parser.add_argument("--roi", default="auto", choices=ROI_MODES, help="(default: auto)")
    parser.add_argument("--json", action="store_true", help="print the samples and verdict as JSON on stdout")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    video = args.video or (VIDEO if VIDEO.exists() else write_hand_video(args.photos, VIDEO))

    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    app = make_application(sys.argv[:1])
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, source=str(video), roi=args.roi, device="cpu", loop=True)
    install_practice(window, history=History(tmp / "history.sqlite3"), settings=settings)
    window.resize(1100, 720)
    window.show()
    drills = [a for m in window.practice_menu.findChildren(type(window.practice_menu)) for a in m.actions()]
    word = next((a for a in window.practice_menu.actions() + drills if "word" in a.text().lower()), None)
    if word is not None:
        word.trigger()  # the practice ring and word panel paint alongside the live view
        log.info("practice: %s started", word.text().replace("&", ""))
    else:
        log.warning("no word drill in the Practice menu; running the live view alone")
    window.start_source(window.source)

    sampler = Sampler(window)
    log.info("Qt platform %s, video %s, roi %s, %g min, a sample every %.0f s", app.platformName(), video,
             args.roi, args.minutes, args.interval)
    log.info("  ".join(f"{k:>11}" for k in ("t_s", "rss_mb", "shown_fps", "recog_per_s", "none_refs",
                                              "true_refs", "load_1min")))
    samples = max(1, round(args.minutes * 60 / args.interval))

    def sample() -> None:
        sampler.sample()
        if len(sampler.rows) >= samples:
            app.quit()  # after the last sample: quitting closes the window, which must not be measured

    timer = QTimer(interval=int(args.interval * 1000), timeout=sample, timerType=Qt.TimerType.PreciseTimer)
    timer.start()
    app.exec()
    window.close()

    result = verdict(sampler.rows) if sampler.rows else {"ok": False, "minutes": 0}
    log.info("verdict: %s", ", ".join(f"{k}={v}" for k, v in result.items()))
    if args.json:
        print(json.dumps({"samples": sampler.rows, "verdict": result}, indent=1))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
