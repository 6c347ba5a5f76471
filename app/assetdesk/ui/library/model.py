"""The catalog as a table (the details list) and, column 0 only, a grid (filtered by
`place_filter.py`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QUrl,
)
from PySide6.QtGui import QGuiApplication, QIcon, QPixmap

from assetdesk.core.errors import AccountGone, AssetDeskError
from assetdesk.core.units import format_duration, format_size
from assetdesk.services.library import Asset
from assetdesk.ui.library.asset_text import gone_colour, greyed, titled, tooltip
from assetdesk.ui.library.queried_model import QueriedModel
from assetdesk.ui.widgets.colours import ERROR_COLOUR, readable
from assetdesk.ui.widgets.plain_text import plain_tip

Index = QModelIndex | QPersistentModelIndex

AssetRole = Qt.ItemDataRole.UserRole + 10
ErrorRole = Qt.ItemDataRole.UserRole + 12

#: Thumbnails kept in memory (about 64 KB each at 128 px): a few screens' worth and more.
MAX_THUMBNAILS = 1500
#: What a tile says of an asset whose account is gone (its tooltip says what to do).
ACCOUNT_GONE_SHORT = "Its account is gone"


class Column(IntEnum):
    NAME = 0
    KIND = 1
    SIZE = 2
    DIMENSIONS = 3
    DURATION = 4
    PROVIDER = 5
    ACCOUNT = 6
    DATE = 7


HEADERS = {
    Column.NAME: "Name",
    Column.KIND: "Kind",
    Column.SIZE: "Size",
    Column.DIMENSIONS: "Dimensions",
    Column.DURATION: "Duration",
    Column.PROVIDER: "Provider",
    Column.ACCOUNT: "Account",
    Column.DATE: "Date",
}


#: The query's sort key for each column (store/library_query.SORTS).
SORT_KEYS = {
    Column.NAME: "name",
    Column.KIND: "kind",
    Column.SIZE: "size",
    Column.DIMENSIONS: "dimensions",
    Column.DURATION: "duration",
    Column.PROVIDER: "provider",
    Column.ACCOUNT: "account",
    Column.DATE: "date",
}


def asset_date(asset: Asset) -> str:
    """The service's creation time when known, else when it entered the library; ISO text."""
    return asset.created_at or asset.added_at or ""


def short_date(text: str) -> str:
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text[:16]
    if moment.tzinfo is not None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M")


