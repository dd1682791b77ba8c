"""The one recognition config: frozen, validated, replaced whole, and changed() only on a real change."""

import pytest

from signcam.pipeline.config import DEVICE_LABELS, RecognitionConfig, RecognitionSettings, available_devices


def test_update_emits_once_per_real_change_and_refuses_bad_values():
    settings = RecognitionSettings()
    seen = []
    settings.changed.connect(lambda old, new: seen.append((old, new)))
    settings.update(threshold=0.6)  # the default already: nothing happens
    assert seen == []
    settings.update(threshold=0.8, roi="box")
    assert len(seen) == 1 and seen[0][1] == RecognitionConfig(threshold=0.8, roi="box")
    assert not seen[0][0].needs_reload(seen[0][1])
    with pytest.raises(ValueError, match="roi"):
        settings.update(roi="magic")
    with pytest.raises(ValueError, match="threshold"):
        settings.update(threshold=1.5)
    assert settings.config == RecognitionConfig(threshold=0.8, roi="box") and len(seen) == 1
    assert settings.config.needs_reload(RecognitionConfig(weights="w.safetensors", threshold=0.8, roi="box"))


def test_available_devices_always_offer_auto_and_cpu():
    available = available_devices()
    assert {"auto", "cpu"} <= set(available) <= set(DEVICE_LABELS)
