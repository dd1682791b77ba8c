"""The practice panel driven by scripted recognitions on an injected clock (no model, no sleeps)."""

import random
import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QPushButton

from signcam.labels import LETTERS
from signcam.practice import LetterOrder, SessionSummary
from signcam.practice.controller import PracticeController
from signcam.practice.history import History
from signcam.ui.practice_menu import install_practice
from signcam.ui.practice_view import MISSED, PracticePanel
from signcam.ui.progress_view import ProgressDialog
from tests.practice_fakes import FRAME_S, Stream


class FakeClock:
    """The controller's clock, and the recognizer's stream the test feeds on the same time line."""

    def __init__(self) -> None:
        self.t = 100.0
        self.stream = Stream()

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def history(tmp_path):
    history = History(tmp_path / "history.sqlite3")
    yield history
    history.close()


def make_panel(qtbot, history, clock=None, **options) -> PracticePanel:
    """A real PracticeController (Qt-free) with its PracticePanel, as install_practice builds them."""
    controller = PracticeController(history, clock=clock or FakeClock(), **options)
    panel = PracticePanel(controller)
    qtbot.addWidget(panel)
    return panel


@pytest.fixture
def panel(qtbot, clock, history) -> PracticePanel:
    return make_panel(qtbot, history, clock, wall_clock=lambda: 1_750_000_000.0,
                      skip_after_s=10.0, rng=random.Random(0))


def feed(panel: PracticePanel, clock: FakeClock, letter: str | None, seconds: float, hand: bool = True) -> None:
    """Recognitions every FRAME_S on the panel's clock, as the live view would deliver them."""
    for _ in range(round(seconds / FRAME_S)):
        panel.controller.on_recognition(clock.stream.recognition(letter, hand=hand, t_s=clock.t))
        clock.t = round(clock.t + FRAME_S, 6)


def test_custom_word_spelled_and_summarised(qtbot, panel, clock, history):
    assert panel.controller.start_custom_text("Hi!")
    assert panel.pages.currentWidget() is panel.drill_page
    assert panel.target_label.text() == "H" and "<b>H</b>" in panel.word_label.text()
    assert not panel.reference_label.pixmap().isNull()  # easy mode shows the reference
    feed(panel, clock, "H", 0.5)
    assert 0 < panel.ring.progress < 1 and panel.ring.letter == "H"
    feed(panel, clock, "H", 0.6)
    assert panel.target_label.text() == "I"
    assert history.count() == 1  # committed as it happened
    with qtbot.waitSignal(panel.finished, timeout=1000) as blocker:
        feed(panel, clock, "I", 1.1)
    summary: SessionSummary = blocker.args[0]
    assert (summary.correct, summary.attempts) == (2, 2)
    assert panel.pages.currentWidget() is panel.summary_page
    assert "2</b> of 2 letters right" in panel.summary_page.label.text()


def test_wrong_letter_shows_what_model_reads_and_top3(panel, clock):
    panel.controller.start_custom_text("u")
    feed(panel, clock, "R", 1.1)
    text = panel.feedback_label.text()
    assert "reads <b>R</b>, not U" in text and "Top 3: R 90%" in text and "You held R" in text
    assert panel.ring.letter == "R" and panel.target_label.text() == "U"


def test_no_hand_feedback(panel, clock):
    panel.controller.start_custom_text("b")
    feed(panel, clock, None, 0.5, hand=False)
    assert panel.feedback_label.text() == "No hand in view."


def test_hard_mode_hides_and_left_hand_mirrors_reference(panel):
    panel.controller.start_custom_text("L")
    right = panel.reference_label.pixmap().toImage()
    panel.controller.set_left_hand(True)
    left = panel.reference_label.pixmap().toImage()
    assert left != right and left == right.flipped(Qt.Orientation.Horizontal)
    panel.controller.set_hard_mode(True)
    assert panel.reference_label.pixmap().isNull() and "memory" in panel.reference_label.text()


