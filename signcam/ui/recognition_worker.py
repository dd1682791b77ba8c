"""Capture and recognition off the GUI thread: newest frame -> Recognizer.step -> `recognized`.

The worker opens the source first and shows a camera's frames at once (`previewed`) while a loader thread
builds the recognizer from the RecognitionConfig (importing torch and MediaPipe and loading the weights take
seconds): the camera picture, or "No camera", never waits for the model. A recording (video file, folder)
is opened first too, so a bad file is told at once, and its first frame is shown (issue 32: 20-35 s of
"Opening video…" under load); it is read from the start, reopened, once the model is there: none of its
frames goes unread, and its real-time pacing starts when reading does. Every later config change takes
the same road: `set_config(new)` -> the worker rebuilds what changed (signcam.pipeline.builder) -> the next frame
uses it; a rebuild that fails keeps the recognizer in use and says so (`config_failed`).

Moved to a QThread (not a QThread subclass): `thread.started -> run`, `finished -> thread.quit`.
A camera's newest frame wins (LatestFrameReader): a slow recognizer skips frames to stay live. A recording is
read frame by frame, none skipped: a slow recognizer slows the video down instead (issue 32: a video under
load lost frames, so a letter held briefly was never confirmed).
At most one result is in flight: until the GUI calls `mark_consumed()`, new results are counted
as dropped instead of emitted, so a slow GUI never queues them; a result that confirms a letter is sent all the
same (drills and free spelling take the letter from it), and so is a recording's last one (the picture ends
on the last frame).
The loader is a daemon thread and nothing waits for it: stopping (or quitting) while a model loads
returns within POLL_S, and a recognizer that finishes loading after the stop is closed unused.
"""

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance, Slot

from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import Frame, LatestFrameReader, Source, SourceError, SourceLost

log = logging.getLogger(__name__)

FIRST_RETRY_S = 0.5  # back-off after a lost camera: 0.5, 1, 2, 4, 8, 8 ... seconds
MAX_RETRY_S = 8.0
POLL_S = 0.5  # how long one wait for a frame may block before the stop flag is checked again


def _build(config: RecognitionConfig):
    from signcam.pipeline.builder import build_recognizer  # torch and MediaPipe: imported in the loader thread

    return build_recognizer(config, video=True)


def _reconfigure(recognizer, old: RecognitionConfig, new: RecognitionConfig):
    from signcam.pipeline.builder import reconfigure

    return reconfigure(recognizer, old, new, video=True)


def _needs_rebuild(old: RecognitionConfig, new: RecognitionConfig) -> bool:
    from signcam.pipeline.builder import needs_rebuild

    return needs_rebuild(old, new)


