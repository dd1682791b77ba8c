"""Help texts built from live objects, so they never drift: versions, weights, shortcuts.

The About box leads with four lines a learner can read (model, accuracy, trained on, date); the ~45 rows of
versions and training metadata (weight decay, hashes) sit behind a Details toggle (issue 13: an 823 px dump).
"""

import datetime
import html
from collections.abc import Iterable, Mapping
from pathlib import Path

import cv2
import PySide6
import torch
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

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


def _date(created: object) -> str:
    try:
        return datetime.datetime.fromisoformat(str(created)).strftime("%d %B %Y").lstrip("0")
    except ValueError:
        return "unknown"


def about_summary(info: WeightsInfo | None, device: str) -> list[tuple[str, str]]:
    """(label, text) rows a learner can read: which model, how accurate, trained on what, when."""
    if info is None:
        return [("Model", "none loaded"), ("Runs on", device)]
    meta = info.metadata
    rows = [("Model", f"{info.config.arch} network on the 28×28 hand picture ({Path(info.path).name})")]
    test_acc, data = meta.get("test_accuracy"), meta.get("data", {})
    if isinstance(test_acc, float):
        count = data.get("test_rows")
        images = f"{count:,} held-out test images" if isinstance(count, int) else "its held-out test images"
        rows.append(("Accuracy", f"{test_acc:.1%} on {images} (hands of people it has never seen are read "
                                 "less well: see the README)"))
    elif isinstance(meta.get("val_accuracy"), float):
        rows.append(("Accuracy", f"{meta['val_accuracy']:.1%} on its validation images"))
    train = meta.get("train_config", {})
    if train.get("train_csv"):
        count = data.get("train_rows")
        trained = f"{count:,} images" if isinstance(count, int) else "the images"
        trained += f" of {Path(train['train_csv']).name}"
        if train.get("extra"):
            trained += ", plus webcam photos of ~20 signers (MIT, see CREDITS.md)"
        if train.get("personal_dir"):
            trained += ", plus your own samples"
        rows.append(("Trained on", trained))
    rows += [("Trained", _date(meta.get("created"))), ("Runs on", device)]
    return rows


def about_html(info: WeightsInfo | None, device: str) -> str:
    """The details: versions, then the weights' metadata with accuracy figures first (what users ask about)."""
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
    return f"<table>{body}</table>"


class AboutDialog(QDialog):
    """Help > About: the summary, and the details behind a "Details" toggle."""

    def __init__(self, info: WeightsInfo | None, device: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About signcam")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                       for k, v in about_summary(info, device))
        self.summary_label = QLabel(
            f"<h3>signcam {html.escape(signcam.__version__)}</h3><p>Reads ASL fingerspelling letters (the 24 "
            f"static letters; J and Z need motion) from a webcam, a video or photos.</p><table>{rows}</table>")
        self.summary_label.setWordWrap(True)
        self.summary_label.setMinimumWidth(460)
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        details = QLabel(about_html(info, device))
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QScrollArea()
        self.details.setWidget(details)
        self.details.setMinimumHeight(260)
        self.details.hide()
        self.details_button.toggled.connect(self._on_details_toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def _on_details_toggled(self, shown: bool) -> None:
        self.details.setVisible(shown)
        self.details_button.setText("Hide details" if shown else "Details")
        self.adjustSize()


def shortcuts_html(actions: Iterable[QAction]) -> str:
    rows = [
        (a.text().replace("&", ""), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
        for a in actions
        if not a.shortcut().isEmpty()
    ]
    rows.append(("Previous / next photo", "Left / Right"))
    body = "".join(f"<tr><td>{html.escape(t)}&nbsp;&nbsp;</td><td><b>{html.escape(k)}</b></td></tr>" for t, k in rows)
    return f"<h3>Keyboard shortcuts</h3><table>{body}</table>"
