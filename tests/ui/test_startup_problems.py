"""The window starts and says what is wrong, where the user looks, instead of dying (issue 11)."""

import os
from pathlib import Path

import pytest

from signcam.labels import LETTERS
from signcam.models.model import ModelConfig, build_model
from signcam.store.weights import write_safetensors
from tests.core.test_history_unwritable import GARBAGE, read_only_folder
from tests.ui.conftest import run_app_until_exec


@pytest.fixture
def resnet_weights(tmp_path: Path) -> Path:
    """Valid tensors whose metadata names an architecture signcam does not have."""
    config = ModelConfig(width=8)
    meta = {"config": {**config.to_dict(), "arch": "resnet50"}, "letters": list(LETTERS)}
    return write_safetensors(tmp_path / "resnet.safetensors", build_model(config).state_dict(), meta)


def test_corrupt_history_in_read_only_folder_is_told_in_a_box_at_start(
        qtbot, monkeypatch, tmp_path, settings, test_weights, gray_video):
    data = tmp_path / "xdg-data"
    folder = data / "signcam"
    folder.mkdir(parents=True)
    (folder / "history.sqlite3").write_bytes(GARBAGE)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    read_only_folder(folder, monkeypatch)
    try:
        window = run_app_until_exec(monkeypatch, settings, [
            "--source", str(gray_video), "--weights", str(test_weights), "--roi", "full", "--device", "cpu"])
    finally:
        folder.chmod(0o755)
    qtbot.addWidget(window)
    assert window.pages.currentWidget() is window.live_view and window.live.running  # the app runs
    box = window.message_box
    assert box is not None and box.isVisible() and box.windowTitle() == "Practice history"
    assert "will not be saved" in box.text() and "Permission denied" in box.text()
    assert "could not be used" in window.statusBar().currentMessage()  # not cleared by the start
    assert (folder / "history.sqlite3").read_bytes() == GARBAGE
    assert os.listdir(folder) == ["history.sqlite3"]
    window.close()


def test_unknown_arch_weights_at_start_give_a_message_not_a_crash(
        qtbot, monkeypatch, settings, resnet_weights, gray_video):
    window = run_app_until_exec(monkeypatch, settings, [
        "--source", str(gray_video), "--weights", str(resnet_weights), "--device", "cpu"])
    qtbot.addWidget(window)
    # The window is up before the model loads (issue 13); the worker's failure then takes the page, in one line.
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.empty_view, timeout=10000)
    assert window.empty_view.title == "Cannot start recognition" and not window.live.running
    assert "unknown architecture 'resnet50'" in window.empty_view.detail
    assert "Traceback" not in window.empty_view.detail and window.model_info is None
    # Issue 32: the status bar said "loading…" for ever; it names the weights that failed, About says why.
    qtbot.waitUntil(lambda: window.status.device_label.text() == "Model failed to load (resnet.safetensors)",
                    timeout=2000)
    window._on_about()
    from signcam.ui.about import AboutDialog

    about = window.findChild(AboutDialog).summary_label.text()
    assert "failed to load" in about and "unknown architecture" in about and "loading…" not in about
    window.close()


def test_unknown_arch_weights_chosen_later_keep_the_previous_ones(make_window, test_weights, resnet_weights):
    window = make_window(roi="full")
    assert not window.load_weights(str(resnet_weights))
    assert window.recognition.config.weights == str(test_weights)  # still in use
    assert "unknown architecture" in window.last_error and "unchanged: w.safetensors" in window.last_error
