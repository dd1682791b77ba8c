"""Frame sources: a camera, a video file, a still photo or a folder, all yielding the same `Frame`.

`open_source("0" | "clip.avi" | "photo.jpg" | "dir/")` is the one factory shared by the CLI and the
menus. Live sources fail loudly: a camera that cannot be opened raises `SourceError` at once, one
that stops delivering raises `SourceLost` after a bounded wait with backoff (never a hang, never a
busy loop). `LatestFrameReader` reads a source on its own thread and keeps only the newest frame,
so a slow consumer sees fresh frames instead of a growing queue.

Usage:
    with open_source("0") as source, LatestFrameReader(source).start() as reader:
        frame = reader.latest()
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"})
# Larger photos are refused from their header, before decoding: a 1.5 MB PNG of 40000x40000 would need 4.8 GB
# as BGR (and OpenCV stops at 2^30 pixels with a cv2.error). 80 MP is 240 MB decoded, beyond any webcam or
# phone photo in normal modes; a hand in it is still found after the locator's downscaling.
MAX_IMAGE_PIXELS = 80_000_000
DEFAULT_FPS = 30.0  # named fallback for files and cameras reporting 0 or NaN frames per second
CAMERA_LOST_AFTER_S = 2.0  # a webcam delivering nothing for this long is treated as unplugged
_BACKOFF_START_S = 0.005  # first sleep after a failed read; doubles up to _BACKOFF_MAX_S
_BACKOFF_MAX_S = 0.1

CaptureFactory = Callable[..., Any]  # cv2.VideoCapture or a test double with isOpened/read/get/release


@dataclass(frozen=True)
class Frame:
    image_bgr: np.ndarray  # HxWx3 uint8, a fresh array per frame (never a reused buffer)
    index: int  # 0-based count of frames this source delivered
    timestamp_s: float  # time.monotonic() at capture for live sources; position in the file for video
    origin: str  # "camera:0", a file path, ...
    still: bool = False  # a photo, not part of a stream: no tracking, no smoothing across frames


class SourceError(Exception):
    """A source that cannot be opened or read; the message says which and why."""


class SourceLost(SourceError):
    """A live source (camera, paced video) stopped delivering frames mid-stream."""


@runtime_checkable
class Source(Protocol):
    name: str
    is_live: bool
    fps: float

    def read(self) -> Frame | None: ...

    def close(self) -> None: ...

    def __iter__(self) -> Iterator[Frame]: ...

    def __enter__(self) -> Source: ...

    def __exit__(self, *exc: object) -> None: ...


def _valid_fps(value: float) -> float:
    """Camera/file fps metadata is often 0 or NaN; fall back to DEFAULT_FPS then."""
    if value is None or not math.isfinite(value) or value <= 0 or value > 1000:
        return DEFAULT_FPS
    return float(value)


@contextlib.contextmanager
def _quiet_opencv() -> Iterator[None]:
    """OpenCV logs a WARN line per backend for a missing camera; the caller reports it once, clearly.
    (OPENCV_LOG_LEVEL only works if set before cv2 is imported, so set the level here.)"""
    previous = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
    try:
        yield
    finally:
        cv2.utils.logging.setLogLevel(previous)


def header_size(data: bytes | memoryview) -> tuple[int, int] | None:
    """(width, height) from a PNG's IHDR or a JPEG's SOF marker, without decoding; None for other formats
    or a header that does not parse (the decoder then says what is wrong)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 9 <= len(data):  # JPEG segments: FF, marker, big-endian length (including itself), payload
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # start of frame: the size
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            at += 2
            continue
        at += 2 + struct.unpack(">H", data[at + 2:at + 4])[0]
    return None


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode an image file to BGR uint8; SourceError (not None, not a traceback) when it cannot, or when its
    header says it has more than MAX_IMAGE_PIXELS (checked before decoding)."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)  # np.fromfile + imdecode: non-ASCII paths work too
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except (IsADirectoryError, PermissionError, OSError) as e:
        raise SourceError(f"{path}: cannot read ({e.strerror or e})") from None
    if data.size == 0:
        raise SourceError(f"{path}: empty file")
    size = header_size(memoryview(data))
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        raise SourceError(f"{path}: {size[0]}x{size[1]} pixels is too large to read (the limit is "
                          f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels); scale it down first")
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as e:  # formats without a header check above, past OpenCV's own pixel limit
        raise SourceError(f"{path}: cannot decode ({e.err or e})") from None
    if image is None or image.size == 0:
        raise SourceError(f"{path}: not a readable image (corrupt or unsupported format)")
    return image


