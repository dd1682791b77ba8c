"""GUI frame rate and added latency with a 30 fps video standing in for the camera.

Displayed fps: new results painted per second (1-s windows, median). Added latency: from the moment
the frame was captured (the video source returned it, paced to real time) to the end of the paint
that showed it. Skipped frames: overwritten before the worker took them (recognition slower than the
source); worker drops: results not sent because the GUI had not taken the previous one. Both are
skips, never a queue, so latency cannot build up.

Usage (no display needed beyond Xvfb):
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python benchmarks/gui_fps.py [--roi auto] [--seconds 10] \
        [--device cpu|cuda]
"""

import argparse
import dataclasses
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSettings, QTimer

import signcam.ui.main_window as main_window
from signcam.pipeline.locate import ROI_MODES
from signcam.pipeline.sources import open_source
from signcam.store.weights import BUNDLED_WEIGHTS
from signcam.ui.app import make_application
from signcam.ui.settings import Settings

log = logging.getLogger("gui_fps")
FPS = 30
WARMUP_S = 1.5  # after the model loaded: the first MediaPipe call and window mapping happen in here


class CaptureStampedSource:
    """Wraps a paced video source and stamps each frame with time.monotonic() when it was read,
    the moment a camera would have delivered it (video frames carry their position in the file)."""

    def __init__(self, source):
        self._source = source
        self.name, self.is_live, self.fps = source.name, source.is_live, source.fps

    def read(self):
        frame = self._source.read()
        return None if frame is None else dataclasses.replace(frame, timestamp_s=time.monotonic())

    def close(self) -> None:
        self._source.close()


def write_scene_video(path: Path, seconds: float) -> Path:
    """640x480 synthetic frames with a moving bright blob: no dataset images involved."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (640, 480))
    for i in range(int(seconds * FPS)):
        frame = np.full((480, 640, 3), 70, np.uint8)
        cv2.circle(frame, (320 + int(100 * np.sin(i / 15)), 240), 90, (170, 190, 210), -1)
        writer.write(frame)
    writer.release()
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roi", default="box", choices=ROI_MODES, help="(default: box)")
    parser.add_argument("--device", default="cpu", help="where the models run: cpu, cuda, auto (default: cpu)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time (default: 10)")
    parser.add_argument("--weights", help="weights file (default: the bundled weights)")
    parser.add_argument("--video", help="a recorded clip to play instead (default: a generated scene with no hand)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.weights is None and not BUNDLED_WEIGHTS.exists():
        parser.error(f"{BUNDLED_WEIGHTS} is missing; pass --weights")

    tmp = Path(tempfile.mkdtemp(prefix="gui_fps-"))
    video = args.video or write_scene_video(tmp / "scene.avi", args.seconds + WARMUP_S + 2)
    main_window.open_source = lambda spec, **kw: CaptureStampedSource(open_source(spec, **kw))

    app = make_application(sys.argv[:1])
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = main_window.MainWindow(settings, weights=args.weights, roi=args.roi, device=args.device, loop=True)
    window.resize(1100, 720)
    window.show()
    painted: list[tuple[float, float, float, int]] = []  # (painted_at, latency_ms, recognition ms, frame index)
    window.live_view.painted.connect(lambda rec, at: painted.append(
        (at, (at - rec.frame.timestamp_s) * 1000, rec.timings_ms["total"], rec.frame.index)))
    window.start_source(str(video))
    counts: dict[str, int] = {}

    def finish() -> None:
        # Read before quitting: Qt 6's quit() closes the windows, which stops the worker.
        counts.update(skipped=window.live.frames_skipped, dropped=window.live.dropped)
        app.quit()

    started: list[float] = []  # the clock starts once the worker has loaded the model (after the window shows)

    def on_model_loaded(_recognizer: object) -> None:
        started.append(time.monotonic())
        QTimer.singleShot(int((WARMUP_S + args.seconds) * 1000), finish)

    window.live.model_loaded.connect(on_model_loaded)
    app.exec()
    window.close()

    measured = [p for p in painted if started and p[0] - started[0] >= WARMUP_S]
    if len(measured) < 2:
        log.error("only %d frames painted after warm-up", len(measured))
        return 1
    t0 = measured[0][0]
    per_second: dict[int, int] = {}
    for at, *_ in measured:
        per_second[int(at - t0)] = per_second.get(int(at - t0), 0) + 1
    full_seconds = [n for s, n in per_second.items() if s < int(measured[-1][0] - t0)]
    latencies = sorted(p[1] for p in measured)
    log.info("device=%s  roi=%s  frames painted=%d in %.1f s  (file %d fps, Qt platform %s, load average %.1f)",
             args.device, args.roi, len(measured), measured[-1][0] - t0, FPS, app.platformName(), os.getloadavg()[0])
    duration_s = measured[-1][0] - t0
    log.info("displayed fps      median %.1f  min %d (per 1-s window)", statistics.median(full_seconds),
             min(full_seconds))
    log.info("source fps         %.1f delivered (a starved CPU slows the paced reader itself)",
             (measured[-1][3] - measured[0][3]) / duration_s)
    log.info("added latency ms   median %.1f  p90 %.1f  max %.1f  (capture -> painted)",
             statistics.median(latencies), latencies[int(0.9 * len(latencies))], latencies[-1])
    log.info("recognition ms     median %.1f  (locate + preprocess + model)",
             statistics.median(p[2] for p in measured))
    log.info("frames skipped %d, worker drops %d (skipped, never queued)", counts["skipped"], counts["dropped"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
