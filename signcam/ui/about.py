"""Help texts built from live objects, so they never drift: versions, weights, shortcuts."""

import html
from collections.abc import Iterable, Mapping

import cv2
import PySide6
import torch
from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction, QKeySequence

import signcam
from signcam.weights import WeightsInfo

_HIDDEN_METADATA = {"format_version", "normalisation", "input_size", "temperature"}


def _flatten(meta: Mapping, prefix: str = "") -> Iterable[tuple[str, object]]:
    for key, value in meta.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        elif not isinstance(value, list | tuple) or len(value) <= 6:
            yield f"{prefix}{key}", value


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def about_html(info: WeightsInfo | None, device: str) -> str:
    """Versions, then the weights' metadata with accuracy figures first (what users ask about)."""
    rows = [
        ("signcam", signcam.__version__),
        ("PyTorch", torch.__version__),
        ("Qt / PySide6", f"{qVersion()} / {PySide6.__version__}"),
        ("OpenCV", cv2.__version__),
        ("Device", device),
    ]
    if info is None:
        rows.append(("Weights", "none loaded"))
    else:
        rows += [("Weights", str(info.path)), ("Architecture", info.config.arch)]
        meta = [(k, v) for k, v in _flatten(info.metadata) if k.split(".")[0] not in _HIDDEN_METADATA]
        meta.sort(key=lambda kv: "acc" not in kv[0].lower())
        rows += [(k, _format(v)) for k, v in meta]
    body = "".join(
        f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    return (
        "<h3>signcam</h3><p>Reads ASL fingerspelling letters (24 static letters; J and Z need motion) "
        f"from a webcam, a video or photos.</p><table>{body}</table>"
    )


def shortcuts_html(actions: Iterable[QAction]) -> str:
    rows = [
        (a.text().replace("&", ""), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
        for a in actions
        if not a.shortcut().isEmpty()
    ]
    rows.append(("Previous / next photo", "Left / Right"))
    body = "".join(f"<tr><td>{html.escape(t)}&nbsp;&nbsp;</td><td><b>{html.escape(k)}</b></td></tr>" for t, k in rows)
    return f"<h3>Keyboard shortcuts</h3><table>{body}</table>"
