"""The Library views' reads: the ids a view lists (filters, search and order answered by SQLite,
store/library_query.py) and the assets of the rows it paints.

A connection of its own, beside the one the catalog's writes use: in WAL mode a read never waits
for a refresh writing thousands of rows, so a search stays quick while the library fills. Each
read runs in a worker thread, one at a time; a query answers with an array of ids, never with the
whole catalog as objects.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.library import Asset, LibraryStore
from assetdesk.store.library_query import (
    AssetQuery,
    PlaceCount,
    Totals,
    matching_ids,
    matching_within,
    place_counts,
    totals,
)

__all__ = ["Answer", "AssetQuery", "CatalogViews", "Totals"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """The ids a query lets through in order, and the first rows' assets (those the caller
    did not have)."""

    ids: array[int]
    first: dict[int, Asset]


class CatalogViews:
    """`ids(query)` and `many(ids)` over a read connection of the catalog at `database`."""

    def __init__(self, database: Path) -> None:
        self._database = database
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            if self._conn is None:
                self._conn = open_database(self._database, check_same_thread=False)
            return work(self._conn)

    async def answer(
        self,
        query: AssetQuery,
        first: int,
        ids: array[int] | None = None,
        *,
        have: Callable[[int], bool] = lambda _: False,
        within: array[int] | None = None,
    ) -> Answer:
        """What the views list under `query` (or these `ids`, its answer known already), with
        the assets of the `first` rows the caller does not `have`, in one turn of a worker
        thread. `within`: the answer to `query` without its search text, when known (a search
        then keeps the index's matches in its order: `matching_within`)."""

        def read(conn: sqlite3.Connection) -> Answer:
            if ids is not None:
                found = ids
            elif within is not None:
                found = matching_within(conn, query, within)
            else:
                found = matching_ids(conn, query)
            wanted = [asset_id for asset_id in found[:first] if not have(asset_id)]
            return Answer(found, LibraryStore(conn).many(wanted))

        return await asyncio.to_thread(self._read, read)

    async def ids(self, query: AssetQuery) -> array[int]:
        """The ids of the assets the views list under `query`, in its order."""
        return await asyncio.to_thread(self._read, lambda conn: matching_ids(conn, query))

    async def many(self, asset_ids: Sequence[int]) -> dict[int, Asset]:
        """These assets by id (those still in the catalog)."""
        return await asyncio.to_thread(self._read, lambda conn: LibraryStore(conn).many(asset_ids))

    def many_now(self, asset_ids: Sequence[int]) -> dict[int, Asset]:
        """`many`, on the caller's thread: for a few rows by primary key (a millisecond or two),
        when a caller must have them at once (the selection's assets the views have not painted)."""
        return self._read(lambda conn: LibraryStore(conn).many(asset_ids))

    async def totals(self, asset_ids: Sequence[int]) -> Totals:
        """A selection counted by kind, service and size, by SQLite."""
        return await asyncio.to_thread(self._read, lambda conn: totals(conn, asset_ids))

    async def places(self, asset_ids: Sequence[int]) -> list[PlaceCount]:
        """A selection counted per service, account and project, by SQLite (for a delete's
        confirmation: `library_delete.summary_of_places`)."""
        return await asyncio.to_thread(self._read, lambda conn: place_counts(conn, asset_ids))

    async def find(self, provider: Provider, remote_id: str) -> Asset | None:
        """The catalog's asset `remote_id` of `provider`, whatever the views list."""
        return await asyncio.to_thread(
            self._read, lambda conn: LibraryStore(conn).find(provider, remote_id)
        )

    async def gone_ids(self) -> list[int]:
        """Every asset a refresh no longer found on its service."""
        return await asyncio.to_thread(self._read, lambda conn: LibraryStore(conn).gone_ids())

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
