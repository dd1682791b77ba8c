"""Paints one recognition: the frame, the hand box, the letter large, its confidence, the top-3
and the 28x28 image the model saw. Used for the live camera and for still photos alike.

A banner (camera lost, video ended) means the picture is no longer live: the last frame is then shown
grey and dimmed, with no box and no letter, and the panel names the state, so a frozen frame never looks
like a reading (issue 13: a video's last frame stayed up with a green "Y 90%").
"""

import time

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from signcam.ui.coach_overlay import paint_coach
from signcam.ui.images import bgr_to_qimage, gray_to_qimage

PANEL_W = 250  # right-hand column: letter, confidence, top-3, model input
CROP_SCALE = 6  # 28x28 -> 168x168, nearest neighbour so learners see the real pixels
BACKGROUND = QColor("#1e1f22")
PANEL_BG = QColor("#2b2d31")
TEXT = QColor("#e8e8e8")
MUTED = QColor("#9a9ca3")
SURE = QColor("#3ddc84")  # a letter above the threshold
UNSURE = QColor("#f2b33d")  # a hand, but no letter above the threshold
SETTLING = MUTED  # a letter above the threshold, not yet steady over the smoother's window
BANNER = QColor(180, 50, 50, 220)
NO_HAND_HINT = "Show one hand inside the frame"


