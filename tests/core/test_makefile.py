"""The Makefile's two commands: `make run` passes ARGS to the app, and the install says no more than it must."""

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def dry_run(*args: str, venv: Path) -> list[str]:
    """The commands `make -n` would run, with the virtual environment in `venv` (nothing is executed)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    run = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(REPO), f"VENV={venv}", *args],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_make_run_passes_args_to_the_app(tmp_path: Path) -> None:
    lines = dry_run("run", "ARGS=--source clip.mp4 --roi box", venv=tmp_path / "venv")
    assert lines[-1] == f"{tmp_path / 'venv'}/bin/signcam --source clip.mp4 --roi box"
    assert dry_run("run", venv=tmp_path / "venv")[-1].rstrip() == f"{tmp_path / 'venv'}/bin/signcam"


def test_the_editable_install_is_quiet(tmp_path: Path) -> None:
    """setuptools' "Editable installation" notice is a warning that pip -q still prints: filtered for that call."""
    install = [line for line in dry_run("setup", venv=tmp_path / "venv") if "pip install -q -e" in line]
    assert len(install) == 1 and install[0].startswith('PYTHONWARNINGS="ignore:Editable installation" ')
