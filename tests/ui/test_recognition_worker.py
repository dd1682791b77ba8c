"""The worker on its QThread with fake sources and fake recognizer parts: skipping instead of queueing, losing
and regaining a camera, frames before the model, rebuilding on a config change, and stopping promptly."""

import threading

import pytest
from PySide6.QtCore import QObject, Qt, QThread, Slot

from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import SourceError
from signcam.store.weights import WeightsError
from signcam.ui.recognition_worker import RecognitionWorker
from tests.recognition_fakes import FakeModel, fake_recognizer, one_hot
from tests.ui.conftest import FakeCamera


def build_fake(config: RecognitionConfig):
    """What build_recognizer makes of `config`, from fakes: the CNN reads "A", the threshold is the config's."""
    if config.weights == "bad.safetensors":
        raise WeightsError("bad.safetensors: not a safetensors weights file")
    return fake_recognizer([FakeModel("cnn", one_hot("A"))], {"cnn": 1.0}, threshold=config.threshold)


def rethreshold(recognizer, old: RecognitionConfig, new: RecognitionConfig):
    """What signcam.pipeline.builder.reconfigure does for a new threshold: the same recognizer, re-thresholded."""
    recognizer.threshold = new.threshold
    return recognizer


class Collector(QObject):
    """Receives in the GUI thread, as MainWindow does (a plain callable would run in the worker)."""

    def __init__(self, worker: RecognitionWorker, on_recognized=None):
        super().__init__()
        self.recognized, self.lost, self.opened, self.failed = [], [], [], []
        self.previewed, self.loaded, self.config_failed = [], [], []
        self._worker = worker
        self._on_recognized = on_recognized
        worker.recognized.connect(self.take)
        worker.previewed.connect(self.preview)
        worker.model_loaded.connect(self.loaded.append)
        worker.config_failed.connect(self.refuse)
        worker.source_lost.connect(self.lose)
        worker.source_opened.connect(self.open)
        worker.failed.connect(self.fail)

    @Slot(object)
    def take(self, recognition) -> None:
        self.recognized.append(recognition)

    @Slot(object)
    def preview(self, frame) -> None:
        self.previewed.append(frame)
        self._worker.mark_consumed()

    @Slot(str, object)
    def refuse(self, message: str, in_use) -> None:
        self.config_failed.append((message, in_use))

    @Slot(str)
    def lose(self, message: str) -> None:
        self.lost.append(message)

    @Slot(str)
    def open(self, name: str) -> None:
        self.opened.append(name)

    @Slot(str)
    def fail(self, message: str) -> None:
        self.failed.append(message)


@pytest.fixture
def start_worker():
    """Starts a worker on its own QThread with a Collector attached before the first frame."""
    started: list[tuple[RecognitionWorker, QThread]] = []

    def start(open_source, build=build_fake) -> tuple[RecognitionWorker, Collector]:
        worker = RecognitionWorker(open_source, RecognitionConfig(roi="box"), build=build, rebuild=rethreshold,
                                   needs_rebuild=lambda old, new: old.weights != new.weights)
        collector = Collector(worker)
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        started.append((worker, thread))
        thread.start()
        return worker, collector

    yield start
    for worker, thread in started:
        worker.stop()
        assert thread.wait(3000), "worker did not stop within 3 s"


def test_results_are_skipped_not_queued_until_consumed(qtbot, start_worker):
    worker, seen = start_worker(lambda: FakeCamera(frames=None))
    qtbot.waitUntil(lambda: len(seen.recognized) == 1 and worker.dropped >= 5, timeout=5000)
    assert len(seen.recognized) == 1  # nobody marked it consumed, so nothing else was sent
    worker.mark_consumed()
    qtbot.waitUntil(lambda: len(seen.recognized) == 2, timeout=5000)


def test_lost_camera_is_reported_and_reopened(qtbot, start_worker):
    opened = []

    def open_source():
        opened.append(1)
        return FakeCamera(frames=3, lose=len(opened) == 1)

    _, seen = start_worker(open_source)
    qtbot.waitUntil(lambda: len(seen.opened) == 2, timeout=5000)
    assert len(seen.lost) == 1 and "stopped delivering" in seen.lost[0]
    assert seen.failed == []


