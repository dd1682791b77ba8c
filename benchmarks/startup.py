"""Start-up time of the real app: `signcam --source clip.avi` until its window is on screen, and until
the first letter reading arrives.

Each launch is a fresh Python process (imports are the cost) that runs the app's own entry point,
`signcam.cli.main(["--source", CLIP, ...])`, with one addition: an application event filter notes the
main window's first Expose event (the window is on screen) and its first `recognition_changed` (the
model is loaded and has read a frame), prints both times and exits. The clock starts in this parent
process just before it spawns the child, so interpreter start-up is included. Settings and practice
history go to a temporary XDG home, never the user's.

Usage (offscreen by default; with a display such as Xvfb, DISPLAY=:N ... --platform xcb):
    python benchmarks/startup.py [--runs 3] [--platform offscreen|xcb] [--repo DIR]
`--repo` measures another checkout with the same script (an A/B in one sitting).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

CHILD = r"""
import json, os, sys, time
from PySide6.QtCore import QEvent, QObject
from signcam.ui.app import make_application

app = make_application()
marks = {}

def report_and_exit():
    print(json.dumps(marks), flush=True)
    os._exit(0)  # the model may still be loading in the worker thread: do not wait for it

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Expose and "window_s" not in marks and getattr(obj, "isExposed", bool)():
            marks["window_s"] = time.time()
            window = next(w for w in app.topLevelWidgets() if w.metaObject().className() == "MainWindow")
            window.recognition_changed.connect(lambda rec: (marks.setdefault("letter_s", time.time()),
                                                            report_and_exit()))
        return False

probe = Probe()
app.installEventFilter(probe)
from signcam.cli import main
main(sys.argv[1:])
"""


def make_clip(path: Path, seconds: float = 20.0, fps: int = 30) -> Path:
    """A plain MJPG clip (the camera stand-in); start-up does not depend on what it shows."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (640, 480))
    rng = np.random.default_rng(0)
    for _ in range(int(seconds * fps)):
        writer.write(rng.integers(60, 120, (480, 640, 3), dtype=np.uint8))
    writer.release()
    return path


def launch(repo: Path, clip: Path, platform: str, home: Path, timeout_s: float) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(repo), "QT_QPA_PLATFORM": platform, "OPENCV_LOG_LEVEL": "ERROR",
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data")}
    start = time.time()
    result = subprocess.run([sys.executable, "-c", CHILD, "--source", str(clip), "--roi", "box"], cwd=repo,
                            env=env, capture_output=True, text=True, timeout=timeout_s)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"the app printed no timings (exit {result.returncode}):\n{result.stderr[-2000:]}")
    marks = json.loads(lines[-1])
    return {name: stamp - start for name, stamp in marks.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="launches; the median is reported (default: 3)")
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM (default: offscreen)")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1],
                        help="checkout to measure (default: this one)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per launch (default: 120)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clip = make_clip(Path(tmp) / "clip.avi")
        runs = [launch(args.repo.resolve(), clip, args.platform, Path(tmp), args.timeout) for _ in range(args.runs)]
    for name, label in (("window_s", "window on screen"), ("letter_s", "first reading")):
        values = [run[name] for run in runs if name in run]
        if values:
            print(f"{label}: median {statistics.median(values):.2f} s over {len(values)} launches "
                  f"({', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