class RecognitionView(QWidget):
    """Re-renders from the last `Recognition` (and its image) it was given; holds no pipeline logic."""

    painted = Signal(object, float)  # (Recognition, time.monotonic() after painting), once per new result

    def __init__(self, parent: QWidget | None = None, *, mirror: bool = False):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 360)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._mirror = mirror
        self._side_panel = True
        self._threshold = 0.0
        self._recognition = None
        self._coach_note = None  # the practice coach's CoachNote, painted over the hand
        self._image: QImage | None = None
        self._crop: QImage | None = None
        self._fresh = False
        self._message = ""
        self._placeholder = ""
        self._letter_font = QFont(self.font().family(), 96, QFont.Weight.Bold)
        self._body_font = QFont(self.font().family(), 11)
        self._small_font = QFont(self.font().family(), 9)

    # -- what is shown -------------------------------------------------------------------------
    def set_result(self, recognition, image_bgr: np.ndarray | None = None) -> None:
        """Show `recognition`; its frame's image unless `image_bgr` is given (photos)."""
        if image_bgr is None and recognition.frame is not None:
            image_bgr = recognition.frame.image_bgr
        self._recognition = recognition
        self._image = bgr_to_qimage(image_bgr) if image_bgr is not None else None
        crop = recognition.crop_gray
        self._crop = gray_to_qimage(crop) if crop is not None else None
        self._fresh = True
        self.update()

    def show_frame(self, image_bgr: np.ndarray) -> None:
        """A picture with no reading yet (the model is still loading); a `set_message` banner says why."""
        self._recognition, self._crop = None, None
        self._image = bgr_to_qimage(image_bgr)
        self.update()

    def clear(self, placeholder: str = "") -> None:
        self._recognition, self._image, self._crop = None, None, None
        self._placeholder = placeholder
        self.update()

    def set_message(self, text: str) -> None:
        """A banner over the frame (camera lost, video ended), which also marks the picture as not live;
        "" hides it. The panel names the state with the banner's first part ("End of video — ...")."""
        self._message = text
        self.update()

    def set_coach_note(self, note) -> None:
        self._coach_note = note
        self.update()

    def set_threshold(self, value: float) -> None:
        """Drawn as a tick on the confidence bar: above it a letter counts."""
        self._threshold = value
        self.update()

    def set_mirror(self, on: bool) -> None:
        self._mirror = on
        self.update()

    def set_side_panel(self, on: bool) -> None:
        """The letter column on the right; off while practising (the practice panel shows the reading)."""
        self._side_panel = on
        self.update()

    @property
    def side_panel(self) -> bool:
        return self._side_panel

    @property
    def recognition(self):
        return self._recognition

    @property
    def mirror(self) -> bool:
        return self._mirror

    @property
    def message(self) -> str:
        return self._message

    @property
    def live(self) -> bool:
        """False while a banner says the source stopped: the last frame is then not a reading."""
        return not self._message

    def state_text(self) -> str:
        """What the panel says under or instead of the letter: the stopped state, the no-hand hint, or ""."""
        if not self.live:
            return self._message.split(" — ")[0]
        rec = self._recognition
        if rec is not None and not rec.hand_found:
            return NO_HAND_HINT
        return ""

    def shown_letter(self) -> str:
        """The big letter as painted: the letter (greyed while it settles), "?" when unsure, "–" with no hand,
        "" before any result or when the picture is not live."""
        rec = self._recognition
        if rec is None or not self.live:
            return ""
        if not rec.hand_found:
            return "–"
        return rec.letter or (rec.best_letter if self.settling else "?")

    @property
    def settling(self) -> bool:
        """A hand read above the threshold, but the smoother has not seen it for enough frames yet: just after
        each new letter (issue 32: a big "?" and "not sure" beside a 99% bar and "A 99%" in the top-3)."""
        rec = self._recognition
        return (rec is not None and rec.hand_found and not rec.letter and rec.best_letter is not None
                and rec.confidence >= self._threshold)

    def caption(self) -> str:
        """The line under the big letter: what its bar measures, or why there is no letter."""
        letter = self.shown_letter()
        if letter in ("", "–", "?"):
            return {"": "", "–": "no hand found", "?": "not sure"}[letter]
        return "settling…" if self.settling else "confidence"

    # -- painting ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.fillRect(self.rect(), BACKGROUND)
        panel_w = PANEL_W if self._side_panel and self.width() >= 2 * PANEL_W else 0
        frame_area = QRectF(0, 0, self.width() - panel_w, self.height())
        self._paint_frame(p, frame_area)
        if panel_w:
            self._paint_panel(p, QRectF(frame_area.right(), 0, panel_w, self.height()))
        p.end()
        if self._fresh and self._recognition is not None:
            self._fresh = False
            self.painted.emit(self._recognition, time.monotonic())

    def _paint_frame(self, p: QPainter, area: QRectF) -> None:
        if self._image is None:
            p.setPen(MUTED)
            p.setFont(self._body_font)
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, self._placeholder)
            return
        img_w, img_h = self._image.width(), self._image.height()
        scale = min(area.width() / img_w, area.height() / img_h)
        target = QRectF(0, 0, img_w * scale, img_h * scale)
        target.moveCenter(area.center())
        p.save()
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if self._mirror:
            # Flip around the target's vertical centre line; text is drawn after restore().
            p.translate(target.center().x() * 2, 0)
            p.scale(-1, 1)
        if self.live:
            p.drawImage(target, self._image)
        else:
            p.drawImage(target, self._image.convertToFormat(QImage.Format.Format_Grayscale8))
            p.fillRect(target, QColor(0, 0, 0, 130))  # dimmed: a still, not a reading
        p.restore()
        if self.live:
            self._paint_box(p, target, scale)
            paint_coach(p, self._coach_note, target, scale, self._mirror)
        if self.state_text() == NO_HAND_HINT:
            self._paint_hint(p, target, NO_HAND_HINT)
        if self._message:
            banner = QRectF(target.left(), target.top(), target.width(), 34)
            p.fillRect(banner, BANNER)
            p.setPen(TEXT)
            p.setFont(self._body_font)
            p.drawText(banner, Qt.AlignmentFlag.AlignCenter, self._message)

    def _paint_hint(self, p: QPainter, target: QRectF, text: str) -> None:
        """A dark pill near the bottom of the picture, where the learner is looking."""
        p.setFont(QFont(self.font().family(), 14, QFont.Weight.Bold))
        pill = QRectF(0, 0, p.fontMetrics().horizontalAdvance(text) + 40, 40)
        pill.moveCenter(QPointF(target.center().x(), target.bottom() - 40))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 170))
        p.drawRoundedRect(pill, 20, 20)
        p.setPen(UNSURE)
        p.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_box(self, p: QPainter, target: QRectF, scale: float) -> None:
        rec = self._recognition
        if rec is None or rec.box is None:
            return
        box = rec.box
        x = box.x * scale
        if self._mirror:
            x = target.width() - x - box.w * scale
        # A box may reach past the frame's edges (the crop pads there); draw only the part on the photo.
        rect = QRectF(target.left() + x, target.top() + box.y * scale, box.w * scale, box.h * scale)
        rect = rect.intersected(target.adjusted(1.5, 1.5, -1.5, -1.5))
        if rect.isEmpty():
            return
        colour = SURE if rec.letter else SETTLING if self.settling else UNSURE
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(colour, 3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(rect, 6, 6)
        tag = f"{self.shown_letter()}  {rec.confidence:.0%}"
        p.setFont(self._body_font)
        tag_w = p.fontMetrics().horizontalAdvance(tag) + 16
        tag_rect = QRectF(rect.left(), max(target.top(), rect.top() - 26), tag_w, 24)
        p.fillRect(tag_rect, colour)
        p.setPen(QColor("#111"))
        p.drawText(tag_rect, Qt.AlignmentFlag.AlignCenter, tag)

    def _paint_panel(self, p: QPainter, area: QRectF) -> None:
        p.fillRect(area, PANEL_BG)
        rec = self._recognition
        x, w = area.left() + 20, area.width() - 40
        y = area.top() + 16
        # The letter, large; with no hand or no live picture, what is going on and what to do instead.
        letter, state = self.shown_letter(), self.state_text()
        if state:
            p.setFont(QFont(self.font().family(), 17, QFont.Weight.Bold))
            p.setPen(UNSURE if self.live else TEXT)
            p.drawText(QRectF(x, y, w, 130), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, state)
        else:
            p.setFont(self._letter_font)
            p.setPen(TEXT if rec is not None and rec.letter else MUTED)
            p.drawText(QRectF(x, y, w, 130), Qt.AlignmentFlag.AlignCenter, letter)
        y += 134
        if not self.live:  # nothing is being read: no bars, no top-3, only what to do next
            p.setFont(self._body_font)
            p.setPen(MUTED)
            rest = self._message.split(" — ", 1)[1] if " — " in self._message else ""
            p.drawText(QRectF(x, y, w, 80), Qt.AlignmentFlag.AlignHCenter | Qt.TextFlag.TextWordWrap, rest)
            return
        p.setFont(self._small_font)
        p.setPen(MUTED)
        p.drawText(QRectF(x, y, w, 18), Qt.AlignmentFlag.AlignCenter, self.caption())
        y += 22
        shown = rec is not None and rec.hand_found and self.live
        confidence = rec.confidence if shown else 0.0
        bar = UNSURE if letter in ("?", "–") else SETTLING if self.settling else SURE
        self._paint_bar(p, QRectF(x, y, w, 14), confidence, bar)
        tick_x = x + w * self._threshold
        p.setPen(QPen(TEXT, 2))
        p.drawLine(QPointF(tick_x, y - 3), QPointF(tick_x, y + 17))
        p.setPen(TEXT)
        p.setFont(self._body_font)
        p.drawText(QRectF(x, y + 16, w, 20), Qt.AlignmentFlag.AlignCenter, f"{confidence:.0%}" if shown else "")
        y += 48
        # Top-3.
        p.setFont(self._small_font)
        p.setPen(MUTED)
        p.drawText(QRectF(x, y, w, 18), Qt.AlignmentFlag.AlignLeft, "TOP 3")
        y += 20
        top = rec.top[:3] if shown else ()
        for name, prob in top:
            p.setFont(self._body_font)
            p.setPen(TEXT)
            p.drawText(QRectF(x, y, 24, 20), Qt.AlignmentFlag.AlignVCenter, name)
            self._paint_bar(p, QRectF(x + 28, y + 5, w - 80, 10), prob, QColor("#5b8def"))
            p.drawText(QRectF(x + w - 48, y, 48, 20), Qt.AlignmentFlag.AlignRight, f"{prob:.0%}")
            y += 24
        y += 8 + 24 * (3 - len(top))
        # The 28x28 image the model sees, nearest-neighbour enlarged.
        p.setFont(self._small_font)
        p.setPen(MUTED)
        p.drawText(QRectF(x, y, w, 18), Qt.AlignmentFlag.AlignLeft, "WHAT THE MODEL SEES (28×28)")
        y += 22
        side = 28 * CROP_SCALE
        crop_rect = QRectF(area.center().x() - side / 2, y, side, side)
        if self._crop is not None and self.live:
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
            p.drawImage(crop_rect, self._crop)
        else:
            p.fillRect(crop_rect, BACKGROUND)
        p.setPen(QPen(MUTED, 1))
        p.drawRect(crop_rect)

    def _paint_bar(self, p: QPainter, rect: QRectF, fraction: float, colour: QColor) -> None:
        p.fillRect(rect, BACKGROUND)
        filled = QRectF(rect.topLeft(), QPointF(rect.left() + rect.width() * max(0.0, min(1.0, fraction)),
                                                rect.bottom()))
        p.fillRect(filled, colour)
