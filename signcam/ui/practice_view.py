"""The practice panel: drills with hold-to-confirm, wrong-letter feedback, free spelling, and its menu.

The panel owns a Smoother and renders whatever the Qt-free session logic (signcam.practice) says
after each recognition or timer tick; it keeps no scoring state of its own. Each finished attempt
goes to the SQLite history at once.

Usage (from the main window, once):
    install_practice(window)  # fills window.practice_menu, docks the panel, listens to recognition_changed
"""

import logging
import random
import sqlite3
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from signcam.assets_dir import ASSETS_DIR
from signcam.history import History
from signcam.practice import (
    DrillState,
    FreeSpelling,
    LetterOrder,
    MotionPolicy,
    PracticeSession,
    SessionConfig,
    custom_drill,
    drill_letters,
    letter_drill,
    letter_weights,
    load_words,
    word_drill,
)
from signcam.practice.coaching import CoachNote, DrillCoach
from signcam.recognizer import Recognition
from signcam.smoothing import Smoother
from signcam.ui.practice_pages import FreeSpellingPage, SummaryPage
from signcam.ui.practice_ring import HoldRing
from signcam.ui.progress_view import ProgressDialog
from signcam.ui.settings import Key, Settings

log = logging.getLogger(__name__)

REFERENCE_DIR = ASSETS_DIR / "reference"
REFERENCE_PX = 150  # the 112 px references, shown a little larger; smooth scaling keeps them soft
TICK_MS = 100  # time-outs and the countdown bar advance even when no frames arrive
LETTERS_PER_DRILL = 20
WORDS_PER_DRILL = 10
MOTION_HINTS = {
    "J": "J moves: make an I and draw a J with the little finger (read from the motion, or press Space).",
    "Z": "Z moves: make a D and draw a Z with the index finger (read from the motion, or press Space).",
}
DRILL_TITLES = {"letter": "Letter drill", "word": "Word drill", "custom": "Custom text"}


def _percent_list(top: tuple[tuple[str, float], ...]) -> str:
    return " · ".join(f"{letter} {p:.0%}" for letter, p in top)


