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
import io
import logging
import math
import os
import stat
import struct
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import numpy as np

from signcam.limits import (
    MAX_CAMERA_INDEX,
    MAX_FOLDER_DEPTH,
    MAX_FRAME_PIXELS,
    MAX_IMAGE_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    MAX_VIDEO_FRAME_PIXELS,
    camera_index,
)

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".gif"})
MAX_DECODED_BYTES = MAX_IMAGE_PIXELS * 3  # BGR uint8, what OpenCV hands back: 240 MB at the limit
DEFAULT_FPS = 30.0  # named fallback for files and cameras reporting 0 or NaN frames per second
FOLDER_PHOTO_S = 1.0  # a folder played as a live source shows each photo this long
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


class _TooLarge(Exception):
    """Pillow's own bomb guard fired while reading the header: far over MAX_IMAGE_PIXELS."""


def image_header(data: bytes | memoryview) -> tuple[int, int, str] | None:
    """(width, height, format) from an image's header, read by Pillow without decoding any pixels; None when
    Pillow does not recognise the header (OpenCV would then be the only judge of a file nobody measured)."""
    from PIL import Image, UnidentifiedImageError  # ~30 ms; only photos need it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning and friends: we apply our own limit
        try:
            with Image.open(io.BytesIO(data)) as image:  # lazy: parses the header only
                width, height = image.size
                return int(width), int(height), str(image.format)
        except Image.DecompressionBombError:  # over 2 x Pillow's 89 MP: over ours as well
            raise _TooLarge from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, struct.error, EOFError, IndexError,
                KeyError, TypeError, ZeroDivisionError):  # Pillow's plugins raise these for damaged headers
            return None


