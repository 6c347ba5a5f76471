"""store/library_sources.py on a real SQLite file: the source tree's rows and counts."""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft
from assetdesk.store.library_sources import SourceCount, source_counts
from assetdesk.store.library_sync import CatalogSync, Source


def test_each_place_is_counted_with_uploads_generated_and_gone(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "catalog.sqlite3")
    sync = CatalogSync(conn)
    flow = Source(Provider.GOOGLE_FLOW, 3, "jo@x.co")

    def medium(n: int, project: str, uploaded: bool | None) -> AssetDraft:
        return AssetDraft(
            Provider.GOOGLE_FLOW, f"m{n}", "listed", project_id=project, uploaded=uploaded
        )

    sync.sync(flow, [medium(1, "P1", True), medium(2, "P1", False), medium(3, "P2", None)])
    sync.sync(flow, [medium(1, "P1", True), medium(3, "P2", None)])  # m2 is gone
    sync.sync(
        Source(Provider.WORDBEE, 5, scope="pr7"),
        [
            AssetDraft(Provider.WORDBEE, "pr7/10/en//a.jpg", "listed", segment_id=10),
            AssetDraft(Provider.WORDBEE, "pr7/10/en//b.jpg", "listed", segment_id=10),
            AssetDraft(Provider.WORDBEE, "pr7/11/en//c.jpg", "listed", segment_id=11),
        ],
    )
    sync.sync(Source(Provider.RUNWAY, 3, "jo@x.co"), [AssetDraft(Provider.RUNWAY, "r1", "listed")])
    flow_row = SourceCount(Provider.GOOGLE_FLOW, 3, "jo@x.co", "P1", None, None, 2, 1, 1, 1)
    assert source_counts(conn) == [
        flow_row,
        SourceCount(Provider.GOOGLE_FLOW, 3, "jo@x.co", "P2", None, None, 1, 0, 0, 0),
        SourceCount(Provider.RUNWAY, 3, "jo@x.co", None, None, None, 1, 0, 0, 0),
        SourceCount(Provider.WORDBEE, 5, None, None, "pr7", 10, 2, 0, 0, 0),
        SourceCount(Provider.WORDBEE, 5, None, None, "pr7", 11, 1, 0, 0, 0),
    ]
    conn.close()


def test_an_empty_catalog_has_no_places(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "catalog.sqlite3")
    assert source_counts(conn) == []
    conn.close()
