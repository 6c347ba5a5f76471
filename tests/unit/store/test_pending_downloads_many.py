"""Many of the Library's downloads noted and forgotten at once, in a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.store.pending_downloads import PendingDownload, PendingDownloadStore


def test_a_batch_is_noted_in_order_in_one_write_and_forgotten_in_one(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "assetdesk.sqlite3")
    drafts = [
        AssetDraft(provider=Provider.RUNWAY, remote_id=f"r{n}", origin="listed") for n in range(300)
    ]
    assets = LibraryStore(conn).add(drafts).assets
    store = PendingDownloadStore(conn)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    added = store.add_many([a.id for a in assets], "/tmp/out", filename=None, keep_folders=False)
    conn.set_trace_callback(None)
    assert [p.asset_id for p in added] == [a.id for a in assets]
    assert store.all() == added
    assert added[0] == PendingDownload(added[0].id, assets[0].id, "/tmp/out", None, False)
    assert [s for s in statements if s.startswith(("BEGIN", "COMMIT"))] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]
    store.remove_many(p.id for p in added[:299])
    assert store.all() == added[299:]
    conn.close()