def test_time_out_from_timer_between_frames(qtbot, tmp_path, clock):
    history = History(tmp_path / "h.sqlite3")
    panel = make_panel(qtbot, history, clock, skip_after_s=2.0)
    panel.controller.start_custom_text("ab")
    feed(panel, clock, "C", 1.5)  # last frame 1.4 s in
    clock.t += 0.7  # frames late; the hand was seen within HAND_GRACE_S, so only the panel's timer runs
    qtbot.waitUntil(lambda: panel.target_label.text() == "B", timeout=2000)
    assert history.letter_stats()["A"].correct == 0
    history.close()


def test_drill_without_camera_records_nothing(qtbot, panel, clock, history):
    """Issue 23: with no camera every letter was saved as timed out and drawn red in Progress."""
    panel.controller.start_letter_drill(LetterOrder.RANDOM)
    first = panel.target_label.text()
    for _ in range(5):
        clock.t += 30.0
        panel.controller.tick()
    assert panel.target_label.text() == first and history.count() == 0
    assert panel.feedback_label.text() == "No hand in view."
    assert "waiting for your hand" in panel.time_bar.format()
    panel.skip_action.trigger()  # passed over without a try: moves on, not recorded
    assert panel.target_label.text() != first or panel.title_label.text().endswith("2 of 20")
    assert history.count() == 0


def test_missed_letter_of_a_word_is_not_green(panel, clock):
    """Issue 23: in PUSH, S timed out but was coloured green like the right letters."""
    panel.controller.start_custom_text("push")
    feed(panel, clock, "P", 1.1)
    feed(panel, clock, "U", 1.1)
    feed(panel, clock, "A", 10.5)  # S times out while a hand shows A
    html = panel.word_label.text()
    assert panel.target_label.text() == "H"
    assert "<span style='color:#3fb66b'>PU</span>" in html and f"<span style='color:{MISSED}'>S</span>" in html


def test_skip_action_moves_on_and_stop_returns_to_idle(panel, clock, history):
    panel.controller.start_custom_text("ab")
    feed(panel, clock, "C", 0.3)
    panel.skip_action.trigger()
    assert panel.target_label.text() == "B" and history.count() == 1
    panel.stop_action.trigger()
    assert panel.pages.currentWidget() is panel.idle_page and not panel.skip_action.isEnabled()


def test_motion_letter_confirmed_by_key(qtbot, panel, clock):
    panel.controller.start_custom_text("J")
    assert panel.motion_done_action.isEnabled() and "press Space" in panel.feedback_label.text()
    feed(panel, clock, "I", 1.1)  # the I shape the J starts from does not count
    assert panel.target_label.text() == "J"
    with qtbot.waitSignal(panel.finished, timeout=1000):
        panel.motion_done_action.trigger()


def test_unread_motion_letter_says_what_to_draw_and_that_space_confirms(panel, clock):
    panel.controller.start_custom_text("J")
    feed(panel, clock, "I", 2.0)
    assert "Draw the hook" not in panel.feedback_label.text()
    feed(panel, clock, "I", 1.5)  # 3.5 s on the J, never drawn
    text = panel.feedback_label.text()
    assert "Draw the hook with your little finger" in text and "press Space" in text
    assert panel.target_label.text() == "J"


def test_free_spelling_text_space_backspace_copy(qtbot, panel, clock):
    panel.controller.start_free_spelling()
    feed(panel, clock, "H", 1.1)
    feed(panel, clock, "I", 1.1)
    feed(panel, clock, None, 1.5, hand=False)
    feed(panel, clock, "A", 1.1)
    assert panel.free_page.text.toPlainText() == "HI A"
    assert panel.free_page.ring.letter == "A"
    buttons = {b.text(): b for b in panel.free_page.findChildren(QPushButton)}
    buttons["Backspace"].click()
    assert panel.free_page.text.toPlainText() == "HI "
    buttons["Copy"].click()
    assert QGuiApplication.clipboard().text() == "HI "
    buttons["Clear"].click()
    assert panel.free_page.text.toPlainText() == ""


