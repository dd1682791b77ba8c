"""Help texts built from live objects, so they never drift: versions, models, shortcuts.

The About box leads with what a learner can trust (issue 23): how often the app reads strangers' hands, which two
models vote and what each learned from. The official Sign-MNIST test (99.9%) comes last and says why it flatters:
its pictures are of the same 7 people as the training ones. Details lists each model's figures with plain labels,
file names instead of the training machine's paths, and what "validation" covered.
"""

import datetime
import html
from collections.abc import Iterable
from pathlib import Path

import cv2
import PySide6
import torch
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

import signcam
from signcam.labels import LETTERS
from signcam.models.landmarks import BUNDLED_LANDMARK_WEIGHTS
from signcam.pipeline.config import LANDMARK_SHARE, PERSONAL_LANDMARK_SHARE
from signcam.store.assets_dir import BUNDLED_WEIGHTS
from signcam.store.weights import WeightsError, WeightsInfo, read_metadata
from signcam.ui.receptive_view import READING_KEYS
from signcam.ui.screen_fit import fit_to_screen

# The app as a whole (both models, fused, hands found by MediaPipe) on people no model trained on: README,
# "Strangers' hands" (`python benchmarks/real_photos.py --lopo ...`; real_dev: `signcam predict real_dev --roi auto`).
STRANGERS_REAL_DEV = (0.985, 5)  # (share of found hands read right, people): real_dev, in no training set (README)
STRANGERS_EXTRA = (0.919, 0.701, 31)  # (mean, worst person, people): extra/ + extra2/ + extra3/, each left out in turn
SIGN_MNIST_PEOPLE = 7  # Sign-MNIST's pictures come from 7 people (shared data README): test and train alike


def _date(created: object) -> str:
    try:
        return datetime.datetime.fromisoformat(str(created)).strftime("%d %B %Y").lstrip("0")
    except ValueError:
        return "unknown"


def _personal_note(meta: dict) -> str:
    """How weights fine-tuned on the learner's letters vote (signcam.pipeline.builder): theirs on those letters."""
    counts = meta.get("personal_letters")
    letters = [x for x in LETTERS if isinstance(counts, dict) and isinstance(counts.get(x), int) and counts[x] > 0]
    if not letters:
        return ""
    return (f"; on the {len(letters)} letters you captured ({''.join(letters)}) your retrained "
            f"picture model has {1 - PERSONAL_LANDMARK_SHARE:.0%} of the vote, and the bundled one reads the others")


def _landmark_metadata() -> dict:
    try:
        return read_metadata(BUNDLED_LANDMARK_WEIGHTS)
    except WeightsError:
        return {}


def _is_bundled(info: WeightsInfo) -> bool:
    return Path(info.path).resolve() == BUNDLED_WEIGHTS.resolve()


def about_summary(info: WeightsInfo | None, device: str, missing: str = "none loaded yet") -> list[tuple[str, str]]:
    """(label, text) rows a learner can read: how well strangers' hands are read, the models and their data;
    without `info`, why no model is loaded (`missing`)."""
    if info is None:
        return [("Models", missing), ("Runs on", device)]
    meta, landmarks = info.metadata, _landmark_metadata()
    share = LANDMARK_SHARE
    rows = []
    if _is_bundled(info):
        right, people = STRANGERS_REAL_DEV
        mean, worst, more = STRANGERS_EXTRA
        rows.append(("Strangers' hands", f"{right:.0%} of hands read right in photos of {people} people no model "
                                         f"learned from; {mean:.0%} on average over {more} more people, "
                                         f"{worst:.0%} for the hardest to read. Yours may differ: "
                                         "Training > Capture my samples teaches it your hand."))
    elif isinstance(meta.get("personal_accuracy"), float):
        rows.append(("Your hand", f"{meta['personal_accuracy']:.0%} of your held-back samples read right by these "
                                  "retrained weights"))
    rows.append(("Models", f"two vote on each hand: a hand-shape model on the 21 points MediaPipe finds on the "
                           f"hand ({BUNDLED_LANDMARK_WEIGHTS.name}, {share:.0%} of the vote) and a picture model "
                           f"on the 28×28 hand picture ({Path(info.path).name}, {info.config.arch}, "
                           f"{1 - share:.0%})" + _personal_note(meta)))
    hands = landmarks.get("train_hands")
    rows.append(("Learned from", "hand shape: " + (f"{hands:,} webcam photos" if isinstance(hands, int) else
                                                  "webcam photos") + " of ~34 signers (MIT, Apache-2.0: CREDITS.md); "
                 + "picture: " + _picture_data(meta)))
    test_acc, data = meta.get("test_accuracy"), meta.get("data", {})
    if isinstance(test_acc, float):
        count = data.get("test_rows")
        pictures = f"{count:,} Sign-MNIST test pictures" if isinstance(count, int) else "the Sign-MNIST test"
        rows.append(("Textbook test", f"the picture model alone reads {test_acc:.1%} of {pictures}; they show the "
                                      f"same {SIGN_MNIST_PEOPLE} people as its training pictures, so this says "
                                      "little about a new hand"))
    rows += [("Trained", _date(meta.get("created"))), ("Runs on", device)]
    return rows


def _picture_data(meta: dict) -> str:
    train, data = meta.get("train_config", {}), meta.get("data", {})
    count = data.get("train_rows")
    text = (f"{count:,} " if isinstance(count, int) else "the ") + f"Sign-MNIST pictures of {SIGN_MNIST_PEOPLE} " \
        "people (Kaggle, CC0)"
    if train.get("extra"):
        text += " plus crops of the webcam photos of ~20 of those signers"
    if train.get("personal_dir"):
        text += ", plus your own samples"
    return text