class RecognitionWorker(QObject):
    model_loaded = Signal(object)  # the Recognizer, once built or rebuilt (the GUI reads its info and device)
    model_failed = Signal(str)  # the first recognizer could not be built; frames keep coming, unrecognised
    config_failed = Signal(str, object)  # (why, the RecognitionConfig still in use): a rebuild failed
    previewed = Signal(object)  # a Frame shown while the model loads
    recognized = Signal(object)  # a frozen Recognition
    source_opened = Signal(str)  # the source's name, on first open and on every reconnect
    source_lost = Signal(str)  # a message; the worker retries with back-off
    source_ended = Signal()  # a video file reached its end (and does not loop)
    failed = Signal(str)  # could not open the source at all; the worker stops
    finished = Signal()

    def __init__(self, open_source: Callable[[], Source], config: RecognitionConfig, *, preview: bool = True,
                 build: Callable[[RecognitionConfig], object] = _build,
                 rebuild: Callable[[object, RecognitionConfig, RecognitionConfig], object] = _reconfigure,
                 needs_rebuild: Callable[[RecognitionConfig, RecognitionConfig], bool] = _needs_rebuild):
        """`open_source` is called in the worker thread (opening a camera can block for seconds), `build` in a
        loader thread; tests pass fakes for both. `preview`: show frames before the model is ready (a camera);
        False waits for the model before reading (a recording)."""
        super().__init__()
        self._open_source = open_source
        self._preview = preview
        self._build, self._rebuild, self._needs_rebuild = build, rebuild, needs_rebuild
        self._lock = threading.Lock()
        self._wanted = config  # the GUI's latest config
        self._built: RecognitionConfig | None = None  # the config of self._recognizer
        self._refused: RecognitionConfig | None = None  # a config whose build failed: not tried again
        self._recognizer = None
        self._ready: tuple | None = None  # (recognizer, config) built by the loader, not yet in use
        self._loading = False
        self._stop = threading.Event()
        self._consumed = threading.Event()
        self._consumed.set()
        self.dropped = 0  # results not emitted because the GUI had not taken the last one yet
        self.frames_skipped = 0  # frames the source delivered while the recognizer was busy (a camera)
        self._unsent: tuple[SignalInstance, object] | None = None  # the last result dropped, sent if the source ends

    def stop(self) -> None:
        self._stop.set()

    def mark_consumed(self) -> None:
        """Called by the GUI slot once it has taken the last result; lets the next one through."""
        self._consumed.set()

    def set_config(self, config: RecognitionConfig) -> None:
        """Use `config` from the next frame on: the worker rebuilds only what changed (thread-safe)."""
        with self._lock:
            self._wanted = config

    @property
    def recognizer(self):
        """The recognizer in use; None while the first one is still being built."""
        with self._lock:
            return self._recognizer

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as e:  # a bug must reach the status bar, not kill the thread silently
            log.exception("recognition worker failed")
            self.failed.emit(f"Recognition stopped: {e}")
        finally:
            self._stop.set()  # a loader still running closes what it builds (the source may have ended first)
            with self._lock:
                recognizer, self._recognizer = self._recognizer, None
                ready, self._ready = self._ready, None
            for r in (recognizer, ready[0] if ready else None):
                if r is not None:
                    r.close()
            self.finished.emit()

    # -- building the recognizer (loader thread) ---------------------------------------------------
    def _load(self, config: RecognitionConfig, first: bool) -> None:
        from signcam.store.weights import DeviceError, WeightsError

        try:
            recognizer = self._build(config)
        except (WeightsError, DeviceError, ValueError) as e:
            with self._lock:
                self._loading, self._refused = False, config
                in_use = self._built
            self.model_failed.emit(str(e)) if first else self.config_failed.emit(str(e), in_use)
            return
        except Exception as e:  # noqa: BLE001 - a bug in a loader thread must still reach the status bar
            log.exception("building the recognizer failed")
            with self._lock:
                self._loading, self._refused = False, config
            self.model_failed.emit(f"Recognition stopped: {e}")
            return
        with self._lock:
            self._loading = False
            stale = self._stop.is_set()
            if not stale:
                self._ready = (recognizer, config)
        if stale:  # stopped while loading: nobody will use it
            recognizer.close()

    def _sync(self) -> None:
        """In the worker thread, between frames: take what the loader built, and act on a config change."""
        with self._lock:
            ready, self._ready = self._ready, None
            if ready is not None:
                old, (self._recognizer, self._built) = self._recognizer, ready
            wanted, loading, built = self._wanted, self._loading, self._built
        if ready is not None:
            if old is not None:
                old.close()
            self.model_loaded.emit(ready[0])
        if loading or wanted == built or wanted == self._refused:
            return
        if built is None or self._needs_rebuild(built, wanted):
            with self._lock:
                self._loading = True
            threading.Thread(target=self._load, args=(wanted, built is None), daemon=True,
                             name="signcam-model-loader").start()
            return
        recognizer = self._rebuild(self._recognizer, built, wanted)  # hand mode or threshold: in place, quick
        with self._lock:
            self._recognizer, self._built = recognizer, wanted

    # -- the source loop (worker thread) -----------------------------------------------------------
    def _run(self) -> None:
        retry_s, ever_opened = FIRST_RETRY_S, False
        self._sync()  # starts loading the model while the source opens
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
            if not self._preview:
                source = self._show_first_frame(source)
            reader = LatestFrameReader(source, keep_all=not self._preview).start()  # a recording: every frame
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

    def _show_first_frame(self, source: Source) -> Source:
        """A recording: its first frame as a preview while the model loads, then the source opened again, so
        reading starts at that frame with the model there and the pacing clock not yet running. With the model
        already there (a video played again), the source is read as it was opened."""
        if self._recognizer is not None:
            return source
        frame = source.read()
        if frame is not None:
            self._consumed.clear()
            self.previewed.emit(frame)
        self._wait_for_model()
        source.close()
        return self._open_source()

    def _wait_for_model(self) -> None:
        """Until the first recognizer is built, its build failed, or the worker is stopped."""
        while not self._stop.is_set() and self._recognizer is None and (self._loading or self._ready is not None):
            self._sync()
            self._stop.wait(POLL_S / 10)
        self._sync()

    def _recognize_until_end(self, reader: LatestFrameReader) -> bool:
        """True when the source ended by itself, False when stopped."""
        skipped_before = self.frames_skipped
        while not self._stop.is_set():
            frame = reader.latest(timeout_s=POLL_S)
            self.frames_skipped = skipped_before + reader.dropped
            self._sync()
            if frame is None:
                if reader.finished:
                    self._send_unsent()
                    return True
                continue
            self._emit(frame)
        return False

    def _emit(self, frame: Frame) -> None:
        """Recognise every frame the reader gives (the smoother must see them all); emit only when the GUI took
        the last result, or when this one confirms a letter (dropping it would lose the letter)."""
        recognizer = self._recognizer
        result = recognizer.step(frame) if recognizer is not None else None
        signal, payload = (self.previewed, frame) if recognizer is None else (self.recognized, result)
        confirms = result is not None and result.smoothed is not None and result.smoothed.confirmed is not None
        if not self._consumed.is_set() and not confirms:
            self.dropped += 1
            self._unsent = (signal, payload)
            return
        self._consumed.clear()
        self._unsent = None
        signal.emit(payload)

    def _send_unsent(self) -> None:
        """At the end of a source: the last result, if it was dropped, so the view ends on the last frame."""
        if self._unsent is not None:
            signal, payload = self._unsent
            self._unsent = None
            signal.emit(payload)
