"""What the window shows with no camera: why, and the four ways forward, one click each."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyStateView(QWidget):
    retry_requested = Signal()
    choose_camera_requested = Signal()
    open_photo_requested = Signal()
    open_video_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._title = QLabel("No camera")
        self._title.setObjectName("emptyTitle")
        self._title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._detail = QLabel()
        self._detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._detail.setWordWrap(True)
        self._detail.setObjectName("emptyDetail")
        buttons = QHBoxLayout()
        buttons.addStretch()
        for text, signal in (
            ("Retry", self.retry_requested),
            ("Choose camera…", self.choose_camera_requested),
            ("Open photo…", self.open_photo_requested),
            ("Open video…", self.open_video_requested),
        ):
            button = QPushButton(text)
            button.setMinimumWidth(130)
            button.clicked.connect(signal)
            buttons.addWidget(button)
        buttons.addStretch()
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(self._title)
        layout.addWidget(self._detail)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch()

    def set_reason(self, title: str, detail: str) -> None:
        self._title.setText(title)
        self._detail.setText(detail)

    @property
    def title(self) -> str:
        return self._title.text()

    @property
    def detail(self) -> str:
        return self._detail.text()
