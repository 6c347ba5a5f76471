"""The library catalog's rows (the `assets` table of store/db.py, migrations 2 and 3).

Sync code over one sqlite3 connection; the library service calls it through `asyncio.to_thread`,
one call at a time. Rows come back as plain tuples turned straight into frozen `Asset`s: the
pane lists 10,000 of them in one SELECT. UNIQUE (provider, remote_id) is how duplicates are
recognised: an asset the catalog already has is counted, never added twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from assetdesk.core.errors import InvalidInput
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId
from assetdesk.core.provider import Provider
from assetdesk.store.db import transaction

__all__ = ["Asset", "AssetDraft", "LibraryStore", "Stored"]


@dataclass(frozen=True, slots=True)
class Asset:
    """One catalog row, what the Library pane shows."""

    id: int
    provider: Provider
    remote_id: str  # mediaGenerationId | Runway assetId | Wordbee "scope/segment/locale/path/name"
    kind: str | None  # 'image' | 'video' | 'other'
    name: str | None
    mime: str | None
    size: int | None
    width: int | None
    height: int | None
    duration_seconds: float | None
    account_id: int | None
    account_email: str | None
    source_path: str | None
    origin: str  # 'upload' | 'listed' | 'pasted'
    created_at: str | None
    added_at: str
    scope: str | None = None
    segment_id: int | None = None
    locale: str | None = None
    relative_path: str | None = None
    local_path: str | None = None
    project_id: str | None = None  # Google Flow projectId
    uploaded: bool | None = None  # the service says: True an upload, False generated
    prompt: str | None = None
    model: str | None = None
    seed: int | None = None
    task_id: str | None = None  # Runway taskId, Google Flow jobId
    gone_at: str | None = None  # set when a refresh no longer found it
    seen_at: str | None = None  # the refresh that last listed a change

    @property
    def gone(self) -> bool:
        """Whether the last refresh of its source no longer found it on the service."""
        return self.gone_at is not None

    @property
    def title(self) -> str:
        """The name, else a short form of the id ('image ff9aa5cc…', 'Runway asset 3f2a9c1d…')."""
        if self.name:
            return self.name
        return short_id(self.provider, self.remote_id)


def short_id(provider: Provider, remote_id: str) -> str:
    """A compact label for an id the parsers know; the id itself, shortened, otherwise."""
    try:
        if provider is Provider.GOOGLE_FLOW:
            return MediaGenerationId.parse(remote_id).short
        if provider is Provider.RUNWAY:
            return RunwayAssetId.parse(remote_id).short
    except InvalidInput:  # an odd row: its raw id, shortened, will do
        pass
    tail = remote_id.rsplit("/", 1)[-1] if provider is Provider.WORDBEE else remote_id
    return tail if len(tail) <= 24 else tail[:23] + "…"


@dataclass(frozen=True, slots=True)
class AssetDraft:
    """An asset about to be added: every column but the id and the time it is added."""

    provider: Provider
    remote_id: str
    origin: str
    kind: str | None = None
    name: str | None = None
    mime: str | None = None
    size: int | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None
    account_id: int | None = None
    account_email: str | None = None
    source_path: str | None = None
    created_at: str | None = None
    scope: str | None = None
    segment_id: int | None = None
    locale: str | None = None
    relative_path: str | None = None
    project_id: str | None = None
    uploaded: bool | None = None
    prompt: str | None = None
    model: str | None = None
    seed: int | None = None
    task_id: str | None = None


@dataclass(frozen=True, slots=True)
class Stored:
    """What adding drafts did: every asset in the drafts' order, and how many were new."""

    assets: list[Asset]
    added: int
    already: int


_COLUMNS = tuple(f.name for f in fields(Asset))
assert _COLUMNS[:2] == ("id", "provider")  # _rows relies on this order
_UPLOADED = _COLUMNS.index("uploaded")  # stored as 0 / 1 / NULL, read back as a bool or None
_BOOLS = {None: None, 0: False, 1: True}
#: The stored names, looked up per row (a dict is faster than Provider(text) on 10,000 rows).
_PROVIDERS = {provider.value: provider for provider in Provider}
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM assets"
_DRAFT_COLUMNS = tuple(f.name for f in fields(AssetDraft))
_INSERT = (
    f"INSERT OR IGNORE INTO assets ({', '.join(_DRAFT_COLUMNS)}, added_at)"
    f" VALUES ({', '.join('?' for _ in _DRAFT_COLUMNS)}, ?)"
)