def find_images(path: str | os.PathLike) -> list[Path]:
    """Image files under a folder, recursively, in a stable (sorted) order."""
    root = Path(path)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)


class _SourceBase:
    """Iteration and context management shared by all sources."""

    name: str = ""
    is_live: bool = False
    fps: float = DEFAULT_FPS

    def read(self) -> Frame | None:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the source holds; safe to call twice."""

    def __iter__(self) -> Iterator[Frame]:
        while (frame := self.read()) is not None:
            yield frame

    def __enter__(self) -> _SourceBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class CameraSource(_SourceBase):
    """A webcam by index. Failed reads back off (sleep) and raise SourceLost after `lost_after_s`."""

    is_live = True

    def __init__(
        self,
        index: int = 0,
        *,
        lost_after_s: float = CAMERA_LOST_AFTER_S,
        capture_factory: CaptureFactory = cv2.VideoCapture,
    ):
        self.index = index
        self.name = f"camera:{index}"
        self.lost_after_s = lost_after_s
        self._count = 0
        with _quiet_opencv():
            self._cap = capture_factory(index)
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"cannot open camera {index} (not connected, or in use by another program)")
        self.fps = _valid_fps(self._cap.get(cv2.CAP_PROP_FPS))

    def read(self) -> Frame:
        if self._cap is None:
            raise SourceLost(f"{self.name} is closed")
        deadline = time.monotonic() + self.lost_after_s
        backoff_s = _BACKOFF_START_S
        while True:
            ok, image = self._cap.read()
            if ok and image is not None and image.size:
                frame = Frame(image, self._count, time.monotonic(), self.name)
                self._count += 1
                return frame
            if time.monotonic() >= deadline:
                raise SourceLost(f"{self.name} stopped delivering frames (unplugged or taken by another program)")
            time.sleep(backoff_s)
            backoff_s = min(2 * backoff_s, _BACKOFF_MAX_S)

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class VideoSource(_SourceBase):
    """A video file. `realtime` paces reads to the file's fps so it stands in for a camera;
    `loop` restarts at the end. Timestamps are play time (index / fps), so they keep increasing
    across loops and equal the position in the file on the first pass."""

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        loop: bool = False,
        realtime: bool = False,
        capture_factory: CaptureFactory = cv2.VideoCapture,
    ):
        self.path = Path(path)
        self.name = str(self.path)
        self.loop = loop
        self.is_live = realtime
        self._count = 0
        self._started_at: float | None = None
        if not self.path.is_file():
            raise SourceError(f"{self.path}: no such video file")
        self._cap = capture_factory(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"{self.path}: cannot open as a video (corrupt or unsupported format)")
        self.fps = _valid_fps(self._cap.get(cv2.CAP_PROP_FPS))
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(f"{self.path}: no decodable frames")
        self._pending: np.ndarray | None = first

    def _next_image(self) -> np.ndarray | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
            return image
        ok, image = self._cap.read()
        if ok:
            return image
        if not self.loop or self._count == 0:
            return None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, image = self._cap.read()
        return image if ok else None

    def read(self) -> Frame | None:
        if self._cap is None:
            return None
        image = self._next_image()
        if image is None:
            return None
        timestamp_s = self._count / self.fps
        if self.is_live:
            now = time.monotonic()
            if self._started_at is None:
                self._started_at = now
            wait_s = self._started_at + timestamp_s - now
            if wait_s > 0:
                time.sleep(wait_s)
        frame = Frame(image, self._count, timestamp_s, self.name)
        self._count += 1
        return frame

    def close(self) -> None:
        if self._cap is not None:
            self._cap.release()
            self._cap = None


class ImageSource(_SourceBase):
    """One still photo as a one-frame source; decoding errors surface at open."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.name = str(self.path)
        self._image: np.ndarray | None = read_image(self.path)

    def read(self) -> Frame | None:
        if self._image is None:
            return None
        image, self._image = self._image, None
        return Frame(image, 0, 0.0, self.name, still=True)


