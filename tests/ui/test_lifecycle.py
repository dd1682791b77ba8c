"""The recognition thread's lifecycle as the user sees it (issue 20): the picture or "No camera" before the
model has loaded, quitting while it loads, and a process that ends when the window does."""

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from signcam.pipeline import builder
from signcam.pipeline.sources import open_source
from signcam.ui import main_window
from signcam.ui.main_window import LOADING

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def slow_model(monkeypatch):
    """build_recognizer blocks until the test releases it: a model that takes long to load."""
    release = threading.Event()
    real = builder.build_recognizer

    def slow(config, *, video):
        release.wait(30)
        return real(config, video=video)

    monkeypatch.setattr(builder, "build_recognizer", slow)
    yield release
    release.set()


def test_camera_picture_plays_before_the_model_has_loaded(qtbot, make_window, gray_video, slow_model, monkeypatch):
    monkeypatch.setattr(main_window, "open_source", lambda spec, **kw: open_source(str(gray_video), **kw))
    window = make_window(roi="box", loop=True)
    window.show()
    window.start_source(0)  # camera 0 is the video file
    qtbot.waitUntil(lambda: window.live_view._image is not None, timeout=5000)  # a frame is painted
    assert window.live_view.message == LOADING and window.live_view.recognition is None
    assert window.live_view.state_text() == LOADING
    slow_model.set()
    qtbot.waitUntil(lambda: window.live_view.recognition is not None, timeout=10000)
    assert window.live_view.message == ""


def test_video_picture_shows_before_the_model_has_loaded(qtbot, make_window, gray_video, slow_model):
    """Issue 32: a video showed only "Opening video: X…" until the model loaded; a camera showed its picture."""
    window = make_window(roi="box")
    window.show()
    window.start_source(str(gray_video))
    qtbot.waitUntil(lambda: window.live_view._image is not None, timeout=5000)  # its first frame, paused
    assert window.live_view.message == LOADING and window.live_view.recognition is None
    slow_model.set()
    qtbot.waitUntil(lambda: window.live_view.recognition is not None, timeout=10000)
    assert window.live_view.recognition.frame.index == 0  # read from its first frame once the model is there


def test_no_camera_is_said_before_the_model_has_loaded(qtbot, make_window, slow_model):
    window = make_window()
    window.show()
    window.start_source(7)  # no camera 7 on a test machine
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.empty_view, timeout=5000)
    assert window.empty_view.title == "No camera" and window.model_info is None
    # Issue 32: the status bar said "loading…" for ever, About "Models: none loaded yet / Runs on: loading…".
    qtbot.waitUntil(lambda: window.status.device_label.text() == "Model not loaded (no source)", timeout=2000)
    window._on_about()
    from signcam.ui.about import AboutDialog

    about = window.findChild(AboutDialog).summary_label.text()
    assert "no camera or video could be opened" in about and "loading" not in about


QUIT_SCRIPT = """
    import sys, threading, time
    from PySide6.QtCore import QTimer
    from signcam import cli
    from signcam.pipeline import builder
    from signcam.ui import app as app_module

    if {block_model}:  # a model that never finishes loading
        builder.build_recognizer = lambda config, *, video: time.sleep(60)
    threading.Thread(target=time.sleep, args=(60,)).start()  # a thread that would hold the interpreter open
    make = app_module.make_application

    def make_and_close(*args):
        app = make(*args)
        QTimer.singleShot(1500, lambda: [w.close() for w in app.topLevelWidgets() if w.isVisible()])
        return app

    app_module.make_application = make_and_close
    cli.main(["--source", sys.argv[1], "--loop", "--roi", "box", "--device", "cpu"])
"""


@pytest.mark.parametrize("block_model", [True, False], ids=["while-the-model-loads", "after-it-loaded"])
def test_quitting_ends_the_process_at_once(tmp_path, gray_video, block_model):
    """Closing the window ends the process with status 0: no "QThread: Destroyed while thread is still running"
    abort while the model loads, and no waiting for threads or teardown (a 60 s thread is left running)."""
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path),
           "PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    code = textwrap.dedent(QUIT_SCRIPT.format(block_model=block_model))
    result = subprocess.run([sys.executable, "-c", code, str(gray_video)], env=env, capture_output=True, text=True,
                            timeout=50)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Destroyed while thread" not in result.stderr
