"""QApplication setup and the event loop: `signcam` on the command line ends up here.

Usage:
    signcam [--source 0|clip.mp4] [--weights W] [--roi auto|box|full] [--device auto|cpu|cuda] [--loop]
"""

import argparse
import logging
import os
import signal
import sys

from PySide6.QtCore import QCoreApplication, QProcess, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QMenu, QProxyStyle, QStyle, QStyleOption, QWidget

from signcam.pipeline.locate import hand_model_problem
from signcam.ui.main_window import MainWindow
from signcam.ui.practice_menu import install_practice
from signcam.ui.settings import Settings
from signcam.ui.training_menu import install_training

APP_NAME = "signcam"  # QSettings scope: organisation and application


def dark_palette() -> QPalette:
    """A neutral dark palette: camera images read better on dark surroundings."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#25262b", QPalette.ColorRole.WindowText: "#e8e8e8",
        QPalette.ColorRole.Base: "#1e1f22", QPalette.ColorRole.AlternateBase: "#2b2d31",
        QPalette.ColorRole.Text: "#e8e8e8", QPalette.ColorRole.Button: "#34363c",
        QPalette.ColorRole.ButtonText: "#e8e8e8", QPalette.ColorRole.Highlight: "#5b8def",
        QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.ToolTipBase: "#2b2d31",
        QPalette.ColorRole.ToolTipText: "#e8e8e8", QPalette.ColorRole.PlaceholderText: "#9a9ca3",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#6b6d73"))
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#6b6d73"))
    return palette


INDICATOR_OUTLINE = "#8a8c93"  # on the dark menu: Fusion's own outline (the window colour, darker) vanished


class MenuIndicatorStyle(QProxyStyle):
    """Fusion with a visible outline round check boxes (and menu items' radio buttons): on the dark palette
    an unchecked toggle ("Mirror view", "Loop videos") showed a nearly invisible box (issue 23). Exclusive
    choices keep Fusion's look: a dot beside the chosen one, nothing beside the others."""

    def drawPrimitive(self, element: QStyle.PrimitiveElement, option: QStyleOption,  # noqa: N802 (Qt override)
                      painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawPrimitive(element, option, painter, widget)
        radio = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
        if not (element == QStyle.PrimitiveElement.PE_IndicatorCheckBox or radio and isinstance(widget, QMenu)):
            return  # dialogs' check boxes ("Misclassified only") had the same faint box
        side = min(option.rect.width(), option.rect.height()) - 2
        box = QRect(0, 0, side, side)
        box.moveCenter(option.rect.center())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QColor(INDICATOR_OUTLINE))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box) if radio else painter.drawRoundedRect(box, 2, 2)
        painter.restore()


STYLE_SHEET = """
#emptyTitle { font-size: 26px; font-weight: bold; }
#emptyDetail { color: #9a9ca3; font-size: 14px; }
#photoError { background: #7a2e2e; color: white; padding: 8px; border-radius: 4px; }
"""


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with signcam's names (the QSettings scope), style and palette."""
    QCoreApplication.setOrganizationName(APP_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setStyle(MenuIndicatorStyle("Fusion"))
    app.setPalette(dark_palette())
    app.setStyleSheet(STYLE_SHEET)
    return app


def parse_source(spec: str | None) -> int | str | None:
    """"0" -> camera 0; anything else is a video file path."""
    return int(spec) if spec is not None and spec.strip().isdigit() else spec


def display_problem(env: dict[str, str] | os._Environ = os.environ, platform: str = sys.platform) -> str:
    """Why the window cannot be shown here ("" when it can): on Linux without a display Qt aborts with
    "xcb-cursor0 is needed... reinstalling may fix this", which sends people to reinstall (issue 23)."""
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") \
            or env.get("WAYLAND_DISPLAY"):
        return ""
    return ("signcam: no display found (DISPLAY and WAYLAND_DISPLAY are not set), so there is nowhere to show "
            "the window.\n"
            "  - Run it from a desktop session (a terminal on the desktop), or over SSH with X forwarding (ssh -X).\n"
            "  - Without a screen: xvfb-run -a signcam (or xvfb-run -a make run), or QT_QPA_PLATFORM=offscreen "
            "signcam.\n"
            "  - To read photos without a window: signcam predict PHOTO.jpg")


def run_app(args: argparse.Namespace) -> int:
    """Start the window; command-line choices override the saved settings for this run."""
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = make_application()
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C in the terminal quits (Qt would swallow it)
    settings = Settings()
    window = MainWindow(
        settings, source=parse_source(args.source), weights=args.weights, roi=args.roi, device=args.device,
        loop=args.loop or None,
    )
    practice = install_practice(window, settings=settings)
    install_training(window, settings)
    window.show()  # on screen before torch and MediaPipe load: the worker loads them (benchmarks/startup.py)
    window.start_source(window.source)
    history = practice.controller.history
    if history.recovery_message:  # after start_source, which clears the status bar
        window.show_warning("Practice history", history.recovery_message)
    if problem := settings.save_problem():
        window.show_warning("Settings", problem)
    if damaged := [p for p in (hand_model_problem(), practice.controller.drill_coach.problem) if p]:
        window.show_warning("Damaged installation", "\n\n".join(damaged))  # the app runs without those parts
    code = app.exec()
    history.close()  # the last attempt may still be with the writer thread; the process ends with os._exit
    for process in window.findChildren(QProcess):  # a retraining child must not outlive the app
        process.kill()
        process.waitForFinished(1000)
    return code
