"""Images decoded in worker threads are read from files by name, never from a Python QIODevice.

QImageReader looks for the plugin that can read a device by letting each one peek at it, under a
lock shared by every reader of the process. A QBuffer or QFile made in Python is a Python-aware
subclass: each of its virtual calls (read, peek, seek) takes the GIL first. PySide lets go of
the GIL during `QImageReader.read()` but keeps it during `size()`: a worker in `read()` held the
plugin lock and waited for the GIL, while another, in `size()`, held the GIL and waited for the
lock. Both waited forever, and the window with them (seen under load; the thumbnails and the
preview decode at the same time). Given a file name, Qt opens the file with its own QFile,
which needs no GIL. The same goes for writing: QImage.save() gets a file name.

`read_image` also lets go of the reader (and so of its open file) before a temporary file is
removed: Windows cannot remove a file that is still open.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage, QImageReader


@contextlib.contextmanager
def image_file(source: Path | bytes) -> Iterator[str]:
    """`source` as a file name for QImageReader: a path as it is, bytes in a private temporary
    file (mode 0600) that is removed afterwards."""
    if isinstance(source, Path):
        yield str(source)
        return
    handle, name = tempfile.mkstemp(prefix="assetdesk-image-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(source)
        yield name
    finally:
        with contextlib.suppress(OSError):
            Path(name).unlink()


def read_image(
    source: Path | bytes, fit: Callable[[QSize], QSize] | None = None
) -> tuple[QImage, str]:
    """Decode `source`, EXIF orientation applied; `fit(size)` names a smaller size to decode to
    (a JPEG decodes scaled). The image (null when it failed) and the reader's error text."""
    with image_file(source) as name:
        reader = QImageReader(name)
        reader.setAutoTransform(True)
        if fit is not None:
            size = reader.size()  # before any EXIF rotation: fitting a square is the same
            if size.isValid() and (target := fit(size)) != size:
                reader.setScaledSize(target)
        image = reader.read()
        error = reader.errorString()
        del reader  # closes the file before image_file removes it
    return image, error
