"""Training > Capture my samples: letter by letter, a countdown, then N crops taken automatically from
the live recognitions while the learner holds the letter, one about every second with a count-down to the
next shot, so the learner can move the hand between shots (shots 0.4 s apart, unannounced, left little time
for that); a review grid with delete; counts per letter, and how many letters have samples at all: a retrain
on one or two letters teaches the model little about the learner's hand (issue 29).

The dialog takes what the app already computes (Recognition.crop_gray, the 28x28 the model reads, and
the hand crop from the frame and box), so a sample is exactly what the model will see. It shows what the
model reads while capturing. It does not require the model to agree with the letter (the point is to teach
it hands it does not read yet), but when the model confidently reads another letter for a few frames in a
row, it stops and asks: L and V shapes were once saved as "A" without a word (issue 13). Those frames are
never stored; "Yes, keep capturing" trusts the learner for the rest of that letter, and the question goes
away by itself once the model reads the letter again.

Usage:
    dialog = CaptureDialog(SampleStore(), parent=window)
    window.recognition_changed.connect(dialog.on_recognition)
"""

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from signcam.labels import LETTERS
from signcam.pipeline.preprocess import square_crop
from signcam.pipeline.recognizer import Recognition
from signcam.store.assets_dir import REFERENCE_DIR
from signcam.store.samples import SampleStore
from signcam.ui.images import gray_to_qimage
from signcam.ui.screen_fit import fit_to_screen

TILE_PX = 84  # 3x the model input: big enough to judge a crop, small enough for 120 on screen
TICK_MS = 100
PREVIEW_PX = 160  # the reference hand (256 px colour photo) and the live 28x28 crop, side by side
ASK_CONFIDENCE = 0.8  # a read of another letter this sure (and above the user's threshold) is not a wobble
ASK_AFTER_FRAMES = 3  # ...in this many recognitions in a row (~0.1 s at 30 fps): not a passing transition
INTERVAL_S = 1.0  # between two shots of a letter: time to move the hand a little, short enough to hold a letter
FEW_LETTERS = 12  # with samples of fewer letters than this, suggest capturing more before retraining


