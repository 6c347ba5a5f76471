"""The rows the Library's views list: the ids SQLite answered for the filters and order (an
array, 8 bytes a row), where each id sits, and a bounded cache of the assets of the rows the
views have painted. Qt-free bookkeeping for `model.py`, which fetches the pages it lacks."""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence

from assetdesk.services.library import Asset

#: Rows fetched together when a view paints one whose asset is not in memory.
PAGE = 200
#: Assets kept in memory (about 1 KB each): many screens' worth, a fraction of 100,000.
MAX_CACHED = 20_000
#: Rows looked up by scanning the ids (a few ms each at 100,000) before an answer's map of
#: every id's row is made (30 ms at 100,000): a search answered needs none or a few (the
#: current asset, the top one), the thumbnails that arrive after it many.
SCANS_BEFORE_MAP = 8


class CatalogRows:
    """`ids` in the views' order; assets by id, the least recently used dropped past `limit`.
    The assets in memory stay valid across answers until the catalog is read again
    (`mark_stale`): a search or a sort lists the same assets in another order."""

    def __init__(self, limit: int = MAX_CACHED) -> None:
        self.ids: array[int] = array("q")
        self._rows: dict[int, int] | None = {}  # made when first needed (`row_of`)
        self._scans = 0
        self._cache: OrderedDict[int, Asset] = OrderedDict()
        self._missing: set[int] = set()  # asked for and not in the catalog (removed meanwhile)
        self._stale: set[int] = set()  # in memory from before the last answer: read again
        self.limit = limit

    def __len__(self) -> int:
        return len(self.ids)

    def replace(self, ids: array[int], found: Mapping[int, Asset]) -> None:
        """A new answer: these ids, with the assets read with it."""
        self.ids, self._rows, self._scans = ids, None, 0
        self.remember(found.values())

    def mark_stale(self) -> None:
        """The catalog is being read again: the assets in memory are read again before they are
        shown as they are (until then they are shown as they were)."""
        self._missing.clear()
        self._stale = set(self._cache)

    def fresh(self, asset_id: int) -> bool:
        """Whether the asset is in memory and need not be read again."""
        return asset_id in self._cache and asset_id not in self._stale

    def renew(self, found: Mapping[int, Asset]) -> None:
        """The same ids answered again, with the assets read with them (those marked stale
        stay shown until they are read again)."""
        self.remember(found.values())

    def stale(self, asset_id: int) -> bool:
        return asset_id in self._stale

    def in_memory(self) -> int:
        return len(self._cache)

    def row_of(self, asset_id: int) -> int:
        if self._rows is None:
            if self._scans < SCANS_BEFORE_MAP:
                self._scans += 1
                try:
                    return self.ids.index(asset_id)
                except ValueError:
                    return -1
            self._rows = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._rows.get(asset_id, -1)

    def id_at(self, row: int) -> int:
        return self.ids[row]

    def cached(self, asset_id: int) -> Asset | None:
        """The asset when it is in memory (counted as used)."""
        asset = self._cache.get(asset_id)
        if asset is not None:
            self._cache.move_to_end(asset_id)
        return asset

    def lacking(self, asset_id: int) -> bool:
        """Whether the asset must be read (not in memory or from before the last answer, and
        not known to be gone)."""
        if asset_id in self._stale:
            return True
        return asset_id not in self._cache and asset_id not in self._missing

    def remember(self, assets: Iterable[Asset]) -> None:
        for asset in assets:
            self._cache[asset.id] = asset
            self._cache.move_to_end(asset.id)
            self._stale.discard(asset.id)
        while len(self._cache) > self.limit:
            dropped, _asset = self._cache.popitem(last=False)
            self._stale.discard(dropped)

    def not_found(self, asset_ids: Iterable[int]) -> None:
        """These ids were asked for and the catalog no longer has them."""
        self._missing.update(i for i in asset_ids if i not in self._cache)

    def update(self, asset: Asset) -> bool:
        """A changed asset: kept when it is in memory; whether the views list it."""
        if asset.id in self._cache:
            self._cache[asset.id] = asset
        return self.row_of(asset.id) >= 0

    def page_ids(self, page: int) -> list[int]:
        """The ids of the rows of `page` that must be read."""
        start = page * PAGE
        return [i for i in self.ids[start : start + PAGE] if self.lacking(i)]

    def ids_of_rows(self, rows: Sequence[int]) -> list[int]:
        return [self.ids[row] for row in rows if 0 <= row < len(self.ids)]

    def ids_of_ranges(self, ranges: Iterable[tuple[int, int]]) -> array[int]:
        """The ids of the rows from each range's first to its last, as one array (select all
        of 100,000 rows is one slice, not 100,000 ints)."""
        found = array("q")
        for first, last in ranges:
            found += self.ids[max(0, first) : last + 1]
        return found
