"""An incremental refresh of the catalog from one source's listing (migration 4 of store/db.py).

A source is one place the services list assets from: a Google Flow account (or one of its
projects), a Runway account, a Wordbee project. `CatalogSync.sync` takes what that source listed
and, in one transaction:

1. inserts the assets the catalog did not have (origin 'listed');
2. updates a present asset only where a listed field changed, so that a refresh that finds
   nothing new writes no row; an asset that was gone and is listed again is present again;
3. sets `gone_at` on the source's assets that the listing no longer holds (never deletes them;
   `clear_gone` does, when the user asks).

A listing never overwrites what is local: `local_path` and `source_path` are not listed fields; the
name and MIME type an upload or a paste recorded stay; the account an asset was filed under is
only filled in when missing. Sync code, called through `asyncio.to_thread` like the rest.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from assetdesk.core.provider import Provider
from assetdesk.store.db import transaction
from assetdesk.store.library import Asset, AssetDraft, LibraryStore, now_text

__all__ = ["CatalogSync", "Source", "SyncResult"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where one listing comes from, e.g. Google Flow, account 3, jo@x, project P.

    `email` is the Google Flow or Runway account under the useapi.net account `account_id`;
    `project_id` one Google Flow project (None: the whole account, every project); `scope` a
    Wordbee project or job (`pr7214`). A field left None does not narrow the source.
    """

    provider: Provider
    account_id: int
    email: str | None = None
    project_id: str | None = None
    scope: str | None = None

    def where(self) -> tuple[str, list[object]]:
        """The SQL condition that selects this source's assets, and its arguments."""
        terms = ["provider = ?", "account_id = ?"]
        args: list[object] = [self.provider.value, self.account_id]
        for column, value in (
            ("account_email", self.email),
            ("project_id", self.project_id),
            ("scope", self.scope),
        ):
            if value is not None:
                terms.append(f"{column} = ?")
                args.append(value)
        return " AND ".join(terms), args


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one sync did: rows inserted, rows changed (came back included), rows left as they
    were, and rows newly marked gone."""

    added: int
    updated: int
    unchanged: int
    gone: int

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.gone)


#: Filled in from the listing only when the catalog has nothing: an asset stays filed under the
#: account that first had it (two useapi.net accounts may reach the same Google account).
_FILL_ONLY = ("account_id", "account_email")
#: What an upload or a paste recorded itself (the name the user chose, the type read from the
#: bytes) stays; a listed asset follows the service.
_LOCAL_FIRST = ("name", "mime")
#: Every other field of a draft but the key and the origin follows the listing when it says.
_FOLLOWED = tuple(
    f.name
    for f in fields(AssetDraft)
    if f.name not in ("provider", "remote_id", "origin", *_FILL_ONLY, *_LOCAL_FIRST)
)
_DRAFT_COLUMNS = tuple(f.name for f in fields(AssetDraft))
_INSERT = (
    f"INSERT INTO assets ({', '.join(_DRAFT_COLUMNS)}, added_at, seen_at)"
    f" VALUES ({', '.join('?' for _ in _DRAFT_COLUMNS)}, ?, ?)"
)


class CatalogSync:
    """sync / clear_gone over the `assets` table."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def sync(
        self, source: Source, drafts: Sequence[AssetDraft], *, complete: bool = True
    ) -> SyncResult:
        """Bring the source's assets in line with `drafts`, what the source listed just now.

        A draft listed twice counts once (the first wins: an asset attached to several Google
        Flow projects is filed under the first that lists it). With `complete=False` (a listing
        cut short by the service's paging cap or an error) nothing is marked gone.
        Raises ValueError for a draft of another provider than the source's.
        """
        now = now_text()
        listed: dict[str, AssetDraft] = {}
        for draft in drafts:
            if draft.provider is not source.provider:
                wrong = f"a {draft.provider.label} asset in a {source.provider.label} sync"
                raise ValueError(wrong)
            listed.setdefault(draft.remote_id, _filed_under(draft, source))
        with transaction(self._conn):
            present = LibraryStore(self._conn).find_many(source.provider, list(listed))
            added = updated = 0
            for remote_id, draft in _oldest_first(listed):
                asset = present.get(remote_id)
                if asset is None:
                    values = [getattr(draft, name) for name in _DRAFT_COLUMNS]
                    self._conn.execute(_INSERT, [*values, now, now])
                    added += 1
                    continue
                changes = _changes(asset, draft, source)
                if changes:
                    self._update(asset.id, {**changes, "seen_at": now})
                    updated += 1
            gone = self._mark_gone(source, listed.keys(), now) if complete else 0
        return SyncResult(added, updated, len(listed) - added - updated, gone)

    def clear_gone(self, asset_ids: Iterable[int]) -> int:
        """Forget these assets if they are gone (a present one is kept); how many were removed."""
        ids = [(int(asset_id),) for asset_id in asset_ids]
        with transaction(self._conn):
            # rowcount, not total_changes: the search index's triggers change rows too.
            return self._conn.executemany(
                "DELETE FROM assets WHERE id = ? AND gone_at IS NOT NULL", ids
            ).rowcount

    def _update(self, asset_id: int, changes: dict[str, object]) -> None:
        # The column names come from AssetDraft's fields and this module, never from data.
        settings = ", ".join(f"{column} = ?" for column in changes)
        self._conn.execute(
            f"UPDATE assets SET {settings} WHERE id = ?", [*changes.values(), asset_id]
        )

    def _mark_gone(self, source: Source, listed: Iterable[str], now: str) -> int:
        condition, args = source.where()
        rows = self._conn.execute(
            f"SELECT id, remote_id FROM assets WHERE {condition} AND gone_at IS NULL", args
        ).fetchall()
        still = set(listed)
        missing = [(now, row[0]) for row in rows if row[1] not in still]
        self._conn.executemany("UPDATE assets SET gone_at = ? WHERE id = ?", missing)
        return len(missing)


