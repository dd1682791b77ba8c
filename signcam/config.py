"""The recognition config: weights, device, hand locating and threshold, one frozen value for the whole app.

The window holds one `RecognitionSettings`; recognizers, the overlay's and practice's smoothers and the
views read the current `RecognitionConfig` from it and subscribe to `changed`. A change replaces the
config whole, so a subscriber sees either the old or the new one, never a mix, and can tell from the
two whether it must reload weights (at most once per change) or only re-threshold. No Qt, no torch here.

Usage:
    settings = RecognitionSettings(RecognitionConfig(roi="box"))
    settings.changed.connect(lambda old, new: ...)
    settings.update(threshold=0.7)            # emits changed(old, new) once; same values emit nothing
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from signcam.locate import ROI_MODES

# Every device the app can name, in menu order; `available_devices()` says which this machine has.
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "GPU (CUDA)", "mps": "Apple GPU (MPS)"}
DEFAULT_THRESHOLD = 0.6  # at 0.6, 89.5% of the letters shown on strangers' hands are right (README)


@dataclass(frozen=True)
class RecognitionConfig:
    weights: str | None = None  # a .safetensors path; None = the bundled weights
    device: str = "auto"  # a DEVICE_LABELS key, or "cuda:1"
    roi: str = "auto"  # a ROI_MODES value
    threshold: float = DEFAULT_THRESHOLD  # below this probability no letter is shown or counted

    def __post_init__(self) -> None:
        if self.roi not in ROI_MODES:
            raise ValueError(f"unknown roi mode {self.roi!r}; choose from {', '.join(ROI_MODES)}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")

    def needs_reload(self, other: RecognitionConfig) -> bool:
        """True when going from self to `other` needs the weights loaded again (new file or device)."""
        return (self.weights, self.device) != (other.weights, other.device)


class Event:
    """A tiny callback list (napari's EventEmitter, without Qt): `connect(cb)`, `emit(*args)`."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[..., object]] = []

    def connect(self, callback: Callable[..., object]) -> None:
        self._callbacks.append(callback)

    def disconnect(self, callback: Callable[..., object]) -> None:
        self._callbacks.remove(callback)

    def emit(self, *args: object) -> None:
        for callback in list(self._callbacks):
            callback(*args)


class RecognitionSettings:
    """Holds the current RecognitionConfig; `changed(old, new)` fires once per real change."""

    def __init__(self, config: RecognitionConfig | None = None) -> None:
        self.config = config or RecognitionConfig()
        self.changed = Event()

    def update(self, **changes: object) -> RecognitionConfig:
        """Replace the config with `changes` applied; ValueError (and no change) for a bad value."""
        new = replace(self.config, **changes)
        if new != self.config:
            old, self.config = self.config, new
            self.changed.emit(old, new)
        return self.config


def available_devices() -> dict[str, str]:
    """DEVICE_LABELS restricted to what this machine has (imports torch: call it once the model is loaded)."""
    import torch

    have = {"auto": True, "cpu": True, "cuda": torch.cuda.is_available(), "mps": torch.backends.mps.is_available()}
    return {name: label for name, label in DEVICE_LABELS.items() if have[name]}
