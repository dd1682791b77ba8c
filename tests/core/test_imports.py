"""The recognition core must load without Qt (STYLE.md: only signcam/ui imports PySide6)."""

import subprocess
import sys


def test_core_does_not_import_qt() -> None:
    code = (
        "import sys, signcam.recognizer, signcam.predict, signcam.smoothing, signcam.sources;"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"
