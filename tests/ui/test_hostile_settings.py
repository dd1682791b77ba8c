"""Issue 31 in the app: values no signcam writes (settings, history rows) are skipped, not raised; quitting with
practice the history could not save asks first."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from signcam.pipeline.config import RecognitionConfig
from signcam.practice import load_words
from signcam.practice.history import History
from signcam.store.samples import SampleStore
from signcam.store.user_weights import WeightsHistory
from signcam.ui.browser_dialog import BrowserDialog
from signcam.ui.capture_dialog import CaptureDialog
from signcam.ui.practice_menu import install_practice
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.receptive_view import open_reading_drill
from signcam.ui.retrain_dialog import RetrainDialog
from signcam.ui.settings import Key, Settings
from tests.core.test_history_hostile import history_with_bad_rows, lock_for_writing
from tests.core.test_history_lock import attempt
from training.progress import RunTimes


def test_progress_and_reading_drill_open_over_rows_with_bad_values(qtbot, tmp_path: Path) -> None:
    history = history_with_bad_rows(tmp_path / "history.sqlite3")
    progress = ProgressDialog(history)
    qtbot.addWidget(progress)
    assert "1 letter practised over 1 day," in progress.view.summary_label.text()
    dialog = open_reading_drill(history, load_words())
    qtbot.addWidget(dialog)
    assert dialog.view.drill.pace == 2.0  # the last good reading's pace, not "abc"
    history.close()


def test_closing_with_unsaved_practice_asks_first(qtbot, make_window, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).close()
    history = History(path)
    window = make_window()
    install_practice(window, history)
    window.show()
    other = lock_for_writing(path)
    history.record(attempt("B"), at_unix_s=2.0e9)
    asked = []
    monkeypatch.setattr("signcam.practice.history.CLOSE_WAIT_S", 0.2)
    monkeypatch.setattr("signcam.ui.practice_menu.CLOSE_WAIT_S", 0.2)
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: asked.append(text)
                        or QMessageBox.StandardButton.Cancel)
    window.close()
    assert window.isVisible() and len(asked) == 1  # Cancel: the window stays, the attempt stays queued
    assert asked[0].startswith("1 attempt could not be saved to the practice history")
    other.execute("ROLLBACK")
    other.close()
    assert history.flush(10)
    asked.clear()
    window.close()
    assert not window.isVisible() and asked == []  # saved meanwhile: nothing to ask
    history.close()


@pytest.mark.parametrize("raw", ["-5", "99999999999999999999", "abc", "1e3"])
def test_saved_camera_number_out_of_range_gives_camera_0(settings_path: Path, raw: str) -> None:
    settings_path.write_text(f"[camera]\nindex={raw}\n")
    settings = Settings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    assert settings.camera_index() == 0


def test_saved_camera_number_in_range_is_kept(settings: Settings) -> None:
    settings.set_value(Key.CAMERA, 3)
    assert settings.camera_index() == 3


@pytest.mark.parametrize("saved", ['{"fine-tune": {"loading_s": "a", "epoch_s": "b", "testing_s": "c"}}',
                                   "[" * 100_000 + "]" * 100_000])
def test_retrain_opens_over_bad_saved_run_times(qtbot, settings: Settings, tmp_path: Path, saved: str) -> None:
    settings.set_value(Key.TRAINING_TIMES, saved)
    dialog = RetrainDialog(settings, history=WeightsHistory(tmp_path / "h"), samples=SampleStore(tmp_path / "s"),
                           current_weights=tmp_path / "w.safetensors")
    qtbot.addWidget(dialog)
    assert "Not timed on this computer yet" in dialog.estimate_label.text()
    dialog._remember_times(RunTimes(loading_s=20.0, epoch_s=5.0, testing_s=30.0))
    assert "measured in the last run" in dialog.estimate_label.text()


def bad_samples(root: Path) -> SampleStore:
    (root / "crops").mkdir(parents=True)
    cv2.imwrite(str(root / "crops" / "big.png"), np.zeros((300, 300), np.uint8))
    cv2.imwrite(str(root / "crops" / "odd.png"), np.zeros((28, 28), np.uint8))
    (root / "labels.csv").write_text("id,letter,captured_unix_s\nbig,B,1\nodd,C,abc\n../../etc/x,D,1\n")
    return SampleStore(root)


def test_capture_retrain_and_browse_open_over_bad_labels(qtbot, settings, tmp_path: Path, test_weights) -> None:
    capture = CaptureDialog(bad_samples(tmp_path / "s1"))
    qtbot.addWidget(capture)
    assert capture.grid.count() == 1
    browser = BrowserDialog(data_dir=str(tmp_path), samples=bad_samples(tmp_path / "s2"),
                            config=RecognitionConfig(weights=str(test_weights), device="cpu"))
    qtbot.addWidget(browser)
    assert browser.source_combo.currentData() == "samples"
    retrain = RetrainDialog(settings, history=WeightsHistory(tmp_path / "h"), samples=bad_samples(tmp_path / "s3"),
                            current_weights=tmp_path / "w.safetensors")
    qtbot.addWidget(retrain)


def test_app_starts_over_damaged_bundled_files_and_says_so(qtbot, monkeypatch, settings, tmp_path: Path,
                                                           gray_video, test_weights) -> None:
    from signcam.pipeline import locate
    from signcam.practice import pose
    from tests.core.test_damaged_assets import damaged_copy
    from tests.ui.conftest import run_app_until_exec

    (tmp_path / "hand").mkdir()
    monkeypatch.setattr(locate, "HAND_MODEL", damaged_copy(locate.HAND_MODEL, tmp_path / "hand", "random"))
    monkeypatch.setattr(pose, "TEMPLATES_PATH", damaged_copy(pose.TEMPLATES_PATH, tmp_path, "cut"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    window = run_app_until_exec(monkeypatch, settings, [
        "--source", str(gray_video), "--weights", str(test_weights), "--roi", "auto", "--device", "cpu"])
    qtbot.addWidget(window)
    box = window.message_box
    assert box is not None and box.windowTitle() == "Damaged installation"
    assert "hand_landmarker.task is damaged" in box.text() and "guide box" in box.text()
    assert "templates.json is damaged" in box.text() and "reinstall signcam" in box.text()
    assert window.live.running
    window.close()
