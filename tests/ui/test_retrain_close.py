"""Escape and the close box in Retrain ask before they stop a running trainer or throw away new weights (issue 32:
a stray Escape killed a run, or discarded its result, without a word)."""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from signcam.store.samples import SampleStore
from signcam.store.user_weights import WeightsHistory
from signcam.ui.retrain_dialog import MODES, RetrainDialog

RUN_TIMEOUT_MS = 60_000  # a cold Python + torch start is most of it


def answer_next_box(button: str, seen: list[str]) -> None:
    """Click `button` in the next question box once it is open (it runs its own event loop); its title into `seen`."""
    tries = [0]

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            tries[0] += 1
            if tries[0] < 300:
                QTimer.singleShot(10, click)
            return
        seen.append(box.windowTitle())
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, click)


def make_dialog(qtbot, settings, tmp_path, kaggle_dir, test_weights, epochs: int) -> RetrainDialog:
    history = WeightsHistory(tmp_path / "user")
    dialog = RetrainDialog(settings, history=history, samples=SampleStore(tmp_path / "samples"),
                           current_weights=test_weights, overrides={"width": 8, "batch_size": 16})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.data_edit.setText(str(kaggle_dir))
    dialog.mode_combo.setCurrentIndex(list(MODES).index("scratch"))
    dialog.epochs_spin.setValue(epochs)
    return dialog


def candidates(dialog: RetrainDialog) -> list:
    folder = dialog._history.candidates_dir
    return sorted(folder.iterdir()) if folder.exists() else []


def test_escape_asks_before_it_stops_a_running_trainer(qtbot, settings, tmp_path, kaggle_dir, test_weights):
    dialog = make_dialog(qtbot, settings, tmp_path, kaggle_dir, test_weights, epochs=500)
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() > 0, timeout=RUN_TIMEOUT_MS)
    seen: list[str] = []
    answer_next_box("Keep training", seen)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert seen == ["Stop training?"] and dialog.isVisible() and dialog.process.running
    answer_next_box("Stop training", seen)
    with qtbot.waitSignal(dialog.process.cancelled, timeout=5000):
        dialog.close()  # the close box
    assert seen == ["Stop training?"] * 2 and not dialog.isVisible() and candidates(dialog) == []


def test_escape_asks_before_it_discards_new_weights(qtbot, settings, tmp_path, kaggle_dir, test_weights):
    dialog = make_dialog(qtbot, settings, tmp_path, kaggle_dir, test_weights, epochs=1)
    with qtbot.waitSignal(dialog.process.finished, timeout=RUN_TIMEOUT_MS):
        assert dialog.start()
    assert dialog.pages.currentWidget() is dialog.report_page and candidates(dialog)
    seen: list[str] = []
    answer_next_box("Keep them", seen)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert seen == ["Discard the new weights?"] and dialog.isVisible() and candidates(dialog)
    answer_next_box("Discard", seen)
    dialog.close()
    assert seen == ["Discard the new weights?"] * 2 and not dialog.isVisible() and candidates(dialog) == []