def _check_regular(path: Path, what: str) -> None:
    """SourceError for a missing path, a folder where a file is needed, or a FIFO, socket or device: reading a
    FIFO waits for a writer for ever and /dev/urandom never ends, so neither is opened."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror or e})") from None
    if stat.S_ISDIR(mode):
        raise SourceError(f"{path}: is a folder, not {what}")
    if not stat.S_ISREG(mode):
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) \
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise SourceError(f"{path}: {kind}, not {what}; give a regular file")


def read_image(path: str | os.PathLike) -> np.ndarray:
    """Decode an image file to BGR uint8; SourceError (not None, not a traceback) when it cannot, when Pillow does
    not know its header, or when the header says it has more than MAX_IMAGE_PIXELS (checked before decoding, for
    every format). Photos over MAX_FRAME_PIXELS are scaled down once decoded, so the pipeline's own copies stay
    small."""
    path = Path(path)
    _check_regular(path, "an image file")
    if path.stat().st_size > MAX_IMAGE_FILE_BYTES:
        raise SourceError(f"{path}: {path.stat().st_size / 2**20:.0f} MB is too large for a photo (the limit is "
                          f"{MAX_IMAGE_FILE_BYTES // 2**20} MB)")
    try:
        data = np.fromfile(path, dtype=np.uint8)  # np.fromfile + imdecode: non-ASCII paths work too
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror or e})") from None
    if data.size == 0:
        raise SourceError(f"{path}: empty file")
    too_large = (f"{path}: too large to read (the limit is {MAX_IMAGE_PIXELS // 1_000_000} megapixels, "
                 f"{MAX_DECODED_BYTES // 1_000_000} MB decoded); scale it down first")
    try:
        header = image_header(memoryview(data))
    except _TooLarge:
        raise SourceError(too_large) from None
    if header is None:
        raise SourceError(f"{path}: not a readable image (corrupt or unsupported format)")
    width, height, kind = header
    if width <= 0 or height <= 0:
        raise SourceError(f"{path}: not a readable image (its header says {width}x{height} pixels)")
    if width * height > MAX_IMAGE_PIXELS:
        raise SourceError(too_large.replace("too large", f"{width}x{height} pixels is too large", 1))
    try:
        image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    except cv2.error as e:
        raise SourceError(f"{path}: cannot decode this {kind} ({e.err or e})") from None
    del data
    if image is None or image.size == 0:
        raise SourceError(f"{path}: not a readable image (corrupt or unsupported format)")
    return _bounded(image)


def _too_large_frame(width: float, height: float) -> bool:
    """A video frame over MAX_VIDEO_FRAME_PIXELS (NaN and negative sizes, which some backends report, are not)."""
    return math.isfinite(width) and math.isfinite(height) and width > 0 and height > 0 \
        and width * height > MAX_VIDEO_FRAME_PIXELS


def _bounded(image: np.ndarray) -> np.ndarray:
    """`image`, or a copy scaled down (area averaging) to MAX_FRAME_PIXELS: a 79 MP photo otherwise costs the
    locator and preprocessing ~20 bytes per pixel of copies (issue 24 measured 4.9 GB)."""
    height, width = image.shape[:2]
    if height * width <= MAX_FRAME_PIXELS:
        return image
    scale = math.sqrt(MAX_FRAME_PIXELS / (height * width))
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def scan_images(path: str | os.PathLike) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(image files under a folder, in a stable (sorted) order; [(folder, why it was not searched)]). A loop, not
    recursion, so a tree of any depth costs no stack: folders more than MAX_FOLDER_DEPTH below `path` and folders
    that cannot be read are named, not skipped in silence. Links to folders are not followed (no cycles)."""
    images: list[Path] = []
    problems: list[tuple[Path, str]] = []
    pending = [(Path(path), 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as e:
            problems.append((folder, f"cannot read this folder ({e.strerror or e})"))
            continue
        for item in entries:
            try:
                if item.is_dir(follow_symlinks=False):
                    if depth < MAX_FOLDER_DEPTH:
                        pending.append((Path(item.path), depth + 1))
                    else:
                        problems.append((Path(item.path), f"more than {MAX_FOLDER_DEPTH} folders deep; not searched"))
                elif Path(item.name).suffix.lower() in IMAGE_SUFFIXES and item.is_file():
                    images.append(Path(item.path))
            except OSError:
                continue  # gone meanwhile
    return sorted(images), sorted(problems)


def find_images(path: str | os.PathLike) -> list[Path]:
    """Image files under a folder (see scan_images); the folders it could not search are logged."""
    images, problems = scan_images(path)
    for folder, why in problems:
        logger.warning("%s: %s", folder, why)
    return images


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
        if camera_index(index) is None:  # OpenCV segfaults on -1..-5 without a camera, and 2^64 is no C int
            raise SourceError(f"there is no camera {index}: a camera number is 0 to {MAX_CAMERA_INDEX}")
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
        _check_regular(self.path, "a video file")
        self._cap = capture_factory(str(self.path))
        if not self._cap.isOpened():
            self._cap.release()
            raise SourceError(f"{self.path}: cannot open as a video (corrupt or unsupported format)")
        self.fps = _valid_fps(self._cap.get(cv2.CAP_PROP_FPS))
        width, height = (self._cap.get(prop) for prop in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT))
        if _too_large_frame(width, height):
            self._cap.release()
            raise SourceError(self._too_large(width, height))
        frames = self._cap.get(cv2.CAP_PROP_FRAME_COUNT)
        self.frame_count = int(frames) if frames and math.isfinite(frames) and 0 < frames < 2**31 else 0
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise SourceError(f"{self.path}: no decodable frames")
        self._pending: np.ndarray | None = first

    def _too_large(self, width: float, height: float) -> str:
        return (f"{self.path}: video frames of {width:.0f}x{height:.0f} pixels are too large (the limit is "
                f"{MAX_VIDEO_FRAME_PIXELS / 1e6:.0f} megapixels, 8K); scale the video down first")

    def _checked(self, image: np.ndarray) -> np.ndarray:
        """A decoded frame within the limit (a container may announce one size and hold another), scaled down
        to MAX_FRAME_PIXELS like a photo."""
        height, width = image.shape[:2]
        if _too_large_frame(width, height):
            raise SourceError(self._too_large(width, height))
        return _bounded(image)

    def _next_image(self) -> np.ndarray | None:
        if self._pending is not None:
            image, self._pending = self._pending, None
            return self._checked(image)
        ok, image = self._cap.read()
        if ok and image is not None:
            return self._checked(image)
        self._check_complete()
        if not self.loop or self._count == 0:
            return None
        self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, image = self._cap.read()
        return self._checked(image) if ok and image is not None else None

    def _check_complete(self) -> None:
        """SourceError when decoding stopped well before the frame count the container announced: a damaged or
        truncated file, not the end of the video. Some containers only estimate the count, hence the slack."""
        expected = self.frame_count
        if expected and self._count < expected - max(2, expected // 50):
            raise SourceError(f"{self.path}: the video is damaged: frames stop at {self._count} of {expected}")

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
            elif -wait_s > 1 / self.fps:  # a frame late (its reader waited for a slow consumer): play on
                self._started_at -= wait_s  # from here at the file's pace instead of rushing to catch up
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
    Each frame's `origin` is the image's path; its timestamp is index / fps. `realtime` (the app's live view)
    plays them as a slide show, FOLDER_PHOTO_S each, instead of as fast as they decode; `loop` starts over."""

    def __init__(self, path: str | os.PathLike, *, loop: bool = False, realtime: bool = False):
        self.path = Path(path)
        self.name = str(self.path)
        if not self.path.is_dir():
            raise SourceError(f"{self.path}: not a folder")
        self._paths = find_images(self.path)
        if not self._paths:
            raise SourceError(f"{self.path}: no images found")
        self.loop = loop
        self.is_live = realtime
        if realtime:  # a slide show: each photo stays up long enough to be read, none is dropped unseen
            self.fps = 1 / FOLDER_PHOTO_S
        self._next = 0
        self._count = 0
        self._started_at: float | None = None

    def read(self) -> Frame | None:
        while self._next < len(self._paths) or (self.loop and self._count > 0):
            if self._next == len(self._paths):
                self._next = 0
            path = self._paths[self._next]
            self._next += 1
            try:
                image = read_image(path)
            except SourceError as e:
                logger.warning("skipping %s", e)
                continue
            timestamp_s = self._count / self.fps
            if self.is_live:
                now = time.monotonic()
                self._started_at = now if self._started_at is None else self._started_at
                time.sleep(max(0.0, self._started_at + timestamp_s - now))
            frame = Frame(image, self._count, timestamp_s, str(path), still=True)
            self._count += 1
            return frame
        return None


def open_source(spec: str | int | os.PathLike, *, loop: bool = False, realtime: bool = False) -> Source:
    """The one factory: "0"/0 -> camera, video file, image file or folder (see module docstring)."""
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return CameraSource(int(spec))
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path, loop=loop, realtime=realtime)
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    _check_regular(path, "a photo, video or folder")
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
    with a slow consumer (a camera). `keep_all` (a recording) instead waits until the consumer took the
    frame: every frame is read, in order, and a slow consumer slows the video down. The source's SourceError
    is kept and re-raised by `latest()`. `close()` stops and joins the thread, then closes the source (from
    this thread, after the reader is gone).
    """

    def __init__(self, source: Source, *, keep_all: bool = False, close_source: bool = True,
                 join_timeout_s: float = 3.0):
        self.source = source
        self.dropped = 0
        self.finished = False
        self._keep_all = keep_all
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
                    if self._keep_all:
                        self._cond.wait_for(lambda: self._slot is None or self._stop.is_set())
                        if self._stop.is_set():
                            break
                    elif self._slot is not None:
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
            self._cond.notify_all()  # a keep_all reader waits for the slot to empty
            return frame

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
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
