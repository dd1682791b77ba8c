"""Issue 24 in the app: the trainer process runs isolated from the current folder (code planted there never
runs), a video error names the path as it was typed, and a folder as source shows all its photos."""

import os
from pathlib import Path

from benchmarks.hostile import grey_jpeg
from signcam.ui.training_process import TrainingProcess, runner_command

PLANT = "import pathlib; pathlib.Path({marker!r}).write_text('ran')\n"


def test_runner_command_is_isolated_with_an_absolute_root():
    program, args = runner_command({"epochs": 1})
    assert args[0] == "-I" and args[1] == "-c" and "-m" not in args
    root = Path(args[3])
    assert root.is_absolute() and (root / "training" / "runner.py").is_file()


def test_code_planted_in_the_current_folder_does_not_run(qtbot, tmp_path, monkeypatch):
    marker = tmp_path / "planted-code-ran"
    (tmp_path / "training").mkdir()
    (tmp_path / "training" / "__init__.py").write_text(PLANT.format(marker=str(marker)))
    (tmp_path / "training" / "runner.py").write_text(PLANT.format(marker=str(marker)))
    (tmp_path / "json.py").write_text(PLANT.format(marker=str(marker)))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    process = TrainingProcess()
    with qtbot.waitSignal(process.failed, timeout=60_000) as failed:
        process.start({"train_csv": str(tmp_path / "missing.csv"), "test_csv": str(tmp_path / "missing.csv")})
    assert "missing.csv: file not found" in failed.args[0]  # the real runner answered
    assert not marker.exists()


def test_video_error_keeps_the_path_as_typed(qtbot, make_window, tmp_path, monkeypatch):
    """Issue 24: the message named "Vid/broken.avi" for vid/broken.avi."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vid").mkdir()
    (tmp_path / "vid" / "broken.avi").write_bytes(b"not a video")
    window = make_window()
    window.start_source("vid/broken.avi")
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.empty_view, timeout=5000)
    assert window.empty_view.detail.startswith("vid/broken.avi: ")


def test_folder_as_source_shows_every_photo(qtbot, make_window, tmp_path, monkeypatch):
    """Issue 24: a folder given to --source played as a video (15 of 300 photos, then "End of video")."""
    monkeypatch.setattr("signcam.pipeline.sources.FOLDER_PHOTO_S", 0.2)
    for i in range(4):
        grey_jpeg(tmp_path / f"{i}.jpg", side=64)
    window = make_window(roi="box")
    seen: list[str] = []
    window.recognition_changed.connect(lambda rec: seen.append(Path(rec.frame.origin).name))
    window.start_source(str(tmp_path))
    qtbot.waitUntil(lambda: len(set(seen)) == 4, timeout=60_000)  # the model loads first: slow on a busy machine
    assert sorted(set(seen)) == ["0.jpg", "1.jpg", "2.jpg", "3.jpg"]
