"""The Library's selection and what follows it.

Which assets the current view (grid or list) has selected, selecting assets by id, stepping
through the selection or the rows (Quick Look's arrow keys), and the side preview: it shows the
one selected asset, and when that asset leaves the views (removed, filtered out) it previews the
selection's first instead, or clears (`preview_follow.py` watches the views for that).
"""

from __future__ import annotations

from array import array
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractProxyModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QTimer,
)
from PySide6.QtWidgets import QAbstractItemView

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import AssetRole, LibraryModel
from assetdesk.ui.library.preview import PreviewPanel
from assetdesk.ui.library.preview_follow import PreviewFollow
from assetdesk.ui.library.preview_sources import PreviewSources

#: Past this many selected assets, what follows the selection counts rows instead of reading
#: their assets (the inspector's totals come from SQLite), and an action on them reads them in
#: a worker thread, `READ_PAGE` at a time.
MANY_SELECTED = 1000
#: Assets read together for an action on a large selection (~1 KB each): a page is dropped
#: before the next is read, so select all of 100,000 never holds them all.
READ_PAGE = 500


@dataclass(frozen=True)
class Held:
    """What a new answer must not lose: the selected and current assets, and the top one."""

    selected: array[int]
    current: int | None
    top: int | None


class AssetSelection:
    """The selection of `current_view()` over `proxy`, and the side preview that follows it."""

    def __init__(
        self,
        proxy: QAbstractProxyModel,
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
        # Each answer to a query resets the model: the selection, the current asset and the
        # asset at the top of the view are held across it.
        self._held: Held | None = None
        model.modelAboutToBeReset.connect(self._hold)
        model.modelReset.connect(self._restore)

    # ------------------------------------------------------------------ reading

    def ranges(self) -> list[tuple[int, int]]:
        """The selected rows as (first, last) runs, in the views' order, without overlaps
        (selecting all of 100,000 rows is one range, not 800,000 indexes)."""
        selection = self._current_view().selectionModel().selection()
        spans = sorted(
            (part.top(), part.bottom())
            for part in (selection.at(number) for number in range(selection.size()))
        )
        runs: list[tuple[int, int]] = []
        for first, last in spans:
            if runs and first <= runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], max(runs[-1][1], last))
            else:
                runs.append((first, last))
        return runs

    def rows(self) -> list[int]:
        """The selected rows, in the views' order."""
        return [row for first, last in self.ranges() for row in range(first, last + 1)]

    def count(self) -> int:
        return sum(last - first + 1 for first, last in self.ranges())

    def first_row(self) -> int | None:
        """The first selected row in the views' order (None: nothing is selected)."""
        ranges = self.ranges()
        return ranges[0][0] if ranges else None

    def _first_assets(self) -> list[Asset]:
        """The first selected asset, alone in a list (empty: none)."""
        first = self.first_row()
        return [] if first is None else self._model.assets_of_rows([first])

    def id_array(self) -> array[int]:
        """The selected assets' ids in the views' order, as an array (8 bytes each; nothing
        read from the catalog, and select all of 100,000 is one slice of the model's ids)."""
        return self._model.ids_of_ranges(self.ranges())

    def assets(self) -> list[Asset]:
        """The selected assets, in the views' order (those not yet painted are read at once)."""
        return self._model.assets_of_rows(self.rows())

    def focused(self) -> Asset | None:
        """The view's current asset when it is selected, else the first selected (Quick Look
        opens on it)."""
        first = self.first_row()
        if first is None:
            return None
        view = self._current_view()
        current = view.currentIndex()
        chosen = current.row() if view.selectionModel().isSelected(current) else first
        found = self._model.assets_of_rows([chosen])
        return found[0] if found else None

    def on_screen(self, asset_id: int) -> bool:
        """Whether the current view shows the asset's row now (its thumbnail is wanted)."""
        index = self._index_of(asset_id)
        view = self._current_view()
        return index.isValid() and view.visualRect(index).intersects(view.viewport().rect())

    async def read_pages(self, ids: Sequence[int]) -> AsyncIterator[list[Asset]]:
        """The assets `ids` name (`id_array()` taken when the action was asked), `READ_PAGE`
        at a time in a worker thread, in their order; ids the catalog no longer has are left
        out. The model keeps none of them: select all of 100,000 does not stall the window or
        hold them all."""
        for start in range(0, len(ids), READ_PAGE):
            page = ids[start : start + READ_PAGE]
            found = await self._model.read_assets(page)
            yield [found[asset_id] for asset_id in page if asset_id in found]

    def _index_of(self, asset_id: int) -> QModelIndex:
        row = self._model.row_of(asset_id)
        if row < 0:
            return QModelIndex()
        return self._proxy.mapFromSource(self._model.index(row, 0))

    # ------------------------------------------------------------------ selecting

    def select_ids(self, ids: Iterable[int], *, scroll: bool = True) -> None:
        """Select these assets (those the views list), scrolled to the first."""
        view = self._current_view()
        rows = sorted(row for asset_id in ids if (row := self._model.row_of(asset_id)) >= 0)
        chosen = QItemSelection()
        last_column = self._proxy.columnCount() - 1
        for top, bottom in _runs(rows):
            chosen.select(self._proxy.index(top, 0), self._proxy.index(bottom, last_column))
        flags = QItemSelectionModel.SelectionFlag
        view.selectionModel().select(chosen, flags.ClearAndSelect | flags.Rows)
        if rows and scroll:
            view.scrollTo(self._proxy.index(rows[0], 0))

    def _hold(self) -> None:
        view = self._current_view()
        current, top = view.currentIndex(), top_index(view)
        self._held = Held(
            self.id_array(),
            self._model.ids_of_rows([current.row()])[0] if current.isValid() else None,
            self._model.ids_of_rows([top.row()])[0] if top.isValid() else None,
        )

    def _restore(self) -> None:
        """After the rows were listed anew: the held assets selected again (without scrolling
        to them), the current one current again (a view's keys go on from it), and the view
        where it was (a refresh filing more assets does not send it back to the top)."""
        held, self._held = self._held, None
        if held is None:
            return
        view = self._current_view()
        if held.current is not None and (index := self._index_of(held.current)).isValid():
            view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        if held.selected:
            self.select_ids(held.selected, scroll=False)
        if held.top is not None and (top := self._index_of(held.top)).isValid():
            scroll_when_laid_out(view, QPersistentModelIndex(top))

    def step(self, asset_id: int, offset: int) -> Asset | None:
        """The asset `offset` places from `asset_id`: through the selection when several are
        selected (the view's current item moves to it, the selection stays), else through the
        view's rows (and it becomes the selection). None at either end."""
        view = self._current_view()
        ids = self.id_array()
        if len(ids) > 1:
            if asset_id not in ids:
                return None
            place = ids.index(asset_id) + offset
            if not 0 <= place < len(ids):
                return None
            index = self._index_of(ids[place])
            view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
            view.scrollTo(index)
            return self._model.asset(ids[place])
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
        ranges = self.ranges()  # not every row: select all of 100,000 is one range
        if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
            assets = self._model.assets_of_rows([ranges[0][0]])
            if assets and assets[0].id != self.previewed:
                self.show_preview(assets[0])

    def preview_selected(self) -> None:
        assets = self._first_assets()
        if assets:
            self.show_preview(assets[0])

    def _preview_gone(self) -> None:
        """The previewed asset left the views: preview the selection's first, or nothing."""
        assets = self._first_assets()
        if assets:
            self.show_preview(assets[0])
        else:
            self.previewed = None
            self._preview.clear()

    def show_preview(self, asset: Asset) -> None:
        self.previewed = asset.id
        if not show_asset(self._preview, self._sources, asset):
            self.previewed = None


