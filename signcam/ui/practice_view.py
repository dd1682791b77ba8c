"""The practice panel: renders what the Qt-free PracticeController says and forwards the learner's clicks.

It keeps no scoring state and writes nothing: the controller owns the smoother, the drill, the
options and the history. The panel is narrow (PANEL_W) so the camera stays the largest thing in
the window while practising; the target letter, its reference hand and the hold ring sit in it.

Usage:
    panel = PracticePanel(controller)      # subscribes to controller.changed; a timer drives tick()
"""

from itertools import groupby

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QPixmap, QTransform
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from signcam.practice import DrillState, LetterOrder, Outcome
from signcam.practice.controller import PracticeController, PracticeMode
from signcam.store.assets_dir import REFERENCE_DIR
from signcam.ui.motion_reference import MotionReference
from signcam.ui.practice_pages import FreeSpellingPage, SummaryPage
from signcam.ui.practice_ring import HoldRing

REFERENCE_PX = 180  # the reference hand, beside the target letter: big enough to copy the fingers from
RING_PX = 96  # the hold ring, under the target letter in the column the reference leaves (issue 32: stacked
# below the reference, at the 880x635 minimum window its caption was drawn over the photo)
PANEL_W = 300  # at 1280x720 the video keeps ~980 px of width (issue 13: it shrank to ~470 px beside 2 panels)
TICK_MS = 100  # time-outs and the countdown bar advance even when no frames arrive
MUTED = "color: #9a9ca3;"
RIGHT, MISSED, PASSED = "#3fb66b", "#e5534b", "#9a9ca3"  # a word's letters: read right, timed out or skipped,
# passed over before a hand was seen (not scored)
MOTION_HINTS = {
    "J": "J moves: make an I and draw a J with the little finger (read from the motion, or press Space).",
    "Z": "Z moves: make a D and draw a Z with the index finger (read from the motion, or press Space).",
}


def _percent_list(top: tuple[tuple[str, float], ...]) -> str:
    return " · ".join(f"{letter} {p:.0%}" for letter, p in top)


def _word_html(state: DrillState) -> str:
    """The word with its finished letters coloured by outcome, the target underlined, the rest grey."""
    colours = {Outcome.CORRECT: RIGHT, None: PASSED}
    finished = zip(state.item.letters, state.letter_outcomes, strict=False)  # letter_outcomes: the finished ones
    done = "".join(f"<span style='color:{colour}'>{''.join(letter for letter, _ in run)}</span>"
                   for colour, run in groupby(finished, key=lambda pair: colours.get(pair[1], MISSED)))
    rest = "".join(state.item.letters[state.letter_index + 1:])
    return f"{done}<u><b>{state.target or ''}</b></u><span style='color:#6b6d73'>{rest}</span>"


def _label(style: str = "", align: Qt.AlignmentFlag | None = None) -> QLabel:
    label = QLabel()
    label.setStyleSheet(style)
    label.setWordWrap(True)
    if align is not None:
        label.setAlignment(align)
    return label


