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


def test_records_to_folders_are_read_back_as_arrays_grouped_by_folder(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "assetdesk.sqlite3")
    drafts = [
        AssetDraft(provider=Provider.RUNWAY, remote_id=f"r{n}", origin="listed") for n in range(6)
    ]
    ids = [a.id for a in LibraryStore(conn).add(drafts).assets]
    store = PendingDownloadStore(conn)
    first = store.add_ids(ids[:3], "/tmp/a", filename=None, keep_folders=False)
    saved_as = store.add_many([ids[3]], "/tmp/b", filename="x.jpg", keep_folders=False)
    second = store.add_ids(ids[3:], "/tmp/a", filename=None, keep_folders=True)
    third = store.add_ids(ids[:2], "/tmp/a", filename=None, keep_folders=True)
    groups = store.to_folders()
    assert [(g.folder, g.keep_folders, list(g.ids), list(g.asset_ids)) for g in groups] == [
        ("/tmp/a", False, list(first), ids[:3]),
        ("/tmp/a", True, list(second) + list(third), ids[3:] + ids[:2]),
    ]
    assert store.saved_as() == saved_as
    conn.close()
