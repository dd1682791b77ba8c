"""Paints the practice coach's note over the live frame: the fingers concerned, and the hints in words.

The live view calls `paint_coach` after painting the frame, with the rectangle and scale it drew the frame
at, so the marks sit on the hand whether or not the view is mirrored. Nothing is painted when the coach is
quiet. The hints are also in the practice panel's feedback; here they sit where the learner looks.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from signcam.practice.coaching import CoachNote

MARK = QColor("#ff9f1c")  # the fingers to change: orange, apart from the box's green and amber
HINT_BG = QColor(20, 20, 24, 215)
HINT_TEXT = QColor("#ffe2b8")
LINE_PX = 5.0
JOINT_PX = 5.0


def _to_view(x: float, y: float, target: QRectF, scale: float, mirror: bool) -> QPointF:
    """Frame pixels -> view coordinates, as the live view maps the frame (and its box)."""
    vx = target.width() - x * scale if mirror else x * scale
    return QPointF(target.left() + vx, target.top() + y * scale)


def paint_coach(p: QPainter, note: CoachNote | None, target: QRectF, scale: float, mirror: bool) -> None:
    """Marks each finger a hint names (wrist to tip) and writes the hints along the frame's bottom edge."""
    if note is None or not note.hints:
        return
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    for line in note.finger_points():
        points = [_to_view(float(x), float(y), target, scale, mirror) for x, y in line]
        p.setPen(QPen(MARK, LINE_PX, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        p.drawPolyline(points[1:])  # the finger itself; the wrist-to-knuckle bone stays unmarked
        p.setBrush(MARK)
        p.setPen(Qt.PenStyle.NoPen)
        for point in points[1:]:
            p.drawEllipse(point, JOINT_PX, JOINT_PX)
    font = QFont(p.font().family(), 13, QFont.Weight.Bold)
    p.setFont(font)
    line_h = p.fontMetrics().height() + 6
    banner = QRectF(target.left(), target.bottom() - line_h * len(note.hints) - 12, target.width(),
                    line_h * len(note.hints) + 12)
    p.fillRect(banner, HINT_BG)
    p.setPen(HINT_TEXT)
    for i, hint in enumerate(note.hints):
        row = QRectF(banner.left() + 14, banner.top() + 6 + i * line_h, banner.width() - 28, line_h)
        p.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, f"• {hint.text}")
    p.restore()
