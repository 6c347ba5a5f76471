"""What arrives by drop, paste or the file dialog: the drop zone shown while the queue is empty,
the highlight while files are dragged over, the files a drop holds, the dialog's filter, and a
pasted image saved as a PNG.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QWidget

from assetdesk.ui.widgets.pane_actions import pluralise

EMPTY_TEXT = (
    "Drop files or whole folders here, paste an image, or press Ctrl+O.\n\n"
    "Each file is checked by its real type and size against the target above "
    "before anything is sent (the line under it says what that target takes)."
)
#: The file dialog's first filter: the types some target takes by their usual names.
PICK_FILTER = (
    "Images, videos and audio (*.png *.jpg *.jpeg *.gif *.webp *.mp4 *.m4v *.mov *.3gp *.mkv "
    "*.flv *.mpg *.mpeg *.ts *.avi *.webm *.ogv *.wav *.mp3 *.flac *.ogg *.opus *.weba)"
)


def drop_zone() -> QLabel:
    """The dashed area that says what can be dropped (the style sheet's QLabel#dropZone)."""
    label = QLabel(EMPTY_TEXT)
    label.setObjectName("dropZone")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def set_drop_active(widgets: tuple[QWidget, ...], active: bool) -> None:
    """Highlight `widgets` (their dropActive property) while something is dragged over."""
    for widget in widgets:
        widget.setProperty("dropActive", active)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def can_take(mime: QMimeData) -> bool:
    """True when `mime` holds local files or an image."""
    return any(url.isLocalFile() for url in mime.urls()) or mime.hasImage()


def drag_prompt(mime: QMimeData) -> str:
    """What a drop of `mime` will do, in one sentence."""
    files = [url for url in mime.urls() if url.isLocalFile()]
    what = pluralise(len(files), "item") if files else "the image"
    return f"Release to add {what} to the queue."


def local_paths(mime: QMimeData) -> list[Path]:
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def save_png(image: QImage, folder: Path, stamp: str) -> Path | None:
    """Write a pasted image as a new PNG in `folder` (never over an older one)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for number in range(1, 1000):
        suffix = "" if number == 1 else f" ({number})"
        path = folder / f"Pasted image {stamp}{suffix}.png"
        if path.exists():
            continue
        partial = path.with_name(path.name + ".part")
        if image.save(str(partial), "PNG"):  # type: ignore[call-overload]
            partial.replace(path)
            return path
        return None
    return None
