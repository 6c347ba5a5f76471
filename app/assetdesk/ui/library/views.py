"""The Library's two views of the catalog, a grid of tiles and a list with columns; both drag
assets out as files, and only once `before_drag()` says every file is on this computer.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
)

from assetdesk.core.units import format_duration
from assetdesk.ui.library.model import AssetRole, Column
from assetdesk.ui.library.thumbnail_queue import TILE

#: A line break as the delegate paints one: it turns the model's "\n" into this (displayText);
#: a plain "\n" added after that would be drawn as nothing, the length glued to the name.
LINE = "\u2028"


class AssetGrid(QListView):
    """Tiles of `tile()` px that share out the width (no blank band on the right however wide
    the window); starts a drag only when every dragged asset has a file on this computer."""

    def __init__(self, before_drag: Callable[[], bool]) -> None:
        super().__init__()
        self._before_drag = before_drag
        self._tile = TILE

    def tile(self) -> int:
        return self._tile

    def set_tile(self, px: int) -> None:
        """Thumbnails of `px`, each cell as wide as the width shared among the columns."""
        self._tile = px
        self.setIconSize(QSize(px, px))
        self._share_width()

    def _share_width(self) -> None:
        # As QListView lays out a wrapping flow: from `spacing` up to the last pixel of the
        # viewport as it would be with its vertical scroll bar (always counted, shown or not).
        bar = self.style().pixelMetric(
            QStyle.PixelMetric.PM_ScrollBarExtent, None, self.verticalScrollBar()
        )
        room = self.maximumViewportSize().width() - bar - 1 - self.spacing()
        cell = self._tile + 36
        columns = max(1, room // cell)
        self.setGridSize(QSize(max(cell, room // columns), self._tile + 44))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._share_width()

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        if self._before_drag():
            super().startDrag(supportedActions)


class AssetList(QTableView):
    def __init__(self, before_drag: Callable[[], bool]) -> None:
        super().__init__()
        self._before_drag = before_drag

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        if self._before_drag():
            super().startDrag(supportedActions)


class TileDelegate(QStyledItemDelegate):
    """Every tile as tall as a thumbnail and two lines of text (a name, and "No longer on …" or a
    problem under it): with uniform sizes the first tile's one-line hint would cut the second."""

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        side = option.decorationSize.width()  # the view's icon size
        return QSize(side + 34, side + 40)

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        """A video's or a sound's tile says how long it plays ("0:05") on its second line, in
        the tile's own text colour (so light and dark palettes alike), unless a problem or
        "No longer on …" has that line."""
        super().initStyleOption(option, index)
        duration = tile_duration(index)
        if duration and LINE not in option.text:
            option.text = f"{option.text}{LINE}{duration}"


def tile_duration(index: QModelIndex | QPersistentModelIndex) -> str:
    """'0:05' for a video or sound asset whose length is known; '' otherwise."""
    asset = index.data(AssetRole)
    if asset is None or asset.kind not in ("video", "audio") or not asset.duration_seconds:
        return ""
    return format_duration(asset.duration_seconds)


def asset_grid(model: QAbstractItemModel, before_drag: Callable[[], bool]) -> AssetGrid:
    """Tiles of TILE px (to begin with) with the name under each."""
    grid = AssetGrid(before_drag)
    grid.setObjectName("libraryGrid")
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    grid.setUniformItemSizes(True)  # no size hint asked of 10,000 items
    grid.setLayoutMode(QListView.LayoutMode.Batched)
    grid.setBatchSize(500)
    grid.set_tile(TILE)
    grid.setWordWrap(True)
    grid.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    grid.setSpacing(6)
    grid.setModel(model)
    grid.setModelColumn(Column.NAME)
    grid.setItemDelegate(TileDelegate(grid))
    return grid


def asset_list(model: QAbstractItemModel, before_drag: Callable[[], bool]) -> AssetList:
    """One row per asset, sortable by its header."""
    table = AssetList(before_drag)
    table.setObjectName("libraryList")
    table.setModel(model)
    table.setSortingEnabled(True)
    table.setIconSize(QSize(32, 32))
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(36)
    table.setShowGrid(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    table.setColumnWidth(Column.NAME, 240)
    return table


def screen_rows_of(grid: AssetGrid, table: QTableView) -> Callable[[], int]:
    """`rows_on_screen` of these two views, holding them weakly (0 once either is gone): the
    model keeps this and a view keeps its model, so a closure over the views themselves would
    tie model, proxy and views in a cycle that the cycle collector frees on whichever thread
    it happens to run (a worker's, then Qt objects die off the GUI thread)."""
    grid_ref, table_ref = weakref.ref(grid), weakref.ref(table)

    def rows() -> int:
        grid_now, table_now = grid_ref(), table_ref()
        if grid_now is None or table_now is None:
            return 0
        return rows_on_screen(grid_now, table_now)

    return rows


def rows_on_screen(grid: AssetGrid, table: QTableView) -> int:
    """How many rows the larger of the two views shows at once (tiles in the grid's viewport,
    rows in the list's), whichever is current: what an answer must bring to fill either."""
    cell, area = grid.gridSize(), grid.viewport().size()
    across = max(1, area.width() // max(1, cell.width()))
    tiles = across * (area.height() // max(1, cell.height()) + 1)
    lines = table.viewport().height() // max(1, table.verticalHeader().defaultSectionSize()) + 1
    return max(tiles, lines)
