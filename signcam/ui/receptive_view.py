"""Practice > Read fingerspelling: plays a ReceptiveDrill's hand sequences and takes the learner's typed answers.

Keyboard first: the answer field has the focus; Enter checks (and, once checked, goes to the next word), Space
replays, Alt+S shows the word slower. No camera is used: the hands are the bundled crops (assets/read_hands).
The view only plays the timelines the drill computes and forwards what was typed; the drill scores and records.

Usage:
    dialog = ReceptiveDialog(ReceptiveDrill(load_hand_index(), history=history), load_words())
    dialog.show()
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from signcam.practice.motion import resample, stroke
from signcam.practice.receptive import (
    READ_HANDS_DIR,
    DrillState,
    ReceptiveDrill,
    Shown,
    WordSource,
    load_hand_index,
)
from signcam.store.assets_dir import REFERENCE_DIR
from signcam.ui.screen_fit import fit_to_screen
from signcam.ui.wording import plural

BACKGROUND = "#1e1f22"  # the progress plots' background: the crops' painted-over surround matches it
TRAIL = "#5b8def"
TICK_MS = 16  # ~60 frames/s: the 6 letters/s pace shows each hand for ~10 frames
SLIDE = 0.18  # a double letter's slide, as a fraction of the hand's size (a short move to the side)
MOTION_AREA = 0.42  # the J/Z path's extent, as a fraction of the stage's shorter side
HAND_SIZE = 0.86  # a crop's side, of the stage's shorter side; travelling too: every crop is 3 palms wide
# (training.make_read_hands), so the palm keeps one size and a J's hand stays on the stage
J_TURN_DEG = 70.0  # the wrist turns as the little finger hooks (the second half of the J)
# The drill's keys, for Help > Keyboard shortcuts too (issue 32: they were missing there): the buttons say them.
READING_KEYS = (("Read fingerspelling: check, then next word", "Enter"),
                ("Read fingerspelling: show the word again", "Space"),
                ("Read fingerspelling: slower", "Alt+S"))
REFERENCE_PX = 220  # the reference beside the stage during a review (issue 32: 124 px in a corner under the answer)
SOURCES = {"Word list": WordSource.WORDS, "Weakest letters": WordSource.WEAKEST, "Custom text": WordSource.CUSTOM}


def _ease(x: float) -> float:
    """Smooth start and stop (a hand decelerates into place)."""
    x = min(max(x, 0.0), 1.0)
    return 0.5 - 0.5 * math.cos(math.pi * x)


class HandStage(QWidget):
    """Paints one timeline step: the hand, slid for a double letter, travelling along its stroke for J and Z."""

    def __init__(self, hands: dict[str, list[str]], folder: Path = READ_HANDS_DIR,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hands, self.folder = hands, folder
        self.step: Shown | None = None
        self.progress = 0.0  # 0..1 through the step
        self.caption = ""  # drawn in a corner (review only: while reading it would give the answer away)
        self.hint = ""  # centred text when no hand is shown
        self.mirrored = False  # the hand and its path drawn mirrored, for a left-handed learner
        self._pixmaps: dict[tuple[str, int], QPixmap] = {}
        self._paths = {letter: resample(stroke(letter), 64) for letter in "JZ"}
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Fingerspelling hand")
        self.setAccessibleDescription("Shows the hands that spell the word; type what you read below.")

    def show_step(self, step: Shown | None, progress: float = 0.0, caption: str = "") -> None:
        self.step, self.progress, self.caption = step, progress, caption
        self.update()

    def pixmap(self, hand: str, signer: int) -> QPixmap:
        key = (hand, signer)
        if key not in self._pixmaps:
            self._pixmaps[key] = QPixmap(str(self.folder / self.hands[hand][signer]))
        return self._pixmaps[key]

    def hand_centre(self) -> tuple[QPointF, float, float]:
        """(centre, size, angle in degrees) of the hand now: what paintEvent draws, and what tests measure."""
        w, h = self.width(), self.height()
        short = min(w, h)
        centre = QPointF(w / 2, h / 2)
        step = self.step
        if step is None:
            return centre, 0.0, 0.0
        if step.motion:
            path = self._paths[step.letter]
            area = MOTION_AREA * short
            x, y = self._along(path, self.progress)
            origin = centre - QPointF(area / 2, area / 2)
            angle = J_TURN_DEG * _ease((self.progress - 0.45) / 0.55) if step.letter == "J" else 0.0
            return origin + QPointF(x * area, y * area), HAND_SIZE * short, angle
        size = HAND_SIZE * short
        if step.double:  # the signer slides the hand to the side for the second of two same letters
            centre -= QPointF(SLIDE * size * _ease(self.progress * 1.6), 0)
        return centre, size, 0.0

    @staticmethod
    def _along(path: np.ndarray, progress: float) -> tuple[float, float]:
        """The point `progress` of the way along `path` (evenly resampled), in the path's 0..1 box."""
        lo, span = path.min(0), np.ptp(path, axis=0).max()
        k = min(max(progress, 0.0), 1.0) * (len(path) - 1)
        i = min(int(k), len(path) - 2)
        point = path[i] + (path[i + 1] - path[i]) * (k - i)
        return tuple(float(v) for v in (point - lo) / span)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor(BACKGROUND))
        short = min(self.width(), self.height())
        if self.step is None:
            if self.hint:
                painter.setPen(QColor("#9aa0a6"))
                painter.setFont(QFont(self.font().family(), max(11, int(short / 22))))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.hint)
            return
        centre, size, angle = self.hand_centre()
        pixmap = self.pixmap(self.step.hand, self.step.signer)
        painter.save()
        if self.mirrored:
            painter.translate(self.width(), 0)
            painter.scale(-1, 1)
        painter.save()
        painter.translate(centre)
        painter.rotate(angle)
        painter.drawPixmap(QRectF(-size / 2, -size / 2, size, size), pixmap, QRectF(pixmap.rect()))
        painter.restore()
        if self.step.motion:  # on top: the crop's painted-over surround is opaque and would hide it
            self._paint_trail(painter, short)
        painter.restore()
        if self.caption:
            painter.setPen(QColor("#e8e8e8"))
            painter.setFont(QFont(self.font().family(), max(14, int(short / 9)), QFont.Weight.Bold))
            painter.drawText(self.rect().adjusted(16, 8, -16, -8),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, self.caption)

    def _paint_trail(self, painter: QPainter, short: float) -> None:
        """The path walked so far, half transparent over the hand, so the motion reads even in a still frame."""
        path = self._paths[self.step.letter]
        area = MOTION_AREA * short
        origin = QPointF(self.width() / 2 - area / 2, self.height() / 2 - area / 2)
        trail = QPainterPath()
        steps = max(int(self.progress * (len(path) - 1)), 1)
        for k in range(steps + 1):
            x, y = self._along(path, k / (len(path) - 1))
            point = origin + QPointF(x * area, y * area)
            trail.moveTo(point) if k == 0 else trail.lineTo(point)
        colour = QColor(TRAIL)
        colour.setAlphaF(0.75)
        pen = QPen(colour, max(3.0, short / 70))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawPath(trail)


