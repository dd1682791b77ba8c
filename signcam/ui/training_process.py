"""The trainer in a child process (training.runner), seen from the GUI as Qt signals.

A separate process rather than a thread: training holds the GIL for long stretches, can run out of
memory or crash in native code, and a stuck thread cannot be killed. QProcess delivers the runner's
JSON lines in the GUI thread, so no locking is needed here.
"""

import importlib.util
import json
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, Signal

from training.results import RunResult

log = logging.getLogger(__name__)

KILL_AFTER_MS = 2000  # the runner checks for a stop at every batch (well under a second); then it is killed
STDERR_TAIL_CHARS = 2000


# Run with -I (isolated: neither the current folder nor PYTHONPATH nor user site-packages on sys.path), then put
# the folder holding this app's own `training` package, by absolute path, in front. `python -m training.runner`
# put the current folder first, so a `training/runner.py` or a `json.py` planted there ran (issue 24).
_BOOTSTRAP = ("import sys; root = sys.argv.pop(1); root in sys.path or sys.path.insert(0, root); "
              "from training.runner import main; sys.exit(main())")


def runner_command(config: dict) -> tuple[str, list[str]]:
    """(program, arguments) that start training.runner with `config`, isolated from the current folder."""
    root = Path(importlib.util.find_spec("training").origin).resolve().parent.parent  # training/__init__.py is empty
    return sys.executable, ["-I", "-c", _BOOTSTRAP, str(root), json.dumps(config)]


class TrainingProcess(QObject):
    """One run of training.runner with a config (see `runner_command`); start() again for another."""

    stage_started = Signal(str, dict)  # "loading" | "training" | "testing", with the sizes (training.progress)
    batch_progressed = Signal(int, int, int, int, float)  # epoch, epochs, batch, batches, running mean loss
    epoch_finished = Signal(dict)  # EpochStats as a dict
    finished = Signal(object)  # training.results.RunResult: weights path, test, personal, baseline, history
    failed = Signal(str)  # a message for the user: a data error, or a crash; nothing was written
    cancelled = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._process: QProcess | None = None
        self._buffer = b""
        self._stderr = b""
        self._final: dict | None = None
        self._cancelling = False
        self._kill_timer = QTimer(self, singleShot=True, interval=KILL_AFTER_MS, timeout=self._kill)

    @property
    def running(self) -> bool:
        return self._process is not None

    def start(self, config: dict) -> None:
        """`config` holds TrainConfig fields (and optionally `data_dir`); see training.runner."""
        if self._process is not None:
            raise RuntimeError("a training run is already in progress")
        self._buffer, self._stderr, self._final, self._cancelling = b"", b"", None, False
        process = QProcess(self)
        process.readyReadStandardOutput.connect(self._on_stdout)
        process.readyReadStandardError.connect(self._on_stderr)
        process.finished.connect(self._on_finished)
        process.errorOccurred.connect(self._on_error)
        self._process = process
        process.start(*runner_command(config))

    def cancel(self) -> None:
        """Ask the runner to stop at its next batch; kill it if it has not within KILL_AFTER_MS."""
        if self._process is None or self._cancelling:
            return
        self._cancelling = True
        self._process.write(b"stop\n")
        self._kill_timer.start()

    def _kill(self) -> None:
        if self._process is not None:
            log.warning("trainer did not stop within %d ms; killing it", KILL_AFTER_MS)
            self._process.kill()

    def _on_stdout(self) -> None:
        self._buffer += bytes(self._process.readAllStandardOutput())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if line.strip():
                self._on_event(json.loads(line))

    def _on_stderr(self) -> None:
        chunk = bytes(self._process.readAllStandardError())
        self._stderr = (self._stderr + chunk)[-STDERR_TAIL_CHARS:]
        for line in chunk.decode(errors="replace").splitlines():
            log.info("trainer: %s", line)

    def _on_event(self, event: dict) -> None:
        kind = event.pop("event")
        if kind == "stage":
            self.stage_started.emit(event.pop("stage"), event)
        elif kind == "batch":
            self.batch_progressed.emit(event["epoch"], event["epochs"], event["batch"], event["batches"],
                                       float(event.get("loss", "nan")))
        elif kind == "epoch":
            self.epoch_finished.emit(event)
        elif kind in ("finished", "error", "cancelled"):
            self._final = {"event": kind, **event}

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._done()
            self.failed.emit(f"Could not start the trainer ({sys.executable} -I, training.runner).")

    def _on_finished(self, exit_code: int, status: QProcess.ExitStatus) -> None:
        self._on_stdout()  # the last lines may arrive with the exit
        final, cancelling = self._final, self._cancelling
        self._done()
        if final is not None and final["event"] == "finished":
            self.finished.emit(RunResult.from_event(final))
        elif final is not None and final["event"] == "error":
            self.failed.emit(final["message"])
        elif cancelling or (final is not None and final["event"] == "cancelled"):
            self.cancelled.emit()
        else:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exited with status {exit_code}"
            tail = self._stderr.decode(errors="replace").strip().splitlines()[-3:]
            detail = ("\n" + "\n".join(tail)) if tail else ""
            self.failed.emit(f"The trainer {how} before finishing. Nothing was changed: the weights in use "
                             f"are the same as before.{detail}")

    def _done(self) -> None:
        self._kill_timer.stop()
        if self._process is not None:
            self._process.deleteLater()
        self._process = None
