"""The Library's downloads still to finish (table `pending_downloads`): written when one starts,
deleted when it ends (saved or failed for good); what is left at a start was cut short by a quit
or a crash and goes on from its kept `.part`."""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from assetdesk.store.db import transaction

__all__ = ["PendingDownload", "PendingDownloadStore", "PendingGroup"]


@dataclass(frozen=True, slots=True)
class PendingDownload:
    id: int
    asset_id: int
    folder: str
    filename: str | None  # "Save as": exactly this name in `folder`
    keep_folders: bool


@dataclass(frozen=True, slots=True)
class PendingGroup:
    """The records of files to one folder in the order they were started: their ids and their
    assets' ids as arrays (8 bytes each: a batch of 100,000 is not 100,000 objects)."""

    folder: str
    keep_folders: bool
    ids: array[int]
    asset_ids: array[int]


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
        ids = self.add_ids(asset_ids, folder, filename=filename, keep_folders=keep_folders)
        return [
            PendingDownload(pending_id, asset_id, folder, filename, keep_folders)
            for pending_id, asset_id in zip(ids, asset_ids, strict=True)
        ]

    def add_ids(
        self, asset_ids: Sequence[int], folder: str, *, filename: str | None, keep_folders: bool
    ) -> array[int]:
        """`add_many`'s records, their ids in the assets' order."""
        ids = array("q")
        now = datetime.now(UTC).isoformat()
        with transaction(self._conn):
            for asset_id in asset_ids:
                cursor = self._conn.execute(
                    "INSERT INTO pending_downloads"
                    " (asset_id, folder, filename, keep_folders, added_at) VALUES (?, ?, ?, ?, ?)",
                    (asset_id, folder, filename, int(keep_folders), now),
                )
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
        return ids

    def remove(self, download_id: int) -> None:
        self.remove_many([download_id])

    def remove_many(self, download_ids: Iterable[int]) -> None:
        """In one transaction."""
        with transaction(self._conn):
            self._conn.executemany(
                "DELETE FROM pending_downloads WHERE id = ?", [(i,) for i in download_ids]
            )

    def saved_as(self) -> list[PendingDownload]:
        """The "Save as" records (each names its file), oldest first."""
        return self._rows("filename IS NOT NULL")

    def to_folders(self) -> list[PendingGroup]:
        """The records of files to a folder, oldest first, a group for each run of records of
        the same folder and choice of Wordbee folders."""
        groups: list[PendingGroup] = []
        cursor = self._conn.execute(
            "SELECT id, asset_id, folder, keep_folders FROM pending_downloads"
            " WHERE filename IS NULL ORDER BY id"
        )
        for pending_id, asset_id, folder, keep in cursor:
            if not groups or (groups[-1].folder, groups[-1].keep_folders) != (folder, bool(keep)):
                groups.append(PendingGroup(folder, bool(keep), array("q"), array("q")))
            groups[-1].ids.append(pending_id)
            groups[-1].asset_ids.append(asset_id)
        return groups

    def _rows(self, where: str) -> list[PendingDownload]:
        rows = self._conn.execute(
            "SELECT id, asset_id, folder, filename, keep_folders FROM pending_downloads"
            f" WHERE {where} ORDER BY id"
        ).fetchall()
        return [PendingDownload(row[0], row[1], row[2], row[3], bool(row[4])) for row in rows]

    def all(self) -> list[PendingDownload]:
        """Oldest first, as they were started."""
        return self._rows("1")
