"""Every dialog, in its largest state, fits the smallest screen signcam supports (issue 32: the Retrain report grew
to 1125x766 and pushed Adopt and Discard off a 1366x768 laptop's screen at 125%)."""

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QWidget

import signcam.ui.screen_fit as screen_fit
from signcam.labels import LETTERS
from signcam.pipeline.config import RecognitionConfig
from signcam.practice.history import History
from signcam.store.samples import SampleStore
from signcam.store.user_weights import WeightsHistory
from signcam.store.weights import read_info
from signcam.ui.about import AboutDialog
from signcam.ui.browser_dialog import BrowserDialog
from signcam.ui.capture_dialog import CaptureDialog
from signcam.ui.practice_menu import install_practice
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.receptive_view import open_reading_drill
from signcam.ui.retrain_dialog import RetrainDialog
from signcam.ui.training_menu import install_training
from training.results import RunResult

# 1366x768 at 125% less a 40 px panel: what availableGeometry reports there
SMALL_SCREEN = QSize(screen_fit.SMALLEST_SCREEN.width(), screen_fit.SMALLEST_SCREEN.height() - screen_fit.PANEL_PX)


@pytest.fixture(autouse=True)
def small_screen(monkeypatch):
    monkeypatch.setattr(screen_fit, "available_size", lambda widget: SMALL_SCREEN)


@pytest.fixture
def history(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    yield history
    history.close()


def assert_fits(widget: QWidget) -> None:
    """The window, and the least it can shrink to, leave room for its title bar and edges on the small screen."""
    QApplication.processEvents()
    room = screen_fit.smallest_room()
    assert room == QSize(1076, 528)
    for what, size in (("size", widget.size()), ("minimum size", widget.minimumSizeHint())):
        assert size.width() <= room.width() and size.height() <= room.height(), (
            f"{widget.windowTitle()}: {what} {size.width()}x{size.height()} > {room.width()}x{room.height()}")


def metrics(accuracy: float) -> dict:
    per_letter = {letter: {"recall": accuracy, "support": 100} for letter in LETTERS}
    return {"accuracy": accuracy, "n": 2400, "per_letter": per_letter,
            "confusion": (np.eye(len(LETTERS), dtype=int) * 100).tolist()}


def test_retrain_fits_on_every_page_and_on_the_report(qtbot, settings, tmp_path):
    dialog = RetrainDialog(settings, history=WeightsHistory(tmp_path / "h"), samples=SampleStore(tmp_path / "s"),
                           current_weights=tmp_path / "w.safetensors")
    qtbot.addWidget(dialog)
    dialog.show()
    assert_fits(dialog)
    result = RunResult(weights=None, test=metrics(0.95), best_epoch=1, val_acc=0.9, temperature=1.0,
                       history=[], personal=metrics(0.8), baseline={"test": metrics(0.96), "personal": metrics(0.7)})
    dialog.process.finished.emit(result)  # what the trainer sends at the end: the report page
    assert dialog.pages.currentWidget() is dialog.report_page
    assert_fits(dialog)
    QApplication.processEvents()
    for button in (dialog.adopt_button, dialog.discard_button):  # not scrolled away: on screen as it opens
        corner = button.mapTo(dialog, button.rect().bottomRight())
        assert dialog.rect().contains(corner), f"{button.text()} is outside the window"


def test_capture_fits_while_asking_with_many_samples(qtbot, tmp_path):
    store = SampleStore(tmp_path)
    for letter in LETTERS:
        for _ in range(5):
            store.add(letter, np.zeros((28, 28), np.uint8))
    dialog = CaptureDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    dialog.question_label.setText("The model reads V (93%), not A. Is your hand showing A?")
    dialog.question.show()
    assert_fits(dialog)


def test_browse_fits_with_its_confusion_matrix(qtbot, tmp_path, test_weights):
    config = RecognitionConfig(weights=str(test_weights), roi="box", device="cpu")
    dialog = BrowserDialog(data_dir="", samples=SampleStore(tmp_path), config=config)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.tiles.predicted is not None, timeout=60_000)
    dialog.select_source("test")  # no CSVs: the longest note
    assert_fits(dialog)


def test_about_fits_with_its_details_open(qtbot, bundled_weights):
    dialog = AboutDialog(read_info(bundled_weights), "CPU")  # the longest summary
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.details_button.click()
    assert_fits(dialog)
    summary = dialog.summary_label
    assert summary.height() >= summary.heightForWidth(summary.width()), "the summary is cut off"
    assert dialog.details.height() >= 160


def test_progress_and_reading_fit(qtbot, history):
    progress = ProgressDialog(history)
    qtbot.addWidget(progress)
    progress.show()
    assert_fits(progress)
    reading = open_reading_drill(history, ["cat", "hello"])
    qtbot.addWidget(reading)
    reading.show()
    view = reading.view
    view.source_box.setCurrentText("Custom text")
    view.custom_edit.setText("hello")
    view.start_button.click()
    view.answer_edit.setText("helo")
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Return)  # a wrong answer: the feedback and the reference photo
    assert view.reviewing
    assert_fits(reading)


def test_shortcuts_fit_with_every_menu_installed(qtbot, make_window, settings, history, tmp_path):
    window = make_window()
    install_practice(window, history)
    install_training(window, settings, tmp_path / "user")
    action = next(a for a in window.findChildren(type(window.mirror_action)) if a.text() == "&Keyboard shortcuts")
    action.trigger()
    box = window.message_box
    assert box is not None and box.isVisible() and box.windowTitle() == "Keyboard shortcuts"
    assert_fits(box)


def test_a_dialog_that_grows_while_open_stays_on_its_screen(qtbot, bundled_weights):
    """About, opened low on the screen, grew down past its bottom edge when Details was clicked."""
    dialog = AboutDialog(read_info(bundled_weights), "CPU")
    qtbot.addWidget(dialog)
    dialog.show()
    area = dialog.screen().availableGeometry()
    dialog.move(area.left() + 40, area.bottom() - dialog.frameGeometry().height() - 10)
    dialog.details_button.click()
    QApplication.processEvents()
    assert area.contains(dialog.frameGeometry()), (dialog.frameGeometry(), area)
