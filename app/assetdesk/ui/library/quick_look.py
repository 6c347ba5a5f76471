"""Quick Look: a large preview of the Library's selection in a window over the library.

Space on the grid or the list opens it, sized to 80 % of the window and centred on it; Esc or
Space closes it; Left / Right (and Up / Down) move through the selection, or through the view's
rows when one asset is selected, and the library's selection follows (`selection.py`'s
`step`). It shows an asset as the side preview does (`selection.show_asset`: an image from the
same bytes, a video or a sound with the player, playing) in a `PreviewPanel` of its own (task
key "quick_look", so the side preview's load goes on). Space, Esc and the arrows are shortcuts
of the dialog, ahead of the image's own scrolling and the player's Space; the zoom keys
(Ctrl+= or Ctrl++, Ctrl+-, Ctrl+0 for 100 %, Ctrl+9 to fit) are the panel's, and everything in
the dialog is inside the panel, so they work whatever has the focus.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from assetdesk.services.library import Asset
from assetdesk.ui.library.preview import PreviewPanel
from assetdesk.ui.library.preview_sources import PreviewSources
from assetdesk.ui.library.selection import show_asset
from assetdesk.ui.tasks import BackgroundTasks

__all__ = ["SHARE", "QuickLook"]

#: How much of the window Quick Look covers, in each direction.
SHARE = 0.8

#: step(asset_id, offset) -> the asset `offset` places away (the selection follows), or None.
Step = Callable[[int, int], Asset | None]


class QuickLook(QDialog):
    """A tool window over `parent`'s window; `open_on(asset)` shows it on an asset."""

    def __init__(
        self,
        tasks: BackgroundTasks,
        sources: PreviewSources,
        step: Step,
        parent: QWidget,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Tool)
        self.setObjectName("quickLook")
        self.setModal(False)
        self._sources = sources
        self._step = step
        self._over = parent
        self.asset: Asset | None = None
        self.panel = PreviewPanel(tasks, key="quick_look")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.panel)
        keys: list[tuple[str, Callable[[], object]]] = [
            ("Space", self.close),
            ("Esc", self.close),
            ("Right", lambda: self.move_by(1)),
            ("Down", lambda: self.move_by(1)),
            ("Left", lambda: self.move_by(-1)),
            ("Up", lambda: self.move_by(-1)),
        ]
        self.shortcuts: list[QShortcut] = []
        for sequence, slot in keys:
            shortcut = QShortcut(QKeySequence(sequence), self)
            shortcut.activated.connect(slot)
            self.shortcuts.append(shortcut)

    def open_on(self, asset: Asset) -> None:
        """Cover most of the window, centred on it, and show `asset`."""
        over = self._over.window().geometry()
        size = over.size() * SHARE
        self.setGeometry(
            QRect(over.topLeft(), size).translated(
                (over.width() - size.width()) // 2, (over.height() - size.height()) // 2
            )
        )
        self.show_asset(asset)
        self.show()
        self.raise_()
        self.activateWindow()
        self.panel.setFocus()

    def show_asset(self, asset: Asset) -> None:
        self.asset = asset
        self.setWindowTitle(asset.title)
        show_asset(self.panel, self._sources, asset)

    def move_by(self, offset: int) -> None:
        """The next (1) or the previous (-1) asset; nothing at either end."""
        if self.asset is None:
            return
        found = self._step(self.asset.id, offset)
        if found is not None:
            self.show_asset(found)

    def hideEvent(self, event: QHideEvent) -> None:
        """Closed: stop what plays and let go of the image."""
        self.panel.clear()
        self.asset = None
        super().hideEvent(event)
