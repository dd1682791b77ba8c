"""Where is the hand? Three locators behind one protocol: `auto` (MediaPipe's HandLandmarker), `box` (a fixed
guide box, the classic Sign-MNIST webcam setup) and `full` (the image is already a hand crop).

A locator returns a `Box` or None; None means "no hand", and the recognizer then reports no letter
instead of guessing one. MediaPipe is imported lazily (its import costs ~2 s, kept off the path to the first
window); should it be missing all the same, `auto` warns and falls back to `box`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np

from signcam.store.assets import AssetError, check_digest, reading_asset
from signcam.store.assets_dir import ASSETS_DIR

logger = logging.getLogger(__name__)

# MediaPipe's palm detector and hand landmark model (the "full" pair, Apache-2.0) as a Tasks bundle, made by
# training/make_hand_model.py. One model for photos and streams: a hand reads the same in both.
HAND_MODEL = ASSETS_DIR / "hand_landmarker.task"
# The bundle's bytes (the same on every run of make_hand_model.py): a cut, random, swapped or zip-bombed file is
# told from the real one before MediaPipe sees it (issue 31: 53-76 line tracebacks, or "no hand" on every photo).
HAND_MODEL_BYTES = 7_819_037
HAND_MODEL_SHA256 = "ef3f184fa8d5e6905ea4770282627d6937975119af763054312d05985c059bda"
# Fraction of the landmarks' extent added on each side. Calibrated on sign_mnist_sources, whose crops are
# the reference boxes: the margin that turns the landmarks' extent into the crop's side has median 0.18
# (quartiles 0.12-0.26; benchmarks/preprocess_calibration.py). Landmarks stop at the fingertip and wrist
# points; the dataset's boxes include whole fingertips and some wrist.
DEFAULT_MARGIN = 0.18
# MediaPipe misses hands that fill or touch the frame (measured in issue 4); a second pass on the image
# with a black border of this fraction of its longer side on every side finds most of them.
DEFAULT_BORDER = 0.25
# In video, a frame with no hand would cost two palm detections (~49 ms here: 20 fps in the GUI). While the
# bordered pass is not tracking a hand, it runs only on every Nth consecutive miss, so an empty scene costs
# about one detection a frame and a hand that fills the frame is still picked up within N frames.
VIDEO_RETRY_EVERY = 4
# Photos only, when the plain and the bordered pass both miss: the same two passes again with a lower detection
# threshold on a brightened copy (gamma 0.5: dark and backlit frames), then on a contrast-stretched copy (1st-99th
# percentile to 0-255: hazy, low-contrast frames). Of the 177 photos of extra/ and real_dev that the first two
# passes miss, these find 96 (the gamma copy alone 72; a lower threshold alone 63; 0.3 instead of 0.15: 92).
# A photo whose hand the first pass finds pays nothing.
RETRY_DETECTION_CONFIDENCE = 0.15
RETRY_GAMMA = 0.5
STRETCH_PERCENTILES = (1, 99)
# A photo is seen this many times by a fresh tracking landmarker, as a held hand is seen live (MediaPipe's tracking
# refines the landmarks from their last position: the second and third readings move them, later ones hardly).
PHOTO_SETTLE_FRAMES = 3
# Longest side at which an image is located (larger ones are scaled down first; the box comes back in full size).
LOCATE_MAX_SIDE = 1280


@dataclass(frozen=True)
class Box:
    x: int  # pixels in the frame; may extend past the frame edges (preprocess pads)
    y: int
    w: int
    h: int
    side: str | None = None  # "left" | "right" | None: how the hand looks in the image (the signer's hand
    # unless the image is a mirrored selfie view)
    score: float = 1.0
    # (21, 2) pixel coords when from MediaPipe; left out of ==, hash and repr (arrays have no truth value)
    landmarks: np.ndarray | None = field(default=None, compare=False, repr=False)
    # (21,) MediaPipe's depth of each point relative to the wrist, in the same pixel units as x (< 0: nearer)
    landmarks_z: np.ndarray | None = field(default=None, compare=False, repr=False)
    # (21, 3) MediaPipe's world landmarks: metres, origin near the hand's centre, the same at any camera distance
    world_landmarks: np.ndarray | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict:
        """The JSON shape used by `signcam predict --json`."""
        return {"x": self.x, "y": self.y, "w": self.w, "h": self.h, "side": self.side}


class HandLocator(Protocol):
    mode: str

    def locate(self, image_bgr: np.ndarray, timestamp_s: float | None = None) -> Box | None:
        """The hand in the image, or None. `timestamp_s`: the frame's time in a stream (tracking locators)."""
        ...

    def close(self) -> None: ...