class LibraryModel(QueriedModel):
    """The catalog's rows as SQLite answers them (queried_model.py), shown: names, sizes,
    thumbnails (asked for when a view paints a row), problems and busy lines."""

    headers = tuple(HEADERS[column] for column in Column)

    def __init__(self) -> None:
        super().__init__()
        # Least recently painted first: beyond `max_thumbnails` the oldest are dropped (and made
        # again from the disk cache when they are painted again), so memory stays flat however
        # far the user scrolls.
        self._icons: OrderedDict[int, QIcon] = OrderedDict()
        self.max_thumbnails = MAX_THUMBNAILS
        self._errors: dict[int, str] = {}
        self._short_errors: dict[int, str] = {}
        self._busy: dict[int, str] = {}
        self._asked: set[int] = set()
        self._account_names: dict[int, str] = {}
        self._blank: QIcon | None = None
        self._drag_copies: dict[int, str] = {}
        self.icon_size = 128
        #: Called with an asset the first time a view wants its thumbnail.
        self.want_thumbnail: Callable[[Asset], None] | None = None

    # ------------------------------------------------------------ content

    def set_account_names(self, names: dict[int, str]) -> None:
        if names != self._account_names:
            self._account_names = dict(names)
            self.repaint_wanted.emit()

    def set_thumbnail(self, asset_id: int, pixmap: QPixmap) -> None:
        self._icons[asset_id] = QIcon(pixmap)  # an icon is scaled to each view's icon size
        self._icons.move_to_end(asset_id)
        while len(self._icons) > self.max_thumbnails:
            old, _icon = self._icons.popitem(last=False)
            self._asked.discard(old)
        self._changed_cell(asset_id, Column.NAME, [Qt.ItemDataRole.DecorationRole])

    def set_icon_size(self, px: int) -> None:
        """Thumbnails of `px` from now on: those made at another size are shown until their
        new one comes (asked for when painted); memory stays near MAX_THUMBNAILS of 128 px."""
        self.icon_size = px
        self._blank = None
        self.max_thumbnails = max(100, MAX_THUMBNAILS * 128 * 128 // (px * px))
        self._asked -= {asset_id for asset_id, icon in self._icons.items() if _stale(icon, px)}
        if len(self._rows):
            self.repaint_wanted.emit()

    def thumbnail(self, asset_id: int) -> QIcon | None:
        """The asset's thumbnail while it is in memory."""
        return self._icons.get(asset_id)

    def forget_asked(self, asset_id: int) -> None:
        """Ask for this asset's thumbnail again the next time a view paints it."""
        self._asked.discard(asset_id)

    def set_drag_copies(self, copies: dict[int, str]) -> None:
        """Files in the cache that stand for assets when they are dragged out."""
        self._drag_copies = dict(copies)

    def thumbnails_made(self) -> int:
        """How many thumbnails are in memory (at most `max_thumbnails`)."""
        return len(self._icons)

    def set_error(
        self, asset_id: int, problem: AssetDeskError | str | None, *, short: str | None = None
    ) -> None:
        """Show (or, with None, clear) a problem on the asset's row and tile: the tile and the
        list say `short` when given (a tile has room for a few words; an account gone says so
        in three), the tooltip the whole sentence."""
        sentence = None if problem is None else str(problem)
        if short is None and isinstance(problem, AccountGone):
            short = ACCOUNT_GONE_SHORT
        if sentence is None:
            self._errors.pop(asset_id, None)
            self._short_errors.pop(asset_id, None)
        else:
            self._errors[asset_id] = sentence
            if short is None:
                self._short_errors.pop(asset_id, None)
            else:
                self._short_errors[asset_id] = short
        row = self._rows.row_of(asset_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def error(self, asset_id: int) -> str | None:
        return self._errors.get(asset_id)

    def set_busy(self, asset_ids: Iterable[int], line: str | None) -> None:
        """Show `line` ("Deleting…") under these assets' names while it lasts; None clears it."""
        for asset_id in asset_ids:
            if line is None:
                self._busy.pop(asset_id, None)
            else:
                self._busy[asset_id] = line
            self._changed_cell(asset_id, Column.NAME, [Qt.ItemDataRole.DisplayRole])

    def busy(self, asset_id: int) -> str | None:
        return self._busy.get(asset_id)

    def _changed_cell(self, asset_id: int, column: Column, roles: list[int]) -> None:
        row = self._rows.row_of(asset_id)
        if row >= 0:
            index = self.index(row, column)
            self.dataChanged.emit(index, index, roles)

    # ------------------------------------------------------------ order

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by `column` (SQLite sorts; answered soon: `rows_settled`)."""
        if not 0 <= column < len(Column):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        self.set_query(replace(self.query, sort=SORT_KEYS[Column(column)], descending=descending))

    # ------------------------------------------------------------ structure

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # Draggable always: the views fetch a copy first when one is missing (LibraryPane).
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    # ------------------------------------------------------------ drag out

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def mimeData(self, indexes: Iterable[QModelIndex]) -> QMimeData:
        """Dragging assets out of the window: their local copies, as files."""
        mime = QMimeData()
        rows = sorted({index.row() for index in indexes if index.isValid()})
        paths = [
            local_copy(asset) or self._drag_copies.get(asset.id)
            for asset in self.assets_of_rows(rows)
        ]
        mime.setUrls([QUrl.fromLocalFile(path) for path in paths if path is not None])
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # ------------------------------------------------------------ data

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        asset = self._rows.cached(self._rows.id_at(index.row()))
        if asset is None:
            return self._not_yet(index, role)
        if self._rows.stale(asset.id):
            self._want_page(index.row())  # shown as it was until it is read again
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(asset, column)
        if role == AssetRole:
            return asset
        if role == ErrorRole:
            return self._errors.get(asset.id)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.NAME:
            return self._decoration(asset)
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tip(self._tooltip(asset))
        if role == Qt.ItemDataRole.ForegroundRole and asset.id in self._errors:
            return readable(ERROR_COLOUR, QGuiApplication.palette())
        if role == Qt.ItemDataRole.ForegroundRole and asset.gone:
            return gone_colour()
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            Column.SIZE,
            Column.DURATION,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, asset: Asset, column: Column) -> str:
        if column is Column.NAME:
            error = self._short_errors.get(asset.id) or self._errors.get(asset.id)
            busy = self._busy.get(asset.id)
            if busy:
                return f"{asset.title}\n{busy}"
            return f"{asset.title}\n⚠ {error}" if error else titled(asset)
        if column is Column.KIND:
            return (asset.kind or "other").capitalize()
        if column is Column.SIZE:
            return format_size(asset.size) if asset.size is not None else ""
        if column is Column.DIMENSIONS:
            return f"{asset.width} × {asset.height}" if asset.width and asset.height else ""
        if column is Column.DURATION:
            return format_duration(asset.duration_seconds) if asset.duration_seconds else ""
        if column is Column.PROVIDER:
            return asset.provider.label
        if column is Column.ACCOUNT:
            return self.account_text(asset)
        return short_date(asset_date(asset))

    def account_text(self, asset: Asset) -> str:
        """Its account's name, with the service account's email when there is one."""
        name = self._account_names.get(asset.account_id or 0, "")
        if asset.account_email and name:
            return f"{name} ({asset.account_email})"
        return asset.account_email or name

    def _tooltip(self, asset: Asset) -> str:
        return tooltip(asset, self._errors.get(asset.id))

    def _decoration(self, asset: Asset) -> QIcon | None:
        icon = self._icons.get(asset.id)
        if icon is not None:
            self._icons.move_to_end(asset.id)  # painted: recently used
            if asset.id not in self._asked and _stale(icon, self.icon_size):
                self._ask(asset)
            return greyed(icon, self.icon_size) if asset.gone else icon
        if asset.id not in self._asked:
            self._ask(asset)
        return self._blank_icon()

    def _placeholder(self, index: Index, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and index.column() == Column.NAME:
            return self._blank_icon()
        return None

    def _blank_icon(self) -> QIcon:
        if self._blank is None:
            blank = QPixmap(self.icon_size, self.icon_size)
            blank.fill(Qt.GlobalColor.transparent)
            self._blank = QIcon(blank)
        return self._blank

    def _ask(self, asset: Asset) -> None:
        if self.want_thumbnail is not None:
            self._asked.add(asset.id)
            self.want_thumbnail(asset)


def _stale(icon: QIcon, px: int) -> bool:
    """Whether the thumbnail was made for another tile size than `px`."""
    sizes = icon.availableSizes()
    return bool(sizes) and sizes[0].width() != px


def local_copy(asset: Asset) -> str | None:
    """A file on this computer with the asset's bytes: its last download, or what was uploaded.

    Stats files: views call it for one row at a time (flags, drags), never for all rows."""
    for candidate in (asset.local_path, asset.source_path):
        if candidate and Path(candidate).is_file():
            return candidate
    return None