def test_history_survives_restart_and_feeds_weakest_drill(qtbot, tmp_path, clock):
    path = tmp_path / "history.sqlite3"
    first = History(path)
    panel = make_panel(qtbot, first, clock)
    panel.controller.start_custom_text("mm")
    for _ in range(2):
        feed(panel, clock, "A", 4.0)
        panel.skip_action.trigger()
    first.close()

    again = History(path)
    assert again.letter_stats()["M"].attempts == 2 and again.letter_stats()["M"].correct == 0
    panel = make_panel(qtbot, again, clock, rng=random.Random(1))
    panel.controller.start_letter_drill(LetterOrder.WEAKEST)
    assert panel.pages.currentWidget() is panel.drill_page and panel.target_label.text() in LETTERS
    again.close()


def test_corrupt_history_gives_message_and_fresh_file(qtbot, tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"\x00garbage" * 200)
    history = History(path)
    panel = make_panel(qtbot, history)
    assert "could not be read" in panel.notice_label.text()
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*"))) == 1
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM attempts").fetchone() == (0,)
    history.close()


def test_progress_dialog_shows_letters_and_days(qtbot, panel, clock, history):
    panel.controller.start_custom_text("ab")
    feed(panel, clock, "A", 1.1)
    dialog = ProgressDialog(history)
    qtbot.addWidget(dialog)
    assert "1 letter practised over 1 day, 100% right" in dialog.view.summary_label.text()
    bars = [item for item in dialog.view.letters_plot.listDataItems() + dialog.view.letters_plot.items()
            if type(item).__name__ == "BarGraphItem"]
    assert bars and bars[0].opts["height"][0] == 100.0


def test_progress_dialog_empty_history(qtbot, history):
    dialog = ProgressDialog(history)
    qtbot.addWidget(dialog)
    assert dialog.view.summary_label.text().startswith("No practice yet")


