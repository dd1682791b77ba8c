"""`signcam` from the command line: arguments reach the window and override saved settings."""

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

import signcam.ui.app as app_module
from signcam.cli import build_app_parser
from signcam.ui.main_window import MainWindow
from signcam.ui.settings import Key


def test_run_app_opens_window_with_command_line_choices(qtbot, monkeypatch, settings, test_weights, gray_video):
    settings.set_value(Key.ROI, "box")
    windows = []

    def fake_exec(app: QApplication) -> int:
        windows.extend(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        return 0

    monkeypatch.setattr(app_module, "Settings", lambda: settings)
    monkeypatch.setattr(app_module.signal, "signal", lambda *args: None)
    monkeypatch.setattr(QApplication, "exec", fake_exec)
    names = QCoreApplication.organizationName(), QCoreApplication.applicationName()
    args = build_app_parser().parse_args(
        ["--source", str(gray_video), "--weights", str(test_weights), "--roi", "full", "--device", "cpu"])
    try:
        assert app_module.run_app(args) == 0
    finally:
        QCoreApplication.setOrganizationName(names[0])
        QCoreApplication.setApplicationName(names[1])
    assert len(windows) == 1
    window = windows[0]
    qtbot.addWidget(window)
    assert window.source == str(gray_video)
    assert window.recognition.config.roi == "full"  # the command line beats the saved "box"
    assert window.pages.currentWidget() is window.live_view


def test_parse_source_reads_digits_as_camera_index():
    assert app_module.parse_source("1") == 1
    assert app_module.parse_source("clip.avi") == "clip.avi"
    assert app_module.parse_source(None) is None
