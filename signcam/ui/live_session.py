"""Owns the running RecognitionWorker and its QThread, so the window only starts and stops them.

It forwards the current worker's signals in the GUI thread and drops those of a worker already
replaced (its results may still be queued when the user switches source).
"""

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import Source
from signcam.ui.recognition_worker import RecognitionWorker

log = logging.getLogger(__name__)

STOP_WAIT_MS = 3000  # the worker checks its stop flag at least every POLL_S; this bounds stop()


class LiveSession(QObject):
    model_loaded = Signal(object)
    model_failed = Signal(str)
    config_failed = Signal(str, object)
    previewed = Signal(object)
    recognized = Signal(object)
    source_opened = Signal(str)
    source_lost = Signal(str)
    source_ended = Signal()
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._worker: RecognitionWorker | None = None
        self._thread: QThread | None = None
        self._stuck: list[tuple[RecognitionWorker, QThread]] = []

    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def recognizer(self):
        """The worker's Recognizer; None when stopped or while the model still loads."""
        return self._worker.recognizer if self._worker is not None else None

    @property
    def dropped(self) -> int:
        """Results the worker skipped because the GUI had not taken the previous one yet."""
        return self._worker.dropped if self._worker is not None else 0

    @property
    def frames_skipped(self) -> int:
        """Frames the source delivered while recognition was busy with an earlier one."""
        return self._worker.frames_skipped if self._worker is not None else 0

    def start(self, open_source: Callable[[], Source], config: RecognitionConfig, *, preview: bool = True,
              **parts: Callable) -> None:
        """Run a worker that reads `open_source()` and recognises with a recognizer built from `config`
        (`preview`: frames shown before the model is ready, for a camera; `parts`: RecognitionWorker's
        build/rebuild, for tests)."""
        self.stop()
        worker = RecognitionWorker(open_source, config, preview=preview, **parts)
        thread = QThread()  # kept in Python and never deleteLater'd, so no wrapper outlives its object
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        # Direct: QThread.quit is thread-safe, and the GUI thread may be blocked in stop()'s wait().
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.recognized.connect(self._on_recognized)
        worker.model_loaded.connect(self._on_model_loaded)
        worker.model_failed.connect(self._on_model_failed)
        worker.config_failed.connect(self._on_config_failed)
        worker.previewed.connect(self._on_previewed)
        worker.source_opened.connect(self._on_source_opened)
        worker.source_lost.connect(self._on_source_lost)
        worker.source_ended.connect(self._on_source_ended)
        worker.failed.connect(self._on_failed)
        self._worker, self._thread = worker, thread
        thread.start()

    def stop(self) -> None:
        """Stop the worker and wait a bounded time; never blocks the GUI for longer."""
        worker, thread = self._worker, self._thread
        self._worker = self._thread = None
        if worker is None:
            return
        worker.stop()
        if not thread.wait(STOP_WAIT_MS):
            log.warning("recognition thread did not stop within %d ms", STOP_WAIT_MS)
            self._stuck.append((worker, thread))  # destroying a running QThread would abort the app

    def set_config(self, config: RecognitionConfig) -> None:
        """The worker rebuilds what changed, in its own threads; `model_loaded` or `config_failed` follows."""
        if self._worker is not None:
            self._worker.set_config(config)

    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_recognized(self, recognition) -> None:
        if self._is_current():
            worker = self._worker
            self.recognized.emit(recognition)
            worker.mark_consumed()

    @Slot(object)
    def _on_previewed(self, frame) -> None:
        if self._is_current():
            worker = self._worker
            self.previewed.emit(frame)
            worker.mark_consumed()

    @Slot(str, object)
    def _on_config_failed(self, message: str, config_in_use) -> None:
        if self._is_current():
            self.config_failed.emit(message, config_in_use)

    @Slot(object)
    def _on_model_loaded(self, recognizer) -> None:
        if self._is_current():
            self.model_loaded.emit(recognizer)

    @Slot(str)
    def _on_model_failed(self, message: str) -> None:
        if self._is_current():
            self.model_failed.emit(message)

    @Slot(str)
    def _on_source_opened(self, name: str) -> None:
        if self._is_current():
            self.source_opened.emit(name)

    @Slot(str)
    def _on_source_lost(self, message: str) -> None:
        if self._is_current():
            self.source_lost.emit(message)

    @Slot()
    def _on_source_ended(self) -> None:
        if self._is_current():
            self.source_ended.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._is_current():
            self.failed.emit(message)