class CaptureDialog(QDialog):
    """Feed it recognitions with `on_recognition` (GUI thread). `countdown_s` and `interval_s` are
    parameters so tests can capture at once; `clock` is injectable for the same reason."""

    captured = Signal(str)  # the letter of a newly stored sample

    def __init__(self, store: SampleStore, *, per_letter: int = 5, countdown_s: float = 3.0,
                 interval_s: float = INTERVAL_S, clock: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Capture my samples")
        self.store = store
        self.countdown_s, self.interval_s, self._clock = countdown_s, interval_s, clock
        self._queue: list[str] = []
        self._letters_done = 0  # letters of this run of Start done (or skipped): the progress bar's whole
        self._letter: str | None = None
        self._phase_start_s = 0.0
        self._last_capture_s = float("-inf")
        self._taken = 0
        self._other_reads = 0  # recognitions in a row that confidently read another letter
        self._trusted = False  # the learner said the hand shows the letter: stop asking until the next one
        self._timer = QTimer(self, interval=TICK_MS, timeout=self._on_tick)

        self.letters_edit = QLineEdit("".join(LETTERS))
        self.letters_edit.setToolTip("The letters to capture, in order (J and Z need motion and are skipped)")
        self.per_letter_spin = QSpinBox(minimum=1, maximum=50, value=per_letter)
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setEnabled(False)
        controls = QHBoxLayout()
        for widget in (QLabel("Letters:"), self.letters_edit, QLabel("Samples per letter:"), self.per_letter_spin,
                       self.start_button, self.stop_button):
            controls.addWidget(widget)

        self.reference_label = QLabel()
        self.reference_label.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.reference_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label = QLabel("Choose letters and press Start. Hold each letter in front of the camera; "
                                   "move it a little between shots so the samples differ.")
        self.prompt_label.setWordWrap(True)
        font = self.prompt_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.prompt_label.setFont(font)
        self.progress = QProgressBar()
        self.progress.setToolTip("Samples taken in this run, all its letters together")
        self.live_label = QLabel("no hand")
        self.live_label.setFixedSize(PREVIEW_PX, PREVIEW_PX)
        self.live_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.live_label.setToolTip("What the model sees now (the 28x28 crop of your hand)")
        self.live_label.setStyleSheet("border: 1px solid #888")
        self.reads_label = QLabel("The model reads: –")
        self.question_label = QLabel()
        self.question_label.setWordWrap(True)
        self.question_label.setStyleSheet("color: #f2b33d; font-weight: bold")
        self.keep_button = QPushButton("Yes, keep capturing")
        self.keep_button.clicked.connect(self.keep_capturing)
        self.skip_button = QPushButton("Skip this letter")
        self.skip_button.clicked.connect(self.skip_letter)
        question = QHBoxLayout()
        question.addWidget(self.question_label, 1)
        question.addWidget(self.keep_button)
        question.addWidget(self.skip_button)
        self.question = QWidget()
        self.question.setLayout(question)
        self.question.hide()
        prompt = QHBoxLayout()
        prompt.addWidget(self.reference_label)
        prompt.addWidget(self.live_label)
        column = QVBoxLayout()
        column.addWidget(self.prompt_label)
        column.addWidget(self.reads_label)
        column.addWidget(self.progress)
        column.addWidget(self.question)
        prompt.addLayout(column, 1)

        self.grid = QListWidget()
        self.grid.setViewMode(QListWidget.ViewMode.IconMode)
        self.grid.setIconSize(QSize(TILE_PX, TILE_PX))
        self.grid.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.grid.setMovement(QListWidget.Movement.Static)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.delete_button = QPushButton("Delete selected")
        self.delete_button.clicked.connect(self.delete_selected)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counts_label, 1)
        bottom.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(prompt)
        layout.addWidget(QLabel("Your samples (select and press Delete to remove bad ones):"))
        layout.addWidget(self.grid, 1)
        layout.addLayout(bottom)
        fit_to_screen(self, 760, 620)
        self._fill_grid()

    # -- public API ----------------------------------------------------------------------------
    @property
    def letter(self) -> str | None:
        """The letter being captured now (None when idle)."""
        return self._letter

    @property
    def asking(self) -> bool:
        """True while capture waits for the learner to say whether the hand shows the letter."""
        return self.question.isVisibleTo(self)

    @property
    def letters_with_samples(self) -> int:
        return sum(1 for n in self.store.counts().values() if n)

    @Slot()
    def keep_capturing(self) -> None:
        """The learner says the hand shows the letter: store it as that letter, and ask no more for it."""
        self._trusted, self._other_reads = True, 0
        self.question.hide()

    @Slot()
    def skip_letter(self) -> None:
        self.question.hide()
        self._letters_done += 1
        self._next_letter()

    def start(self) -> None:
        letters = [c for c in self.letters_edit.text().upper() if c in LETTERS]
        if not letters:
            self.prompt_label.setText("No static letters to capture (J and Z need motion).")
            return
        self._queue = list(dict.fromkeys(letters))
        self._letters_done = 0
        self.progress.setRange(0, len(self._queue) * self.per_letter_spin.value())
        self.progress.setValue(0)
        self._set_running(True)
        self._next_letter()
        self._timer.start()

    @Slot()
    def stop(self) -> None:
        self._timer.stop()
        self._queue, self._letter = [], None
        self.question.hide()
        self._set_running(False)
        self.reference_label.clear()
        self.prompt_label.setText("Stopped. Press Start to capture more.")

    @Slot(object)
    def on_recognition(self, rec: Recognition) -> None:
        """Store the crop if a letter is being captured, its countdown is over and a hand is in view."""
        now = self._clock()
        self._show_live(rec)
        if self._letter is None or now - self._phase_start_s < self.countdown_s:
            return
        if rec.crop_gray is None or rec.box is None:
            return
        if self.asking:
            if rec.letter != self._letter:
                return
            self.question.hide()  # the model agrees again: nothing left to ask
        if self._reads_another_letter(rec):
            self._other_reads += 1
            if self._other_reads >= ASK_AFTER_FRAMES:
                self.question_label.setText(f"The model reads {rec.letter} ({rec.confidence:.0%}), not "
                                            f"{self._letter}. Is your hand showing {self._letter}?")
                self.question.show()
            return
        self._other_reads = 0
        if now - self._last_capture_s < self.interval_s:
            return
        hand = square_crop(rec.frame.image_bgr, rec.box) if rec.frame is not None else None
        sample = self.store.add(self._letter, rec.crop_gray, hand, rec.box.landmarks)
        self._last_capture_s, self._taken = now, self._taken + 1
        self._add_tile(sample.id, sample.letter, rec.crop_gray)
        self._update_counts()
        self.captured.emit(sample.letter)
        if self._taken >= self.per_letter_spin.value():
            self._letters_done += 1
            self._next_letter()
        else:
            self._show_state(now)

    @Slot()
    def delete_selected(self) -> None:
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in self.grid.selectedItems()]
        self.store.delete(ids)
        for item in self.grid.selectedItems():
            self.grid.takeItem(self.grid.row(item))
        self._update_counts()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.grid.hasFocus():
            self.delete_selected()
        else:
            super().keyPressEvent(event)

    def done(self, result: int) -> None:  # Qt override: stop capturing however the dialog closes
        self.stop()
        super().done(result)

    # -- internals -----------------------------------------------------------------------------
    def _set_running(self, running: bool) -> None:
        """Letters and samples per letter are fixed while capturing: the progress bar counts them."""
        for widget in (self.start_button, self.letters_edit, self.per_letter_spin):
            widget.setEnabled(not running)
        self.stop_button.setEnabled(running)

    def _reads_another_letter(self, rec: Recognition) -> bool:
        return (not self._trusted and rec.letter is not None and rec.letter != self._letter
                and rec.confidence >= ASK_CONFIDENCE)

    def _next_letter(self) -> None:
        self._trusted, self._other_reads = False, 0
        self.question.hide()
        if not self._queue:
            self.stop()
            self.progress.setValue(self.progress.maximum())
            have = self.letters_with_samples
            self.prompt_label.setText(
                "Done. Review your samples below, then use Training > Retrain… with “Include my personal "
                "samples”." if have >= FEW_LETTERS else
                f"Done. {_letters_have(have)} samples so far: capture more letters before Training > Retrain…, "
                "so the new weights learn your hand, not just these letters.")
            return
        self._letter, self._queue = self._queue[0], self._queue[1:]
        self._taken, self._phase_start_s = 0, self._clock()
        path = REFERENCE_DIR / f"{self._letter}.png"
        pixmap = QPixmap(str(path)) if path.exists() else QPixmap()
        self.reference_label.setPixmap(pixmap.scaled(PREVIEW_PX, PREVIEW_PX, Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation))
        self._show_state(self._phase_start_s)

    def _on_tick(self) -> None:
        if self._letter is not None:
            self._show_state(self._clock())

    def _show_state(self, now: float) -> None:
        """The count-down to the letter's first shot, then to each next one, so the learner can move between."""
        n = self.per_letter_spin.value()
        first_left = self.countdown_s - (now - self._phase_start_s)
        next_left = self._last_capture_s + self.interval_s - now if self._taken else 0.0
        if first_left > 0:
            self.prompt_label.setText(f"Get ready to sign <b>{self._letter}</b>… {math.ceil(first_left)}")
        elif next_left > 0:
            self.prompt_label.setText(f"<b>{self._letter}</b>: {self._taken} of {n} taken. Move your hand a "
                                      f"little; next shot in {next_left:.1f} s")
        else:
            self.prompt_label.setText(f"Hold <b>{self._letter}</b>: {self._taken} of {n} taken, shooting now")
        self.progress.setValue(self._letters_done * n + self._taken)

    def _show_live(self, rec: Recognition) -> None:
        if rec.box is None:
            self.reads_label.setText("The model reads: no hand (show one hand inside the frame)")
        elif rec.letter is None:
            self.reads_label.setText(f"The model reads: not sure (maybe {rec.best_letter}, {rec.confidence:.0%})")
        else:
            self.reads_label.setText(f"The model reads: <b>{rec.letter}</b> {rec.confidence:.0%}")
        if rec.crop_gray is None:
            self.live_label.setPixmap(QPixmap())
            self.live_label.setText("no hand")
            return
        self.live_label.setPixmap(QPixmap.fromImage(gray_to_qimage(rec.crop_gray)).scaled(
            PREVIEW_PX, PREVIEW_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation))

    def _fill_grid(self) -> None:
        self.grid.clear()
        for sample in self.store.samples():
            self._add_tile(sample.id, sample.letter, self.store.read_crop(sample))
        self._update_counts()

    def _add_tile(self, sample_id: str, letter: str, crop_gray) -> None:
        pixmap = QPixmap.fromImage(gray_to_qimage(crop_gray)).scaled(
            TILE_PX, TILE_PX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        item = QListWidgetItem(QIcon(pixmap), letter)
        item.setData(Qt.ItemDataRole.UserRole, sample_id)
        self.grid.addItem(item)

    def _update_counts(self) -> None:
        counts = self.store.counts()
        have = " · ".join(f"{letter} {n}" for letter, n in counts.items() if n)
        missing = "".join(letter for letter, n in counts.items() if not n)
        letters = self.letters_with_samples
        advice = (f"<br><span style='color: #f2b33d'>Only {_letters_have(letters)} samples: capture more letters "
                  "before retraining.</span>" if 0 < letters < FEW_LETTERS else "")
        total = f"{len(self.store)} samples of {letters} letter{'s' * (letters != 1)}" if letters else "No samples yet"
        self.counts_label.setText(f"<b>{total}</b>" +
                                  (f": {have}" if have else "") + (f"<br>none yet: {missing}" if missing else "")
                                  + advice)


def _letters_have(n: int) -> str:
    """'1 of 24 letters has' / '3 of 24 letters have'."""
    return f"{n} of {len(LETTERS)} letters {'has' if n == 1 else 'have'}"
