"""The Library's downloads still to finish (table `pending_downloads`): written when one starts,
deleted when it ends (saved or failed for good); what is left at a start was cut short by a quit
or a crash and goes on from its kept `.part`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from assetdesk.store.db import transaction

__all__ = ["PendingDownload", "PendingDownloadStore"]


@dataclass(frozen=True, slots=True)
class PendingDownload:
    id: int
    asset_id: int
    folder: str
    filename: str | None  # "Save as": exactly this name in `folder`
    keep_folders: bool


class PendingDownloadStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def add(
        self, asset_id: int, folder: str, *, filename: str | None, keep_folders: bool
    ) -> PendingDownload:
        (added,) = self.add_many([asset_id], folder, filename=filename, keep_folders=keep_folders)
        return added

    def add_many(
        self, asset_ids: Sequence[int], folder: str, *, filename: str | None, keep_folders: bool
    ) -> list[PendingDownload]:
        """One record per asset, in their order, in one transaction (a batch of thousands is
        one write)."""
        added: list[PendingDownload] = []
        now = datetime.now(UTC).isoformat()
        with transaction(self._conn):
            for asset_id in asset_ids:
                cursor = self._conn.execute(
                    "INSERT INTO pending_downloads"
                    " (asset_id, folder, filename, keep_folders, added_at) VALUES (?, ?, ?, ?, ?)",
                    (asset_id, folder, filename, int(keep_folders), now),
                )
                assert cursor.lastrowid is not None
                added.append(
                    PendingDownload(cursor.lastrowid, asset_id, folder, filename, keep_folders)
                )
        return added

    def remove(self, download_id: int) -> None:
        self.remove_many([download_id])

    def remove_many(self, download_ids: Iterable[int]) -> None:
        """In one transaction."""
        with transaction(self._conn):
            self._conn.executemany(
                "DELETE FROM pending_downloads WHERE id = ?", [(i,) for i in download_ids]
            )

    def all(self) -> list[PendingDownload]:
        """Oldest first, as they were started."""
        rows = self._conn.execute(
            "SELECT id, asset_id, folder, filename, keep_folders FROM pending_downloads ORDER BY id"
        ).fetchall()
        return [PendingDownload(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]
