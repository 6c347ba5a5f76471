"""Images made with Qt for the window's tests: a PNG file's bytes from a QImage, and a PNG of
random pixels."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtGui import QImage


def png_bytes(image: QImage) -> bytes:
    handle, name = tempfile.mkstemp(suffix=".png")
    os.close(handle)
    path = Path(name)
    try:
        assert image.save(str(path), "PNG")  # type: ignore[call-overload]
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


def noise_png(side: int) -> bytes:
    """A PNG of random pixels: a real image that no two calls make alike, and that compresses
    badly (so a few thumbnails fill a small cache)."""
    image = QImage(os.urandom(side * side * 3), side, side, side * 3, QImage.Format.Format_RGB888)
    return png_bytes(image)
