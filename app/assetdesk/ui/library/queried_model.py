"""A table model of the catalog's rows as SQLite answers them: the ids the filters let through,
in the chosen order (`AssetQuery`, answered in a worker thread), and the assets of the rows a view
paints, read a page at a time. A row shows blank until its page comes; a library of 100,000
assets is never loaded whole (catalog_rows.py keeps the ids and a bounded cache)."""

from __future__ import annotations

import asyncio
from array import array
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal

from assetdesk.services.library import Asset
from assetdesk.services.library_views import Answer, AssetQuery, CatalogViews
from assetdesk.ui.library.catalog_rows import PAGE, CatalogRows
from assetdesk.ui.widgets.table_model import FlatTableModel

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()

#: Rows whose assets come with each answer at most (a first screen at the smallest tiles on a
#: large monitor, and every row of a small library): the rest are read as the views paint them.
FIRST_ROWS = 600
#: ... and at least, when the views say how many rows a screen shows (`rows_on_screen`): two
#: screens are enough, and reading 600 assets into Python took 15-45 ms of each fresh answer at
#: 100,000 assets while the window decoded thumbnails (8 ms quiet).
MIN_FIRST_ROWS = 100
#: Answers kept for queries asked again (a search cleared, a filter set back), the least
#: recently asked dropped first past either bound: ids in all (8 bytes each: 12 MB; a list of
#: 100,000 asked again costs SQLite 35 ms on a quiet machine and 70-120 ms while the window
#: decodes thumbnails), and answers (most are a search's few).
KEPT_IDS = 1_500_000
KEPT_ANSWERS = 40