class ReceptiveView(QWidget):
    """The reading drill: choose words, watch, type, Enter; feedback with the missed letters shown again."""

    played = Signal()  # a sequence (word or review) finished playing

    def __init__(self, drill: ReceptiveDrill, words: Sequence[str], hands_dir: Path = READ_HANDS_DIR,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.drill, self.words = drill, list(words)
        self.steps: list[Shown] = []
        self.reviewing = False
        self._clock = QElapsedTimer()
        self._timer = QTimer(self, interval=TICK_MS)
        self._timer.timeout.connect(self._on_tick)

        self.source_box = QComboBox()
        self.source_box.addItems(list(SOURCES))
        self.source_box.setAccessibleName("Words to read")
        self.custom_edit = QLineEdit(placeholderText="Your words, e.g. hello world")
        self.custom_edit.setAccessibleName("Custom words to read")
        self.start_button = QPushButton("S&tart")
        self.start_button.setAccessibleName("Start the reading drill")
        self.stage = HandStage(drill.hands, hands_dir)
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Drill status")
        self.answer_edit = QLineEdit(placeholderText="Type the word you read, then Enter")
        self.answer_edit.setAccessibleName("Your reading of the word")
        self.answer_edit.setAccessibleDescription("Enter checks; Space shows the word again")
        self.answer_edit.setStyleSheet("font-size: 20px; padding: 4px;")
        self.check_button = QPushButton("Next word (Enter)")
        self.check_button.setMinimumWidth(self.check_button.sizeHint().width())  # its two texts, one width: no jump
        self.check_button.setText("Check (Enter)")
        self.check_button.setAccessibleName("Check your answer")
        self.replay_button = QPushButton("Replay (Space)")
        self.replay_button.setAccessibleName("Show the word again")
        self.slower_button = QPushButton("&Slower")
        self.slower_button.setAccessibleName("Show the word again, slower")
        self.feedback_label = QLabel()
        self.feedback_label.setWordWrap(True)
        self.feedback_label.setTextFormat(Qt.TextFormat.RichText)
        self.feedback_label.setAccessibleName("Result")
        self.reference_label = QLabel()
        self.reference_label.setAccessibleName("Reference hand for a missed letter")
        self.reference_label.setFixedWidth(REFERENCE_PX)
        self.reference_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Beside the stage and holding its place while hidden: showing it after a wrong answer moved the answer
        # field and shrank the stage (issue 32).
        policy = self.reference_label.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.reference_label.setSizePolicy(policy)

        choose = QHBoxLayout()
        choose.addWidget(QLabel("Words:"))
        choose.addWidget(self.source_box)
        choose.addWidget(self.custom_edit, 1)
        choose.addStretch(1)  # takes the field's place while it is hidden
        choose.addWidget(self.start_button)
        answer = QHBoxLayout()
        answer.addWidget(self.answer_edit, 1)
        for button in (self.check_button, self.replay_button, self.slower_button):
            answer.addWidget(button)
        for button in (self.start_button, self.check_button, self.replay_button, self.slower_button):
            button.setAutoDefault(False)  # in a dialog, Enter in the answer field must not also press a button
        self.feedback_label.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)  # the longest result: no jump
        self.feedback_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        stage_row = QHBoxLayout()
        stage_row.addWidget(self.stage, 1)
        stage_row.addWidget(self.reference_label)
        layout = QVBoxLayout(self)
        layout.addLayout(choose)
        layout.addLayout(stage_row, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(answer)
        layout.addWidget(self.feedback_label)

        self.source_box.currentTextChanged.connect(self._on_source_changed)
        self.start_button.clicked.connect(self.start)
        self.custom_edit.returnPressed.connect(self.start)
        self.answer_edit.returnPressed.connect(self._on_enter)
        self.answer_edit.installEventFilter(self)
        self.check_button.clicked.connect(self._on_enter)
        self.replay_button.clicked.connect(self.replay)
        self.slower_button.clicked.connect(self.slower)
        drill.changed.connect(self._render)
        self._on_source_changed(self.source_box.currentText())
        self._render()

    # -- actions (buttons, keys, tests) ------------------------------------------------------------------------
    def start(self) -> bool:
        source = SOURCES[self.source_box.currentText()]
        if source is WordSource.CUSTOM:
            items = self.drill.custom_items(self.custom_edit.text())
        elif source is WordSource.WEAKEST:
            items = self.drill.weakest_items(self.words)
        else:
            items = self.drill.word_list_items(self.words)
        if not self.drill.start(items, source):
            self.feedback_label.setText("Type some words to read first (letters only count).")
            return False
        self.answer_edit.clear()
        self.answer_edit.setFocus()
        self._play(self.drill.sequence())
        return True

    def replay(self) -> None:
        """While reading: the word again. After an answer with misses: the missed letters again."""
        if self.drill.state is DrillState.READING:
            self._play(self.drill.replay())
        elif self.drill.state is DrillState.ANSWERED:
            review = self.drill.review()
            self._play(review or self.drill.sequence(), review=bool(review))
        self.answer_edit.setFocus()

    def slower(self) -> None:
        if self.drill.state is DrillState.READING:
            self._play(self.drill.slower())
            self._render()
        self.answer_edit.setFocus()

    def seek(self, t_s: float) -> None:
        """Shows the sequence as it is `t_s` seconds after it started (the timer calls this; tests too)."""
        for step in self.steps:
            if step.start_s <= t_s < step.end_s:
                progress = (t_s - step.start_s) / step.duration_s
                self.stage.show_step(step, progress, step.letter if self.reviewing else "")
                if self.reviewing:
                    self._show_reference(step.hand, step.letter)
                return
        self.stage.show_step(None)
        if self.steps and t_s >= self.steps[-1].end_s:
            self._timer.stop()
            self.steps = []
            self.stage.hint = self._hint()
            self.played.emit()

    @property
    def playing(self) -> bool:
        return bool(self.steps)

    # -- internals ------------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Space in the answer field replays (words have no spaces to type)."""
        if watched is self.answer_edit and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event
            if key_event.key() == Qt.Key.Key_Space and not key_event.modifiers():
                self.replay()
                return True
        return super().eventFilter(watched, event)

    def _on_enter(self) -> None:
        if self.drill.state is DrillState.READING:
            self.drill.check(self.answer_edit.text())
            review = self.drill.review()
            if review:
                self._play(review, review=True)
            else:
                self.stop_playback()
            self.answer_edit.selectAll()
            return
        if self.drill.state is DrillState.ANSWERED:
            self.answer_edit.clear()
            if self.drill.next_word():
                self._play(self.drill.sequence())
            else:
                self.stop_playback()
        elif self.drill.state in (DrillState.IDLE, DrillState.DONE):
            self.start()

    def _play(self, steps: list[Shown], review: bool = False) -> None:
        self.steps, self.reviewing = list(steps), review
        self.reference_label.setVisible(review)
        self.stage.hint = self._hint()
        self._clock.start()
        self.seek(0.0)
        if self.steps:
            self._timer.start()

    def stop_playback(self) -> None:
        self._timer.stop()
        self.steps = []
        self.stage.hint = self._hint()
        self.stage.show_step(None)

    def _on_tick(self) -> None:
        self.seek(self._clock.elapsed() / 1000.0)

    def _on_source_changed(self, text: str) -> None:
        """The custom-words field only with Custom text: disabled, it looked enabled on the dark palette."""
        custom = SOURCES[text] is WordSource.CUSTOM
        self.custom_edit.setVisible(custom)
        if custom:
            self.custom_edit.setFocus()

    def _hint(self) -> str:
        """The stage's text when no hand is shown: what to do now, never "type what you read" before the word
        was shown (issue 32: it showed during the pause before the first hand)."""
        state = self.drill.state
        if state is DrillState.IDLE:
            return "Read the hands, type the word.\nPress Start."
        if state is DrillState.DONE:
            return "Done. Enter starts another drill."
        return "Type what you read · Space shows it again" if state is DrillState.READING and not self.playing else ""

    def _show_reference(self, hand: str, letter: str) -> None:
        ratio = self.devicePixelRatioF()  # sharp at QT_SCALE_FACTOR=2 too
        pixmap = QPixmap(str(REFERENCE_DIR / f"{hand}.png")).scaled(
            round(REFERENCE_PX * ratio), round(REFERENCE_PX * ratio), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        pixmap.setDevicePixelRatio(ratio)
        self.reference_label.setPixmap(pixmap)
        self.reference_label.setToolTip(f"Reference: {letter}" + (f" (starts as {hand})" if hand != letter else ""))

    def _render(self) -> None:
        drill, state = self.drill, self.drill.state
        reading = state is DrillState.READING
        self.check_button.setText("Check (Enter)" if state is not DrillState.ANSWERED else "Next word (Enter)")
        self.check_button.setAccessibleName("Check your answer" if reading else "Go to the next word")
        self.check_button.setEnabled(state in (DrillState.READING, DrillState.ANSWERED))
        self.replay_button.setEnabled(state in (DrillState.READING, DrillState.ANSWERED))
        self.slower_button.setEnabled(reading)
        number, total = drill.position
        pace = f"pace {drill.pace:g} letters/s"
        if state is DrillState.IDLE:
            self.status_label.setText(f"Choose words and press Start (Enter). {pace.capitalize()}.")
        elif state is DrillState.DONE:
            self.status_label.setText(f"Drill done · {pace}")
        else:
            self.status_label.setText(f"Word {number} of {total} · {plural(len(drill.word), 'letter')} · {pace}")
        self.stage.hint = self._hint()
        self.reference_label.setVisible(self.reviewing and state is DrillState.ANSWERED)
        self.feedback_label.setText(self._feedback())
        self.stage.update()

    def _feedback(self) -> str:
        drill = self.drill
        notice = f"<p style='color:#e0a030'>{drill.notice}</p>" if drill.notice else ""
        if drill.state is DrillState.DONE:
            s = drill.summary()
            share = s.letters_right / s.letters if s.letters else 0.0
            best = f"{s.best_pace:g} letters/s" if s.best_pace else "-"
            return (f"<h3>Drill done</h3><p><b>{s.words_right}</b> of {plural(s.words, 'word')}, {share:.0%} of "
                    f"letters read right.<br>Fastest word read right: {best} (started at {s.start_pace:g}).<br>"
                    f"Missed letters: {', '.join(s.missed) or 'none'}</p>{notice}")
        result = drill.last_result if drill.state is DrillState.ANSWERED else None
        if result is None:
            return notice
        change = ("pace up" if result.new_pace > result.pace else "pace down" if result.new_pace < result.pace
                  else "same pace")
        if result.correct:
            return (f"<p style='color:#3fb66b'><b>Right: {result.word}</b> ({len(result.word)} of "
                    f"{len(result.word)} letters) · {change}, {result.new_pace:g} letters/s · Enter: next word</p>"
                    f"{notice}")
        marked = "".join(f"<u style='color:#d9534f'>{c}</u>" if i in result.missed else c
                         for i, c in enumerate(result.word))
        return (f"<p><b style='color:#d9534f'>It was {marked}</b>, you typed {result.typed or '(nothing)'}: "
                f"{result.letters_right} of {len(result.word)} letters right · {change}, {result.new_pace:g} "
                f"letters/s.<br>Missed: <b>{result.missed_letters or 'extra letters typed'}</b>, shown again "
                f"slowly beside the reference (Space repeats) · Enter: next word</p>{notice}")


class ReceptiveDialog(QDialog):
    """Practice > Read fingerspelling: the ReceptiveView in its own window (it needs no camera)."""

    def __init__(self, drill: ReceptiveDrill, words: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Read fingerspelling")
        self.view = ReceptiveView(drill, words, parent=self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        fit_to_screen(self, 760, 680)

    def done(self, code: int) -> None:
        """Closing (Esc or the close button) stops playback; the drill stays, to go on where it was."""
        self.view.stop_playback()
        super().done(code)


def open_reading_drill(history, words: Sequence[str], parent: QWidget | None = None) -> ReceptiveDialog:
    """The dialog with a drill over the bundled hands, recording into `history`."""
    return ReceptiveDialog(ReceptiveDrill(load_hand_index(), history=history), words, parent)
