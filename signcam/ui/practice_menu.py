"""The Practice menu and dock: builds the PracticeController and PracticePanel once and wires them in.

Usage (from the app, once):
    install_practice(window)  # fills window.practice_menu, docks the panel, listens to recognition_changed

`window` is signcam's MainWindow: it needs `practice_menu` (QMenu), `add_panel(widget, title)`,
`set_practising(bool)`, `recognition_changed` (Signal(object) carrying Recognition, smoothed by the
recognizer, in the GUI thread) and `statusBar()`. `history` defaults to the one
in the user data folder; tests pass one in a temporary folder. With `settings`, the easy/hard, hand and
J/Z choices are restored and remembered.
"""

from collections.abc import Callable

import shiboken6 as shiboken
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QMessageBox, QWidget

from signcam.practice import LetterOrder, load_words
from signcam.practice.controller import PracticeController, PracticeMode
from signcam.practice.history import CLOSE_WAIT_S, History
from signcam.ui.menus import add_action, add_choices
from signcam.ui.practice_view import PracticePanel
from signcam.ui.settings import Key, Settings

READING_DIALOG = "reading-drill"  # object name of Practice > Read fingerspelling's window


def install_practice(window, history: History | None = None, settings: Settings | None = None) -> PracticePanel:
    history = history or History()
    controller = PracticeController(history)
    panel = PracticePanel(controller)
    dock = window.add_panel(panel, "Practice")
    dock.hide()  # until a drill is chosen: the live view keeps the whole window

    def sync_layout(*_: object) -> None:
        """The drill and free-spelling pages show the reading, so the video may take the live view's column."""
        window.set_practising(dock.isVisible() and controller.mode in (PracticeMode.DRILL, PracticeMode.FREE))

    last_mode = [controller.mode]

    def close_when_stopped() -> None:
        """Stop practice or Done: the idle panel would only squeeze the video (issue 23), so it goes too."""
        if controller.mode is PracticeMode.IDLE and last_mode[0] is not PracticeMode.IDLE:
            dock.hide()
        last_mode[0] = controller.mode

    watch_away(window, dock, controller)
    dock.visibilityChanged.connect(sync_layout)
    controller.changed.connect(sync_layout)
    controller.changed.connect(close_when_stopped)
    window.recognition_changed.connect(controller.on_recognition)
    controller.coached.connect(window.live_view.set_coach_note)  # the live view marks the fingers a hint names
    if history.recovery_message:
        window.statusBar().showMessage(history.recovery_message)
    UnsavedHistoryGuard(window, history)

    def shown(start: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            dock.show()
            dock.raise_()
            start()
        return run

    def ask_custom_text() -> None:
        text, ok = QInputDialog.getText(window, "Custom text", "Word or sentence to spell (letters only count):")
        if ok and not controller.start_custom_text(text):
            window.statusBar().showMessage("That text has no letters to spell.", 5000)

    def remembered(key: Key, apply: Callable[[bool], None]) -> Callable[[bool], None]:
        """`apply` that also stores the choice; applies the stored one now."""
        def on(checked: bool) -> None:
            apply(checked)
            if settings is not None:
                settings.set_value(key, checked)
        apply(settings.value(key, False) if settings is not None else False)
        return on

    menu = window.practice_menu
    letters = menu.addMenu("&Letter drill")
    for text, order in (("&Random", LetterOrder.RANDOM), ("&A to Y", LetterOrder.ALPHABETICAL),
                        ("&Weakest letters first", LetterOrder.WEAKEST)):
        add_action(letters, text, shown(lambda order=order: controller.start_letter_drill(order)))
    add_action(menu, "&Word drill", shown(controller.start_word_drill), "Ctrl+Shift+W")
    add_action(menu, "&Custom text…", shown(ask_custom_text))
    add_action(menu, "&Free spelling", shown(controller.start_free_spelling), "Ctrl+Shift+F")
    add_action(menu, "R&ead fingerspelling…", lambda: _show_reading(history, window), "Ctrl+Shift+E")
    menu.addSeparator()
    menu.addActions([panel.skip_action, panel.motion_done_action, panel.stop_action])
    menu.addSeparator()
    add_action(menu, "&Progress…", lambda: _show_progress(history, window))
    menu.addSeparator()
    on_hard = remembered(Key.PRACTICE_HARD, controller.set_hard_mode)
    add_choices(menu, {False: "&Easy mode (reference picture)", True: "&Hard mode (from memory)"},
                controller.hard_mode, on_hard)
    on_left = remembered(Key.PRACTICE_LEFT, controller.set_left_hand)
    add_choices(menu, {False: "&Right hand", True: "L&eft hand (mirrored pictures)"}, controller.left_hand, on_left)
    on_motion = remembered(Key.PRACTICE_MOTION, controller.set_motion_letters)
    add_action(menu, "&J and Z in drills (signed with motion)", on_motion, checkable=True,
               checked=settings.value(Key.PRACTICE_MOTION, False) if settings is not None else False)
    toggle = dock.toggleViewAction()
    toggle.setText("Practice &panel")
    menu.addAction(toggle)
    return panel


class UnsavedHistoryGuard(QObject):
    """Asks before `window` closes while the history holds attempts or readings it could not save (a read-only
    or locked file): quitting loses them, and a log line alone did not tell the learner (issue 31)."""

    def __init__(self, window, history: History) -> None:
        super().__init__(window)
        self._history = history
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() != QEvent.Type.Close or not self._history.pending or self._history.flush(CLOSE_WAIT_S):
            return False
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.warning(
            watched, "Practice history", f"{self._history.unsaved_message()}.\n\nQuit anyway? They will be lost.",
            buttons.Discard | buttons.Cancel, buttons.Cancel)
        if answer == buttons.Discard:
            return False
        event.ignore()
        return True


def watch_away(window: QWidget, dock: QWidget, controller: PracticeController) -> None:
    """Tells the controller when the learner is elsewhere, so a drill pauses (issue 32: 20 s in Retrain recorded a
    time-out): another window in front (a dialog of this app, modal or not, or another program), or the window
    minimised. Judged on each change of focus, of the application's state or of the window's, so a window that was
    never focused (a test, a screen without a window manager) is not taken for one the learner left."""
    app = QApplication.instance()

    def check(*_: object) -> None:
        if not shiboken.isValid(window) or not window.isVisible():  # closed, or gone: the app outlives the window
            return
        active = QApplication.activeWindow()
        controller.set_away(window.isMinimized() or app.applicationState() != Qt.ApplicationState.ApplicationActive
                            or active is not None and active not in (window, dock))  # a floating panel is "here"

    # Plain functions on the application's signals: a QObject overriding eventFilter crashed the interpreter's
    # teardown when the window was never closed.
    app.focusWindowChanged.connect(check)
    app.applicationStateChanged.connect(check)
    window.winId()  # makes its QWindow now, to hear of minimising (not every platform moves the focus then)
    window.windowHandle().windowStateChanged.connect(check)


def _show_reading(history: History, window) -> None:
    """The reading drill's window: one per main window, raised when already open (it keeps its drill)."""
    from signcam.ui.receptive_view import open_reading_drill

    dialog = window.findChild(QDialog, READING_DIALOG)
    if dialog is None:
        dialog = open_reading_drill(history, load_words(), window)
        dialog.setObjectName(READING_DIALOG)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()


def _show_progress(history: History, window) -> None:
    from signcam.ui.progress_view import ProgressDialog  # pyqtgraph: loaded when first needed, not at start-up

    ProgressDialog(history, window).show()
