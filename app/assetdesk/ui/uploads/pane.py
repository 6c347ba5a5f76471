"""The Uploads pane, first step: drop files and see what each one really is.

Every dropped file is checked off the event loop by its real type (its bytes, not its name) and
its size, exactly as an upload will check it. The transfer queue — progress, speed, ETA, cancel
and retry — arrives with a later issue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.units import format_size
from assetdesk.ui.pane_layout import pane_layout
from assetdesk.ui.tasks import BackgroundTasks

if TYPE_CHECKING:
    from assetdesk.services.local_files import UploadCandidate

Inspect = Callable[[Path], Awaitable["UploadCandidate"]]

EMPTY_TEXT = (
    "Drop images or videos here.\n\n"
    "Each file is checked by its real type and size before anything is sent.\n"
    "The upload queue itself arrives in a later version."
)


class UploadsPane(QWidget):
    """Accepts dropped files and lists them with their size and real type (or why they can't go)."""

    def __init__(
        self, inspect: Inspect, tasks: BackgroundTasks, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._inspect = inspect
        self._tasks = tasks
        self._generation = 0
        self.setAcceptDrops(True)

        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("dropZone")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.files = QListWidget()
        self.files.setObjectName("droppedFiles")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.files)

        self.clear_button = QPushButton("Clear list")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)

        layout = pane_layout(
            self, "Uploads", "Files for Google Flow or Runway. Drop them anywhere in this pane."
        )
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

    # ------------------------------------------------------------------ drops

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    def add_paths(self, paths: list[Path]) -> None:
        """List `paths` at once ("Checking…") and check each one in the background."""
        for path in paths:
            item = QListWidgetItem(f"{path.name} — checking…")
            item.setToolTip(str(path))
            self.files.addItem(item)
            self._tasks.spawn(
                self._check(path, item, self._generation), name=f"uploads.inspect[{path.name}]"
            )
        self.stack.setCurrentWidget(self.files)
        self.clear_button.setEnabled(True)

    async def _check(self, path: Path, item: QListWidgetItem, generation: int) -> None:
        try:
            candidate = await self._inspect(path)
        except AssetDeskError as error:
            text = str(error)
            ok = False
        else:
            text = f"{path.name} — {format_size(candidate.size)}, {candidate.media_type.label}"
            if candidate.note:
                text += f" ({candidate.note})"
            ok = True
        if generation != self._generation:  # the list was cleared meanwhile: the item is gone
            return
        item.setText(text)
        item.setData(Qt.ItemDataRole.UserRole, ok)
        if not ok:
            item.setForeground(Qt.GlobalColor.darkRed)

    def clear(self) -> None:
        self._generation += 1
        self.files.clear()
        self.stack.setCurrentWidget(self.empty)
        self.clear_button.setEnabled(False)
