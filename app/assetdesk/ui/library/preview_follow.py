"""Keeps the Library's side preview on an asset the views list: when the previewed asset is
removed from the catalog or filtered out (search, kind, account, source tree), the pane is told
so it can preview the selection instead, or clear (no stale picture, no player left playing)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractProxyModel, QObject

from assetdesk.ui.library.model import LibraryModel


class PreviewFollow(QObject):
    """Calls `on_gone()` whenever rows leave the views and `previewed()` is no longer listed."""

    def __init__(
        self,
        proxy: QAbstractProxyModel,
        model: LibraryModel,
        *,
        previewed: Callable[[], int | None],
        on_gone: Callable[[], None],
    ) -> None:
        super().__init__(proxy)
        self._proxy, self._model = proxy, model
        self._previewed, self._on_gone = previewed, on_gone
        # A filter change removes rows (or lays them out again); a reload resets the model.
        proxy.rowsRemoved.connect(self.check)
        proxy.modelReset.connect(self.check)
        proxy.layoutChanged.connect(self.check)

    def listed(self, asset_id: int) -> bool:
        """Whether the views list the asset (in the catalog and through every filter)."""
        row = self._model.row_of(asset_id)
        return row >= 0 and self._proxy.mapFromSource(self._model.index(row, 0)).isValid()

    def check(self, *_: object) -> None:
        asset_id = self._previewed()
        if asset_id is not None and not self.listed(asset_id):
            self._on_gone()
