"""The status bar: source, displayed fps, recognition time per frame, device, hand-locating mode."""

import time
from collections import deque

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget


class FrameStats:
    """Displayed fps and median recognition time over the last `window` painted frames."""

    def __init__(self, window: int = 30):
        self._painted_at: deque[float] = deque(maxlen=window)
        self._total_ms: deque[float] = deque(maxlen=window)

    def add(self, recognition, painted_at_s: float) -> None:
        self._painted_at.append(painted_at_s)
        self._total_ms.append(recognition.timings_ms.get("total", 0.0))

    def reset(self) -> None:
        self._painted_at.clear()
        self._total_ms.clear()

    def fps(self) -> float:
        if len(self._painted_at) < 2 or time.monotonic() - self._painted_at[-1] > 1.0:
            return 0.0  # stalled or stopped: say so instead of showing a stale rate
        return (len(self._painted_at) - 1) / (self._painted_at[-1] - self._painted_at[0])

    def latency_ms(self) -> float:
        return sorted(self._total_ms)[len(self._total_ms) // 2] if self._total_ms else 0.0


class StatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stats = FrameStats()
        self.source_label, self.fps_label, self.latency_label = QLabel(), QLabel(), QLabel()
        self.device_label, self.roi_label = QLabel(), QLabel()
        self.latency_label.setToolTip("Median time to locate the hand, crop it and run the model")
        for label in (self.source_label, self.fps_label, self.latency_label, self.device_label, self.roi_label):
            label.setContentsMargins(8, 0, 8, 0)
            self.addPermanentWidget(label)

    def on_painted(self, recognition, painted_at_s: float) -> None:
        self.stats.add(recognition, painted_at_s)

    def refresh(self, *, live: bool, device: str, roi: str) -> None:
        self.fps_label.setText(f"{self.stats.fps():.0f} fps" if live else "")
        self.latency_label.setText(f"{self.stats.latency_ms():.0f} ms/frame" if live else "")
        self.device_label.setText(device)
        self.roi_label.setText(f"Hand: {roi}")
