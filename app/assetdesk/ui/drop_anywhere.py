"""A file dropped anywhere on the window goes to the uploads, with the current target.

The window accepts drops and hands them to the Uploads pane, which shows its drop state as a drag
crosses any pane. Text fields elsewhere (the Library's search, the id to add) would take a file's
path as text: they get the files too, and keep plain text drops. A drag that started in AssetDesk
(an asset dragged out of the Library) is not an upload when it comes back onto the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QLineEdit, QWidget

if TYPE_CHECKING:
    from assetdesk.ui.uploads.pane import UploadsPane


class DropAnywhere(QObject):
    """Route the drops on `window` (and on its text fields) to `uploads`."""

    def __init__(self, window: QWidget, uploads: UploadsPane) -> None:
        super().__init__(window)
        self._uploads = uploads
        window.setAcceptDrops(True)
        for field in window.findChildren(QLineEdit):
            if not uploads.isAncestorOf(field):
                field.installEventFilter(self)

    # The window's own drag events (it forwards them from its overrides).

    def enter(self, event: QDragEnterEvent) -> bool:
        if event.source() is None and self._uploads.drag_offered(event.mimeData()):
            event.acceptProposedAction()
            return True
        event.ignore()
        return False

    def move(self, event: QDragMoveEvent) -> None:
        event.acceptProposedAction()

    def leave(self, _event: QDragLeaveEvent) -> None:
        self._uploads.drag_withdrawn()

    def drop(self, event: QDropEvent) -> None:
        if event.source() is None and self._uploads.dropped(event.mimeData()):
            event.acceptProposedAction()
        else:
            self._uploads.drag_withdrawn()
            event.ignore()

    # A text field's: files go to the uploads, text stays with the field.

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter:
            assert isinstance(event, QDragEnterEvent)
            if not event.mimeData().hasUrls():
                return False
            return self.enter(event)
        if kind == QEvent.Type.DragMove:
            assert isinstance(event, QDragMoveEvent)
            if not event.mimeData().hasUrls():
                return False
            self.move(event)
            return True
        if kind == QEvent.Type.DragLeave:
            self._uploads.drag_withdrawn()
            return False
        if kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            if not event.mimeData().hasUrls():
                return False
            self.drop(event)
            return True
        return False