def square_box(points_xy: np.ndarray, margin: float) -> tuple[int, int, int]:
    """(x, y, side) of the square centred on the points' bounding box, grown by `margin` per side."""
    lo, hi = points_xy.min(axis=0), points_xy.max(axis=0)
    centre = (lo + hi) / 2
    side = float(max(hi - lo)) * (1 + 2 * margin)
    side = max(side, 8.0)
    return int(round(centre[0] - side / 2)), int(round(centre[1] - side / 2)), int(round(side))


class FullFrameLocator:
    """The whole image is the hand (already-cropped photos)."""

    mode = "full"

    def locate(self, image_bgr: np.ndarray, timestamp_s: float | None = None) -> Box:
        h, w = image_bgr.shape[:2]
        return Box(0, 0, w, h)

    def close(self) -> None:
        """Nothing to release."""


class GuideBoxLocator:
    """A fixed square guide box the user puts the hand in: `size` is its side as a fraction of the
    frame's shorter side, (`cx`, `cy`) its centre as fractions of width and height."""

    mode = "box"

    def __init__(self, size: float = 0.6, cx: float = 0.5, cy: float = 0.5):
        if not 0 < size <= 1 or not 0 <= cx <= 1 or not 0 <= cy <= 1:
            raise ValueError(f"guide box size must be in (0, 1] and centre in [0, 1], got {size}, ({cx}, {cy})")
        self.size, self.cx, self.cy = size, cx, cy

    def locate(self, image_bgr: np.ndarray, timestamp_s: float | None = None) -> Box:
        h, w = image_bgr.shape[:2]
        side = max(1, int(round(self.size * min(h, w))))
        x = int(round(self.cx * w - side / 2))
        y = int(round(self.cy * h - side / 2))
        return Box(min(max(x, 0), w - side), min(max(y, 0), h - side), side, side)

    def close(self) -> None:
        """Nothing to release."""


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence fd 2 while MediaPipe sets up: TFLite and absl write INFO/WARNING lines straight to it,
    before absl logging is initialised, so GLOG_minloglevel alone does not stop them."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


# MediaPipe prints one warning per process (landmark_projection_calculator, about non-square images) the
# first time it finds a hand, straight to fd 2; calls are silenced until then, and only until then,
# because redirecting fd 2 for every frame would also swallow other threads' messages.
_landmarks_warning_done = False


def brightened(image: np.ndarray, gamma: float = RETRY_GAMMA) -> np.ndarray:
    """Gamma-corrected copy (gamma < 1 lifts the shadows of a dark or backlit frame)."""
    lut = np.round(255.0 * (np.arange(256) / 255.0) ** gamma).astype(np.uint8)
    return cv2.LUT(image, lut)


def stretched(image: np.ndarray) -> np.ndarray:
    """Copy with the STRETCH_PERCENTILES of its values mapped to 0 and 255 (a hazy, low-contrast frame)."""
    lo, hi = np.percentile(image, STRETCH_PERCENTILES)
    scale = 255.0 / max(float(hi - lo), 1.0)
    return np.clip((image.astype(np.float32) - lo) * scale, 0, 255).astype(np.uint8)


