"""Shared fixtures: paths to ../shared/data, a tiny synthetic CSV, and offscreen Qt."""

import os
import tempfile
import threading
from pathlib import Path

import pytest

# Before any Qt import anywhere in the suite.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")
# No test may touch a real user's history, settings or adopted weights (platformdirs and QSettings
# both follow the XDG variables on Linux).
_HOME = tempfile.mkdtemp(prefix="signcam-tests-")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
# Why a test skipped, and how to run it: the data is not in the repository (README, "Tests").
NEEDS_SHARED = "needs the shared data folder ../shared/data beside the checkout (README: Tests)"


def pytest_unconfigure(config: pytest.Config) -> None:
    """The app builds its models in daemon threads and ends with os._exit, so it never waits for them; a test
    process ends by finalizing Python, and a loader still inside torch then aborts it ("terminate called without
    an active exception", exit 134) although every test passed. Let such threads finish first."""
    for thread in threading.enumerate():
        if thread.daemon and thread.name == "signcam-model-loader":
            thread.join(timeout=120)


def need_shared(path: Path) -> None:
    """Skip, naming what is missing and how to get it, unless `path` (under ../shared/data) exists."""
    if not path.exists():
        pytest.skip(f"{NEEDS_SHARED}; {path} not found")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the repo (tests read it by path; nothing from it is committed)."""
    need_shared(SHARED_DATA / "sign_mnist_train.csv.gz")
    return SHARED_DATA
