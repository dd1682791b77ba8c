"""Recognition > Weights names the weights in use and lists the adopted ones (issue 29: only "Bundled" and
"Custom file…", which opened in the working folder, so a learner could not find an adopted retrain again)."""

import shutil
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from signcam.store.user_weights import WeightsHistory, adopted_at
from signcam.ui.training_menu import install_training


def adopt_copy(history: WeightsHistory, weights) -> str:
    candidate = history.new_candidate_path()
    shutil.copy(weights, candidate)
    return str(history.adopt(candidate))


def shown(menu) -> list[tuple[str, bool, bool]]:
    """(text, checked, enabled) of the menu's entries as it opens."""
    menu.aboutToShow.emit()
    return [(a.text(), a.isChecked(), a.isEnabled()) for a in menu.actions() if not a.isSeparator()]


def test_weights_menu_names_the_weights_in_use_and_lists_adopted_ones(qtbot, make_window, settings, tmp_path,
                                                                      test_weights, monkeypatch):
    history = WeightsHistory(tmp_path / "user")
    older, newer = adopt_copy(history, test_weights), adopt_copy(history, test_weights)
    window = make_window()  # test_weights: a custom file
    install_training(window, settings, tmp_path / "user")
    menu = window.recognition_menu.weights_menu
    trained = adopted_at(newer)
    newer_label = f"Yours, trained {trained.day} {trained:%b %Y %H:%M}"
    entries = shown(menu)
    assert entries[0] == ("In use: w.safetensors", False, False)
    texts = [text for text, _, _ in entries[1:]]
    assert texts[0] == "&Bundled" and texts[3:] == ["w.safetensors", "&Custom file…"]
    if adopted_at(older).replace(second=0, microsecond=0) == trained.replace(second=0, microsecond=0):
        assert texts[1:3] == [f"{newer_label} ({Path(p).stem})" for p in (newer, older)]  # same minute: told apart
    else:
        assert texts[1] == newer_label and texts[2].startswith("Yours, trained ")
    assert [checked for _, checked, _ in entries] == [False, False, False, False, True, False]

    window.recognition_menu.weights_actions[newer].trigger()
    assert window.recognition.config.weights == newer
    in_use = window.recognition_menu.weights_in_use()
    assert in_use.startswith(newer_label)
    entries = shown(menu)
    assert entries[0][0] == f"In use: {in_use}" and "w.safetensors" not in [text for text, _, _ in entries]
    assert [text for text, checked, _ in entries if checked] == [in_use]
    window.recognition_menu.weights_actions[older].trigger()
    assert window.recognition.config.weights == older

    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args: asked.append(args[2]) or ("", ""))
    next(a for a in menu.actions() if a.text() == "&Custom file…").trigger()
    assert asked == [str(history.weights_dir)]  # where adopted weights live
    window.recognition_menu.weights_actions[None].trigger()
    assert window.recognition.config.weights is None and shown(menu)[0][0] == "In use: Bundled"


def test_the_bundled_file_named_on_the_command_line_is_the_bundled_entry(make_window, bundled_weights):
    window = make_window(weights=str(bundled_weights))
    entries = shown(window.recognition_menu.weights_menu)
    assert entries == [("In use: Bundled", False, False), ("&Bundled", True, True), ("&Custom file…", False, True)]
