"""The recognition config: weights, device, hand locating, fusion, smoothing and threshold, one frozen value.

The window holds one `RecognitionSettings`; the recognition thread and the photo reader subscribe to
`changed` and rebuild from the new config what changed (signcam.pipeline.builder.build_recognizer is the one place
that turns its strings into parts). A change replaces the config whole, so a subscriber sees either the old
or the new one, never a mix. Every number that decides what counts as a letter lives here once. No Qt, no
torch here.

Usage:
    settings = RecognitionSettings(RecognitionConfig(roi="box"))
    settings.changed.connect(lambda old, new: ...)
    settings.update(threshold=0.7)            # emits changed(old, new) once; same values emit nothing
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from signcam.pipeline.locate import ROI_MODES

# Every device the app can name, in menu order; `available_devices()` says which this machine has.
DEVICE_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "GPU (CUDA)", "mps": "Apple GPU (MPS)"}
DEFAULT_THRESHOLD = 0.6  # at 0.6, 96.3% of the letters shown on 25 held-out people's hands are right (README)
# Each letter model's share of the fused log-probabilities (signcam.pipeline.fusion), by model name
# (signcam.pipeline.builder's
# LETTER_MODELS). Chosen with the CNN of branch i14 (Sign-MNIST + extra/'s crops, four extra/ persons held out) on
# the nine persons neither model saw (those four + real_dev's five; 1,650 hands; the landmark model's held-out
# logits): landmark shares 0.6-0.7 minimise the NLL on the other eight for every one of the nine (0.6 x4, 0.7 x5);
# mean top-1 per person 0.921 at 0.6-0.7, 0.912 landmarks alone, 0.568 CNN alone (benchmarks/real_photos.py --lopo).
LANDMARK_SHARE = 0.7
FUSION_SHARES = (("cnn", 1.0 - LANDMARK_SHARE), ("landmarks", LANDMARK_SHARE))
# CNN weights fine-tuned on the learner's own samples (their metadata lists the letters and how many samples of each)
# are fused at these shares on those letters only; on the letters never captured the bundled CNN keeps its share
# (signcam.pipeline.builder). 0.8 CNN on every letter (the old rule) read the learner's other letters 21 points worse
# after 5 samples of one letter, and other people 21 points worse; once all 24 letters are captured, CNN 0.4 loses
# 0.1-0.2 points on other people (0.8: 19, 0.6: 2.7) and gains as much on the learner as any share
# (benchmarks/README.md, "Retraining on your hand only helps").
PERSONAL_LANDMARK_SHARE = 0.6
PERSONAL_FUSION_SHARES = (("cnn", 1.0 - PERSONAL_LANDMARK_SHARE), ("landmarks", PERSONAL_LANDMARK_SHARE))
PERSONAL_MIN_SAMPLES = 1  # one sample of a letter already helped and never hurt in that benchmark
# Divides the fused log-probabilities. The NLL-best 0.7-0.8 is calibrated (ECE 0.02) but shows letters that are 94%
# right at the threshold 0.6; 0.9 is the sharpest that keeps both promises on those nine persons: ECE 0.043
# (<= 0.05), a letter shown for 89% of found hands (>= 75%), 95.0% of them right (>= 95%). 1.0: ECE 0.082.
FUSED_TEMPERATURE = 0.9


@dataclass(frozen=True)
class RecognitionConfig:
    weights: str | None = None  # the CNN's .safetensors path; None = the bundled weights
    device: str = "auto"  # a DEVICE_LABELS key, or "cuda:1"; every model runs there
    roi: str = "auto"  # a ROI_MODES key (the locator registry)
    threshold: float = DEFAULT_THRESHOLD  # below this smoothed probability no letter is shown or counted
    landmark_weights: str | None = None  # the landmark model's file; None = the bundled one (skipped if absent)
    shares: tuple[tuple[str, float], ...] = FUSION_SHARES  # (model name, share); share 0 = model not loaded
    personal_shares: tuple[tuple[str, float], ...] = PERSONAL_FUSION_SHARES  # on the letters the CNN learnt from
    personal_min_samples: int = PERSONAL_MIN_SAMPLES  # ... with at least this many of the learner's samples
    temperature: float = FUSED_TEMPERATURE  # divides the fused log-probabilities (> 0)
    window: int = 5  # frames the smoother averages: ~170 ms at 30 fps, so one misread frame shows nothing
    hold_ms: float = 800.0  # how long a letter is held until practice counts it as signed
    mirror_left: bool = True  # flip hands that look like left hands (Recognizer's docstring has the figures)

    def __post_init__(self) -> None:
        if self.roi not in ROI_MODES:
            raise ValueError(f"unknown roi mode {self.roi!r}; choose from {', '.join(ROI_MODES)}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], got {self.threshold}")
        for name, share in (*self.shares, *self.personal_shares):
            if share < 0.0:
                raise ValueError(f"the share of {name!r} must be >= 0, got {share}")
        if self.personal_min_samples < 1:
            raise ValueError(f"personal_min_samples must be >= 1, got {self.personal_min_samples}")
        if self.temperature <= 0.0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")

    def needs_reload(self, other: RecognitionConfig) -> bool:
        """True when going from self to `other` needs models loaded again (new file, device or set of models)."""
        return self._models_key() != other._models_key()

    def _models_key(self) -> tuple:
        used = {name for name, share in (*self.shares, *self.personal_shares) if share > 0.0}
        return self.weights, self.landmark_weights, self.device, frozenset(used)


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
