"""The Library's filter with the source tree's choices: where assets live (a `Place`), gone ones
shown or not, uploads or generations only; on top of `LibraryFilter`'s provider, kind, account
and search."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import AssetRole, LibraryFilter

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
