"""The Library's downloads still to finish (table `pending_downloads`): written when one starts,
deleted when it ends (saved or failed for good); what is left at a start was cut short by a quit
or a crash and goes on from its kept `.part`."""

from __future__ import annotations

import sqlite3
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
        with transaction(self._conn):
            cursor = self._conn.execute(
                "INSERT INTO pending_downloads (asset_id, folder, filename, keep_folders, added_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (asset_id, folder, filename, int(keep_folders), datetime.now(UTC).isoformat()),
            )
        assert cursor.lastrowid is not None
        return PendingDownload(cursor.lastrowid, asset_id, folder, filename, keep_folders)

    def remove(self, download_id: int) -> None:
        with transaction(self._conn):
            self._conn.execute("DELETE FROM pending_downloads WHERE id = ?", (download_id,))

    def all(self) -> list[PendingDownload]:
        """Oldest first, as they were started."""
        rows = self._conn.execute(
            "SELECT id, asset_id, folder, filename, keep_folders FROM pending_downloads ORDER BY id"
        ).fetchall()
        return [PendingDownload(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]
