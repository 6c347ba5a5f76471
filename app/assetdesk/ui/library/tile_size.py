"""The Library grid's thumbnail size: a slider for the bar and Zoom in / Zoom out actions for the
View menu (Ctrl+= and Ctrl+-, while the focus is in the library pane: Quick Look, a window of its
own, keeps those keys for its image, and the side preview takes them while it shows one).

`TileSize` keeps the three in step and hands every new size to `apply(px)`; the pane resizes the
grid's cells and has the thumbnails made again at the new size.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QSlider, QWidget

from assetdesk.ui.library.thumbnail_queue import MAX_TILE, MIN_TILE, TILE

__all__ = ["TILE_STEP", "TileSize"]

#: How much Zoom in / Zoom out (and a page of the slider) change the size, in px.
TILE_STEP = 32


def _keys(keys: str, standard: QKeySequence.StandardKey) -> list[QKeySequence]:
    """`keys` and the platform's own keys for the same, each once (the same twice is ambiguous)."""
    found = [QKeySequence(keys)]
    found += [key for key in QKeySequence.keyBindings(standard) if key not in found]
    return found


class TileSize:
    """The size of the grid's thumbnails, MIN_TILE..MAX_TILE px, TILE at first."""

    def __init__(self, pane: QWidget, apply: Callable[[int], None]) -> None:
        self._apply = apply
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("tileSize")
        self.slider.setAccessibleName("Thumbnail size")
        self.slider.setToolTip("Thumbnail size (Ctrl+= and Ctrl+-)")
        self.slider.setRange(MIN_TILE, MAX_TILE)
        self.slider.setSingleStep(8)
        self.slider.setPageStep(TILE_STEP)
        self.slider.setValue(TILE)
        self.slider.setMaximumWidth(120)
        self.slider.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the views keep the arrow keys
        self.slider.valueChanged.connect(self._changed)

        self.zoom_in_action = self._action(pane, "Larger thumbnails", TILE_STEP)
        self.zoom_in_action.setShortcuts(_keys("Ctrl+=", QKeySequence.StandardKey.ZoomIn))
        self.zoom_out_action = self._action(pane, "Smaller thumbnails", -TILE_STEP)
        self.zoom_out_action.setShortcuts(_keys("Ctrl+-", QKeySequence.StandardKey.ZoomOut))

    def _action(self, pane: QWidget, text: str, step: int) -> QAction:
        action = QAction(text, pane)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(lambda: self.set(self.value() + step))
        pane.addAction(action)
        return action

    def value(self) -> int:
        return self.slider.value()

    def set(self, px: int) -> None:
        """Show thumbnails of `px` (kept within MIN_TILE..MAX_TILE)."""
        self.slider.setValue(max(MIN_TILE, min(MAX_TILE, int(px))))

    def _changed(self, px: int) -> None:
        self.zoom_in_action.setEnabled(px < MAX_TILE)
        self.zoom_out_action.setEnabled(px > MIN_TILE)
        self._apply(px)
