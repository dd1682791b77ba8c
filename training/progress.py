"""How long a training run takes, measured from the run itself: each phase's progress and the time left.

The runner reports its phases ("stage" events: loading, then training with the sizes, then each step of
testing), every batch and every epoch (training.runner). RunEstimate turns them into what the Retrain dialog
shows (issue 23: "about 0:03" for a fine-tune that took ~60 s, with no progress while loading and testing):
- loading has no steps of its own (the CSVs are parsed in one go): the last run on this computer gives its
  length when there is one; otherwise the dialog shows a busy bar and the time so far;
- training: the seconds per batch so far (the run's first batch excluded: it carries the warm-up) times the
  batches left, plus one validation per epoch left (measured by the trainer at each epoch's end);
- testing: the rows to predict (the official test set once per model, plus the held-back samples) times the
  seconds per row that validation took, plus twice the runner's own start-up (Python and torch loading, timed
  from the dialog's start to the runner's first event), which stands for the fixed work at the end: loading the
  weights in use, saving the report with matplotlib and the process exiting. A 3-epoch fine-tune on the 2-core
  machine: predictions 1.8 s + 2 x 1.8 s start-up = 5.4 s expected, 5.1 s taken.
Before a phase has measured anything, the last finished run's RunTimes stand in (the app keeps one per mode).
No torch and no Qt: the dialog feeds it, and tests drive it with a fake clock.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

LOADING, TRAINING, TESTING = "loading", "training", "testing"
PHASES = (LOADING, TRAINING, TESTING)
# A validation row costs about half a training row (no backward pass, no augmentation; 3-epoch fine-tune on
# the 2-core machine: 0.69 ms per training row, 0.33 ms per validation row). Used until validation has run once.
VALIDATION_ROW_SHARE = 0.5
FIXED_WORK_STARTUPS = 2.0  # testing's fixed work, in runner start-ups (see above)


@dataclass(frozen=True)
class RunTimes:
    """Seconds a finished run spent loading, per epoch and testing: the next run's estimate before it measures."""

    loading_s: float
    epoch_s: float
    testing_s: float

    def total_s(self, epochs: int) -> float:
        return self.loading_s + self.epoch_s * epochs + self.testing_s

    @staticmethod
    def saved(text: object) -> dict[str, RunTimes]:
        """The {mode: RunTimes} the app saved as JSON, every other mode's entry kept; an entry (or a whole text)
        that is not three finite seconds per phase, as an older version, another tool or a hand edit may leave, is
        dropped, not raised (issue 31: strings, or 100,000 nested arrays)."""
        try:
            doc = json.loads(str(text)) if len(str(text)) < 100_000 else {}
        except (ValueError, RecursionError):
            return {}
        if not isinstance(doc, dict):
            return {}
        times = {}
        for name, entry in doc.items():
            fields = (entry.get(k) for k in ("loading_s", "epoch_s", "testing_s")) if isinstance(entry, dict) else ()
            values = [v for v in fields if isinstance(v, int | float) and not isinstance(v, bool)
                      and math.isfinite(v) and 0 <= v < 1e7]
            if len(values) == 3:
                times[str(name)] = RunTimes(*map(float, values))
        return times


