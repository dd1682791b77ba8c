"""Sources: camera failure modes, video/image/folder sources, LatestFrameReader."""

import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from signcam.pipeline.sources import (
    DEFAULT_FPS,
    CameraSource,
    FolderSource,
    Frame,
    ImageSource,
    LatestFrameReader,
    SourceError,
    SourceLost,
    VideoSource,
    open_source,
)


def test_open_source_camera_missing_fails_fast() -> None:
    start = time.monotonic()
    with pytest.raises(SourceError, match="cannot open camera 0"):
        open_source("0")
    assert time.monotonic() - start < 2.0


def test_camera_open_failure_releases_capture(fake_capture) -> None:
    cap = fake_capture(opened=False)
    with pytest.raises(SourceError):
        CameraSource(3, capture_factory=lambda index: cap)
    assert cap.released


def test_camera_vanishing_raises_source_lost_without_busy_loop(fake_capture) -> None:
    cap = fake_capture(frames=2)
    source = CameraSource(0, lost_after_s=0.3, capture_factory=lambda index: cap)
    assert source.fps == DEFAULT_FPS  # NaN fps metadata falls back
    frames = [source.read(), source.read()]
    assert [f.index for f in frames] == [0, 1]
    assert frames[0].origin == "camera:0"
    start = time.monotonic()
    with pytest.raises(SourceLost, match="stopped delivering"):
        source.read()
    elapsed = time.monotonic() - start
    assert 0.3 <= elapsed < 1.5
    assert cap.reads - 2 < 20  # backoff: a handful of retries, not thousands
    source.close()
    assert cap.released


def test_reader_reports_source_lost(fake_capture) -> None:
    cap = fake_capture(frames=1)
    source = CameraSource(0, lost_after_s=0.1, capture_factory=lambda index: cap)
    with LatestFrameReader(source).start() as reader:
        assert reader.latest(timeout_s=2.0).index == 0
        with pytest.raises(SourceLost):
            reader.latest(timeout_s=2.0)
        assert reader.finished
    assert cap.released


def test_video_source_end_to_end(hand_video: Path) -> None:
    with open_source(hand_video) as source:
        assert isinstance(source, VideoSource)
        assert not source.is_live
        assert source.fps == pytest.approx(10.0)
        frames = list(source)
    assert len(frames) == 12
    assert [f.index for f in frames] == list(range(12))
    assert frames[3].timestamp_s == pytest.approx(0.3)
    assert frames[0].image_bgr.shape == (480, 640, 3)
    assert frames[0].image_bgr is not frames[1].image_bgr
    assert not np.shares_memory(frames[0].image_bgr, frames[1].image_bgr)


def test_video_source_loops_with_increasing_timestamps(hand_video: Path) -> None:
    with open_source(hand_video, loop=True) as source:
        frames = [source.read() for _ in range(30)]
    assert all(f is not None for f in frames)
    assert all(b.timestamp_s > a.timestamp_s for a, b in zip(frames, frames[1:], strict=False))


def test_video_source_realtime_paces_reads(hand_video: Path) -> None:
    with open_source(hand_video, realtime=True) as source:
        assert source.is_live
        start = time.monotonic()
        for _ in range(4):
            source.read()
    assert time.monotonic() - start >= 0.25  # 4 frames at 10 fps: 0.3 s of play time after the first


def test_video_source_rejects_non_video(tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    path.write_bytes(b"not a video at all" * 10)
    with pytest.raises(SourceError, match="clip.avi"):
        open_source(path)


def test_image_source_is_one_frame(webcam_photo: Path) -> None:
    with open_source(webcam_photo) as source:
        assert isinstance(source, ImageSource)
        frames = list(source)
    assert len(frames) == 1 and frames[0].origin == str(webcam_photo)


@pytest.mark.parametrize("content", [b"", b"\xff\xd8\xff garbage"], ids=["empty", "corrupt"])
def test_image_source_bad_file_raises(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(content)
    with pytest.raises(SourceError, match="photo.jpg"):
        open_source(path)


def test_open_source_missing_path_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        open_source(tmp_path / "nope.mp4")


def test_folder_source_sorted_recursive_skips_corrupt(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    for name in ("b/2.png", "1.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "0.jpg").write_bytes(b"broken")
    (tmp_path / "notes.txt").write_text("not an image")
    with open_source(tmp_path) as source:
        assert isinstance(source, FolderSource)
        origins = [Path(f.origin).relative_to(tmp_path).as_posix() for f in source]
    assert origins == ["1.png", "b/2.png"]


class _CountingSource:
    """A live source that produces numbered frames as fast as asked, until `total`."""

    name, is_live, fps = "counting", True, 1000.0

    def __init__(self, total: int):
        self.total = total
        self.count = 0
        self.closed = False
        self.produced = threading.Event()

    def read(self) -> Frame | None:
        if self.count >= self.total:
            self.produced.set()
            return None
        frame = Frame(np.zeros((2, 2, 3), np.uint8), self.count, float(self.count), self.name)
        self.count += 1
        time.sleep(0.0005)
        return frame

    def close(self) -> None:
        self.closed = True


def test_latest_frame_reader_drops_stale_frames() -> None:
    source = _CountingSource(total=50)
    reader = LatestFrameReader(source).start()
    assert source.produced.wait(5.0)
    frame = reader.latest(timeout_s=1.0)
    assert frame.index == 49  # only the newest survives
    assert reader.dropped == 49
    assert reader.latest(timeout_s=0.05) is None  # nothing unseen; the source has ended
    assert reader.finished
    reader.close()
    assert source.closed


def test_latest_frame_reader_close_joins_thread(hand_video: Path) -> None:
    reader = LatestFrameReader(open_source(hand_video, loop=True, realtime=True)).start()
    assert reader.latest(timeout_s=2.0) is not None
    reader.close()
    assert not reader._thread.is_alive()
