"""Regenerate the README screenshots: live view (a drawn room with a CC0 Sign-MNIST hand in the guide
box), photos, and the no-camera state. Only CC0 CSV rows and drawn shapes appear, never the
real_dev or sign_mnist_sources photos (their licences are unclear).

Usage:
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python docs/make_screenshots.py --data ../shared/data
"""

import argparse
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSettings, QTimer

from signcam.labels import class_of_letter
from signcam.ui.app import make_application
from signcam.ui.main_window import MainWindow
from signcam.ui.settings import Settings
from training.data import find_csvs, load_csv


def first_rows(csv: Path, letters: str) -> dict[str, np.ndarray]:
    data = load_csv(csv)
    return {c: data.images[np.flatnonzero(data.labels == class_of_letter(c))[0]] for c in letters}


def room(hand: np.ndarray, t: float) -> np.ndarray:
    """A 640x480 'room' (gradient wall, shelf, box) with the hand upscaled into the centre guide box."""
    h, w, side = 480, 640, 288
    y, x = np.linspace(0, 1, h)[:, None], np.linspace(0, 1, w)[None, :]
    base = 70 + 60 * y + 20 * x
    frame = np.dstack([base * 0.9, base * 0.95, base * 1.05]).clip(0, 255).astype(np.uint8)
    cv2.rectangle(frame, (0, 380), (640, 400), (60, 70, 90), -1)
    cv2.rectangle(frame, (40, 300), (110, 380), (90, 110, 150), -1)
    patch = cv2.cvtColor(cv2.resize(hand, (side, side), interpolation=cv2.INTER_CUBIC), cv2.COLOR_GRAY2BGR)
    x0, y0 = (w - side) // 2, (h - side) // 2 + int(2 * np.sin(t))
    frame[y0 : y0 + side, x0 : x0 + side] = patch
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder with the Sign-MNIST CSVs")
    parser.add_argument("--weights", help="weights file (default: bundled)")
    parser.add_argument("--out", default="docs", help="(default: docs)")
    args = parser.parse_args()
    out, tmp = Path(args.out), Path(tempfile.mkdtemp())
    hands = first_rows(find_csvs(args.data)[1], "BLVWY")
    video = tmp / "room.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for i in range(90):
        writer.write(room(hands["L"], i / 10))
    writer.release()
    photos = []
    for letter in "BVWY":
        photos.append(tmp / f"hand-{letter}.png")
        cv2.imwrite(str(photos[-1]), cv2.resize(hands[letter], (224, 224), interpolation=cv2.INTER_CUBIC))

    app = make_application(sys.argv[:1])
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings, weights=args.weights, roi="box", device="cpu", loop=True)
    window.show()
    window.start_source(str(video))  # the model loads in the worker: the timed steps start with its first reading
    steps = [
        (2500, lambda: window.grab().save(str(out / "screenshot-live.png"))),
        (2600, lambda: (window.set_roi("full"), window.open_photos(photos), window.photo_view.step(1))),
        (3200, lambda: window.grab().save(str(out / "screenshot-photo.png"))),
        (3300, lambda: window.start_source(7)),  # no camera 7 here: the empty state
        (4200, lambda: window.grab().save(str(out / "screenshot-no-camera.png"))),
        (4300, window.close),
        (4500, app.quit),
    ]
    def schedule(_recognition: object) -> None:
        window.recognition_changed.disconnect(schedule)
        for ms, step in steps:
            QTimer.singleShot(ms, step)

    window.recognition_changed.connect(schedule)
    app.exec()


if __name__ == "__main__":
    main()
