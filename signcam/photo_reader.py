"""Still photos for the app: read through `open_source` like every other input, recognised by a
recognizer made from the current RecognitionConfig when the first photo needs it.

Loading the weights costs a few seconds the first time (torch), so nothing loads until a photo is
opened; a new config re-thresholds the same recognizer, and new weights replace it. No Qt here.

Usage:
    reader = PhotoReader(settings)              # settings: signcam.pipeline.config.RecognitionSettings
    image_bgr, rec = reader.read(path)          # ValueError with a message for the user
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from signcam.pipeline.config import RecognitionConfig, RecognitionSettings
from signcam.pipeline.sources import SourceError, read_photo

if TYPE_CHECKING:
    from signcam.pipeline.recognizer import Recognition, Recognizer


class PhotoReader:
    def __init__(self, settings: RecognitionSettings) -> None:
        self._settings = settings
        self.recognizer: Recognizer | None = None  # None until the first photo (or after new weights)
        settings.changed.connect(self._on_config_changed)

    def read(self, path: str | os.PathLike) -> tuple[np.ndarray, Recognition]:
        """(image, Recognition) of one photo; ValueError saying why it cannot be read."""
        try:
            frame = read_photo(path)
        except SourceError as e:
            raise ValueError(f"Cannot open this photo: {e}") from None
        if self.recognizer is None:
            from signcam.pipeline.builder import build_recognizer
            from signcam.store.weights import DeviceError, WeightsError

            try:
                self.recognizer = build_recognizer(self._settings.config, video=False)
            except (WeightsError, DeviceError) as e:
                raise ValueError(f"Cannot load the model: {e}\nChoose Recognition > Weights or Device.") from None
        return frame.image_bgr, self.recognizer.step(frame)

    def replace(self, recognizer: Recognizer | None) -> None:
        """Use `recognizer` (already loaded with new weights or device), or load lazily again (None)."""
        self.close()
        self.recognizer = recognizer

    def close(self) -> None:
        if self.recognizer is not None:
            self.recognizer.close()
            self.recognizer = None

    def _on_config_changed(self, old: RecognitionConfig, new: RecognitionConfig) -> None:
        if self.recognizer is not None:
            from signcam.pipeline.builder import needs_rebuild, reconfigure

            if needs_rebuild(old, new):
                self.close()  # the next photo builds from the new config, and says so if it cannot
            else:
                reconfigure(self.recognizer, old, new, video=False)
