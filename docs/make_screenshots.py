"""Regenerate the README screenshots from the real window, driven like a user.

The camera is a video of a drawn room with one of the bundled reference hands (MIT photos from extra/,
credited in signcam/assets/reference/CREDITS.md) in front of it, so no other photo ever appears. What the
window shows is what the app computed: the letter, the progress curves of a real (short) training run, and
practice statistics from a throwaway history filled with a few attempts.

Usage (needs an X server; no screen size is assumed beyond 1920x1080):
    Xvfb :13 -screen 0 1920x1080x24 &  DISPLAY=:13 .venv/bin/python docs/make_screenshots.py --data ../shared/data
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QGridLayout, QLabel, QVBoxLayout, QWidget

from signcam.labels import LETTERS
from signcam.practice.history import History
from signcam.practice.receptive import ReadResult, WordSource
from signcam.practice.scoring import Attempt, Outcome
from signcam.store.assets_dir import REFERENCE_DIR
from signcam.ui.about import AboutDialog
from signcam.ui.app import make_application
from signcam.ui.main_window import MainWindow
from signcam.ui.practice_menu import READING_DIALOG, install_practice
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.settings import Settings
from signcam.ui.training_menu import install_training

SIZES = {"": (1280, 720), "-1920": (1920, 1080)}  # file suffix -> window size


def wait_until(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    """Run the event loop until `condition()` holds (what pytest-qt's waitUntil does)."""
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"gave up waiting after {timeout_s} s")
        QApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float) -> None:
    end = time.monotonic() + seconds
    wait_until(lambda: time.monotonic() > end, seconds + 5)


def room(hand_bgr: np.ndarray | None, t: float) -> np.ndarray:
    """A 640x480 'room' (gradient wall, shelf, box), with the hand photo in the middle when given."""
    h, w = 480, 640
    y, x = np.linspace(0, 1, h)[:, None], np.linspace(0, 1, w)[None, :]
    base = 70 + 60 * y + 20 * x
    frame = np.dstack([base * 0.9, base * 0.95, base * 1.05]).clip(0, 255).astype(np.uint8)
    cv2.rectangle(frame, (0, 380), (640, 400), (60, 70, 90), -1)
    cv2.rectangle(frame, (40, 300), (110, 380), (90, 110, 150), -1)
    if hand_bgr is not None:
        side = 300
        patch = cv2.resize(hand_bgr, (side, side), interpolation=cv2.INTER_CUBIC)
        x0, y0 = (w - side) // 2 + 60, (h - side) // 2 + int(2 * np.sin(t))
        frame[y0 : y0 + side, x0 : x0 + side] = patch
    return frame


def write_video(path: Path, hand_bgr: np.ndarray | None, frames: int = 90) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for i in range(frames):
        writer.write(room(hand_bgr, i / 10))
    writer.release()
    return path


def menu_action(window: MainWindow, path: str):
    """The menu action at `path`, e.g. "Practice/Letter drill/A to Y" (accelerator ampersands ignored)."""
    actions = window.menuBar().actions()
    for name in path.split("/"):
        action = next(a for a in actions if a.text().replace("&", "") == name)
        actions = action.menu().actions() if action.menu() else []
    return action


def save(widget: QWidget, path: Path) -> None:
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    print(f"wrote {path} ({widget.width()}x{widget.height()})")