def _oldest_first(listed: dict[str, AssetDraft]) -> list[tuple[str, AssetDraft]]:
    """The listing oldest first (by the service's create time; services list newest first, so
    without one the listing reversed): new rows then get ids in age order, and the catalog's
    "newest first" (added together, highest id first) leads with the newest asset."""
    entries = list(listed.items())
    order = sorted(range(len(entries)), key=lambda i: (entries[i][1].created_at or "", -i))
    return [entries[i] for i in order]


def _filed_under(draft: AssetDraft, source: Source) -> AssetDraft:
    """The draft with the source's account, email, project and scope where it has none."""
    defaults = {
        "account_id": source.account_id,
        "account_email": source.email,
        "project_id": source.project_id,
        "scope": source.scope,
    }
    missing = {
        name: value
        for name, value in defaults.items()
        if value is not None and getattr(draft, name) is None
    }
    return dataclasses.replace(draft, **missing) if missing else draft  # type: ignore[arg-type]


def _changes(asset: Asset, draft: AssetDraft, source: Source) -> dict[str, object]:
    """The columns the listing changes on a present asset (empty: write nothing)."""
    changes: dict[str, object] = {}
    for name in _FOLLOWED:
        value = getattr(draft, name)
        if value is not None and value != getattr(asset, name):
            changes[name] = value
    for name in _FILL_ONLY:
        value = getattr(draft, name)
        if value is not None and getattr(asset, name) is None:
            changes[name] = value
    for name in _LOCAL_FIRST:
        value = getattr(draft, name)
        mine = asset.origin == "listed" or getattr(asset, name) is None
        if value is not None and mine and value != getattr(asset, name):
            changes[name] = value
    moved = changes.get("project_id")
    if moved is not None and _keeps_project(asset, source):
        del changes["project_id"]
    if asset.gone_at is not None:
        changes["gone_at"] = None
    return changes


def _keeps_project(asset: Asset, source: Source) -> bool:
    """A sync of one project does not take a present asset from the project it is filed under:
    the asset is attached to both, and moving it at each project's sync would write it twice
    every refresh. A sync of the whole account (no project) files it where it was first listed."""
    return source.project_id is not None and asset.project_id is not None and asset.gone_at is None