def _import_mediapipe_vision() -> Any:
    """MediaPipe's Tasks vision API (the official `mediapipe` wheel: pure Python over a bundled C library)."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _quiet_stderr():
        import mediapipe
        from mediapipe.tasks.python import BaseOptions, vision

    return mediapipe, BaseOptions, vision


class MediaPipeLocator:
    """MediaPipe's HandLandmarker (Tasks API) with the bundled model `HAND_MODEL`: a square box around the 21
    landmarks. Nothing is downloaded: the model travels inside the package (training/make_hand_model.py).

    `video=True` runs the landmarker in VIDEO mode: it tracks the hand from frame to frame, and the palm detector
    runs only when tracking is lost (~6 ms a frame here instead of ~13 ms). Timestamps come from the frames
    (`locate(..., timestamp_s=)`), kept strictly increasing as MediaPipe requires (a looping video restarts at 0).
    A photo is read the way the live view reads a hand held still: by a fresh VIDEO-mode landmarker run on it
    PHOTO_SETTLE_FRAMES times (the palm detector finds the hand, then tracking refines the landmarks from their own
    last position), so a photo and a video of it settle on the same points (benchmarks/live_photo_agreement.py).
    When nothing is found, a second pass on the image with a black border catches hands
    that fill the frame; for video that pass has its own tracking instance, and with no hand at all it runs only
    every VIDEO_RETRY_EVERY-th frame. Photos that both passes miss are tried again brightened and
    contrast-stretched at a lower detection threshold (`photo_retries`; see RETRY_DETECTION_CONFIDENCE).
    The Tasks landmarker labels handedness as the hand appears in an unmirrored image (the legacy `solutions`
    API assumed a selfie view: on sign_mnist_sources, whose signers sign with the right hand, this model says
    "Right" for 67 of 68 photos), so `side` is swapped only when `mirrored_input` is set. It is unreliable on
    sideways letters; the landmark model reads both views and does not depend on it.
    """

    mode = "auto"

    def __init__(
        self,
        *,
        video: bool = False,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        margin: float = DEFAULT_MARGIN,
        border: float = DEFAULT_BORDER,
        mirrored_input: bool = False,
        photo_retries: bool = True,
        model_path: Path | None = None,  # None: the bundled HAND_MODEL, checked against its digest
    ):
        self._mediapipe, self._base_options, self._vision = _import_mediapipe_vision()
        self.model_path = Path(model_path or HAND_MODEL)
        # Read once: a photo makes a fresh landmarker from these bytes (see _PhotoSettler), not from the file.
        if model_path is None:
            self._model_bytes = check_digest(HAND_MODEL, HAND_MODEL_BYTES, HAND_MODEL_SHA256)
        else:
            with reading_asset(self.model_path):
                self._model_bytes = self.model_path.read_bytes()
        self.video = video
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.margin = margin
        self.border = border
        self.mirrored_input = mirrored_input
        self.photo_retries = photo_retries and not video
        self._landmarkers: list[Any] = []  # every instance made, closed together
        self._low: Any | None = None  # the photo retries' lower-threshold instance, made on first use
        with reading_asset(self.model_path):  # MediaPipe refuses a file that is not a hand landmarker bundle
            if not video:
                self._new_landmarker(keep=False).close()  # photos make theirs later: find out now
            self._main = self._new_landmarker() if video else _PhotoSettler(self._new_landmarker)
        self._retry: Any | None = self._main if not video else None
        self._misses = 0  # consecutive frames the first pass found nothing (video)
        self._retry_tracking = False  # the bordered pass found the hand last frame (video)
        self._last_ms = -1  # the last VIDEO-mode timestamp given to MediaPipe
        # MediaPipe's own finaliser fails at interpreter exit; close while the modules are still there.
        self._finalizer = weakref.finalize(self, _close_all, self._landmarkers)

    def _new_landmarker(self, *, min_detection_confidence: float | None = None, keep: bool = True) -> Any:
        """A VIDEO-mode landmarker; `keep`: closed with the locator (else the caller closes it)."""
        vision = self._vision
        options = vision.HandLandmarkerOptions(
            base_options=self._base_options(model_asset_buffer=self._model_bytes),
            running_mode=vision.RunningMode.VIDEO,
            num_hands=1,
            min_hand_detection_confidence=min_detection_confidence or self.min_detection_confidence,
            min_tracking_confidence=self.min_tracking_confidence,
        )
        with _quiet_stderr():
            landmarker = vision.HandLandmarker.create_from_options(options)
        if keep:
            self._landmarkers.append(landmarker)
        return landmarker

    def _detect(self, landmarker: Any, image_rgb: np.ndarray, timestamp_ms: int = 0
                ) -> tuple[np.ndarray, str, float, Any] | None:
        """(points (21, 3): x, y in px and z in x's px units; side; handedness score; world landmarks or None)."""
        global _landmarks_warning_done
        image = self._mediapipe.Image(image_format=self._mediapipe.ImageFormat.SRGB,
                                      data=np.ascontiguousarray(image_rgb))
        run = (lambda: landmarker.detect_for_video(image, timestamp_ms)) if self.video else (
            lambda: landmarker.detect(image))  # a _PhotoSettler
        if _landmarks_warning_done:
            result = run()
        else:
            with _quiet_stderr():
                result = run()
        if not result.hand_landmarks:
            return None
        _landmarks_warning_done = True
        h, w = image_rgb.shape[:2]
        points = np.array([(p.x * w, p.y * h, p.z * w) for p in result.hand_landmarks[0]], np.float32)
        world = None
        if result.hand_world_landmarks:
            world = np.array([(p.x, p.y, p.z) for p in result.hand_world_landmarks[0]], np.float32)
        label = result.handedness[0][0]
        side = label.category_name.lower()
        if self.mirrored_input:
            side = {"left": "right", "right": "left"}.get(side, side)
        return points, side, float(label.score), world

    def _should_retry(self) -> bool:
        """Photos: always. Video: while the bordered pass tracks a hand, else every Nth miss."""
        return not self.video or self._retry_tracking or self._misses % VIDEO_RETRY_EVERY == 1

    def _bordered(self, landmarker: Any, image_rgb: np.ndarray, timestamp_ms: int = 0
                  ) -> tuple[np.ndarray, str, float, Any] | None:
        """`_detect` on the image inside a black border, points moved back to the image's coordinates."""
        pad = int(round(self.border * max(image_rgb.shape[:2])))
        padded = cv2.copyMakeBorder(image_rgb, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(0, 0, 0))
        found = self._detect(landmarker, padded, timestamp_ms)
        if found is None:
            return None
        points = found[0].copy()
        points[:, :2] -= pad
        return (points, *found[1:])

    def _photo_retry(self, image_rgb: np.ndarray) -> tuple[np.ndarray, str, float, Any] | None:
        """Brightened, then contrast-stretched, each plain and bordered, at RETRY_DETECTION_CONFIDENCE."""
        if self._low is None:
            self._low = _PhotoSettler(lambda **kw: self._new_landmarker(
                min_detection_confidence=RETRY_DETECTION_CONFIDENCE, **kw))
        for variant in (brightened(image_rgb), stretched(image_rgb)):
            found = self._detect(self._low, variant)
            if found is None and self.border > 0:
                found = self._bordered(self._low, variant)
            if found is not None:
                return found
        return None

    def _timestamp_ms(self, timestamp_s: float | None) -> int:
        """The frame's time in ms, nudged past the last one: VIDEO mode refuses a timestamp that does not grow."""
        wanted = int(round(1000 * timestamp_s)) if timestamp_s is not None else self._last_ms + 33
        self._last_ms = max(wanted, self._last_ms + 1)
        return self._last_ms

    def locate(self, image_bgr: np.ndarray, timestamp_s: float | None = None) -> Box | None:
        if self._main is None:
            raise RuntimeError("the hand locator is closed")
        # MediaPipe looks at 192-224 px crops; a large photo only costs memory (the retries' copies: ~60 bytes a
        # pixel, 1.3 GB for a 12 MP phone photo), so it is located at LOCATE_MAX_SIDE and the points scaled back.
        height, width = image_bgr.shape[:2]
        scale = min(1.0, LOCATE_MAX_SIDE / max(height, width))
        if scale < 1.0:  # each side at least 1 px: a 10000x3 photo would round to 0 rows (issue 31)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            image_bgr = cv2.resize(image_bgr, size, interpolation=cv2.INTER_AREA)
            scale_xy = np.array([size[0] / width, size[1] / height, size[0] / width], np.float32)
        else:
            scale_xy = np.ones(3, np.float32)
        image_rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        timestamp_ms = self._timestamp_ms(timestamp_s) if self.video else 0
        found = self._detect(self._main, image_rgb, timestamp_ms)
        self._misses = 0 if found is not None else self._misses + 1
        if found is None and self.border > 0 and self._should_retry():
            if self._retry is None:
                self._retry = self._new_landmarker()
            found = self._bordered(self._retry, image_rgb, timestamp_ms)
            self._retry_tracking = found is not None
        if found is None and self.photo_retries:
            found = self._photo_retry(image_rgb)
        if found is None:
            return None
        points, side, score, world = found
        points = points / scale_xy  # x, y and z (in x's pixel units) back in the caller's pixels
        x, y, side_px = square_box(points[:, :2], self.margin)
        return Box(x, y, side_px, side_px, side=side, score=score, landmarks=points[:, :2].copy(),
                   landmarks_z=points[:, 2] - points[0, 2], world_landmarks=world)

    def close(self) -> None:
        self._finalizer()
        self._main = self._retry = self._low = None


class _PhotoSettler:
    """`detect(image)` for a photo: a fresh VIDEO-mode landmarker from `make(keep=False)` sees the image
    PHOTO_SETTLE_FRAMES times and the last reading with a hand is kept (tracking state never leaks between photos).
    ~15 ms to make a landmarker, then ~7 ms a tracked frame: ~40 ms a photo instead of ~13 ms."""

    def __init__(self, make: Any):
        self._make = make

    def detect(self, image: Any) -> Any:
        landmarker = self._make(keep=False)
        try:
            result = landmarker.detect_for_video(image, 0)
            for frame in range(1, PHOTO_SETTLE_FRAMES if result.hand_landmarks else 0):
                tracked = landmarker.detect_for_video(image, frame * 33)
                if not tracked.hand_landmarks:
                    break
                result = tracked
            return result
        finally:
            landmarker.close()

    def close(self) -> None:
        """Nothing held between photos."""


def _close_all(landmarkers: list[Any]) -> None:
    while landmarkers:
        landmarker = landmarkers.pop()
        try:
            landmarker.close()
        except RuntimeError:  # at interpreter exit MediaPipe's worker thread is gone: the process frees it all
            landmarker._handle = None  # and MediaPipe's own __del__ would fail the same way, noisily


GUIDE_BOX_INSTEAD = ". Hands are read in the fixed guide box until then."


def hand_model_problem() -> str:
    """"" when the bundled hand model is the file signcam ships; else one line naming it and saying to reinstall,
    for the app to show at start (the auto mode then reads hands in the guide box). Reads it: ~20 ms."""
    try:
        check_digest(HAND_MODEL, HAND_MODEL_BYTES, HAND_MODEL_SHA256)
    except AssetError as e:
        return f"{e}{GUIDE_BOX_INSTEAD}"
    return ""


def _box_options(options: dict[str, Any]) -> dict[str, Any]:
    """The guide box's own options (size, cx, cy) among a locator's options."""
    return {k: options[k] for k in ("size", "cx", "cy") if k in options}


def _auto_locator(*, video: bool = False, **options: Any) -> HandLocator:
    """MediaPipe Hands; without MediaPipe installed it logs a warning and returns the guide box."""
    box_options = _box_options(options)
    auto_options = {k: v for k, v in options.items() if k not in box_options}
    try:
        return MediaPipeLocator(video=video, **auto_options)
    except AssetError as e:
        logger.warning("%s%s", e, GUIDE_BOX_INSTEAD)
        return GuideBoxLocator(**box_options)
    except ImportError as e:
        logger.warning(
            "roi auto needs MediaPipe, which is not installed (%s); using the fixed guide box instead. "
            "Install it with: pip install 'mediapipe>=0.10.30,<0.10.32'",
            e,
        )
        return GuideBoxLocator(**box_options)


def _box_locator(*, video: bool = False, **options: Any) -> HandLocator:
    return GuideBoxLocator(**_box_options(options))


def _full_locator(*, video: bool = False, **_other: Any) -> HandLocator:
    return FullFrameLocator()


N_LANDMARKS = 21  # points in Box.landmarks (MediaPipe Hands): the wrist, then 4 per finger from thumb to little finger

# The hand-locating modes, in menu order: name -> factory(video=..., **options). A new locator is one class and
# one line here; the config, the CLI's --roi and the Recognition menu read their choices from this dict.
ROI_MODES: dict[str, Callable[..., HandLocator]] = {"auto": _auto_locator, "box": _box_locator, "full": _full_locator}


def make_locator(mode: str, *, video: bool = False, **options: Any) -> HandLocator:
    """A locator for `mode` in ROI_MODES. `options` go to the locator (e.g. size/cx/cy for box,
    margin/border/photo_retries for auto; options meant for another mode are ignored).
    `auto` without MediaPipe installed logs a warning and returns the `box` locator."""
    if mode not in ROI_MODES:
        raise ValueError(f"unknown roi mode {mode!r}; choose from {', '.join(ROI_MODES)}")
    return ROI_MODES[mode](video=video, **options)
