"""Capture and recognition off the GUI thread: newest frame -> Recognizer.step -> `recognized`.

The recognizer itself is built here too (`make_recognizer()`, first thing in `run`): importing torch
and MediaPipe and loading the weights take seconds, and the window is already on screen meanwhile.

Moved to a QThread (not a QThread subclass): `thread.started -> run`, `finished -> thread.quit`.
At most one result is in flight: until the GUI calls `mark_consumed()`, new results are counted
as dropped instead of emitted, so a slow GUI makes the worker skip frames, never queue them.
"""

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from signcam.sources import LatestFrameReader, Source, SourceError, SourceLost

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5  # back-off after a lost camera: 0.5, 1, 2, 4, 8, 8 ... seconds
MAX_RETRY_S = 8.0
POLL_S = 0.5  # how long one wait for a frame may block before the stop flag is checked again


class RecognitionWorker(QObject):
    model_loaded = Signal(object)  # the Recognizer, once built (the GUI reads its info and device)
    model_failed = Signal(str)  # the weights or device could not be used; the worker stops
    recognized = Signal(object)  # a frozen Recognition
    source_opened = Signal(str)  # the source's name, on first open and on every reconnect
    source_lost = Signal(str)  # a message; the worker retries with back-off
    source_ended = Signal()  # a video file reached its end (and does not loop)
    failed = Signal(str)  # could not open the source at all; the worker stops
    finished = Signal()

    def __init__(self, open_source: Callable[[], Source], make_recognizer: Callable[[], object]):
        """Both are called in the worker thread (opening a camera can block for seconds, loading a model too)."""
        super().__init__()
        self._open_source = open_source
        self._make_recognizer = make_recognizer
        self._recognizer = None
        self._next_recognizer = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._consumed = threading.Event()
        self._consumed.set()
        self.dropped = 0  # results not emitted because the GUI had not taken the last one yet
        self.frames_skipped = 0  # frames the source delivered while the recognizer was busy

    def stop(self) -> None:
        self._stop.set()

    def mark_consumed(self) -> None:
        """Called by the GUI slot once it has taken the last result; lets the next one through."""
        self._consumed.set()

    def replace_recognizer(self, recognizer) -> None:
        """Use `recognizer` from the next frame on (new weights or device); the old one is closed."""
        with self._lock:
            self._next_recognizer = recognizer

    @property
    def recognizer(self):
        """The recognizer in use (or about to be); None while it is still being built."""
        with self._lock:
            return self._next_recognizer or self._recognizer

    @Slot()
    def run(self) -> None:
        try:
            if self._load():
                import torch

                torch.set_num_threads(1)  # the GUI thread and the capture thread need the other cores
                with torch.inference_mode():
                    self._run()
        except Exception as e:  # a bug must reach the status bar, not kill the thread silently
            log.exception("recognition worker failed")
            self.failed.emit(f"Recognition stopped: {e}")
        finally:
            self._swap_recognizer()
            if self._recognizer is not None:
                self._recognizer.close()
            self.finished.emit()

    def _load(self) -> bool:
        from signcam.weights import DeviceError, WeightsError

        try:
            recognizer = self._make_recognizer()
        except (WeightsError, DeviceError) as e:
            self.model_failed.emit(str(e))
            return False
        with self._lock:
            self._recognizer = recognizer
        self.model_loaded.emit(recognizer)
        return not self._stop.is_set()

    def _run(self) -> None:
        retry_s, ever_opened = FIRST_RETRY_S, False
        while not self._stop.is_set():
            try:
                source = self._open_source()
            except SourceError as e:
                if not ever_opened:
                    self.failed.emit(str(e))
                    return
                self.source_lost.emit(f"{e} — retrying in {retry_s:g} s")
                self._stop.wait(retry_s)
                retry_s = min(2 * retry_s, MAX_RETRY_S)
                continue
            ever_opened, retry_s = True, FIRST_RETRY_S
            self.source_opened.emit(source.name)
            reader = LatestFrameReader(source).start()
            try:
                if self._recognize_until_end(reader):
                    self.source_ended.emit()
                    return
            except SourceLost as e:
                self.source_lost.emit(f"{e} — reconnecting…")
            except SourceError as e:
                self.failed.emit(str(e))
                return
            finally:
                reader.close()

    def _recognize_until_end(self, reader: LatestFrameReader) -> bool:
        """True when the source ended by itself, False when stopped."""
        skipped_before = self.frames_skipped
        while not self._stop.is_set():
            frame = reader.latest(timeout_s=POLL_S)
            self.frames_skipped = skipped_before + reader.dropped
            if frame is None:
                if reader.finished:
                    return True
                continue
            self._swap_recognizer()
            result = self._recognizer.step(frame)
            if self._consumed.is_set():
                self._consumed.clear()
                self.recognized.emit(result)
            else:
                self.dropped += 1
        return False

    def _swap_recognizer(self) -> None:
        with self._lock:
            new, self._next_recognizer = self._next_recognizer, None
        if new is not None:
            if self._recognizer is not None:
                self._recognizer.close()
            self._recognizer = new
