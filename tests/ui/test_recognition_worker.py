"""The worker on its QThread with fake sources: skipping instead of queueing, losing and regaining
a camera, and stopping promptly."""

import pytest
from PySide6.QtCore import QObject, Qt, QThread, Slot

from signcam.recognizer import Recognizer
from signcam.sources import SourceError
from signcam.ui.recognition_worker import RecognitionWorker
from tests.ui.conftest import FakeCamera


class Collector(QObject):
    """Receives in the GUI thread, as MainWindow does (a plain callable would run in the worker)."""

    def __init__(self, worker: RecognitionWorker, on_recognized=None):
        super().__init__()
        self.recognized, self.lost, self.opened, self.failed = [], [], [], []
        self._on_recognized = on_recognized
        worker.recognized.connect(self.take)
        worker.source_lost.connect(self.lose)
        worker.source_opened.connect(self.open)
        worker.failed.connect(self.fail)

    @Slot(object)
    def take(self, recognition) -> None:
        self.recognized.append(recognition)

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
def start_worker(test_weights):
    """Starts a worker on its own QThread with a Collector attached before the first frame."""
    started: list[tuple[RecognitionWorker, QThread]] = []

    def start(open_source) -> tuple[RecognitionWorker, Collector]:
        worker = RecognitionWorker(open_source, lambda: Recognizer(test_weights, roi="box", device="cpu"))
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
