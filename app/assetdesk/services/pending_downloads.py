"""The Library's downloads still to finish, kept in the database so that a quit or a crash does
not lose them: the window notes each user download as it starts and forgets it when it ends;
the next start asks for the rest and downloads them again, going on from their kept `.part`."""

from __future__ import annotations

import asyncio
import sqlite3
from array import array
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TypeVar

from assetdesk.store.pending_downloads import PendingDownload, PendingDownloadStore, PendingGroup

__all__ = ["PendingDownload", "PendingDownloads", "PendingGroup"]

T = TypeVar("T")
OnConnection = Callable[[Callable[[sqlite3.Connection], T]], Awaitable[T]]


class PendingDownloads:
    """Over the library's own connection (`on_connection` runs work in a worker thread)."""

    def __init__(self, on_connection: OnConnection[object]) -> None:
        self._on_connection = on_connection
        self._to_remove: list[int] = []
        self._removing: asyncio.Future[None] | None = None

    async def _store(self, work: Callable[[PendingDownloadStore], T]) -> T:
        result = await self._on_connection(lambda conn: work(PendingDownloadStore(conn)))
        return result  # type: ignore[return-value]

    async def add(
        self, asset_id: int, folder: Path, *, filename: str | None = None, keep_folders: bool
    ) -> PendingDownload:
        (added,) = await self.add_many(
            [asset_id], folder, filename=filename, keep_folders=keep_folders
        )
        return added

    async def add_many(
        self,
        asset_ids: Sequence[int],
        folder: Path,
        *,
        filename: str | None = None,
        keep_folders: bool,
    ) -> list[PendingDownload]:
        """One record per asset, in their order: one transaction in the worker thread, however
        many (a "Download to folder" of thousands does not hold the loop)."""
        ids = list(asset_ids)
        return await self._store(
            lambda store: store.add_many(
                ids, str(folder), filename=filename, keep_folders=keep_folders
            )
        )

    async def add_ids(
        self,
        asset_ids: Sequence[int],
        folder: Path,
        *,
        filename: str | None = None,
        keep_folders: bool,
    ) -> array[int]:
        """`add_many`'s records; their ids in the assets' order (a batch of 100,000 is an
        array, not objects)."""
        return await self._store(
            lambda store: store.add_ids(
                asset_ids, str(folder), filename=filename, keep_folders=keep_folders
            )
        )

    async def remove_many(self, download_ids: Sequence[int]) -> None:
        """Forget these, in one transaction."""
        ids = list(download_ids)
        if ids:
            await self._store(_removing_all(ids))

    async def remove(self, download_id: int) -> None:
        """Forget one; the removals asked for while one transaction is being written go
        together in the next (a "Cancel all" of thousands is a few writes, not thousands)."""
        self._to_remove.append(download_id)
        if self._removing is None:
            self._removing = asyncio.ensure_future(self._remove_queued())
        await asyncio.shield(self._removing)

    async def _remove_queued(self) -> None:
        await asyncio.sleep(0)  # those asked for in the same turn of the loop come along
        try:
            while self._to_remove:
                ids, self._to_remove = self._to_remove, []
                await self._store(_removing_all(ids))
        finally:
            self._removing = None

    async def all(self) -> list[PendingDownload]:
        return await self._store(lambda store: store.all())

    async def saved_as(self) -> list[PendingDownload]:
        """The "Save as" records, oldest first."""
        return await self._store(lambda store: store.saved_as())

    async def to_folders(self) -> list[PendingGroup]:
        """The records of files to a folder, oldest first, grouped by folder (as arrays)."""
        return await self._store(lambda store: store.to_folders())


def _removing_all(ids: list[int]) -> Callable[[PendingDownloadStore], None]:
    return lambda store: store.remove_many(ids)
