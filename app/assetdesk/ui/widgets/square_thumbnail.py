"""A thumbnail centred on a transparent square: the icons of the queue and of the library."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap


def square_thumbnail(image: QImage, side: int) -> QPixmap:
    """The thumbnail centred on a transparent square, so that every name starts at one place."""
    canvas = QPixmap(side, side)
    canvas.fill(Qt.GlobalColor.transparent)
    scaled = image.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    painter = QPainter(canvas)
    painter.drawImage((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
    painter.end()
    return canvas