class RunEstimate:
    """Fed the runner's events as they arrive; `left_s()` and `fraction()` say where the run stands."""

    def __init__(self, epochs: int, prior: RunTimes | None = None, clock: Callable[[], float] = time.monotonic):
        self.epochs = epochs
        self.prior = prior
        self.phase = LOADING
        self.test_step = (0, 0)  # (step, steps) of testing
        self.test_what = ""
        self._clock = clock
        self._started = {LOADING: clock()}
        self._ended: dict[str, float] = {}
        self._batches = self._rows = self._val_rows = self._test_rows = 0
        self._done = 0  # batches finished, all epochs
        self._last_s: float | None = None  # when the last batch or epoch event came
        self._train_s = 0.0  # seconds of timed batches (not the first, not validation)
        self._timed = 0
        self._val_s: list[float] = []  # seconds per validation
        self._startup_s = 0.0  # from the start to the runner's first stage event: interpreter and torch

    # -- events ----------------------------------------------------------------------------------
    def on_stage(self, stage: str, sizes: dict) -> None:
        now = self._clock()
        if stage == LOADING:
            self._startup_s = now - self._started[LOADING]
        if stage != self.phase:
            self._ended[self.phase] = now
            self._started[stage] = now
            self.phase = stage
        if stage == TRAINING:
            self.epochs = sizes.get("epochs", self.epochs)
            self._batches, self._rows = sizes.get("batches", 0), sizes.get("rows", 0)
            self._val_rows, self._test_rows = sizes.get("val_rows", 0), sizes.get("test_rows", 0)
        elif stage == TESTING:
            self.test_step, self.test_what = (sizes.get("step", 1), sizes.get("steps", 1)), sizes.get("what", "")

    def on_batch(self, epoch: int, batch: int, batches: int) -> None:
        now = self._clock()
        if self.phase == LOADING:  # a runner without stage events: training began with this batch
            self.on_stage(TRAINING, {"batches": batches})
        self._batches = batches
        if self._last_s is not None:  # the run's first batch carries the warm-up: not timed
            self._train_s += now - self._last_s
            self._timed += 1
        self._done = (epoch - 1) * batches + batch
        self._last_s = now

    def on_epoch(self, stats: dict) -> None:
        now = self._clock()
        measured = stats.get("val_seconds") or (now - self._last_s if self._last_s is not None else 0.0)
        self._val_s.append(measured)
        self._last_s = now

    def finish(self) -> None:
        self._ended[self.phase] = self._clock()

    # -- reading ---------------------------------------------------------------------------------
    def spent_s(self, phase: str | None = None) -> float:
        """Seconds in `phase` so far (the whole run for None)."""
        if phase is None:
            return self._clock() - self._started[LOADING]
        start = self._started.get(phase)
        return 0.0 if start is None else self._ended.get(phase, self._clock()) - start

    def phase_s(self, phase: str) -> float | None:
        """The whole phase's expected length: measured when it is done, estimated when not, None if unknown."""
        if phase in self._ended:
            return self.spent_s(phase)
        if phase == LOADING:
            return self.prior.loading_s if self.prior else None
        per_batch = self._train_s / self._timed if self._timed >= 2 else None
        if per_batch is None and self._done:  # one batch so far: it carries the warm-up, so it is an upper bound
            per_batch = self.spent_s(TRAINING) / self._done
        val_per_row = None
        if self._val_s and self._val_rows:
            val_per_row = sum(self._val_s) / len(self._val_s) / self._val_rows
        elif per_batch is not None and self._rows:
            val_per_row = per_batch * self._batches / self._rows * VALIDATION_ROW_SHARE
        if phase == TRAINING:
            if per_batch is None or val_per_row is None:
                return self.prior.epoch_s * self.epochs if self.prior else None
            return self.spent_s(TRAINING) + self._batches_left() * per_batch + self._validations_left() * (
                self._val_s[-1] if self._val_s else val_per_row * self._val_rows)
        if val_per_row is None or not self._test_rows:
            return self.prior.testing_s if self.prior else None
        return self._test_rows * val_per_row + FIXED_WORK_STARTUPS * self._startup_s

    def phase_left_s(self, phase: str) -> float | None:
        if phase in self._ended:
            return 0.0
        expected = self.phase_s(phase)
        if expected is None:
            return None
        return max(expected - self.spent_s(phase), 0.0) if phase == self.phase else expected

    def left_s(self) -> float | None:
        """Seconds until the report, over this phase and the ones after it; None until it can be measured."""
        rest = [self.phase_left_s(p) for p in PHASES[PHASES.index(self.phase):]]
        return None if None in rest else sum(rest)

    def fraction(self) -> float | None:
        """How much of the current phase is done, in [0, 1); None when it cannot be told (a busy bar)."""
        if self.phase == TRAINING and self._batches:
            return min(self._done / (self.epochs * self._batches), 0.999)
        expected = self.phase_s(self.phase)
        return min(self.spent_s(self.phase) / expected, 0.99) if expected else None

    def times(self) -> RunTimes | None:
        """What this run measured, once it has finished all three phases; None before."""
        if not all(p in self._ended for p in PHASES):
            return None
        return RunTimes(self.spent_s(LOADING), self.spent_s(TRAINING) / max(self.epochs, 1), self.spent_s(TESTING))

    def _batches_left(self) -> int:
        return max(self.epochs * self._batches - self._done, 0)

    def _validations_left(self) -> int:
        return max(self.epochs - len(self._val_s), 0)
