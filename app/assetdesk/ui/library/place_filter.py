"""The Library views' filters: the filter bar's provider, kind, account and search, and the
source tree's choices (where assets live: a `Place`; gone ones shown or not; uploads or
generations only), and the order.

`PlaceFilter` sits between the model and the views as they expect a proxy to, but filters and
sorts nothing itself (a sort-filter proxy for its row map only, see the class): each choice
becomes the model's `AssetQuery`, which SQLite answers (store/library_query.py), so 100,000
rows are never walked in Python. A change is answered soon after it is made: the model's
`rows_settled` says when the views list the answer.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSortFilterProxyModel, Qt

from assetdesk.services.library_views import AssetQuery
from assetdesk.ui.library.model import LibraryModel

#: A place in the source tree: the asset fields that must hold these values (a missing project
#: is `("project_id", None)`); the empty place holds everything.
Place = tuple[tuple[str, object], ...]

#: The origin filter's choices: None (everything), "uploads", "generated".
ORIGINS = {"uploads": True, "generated": False}


class PlaceFilter(QSortFilterProxyModel):
    """The filters and order of the views over a `LibraryModel`, handed to it as a query.

    A sort-filter proxy that sorts and filters nothing (its own sort is the model's query),
    for the index it makes in C++ from its row map: a grid lays out every tile and asks its
    model for each one's index, and an identity proxy asked the model's rowCount and
    columnCount in Python for each, two takes of Python's lock a tile. While a worker thread
    held the lock (a refresh's rows parsed), each take waited up to the switch interval: at
    100,000 assets the loop stalled 160 ms laying out the grid after a sort."""

    def __init__(self) -> None:
        super().__init__()
        self.setDynamicSortFilter(False)  # nothing to sort or filter again on a change

    def _model(self) -> LibraryModel:
        model = self.sourceModel()
        assert isinstance(model, LibraryModel)
        return model

    def _change(self, **changes: object) -> None:
        model = self._model()
        model.set_query(replace(model.query, **changes))  # type: ignore[arg-type]

    @property
    def query(self) -> AssetQuery:
        return self._model().query

    def set_filters(
        self,
        *,
        provider: str | None = None,
        kind: str | None = None,
        account: int | None = None,
        text: str = "",
    ) -> None:
        self._change(provider=provider, kind=kind, account_id=account, text=text.strip())

    def set_place(self, place: Place) -> None:
        self._change(place=tuple(place))

    def set_show_gone(self, show: bool) -> None:
        self._change(show_gone=bool(show))

    def set_origin(self, origin: str | None) -> None:
        """'uploads' or 'generated' (what the service says; an asset it said neither of shows
        in neither), None for everything."""
        self._change(uploaded=None if origin is None else ORIGINS[origin])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._model().sort(column, order)
