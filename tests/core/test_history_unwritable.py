"""A history that can be neither read nor set aside (issue 11): practice still runs, the file is untouched."""

import os
from pathlib import Path

import pytest

from signcam.practice import Attempt, Outcome
from signcam.practice.history import History

GARBAGE = b"this is not an SQLite database" * 100


def read_only_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 555; root ignores that, so there renames inside `folder` fail as they would for a user."""
    folder.chmod(0o555)
    if os.access(folder, os.W_OK):
        real_rename = Path.rename

        def rename(self: Path, target):
            if self.parent == folder:
                raise PermissionError(13, "Permission denied", str(self))
            return real_rename(self, target)

        monkeypatch.setattr(Path, "rename", rename)


def attempt() -> Attempt:
    return Attempt(letter="A", outcome=Outcome.CORRECT, started_s=0.0, time_s=1.5, wrong_reads=0, word="")


def test_corrupt_history_in_read_only_folder_runs_without_saving(tmp_path, monkeypatch):
    folder = tmp_path / "signcam"
    folder.mkdir()
    path = folder / "history.sqlite3"
    path.write_bytes(GARBAGE)
    read_only_folder(folder, monkeypatch)
    try:
        history = History(path)
        history.record(attempt(), at_unix_s=1.0)  # practice goes on, in memory
        assert history.count() == 1 and history.letter_stats()["A"].correct == 1
        history.close()
    finally:
        folder.chmod(0o755)
    message = history.recovery_message
    assert message is not None and str(path) in message
    assert "Permission denied" in message and "left untouched" in message and "will not be saved" in message
    assert path.read_bytes() == GARBAGE  # nothing lost: the file is as it was, nothing renamed or added
    assert sorted(p.name for p in folder.iterdir()) == ["history.sqlite3"]


def test_history_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    history = History(blocker / "signcam" / "history.sqlite3")
    history.record(attempt(), at_unix_s=1.0)
    assert history.count() == 1
    assert "will not be saved" in history.recovery_message
    assert blocker.read_text() == "a file where the data folder should be"
    history.close()