class PracticePanel(QWidget):
    """One page per PracticeMode; re-rendered from the controller after each of its changes."""

    finished = Signal(object)  # SessionSummary, when the last target of a drill is done

    def __init__(self, controller: PracticeController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._timer = QTimer(self, interval=TICK_MS, timeout=controller.tick)
        self.skip_action = QAction("&Skip letter", self, shortcut=QKeySequence("Ctrl+Right"), enabled=False)
        self.skip_action.triggered.connect(controller.skip)
        self.motion_done_action = QAction("Signed the &motion letter", self, shortcut=QKeySequence("Space"),
                                          enabled=False)
        self.motion_done_action.triggered.connect(controller.acknowledge_motion)
        self.stop_action = QAction("S&top practice", self, enabled=False)
        self.stop_action.triggered.connect(controller.stop)
        self.addActions([self.skip_action, self.motion_done_action])

        self.pages = QStackedWidget()
        self.idle_page = self._build_idle_page()
        self.drill_page = self._build_drill_page()
        self.summary_page = SummaryPage()
        self.summary_page.again_requested.connect(controller.again)
        self.summary_page.done_requested.connect(controller.stop)
        self.free_page = FreeSpellingPage()
        self.free_page.stop_requested.connect(controller.stop)
        self._page_of = {PracticeMode.IDLE: self.idle_page, PracticeMode.DRILL: self.drill_page,
                         PracticeMode.SUMMARY: self.summary_page, PracticeMode.FREE: self.free_page}
        for page in self._page_of.values():
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.pages)
        self.setFixedWidth(PANEL_W)
        controller.changed.connect(self.render)
        controller.finished.connect(self.finished.emit)
        self.render()

    # -- building ------------------------------------------------------------------------------
    def _build_idle_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = _label()
        title.setText("<h2>Practice</h2>Pick a drill. Hold each letter until the ring fills.")
        layout.addWidget(title)
        for text, slot in (("Letter drill", lambda: self.controller.start_letter_drill(LetterOrder.RANDOM)),
                           ("Weakest letters", lambda: self.controller.start_letter_drill(LetterOrder.WEAKEST)),
                           ("Word drill", self.controller.start_word_drill),
                           ("Free spelling", self.controller.start_free_spelling)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            layout.addWidget(button)
        self.notice_label = _label("color: #e0a030;")
        layout.addWidget(self.notice_label)
        layout.addStretch(1)
        return page

    def _build_drill_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)  # the panel's margins suffice: the ring and reference need the width
        center = Qt.AlignmentFlag.AlignCenter
        self.title_label = _label(MUTED)
        self.word_label = _label("font-size: 28px; letter-spacing: 4px;", center)
        self.word_label.setTextFormat(Qt.TextFormat.RichText)
        self.target_label = _label("font-size: 72px; font-weight: bold;", center)
        self.reference_label = _label("background: #1e1f22; border-radius: 6px;" + MUTED, center)
        self.reference_label.setFixedSize(REFERENCE_PX, REFERENCE_PX)
        self.motion_reference = MotionReference(REFERENCE_PX)  # J and Z: the reading drill's moving hand
        self.reference_stack = QStackedWidget()
        self.reference_stack.setFixedSize(REFERENCE_PX, REFERENCE_PX)
        self.reference_stack.addWidget(self.reference_label)
        self.reference_stack.addWidget(self.motion_reference)
        self.reference_caption = _label(MUTED, center)
        self.reference_caption.setWordWrap(False)  # one line, its own row: never over the picture
        self.ring = HoldRing(RING_PX)
        ring_caption = _label(MUTED, center)
        ring_caption.setText("model reads")
        grid = QGridLayout()
        grid.addWidget(self.target_label, 0, 0)
        grid.addWidget(self.ring, 1, 0, center)
        grid.addWidget(ring_caption, 2, 0)
        grid.addWidget(self.reference_stack, 0, 1, 2, 1)
        grid.addWidget(self.reference_caption, 2, 1)
        self.feedback_label = _label()
        self.feedback_label.setMinimumHeight(48)
        self.time_bar = QProgressBar()
        self.time_bar.setRange(0, 1000)
        self.stats_label = _label(MUTED)
        buttons = QHBoxLayout()
        for action in (self.skip_action, self.stop_action):
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.addWidget(button)
        buttons.addStretch(1)
        # Shown only for J and Z (a greyed-out button on every other letter is noise), in a row of its own: beside
        # the other two its text was cut to "Signed...letter" (issue 32).
        self.motion_button = QToolButton()
        self.motion_button.setDefaultAction(self.motion_done_action)
        for widget in (self.title_label, self.word_label):
            layout.addWidget(widget)
        layout.addLayout(grid)
        for widget in (self.feedback_label, self.time_bar, self.stats_label, self.motion_button):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(1)
        return page

    # -- rendering -----------------------------------------------------------------------------
    def render(self) -> None:
        """Show the controller's mode and state; called on every `changed`."""
        c = self.controller
        self.pages.setCurrentWidget(self._page_of[c.mode])
        running = c.mode in (PracticeMode.DRILL, PracticeMode.FREE)
        self.stop_action.setEnabled(running)
        self.notice_label.setText(c.notice)
        if c.mode is PracticeMode.DRILL:
            self._timer.start()
            self._render_drill(c.state)
            return
        self._timer.stop()
        self.motion_reference.stop()
        self.skip_action.setEnabled(False)
        self.motion_done_action.setEnabled(False)
        if c.mode is PracticeMode.SUMMARY and c.summary is not None:
            self.summary_page.show_summary(c.title, c.summary)
        elif c.mode is PracticeMode.FREE:
            self.free_page.spelling = c.spelling
            self.free_page.render()

    def _render_drill(self, state: DrillState) -> None:
        target = state.target or ""
        self.skip_action.setEnabled(not state.finished)
        self.motion_done_action.setEnabled(state.motion_prompt)
        self.motion_button.setVisible(state.motion_prompt)
        unit = "word" if state.item and state.item.word else "letter"
        self.title_label.setText(f"{self.controller.title} · {unit} {state.item_index + 1} of {state.item_count}")
        self.word_label.setVisible(bool(state.item and state.item.word))
        if state.item and state.item.word:
            self.word_label.setText(_word_html(state))
        self.target_label.setText(target)
        self._show_reference(target, state.motion_prompt)
        self.ring.set_state(state.candidate, state.hold_progress, state.candidate == target)
        self.feedback_label.setText(self._feedback(state))
        skip_after_s = self.controller.config.skip_after_s
        if skip_after_s > 0:
            self.time_bar.setValue(round(1000 * state.time_left_s / skip_after_s))
            self.time_bar.setFormat("paused" if state.paused else f"skips in {state.time_left_s:.0f} s"
                                    if state.countdown_running else "waiting for your hand")
        self.time_bar.setVisible(skip_after_s > 0)
        self.stats_label.setText(self.controller.stats_text(state))

    def _feedback(self, state: DrillState) -> str:
        """One message for what is happening now; the top-3 and the last wrong letter only when the
        learner is not already holding the target (issue 13: "Hold it…" beside "You held Y."), and the
        coach's hints (at most two) once the target has gone unread for 1.5 s."""
        if state.paused:
            return "Paused while you are in another window: come back and the drill goes on."
        note = self.controller.coach_note
        coach = [f"<b style='color:#ff9f1c'>{h.text}.</b>" for h in note.hints] if note.target == state.target else []
        if state.motion_prompt:
            shown = note.draw_hint if note.target == state.target else None
            draw = [f"<b style='color:#ff9f1c'>{shown}.</b>"] if shown else []
            return "<br>".join([MOTION_HINTS[state.target or ""], *draw, *coach])
        if state.release_hint:
            return f"Double letter: relax your hand, then sign {state.target} again."
        if not state.hand_found:
            return "No hand in view."
        if state.candidate == state.target:
            return "Hold it…"
        lines = []
        if state.reading_instead:
            lines.append(f"The model reads <b>{state.reading_instead}</b>, not {state.target}.")
        lines += coach
        if state.top:
            lines.append(f"<span style='{MUTED}'>Top 3: {_percent_list(state.top)}</span>")
        if state.last_wrong:
            lines.append(f"<span style='color:#e0a030'>You held {state.last_wrong}.</span>")
        return "<br>".join(lines)

    def _show_reference(self, letter: str, motion: bool) -> None:
        c = self.controller
        path = REFERENCE_DIR / f"{letter}.png"
        self.reference_caption.setText("" if c.hard_mode else
                                       f"{letter}, {'left' if c.left_hand else 'right'} hand")
        if motion and not c.hard_mode:
            self.motion_reference.play(letter, mirrored=c.left_hand)
            self.reference_stack.setCurrentWidget(self.motion_reference)
            return
        self.motion_reference.stop()
        self.reference_stack.setCurrentWidget(self.reference_label)
        if c.hard_mode or not path.exists():
            self.reference_label.setPixmap(QPixmap())
            self.reference_label.setText("Hard mode:\nfrom memory" if c.hard_mode else f"No picture of {letter}")
            return
        pixmap = QPixmap(str(path)).scaled(REFERENCE_PX, REFERENCE_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
        if c.left_hand:  # the references show a right hand; a left-handed learner sees the mirror image
            pixmap = pixmap.transformed(QTransform().scale(-1, 1))
        self.reference_label.setPixmap(pixmap)