class FolderSource(_SourceBase):
    """The images under a folder (recursive, sorted); unreadable files are logged and skipped.
    Each frame's `origin` is the image's path; its timestamp is index / fps."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.name = str(self.path)
        if not self.path.is_dir():
            raise SourceError(f"{self.path}: not a folder")
        self._paths = find_images(self.path)
        if not self._paths:
            raise SourceError(f"{self.path}: no images found")
        self._next = 0
        self._count = 0

    def read(self) -> Frame | None:
        while self._next < len(self._paths):
            path = self._paths[self._next]
            self._next += 1
            try:
                image = read_image(path)
            except SourceError as e:
                logger.warning("skipping %s", e)
                continue
            frame = Frame(image, self._count, self._count / self.fps, str(path), still=True)
            self._count += 1
            return frame
        return None


def open_source(spec: str | int | os.PathLike, *, loop: bool = False, realtime: bool = False) -> Source:
    """The one factory: "0"/0 -> camera, video file, image file or folder (see module docstring)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageSource(path)
    return VideoSource(path, loop=loop, realtime=realtime)


def read_photo(spec: str | os.PathLike) -> Frame:
    """The one still frame of a photo, read through `open_source` (the header's size check, one decoder) for
    `signcam predict` and File > Open photos alike; SourceError when it cannot be read or is not a photo."""
    with open_source(spec) as source:
        frame = source.read()
    if frame is None or not frame.still:
        raise SourceError(f"{spec}: not a photo")
    return frame


def list_cameras(max_index: int = 4) -> list[int]:
    """Indices 0..max_index-1 that open as cameras (each is opened and released again)."""
    found = []
    for index in range(max_index):
        with _quiet_opencv():
            cap = cv2.VideoCapture(index)
        try:
            if cap.isOpened():
                found.append(index)
        finally:
            cap.release()
    return found


class LatestFrameReader:
    """Reads a source on a plain thread into a one-slot holder: the newest frame wins.

    A frame that is overwritten before anyone took it counts in `dropped`, so latency never grows
    with a slow consumer. The source's SourceError is kept and re-raised by `latest()`. `close()`
    stops and joins the thread, then closes the source (from this thread, after the reader is gone).
    """

    def __init__(self, source: Source, *, close_source: bool = True, join_timeout_s: float = 3.0):
        self.source = source
        self.dropped = 0
        self.finished = False
        self._close_source = close_source
        self._join_timeout_s = join_timeout_s
        self._slot: Frame | None = None
        self._error: SourceError | None = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"reader-{source.name}", daemon=True)

    def start(self) -> LatestFrameReader:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                frame = self.source.read()
                if frame is None:
                    break
                with self._cond:
                    if self._slot is not None:
                        self.dropped += 1
                    self._slot = frame
                    self._cond.notify_all()
        except SourceError as e:
            with self._cond:
                self._error = e
        except Exception as e:  # any backend failure must reach the consumer, not die silently here
            logger.exception("reading %s failed", self.source.name)
            with self._cond:
                self._error = SourceLost(f"{self.source.name}: {e}")
        finally:
            with self._cond:
                self.finished = True
                self._cond.notify_all()

    def latest(self, timeout_s: float = 1.0) -> Frame | None:
        """The newest frame not returned before; None on timeout or at the end of the source."""
        with self._cond:
            self._cond.wait_for(lambda: self._slot is not None or self.finished, timeout=timeout_s)
            frame, self._slot = self._slot, None
            if frame is None and self._error is not None:
                raise self._error
            return frame

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self._join_timeout_s)
        if self._thread.is_alive():
            logger.warning("%s is still blocked in read(); leaving it open", self.source.name)
            return
        if self._close_source:
            self.source.close()

    def __enter__(self) -> LatestFrameReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
