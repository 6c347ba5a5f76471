"""The Library views' filters: `LibraryFilter`, the filter bar's provider, kind, account and
search; and `PlaceFilter`, on top of it, the source tree's choices: where assets live (a `Place`),
gone ones shown or not, uploads or generations only."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import AssetRole

Index = QModelIndex | QPersistentModelIndex


class LibraryFilter(QSortFilterProxyModel):
    """Provider, kind and account filters and a search over name and id; sorts by SortRole."""

    def __init__(self) -> None:
        super().__init__()
        self._provider: str | None = None
        self._kind: str | None = None
        self._account: int | None = None
        self._text = ""

    def set_filters(
        self,
        *,
        provider: str | None = None,
        kind: str | None = None,
        account: int | None = None,
        text: str = "",
    ) -> None:
        self.beginFilterChange()
        self._provider, self._kind, self._account = provider, kind, account
        self._text = text.strip().casefold()
        self.endFilterChange()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The source model orders its rows (fast); this proxy keeps their order and filters."""
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        unfiltered = self._provider is None and self._kind is None and self._account is None
        if unfiltered and not self._text:
            return True  # no filter: no per-row work (10,000 rows at each reset)
        model = self.sourceModel()
        asset = model.index(source_row, 0, source_parent).data(AssetRole)
        if asset is None:
            return False
        if self._provider is not None and asset.provider != self._provider:
            return False
        if self._kind is not None and (asset.kind or "other") != self._kind:
            return False
        if self._account is not None and asset.account_id != self._account:
            return False
        if self._text:
            haystack = f"{asset.title}\n{asset.name or ''}\n{asset.remote_id}\n{asset.prompt or ''}"
            haystack = haystack.casefold()
            return self._text in haystack
        return True


#: A place in the source tree: the asset fields that must hold these values (a missing project
#: is `("project_id", None)`); the empty place holds everything.
Place = tuple[tuple[str, object], ...]

#: The origin filter's choices: None (everything), "uploads", "generated".
ORIGINS = {"uploads": True, "generated": False}


def holds(place: Place, asset: Asset) -> bool:
    return all(getattr(asset, field) == value for field, value in place)


class PlaceFilter(LibraryFilter):
    """`LibraryFilter` narrowed to a place of the source tree, gone assets and an origin."""

    def __init__(self) -> None:
        super().__init__()
        self._place: Place = ()
        self._show_gone = True
        self._uploaded: bool | None = None

    def set_place(self, place: Place) -> None:
        self.beginFilterChange()
        self._place = place
        self.endFilterChange()

    def set_show_gone(self, show: bool) -> None:
        self.beginFilterChange()
        self._show_gone = show
        self.endFilterChange()

    def set_origin(self, origin: str | None) -> None:
        """'uploads' or 'generated' (what the service says; an asset it said neither of shows
        in neither), None for everything."""
        self.beginFilterChange()
        self._uploaded = None if origin is None else ORIGINS[origin]
        self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self._place or not self._show_gone or self._uploaded is not None:
            model = self.sourceModel()
            asset = model.index(source_row, 0, source_parent).data(AssetRole)
            if asset is None or not holds(self._place, asset):
                return False
            if asset.gone and not self._show_gone:
                return False
            if self._uploaded is not None and asset.uploaded is not self._uploaded:
                return False
        return super().filterAcceptsRow(source_row, source_parent)
