"""The upload queue as a table: one row per queued file, repainted on a clock, never per chunk."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QPixmap

from assetdesk.core.errors import AccountGone
from assetdesk.core.media import MediaKind
from assetdesk.core.provider import Provider
from assetdesk.core.units import format_eta, format_size, format_speed
from assetdesk.services.upload_items import ItemState, UploadItem
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.ui.uploads.status_text import item_lines, target_label, target_short, unknown_text
from assetdesk.ui.widgets.colours import DONE_COLOUR, ERROR_COLOUR, WAIT, readable
from assetdesk.ui.widgets.plain_text import plain_tip
from assetdesk.ui.widgets.roles import FractionRole, StateRole
from assetdesk.ui.widgets.table_model import FlatTableModel

Index = QModelIndex | QPersistentModelIndex

#: The item's id, for views and tests.
ItemIdRole = Qt.ItemDataRole.UserRole + 1


class Column(IntEnum):
    NAME = 0
    TARGET = 1
    SIZE = 2
    TYPE = 3
    STATE = 4
    PROGRESS = 5
    SPEED = 6
    ETA = 7


HEADERS = {
    Column.NAME: "Name",
    Column.TARGET: "To",
    Column.SIZE: "Size",
    Column.TYPE: "Type",
    Column.STATE: "State",
    Column.PROGRESS: "Progress",
    Column.SPEED: "Speed",
    Column.ETA: "Time left",
}


def state_text(item: UploadItem) -> str:
    """The State column: a word or two; the whole sentence is in the tooltip and details."""
    state = item.state
    if state is ItemState.PENDING:
        if item.needs_secret:
            return "Needs its secret"
        if item.waiting and item.waiting_until is not None:
            when = item.waiting_until.astimezone().strftime("%H:%M:%S")
            if item.row.error_kind == "throttled":
                return f"Waits until {when[:5]}"
            return f"Retries at {when}"
        return "Waiting"
    if state is ItemState.UPLOADING:
        progress = item.progress
        if progress.total and progress.done >= progress.total:
            return "Finishing"  # every byte is sent; the service is storing the file
        return "Uploading"
    if state is ItemState.DONE:
        return "Uploaded"
    if state is ItemState.FAILED:
        return "Account gone" if item.row.error_kind == AccountGone.kind else "Failed"
    if state is ItemState.CANCELLED:
        return "Cancelled"
    if state is ItemState.UNKNOWN:
        return "Outcome unknown"
    return "Not sent"


def type_text(item: UploadItem) -> str:
    media_type = item.media_type
    if media_type is None:
        return ""
    if item.row.note:
        return f"{media_type.label} (renamed)"
    return media_type.label


class UploadQueueModel(FlatTableModel):
    """Rows follow the queue's items; `refresh()` repaints the rows that changed since the last."""

    headers = tuple(HEADERS[column] for column in Column)

    def __init__(self, queue: UploadQueue) -> None:
        super().__init__()
        self._queue = queue
        self._ids: list[int] = [item.id for item in queue.items]
        self._rows: dict[int, int] = {item_id: row for row, item_id in enumerate(self._ids)}
        self._thumbnails: dict[int, QPixmap] = {}
        #: Called with an item the first time its thumbnail is wanted (the pane makes it).
        self.want_thumbnail: Callable[[UploadItem], None] | None = None
        self._asked: set[int] = set()
        self._blank: QPixmap | None = None
        #: The thumbnails' side in pixels (the blank placeholder's too).
        self.icon_size = 40
        self._palette_key = QGuiApplication.palette().color(QPalette.ColorRole.Button).rgba()

    # ------------------------------------------------------------ structure

    def row_count(self) -> int:
        return len(self._ids)

    def item_at(self, row: int) -> UploadItem | None:
        if 0 <= row < len(self._ids):
            return self._queue.item(self._ids[row])
        return None

    def row_of(self, item_id: int) -> int:
        return self._rows.get(item_id, -1)

    def reset_from_queue(self) -> None:
        self.beginResetModel()
        self._ids = [item.id for item in self._queue.items]
        self._reindex()
        self.endResetModel()

    def items_added(self, items: list[UploadItem]) -> None:
        fresh = [item.id for item in items if item.id not in self._rows]
        if not fresh:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        self._ids.extend(fresh)
        self._reindex()
        self.endInsertRows()

    def items_removed(self, ids: list[int]) -> None:
        # Remove contiguous runs from the bottom up, so that selections and views stay right.
        rows = sorted((self._rows[i] for i in ids if i in self._rows), reverse=True)
        runs: list[tuple[int, int]] = []
        for row in rows:
            if runs and runs[-1][0] == row + 1:
                runs[-1] = (row, runs[-1][1])
            else:
                runs.append((row, row))
        for first, last in runs:
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first : last + 1]
            self.endRemoveRows()
        for item_id in ids:
            self._thumbnails.pop(item_id, None)
            self._asked.discard(item_id)
        self._reindex()

    def _reindex(self) -> None:
        self._rows = {item_id: row for row, item_id in enumerate(self._ids)}

    def refresh(self) -> int:
        """Repaint the rows whose item changed; returns how many."""
        changed = sorted(self._rows[i] for i in self._queue.take_changed() if i in self._rows)
        for row in changed:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))
        return len(changed)

    def set_thumbnail(self, item_id: int, pixmap: QPixmap) -> None:
        self._thumbnails[item_id] = pixmap
        self._thumbnail_changed(item_id)

    def follow_palette(self, palette: QPalette) -> None:
        """When the palette changed (a dark theme), the tiles drawn in its colours (audio) go,
        to be asked for again."""
        key = palette.color(QPalette.ColorRole.Button).rgba()
        if key == self._palette_key:
            return
        self._palette_key = key
        for item_id in list(self._thumbnails):
            item = self._queue.item(item_id)
            if item is not None and item.media_type and item.media_type.kind is MediaKind.AUDIO:
                del self._thumbnails[item_id]
                self._asked.discard(item_id)
                self._thumbnail_changed(item_id)

    def _thumbnail_changed(self, item_id: int) -> None:
        row = self._rows.get(item_id)
        if row is not None:
            index = self.index(row, Column.NAME)
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def thumbnail(self, item_id: int) -> QPixmap | None:
        return self._thumbnails.get(item_id)

    # ------------------------------------------------------------ data

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.item_at(index.row())
        if item is None:
            return None
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == ItemIdRole:
            return item.id
        if role == StateRole:
            return item.state.value
        if role == FractionRole:
            return self._fraction(item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(self._tooltip(item))
        if role == Qt.ItemDataRole.DecorationRole and column is Column.NAME:
            return self._decoration(item)
        if role == Qt.ItemDataRole.ForegroundRole and column is Column.STATE:
            if item.state in (ItemState.FAILED, ItemState.REFUSED, ItemState.UNKNOWN):
                return readable(ERROR_COLOUR, QGuiApplication.palette())
            if item.state is ItemState.DONE:
                return readable(DONE_COLOUR, QGuiApplication.palette())
            if item.needs_secret and item.state is ItemState.PENDING:
                return readable(QColor(WAIT), QGuiApplication.palette())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.SIZE,
            Column.SPEED,
            Column.ETA,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, item: UploadItem, column: Column) -> str:
        row = item.row
        if column is Column.NAME:
            return row.name
        if column is Column.TARGET:
            return target_short(row)
        if column is Column.SIZE:
            return format_size(row.size) if row.size is not None else ""
        if column is Column.TYPE:
            return type_text(item)
        if column is Column.STATE:
            return state_text(item)
        if column is Column.PROGRESS:
            return self._progress_text(item)
        if item.state is not ItemState.UPLOADING:
            return ""
        progress = item.progress
        if column is Column.SPEED:
            return format_speed(progress.speed) if progress.speed > 0 else ""
        return format_eta(progress.eta) if progress.eta is not None else ""

    def _fraction(self, item: UploadItem) -> float | None:
        if item.state is ItemState.DONE:
            return 1.0
        if item.state is not ItemState.UPLOADING:
            return None
        progress = item.progress
        return progress.fraction

    def _progress_text(self, item: UploadItem) -> str:
        """What the progress bar says: the reason on items that will not go, else the share."""
        if item.state is ItemState.UNKNOWN:
            return unknown_text(item.row)
        if item.state in (ItemState.FAILED, ItemState.REFUSED, ItemState.CANCELLED):
            return item.row.message or ""
        if item.state is ItemState.PENDING and item.row.message:
            return item.row.message
        fraction = self._fraction(item)
        if fraction is None:
            return ""
        if item.state is ItemState.DONE:
            return "100 %"
        return f"{fraction * 100:.0f} %"

    def _tooltip(self, item: UploadItem) -> str:
        row = item.row
        lines = item_lines(item)
        if row.service_text:
            lines.append(f"The service said: {row.service_text[:300]}")
        if row.account_name:
            lines.append(f"To {target_label(row)}")
        if row.remote_id:
            id_name = "mediaGenerationId" if row.provider is Provider.GOOGLE_FLOW else "Id"
            lines.append(f"{id_name}: {row.remote_id}")
        return "\n".join(lines)

    def _decoration(self, item: UploadItem) -> QPixmap | None:
        pixmap = self._thumbnails.get(item.id)
        if pixmap is not None:
            return pixmap
        if self._blank is None:  # keeps every name at the same place until its thumbnail comes
            self._blank = QPixmap(self.icon_size, self.icon_size)
            self._blank.fill(Qt.GlobalColor.transparent)
        if (
            item.id not in self._asked
            and item.media_type is not None
            and self.want_thumbnail is not None
        ):
            self._asked.add(item.id)
            self.want_thumbnail(item)
        return self._blank