class QueriedModel(FlatTableModel):
    """`query` answered by SQLite through `attach`ed views; `rows_settled` after each answer."""

    #: The rows the views list answer the current filters and order (after each query).
    rows_settled = Signal()
    #: What every row shows may have changed: the views paint what they show again. (A
    #: dataChanged over 100,000 rows makes a grid ask each tile's size: 0.2 s.)
    repaint_wanted = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._columns = len(self.headers)
        self._rows = CatalogRows()
        self.query = AssetQuery()
        self._views: CatalogViews | None = None
        self._spawn: Callable[[Coroutine[Any, Any, None], str], None] | None = None
        self._asked_version = 0  # requery() calls; the answer applied covers `_answered`
        self._answered = 0
        self._querying = False
        self._waiters: list[asyncio.Future[None]] = []
        self._generation = 0  # a new answer makes the pages being read stale
        self._pages_loading: set[int] = set()
        self._pages_wanted: set[int] = set()
        #: The last answers, by query (8 bytes a row: 800 KB for 100,000), until the catalog
        #: is read again (`requery`).
        self._answers: OrderedDict[AssetQuery, array[int]] = OrderedDict()
        self._kept_ids = 0  # in `_answers`
        self._catalog_version = 0
        #: How many rows a screen of the views shows (set by the pane; None: FIRST_ROWS come).
        self.rows_on_screen: Callable[[], int] | None = None

    # ------------------------------------------------------------ asking SQLite

    def attach(
        self, views: CatalogViews, spawn: Callable[[Coroutine[Any, Any, None], str], None]
    ) -> None:
        """Read the catalog through `views`; `spawn(coro, name)` runs the model's own reads."""
        self._views, self._spawn = views, spawn

    def set_query(self, query: AssetQuery) -> None:
        """List what `query` lets through, in its order (answered soon: `rows_settled`)."""
        if query == self.query:
            self.rows_settled.emit()
            return
        self.query = query
        self._asked_version += 1
        self._run(self._settle(), "library.query")

    async def requery(self) -> None:
        """Ask SQLite again (the catalog changed); returns once the views list the answer to
        the newest query. Calls made meanwhile are answered by one more query."""
        self._answers.clear()  # answers to other queries are older than the catalog
        self._kept_ids = 0
        self._rows.mark_stale()  # and so are the assets in memory
        self._catalog_version += 1
        self._asked_version += 1
        await self._settle()

    @property
    def settled(self) -> bool:
        """Whether the rows listed answer the newest query."""
        return not self._querying and self._answered >= self._asked_version

    async def _settle(self) -> None:
        if self._querying:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            await waiter
            return
        if self._views is None:
            raise RuntimeError("the Library model is not attached to the catalog")
        self._querying = True
        try:
            while self._answered < self._asked_version:
                version, query = self._asked_version, self.query
                answer = await self._answer(query)
                if version != self._asked_version:
                    continue  # asked again meanwhile (a search being typed): answer that
                self._apply(answer)
                self._answered = version
        finally:
            self._querying = False
            waiters, self._waiters = self._waiters, []
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        self.rows_settled.emit()

    async def _answer(self, query: AssetQuery) -> Answer:
        """SQLite's answer to `query` (its ids known already when it gave them since the catalog
        was last read: a search cleared, a filter set back), in one turn of a worker thread."""
        known = self._answers.get(query)
        if known is not None:
            self._answers.move_to_end(query)
        # A search typed over a list already answered: the search index's matches kept in that
        # answer's order (SQLite's own plan walked the whole order: 20-30 ms at 100,000).
        within = None
        if known is None and (base := replace(query, text="")) in self._answers:
            within = self._answers[base]
            self._answers.move_to_end(base)
        catalog = self._catalog_version
        assert self._views is not None
        answer = await self._views.answer(
            query, self._first_rows(), known, have=self._rows.fresh, within=within
        )
        if known is None and catalog == self._catalog_version:  # still the catalog's
            self._answers[query] = answer.ids
            self._kept_ids += len(answer.ids)
            while len(self._answers) > KEPT_ANSWERS or self._kept_ids > KEPT_IDS:
                self._kept_ids -= len(self._answers.popitem(last=False)[1])
        return answer

    def _first_rows(self) -> int:
        """Rows whose assets come with an answer: two screens of the views, within bounds."""
        if self.rows_on_screen is None:
            return FIRST_ROWS
        return max(MIN_FIRST_ROWS, min(FIRST_ROWS, 2 * self.rows_on_screen()))

    def _apply(self, answer: Answer) -> None:
        ids, head = answer.ids, answer.first
        if ids == self._rows.ids:  # the same rows (a reload): no reset, the view stays put
            self._rows.renew(head)
            self._pages_loading.clear()
            self.repaint_wanted.emit()  # the rows shown are read again as they are painted
            return
        self.beginResetModel()
        self._generation += 1
        self._pages_loading.clear()
        self._pages_wanted.clear()
        self._rows.replace(ids, head)
        self.endResetModel()

    def _want_page(self, row: int) -> None:
        page = row // PAGE
        if page in self._pages_loading:
            return
        self._pages_loading.add(page)
        if not self._pages_wanted:
            self._run(self._read_pages(), "library.rows")
        self._pages_wanted.add(page)

    async def _read_pages(self) -> None:
        """Read the pages the views asked for in this paint (gathered: one read for all)."""
        await asyncio.sleep(0)
        pages, self._pages_wanted = sorted(self._pages_wanted), set()
        generation = self._generation
        try:
            wanted = [asset_id for page in pages for asset_id in self._rows.page_ids(page)]
            if not wanted or self._views is None:
                return  # read meanwhile (a selection's assets)
            found = await self._views.many(wanted)
            self._rows.remember(found.values())
            self._rows.not_found(wanted)
        finally:  # asked again when painted again, whatever happened to this read
            self._pages_loading.difference_update(pages)
        if generation != self._generation:
            return  # another answer came meanwhile: its rows are painted afresh
        last = self.columnCount() - 1
        for page in pages:
            first = page * PAGE
            bottom = min(first + PAGE, len(self._rows)) - 1
            if bottom >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(bottom, last))

    def _run(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        if self._spawn is None:
            coro.close()
            return
        self._spawn(coro, name)

    # ------------------------------------------------------------ rows

    def row_count(self) -> int:
        return len(self._rows)

    # Asked of every index made of this model (the views' proxy makes theirs from its own row
    # map: place_filter.py), so they answer without the base class's calls.
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows.ids)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else self._columns

    def assets_in_memory(self) -> int:
        return self._rows.in_memory()

    def reading_pages(self) -> bool:
        """Whether rows the views painted are being read (their assets not in memory yet)."""
        return bool(self._pages_loading)

    def limit_memory(self, assets: int) -> None:
        """Keep at most this many assets in memory (the least recently painted go first)."""
        self._rows.limit = assets
        self._rows.remember(())

    def update_asset(self, asset: Asset) -> None:
        if self._rows.update(asset):
            row = self._rows.row_of(asset.id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def asset(self, asset_id: int) -> Asset | None:
        """The asset when the views list it (read now when it is not in memory)."""
        if self._rows.row_of(asset_id) < 0:
            return None
        found = self.assets_of_rows([self._rows.row_of(asset_id)])
        return found[0] if found else None

    def assets_of_rows(self, rows: Sequence[int]) -> list[Asset]:
        """The assets of these rows, in their order; those not in memory are read at once (by
        primary key: ~5 ms for 200), so callers ask for a selection's, not for every row."""
        ids = self._rows.ids_of_rows(rows)
        lacking = [asset_id for asset_id in ids if self._rows.lacking(asset_id)]
        if lacking and self._views is not None:
            found = self._views.many_now(lacking)
            self._rows.remember(found.values())
            self._rows.not_found(lacking)
        assets = (self._rows.cached(asset_id) for asset_id in ids)
        return [asset for asset in assets if asset is not None]

    async def read_assets(self, asset_ids: Sequence[int]) -> dict[int, Asset]:
        """These assets by id, read in a worker thread (not kept in memory)."""
        if self._views is None:
            return {}
        return await self._views.many(asset_ids)

    def ids_of_rows(self, rows: Sequence[int]) -> list[int]:
        return self._rows.ids_of_rows(rows)

    def ids_of_ranges(self, ranges: Iterable[tuple[int, int]]) -> array[int]:
        return self._rows.ids_of_ranges(ranges)

    def row_of(self, asset_id: int) -> int:
        return self._rows.row_of(asset_id)

    def _not_yet(self, index: Index, role: int) -> Any:
        """A row whose asset is being read: blank (its page is asked for)."""
        if self._rows.lacking(self._rows.id_at(index.row())):
            self._want_page(index.row())
        return self._placeholder(index, role)

    def _placeholder(self, index: Index, role: int) -> Any:
        """What a row being read shows for `role` (blank; subclasses: a blank thumbnail)."""
        return None
