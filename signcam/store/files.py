"""The learner's data folder, and the one way signcam writes a file so that a crash never leaves half of it.

Weights, the samples' labels and the trainer's reports are all written to a temp file beside the
target, fsynced and renamed over it (`os.replace` is atomic on one file system), so Ctrl-C or a full
disk at any point leaves the previous file intact; the new file keeps the old one's permissions.

Usage:
    with atomic_path(user_data_dir() / "weights" / "mine.safetensors") as tmp:
        save_file(tensors, tmp)           # renamed over the target when the block ends without error
    atomic_write_text(path, text)
"""

import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

APP_NAME = "signcam"
# A save writes ~0.7 MB in milliseconds; a temp file untouched this long belongs to a save that was killed
# (SIGKILL, power cut), not to one still running in another process.
STALE_TEMP_S = 60.0

log = logging.getLogger(__name__)


def user_data_dir() -> Path:
    """Samples, personal weights and practice history live here (platformdirs: ~/.local/share/signcam on Linux)."""
    return Path(platformdirs.user_data_dir(APP_NAME))


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temp path beside `path` to write to; fsynced and renamed over `path` when the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, _mode_for(path))  # mkstemp makes 0600; what we save is an ordinary file
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` through `atomic_path`."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def _mode_for(path: Path) -> int:
    """The permissions a new version of `path` gets: those of the file it replaces, else what the umask gives
    an ordinary file (0644 with umask 022), so weights and the reports beside them always match."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# safetensors' `save_file` (Rust `tempfile`) wrote `.tmp` + 6 letters and digits beside the target and renamed
# it; signcam no longer calls it, but a save killed inside it by an older signcam left one of these for ever.
_SAFETENSORS_TEMP = re.compile(r"\.tmp[A-Za-z0-9]{6}")
# atomic_path's own: `.NAME.` + mkstemp's random characters (8) + `.tmp`, for the kinds of file signcam writes. Any
# NAME: each Retrain saves a new candidate name, so a sweep for the same name alone never met a killed one's temp.
_OUR_TEMP = re.compile(r"\..+\.(safetensors|json|png|csv)\.[a-z0-9_]{6,12}\.tmp")


def remove_stale_temps(path: Path) -> None:
    """Delete the temp files that killed saves left in `path`'s folder (atomic_path's `.NAME.XXXXXXXX.tmp` for any
    weights, report or labels NAME, and safetensors' `.tmpXXXXXX`), once older than STALE_TEMP_S; a read-only
    folder is left as it is. Every save and every weights load calls it."""
    now = time.time()
    try:
        names = [entry.name for entry in os.scandir(path.parent) if entry.name.startswith(".")]
    except OSError:
        return
    stale = [path.parent / name for name in names if _OUR_TEMP.fullmatch(name) or _SAFETENSORS_TEMP.fullmatch(name)]
    for tmp in stale:
        try:
            if now - tmp.stat().st_mtime > STALE_TEMP_S:
                tmp.unlink()
                log.info("removed %s, left by an interrupted save", tmp)
        except OSError:
            continue  # gone meanwhile, or a folder we may read but not write (the installed package)
