"""The Library's selection and what follows it.

Which assets the current view (grid or list) has selected, selecting assets by id, stepping
through the selection or the rows (Quick Look's arrow keys), and the side preview: it shows the
one selected asset, and when that asset leaves the views (removed, filtered out) it previews the
selection's first instead, or clears (`preview_follow.py` watches the views for that).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSortFilterProxyModel
from PySide6.QtWidgets import QAbstractItemView

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import AssetRole, LibraryModel
from assetdesk.ui.library.preview import PreviewPanel
from assetdesk.ui.library.preview_follow import PreviewFollow
from assetdesk.ui.library.preview_sources import PreviewSources


class AssetSelection:
    """The selection of `current_view()` over `proxy`, and the side preview that follows it."""

    def __init__(
        self,
        proxy: QSortFilterProxyModel,
        model: LibraryModel,
        preview: PreviewPanel,
        sources: PreviewSources,
        *,
        current_view: Callable[[], QAbstractItemView],
    ) -> None:
        self._proxy, self._model = proxy, model
        self._preview, self._sources = preview, sources
        self._current_view = current_view
        #: The asset the preview shows (a re-selection of it after a reload does not restart it).
        self.previewed: int | None = None
        self.follow = PreviewFollow(
            proxy, model, previewed=lambda: self.previewed, on_gone=self._preview_gone
        )

    # ------------------------------------------------------------------ reading

    def assets(self) -> list[Asset]:
        """The selected assets, in the views' order."""
        view = self._current_view()
        rows = sorted({index.row() for index in view.selectionModel().selectedIndexes()})
        assets = [self._proxy.index(row, 0).data(AssetRole) for row in rows]
        return [asset for asset in assets if asset is not None]

    def _index_of(self, asset_id: int) -> QModelIndex:
        row = self._model.row_of(asset_id)
        if row < 0:
            return QModelIndex()
        return self._proxy.mapFromSource(self._model.index(row, 0))

    # ------------------------------------------------------------------ selecting

    def select_ids(self, ids: set[int]) -> None:
        """Select these assets (those the views list), scrolled to the first."""
        view = self._current_view()
        selection = view.selectionModel()
        selection.clearSelection()
        first: QModelIndex | None = None
        for asset_id in ids:
            index = self._index_of(asset_id)
            if index.isValid():
                selection.select(
                    index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows
                )
                first = first or index
        if first is not None:
            view.scrollTo(first)

    def step(self, asset_id: int, offset: int) -> Asset | None:
        """The asset `offset` places from `asset_id`: through the selection when several are
        selected (the view's current item moves to it, the selection stays), else through the
        view's rows (and it becomes the selection). None at either end."""
        view = self._current_view()
        selected = self.assets()
        if len(selected) > 1:
            ids = [asset.id for asset in selected]
            if asset_id not in ids:
                return None
            place = ids.index(asset_id) + offset
            if not 0 <= place < len(ids):
                return None
            index = self._index_of(ids[place])
            view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            view.scrollTo(index)
            return selected[place]
        here = self._index_of(asset_id)
        if not here.isValid():
            return None
        row = here.row() + offset
        if not 0 <= row < self._proxy.rowCount():
            return None
        index = self._proxy.index(row, 0)
        flags = QItemSelectionModel.SelectionFlag
        view.selectionModel().setCurrentIndex(index, flags.ClearAndSelect | flags.Rows)
        view.scrollTo(index)
        asset: Asset | None = index.data(AssetRole)
        return asset

    # ------------------------------------------------------------------ the side preview

    def changed(self) -> None:
        """The views' selection changed: preview the one selected asset (a new one only)."""
        assets = self.assets()
        if len(assets) == 1 and assets[0].id != self.previewed:
            self.show_preview(assets[0])

    def preview_selected(self) -> None:
        assets = self.assets()
        if assets:
            self.show_preview(assets[0])

    def _preview_gone(self) -> None:
        """The previewed asset left the views: preview the selection's first, or nothing."""
        assets = self.assets()
        if assets:
            self.show_preview(assets[0])
        else:
            self.previewed = None
            self._preview.clear()

    def show_preview(self, asset: Asset) -> None:
        self.previewed = asset.id
        if not show_asset(self._preview, self._sources, asset):
            self.previewed = None


def show_asset(panel: PreviewPanel, sources: PreviewSources, asset: Asset) -> bool:
    """Show `asset` in `panel` (the side preview or Quick Look's): an image from its bytes, a
    video or a sound with the player; False (the panel cleared) for what neither shows."""
    title = asset.title
    if asset.kind in ("video", "audio"):  # the player plays sound alone too
        panel.show_video(title, lambda fresh: sources.video_url(asset, fresh))
    elif asset.kind == "image":
        panel.show_image(title, lambda fresh: sources.image_bytes(asset, fresh))
    else:
        panel.clear()
        panel.state_text.setText(f"{title} has no preview: it is not an image, a video or a sound.")
        return False
    return True
