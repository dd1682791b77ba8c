"""Training > Retrain…: settings, a trainer process with live curves and cancel, then a side-by-side
report of the new weights and the ones in use, and Adopt or Discard.

Nothing the learner uses changes until Adopt: the trainer writes a candidate into the user data
folder's `candidates/`, and only Adopt moves it into the weights history and emits `adopted`, which
the Training menu turns into `MainWindow.load_weights`. The bundled weights are only ever read.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QDir, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from signcam.labels import LETTERS
from signcam.pipeline.config import available_devices
from signcam.ui.confusion_view import ConfusionView
from signcam.ui.screen_fit import fit_to_screen
from signcam.ui.settings import Key, Settings
from signcam.ui.training_process import TrainingProcess
from training.config import CsvError, TrainConfig, find_csvs, fine_tune_config  # torch-free: opens at once
from training.progress import LOADING, PHASES, TESTING, TRAINING, RunEstimate, RunTimes
from training.results import RunResult

if TYPE_CHECKING:  # both import torch (through signcam.models.model); the menu that opens the dialog passes them
    from signcam.store.samples import SampleStore
    from signcam.store.user_weights import WeightsHistory

# No fixed time promises: a 1-epoch fine-tune took 3-4 minutes on a shared 2-core CPU against the "about a
# minute" once written here (issue 13), and the weights' own training speed promised "about 0:03" for a fine-tune
# that took a minute (issue 23). Before the run the estimate is the last run of that mode on this computer; during
# it, every phase is timed from the run itself (training.progress.RunEstimate).
MODES = {"fine-tune": "Fine-tune the weights in use (the quicker choice)",
         "scratch": "Train new weights from scratch (slow without a GPU)"}
TRAIN_COLOUR, VAL_COLOUR, ACC_COLOUR = "#3b82f6", "#f59e0b", "#22a06b"
PHASE_NAMES = {LOADING: "Loading the data and the weights", TRAINING: "Training",
               TESTING: "Testing on the official test set"}
ARM_REPORT_MS = 1500  # the report's buttons wait this long: a click meant for Cancel must not discard (issue 23)
LOSS_NOTE = ("Training loss is measured on augmented pictures (shifted, turned, blurred) with label smoothing, so "
             "it stays near 1 while validation loss on plain pictures falls: a flat training curve is expected, "
             "not a stall.")
DEFAULT_EPOCHS = {"fine-tune": fine_tune_config(TrainConfig(), "").epochs, "scratch": TrainConfig().epochs}
ERROR_STYLE = "color: #d04040"
OK_STYLE = "color: #3fa060"


def _percent(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{decimals}f}%"


def _format_eta(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"


class RetrainDialog(QDialog):
    """`overrides` are extra TrainConfig values applied last (tests use a tiny `limit` and `width`)."""

    adopted = Signal(Path)  # the adopted weights file, now in the user data folder's history

    def __init__(self, settings: Settings, *, history: WeightsHistory, samples: SampleStore,
                 current_weights: Path, overrides: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Retrain")
        self._settings, self._history, self._samples = settings, history, samples
        self._current_weights = current_weights
        self._overrides = dict(overrides or {})
        self._candidate: Path | None = None
        self._result: RunResult | None = None
        self._clock = time.monotonic  # tests replace it with a fake clock
        self.estimate = RunEstimate(DEFAULT_EPOCHS["fine-tune"], clock=self._clock)
        self._epoch_batch = (0, 0, 0)  # the last batch event's (epoch, batch, batches), for the headline
        self._curves: dict[str, list[float]] = {"epoch": [], "train_loss": [], "val_loss": [], "val_acc": []}
        self._live_loss: tuple[list[float], list[float]] = ([], [])  # (fractional epoch, running mean loss)
        self._tick_timer = QTimer(self, interval=500, timeout=self._render_progress)  # the clock runs between events
        self._arm_timer = QTimer(self, singleShot=True, interval=ARM_REPORT_MS, timeout=self._arm_report)
        self.process = TrainingProcess(self)
        self.process.stage_started.connect(self._on_stage_started)
        self.process.batch_progressed.connect(self._on_batch_progressed)
        self.process.epoch_finished.connect(self._on_epoch_finished)
        self.process.finished.connect(self._on_finished)
        self.process.failed.connect(self._on_failed)
        self.process.cancelled.connect(self._on_cancelled)

        self.pages = QStackedWidget()
        self.setup_page, self.progress_page, self.report_page = (
            self._build_setup(), self._build_progress(), self._build_report())
        for page in (self.setup_page, self.progress_page, self.report_page):
            self.pages.addWidget(page)
        QVBoxLayout(self).addWidget(self.pages)
        fit_to_screen(self, 980, 680)
        self._check_data_dir()

    # -- building ------------------------------------------------------------------------------
    def _build_setup(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.data_edit = QLineEdit(self._settings.value(Key.TRAINING_DATA, ""))
        self.data_edit.setPlaceholderText("Folder with sign_mnist_train.csv and sign_mnist_test.csv (Kaggle)")
        self.data_edit.textChanged.connect(self._check_data_dir)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse)
        row = QHBoxLayout()
        row.addWidget(self.data_edit, 1)
        row.addWidget(browse)
        form.addRow("Sign-MNIST data:", row)
        self.data_status = QLabel()
        self.data_status.setWordWrap(True)
        form.addRow("", self.data_status)
        count = len(self._samples)
        self.personal_check = QCheckBox(f"Include my personal samples ({count}; a fifth of each letter is held "
                                        "back to measure how well your hand is read)" if count else
                                        "Include my personal samples (none yet: Training > Capture my samples)")
        self.personal_check.setEnabled(count > 0)
        self.personal_check.setChecked(count > 0)
        form.addRow("", self.personal_check)
        self.mode_combo = QComboBox()
        for key, text in MODES.items():
            self.mode_combo.addItem(text, key)
        self.mode_combo.currentIndexChanged.connect(
            lambda: self.epochs_spin.setValue(DEFAULT_EPOCHS[self.mode_combo.currentData()]))
        form.addRow("Start from:", self.mode_combo)
        self.epochs_spin = QSpinBox(minimum=1, maximum=200, value=DEFAULT_EPOCHS["fine-tune"])
        form.addRow("Epochs:", self.epochs_spin)
        self.estimate_label = QLabel()
        self.estimate_label.setWordWrap(True)
        self.epochs_spin.valueChanged.connect(self._show_estimate)
        form.addRow("", self.estimate_label)
        self.device_combo = QComboBox()
        for key, text in available_devices().items():  # only what this machine has: none would fail
            self.device_combo.addItem(text, key)
        self.device_combo.setCurrentIndex(self.device_combo.count() - 1)  # a GPU when there is one
        form.addRow("Device:", self.device_combo)
        form.addRow("Weights in use:", QLabel(self._current_weights.name))
        self.start_button = QPushButton("Start training")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        form.addRow("", self.start_button)
        self.mode_combo.currentIndexChanged.connect(self._show_estimate)
        self._show_estimate()
        return page

    def _build_progress(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.stage_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setFormat("starting…")
        self.phases_label = QLabel()  # the three phases: done (time taken), now (share, time left), to come
        self.phases_label.setTextFormat(Qt.TextFormat.RichText)
        plots = QHBoxLayout()
        self.loss_plot, self.acc_plot = pg.PlotWidget(title="Loss"), pg.PlotWidget(title="Validation accuracy")
        for plot in (self.loss_plot, self.acc_plot):
            plot.setBackground(None)
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setLabel("bottom", "epoch")
            plot.addLegend(offset=(-10, 10))
            plots.addWidget(plot)
        # Train loss is drawn batch by batch (the runner's running mean), so the curve moves during the first
        # epoch; validation is measured once per epoch and drawn as dots in its own colour.
        self.train_loss_curve = self.loss_plot.plot(pen=pg.mkPen(TRAIN_COLOUR, width=2),
                                                    name="train (augmented pictures)")
        self.val_loss_curve = self.loss_plot.plot(pen=pg.mkPen(VAL_COLOUR, width=2), symbol="o", symbolSize=8,
                                                  symbolBrush=VAL_COLOUR, symbolPen=None,
                                                  name="validation (plain pictures)")
        self.val_acc_curve = self.acc_plot.plot(pen=pg.mkPen(ACC_COLOUR, width=2), symbol="o", symbolSize=8,
                                                symbolBrush=ACC_COLOUR, symbolPen=None, name="validation")
        self.acc_plot.setYRange(0, 1, padding=0.02)  # an accuracy lives in [0, 1]; auto-range gave 0.6-1.4
        self.acc_plot.setMouseEnabled(x=False, y=False)
        self.loss_plot.setMouseEnabled(x=False, y=False)
        self.loss_note = QLabel(LOSS_NOTE)
        self.loss_note.setWordWrap(True)
        self.loss_note.setStyleSheet("color: #9a9ca3;")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel training")
        self.cancel_button.clicked.connect(self.cancel)
        self.back_button = QPushButton("Back to settings")
        self.back_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.setup_page))
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.cancel_button)
        for widget in (self.stage_label, self.progress_bar, self.phases_label):
            layout.addWidget(widget)
        layout.addLayout(plots, 1)
        layout.addWidget(self.loss_note)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)
        return page

    def _build_report(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.report_title = QLabel()
        self.report_title.setWordWrap(True)  # one long line set the window's width (issue 32: 1125 px)
        self.summary_table = QTableWidget(0, 2)
        self.summary_table.setHorizontalHeaderLabels(["New weights", "Weights in use"])
        self.letters_table = QTableWidget(len(LETTERS), 3)
        self.letters_table.setHorizontalHeaderLabels(["New", "In use", "n"])
        self.letters_table.setVerticalHeaderLabels(list(LETTERS))
        self.letters_table.setToolTip("Recall per letter on the official test set: the share of each letter read right")
        self.letters_table.setFixedWidth(260)
        for table in (self.summary_table, self.letters_table):
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary_table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.confusion = ConfusionView()
        middle = QHBoxLayout()
        middle.addWidget(self.letters_table)
        confusion_box = QVBoxLayout()
        confusion_box.addWidget(QLabel("Confusion on the official test set, new weights (rows: actual)"))
        confusion_box.addWidget(self.confusion, 1)
        middle.addLayout(confusion_box, 1)
        # Discard sits at the far left, away from where Cancel training was (the right), and both wait
        # ARM_REPORT_MS: a click meant to cancel as the run ended discarded its result (issue 23).
        buttons = QHBoxLayout()
        self.discard_button = QPushButton("Discard the new weights")
        self.discard_button.clicked.connect(self.discard)
        self.adopt_button = QPushButton("Adopt the new weights")
        self.adopt_button.clicked.connect(self.adopt)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.adopt_button)
        layout.addWidget(self.report_title)
        layout.addWidget(self.summary_table)
        layout.addLayout(middle, 1)
        layout.addLayout(buttons)
        return page

    def last_times(self) -> RunTimes | None:
        """What the last finished run of the chosen mode measured on this computer, if any."""
        return RunTimes.saved(self._settings.value(Key.TRAINING_TIMES, "{}")).get(self.mode_combo.currentData())

    def _show_estimate(self) -> None:
        """The time to expect: the last run of this mode here, scaled to the epochs chosen."""
        times = self.last_times()
        if times is None:
            self.estimate_label.setText("Not timed on this computer yet: the run measures each step (loading, "
                                        "training, testing) and shows the time left as soon as it can.")
            return
        epochs = self.epochs_spin.value()
        self.estimate_label.setText(
            f"About {_format_eta(times.total_s(epochs))} (min:s), as measured in the last run here: loading "
            f"{_format_eta(times.loading_s)}, {_format_eta(times.epoch_s)} per epoch, testing "
            f"{_format_eta(times.testing_s)}. Longer while the computer is busy.")

    # -- actions -------------------------------------------------------------------------------
    def config(self) -> dict:
        """The runner's config for the current choices (TrainConfig fields plus `data_dir`)."""
        base = TrainConfig(device=self.device_combo.currentData(), compare_weights=str(self._current_weights))
        personal = str(self._samples.root) if self.personal_check.isChecked() else ""
        if self.mode_combo.currentData() == "fine-tune":
            base = fine_tune_config(base, str(self._current_weights), personal)
        config = replace(base, personal_dir=personal, epochs=self.epochs_spin.value())
        values = {k: v for k, v in asdict(config).items() if k not in ("train_csv", "test_csv")}
        return {**values, "data_dir": self.data_edit.text().strip(), **self._overrides}

    def start(self) -> bool:
        """Start the trainer; False (and a message beside the data folder) if the data is not usable."""
        if not self._check_data_dir():
            return False
        self._candidate = self._history.new_candidate_path()
        self._result = None
        for curve in (self.train_loss_curve, self.val_loss_curve, self.val_acc_curve):
            curve.setData([], [])
        self._curves = {"epoch": [], "train_loss": [], "val_loss": [], "val_acc": []}
        self._live_loss = ([], [])
        self._set_epoch_axis(self.epochs_spin.value())
        self.message_label.clear()
        self._stop_progress("starting…")
        self.estimate = RunEstimate(self.epochs_spin.value(), self.last_times(), clock=self._clock)
        self._epoch_batch = (0, 0, 0)
        self.cancel_button.setEnabled(True)
        self.back_button.hide()
        self.pages.setCurrentWidget(self.progress_page)
        self.process.start({**self.config(), "out": str(self._candidate)})
        self._render_progress()
        self._tick_timer.start()
        return True

    def cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.stage_label.setText("Stopping…")
        self.process.cancel()

    def adopt(self) -> None:
        """Move the candidate into the weights history and tell the app to use it."""
        from signcam.store.weights import WeightsError  # torch: loaded by now (the history read the candidate)

        try:
            path = self._history.adopt(self._candidate)
        except (WeightsError, OSError) as e:
            self.report_title.setText(f"<span style='{ERROR_STYLE}'>Cannot adopt: {e}</span>")
            return
        self._candidate = None
        self.adopted.emit(path)
        self.accept()

    def discard(self) -> None:
        self._discard_candidate()
        self.reject()

    # -- trainer events ------------------------------------------------------------------------
    def _on_stage_started(self, stage: str, sizes: dict) -> None:
        self.estimate.on_stage(stage, sizes)
        self._render_progress()

    def _on_batch_progressed(self, epoch: int, epochs: int, batch: int, batches: int, loss: float) -> None:
        self.estimate.on_batch(epoch, batch, batches)
        self._epoch_batch = (epoch, batch, batches)
        if loss == loss:  # not NaN: the runner sent its running loss
            xs, ys = self._live_loss
            xs.append(epoch - 1 + batch / batches)
            ys.append(loss)
            self.train_loss_curve.setData(xs, ys)
        self._render_progress()

    def _on_epoch_finished(self, stats: dict) -> None:
        self.estimate.on_epoch(stats)
        for key in self._curves:
            self._curves[key].append(stats[key])
        x = self._curves["epoch"]
        if not self._live_loss[0]:  # an older runner without per-batch loss: epoch points only
            self.train_loss_curve.setData(x, self._curves["train_loss"])
        self.val_loss_curve.setData(x, self._curves["val_loss"])
        self.val_acc_curve.setData(x, self._curves["val_acc"])
        if stats["epoch"] == stats["epochs"] and self.estimate.phase == TRAINING:  # an older runner: no stage event
            self.estimate.on_stage(TESTING, {})
        self._render_progress()

    def _render_progress(self) -> None:
        """The phase now, its own bar, the time left in all, and a line per phase (issue 23: loading and
        testing had no progress, and the estimate was the weights' old speed, not this run's)."""
        e = self.estimate
        if e.phase == TRAINING and self._epoch_batch[0]:
            epoch, batch, batches = self._epoch_batch
            detail = f": epoch {epoch} of {e.epochs}, batch {batch} of {batches}"
        elif e.phase == TESTING and e.test_what:
            detail = f": {e.test_what} ({e.test_step[0]} of {e.test_step[1]})"
        else:
            detail = "…"
        self.stage_label.setText(f"Step {PHASES.index(e.phase) + 1} of 3 · {PHASE_NAMES[e.phase]}{detail}")
        fraction, left = e.fraction(), e.left_s()
        total = f"about {_format_eta(left)} left in all" if left is not None else "measuring the speed…"
        if fraction is None:
            self.progress_bar.setRange(0, 0)  # busy: this phase has no steps and no earlier run timed it
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(round(1000 * fraction))
        self.progress_bar.setFormat(f"{e.phase} %p%  ·  {total}")
        rows = []
        for phase in PHASES:
            if phase == e.phase:
                left_here = e.phase_left_s(phase)
                when = f"{_format_eta(e.spent_s(phase))} so far" + (
                    f", about {_format_eta(left_here)} left" if left_here is not None else "")
                rows.append(f"<b>▶ {PHASE_NAMES[phase]}: {when}</b>")
            elif PHASES.index(phase) < PHASES.index(e.phase):
                rows.append(f"✓ {PHASE_NAMES[phase]}: {_format_eta(e.spent_s(phase))}")
            else:
                expected = e.phase_s(phase)
                rows.append(f"<span style='color:#9a9ca3'>{PHASE_NAMES[phase]}: " + (
                    f"about {_format_eta(expected)}" if expected is not None else "timed once training runs")
                    + "</span>")
        self.phases_label.setText("<br>".join(rows))
        self.progress_bar.setToolTip(f"{_format_eta(e.spent_s())} since the start")

    def _set_epoch_axis(self, epochs: int) -> None:
        for plot in (self.loss_plot, self.acc_plot):
            plot.setXRange(0, max(epochs, 1), padding=0.02)

    def _on_finished(self, result: RunResult) -> None:
        self.estimate.finish()
        self._remember_times(self.estimate.times())
        self._stop_progress("done")
        self._result = result
        self._show_report(result)
        self.pages.setCurrentWidget(self.report_page)
        for button in (self.discard_button, self.adopt_button):
            button.setEnabled(False)
        self._arm_timer.start()

    def _arm_report(self) -> None:
        for button in (self.discard_button, self.adopt_button):
            button.setEnabled(True)

    def _remember_times(self, times: RunTimes | None) -> None:
        """This run's phase times, the next run's estimate for the same mode."""
        if times is None:
            return
        saved = RunTimes.saved(self._settings.value(Key.TRAINING_TIMES, "{}"))
        saved[self.mode_combo.currentData()] = times
        self._settings.set_value(Key.TRAINING_TIMES, json.dumps({k: asdict(v) for k, v in saved.items()}))
        self._show_estimate()

    def _on_failed(self, message: str) -> None:
        self._end_run(f"<span style='{ERROR_STYLE}'>{message}</span>".replace("\n", "<br>"), "Training failed")

    def _on_cancelled(self) -> None:
        self._end_run("Training was cancelled. Nothing was changed: the weights in use are the same as before.",
                      "Cancelled")

    def _stop_progress(self, text: str) -> None:
        """The bar back to a plain, stopped state: no busy bar and no "about 0:05 left" from a dead run."""
        self._tick_timer.stop()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.progress_bar.setFormat(text)

    def _end_run(self, message: str, stage: str) -> None:
        self._stop_progress(stage.lower())
        self._discard_candidate()
        self.message_label.setText(message)
        self.stage_label.setText(stage)
        self.cancel_button.setEnabled(False)
        self.back_button.show()

    # -- report --------------------------------------------------------------------------------
    def _show_report(self, result: RunResult) -> None:
        test, personal, baseline = result.test, result.personal, result.baseline
        old_test, old_personal = baseline.get("test") or {}, baseline.get("personal") or {}
        delta = test["accuracy"] - old_test["accuracy"] if old_test else None
        change = "" if delta is None else f" ({100 * delta:+.2f} points against the weights in use)"
        self.report_title.setText(f"<b>New weights: {test['accuracy']:.2%} on the official test set{change}.</b> "
                                  "Adopt them to use them now; Training > Use bundled weights goes back any time.")
        rows = [(f"Official test set ({test['n']:,} images)", test.get("accuracy"), old_test.get("accuracy"))]
        if personal:
            rows.append((f"Your held-back samples ({personal['n']})", personal["accuracy"],
                         old_personal.get("accuracy")))
        self._show_verdict(result.judgement, rows)
        self.summary_table.setRowCount(len(rows))
        self.summary_table.setVerticalHeaderLabels([r[0] for r in rows])
        for i, (_, new, old) in enumerate(rows):
            for j, value in enumerate((new, old)):
                self.summary_table.setItem(i, j, QTableWidgetItem(_percent(value, decimals=2)))
        table = self.summary_table
        rows_px = sum(table.rowHeight(i) for i in range(len(rows)))
        table.setFixedHeight(table.horizontalHeader().sizeHint().height() + rows_px + 2 * table.frameWidth())
        for i, letter in enumerate(LETTERS):
            new = test["per_letter"][letter]
            old = (old_test.get("per_letter") or {}).get(letter, {})
            values = (_percent(new["recall"]), _percent(old.get("recall")), str(new["support"]))
            for j, text in enumerate(values):
                self.letters_table.setItem(i, j, QTableWidgetItem(text))
        self.confusion.set_matrix(test["confusion"])

    def _show_verdict(self, judgement: dict, rows: list) -> None:
        """training.judge's verdict on top, other people's hands as the app reads them in the table, and the
        default button: Adopt only when nothing got worse (issue 29)."""
        worse = judgement.get("verdict") == "worse"
        if judgement:
            style = ERROR_STYLE if worse else OK_STYLE
            self.report_title.setText(f"<b style='{style}'>{judgement['message']}</b><br>{self.report_title.text()}")
            groups = judgement["groups"]
            if (yours := groups.get("yours")) and len(rows) > 1:  # the app's reading, not the picture model's alone
                rows[1] = (f"Your held-back samples ({yours['n']}), as the app reads them", yours["after"],
                           yours["before"])
            if others := groups.get("others"):
                rows.append((f"Other people's hands ({others['n']}), as the app reads them", others["after"],
                             others["before"]))
        self.discard_button.setDefault(worse)
        self.adopt_button.setDefault(not worse)

    # -- closing -------------------------------------------------------------------------------
    def _discard_candidate(self) -> None:
        if self._candidate is not None:
            self._history.discard(self._candidate)
            self._candidate = None

    def done(self, result: int) -> None:  # Qt override: Adopt, Discard, Escape and the close box all end here
        """Closing mid-run cancels the trainer, closing on the report discards the candidate: Escape and the close
        box ask first (issue 32: a stray Escape killed runs and threw away results); Adopt and Discard have said."""
        if self.process.running and not self._confirm(
                "Stop training?", "Training is still running. Stop it? This run's work is lost; the weights in use "
                "stay as they are.", "Stop training", "Keep training"):
            return
        if self.process.running:
            self.process.cancel()
        elif self._candidate is not None and self._result is not None and not self._confirm(
                "Discard the new weights?", "The new weights have not been adopted. Discard them? Keep them to "
                "read the report and choose Adopt or Discard.", "Discard", "Keep them"):
            return
        self._discard_candidate()
        super().done(result)

    def _confirm(self, title: str, text: str, go: str, stay: str) -> bool:
        """True if the learner picks `go`; Enter, Escape and the box's close button stay."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self)
        go_button = box.addButton(go, QMessageBox.ButtonRole.DestructiveRole)
        stay_button = box.addButton(stay, QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay_button)
        box.setEscapeButton(stay_button)
        box.exec()
        return box.clickedButton() is go_button

    # -- data folder ---------------------------------------------------------------------------
    def _on_browse(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "Folder with the Sign-MNIST CSVs",
                                                self.data_edit.text() or QDir.homePath())  # not the current folder
        if name:
            self.data_edit.setText(name)

    def _check_data_dir(self) -> bool:
        """Quick check (the files exist); the trainer validates every row and reports the first bad one."""
        text = self.data_edit.text().strip()
        if not text:
            self.data_status.setText("Choose the folder where you unpacked Sign Language MNIST (Kaggle).")
            self.data_status.setStyleSheet("")
            self.start_button.setEnabled(False)
            return False
        try:
            train_csv, test_csv = find_csvs(text)
        except CsvError as e:
            self.data_status.setText(str(e))
            self.data_status.setStyleSheet(ERROR_STYLE)
            self.start_button.setEnabled(False)
            return False
        self._settings.set_value(Key.TRAINING_DATA, text)  # remembered once it looks right
        self.data_status.setText(f"Found {train_csv.name} and {test_csv.name}.")
        self.data_status.setStyleSheet(OK_STYLE)
        self.start_button.setEnabled(True)
        return True
