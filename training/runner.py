"""Run `train()` in its own process for the app, speaking JSON lines on stdout. No Qt here.

The app's Retrain dialog starts it with QProcess, isolated (`python -I`, the package folder by absolute path:
signcam.ui.training_process.runner_command), so a crash, an out-of-memory kill or a CUDA error in training
cannot take the window down with it, and nothing in the current folder runs. One JSON object per line on stdout:

    {"event": "started", "config": {...}}
    {"event": "stage", "stage": "loading"}                (then "training", with the sizes training.progress needs)
    {"event": "stage", "stage": "testing", "step": 1, "steps": 3, "what": "the new weights"}   (each test step)
    {"event": "batch", "epoch": 1, "epochs": 5, "batch": 3, "batches": 40, "loss": 2.9}   (running mean)
    {"event": "epoch", "epoch": 1, "epochs": 5, "train_loss": .., "val_loss": .., "val_acc": .., ...}
    {"event": "finished", "weights": PATH, "test": {...}, ...}    (training.results.RunResult)
    {"event": "error", "message": "...", "kind": "CsvError"}       (exit status 2)
    {"event": "cancelled"}                                          (exit status 3)

Logging goes to stderr. A line "stop" on stdin, or stdin closing (the app went away), asks the
trainer to stop at the next batch; it then writes nothing. For tests, SIGNCAM_RUNNER_CRASH_AFTER=N
kills the process (SIGKILL, like the OOM killer) after N batches.

Usage:
    python -m training.runner '{"train_csv": "a.csv", "test_csv": "b.csv", "epochs": 1, "out": "w.safetensors"}'
"""

import json
import logging
import os
import signal
import sys
import threading
import traceback
from dataclasses import asdict, fields
from typing import IO

import torch

from signcam.store.weights import DeviceError, WeightsError
from training.config import CsvError, TrainConfig, find_csvs
from training.results import RunResult
from training.train import EpochStats, TrainingCancelled, train

CRASH_ENV = "SIGNCAM_RUNNER_CRASH_AFTER"
EXIT_ERROR, EXIT_CANCELLED = 2, 3


def config_from_json(text: str) -> TrainConfig:
    """A TrainConfig from a JSON object; `data_dir` stands for the two CSVs in a Kaggle folder."""
    values = json.loads(text)
    if not isinstance(values, dict):
        raise ValueError("the runner's argument must be a JSON object")
    data_dir = values.pop("data_dir", None)
    if data_dir:
        train_csv, test_csv = find_csvs(data_dir)
        values.update(train_csv=str(train_csv), test_csv=str(test_csv))
    known = {f.name for f in fields(TrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(f"unknown training settings: {', '.join(unknown)}")
    return TrainConfig(**values)


class EventWriter:
    """One JSON object per line, flushed at once so the app sees progress as it happens."""

    def __init__(self, stream: IO[str]):
        self._stream = stream
        self._lock = threading.Lock()

    def __call__(self, event: str, **payload: object) -> None:
        with self._lock:
            self._stream.write(json.dumps({"event": event, **payload}) + "\n")
            self._stream.flush()


def watch_stdin(stop: threading.Event, stream: IO[str]) -> None:
    """Sets `stop` on a "stop" line or end of input (the parent closed the pipe or died)."""
    for line in stream:
        if line.strip() == "stop":
            break
    stop.set()


def run(config: TrainConfig, emit: EventWriter, stop: threading.Event, crash_after: int | None = None) -> int:
    """Train with progress events; returns the exit status."""
    epoch = [1]
    batches_done = [0]

    def on_batch(batch: int, batches: int, loss: float) -> None:
        batches_done[0] += 1
        if crash_after is not None and batches_done[0] >= crash_after:
            os.kill(os.getpid(), signal.SIGKILL)
        emit("batch", epoch=epoch[0], epochs=1 if config.dry_run else config.epochs, batch=batch, batches=batches,
             loss=loss)

    def on_epoch(stats: EpochStats) -> None:
        epoch[0] = stats.epoch + 1
        emit("epoch", **asdict(stats))

    emit("started", config=asdict(config))
    try:
        result = train(config, on_epoch=on_epoch, should_stop=stop.is_set, on_batch=on_batch,
                       on_stage=lambda name, sizes: emit("stage", stage=name, **sizes))
    except TrainingCancelled:
        emit("cancelled")
        return EXIT_CANCELLED
    except (CsvError, WeightsError, DeviceError, ValueError, OSError) as e:
        emit("error", message=str(e), kind=type(e).__name__)
        return EXIT_ERROR
    except Exception as e:  # anything else still reaches the dialog as one line, with the trace in stderr
        traceback.print_exc()
        emit("error", message=f"{type(e).__name__}: {e}", kind=type(e).__name__)
        return EXIT_ERROR
    emit("finished", **RunResult(
        weights=str(result.weights_path) if result.weights_path else None, test=result.test,
        best_epoch=result.best_epoch, val_acc=result.val_acc, temperature=result.temperature,
        history=[asdict(h) for h in result.history], personal=result.personal, baseline=result.baseline,
        judgement=result.judgement,
    ).to_event())
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    # Leave a core for the app's camera and GUI threads (2 cores -> 1 training thread).
    torch.set_num_threads(max(1, (os.cpu_count() or 2) // 2))
    emit = EventWriter(sys.stdout)
    if len(argv) != 1:
        emit("error", message="usage: python -m training.runner CONFIG_JSON", kind="UsageError")
        return EXIT_ERROR
    try:
        config = config_from_json(argv[0])
    except (CsvError, ValueError, TypeError) as e:
        emit("error", message=str(e), kind=type(e).__name__)
        return EXIT_ERROR
    stop = threading.Event()
    threading.Thread(target=watch_stdin, args=(stop, sys.stdin), daemon=True).start()
    crash_after = int(os.environ[CRASH_ENV]) if os.environ.get(CRASH_ENV) else None
    return run(config, emit, stop, crash_after)


if __name__ == "__main__":
    sys.exit(main())
