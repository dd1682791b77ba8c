"""`signcam` from the command line: arguments reach the window and override saved settings."""

import signcam.ui.app as app_module
from signcam.ui.settings import Key
from tests.ui.conftest import run_app_until_exec


def test_run_app_opens_window_with_command_line_choices(qtbot, monkeypatch, settings, test_weights, gray_video):
    settings.set_value(Key.ROI, "box")
    window = run_app_until_exec(monkeypatch, settings, [
        "--source", str(gray_video), "--weights", str(test_weights), "--roi", "full", "--device", "cpu"])
    qtbot.addWidget(window)
    assert window.source == str(gray_video)
    assert window.recognizer.roi == "full"  # the command line beats the saved "box"
    assert window.pages.currentWidget() is window.live_view


def test_parse_source_reads_digits_as_camera_index():
    assert app_module.parse_source("1") == 1
    assert app_module.parse_source("clip.avi") == "clip.avi"
    assert app_module.parse_source(None) is None
