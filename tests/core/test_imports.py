"""Only signcam/ui may import PySide6 (STYLE.md): the core, the trainer and its runner load headless."""

import subprocess
import sys

QT_FREE = (
    "signcam.recognizer", "signcam.builder", "signcam.letter_models", "signcam.predict", "signcam.smoothing",
    "signcam.sources",
    "signcam.weights", "signcam.config", "signcam.files", "signcam.photo_reader", "signcam.practice",
    "signcam.practice.history", "signcam.practice.controller", "signcam.samples", "signcam.user_weights",
    "training.train", "training.runner", "training.personal", "training.results",
)


def test_core_and_training_do_not_import_qt() -> None:
    code = f"import sys, {', '.join(QT_FREE)}; " + \
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"
