"""The worker on its QThread with fake sources and fake recognizer parts: skipping instead of queueing, losing
and regaining a camera, frames before the model, rebuilding on a config change, and stopping promptly."""

import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, QThread, Slot

from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.sources import SourceError, open_source
from signcam.store.weights import WeightsError
from signcam.ui.recognition_worker import RecognitionWorker
from tests.recognition_fakes import FakeModel, fake_recognizer, one_hot
from tests.ui.conftest import FakeCamera, write_video


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
        self.previewed, self.loaded, self.config_failed, self.ended = [], [], [], []
        self._worker = worker
        self._on_recognized = on_recognized
        worker.recognized.connect(self.take)
        worker.previewed.connect(self.preview)
        worker.model_loaded.connect(self.loaded.append)
        worker.config_failed.connect(self.refuse)
        worker.source_lost.connect(self.lose)
        worker.source_opened.connect(self.open)
        worker.failed.connect(self.fail)
        worker.source_ended.connect(self.end)

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

    @Slot()
    def end(self) -> None:
        self.ended.append(len(self.recognized))  # how many results had arrived when the end did


@pytest.fixture
def start_worker():
    """Starts a worker on its own QThread with a Collector attached before the first frame."""
    started: list[tuple[RecognitionWorker, QThread]] = []

    def start(open_source, build=build_fake, preview: bool = True) -> tuple[RecognitionWorker, Collector]:
        worker = RecognitionWorker(open_source, RecognitionConfig(roi="box"), build=build, rebuild=rethreshold,
                                   needs_rebuild=lambda old, new: old.weights != new.weights, preview=preview)
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


class StepRecorder:
    """A recognizer that notes every frame it is given, takes `step_s` over each (slower than the video's 30 fps:
    a recognizer falling behind under load) and confirms a letter on every `confirm_every`-th frame."""

    def __init__(self, step_s: float = 0.0, confirm_every: int = 0) -> None:
        self.indices: list[int] = []
        self.step_s, self.confirm_every = step_s, confirm_every

    def step(self, frame):
        self.indices.append(frame.index)
        time.sleep(self.step_s)
        confirmed = "A" if self.confirm_every and frame.index % self.confirm_every == 0 else None
        return SimpleNamespace(frame=frame, smoothed=SimpleNamespace(confirmed=confirmed))

    def close(self) -> None:
        """Nothing to release."""


def clip(tmp_path, frames: int):
    """A 30 fps MJPG clip opened as the window opens one (paced to its fps, realtime=True)."""
    images = [np.full((48, 64, 3), 4 * i, np.uint8) for i in range(frames)]
    path = write_video(tmp_path / "clip.avi", images)
    return lambda: open_source(str(path), realtime=True)


def test_a_video_is_read_frame_by_frame_when_recognition_falls_behind(qtbot, start_worker, tmp_path):
    """Issue 32 (20): a recognizer slower than the video (60 ms a frame for a 30 fps clip) used to see only the
    newest frame, so frames were lost and a letter shown briefly was never confirmed. A video is now read
    frame by frame, none skipped, and the view ends on its last frame."""
    recorder = StepRecorder(step_s=0.06)
    worker, seen = start_worker(clip(tmp_path, 24), build=lambda config: recorder, preview=False)
    qtbot.waitUntil(lambda: bool(seen.ended), timeout=15000)
    assert recorder.indices == list(range(24))
    assert worker.frames_skipped == 0
    assert seen.recognized[-1].frame.index == 23  # sent although nobody marked the one before consumed
    assert seen.ended == [len(seen.recognized)]  # the end came after it


def test_a_camera_still_skips_to_the_newest_frame(qtbot, start_worker):
    """A camera stays live: a slow recognizer skips frames rather than falling behind."""
    recorder = StepRecorder(step_s=0.05)

    def camera():
        source = FakeCamera(frames=None)
        read = source.read
        source.read = lambda: (time.sleep(0.005), read())[1]  # ~200 fps
        return source

    worker, _ = start_worker(camera, build=lambda config: recorder)
    qtbot.waitUntil(lambda: worker.frames_skipped >= 10, timeout=5000)
    assert len(recorder.indices) >= 2 and recorder.indices[-1] - recorder.indices[0] > len(recorder.indices)


def test_a_result_that_confirms_a_letter_is_never_dropped(qtbot, start_worker, tmp_path):
    """Issue 32 (20): free spelling lost one A of "CABCBCAB". The GUI had not yet taken the last result, so the
    one that carried the confirmation was dropped; drills and free spelling take letters only from it."""
    recorder = StepRecorder(confirm_every=5)
    worker, seen = start_worker(clip(tmp_path, 30), build=lambda config: recorder, preview=False)
    qtbot.waitUntil(lambda: bool(seen.ended), timeout=15000)  # the Collector never marks a result consumed
    confirmed = [r.frame.index for r in seen.recognized if r.smoothed.confirmed]
    assert confirmed == [0, 5, 10, 15, 20, 25]
    assert worker.dropped >= 20  # the other results were still skipped, not queued


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