def references_sheet(out: Path) -> None:
    """All 24 reference hands as the learner sees them, 6 to a row."""
    sheet = QWidget()
    sheet.setStyleSheet("background: #1e1f22; color: #e8e8e8; font-size: 15px; font-weight: bold;")
    grid = QGridLayout(sheet)
    for i, letter in enumerate(LETTERS):
        cell = QVBoxLayout()
        picture, caption = QLabel(), QLabel(letter)
        picture.setPixmap(QPixmap(str(REFERENCE_DIR / f"{letter}.png")).scaledToWidth(
            180, Qt.TransformationMode.SmoothTransformation))
        cell.addWidget(picture)
        cell.addWidget(caption)
        grid.addLayout(cell, i // 6, i % 6)
    sheet.show()
    save(sheet, out / "screenshot-references.png")
    sheet.close()


def fill_history(history: History) -> None:
    """A learner's first two days: most letters right, a few weak ones, one never right."""
    now = time.time()
    day = 24 * 3600
    plan = {"A": (5, 5), "B": (4, 4), "C": (4, 3), "L": (5, 5), "V": (4, 2), "T": (3, 0), "M": (3, 1),
            "Y": (4, 4), "W": (2, 2), "S": (3, 2)}
    for letter, (attempts, right) in plan.items():
        for k in range(attempts):
            outcome = Outcome.CORRECT if k < right else Outcome.TIMED_OUT
            at = now - (day if k % 2 else 0)
            history.record(Attempt(letter, outcome, 0.0, 2.2 + 0.3 * (k % 3), 0, ""), at)


def fill_readings(history: History) -> None:
    """Three days of the reading drill, the pace rising from 2 to 3.5 letters/s."""
    now = time.time()
    for days_ago, pace in ((2, 2.0), (1, 3.0), (0, 3.5)):
        for word, typed in (("CAT", "CAT"), ("HELLO", "HELO"), ("SUN", "SUN")):
            missed = (3,) if typed != word else ()
            history.record_reading(ReadResult(word, typed, missed, pace, pace, 0, WordSource.WORDS),
                                   now - days_ago * 24 * 3600)


def reading_drill(window: MainWindow, out: Path) -> None:
    """Practice > Read fingerspelling with no camera: HELLO read as HELO, the missed L shown again slowly beside
    its reference; then the next word's J drawn moving along its hook."""
    menu_action(window, "Practice/Read fingerspelling…").trigger()
    dialog = window.findChild(QDialog, READING_DIALOG)
    view = dialog.view
    view.source_box.setCurrentText("Custom text")
    view.custom_edit.setText("hello jam")
    view.start()
    wait_until(lambda: not view.playing)
    view.answer_edit.setText("helo")
    view.answer_edit.returnPressed.emit()
    wait_until(lambda: view.stage.step is not None)
    settle(0.5)
    save(dialog, out / "screenshot-reading.png")
    view.answer_edit.returnPressed.emit()  # Enter again: the next word, JAM
    wait_until(lambda: view.stage.step is not None and view.stage.step.letter == "J" and view.stage.progress > 0.7)
    save(dialog, out / "screenshot-reading-motion.png")
    dialog.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder with the Sign-MNIST CSVs (for the retrain dialog)")
    parser.add_argument("--weights", help="weights file (default: bundled)")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="(default: docs)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        take_screenshots(args.out, Path(tmp), args.data, args.weights)


def take_screenshots(out: Path, tmp: Path, data: str, weights: str | None) -> None:
    hand = cv2.imread(str(REFERENCE_DIR / "L.png"))
    video = write_video(tmp / "room.avi", hand)
    empty = write_video(tmp / "empty.avi", None, frames=60)

    app = make_application(sys.argv[:1])
    settings = Settings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    history = History(tmp / "history.sqlite")
    window = MainWindow(settings, weights=weights, roi="auto", device="cpu", loop=True)
    install_practice(window, history=history, settings=settings)
    training = install_training(window, settings, tmp / "user",
                                retrain_overrides={"limit": 2000, "batch_size": 64})
    window.show()

    # Live view, at both sizes, reading the hand.
    window.start_source(str(video))
    for suffix, (w, h) in SIZES.items():
        window.resize(w, h)
        wait_until(lambda: window.live_view.shown_letter() not in ("", "–"))
        settle(1.0)
        save(window, out / f"screenshot-live{suffix}.png")
    window.resize(*SIZES[""])

    # A letter drill (A to Y): the camera shows an L, so A goes unread; after 1.5 s the coach names what to
    # change toward A and the live view marks those fingers.
    menu_action(window, "Practice/Letter drill/A to Y").trigger()
    settle(4.0)
    save(window, out / "screenshot-practice.png")
    menu_action(window, "Practice/Stop practice").trigger()
    panel_action = menu_action(window, "Practice/Practice panel")
    if panel_action.isChecked():
        panel_action.trigger()  # close the panel again, as a user would

    # Capture my samples while the camera shows an L, asked for A: it says what it reads and asks.
    capture = training.open_capture()
    capture.resize(900, 620)
    capture.letters_edit.setText("A")
    capture.countdown_s = 0.0
    capture.start()
    started = time.monotonic()
    wait_until(lambda: capture.asking or time.monotonic() - started > 10, timeout_s=15)
    save(capture, out / "screenshot-capture.png")
    capture.close()

    browser = training.open_browser()
    wait_until(lambda: not browser.predicting and browser.tiles.predicted is not None, timeout_s=90)
    save(browser, out / "screenshot-browser.png")
    browser.close()

    window.set_roi("auto")
    window.open_photos([REFERENCE_DIR / f"{letter}.png" for letter in "BVWY"])
    window.photo_view.step(1)
    settle(1.0)
    save(window, out / "screenshot-photo.png")

    # No hand (looping), then the end of a video that does not loop.
    window.start_source(7)  # no camera 7 here: the empty state
    settle(1.0)
    save(window, out / "screenshot-no-camera.png")
    window.start_source(str(empty))
    wait_until(lambda: window.live_view.shown_letter() == "–")
    settle(0.5)
    save(window, out / "screenshot-no-hand.png")
    menu_action(window, "File/Loop videos").trigger()  # Loop videos off, as a user would
    window.start_source(str(empty))
    wait_until(lambda: window.live_view.shown_letter() == "–")
    wait_until(lambda: not window.live_view.live, timeout_s=60)
    save(window, out / "screenshot-video-ended.png")

    references_sheet(out)
    reading_drill(window, out)

    fill_history(history)
    fill_readings(history)
    progress = ProgressDialog(history, window)
    progress.show()
    save(progress, out / "screenshot-progress.png")
    progress.close()

    about = AboutDialog(window.model_info, "CPU", window)
    about.show()
    save(about, out / "screenshot-about.png")
    about.close()

    # A real, short retrain (2,000 rows, 2 epochs): mid-run, then its report.
    dialog = training.open_retrain()
    dialog.data_edit.setText(str(data))
    dialog.epochs_spin.setValue(2)
    dialog.start()
    wait_until(lambda: len(dialog.val_acc_curve.getData()[1] if dialog.val_acc_curve.getData()[1] is not None
                           else []) >= 1 and dialog.progress_bar.value() > 600, timeout_s=300)
    save(dialog, out / "screenshot-retrain-progress.png")
    wait_until(lambda: dialog.pages.currentWidget() is dialog.report_page, timeout_s=600)
    wait_until(dialog.adopt_button.isEnabled)  # the buttons wait a moment after the run (issue 23)
    save(dialog, out / "screenshot-retrain-report.png")
    dialog.discard()

    window.close()
    app.quit()


if __name__ == "__main__":
    main()
