"""Practice > Read fingerspelling driven end to end with the keyboard: no camera, the bundled hands, a real history."""

import random
from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from signcam.practice.history import History
from signcam.practice.receptive import DrillState, ReceptiveConfig, ReceptiveDrill, load_hand_index
from signcam.ui.practice_menu import READING_DIALOG, install_practice
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.receptive_view import ReceptiveDialog, ReceptiveView


@pytest.fixture
def history(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    yield history
    history.close()


def make_view(qtbot, history, **config) -> ReceptiveView:
    config = {"pause_s": 0.05, "start_pace": 6.0, "rise_after": 2, **config}
    drill = ReceptiveDrill(load_hand_index(), history=history, config=ReceptiveConfig(**config),
                           rng=random.Random(3), clock=lambda: datetime(2026, 3, 1, 12).timestamp())
    view = ReceptiveView(drill, ["cat", "dog", "hello", "jazz"])
    qtbot.addWidget(view)
    view.resize(640, 600)
    view.show()
    return view


def start_custom(view: ReceptiveView, text: str) -> None:
    view.source_box.setCurrentText("Custom text")
    view.custom_edit.setText(text)
    view.start_button.click()


def answer(qtbot, view: ReceptiveView, typed: str) -> None:
    view.answer_edit.clear()
    qtbot.keyClicks(view.answer_edit, typed)
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Return)


def test_word_is_shown_hand_by_hand_then_the_stage_clears(qtbot, history):
    view = make_view(qtbot, history)
    start_custom(view, "cab")
    assert view.stage.step is None  # the pause between words comes first
    view.seek(0.05 + 0.01)
    assert view.stage.step.letter == "C" and view.stage.caption == ""  # no caption: it would give it away
    assert not view.stage.pixmap(view.stage.step.hand, view.stage.step.signer).isNull()
    view.seek(0.05 + 1 / 6 + 0.01)
    assert view.stage.step.letter == "A"
    with qtbot.waitSignal(view.played, timeout=5000):
        pass
    assert view.stage.step is None and "Word 1 of 1" in view.status_label.text()


def test_typed_right_then_wrong_moves_the_pace_up_then_down(qtbot, history):
    view = make_view(qtbot, history, start_pace=2.0, pace_step=0.5, rise_after=2)
    start_custom(view, "cat dog hello sun")
    answer(qtbot, view, "cat")
    assert "Right: CAT" in view.feedback_label.text() and "2 letters/s" in view.feedback_label.text()
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Return)  # Enter again: the next word
    assert "Word 2 of 4" in view.status_label.text()
    answer(qtbot, view, "dog")
    assert "pace up, 2.5 letters/s" in view.feedback_label.text()
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Return)
    assert "pace 2.5 letters/s" in view.status_label.text()

    answer(qtbot, view, "helo")  # one L missed
    text = view.feedback_label.text()
    assert "It was" in text and "4 of 5 letters right" in text and "pace down, 2 letters/s" in text
    assert view.reviewing and [s.letter for s in view.steps] == ["L"]  # the missed letter again, slowly
    view.seek(0.5)
    assert view.stage.caption == "L" and view.reference_label.isVisibleTo(view)
    assert not view.reference_label.pixmap().isNull()

    stats = history.reading_letter_stats()
    assert (stats["L"].attempts, stats["L"].correct) == (2, 1)
    assert [(d.words, d.right, d.best_pace) for d in history.reading_days()] == [(3, 2, 2.0)]
    assert history.count() == 0  # nothing in the signing drills' table


def test_space_replays_and_slower_lowers_the_pace(qtbot, history):
    view = make_view(qtbot, history, start_pace=3.0, pace_step=0.5)
    start_custom(view, "cat")
    view.stop_playback()
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Space)
    assert view.playing and view.answer_edit.text() == ""  # Space replayed instead of typing
    qtbot.mouseClick(view.slower_button, Qt.MouseButton.LeftButton)
    assert view.drill.pace == 2.5 and "pace 2.5 letters/s" in view.status_label.text()
    assert view.steps[1].start_s - view.steps[0].start_s == pytest.approx(0.4)
    answer(qtbot, view, "cat")
    assert view.drill.last_result.replays == 2