def _percent(value: object, decimals: int = 1) -> str:
    return f"{value:.{decimals}%}" if isinstance(value, float) else "–"


def _model_rows(info: WeightsInfo) -> list[tuple[str, str]]:
    """The picture model's figures, each labelled so it cannot be misread."""
    meta, train, data = info.metadata, info.metadata.get("train_config", {}), info.metadata.get("data", {})
    rows = [("File", Path(info.path).name), ("Network", f"{info.config.arch}, width {info.config.width}"),
            ("Trained", f"{_date(meta.get('created'))}, {train.get('epochs', '?')} epochs "
                        f"(kept: epoch {meta.get('best_epoch', '?')})")]
    if "val_accuracy" in meta:
        rows.append(("Validation", f"{_percent(meta['val_accuracy'])}: held-back Sign-MNIST pictures plus webcam "
                                   "photos of signers it did not train on, which pull it down"))
    if "val_signers_accuracy" in meta:
        rows.append(("  of which new signers", f"{_percent(meta['val_signers_accuracy'])} (picture model alone; "
                                               "with the hand-shape model the app reads far more)"))
    if "test_accuracy" in meta:
        rows.append(("Official test", f"{_percent(meta['test_accuracy'], 2)} of {data.get('test_rows', '?'):,} "
                                      f"Sign-MNIST pictures ({meta.get('test_errors', '?')} wrong), the "
                                      f"{SIGN_MNIST_PEOPLE} training people"))
    if "personal_accuracy" in meta:
        rows.append(("Your held-back samples", _percent(meta["personal_accuracy"])))
    if "seconds_per_1000_images" in meta:
        rows.append(("Training speed", f"{meta['seconds_per_1000_images']:.2f} s per 1000 pictures per epoch, "
                                       f"{meta.get('threads', '?')} thread(s), on the machine that trained it"))
    if "train_sha256" in data:
        rows.append(("Data checksums", f"train {data['train_sha256'][:12]}…, test {data.get('test_sha256', '')[:12]}…"))
    return rows


def _landmark_rows(meta: dict) -> list[tuple[str, str]]:
    if not meta:
        return [("Hand-shape model", "not found")]
    config = meta.get("config", {})
    rows = [("File", BUNDLED_LANDMARK_WEIGHTS.name),
            ("Network", f"{config.get('hidden', '?')} hidden units on the points and their distances"),
            ("Trained", f"{_date(meta.get('created'))} on {meta.get('train_hands', '?'):,} hands")]
    if "lopo_extra_mean" in meta:
        rows.append(("Each person left out", f"{_percent(meta['lopo_extra_mean'])} on average over the webcam "
                                             f"signers, worst {_percent(meta.get('lopo_extra_worst'))} (model alone, "
                                             "trained without that person)"))
    return rows


def about_html(info: WeightsInfo | None, device: str) -> str:
    """The details: versions, then each model's figures, labelled; no paths of the machine that trained them."""
    sections = [("Versions", [
        ("signcam", signcam.__version__),
        ("PyTorch", torch.__version__),
        ("Qt / PySide6", f"{qVersion()} / {PySide6.__version__}"),
        ("OpenCV", cv2.__version__),
        ("Device", device),
    ])]
    if info is not None:
        sections += [("Picture model", _model_rows(info)), ("Hand-shape model", _landmark_rows(_landmark_metadata()))]
    body = "".join(
        f"<tr><td colspan=2><br><b>{html.escape(title)}</b></td></tr>" + "".join(
            f"<tr><td>{html.escape(k)}&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
        for title, rows in sections)
    return f"<table>{body}</table>"


DETAILS_HEIGHT_PX = 720  # the window's height with details shown, where the screen has room


class AboutDialog(QDialog):
    """Help > About: the summary, and the details behind a "Details" toggle."""

    def __init__(self, info: WeightsInfo | None, device: str, parent: QWidget | None = None, *,
                 missing: str = "none loaded yet") -> None:
        super().__init__(parent)
        self.setWindowTitle("About signcam")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                       for k, v in about_summary(info, device, missing))
        self.summary_label = QLabel(
            f"<h3>signcam {html.escape(signcam.__version__)}</h3><p>Reads ASL fingerspelling letters (the 24 "
            f"static letters; J and Z need motion) from a webcam, a video or photos.</p><table>{rows}</table>")
        self.summary_label.setWordWrap(True)
        self.summary_label.setMinimumWidth(520)
        self.details_button = QPushButton("Details")
        self.details_button.setCheckable(True)
        details = QLabel(about_html(info, device))
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.setWordWrap(True)  # the explanations wrap to the dialog's width instead of scrolling sideways
        self.details = QScrollArea()
        self.details.setWidgetResizable(True)
        self.details.setWidget(details)
        self.details.setMinimumHeight(160)  # a few rows; the summary above keeps its full height on a small screen
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
        if shown:  # as tall as the screen allows: the details scroll in what is left below the summary
            fit_to_screen(self, self.width(), DETAILS_HEIGHT_PX)
        else:
            self.adjustSize()


def shortcuts_html(actions: Iterable[QAction]) -> str:
    rows = [
        (a.text().replace("&", ""), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
        for a in actions
        if not a.shortcut().isEmpty()
    ]
    rows.append(("Previous / next photo", "Left / Right"))
    rows += READING_KEYS
    body = "".join(f"<tr><td>{html.escape(t)}&nbsp;&nbsp;</td><td><b>{html.escape(k)}</b></td></tr>" for t, k in rows)
    return f"<h3>Keyboard shortcuts</h3><table>{body}</table>"