def test_install_practice_in_main_window(qtbot, make_window, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # platformdirs' user_data_dir on Linux
    window = make_window()
    install_practice(window)
    texts = [a.text() for a in window.practice_menu.actions()]
    for expected in ("&Letter drill", "&Word drill", "&Custom text…", "&Free spelling", "&Progress…",
                     "&Easy mode (reference picture)", "&Hard mode (from memory)", "&Right hand"):
        assert expected in texts
    dock = window.findChild(QDockWidget)
    panel = dock.widget()
    assert isinstance(panel, PracticePanel) and not dock.isVisible()
    word_drill = next(a for a in window.practice_menu.actions() if a.text() == "&Word drill")
    word_drill.trigger()
    assert panel.pages.currentWidget() is panel.drill_page
    target = panel.target_label.text()
    window.recognition_changed.emit(Stream().recognition(None, hand=False))
    assert panel.feedback_label.text() == "No hand in view." and panel.target_label.text() == target
    assert (tmp_path / "signcam" / "history.sqlite3").exists()
    panel.controller.history.close()


def test_install_practice_with_injected_history_shows_recovery_message(qtbot, make_window, tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not sqlite" * 100)
    history = History(path)
    window = make_window()
    install_practice(window, history)
    assert "could not be read" in window.statusBar().currentMessage()
    history.close()


def test_alphabetical_drill_covers_a_to_y(panel):
    panel.controller.start_letter_drill(LetterOrder.ALPHABETICAL)
    assert panel.target_label.text() == "A" and panel.title_label.text().endswith("letter 1 of 24")


def test_practice_choices_are_remembered_across_restarts(qtbot, make_window, settings, tmp_path):
    history = History(tmp_path / "history.sqlite3")
    panel = install_practice(make_window(), history, settings)
    assert not panel.controller.hard_mode and not panel.controller.left_hand
    menu_actions = {a.text(): a for a in panel.window().practice_menu.actions()}
    menu_actions["&Hard mode (from memory)"].trigger()
    menu_actions["L&eft hand (mirrored pictures)"].trigger()
    assert panel.controller.hard_mode and panel.controller.left_hand

    again = install_practice(make_window(), history, settings)  # a restart: same settings file
    assert again.controller.hard_mode and again.controller.left_hand
    again_actions = {a.text(): a for a in again.window().practice_menu.actions()}
    assert again_actions["&Hard mode (from memory)"].isChecked()
    assert not again_actions["&Easy mode (reference picture)"].isChecked()
    history.close()


def test_menu_threshold_reaches_the_one_smoother_in_the_recognition_thread(qtbot, make_window, gray_video, tmp_path):
    """One threshold (issues 12/13/20): the Recognition menu's choice goes into the config, and the recognition
    thread gives it to the recognizer's one smoother, whose output practice reads."""
    history = History(tmp_path / "history.sqlite3")
    window = make_window(roi="box")
    install_practice(window, history)
    window.show()
    window.start_source(str(gray_video))
    qtbot.waitUntil(lambda: window.live.recognizer is not None, timeout=10000)
    window.recognition_menu.threshold_actions[0.8].trigger()
    assert window.recognition.config.threshold == 0.8
    assert window.recognition_menu.threshold_actions[0.8].isChecked()
    qtbot.waitUntil(lambda: window.live.recognizer.threshold == 0.8, timeout=5000)  # at the worker's next frame
    window.live.stop()
    history.close()


def test_camera_keeps_the_room_while_practising(qtbot, make_window, tmp_path):
    """Issue 13: with practice open the picture shrank to ~470 px. During a drill the live view drops its
    own letter column (the panel shows the reading), and the narrow panel leaves the video the most room."""
    history = History(tmp_path / "history.sqlite3")
    window = make_window()
    panel = install_practice(window, history)
    window.show()
    word_drill = next(a for a in window.practice_menu.actions() if a.text() == "&Word drill")
    word_drill.trigger()
    qtbot.waitUntil(lambda: panel.isVisible())
    assert not window.live_view.side_panel
    assert window.live_view.width() > panel.width()
    panel.controller.stop()  # the idle page shows no reading: the live view's column comes back
    assert window.live_view.side_panel
    history.close()


def test_stop_practice_closes_the_panel_and_gives_the_video_back(qtbot, make_window, tmp_path):
    """Issue 23: after Stop practice the idle panel stayed open and squeezed the video to ~400 px."""
    history = History(tmp_path / "history.sqlite3")
    window = make_window()
    panel = install_practice(window, history)
    window.show()
    before = window.pages.width()
    next(a for a in window.practice_menu.actions() if a.text() == "&Free spelling").trigger()
    qtbot.waitUntil(panel.isVisible)
    panel.stop_action.trigger()
    qtbot.waitUntil(lambda: not panel.isVisible())
    qtbot.waitUntil(lambda: window.pages.width() == before)
    history.close()


def test_free_spelling_buttons_show_their_whole_labels(qtbot, panel):
    """Issue 23: "Backspace" was clipped in the narrow panel."""
    panel.controller.start_free_spelling()
    panel.show()
    qtbot.waitExposed(panel)
    for button in panel.free_page.findChildren(QPushButton):
        assert button.width() >= button.sizeHint().width(), button.text()


def test_summary_of_a_short_drill_names_no_slowest(qtbot, panel, clock):
    """Issue 32: "Slowest: C, B, A" after a 3-letter drill only listed the drill."""
    assert panel.controller.start_custom_text("abc")
    for letter in "ABC":
        feed(panel, clock, letter, 1.1)
    text = panel.summary_page.label.text()
    assert "3</b> of 3 letters right" in text and "Slowest" not in text


def test_drill_pauses_while_the_learner_is_in_another_window(qtbot, make_window, history, clock):
    """Issue 32: 20 s in Retrain left "Streak 0 (restarted at E: timed out)" and a miss in the history. A dialog in
    front (modal or not) or a minimised window pauses the drill; back in the window it goes on with the time left."""
    from PySide6.QtWidgets import QDialog

    window = make_window()
    panel = install_practice(window, history)
    controller = panel.controller
    controller._clock = clock  # the drill's time line is the test's
    window.show()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    controller.start_custom_text("ab")
    feed(panel, clock, "E", 3.0)  # trying, and wrong: 3 of the 10 s gone
    dialog = QDialog(window)  # Training > Capture my samples is a dialog like this one
    dialog.show()
    qtbot.waitUntil(lambda: controller.away, timeout=2000)
    left_s = controller.state.time_left_s
    assert controller.state.paused and panel.time_bar.format() == "paused"
    assert "Paused" in panel.feedback_label.text()
    feed(panel, clock, "E", 30.0)  # half a minute in the dialog, the camera still on
    controller.tick()
    assert controller.state.target == "A" and history.count() == 0
    dialog.close()
    window.activateWindow()
    qtbot.waitUntil(lambda: not controller.away, timeout=2000)
    assert controller.state.time_left_s == left_s and panel.time_bar.format().startswith("skips in")
    window.showMinimized()
    qtbot.waitUntil(lambda: controller.away, timeout=2000)
    window.showNormal()
    window.activateWindow()
    qtbot.waitUntil(lambda: not controller.away, timeout=2000)
    feed(panel, clock, "A", 1.1)
    assert controller.state.target == "B" and history.count() == 1  # A right: no time-out was recorded


def test_motion_letter_in_easy_mode_moves_the_reading_drills_hand(qtbot, panel):
    """Issue 32: easy mode said "No picture: motion letter" for J and Z although Read fingerspelling animates them;
    the "Signed the motion letter" button was cut to "Signed...letter"."""
    panel.controller.set_motion_letters(True)
    panel.show()
    assert panel.controller.start_custom_text("jz")
    stage = panel.motion_reference
    assert panel.reference_stack.currentWidget() is stage and stage.playing
    assert (stage.step.letter, stage.step.hand, stage.step.motion) == ("J", "I", True)  # I drawing a J
    start, *_ = stage.hand_centre()
    qtbot.waitUntil(lambda: (stage.hand_centre()[0] - start).manhattanLength() > 10, timeout=3000)  # it moves
    assert "No picture" not in panel.reference_label.text() and panel.reference_caption.text() == "J, right hand"
    button = panel.motion_button
    assert button.isVisible() and button.width() >= button.sizeHint().width()  # the whole text shows
    panel.controller.skip()
    assert stage.step.letter == "Z" and stage.step.hand == "D"
    panel.controller.set_left_hand(True)
    assert stage.mirrored
    panel.controller.stop()
    assert not stage.playing


def test_letters_per_minute_only_once_it_means_something(panel, clock):
    """Issue 32: the first letter showed "133.9 letters/min"."""
    assert panel.controller.start_custom_text("abcd")
    feed(panel, clock, "A", 1.1)
    assert "1/1 right" in panel.stats_label.text() and "letters/min" not in panel.stats_label.text()
    clock.t += 9.0  # no hand: thinking time, then B and C
    feed(panel, clock, "B", 1.1)
    feed(panel, clock, "C", 1.1)
    assert "3/3 right" in panel.stats_label.text() and "letters/min" in panel.stats_label.text()


def test_reference_caption_clear_of_the_photo_at_the_smallest_window(qtbot, make_window, history):
    """Issue 32: at the minimum window with the panel open (880x635) "R, right hand" was drawn over the photo once
    the feedback grew to six lines (coach hints, top-3, "You held B")."""
    window = make_window()
    panel = install_practice(window, history)
    window.show()
    window.resize(880, 635)
    panel.parentWidget().show()
    panel.controller.start_custom_text("r")
    panel.feedback_label.setText("<br>".join(f"line {i} of the coach's advice" for i in range(6)))
    qtbot.waitUntil(lambda: window.size().height() <= 640, timeout=2000)
    QGuiApplication.processEvents()

    def rect(widget):
        return widget.geometry().translated(widget.parentWidget().mapTo(panel, widget.parentWidget().rect().topLeft()))

    photo, caption = rect(panel.reference_stack), rect(panel.reference_caption)
    assert not photo.intersects(caption) and caption.top() >= photo.bottom()
    assert not rect(panel.ring).intersects(photo) and rect(panel.feedback_label).top() >= caption.bottom()
    assert rect(panel.stats_label).bottom() <= panel.height()
