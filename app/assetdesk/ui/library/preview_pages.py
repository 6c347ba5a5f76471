"""The preview's two pages, each a view above a row of controls: an image with Fit, 100 % and its
zoom; a video with Play, the position, the time, Mute and the volume.

Leaf widgets: they show what they are told and emit what the user asked for; the panel plays.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtMultimediaWidgets import QVideoWidget
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from assetdesk.core.units import format_duration
from assetdesk.ui.library.image_view import ImageView


def format_time(ms: int) -> str:
    """A player's position in whole seconds gone: 3_000 -> '0:03'; 3_723_000 -> '1:02:03'."""
    return format_duration(max(0, ms) // 1000)


def tool_button(text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    # Clicking keeps the focus on the panel, so Space goes on toggling playback.
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.clicked.connect(slot)
    return button


def _lay_out(page: QWidget, view: QWidget, left: list[QWidget], right: list[QWidget]) -> None:
    """`view` above a row of controls; a slider on the left takes the spare width."""
    row = QHBoxLayout()
    for control in left:
        row.addWidget(control, 1 if isinstance(control, QSlider) else 0)
    if not any(isinstance(control, QSlider) for control in left):
        row.addStretch(1)
    for control in right:
        row.addWidget(control)
    column = QVBoxLayout(page)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(view, 1)
    column.addLayout(row)


class ImagePage(QWidget):
    """The image view with Fit, 100 % and the zoom it is shown at."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_view = ImageView()
        self.fit_button = tool_button("Fit", "Show the whole image (Ctrl+9)", self.image_view.fit)
        self.actual_button = tool_button(
            "100 %", "Show the image at its real size (Ctrl+0)", self.image_view.actual_size
        )
        self.zoom_text = QLabel("")
        self.image_view.zoom_changed.connect(
            lambda scale: self.zoom_text.setText(f"{round(scale * 100)} %")
        )
        _lay_out(self, self.image_view, [self.fit_button, self.actual_button], [self.zoom_text])


class VideoPage(QWidget):
    """The video output and its controls. Emits `play_clicked`, `seek_requested(ms)` (moved by
    the user, not by `show_position`) and `volume_changed` (read it with `volume()`)."""

    play_clicked = Signal()
    seek_requested = Signal(int)
    volume_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._syncing = False
        self.video_widget = QVideoWidget()
        self.play_button = tool_button(
            "Play", "Play or pause (Space)", lambda: self.play_clicked.emit()
        )
        self.seek_slider = QSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setAccessibleName("Position")
        self.seek_slider.valueChanged.connect(self._seek)
        self.time_text = QLabel(format_time(0) + " / " + format_time(0))
        self.mute_button = tool_button("Mute", "Mute the sound", self._volume_changed)
        self.mute_button.setCheckable(True)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setAccessibleName("Volume")
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(80)
        self.volume_slider.setMaximumWidth(100)
        self.volume_slider.valueChanged.connect(self._volume_changed)
        _lay_out(
            self,
            self.video_widget,
            [self.play_button, self.seek_slider, self.time_text],
            [self.mute_button, self.volume_slider],
        )

    def volume(self) -> tuple[float, bool]:
        """The volume (0..1) and whether the sound is muted."""
        return self.volume_slider.value() / 100, self.mute_button.isChecked()

    def set_duration(self, duration: int) -> None:
        self.seek_slider.setRange(0, max(0, duration))

    def show_position(self, position: int) -> None:
        """Move the position slider without asking for a seek."""
        self._syncing = True
        try:
            self.seek_slider.setValue(position)
        finally:
            self._syncing = False

    def show_time(self, position: int, duration: int) -> None:
        self.time_text.setText(f"{format_time(position)} / {format_time(duration)}")

    def show_playing(self, playing: bool) -> None:
        self.play_button.setText("Pause" if playing else "Play")

    def _seek(self, position: int) -> None:
        if not self._syncing:
            self.seek_requested.emit(position)

    def _volume_changed(self) -> None:
        self.mute_button.setText("Unmute" if self.mute_button.isChecked() else "Mute")
        self.volume_changed.emit()
