"""Bundled files that may be damaged: a broken install, a disk error or a bad packager. Each one read through
`reading_asset` fails as one AssetError that names the file and says to reinstall, so the part that needs it
stays off (the hand model: the guide box; the templates: no coach and no J/Z; the motion model: J/Z by the stroke
templates alone) and the rest of the app starts and says so. No Qt here.

Usage:
    with reading_asset(TEMPLATES_PATH):
        templates = parse(TEMPLATES_PATH)
    check_digest(HAND_MODEL, size, sha256)
"""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REINSTALL = "reinstall signcam (pip install --force-reinstall signcam)"


class AssetError(ValueError):
    """A bundled file is missing or damaged; the message is one line naming it and saying to reinstall."""


def damaged(path: Path, why: object) -> AssetError:
    reason = str(why).splitlines()[0][:160] if str(why) else type(why).__name__
    return AssetError(f"the bundled file {path} is damaged or missing ({reason}); {REINSTALL}")


@contextmanager
def reading_asset(path: Path) -> Iterator[None]:
    """Turns whatever a damaged file makes a parser raise (cut JSON, random bytes, wrong shapes, deep nesting)
    into one AssetError naming `path`."""
    try:
        yield
    except AssetError:
        raise
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError, EOFError,
            RuntimeError) as e:  # RuntimeError: MediaPipe's answer to a model it cannot use
        raise damaged(path, e) from None
    except Exception as e:  # safetensors' SafetensorError derives from Exception only
        if type(e).__name__ != "SafetensorError":
            raise
        raise damaged(path, e) from None


def check_digest(path: Path, size: int, sha256: str) -> bytes:
    """The bytes of `path` when they are the ones shipped (size first, so a 2 GB zip bomb is never read);
    AssetError otherwise."""
    try:
        actual = path.stat().st_size
        if actual != size:
            raise damaged(path, f"{actual:,} bytes instead of {size:,}")
        data = path.read_bytes()
    except OSError as e:
        raise damaged(path, e.strerror or e) from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise damaged(path, "its contents differ from the file signcam ships")
    return data