def _tail(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The row after its id and provider, with `uploaded` as a bool."""
    return (*row[2:_UPLOADED], _BOOLS[row[_UPLOADED]], *row[_UPLOADED + 1 :])


#: Ids per `IN (...)` query: well under SQLite's default limit of 999 bound parameters.
_IN_CHUNK = 500


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class LibraryStore:
    """all / get / find / add / remove / set_local_path over `assets`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _rows(self, sql: str, args: Sequence[object] = ()) -> list[Asset]:
        cursor = self._conn.cursor()
        cursor.row_factory = None  # plain tuples, in _COLUMNS' order: the fastest way in
        rows: list[tuple[Any, ...]] = cursor.execute(sql, args).fetchall()
        return [Asset(row[0], _PROVIDERS[row[1]], *_tail(row)) for row in rows]

    def all(self) -> list[Asset]:
        """Every asset, newest first (a batch added at once: in the order it was added)."""
        return self._rows(_SELECT + " ORDER BY added_at DESC, id DESC")

    def get(self, asset_id: int) -> Asset | None:
        found = self._rows(_SELECT + " WHERE id = ?", (asset_id,))
        return found[0] if found else None

    def many(self, asset_ids: Sequence[int]) -> dict[int, Asset]:
        """These assets by id (ids the catalog lacks are left out): the rows a view paints."""
        found: dict[int, Asset] = {}
        for start in range(0, len(asset_ids), _IN_CHUNK):
            chunk = asset_ids[start : start + _IN_CHUNK]
            sql = _SELECT + f" WHERE id IN ({', '.join('?' for _ in chunk)})"
            found.update((asset.id, asset) for asset in self._rows(sql, chunk))
        return found

    def gone_ids(self) -> list[int]:
        """The assets a refresh no longer found on their service."""
        return [
            row[0] for row in self._conn.execute("SELECT id FROM assets WHERE gone_at IS NOT NULL")
        ]

    def find(self, provider: Provider, remote_id: str) -> Asset | None:
        found = self._rows(_SELECT + " WHERE provider = ? AND remote_id = ?", (provider, remote_id))
        return found[0] if found else None

    def find_many(self, provider: Provider, remote_ids: Sequence[str]) -> dict[str, Asset]:
        """The assets of `provider` among these ids, by id (ids the catalog lacks are left out)."""
        found: dict[str, Asset] = {}
        for start in range(0, len(remote_ids), _IN_CHUNK):
            chunk = remote_ids[start : start + _IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = _SELECT + f" WHERE provider = ? AND remote_id IN ({marks})"
            found.update((asset.remote_id, asset) for asset in self._rows(sql, (provider, *chunk)))
        return found

    def known_tasks(self, provider: Provider, task_ids: Sequence[str]) -> set[str]:
        """Which of these task (Runway) or job (Google Flow) ids some asset already names."""
        known: set[str] = set()
        for start in range(0, len(task_ids), _IN_CHUNK):
            chunk = task_ids[start : start + _IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT DISTINCT task_id FROM assets WHERE provider = ? AND task_id IN ({marks})"
            known.update(row[0] for row in self._conn.execute(sql, (provider, *chunk)))
        return known

    def add(self, drafts: Sequence[AssetDraft]) -> Stored:
        """Insert the drafts in one transaction, the first one first; a draft whose
        (provider, remote_id) is already there is not changed and counts as `already`."""
        added_at = now_text()
        new_ids: set[int] = set()
        seen: dict[tuple[Provider, str], None] = {}
        with transaction(self._conn):
            for draft in drafts:
                key = (draft.provider, draft.remote_id)
                if key in seen:
                    continue
                seen[key] = None
                cursor = self._conn.execute(
                    _INSERT, [*(getattr(draft, name) for name in _DRAFT_COLUMNS), added_at]
                )
                if cursor.rowcount == 1 and cursor.lastrowid is not None:
                    new_ids.add(cursor.lastrowid)
            assets = [found for key in seen if (found := self.find(*key)) is not None]
        added = sum(1 for asset in assets if asset.id in new_ids)
        return Stored(assets, added, len(assets) - added)

    def remove(self, asset_ids: Iterable[int]) -> int:
        """Forget these assets; returns how many there were."""
        ids = [(int(asset_id),) for asset_id in asset_ids]
        with transaction(self._conn):
            # rowcount, not total_changes: the search index's triggers change rows too.
            return self._conn.executemany("DELETE FROM assets WHERE id = ?", ids).rowcount

    def set_local_path(self, asset_id: int, path: str | None) -> None:
        self._conn.execute("UPDATE assets SET local_path = ? WHERE id = ?", (path, asset_id))
