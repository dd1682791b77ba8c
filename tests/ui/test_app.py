"""`signcam` from the command line: arguments reach the window and override saved settings."""

import os
import subprocess
import sys
from pathlib import Path

import signcam.ui.app as app_module
from signcam.ui.settings import Key
from tests.ui.conftest import run_app_until_exec


def test_run_app_opens_window_with_command_line_choices(qtbot, monkeypatch, settings, test_weights, gray_video):
    settings.set_value(Key.ROI, "box")
    window = run_app_until_exec(monkeypatch, settings, [
        "--source", str(gray_video), "--weights", str(test_weights), "--roi", "full", "--device", "cpu"])
    qtbot.addWidget(window)
    assert window.source == str(gray_video)
    assert window.recognition.config.roi == "full"  # the command line beats the saved "box"
    assert window.pages.currentWidget() is window.live_view


def test_parse_source_reads_digits_as_camera_index():
    assert app_module.parse_source("1") == 1
    assert app_module.parse_source("clip.avi") == "clip.avi"
    assert app_module.parse_source(None) is None


def test_window_with_its_menus_is_built_without_torch_or_mediapipe(tmp_path):
    """The window must appear before the slow imports (issue 13: 9.5-12 s to a window): building it with
    the Practice and Training menus loads neither torch nor MediaPipe; the worker loads them later."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from signcam.ui.app import make_application\n"
        "from signcam.ui.main_window import MainWindow\n"
        "from signcam.ui.practice_menu import install_practice\n"
        "from signcam.ui.settings import Settings\n"
        "from signcam.ui.training_menu import install_training\n"
        "app = make_application()\n"
        f"settings = Settings(QSettings({str(tmp_path / 's.ini')!r}, QSettings.Format.IniFormat))\n"
        "window = MainWindow(settings)\n"
        "install_practice(window, settings=settings)\n"
        "install_training(window, settings)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print(sorted(m for m in ('torch', 'mediapipe', 'pandas', 'pyqtgraph') if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_DATA_HOME": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_no_display_says_so_and_how_to_run_it():
    """Issue 23: without a display Qt aborted with "xcb-cursor0 is needed... reinstalling may fix this"."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    code = "from signcam.cli import main; raise SystemExit(main([]))"  # what `make run` runs: bin/signcam
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no display found" in result.stderr and "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "xcb" not in result.stderr
    assert app_module.display_problem({"DISPLAY": ":0"}, "linux") == ""
    assert app_module.display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") == ""
    assert app_module.display_problem({}, "win32") == ""


def test_unchecked_menu_toggles_show_a_visible_box(qtbot):
    """Issue 23: on the dark palette an unchecked toggle's box was nearly invisible."""
    from PySide6.QtGui import QAction, QColor
    from PySide6.QtWidgets import QMenu

    app_module.make_application()
    menu = QMenu()
    qtbot.addWidget(menu)
    menu.addAction(QAction("Mirror view", menu, checkable=True, checked=False))
    image = menu.grab().toImage()
    background = QColor(image.pixel(image.width() - 3, image.height() // 2)).lightness()
    box = [QColor(image.pixel(x, y)).lightness() for x in range(4, 26) for y in range(2, image.height() - 2)]
    assert max(box) - background > 60  # the outline stands out from the menu