def scroll_when_laid_out(
    view: QAbstractItemView, index: QPersistentModelIndex, tries: int = 300
) -> None:
    """Put `index` at the top of `view` once the view has laid it out (a grid lays out 500
    tiles per turn of the event loop, and its scroll range grows after: scrolled sooner, it
    would stop at the first 500)."""
    if not index.isValid():
        return  # listed anew meanwhile
    here = index.model().index(index.row(), index.column())
    if view.visualRect(here).isValid():
        view.scrollTo(here, QAbstractItemView.ScrollHint.PositionAtTop)
        if _shown_at_top(view, here):
            return
    if tries > 0:
        QTimer.singleShot(10, view, lambda: scroll_when_laid_out(view, index, tries - 1))


def _shown_at_top(view: QAbstractItemView, index: QModelIndex) -> bool:
    """Whether the view shows `index` in its upper half, as laid out: a grid still laying out
    gives a rect for a tile it has not placed yet, so the item found there must be `index`."""
    rect = view.visualRect(index)
    centre = rect.center()
    return 0 <= centre.y() < view.viewport().height() // 2 + rect.height() and (
        view.indexAt(centre) == index
    )


def top_index(view: QAbstractItemView) -> QModelIndex:
    """The first item the view shows at its top (a grid's tiles sit inside their cells: the
    corner itself may be a gap)."""
    area = view.viewport().rect()
    for y in range(area.top(), area.bottom(), 8):
        for x in (area.left() + 4, area.width() // 6, area.width() // 3):
            index = view.indexAt(QPoint(x, y))
            if index.isValid():
                return index
    return QModelIndex()


def _runs(rows: list[int]) -> Iterator[tuple[int, int]]:
    """Sorted rows as (first, last) runs of consecutive rows."""
    start = previous = None
    for row in rows:
        if previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            yield start, previous
        start = previous = row
    if start is not None and previous is not None:
        yield start, previous


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
