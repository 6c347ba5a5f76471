"""The Library's downloads still to finish, kept in the database so that a quit or a crash does
not lose them: the window notes each user download as it starts and forgets it when it ends;
the next start asks for the rest and downloads them again, going on from their kept `.part`."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from assetdesk.store.pending_downloads import PendingDownload, PendingDownloadStore

__all__ = ["PendingDownload", "PendingDownloads"]

T = TypeVar("T")
OnConnection = Callable[[Callable[[sqlite3.Connection], T]], Awaitable[T]]


class PendingDownloads:
    """Over the library's own connection (`on_connection` runs work in a worker thread)."""

    def __init__(self, on_connection: OnConnection[object]) -> None:
        self._on_connection = on_connection

    async def _store(self, work: Callable[[PendingDownloadStore], T]) -> T:
        result = await self._on_connection(lambda conn: work(PendingDownloadStore(conn)))
        return result  # type: ignore[return-value]

    async def add(
        self, asset_id: int, folder: Path, *, filename: str | None = None, keep_folders: bool
    ) -> PendingDownload:
        return await self._store(
            lambda store: store.add(
                asset_id, str(folder), filename=filename, keep_folders=keep_folders
            )
        )

    async def remove(self, download_id: int) -> None:
        await self._store(lambda store: store.remove(download_id))

    async def all(self) -> list[PendingDownload]:
        return await self._store(lambda store: store.all())