def test_drill_ends_with_a_summary(qtbot, history):
    view = make_view(qtbot, history)
    start_custom(view, "ab")
    answer(qtbot, view, "ab")
    qtbot.keyClick(view.answer_edit, Qt.Key.Key_Return)
    assert view.drill.state is DrillState.DONE
    # issue 32: it said "1 of 1 words"
    assert "Drill done" in view.feedback_label.text() and "1</b> of 1 word," in view.feedback_label.text()
    assert not view.check_button.isEnabled()


def test_j_moves_along_its_path_and_a_double_letter_slides(qtbot, history):
    view = make_view(qtbot, history, start_pace=1.0)
    start_custom(view, "jazz")
    view.stop_playback()
    steps = view.drill.sequence()
    view.steps = steps
    view.seek(steps[0].start_s + 0.05)
    early, _, early_angle = view.stage.hand_centre()
    view.seek(steps[0].end_s - 0.05)
    late, _, late_angle = view.stage.hand_centre()
    assert late.y() > early.y() + 20 and late_angle > early_angle + 30  # down the hook, the wrist turning
    view.seek(steps[3].start_s + 0.01)  # the second Z: motion letters are drawn moving, not slid
    assert view.stage.step.motion and view.stage.step.double

    start_custom(view, "all")
    view.stop_playback()
    steps = view.drill.sequence()
    view.steps = steps
    view.seek(steps[2].start_s + 0.01)
    start = view.stage.hand_centre()[0]
    view.seek(steps[2].end_s - 0.01)
    assert view.stage.step.double and view.stage.hand_centre()[0].x() < start.x() - 20


def test_menu_opens_the_drill_without_a_camera_and_progress_shows_the_pace(qtbot, make_window, history):
    window = make_window()  # no source started: there is no camera
    install_practice(window, history)
    action = next(a for a in window.practice_menu.actions() if a.text() == "R&ead fingerspelling…")
    action.trigger()
    dialog = window.findChild(QDialog, READING_DIALOG)
    assert isinstance(dialog, ReceptiveDialog) and dialog.isVisible()
    qtbot.keyClick(dialog.view.answer_edit, Qt.Key.Key_Return)  # Enter starts a drill from the word list
    assert dialog.view.drill.state is DrillState.READING
    answer(qtbot, dialog.view, dialog.view.drill.word)
    dialog.close()
    action.trigger()
    assert window.findChild(QDialog, READING_DIALOG) is dialog  # the same drill, raised again

    progress = ProgressDialog(history, window)
    qtbot.addWidget(progress)
    assert "1 of 1 word read right" in progress.view.summary_label.text()
    [curve] = progress.view.reading_plot.listDataItems()
    assert list(curve.getData()[1]) == [dialog.view.drill.last_result.pace]


def test_custom_field_only_for_custom_text_and_no_typing_hint_before_the_word(qtbot, history):
    """Issue 32: the custom-words field looked enabled while "Word list" was chosen; "Type what you read, Space shows
    it again" showed during the pause before the word."""
    view = make_view(qtbot, history, pause_s=0.5)
    assert view.source_box.currentText() == "Word list" and not view.custom_edit.isVisible()
    view.source_box.setCurrentText("Custom text")
    assert view.custom_edit.isVisible()
    view.custom_edit.setText("cab")
    view.start_button.click()
    assert view.stage.step is None and view.playing and view.stage.hint == ""  # the pause before the first hand
    with qtbot.waitSignal(view.played, timeout=5000):
        pass
    assert view.stage.hint.startswith("Type what you read")


def test_wrong_answer_keeps_the_layout_and_shows_a_large_reference(qtbot, history):
    """Issue 32: after a wrong answer the layout jumped (the answer field moved, the stage shrank) and the reference
    photo was 124 px in a corner."""
    view = make_view(qtbot, history)
    start_custom(view, "cab")
    with qtbot.waitSignal(view.played, timeout=5000):
        pass
    before = (view.stage.geometry(), view.answer_edit.geometry())
    answer(qtbot, view, "cob")
    QApplication.processEvents()
    assert view.reviewing and view.reference_label.isVisible()
    assert (view.stage.geometry(), view.answer_edit.geometry()) == before
    assert min(view.reference_label.pixmap().deviceIndependentSize().toSize().toTuple()) >= 200
