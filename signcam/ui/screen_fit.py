"""Dialogs that fit the smallest screen signcam supports: 1280x720 at 100% and 1366x768 at 125% scaling.

The second is the tighter one: 1092x614 logical pixels, less the desktop's panel or taskbar (outside
`availableGeometry`) and the window's title bar and borders (outside the widget). A dialog opens at the size
it prefers, cut to what the screen leaves; what can be taller than that (the confusion matrix, About's details)
scrolls inside it. The Retrain report once grew to 1125x766 and pushed Adopt and Discard off a laptop's screen
(issue 32); tests/ui/test_dialogs_fit.py opens every dialog in its largest state on that screen.

Usage:
    fit_to_screen(dialog, 980, 680)                 # in __init__, after the layout is set
"""

from PySide6.QtCore import QSize
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget

SMALLEST_SCREEN = QSize(1092, 614)  # 1366x768 at 125%, in logical pixels; 1280x720 at 100% is larger
PANEL_PX = 40  # a taskbar at 125% (48 device px) or a desktop's top bar: what availableGeometry leaves out
TITLE_BAR_PX = 38  # the window manager's title bar at 125%, drawn outside the dialog
BORDER_PX = 8  # the frame on each side


def _screen(widget: QWidget) -> QScreen:
    return (widget.parentWidget() or widget).screen() or QApplication.primaryScreen()


def available_size(widget: QWidget) -> QSize:
    """The screen area (less panels) of the screen `widget`, or its parent, is on."""
    return _screen(widget).availableGeometry().size()


def room(widget: QWidget) -> QSize:
    """The largest client size a window can have on `widget`'s screen and still show its title bar and edges."""
    available = available_size(widget)
    return QSize(available.width() - 2 * BORDER_PX, available.height() - TITLE_BAR_PX - BORDER_PX)


def smallest_room() -> QSize:
    """room() on the smallest supported screen: every dialog, in every state, must fit in it."""
    return QSize(SMALLEST_SCREEN.width() - 2 * BORDER_PX,
                 SMALLEST_SCREEN.height() - PANEL_PX - TITLE_BAR_PX - BORDER_PX)


def fit_to_screen(dialog: QWidget, width: int, height: int) -> None:
    """Open `dialog` at width x height, or smaller where its screen has less room; a dialog grown while open is
    moved back onto its screen (About's details grew down past the bottom edge)."""
    limit = room(dialog)
    dialog.resize(min(width, limit.width()), min(height, limit.height()))
    if dialog.isVisible():
        area, frame = _screen(dialog).availableGeometry(), dialog.frameGeometry()
        dialog.move(max(area.left(), min(frame.left(), area.right() + 1 - frame.width())),
                    max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height())))

