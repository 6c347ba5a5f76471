"""The Library pane, for now its empty state: what will be listed here, and how it gets there."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from assetdesk.ui.pane_layout import pane_layout

EMPTY_TEXT = (
    "Your library is empty.\n\n"
    "Every asset you upload, or add by its id, will be listed here with a thumbnail,\n"
    "a preview from a freshly signed link, and a download button.\n"
    "Browsing the library arrives in a later version."
)


class LibraryPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        layout = pane_layout(
            self, "Library", "Images and videos on Google Flow, Runway and Wordbee."
        )
        layout.addWidget(self.empty, 1)
