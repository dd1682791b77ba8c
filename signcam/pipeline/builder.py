"""The one place that turns the recognition config's strings (weights paths, device, hand mode) into parts.

Everything below it takes objects (signcam.pipeline.recognizer.Recognizer(locator, models, fuser, smoother)), so
tests pass fakes; the GUI's recognition thread, the photo reader, `signcam predict` and the benchmarks all
build here. Like ultralytics' AutoBackend it owns the choice of model file and device: every model is put on
the one chosen device once, and torch's thread settings follow that device. No Qt here.

Usage:
    recognizer = build_recognizer(RecognitionConfig(roi="box"), video=True)
    recognizer = reconfigure(recognizer, old_config, new_config, video=True)   # rebuilds only what changed
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
import torch

from signcam.models.landmarks import BUNDLED_LANDMARK_WEIGHTS
from signcam.models.letter_models import CnnModel, LandmarkModel, LetterModel
from signcam.pipeline.config import RecognitionConfig
from signcam.pipeline.fusion import GeometricFuser
from signcam.pipeline.locate import HandLocator, make_locator
from signcam.pipeline.recognizer import Recognizer
from signcam.pipeline.smoothing import Smoother
from signcam.store.assets import damaged
from signcam.store.weights import WeightsError, read_info, resolve_device

log = logging.getLogger(__name__)


def _landmark_model(config: RecognitionConfig, device: torch.device) -> LetterModel | None:
    """An explicitly named file must load; without one, the bundled file when it is there and whole (a damaged
    one is named in a warning, and the CNN reads alone)."""
    if config.landmark_weights is not None:
        return LandmarkModel(config.landmark_weights, device)
    if not BUNDLED_LANDMARK_WEIGHTS.exists():
        return None
    try:
        return LandmarkModel(None, device)
    except WeightsError as e:
        log.warning("%s; letters are read by the CNN alone until then", damaged(BUNDLED_LANDMARK_WEIGHTS, e))
        return None


def _bundled_cnn(config: RecognitionConfig, device: torch.device) -> LetterModel:
    """The bundled CNN, beside weights fine-tuned on some of the learner's letters: it goes on reading the letters
    the learner never captured (their share is in _shares)."""
    model = CnnModel(None, device)
    model.name = BUNDLED_CNN
    return model


BUNDLED_CNN = "bundled_cnn"
# The letter models, by the name the config's shares use: name -> factory(config, device) -> model or None.
# A new model is one class (signcam.models.letter_models.LetterModel) and one line here.
LETTER_MODELS: dict[str, Callable[[RecognitionConfig, torch.device], LetterModel | None]] = {
    "cnn": lambda config, device: CnnModel(config.weights, device),
    "landmarks": _landmark_model,
    BUNDLED_CNN: _bundled_cnn,
}


def configure_threads(device: torch.device) -> None:
    """On CPU one torch thread: the CNN is too small to gain from more, and the capture and GUI threads need the
    other cores. On a GPU the host only launches kernels; cuDNN may pick the fastest kernels for the one input
    shape (28x28 crops, 21 landmarks)."""
    if device.type == "cpu":
        torch.set_num_threads(1)
    elif device.type == "cuda":
        torch.backends.cudnn.benchmark = True


def build_models(config: RecognitionConfig) -> list[LetterModel]:
    """Every model with a share, on the config's device (DeviceError, WeightsError when unusable). Which shares
    apply depends on the CNN's weights (fine-tuned on the learner's letters: config.personal_shares on those), so
    the CNN comes first."""
    device = resolve_device(config.device)
    configure_threads(device)
    models: list[LetterModel] = []
    for name, factory in LETTER_MODELS.items():
        if np.any(_shares(config, models).get(name, 0.0) > 0.0) and (model := factory(config, device)) is not None:
            models.append(model)
    return models


def _shares(config: RecognitionConfig, models: list[LetterModel]) -> dict[str, float | np.ndarray]:
    """config.shares, except for weights fine-tuned on the learner's letters (per-letter arrays then): on the letters
    with at least config.personal_min_samples samples, config.personal_shares; on the others, the CNN's share goes
    to the bundled CNN. A CNN fine-tuned on a few crops of one letter knows that letter on this hand and may have
    forgotten some of the rest, so the letters never captured are read exactly as before
    (benchmarks/personal_finetune.py)."""
    cnn = next((model for model in models if model.name == "cnn"), None)
    counts = getattr(cnn, "personal_letters", {}) if cnn is not None else {}
    mask = np.array([counts.get(letter, 0) >= config.personal_min_samples for letter in cnn.letters]) if counts \
        else None
    if mask is None or not mask.any():
        return dict(config.shares)
    plain, personal = dict(config.shares), dict(config.personal_shares)
    shares = {name: np.where(mask, personal.get(name, 0.0), plain.get(name, 0.0)) for name in {**plain, **personal}}
    if "cnn" in shares:
        shares[BUNDLED_CNN] = np.where(mask, 0.0, shares["cnn"])
        shares["cnn"] = np.where(mask, shares["cnn"], 0.0)
    return shares


def build_fuser(config: RecognitionConfig, models: list[LetterModel]) -> GeometricFuser:
    return GeometricFuser(_shares(config, models), config.temperature)


def build_locators(config: RecognitionConfig, video: bool) -> tuple[HandLocator, Callable[[], HandLocator] | None]:
    """The stream's locator and, for a video recognizer whose locator tracks, a maker of a still-image one."""
    locator = make_locator(config.roi, video=video)
    still = (lambda: make_locator(config.roi, video=False)) if video and locator.mode == "auto" else None
    return locator, still


def build_smoother(config: RecognitionConfig, letters: tuple[str, ...]) -> Smoother:
    return Smoother(letters, window=config.window, hold_ms=config.hold_ms, min_confidence=config.threshold)


def build_recognizer(config: RecognitionConfig, *, video: bool) -> Recognizer:
    """A Recognizer for `config`: `video` tracks and smooths a stream, else every frame stands alone."""
    models = build_models(config)
    locator, still = build_locators(config, video)
    return Recognizer(locator, models, build_fuser(config, models), build_smoother(config, models[0].letters),
                      video=video, still_locator=still, mirror_left=config.mirror_left)


def needs_rebuild(old: RecognitionConfig, new: RecognitionConfig) -> bool:
    """True when going from `old` to `new` changes more than the hand mode and the threshold."""
    smoothing = (old.window, old.hold_ms, old.mirror_left) != (new.window, new.hold_ms, new.mirror_left)
    fusion = ((old.shares, old.personal_shares, old.personal_min_samples, old.temperature)
              != (new.shares, new.personal_shares, new.personal_min_samples, new.temperature))
    return old.needs_reload(new) or smoothing or fusion


def reconfigure(recognizer: Recognizer, old: RecognitionConfig, new: RecognitionConfig, *, video: bool) -> Recognizer:
    """`recognizer` changed in place when only the hand mode or the threshold changed; a new Recognizer (the old
    one left open: the caller closes it once the new one is in use) when models, fusion or smoothing changed."""
    if needs_rebuild(old, new):
        return build_recognizer(new, video=video)
    if new.roi != old.roi:
        recognizer.set_locator(*build_locators(new, video))
    recognizer.threshold = new.threshold
    return recognizer


def check_config(config: RecognitionConfig) -> None:
    """Raise DeviceError or WeightsError now for what can be checked in milliseconds without loading a model
    (the device exists, the weights file is a signcam file for these letters), so a menu can refuse a bad choice
    at once; the recognition thread then loads it."""
    resolve_device(config.device)
    if config.weights is not None:
        read_info(config.weights)
