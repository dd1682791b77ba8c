"""Weights the learner trained and adopted, kept in the user data folder with a short history.

The bundled file in `signcam/assets/` is never written: retraining produces a candidate in `candidates/`,
and adopting it moves it into `weights/` under a timestamped name. Only the newest KEEP_VERSIONS
adopted files are kept, so a bad adoption can be undone (pick an older one, or the bundled weights)
without the folder growing forever. No Qt, and no torch until a candidate is adopted: the Recognition menu
lists the adopted files at start-up.

Usage:
    history = WeightsHistory()                  # platformdirs.user_data_dir("signcam")
    candidate = history.new_candidate_path()    # give this to the trainer as its `out`
    adopted = history.adopt(candidate)          # -> weights/signnet-20261125-221500-123456.safetensors
    adopted_at(adopted)                         # -> datetime(2026, 11, 25, 22, 15, 0, 123456)
"""

import datetime
import os
from pathlib import Path

from signcam.store.files import user_data_dir

KEEP_VERSIONS = 5  # enough to step back a few retrains; each file is ~0.65 MB
PREFIX = "signnet-"
SUFFIX = ".safetensors"
STAMP = "%Y%m%d-%H%M%S-%f"  # in the names: they sort by time
REPORT_SUFFIXES = (".report.json", ".report.png")  # written beside the weights by the trainer


class WeightsHistory:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else user_data_dir()
        self.weights_dir = self.root / "weights"
        self.candidates_dir = self.root / "candidates"

    def new_candidate_path(self) -> Path:
        """A fresh path for the trainer to write to (it writes atomically, so nothing half-done appears)."""
        self.candidates_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.datetime.now().strftime(STAMP)
        return self.candidates_dir / f"{PREFIX}{stamp}{SUFFIX}"

    def versions(self) -> list[Path]:
        """Adopted weights, newest first (the timestamped names sort by time)."""
        if not self.weights_dir.is_dir():
            return []
        return sorted(self.weights_dir.glob(f"{PREFIX}*{SUFFIX}"), reverse=True)

    def adopt(self, candidate: str | os.PathLike) -> Path:
        """Move a checked candidate (and its reports) into weights/, then prune old versions.

        Raises WeightsError if the candidate is not a usable weights file, before anything moves.
        """
        from signcam.store.weights import read_info  # torch: only when something is adopted

        candidate = Path(candidate)
        read_info(candidate)
        self.weights_dir.mkdir(parents=True, exist_ok=True)
        target = self.weights_dir / candidate.name
        os.replace(candidate, target)  # same file system: atomic
        for suffix in REPORT_SUFFIXES:
            report = candidate.with_suffix(suffix)
            if report.exists():
                os.replace(report, target.with_suffix(suffix))
        self._prune()
        return target

    def discard(self, candidate: str | os.PathLike) -> None:
        candidate = Path(candidate)
        for path in (candidate, *(candidate.with_suffix(s) for s in REPORT_SUFFIXES)):
            path.unlink(missing_ok=True)

    def _prune(self) -> None:
        for old in self.versions()[KEEP_VERSIONS:]:
            for path in (old, *(old.with_suffix(s) for s in REPORT_SUFFIXES)):
                path.unlink(missing_ok=True)


def adopted_at(path: str | os.PathLike) -> datetime.datetime | None:
    """When the training that made `path` started (the time in its name), or None for a name not made here."""
    name = Path(path).name
    if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
        return None
    try:
        return datetime.datetime.strptime(name[len(PREFIX):-len(SUFFIX)], STAMP)
    except ValueError:
        return None