class PracticePanel(QWidget):
    """Shows one drill or free spelling at a time; feed it with `on_recognition` in the GUI thread."""

    finished = Signal(object)  # SessionSummary, when the last target of a drill is done
    coached = Signal(object)  # CoachNote after each recognition in a drill (hints, fingers, J/Z read)

    def __init__(
        self,
        session: PracticeSession | None = None,
        *,
        history: History | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        hold_ms: float = 800.0,
        skip_after_s: float = 10.0,
        space_after_ms: float = 1200.0,
        rng: random.Random | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.history = history
        self.smoother = Smoother(hold_ms=hold_ms)
        self.config = SessionConfig(skip_after_s=skip_after_s)
        self.space_after_ms = space_after_ms
        self.hard_mode = False
        self.left_hand = False
        self.motion_policy = MotionPolicy.SKIP
        self._clock, self._wall_clock = clock, wall_clock
        self._rng = rng or random.Random()
        self._session: PracticeSession | None = None
        self._drill = "letter"
        self._restart: Callable[[], None] | None = None
        self._recorded = 0
        self.drill_coach = DrillCoach()
        self._coach_note = CoachNote(None)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_tick)

        self.skip_action = QAction("&Skip letter", self, shortcut=QKeySequence("Ctrl+Right"), enabled=False)
        self.skip_action.triggered.connect(self.skip)
        self.motion_done_action = QAction("Signed the &motion letter", self, shortcut=QKeySequence("Space"),
                                          enabled=False)
        self.motion_done_action.triggered.connect(self.acknowledge_motion)
        self.stop_action = QAction("S&top practice", self, enabled=False)
        self.stop_action.triggered.connect(self.stop)
        self.addActions([self.skip_action, self.motion_done_action])

        self.pages = QStackedWidget()
        self.idle_page = self._build_idle_page()
        self.drill_page = self._build_drill_page()
        self.summary_page = SummaryPage()
        self.summary_page.again_requested.connect(lambda: self._restart() if self._restart else None)
        self.summary_page.done_requested.connect(self.stop)
        self.free_page = FreeSpellingPage()
        self.free_page.stop_requested.connect(self.stop)
        for page in (self.idle_page, self.drill_page, self.summary_page, self.free_page):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.pages)
        self.setMinimumWidth(300)
        if history is not None and history.recovery_message:
            self.notice_label.setText(history.recovery_message)
        if session is not None:
            self.start_session(session, "custom")

    # -- building ------------------------------------------------------------------------------
    def _build_idle_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("<h2>Practice</h2>Pick a drill. Hold each letter until the ring fills.")
        title.setWordWrap(True)
        layout.addWidget(title)
        for text, slot in (("Letter drill", lambda: self.start_letter_drill(LetterOrder.RANDOM)),
                           ("Weakest letters", lambda: self.start_letter_drill(LetterOrder.WEAKEST)),
                           ("Word drill", self.start_word_drill),
                           ("Free spelling", self.start_free_spelling)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            layout.addWidget(button)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet("color: #e0a030;")
        layout.addWidget(self.notice_label)
        layout.addStretch(1)
        return page

    def _build_drill_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.title_label = QLabel()
        self.title_label.setStyleSheet("color: #9a9ca3;")
        self.word_label = QLabel()
        self.word_label.setTextFormat(Qt.TextFormat.RichText)
        self.word_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.word_label.setStyleSheet("font-size: 30px; letter-spacing: 4px;")
        self.target_label = QLabel()
        self.target_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.target_label.setStyleSheet("font-size: 64px; font-weight: bold;")
        self.reference_label = QLabel()
        self.reference_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference_label.setFixedSize(REFERENCE_PX, REFERENCE_PX)
        self.reference_label.setWordWrap(True)
        self.reference_label.setStyleSheet("background: #1e1f22; color: #9a9ca3; border-radius: 6px;")
        self.ring = HoldRing(110)
        self.reference_caption = QLabel()
        self.reference_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reference_caption.setStyleSheet("color: #9a9ca3;")
        ring_caption = QLabel("model reads")
        ring_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        ring_caption.setStyleSheet("color: #9a9ca3;")
        grid = QGridLayout()
        grid.addWidget(self.target_label, 0, 0)
        grid.addWidget(self.reference_label, 0, 1, 2, 1)
        grid.addWidget(self.ring, 1, 0, Qt.AlignmentFlag.AlignCenter)
        grid.addWidget(ring_caption, 2, 0)
        grid.addWidget(self.reference_caption, 2, 1)
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setMinimumHeight(48)
        self.time_bar = QProgressBar()
        self.time_bar.setRange(0, 1000)
        self.time_bar.setTextVisible(True)
        self.stats_label = QLabel()
        buttons = QHBoxLayout()
        for action in (self.skip_action, self.motion_done_action, self.stop_action):
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        # Shown only for J and Z: a greyed-out button on every other letter is noise.
        self.motion_button = buttons.itemAt(1).widget()
        buttons.addStretch(1)
        for widget in (self.title_label, self.word_label):
            layout.addWidget(widget)
        layout.addLayout(grid)
        for widget in (self.feedback_label, self.time_bar, self.stats_label):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # -- public API ----------------------------------------------------------------------------
    def start_session(self, session: PracticeSession, drill: str, restart: Callable[[], None] | None = None) -> None:
        """Shows `session` (built with start_s on this panel's clock); `drill` is stored with each attempt."""
        self._session, self.free_page.spelling = session, None
        self._drill, self._restart, self._recorded = drill, restart, 0
        self.smoother.reset()
        self.stop_action.setEnabled(True)
        self.pages.setCurrentWidget(self.drill_page)
        self._timer.start()
        self._render(session.state)

    def start_letter_drill(self, order: LetterOrder) -> None:
        weights = None
        if order is LetterOrder.WEAKEST:
            weights = letter_weights(self.history.letter_stats() if self.history else {})
        alphabet = drill_letters(self.motion_policy)
        count = len(alphabet) if order is LetterOrder.ALPHABETICAL else LETTERS_PER_DRILL  # all of it
        items = letter_drill(order, count, self._rng, weights, self.motion_policy)
        self.start_session(PracticeSession(items, self._clock(), self.config), "letter",
                           lambda: self.start_letter_drill(order))

    def start_word_drill(self) -> None:
        items = word_drill(load_words(), WORDS_PER_DRILL, self._rng, self.motion_policy)
        self.start_session(PracticeSession(items, self._clock(), self.config), "word", self.start_word_drill)

    def start_custom_text(self, text: str) -> bool:
        """Drills the learner's own text; False (and nothing starts) when it has no letters."""
        items = custom_drill(text)
        if not items:
            return False
        self.start_session(PracticeSession(items, self._clock(), self.config), "custom",
                           lambda: self.start_custom_text(text))
        return True

    def start_free_spelling(self) -> None:
        self._stop_session()
        self.free_page.spelling = FreeSpelling(self.space_after_ms)
        self.smoother.reset()
        self.stop_action.setEnabled(True)
        self.pages.setCurrentWidget(self.free_page)
        self.free_page.render()

    @Slot()
    def stop(self) -> None:
        self._stop_session()
        self.free_page.spelling = None
        self.stop_action.setEnabled(False)
        self.pages.setCurrentWidget(self.idle_page)

    @Slot()
    def skip(self) -> None:
        if self._session is not None:
            self._after(self._session.skip(self._clock()))

    @Slot()
    def acknowledge_motion(self) -> None:
        if self._session is not None:
            self._after(self._session.acknowledge_motion(self._clock()))

    def set_hard_mode(self, on: bool) -> None:
        self.hard_mode = on
        self._rerender()

    def set_left_hand(self, on: bool) -> None:
        self.left_hand = on
        self._rerender()

    @Slot(object)
    def on_recognition(self, rec: Recognition) -> None:
        """One recognition from the live view, in the GUI thread."""
        spelling = self.free_page.spelling
        if self._session is None and spelling is None:
            return
        t_s = self._clock()
        smoothed = self.smoother.update_from(rec, t_s)
        if self._session is not None:
            state = self._session.update(smoothed, rec, t_s)
            self._coach_note = self.drill_coach.update(state, rec, t_s)
            if self._coach_note.motion_read:
                state = self._session.acknowledge_motion(t_s)
            self._after(state)
            self.coached.emit(self._coach_note)
        elif spelling is not None:
            spelling.update(smoothed)
            self.free_page.render()

    # -- internals -----------------------------------------------------------------------------
    def _stop_session(self) -> None:
        self._coach_note = CoachNote(None)
        self.coached.emit(self._coach_note)
        self._timer.stop()
        self._session = None
        self.skip_action.setEnabled(False)
        self.motion_done_action.setEnabled(False)

    def _on_tick(self) -> None:
        if self._session is not None:
            self._after(self._session.tick(self._clock()))

    def _after(self, state: DrillState) -> None:
        self._record_new_attempts()
        if state.finished and self._session is not None:
            summary = self._session.summary()
            self._stop_session()
            self.summary_page.show_summary(DRILL_TITLES.get(self._drill, "Drill"), summary)
            self.pages.setCurrentWidget(self.summary_page)
            self.finished.emit(summary)
        else:
            self._render(state)

    def _record_new_attempts(self) -> None:
        """Writes attempts the session finished since the last call, each in its own commit."""
        if self._session is None:
            return
        new = self._session.score.attempts[self._recorded:]
        self._recorded += len(new)
        if self.history is None:
            return
        for attempt in new:
            try:
                self.history.record(attempt, self._wall_clock(), drill=self._drill,
                                    mode="hard" if self.hard_mode else "easy",
                                    hand="left" if self.left_hand else "right")
            except sqlite3.Error as error:  # a full disk must not end the drill
                log.warning("practice history not saved: %s", error)
                self.notice_label.setText(f"Practice history could not be saved: {error}")

    def _rerender(self) -> None:
        if self._session is not None:
            self._render(self._session.state)

    def _render(self, state: DrillState) -> None:
        target = state.target or ""
        self.skip_action.setEnabled(not state.finished)
        self.motion_done_action.setEnabled(state.motion_prompt)
        self.motion_button.setVisible(state.motion_prompt)
        unit = "word" if state.item and state.item.word else "letter"
        self.title_label.setText(f"{DRILL_TITLES.get(self._drill, 'Drill')} · "
                                 f"{unit} {state.item_index + 1} of {state.item_count}")
        self.word_label.setVisible(bool(state.item and state.item.word))
        if state.item and state.item.word:
            letters = state.item.letters
            done = "".join(letters[:state.letter_index])
            rest = "".join(letters[state.letter_index + 1:])
            self.word_label.setText(f"<span style='color:#3fb66b'>{done}</span>"
                                    f"<u><b>{target}</b></u><span style='color:#6b6d73'>{rest}</span>")
        self.target_label.setText(target)
        self._show_reference(target, state.motion_prompt)
        self.ring.set_state(state.candidate, state.hold_progress, state.candidate == target)
        self.feedback_label.setText(self._feedback(state))
        if self.config.skip_after_s > 0:
            self.time_bar.setValue(round(1000 * state.time_left_s / self.config.skip_after_s))
            self.time_bar.setFormat(f"skips in {state.time_left_s:.0f} s")
        self.time_bar.setVisible(self.config.skip_after_s > 0)
        summary = self._session.summary() if self._session else None
        if summary and summary.attempts:
            self.stats_label.setText(f"Streak {state.streak} · {summary.correct}/{summary.attempts} right · "
                                     f"{summary.letters_per_minute:.1f} letters/min")
        else:
            self.stats_label.setText(f"Streak {state.streak}")

    def _feedback(self, state: DrillState) -> str:
        note = self._coach_note
        coach = [f"<b style='color:#ff9f1c'>{h.text}.</b>" for h in note.hints] if note.target == state.target else []
        if state.motion_prompt:
            return "<br>".join([MOTION_HINTS[state.target or ""], *coach])
        lines = []
        if state.release_hint:
            lines.append(f"Double letter: relax your hand, then sign {state.target} again.")
        elif not state.hand_found:
            lines.append("No hand in view.")
        elif state.reading_instead:
            lines.append(f"The model reads <b>{state.reading_instead}</b>, not {state.target}.")
        elif state.candidate == state.target:
            lines.append("Hold it…")
        lines += coach
        if state.top and state.candidate != state.target:
            lines.append(f"<span style='color:#9a9ca3'>Top 3: {_percent_list(state.top)}</span>")
        if state.last_wrong:
            lines.append(f"<span style='color:#e0a030'>You held {state.last_wrong}.</span>")
        return "<br>".join(lines)

    def _show_reference(self, letter: str, motion: bool) -> None:
        path = REFERENCE_DIR / f"{letter}.png"
        self.reference_caption.setText("" if self.hard_mode or motion else
                                       f"{letter}, {'left' if self.left_hand else 'right'} hand")
        if self.hard_mode or motion or not path.exists():
            self.reference_label.setPixmap(QPixmap())
            self.reference_label.setText("Hard mode:\nfrom memory" if self.hard_mode else "No picture:\nmotion letter")
            return
        pixmap = QPixmap(str(path)).scaled(REFERENCE_PX, REFERENCE_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
        if self.left_hand:  # the references show a right hand; a left-handed learner sees the mirror image
            pixmap = pixmap.transformed(QTransform().scale(-1, 1))
        self.reference_label.setPixmap(pixmap)


def install_practice(window, history: History | None = None, settings: Settings | None = None) -> PracticePanel:
    """Fills `window.practice_menu`, docks a PracticePanel on the right and feeds it recognitions.

    `window` is signcam's MainWindow: it needs `practice_menu` (QMenu), `add_panel(widget, title)`,
    `recognition_changed` (Signal(object) carrying Recognition in the GUI thread) and `statusBar()`.
    `history` defaults to the one in the user data folder; tests pass one in a temporary folder.
    With `settings`, the easy/hard, hand and J/Z choices are restored and remembered.
    """
    history = history or History()
    panel = PracticePanel(history=history)
    dock = window.add_panel(panel, "Practice")
    dock.hide()  # until a drill is chosen: the live view keeps the whole window
    window.recognition_changed.connect(panel.on_recognition)
    panel.coached.connect(window.live_view.set_coach_note)
    if history.recovery_message:
        window.statusBar().showMessage(history.recovery_message)

    def shown(start: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            dock.show()
            dock.raise_()
            start()
        return run

    def ask_custom_text() -> None:
        text, ok = QInputDialog.getText(window, "Custom text", "Word or sentence to spell (letters only count):")
        if ok and not panel.start_custom_text(text):
            window.statusBar().showMessage("That text has no letters to spell.", 5000)

    def remembered(key: Key, apply: Callable[[bool], None]) -> tuple[Callable[[bool], None], bool]:
        """(`apply` that also stores the choice, the stored choice) for one menu toggle."""
        def on(checked: bool) -> None:
            apply(checked)
            if settings is not None:
                settings.set_value(key, checked)
        return on, settings.value(key, False) if settings is not None else False

    menu = window.practice_menu
    letters = menu.addMenu("&Letter drill")
    for text, order in (("&Random", LetterOrder.RANDOM), ("&A to Y", LetterOrder.ALPHABETICAL),
                        ("&Weakest letters first", LetterOrder.WEAKEST)):
        letters.addAction(text, shown(lambda order=order: panel.start_letter_drill(order)))
    menu.addAction("&Word drill", QKeySequence("Ctrl+Shift+W"), shown(panel.start_word_drill))
    menu.addAction("&Custom text…", shown(ask_custom_text))
    menu.addAction("&Free spelling", QKeySequence("Ctrl+Shift+F"), shown(panel.start_free_spelling))
    menu.addSeparator()
    menu.addActions([panel.skip_action, panel.motion_done_action, panel.stop_action])
    menu.addSeparator()
    progress = menu.addAction("&Progress…")
    progress.triggered.connect(lambda: ProgressDialog(history, window).show())
    menu.addSeparator()
    _exclusive_pair(menu, ("&Easy mode (reference picture)", "&Hard mode (from memory)"),
                    *remembered(Key.PRACTICE_HARD, panel.set_hard_mode))
    _exclusive_pair(menu, ("&Right hand", "L&eft hand (mirrored pictures)"),
                    *remembered(Key.PRACTICE_LEFT, panel.set_left_hand))
    motion = menu.addAction("&J and Z in drills (signed with motion)")
    motion.setCheckable(True)
    on_motion, motion_on = remembered(Key.PRACTICE_MOTION, lambda on: setattr(
        panel, "motion_policy", MotionPolicy.PROMPT if on else MotionPolicy.SKIP))
    motion.toggled.connect(on_motion)
    motion.setChecked(motion_on)
    toggle = dock.toggleViewAction()
    toggle.setText("Practice &panel")
    menu.addAction(toggle)
    return panel


def _exclusive_pair(menu, texts: tuple[str, str], on_second: Callable[[bool], None], second: bool = False) -> None:
    """Two radio actions, the second checked if `second`; `on_second(checked)` follows the second one."""
    group = QActionGroup(menu)
    first_action, second_action = (menu.addAction(text) for text in texts)
    for action in (first_action, second_action):
        action.setCheckable(True)
        group.addAction(action)
    first_action.setChecked(True)
    second_action.toggled.connect(on_second)
    second_action.setChecked(second)
