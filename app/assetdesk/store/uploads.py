"""The upload queue's rows, the asset catalog's rows written by finished uploads, and settings.

Sync code over one sqlite3 connection; the upload queue service calls it through
`asyncio.to_thread`, one call at a time. A finished upload marks its row done and adds its asset
to the catalog in one transaction, so a crash can never leave one without the other, and the
catalog's UNIQUE (provider, remote_id) keeps an asset from being listed twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from assetdesk.core.provider import Provider
from assetdesk.store.db import transaction
from assetdesk.store.library import AssetDraft
from assetdesk.store.settings import Settings

__all__ = [
    "ItemState",
    "QueueRow",
    "UploadQueueStore",
]


class ItemState(StrEnum):
    """Where a queued file is. `refused` files failed the local checks and are never sent;
    `unknown` ones were all sent and their answer was lost: never sent again without the user's
    word (the service may have kept them)."""

    PENDING = "pending"
    UPLOADING = "uploading"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUSED = "refused"
    UNKNOWN = "unknown"


#: States in which nothing more will happen to an item unless the user asks.
FINISHED = frozenset({ItemState.DONE, ItemState.CANCELLED, ItemState.REFUSED})


@dataclass
class QueueRow:
    """One row of `upload_queue`. `id` is None until it is added.

    The target is `provider` and `account_id`, then `email` (Google Flow, Runway) or `scope`,
    `segment_id`, `locale` and `relative_path` (Wordbee; `folder` is the file's own folder inside
    a dropped one, kept so that a new target's path can be joined with it again).
    """

    path: str
    name: str
    state: ItemState
    size: int | None = None
    mime: str | None = None
    kind: str | None = None
    note: str | None = None
    provider: Provider = Provider.GOOGLE_FLOW
    account_id: int | None = None
    account_name: str | None = None
    email: str | None = None
    scope: str | None = None
    segment_id: int | None = None
    locale: str | None = None
    folder: str | None = None
    relative_path: str | None = None
    message: str | None = None
    error_kind: str | None = None
    service_text: str | None = None
    attempts: int = 0
    remote_id: str | None = None  # mediaGenerationId, Runway assetId, Wordbee key
    used_email: str | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    added_at: str = ""
    sent_at: str | None = None  # the last try's whole body had gone then
    finished_at: str | None = None
    id: int | None = None


_ROW_COLUMNS = [f.name for f in fields(QueueRow) if f.name != "id"]
_CATALOG_COLUMNS = [f.name for f in fields(AssetDraft) if f.name != "id"]


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _row(record: sqlite3.Row) -> QueueRow:
    values: dict[str, Any] = {name: record[name] for name in _ROW_COLUMNS}
    values["state"] = ItemState(values["state"])
    values["provider"] = Provider(values["provider"])
    return QueueRow(id=record["id"], **values)


class UploadQueueStore:
    """add / list / save / remove over `upload_queue`; `finish` also writes the catalog."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._conn.row_factory = sqlite3.Row

    def add(self, rows: Sequence[QueueRow]) -> list[QueueRow]:
        """Insert `rows` in one transaction; returns them with their ids, in order."""
        placeholders = ", ".join("?" for _ in _ROW_COLUMNS)
        sql = f"INSERT INTO upload_queue ({', '.join(_ROW_COLUMNS)}) VALUES ({placeholders})"
        with transaction(self._conn):
            for row in rows:
                if not row.added_at:
                    row.added_at = now_text()
                cursor = self._conn.execute(sql, [getattr(row, name) for name in _ROW_COLUMNS])
                row.id = cursor.lastrowid
        return list(rows)

    def rows(self) -> list[QueueRow]:
        """Every queued file, oldest first."""
        records = self._conn.execute("SELECT * FROM upload_queue ORDER BY id").fetchall()
        return [_row(record) for record in records]

    def get(self, item_id: int) -> QueueRow | None:
        record = self._conn.execute(
            "SELECT * FROM upload_queue WHERE id = ?", (item_id,)
        ).fetchone()
        return None if record is None else _row(record)

    def save(self, row: QueueRow) -> None:
        """Write every field of an existing row (matched by id); a removed row stays removed."""
        assignments = ", ".join(f"{name} = ?" for name in _ROW_COLUMNS)
        self._conn.execute(
            f"UPDATE upload_queue SET {assignments} WHERE id = ?",
            [*(getattr(row, name) for name in _ROW_COLUMNS), row.id],
        )

    def return_in_flight(self, sentence: str) -> tuple[int, int]:
        """Uploads a crash cut off (a quit settles its own): those whose whole body had gone
        (`sent_at`) become unknown, with `sentence` (the service may have kept them), the
        others pending again. Returns how many of each: (pending, unknown)."""
        with transaction(self._conn):
            unknown = self._conn.execute(
                "UPDATE upload_queue SET state = 'unknown', message = ?, error_kind = ?,"
                " service_text = NULL WHERE state = 'uploading' AND sent_at IS NOT NULL",
                (sentence, "outcome_unknown"),
            ).rowcount
            pending = self._conn.execute(
                "UPDATE upload_queue SET state = 'pending' WHERE state = 'uploading'"
            ).rowcount
        return pending, unknown

    def mark_sent(self, item_id: int, when: str) -> None:
        """Record that an uploading row's whole body has gone (a finished row is left alone,
        whichever write comes first)."""
        self._conn.execute(
            "UPDATE upload_queue SET sent_at = ? WHERE id = ? AND state = 'uploading'",
            (when, item_id),
        )

    def save_all(self, rows: Iterable[QueueRow]) -> None:
        """`save` for several rows in one transaction."""
        with transaction(self._conn):
            for row in rows:
                self.save(row)

    def remove(self, ids: Iterable[int]) -> None:
        with transaction(self._conn):
            self._conn.executemany(
                "DELETE FROM upload_queue WHERE id = ?", [(item_id,) for item_id in ids]
            )

    def finish(self, row: QueueRow, entry: AssetDraft) -> bool:
        """Mark `row` done and add its asset to the catalog, both or neither.

        Returns False when the catalog already had the asset (it is not added twice).
        """
        placeholders = ", ".join("?" for _ in _CATALOG_COLUMNS)
        with transaction(self._conn):
            self.save(row)
            cursor = self._conn.execute(
                f"INSERT OR IGNORE INTO assets ({', '.join(_CATALOG_COLUMNS)}, added_at)"
                f" VALUES ({placeholders}, ?)",
                [*(getattr(entry, name) for name in _CATALOG_COLUMNS), now_text()],
            )
        return cursor.rowcount == 1

    def catalog(self, provider: Provider | None = None) -> list[AssetDraft]:
        """The catalog's assets (all providers, or one), oldest first."""
        sql = f"SELECT {', '.join(_CATALOG_COLUMNS)} FROM assets"
        args: tuple[str, ...] = ()
        if provider is not None:
            sql += " WHERE provider = ?"
            args = (provider,)
        records = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        drafts = []
        for record in records:
            values = {name: record[name] for name in _CATALOG_COLUMNS}
            values["provider"] = Provider(values["provider"])
            if values["uploaded"] is not None:  # stored as 0 / 1
                values["uploaded"] = bool(values["uploaded"])
            drafts.append(AssetDraft(**values))
        return drafts

    def setting(self, name: str) -> str | None:
        return Settings(self._conn).get(name)

    def set_setting(self, name: str, value: str) -> None:
        Settings(self._conn).put(name, value)