def test_camera_that_never_opens_fails_once_and_stops(qtbot, start_worker):
    def open_source():
        raise SourceError("cannot open camera 3")

    _, seen = start_worker(open_source)
    qtbot.waitUntil(lambda: seen.failed == ["cannot open camera 3"], timeout=5000)
    assert seen.opened == [] and seen.recognized == []


def build_after(release: threading.Event):
    """build_fake once `release` is set (at most 30 s): a model that takes long to load."""
    def build(config: RecognitionConfig):
        release.wait(30)
        return build_fake(config)

    return build


def test_frames_show_before_the_model_is_built_then_letters(qtbot, start_worker):
    """Issue 20 (a): the picture does not wait for the model, which loads in another thread."""
    release = threading.Event()
    worker, seen = start_worker(lambda: FakeCamera(frames=None), build=build_after(release))
    qtbot.waitUntil(lambda: len(seen.previewed) >= 3, timeout=5000)
    assert seen.recognized == [] and worker.recognizer is None
    release.set()
    qtbot.waitUntil(lambda: len(seen.recognized) >= 1, timeout=5000)
    assert len(seen.loaded) == 1 and seen.recognized[0].frame is not None


def test_config_change_is_applied_in_the_worker_and_a_bad_one_is_refused(qtbot, start_worker):
    worker, seen = start_worker(lambda: FakeCamera(frames=None))
    qtbot.waitUntil(lambda: worker.recognizer is not None, timeout=5000)
    first = worker.recognizer
    worker.set_config(RecognitionConfig(roi="box", threshold=0.95))
    qtbot.waitUntil(lambda: first.threshold == 0.95, timeout=5000)  # in place: no new recognizer
    assert worker.recognizer is first
    worker.set_config(RecognitionConfig(roi="box", weights="bad.safetensors"))
    qtbot.waitUntil(lambda: len(seen.config_failed) == 1, timeout=5000)
    message, in_use = seen.config_failed[0]
    assert "bad.safetensors" in message and in_use == RecognitionConfig(roi="box", threshold=0.95)
    assert worker.recognizer is first and not seen.failed  # the recognizer in use carries on


def test_stop_while_the_model_loads_returns_at_once(qtbot, start_worker):
    """Issue 20 (c): the worker thread does not wait for a model that is still loading."""
    never = threading.Event()
    worker, seen = start_worker(lambda: FakeCamera(frames=None), build=build_after(never))
    qtbot.waitUntil(lambda: len(seen.previewed) >= 1, timeout=5000)
    with qtbot.waitSignal(worker.finished, timeout=2000):
        worker.stop()
    never.set()



class Consumer(Collector):
    """Takes each result as the window does, so the worker sends the next."""

    @Slot(object)
    def take(self, recognition) -> None:
        self.recognized.append(recognition)
        self._worker.mark_consumed()


def test_recording_shows_its_first_frame_while_the_model_loads_then_reads_from_it(qtbot, tmp_path):
    """Issue 32: a video showed only "Opening video: X…" until the model loaded (20-35 s under load), while a
    camera showed its picture at once. Its first frame shows at once; once the model is there, reading starts at
    that frame (none goes unread)."""
    import numpy as np

    from signcam.pipeline.sources import open_source
    from tests.ui.conftest import write_video

    clip = write_video(tmp_path / "clip.avi", [np.full((48, 64, 3), 10 * i + 20, np.uint8) for i in range(8)])
    release = threading.Event()
    worker = RecognitionWorker(lambda: open_source(clip, realtime=True), RecognitionConfig(roi="box"),
                               preview=False, build=build_after(release))
    seen = Consumer(worker)
    thread = QThread()
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    thread.start()
    try:
        qtbot.waitUntil(lambda: len(seen.previewed) == 1, timeout=5000)
        assert seen.previewed[0].index == 0 and seen.recognized == [] and worker.recognizer is None
        release.set()
        with qtbot.waitSignal(worker.finished, timeout=10000):
            pass
    finally:
        release.set()
        worker.stop()
        thread.wait(3000)
    assert len(seen.previewed) == 1 and seen.recognized and seen.recognized[0].frame.index == 0
