"""The Library's downloads still to finish, in a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.store.pending_downloads import PendingDownload, PendingDownloadStore


def test_a_download_is_kept_until_removed_and_goes_with_its_asset(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "assetdesk.sqlite3")
    library = LibraryStore(conn)
    kept, dropped = library.add(
        [AssetDraft(provider=Provider.RUNWAY, remote_id=rid, origin="listed") for rid in ("a", "b")]
    ).assets
    store = PendingDownloadStore(conn)
    first = store.add(kept.id, "/home/me/Pictures", filename=None, keep_folders=True)
    second = store.add(dropped.id, "/tmp", filename="exact name.png", keep_folders=False)
    assert store.all() == [
        PendingDownload(first.id, kept.id, "/home/me/Pictures", None, True),
        PendingDownload(second.id, dropped.id, "/tmp", "exact name.png", False),
    ]
    library.remove([dropped.id])  # an asset forgotten takes its download with it
    assert [p.id for p in store.all()] == [first.id]
    store.remove(first.id)
    assert store.all() == []
    conn.close()
    reopened = open_database(tmp_path / "assetdesk.sqlite3")
    assert PendingDownloadStore(reopened).all() == []
    reopened.close()
