"""store/library_sync.py on real SQLite files: an incremental refresh of one source adds,
updates only what changed, marks gone (never deletes), and writes nothing when nothing changed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.store.db import open_database
from assetdesk.store.library import Asset, AssetDraft, LibraryStore
from assetdesk.store.library_sync import CatalogSync, Source, SyncResult

JO = "jo@x.co"
FLOW = Source(Provider.GOOGLE_FLOW, 3, JO)


def flow_id(n: int, email: str = JO) -> str:
    return str(MediaGenerationId(1, email, "image", f"internal{n:04d}"))


def flow_draft(n: int, **fields: object) -> AssetDraft:
    values: dict[str, object] = {"kind": "image", "project_id": "P1", "uploaded": False}
    values.update(fields)
    return AssetDraft(Provider.GOOGLE_FLOW, flow_id(n), "listed", **values)  # type: ignore[arg-type]


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = open_database(tmp_path / "catalog.sqlite3")
    yield connection
    connection.close()


def by_id(conn: sqlite3.Connection) -> dict[str, Asset]:
    return {asset.remote_id: asset for asset in LibraryStore(conn).all()}


def test_a_first_sync_adds_every_asset_filed_under_its_source(conn: sqlite3.Connection) -> None:
    drafts = [flow_draft(n, width=640, height=480, name=f"t{n}") for n in range(5)]
    result = CatalogSync(conn).sync(FLOW, drafts)
    assert result == SyncResult(added=5, updated=0, unchanged=0, gone=0)
    assets = by_id(conn)
    assert len(assets) == 5
    first = assets[flow_id(0)]
    assert (first.account_id, first.account_email, first.project_id) == (3, JO, "P1")
    assert (first.origin, first.uploaded, first.width, first.name) == ("listed", False, 640, "t0")
    assert first.seen_at is not None and first.gone_at is None and not first.gone


def test_a_second_sync_with_nothing_new_writes_no_row(conn: sqlite3.Connection) -> None:
    drafts = [flow_draft(n, prompt=f"a cat {n}", seed=n) for n in range(50)]
    sync = CatalogSync(conn)
    sync.sync(FLOW, drafts)
    before = conn.total_changes
    result = sync.sync(FLOW, drafts)
    assert result == SyncResult(added=0, updated=0, unchanged=50, gone=0)
    assert not result.changed
    assert conn.total_changes == before


def test_only_the_fields_that_changed_are_written(conn: sqlite3.Connection) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(1, width=10), flow_draft(2, width=10)])
    first = by_id(conn)
    before = conn.total_changes
    result = sync.sync(FLOW, [flow_draft(1, width=20), flow_draft(2, width=10)])
    assert result == SyncResult(added=0, updated=1, unchanged=1, gone=0)
    assert conn.total_changes == before + 1
    after = by_id(conn)
    assert after[flow_id(1)].width == 20
    assert after[flow_id(2)] == first[flow_id(2)]


def test_a_field_the_listing_does_not_give_keeps_what_the_catalog_knows(
    conn: sqlite3.Connection,
) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(1, width=10, prompt="a cat")])
    before = conn.total_changes
    result = sync.sync(FLOW, [flow_draft(1, uploaded=None)])
    assert result.unchanged == 1 and conn.total_changes == before
    kept = by_id(conn)[flow_id(1)]
    assert (kept.width, kept.prompt, kept.uploaded) == (10, "a cat", False)


def test_an_asset_no_longer_listed_is_marked_gone_not_deleted_and_comes_back(
    conn: sqlite3.Connection,
) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(n) for n in range(3)])
    result = sync.sync(FLOW, [flow_draft(0), flow_draft(2)])
    assert result == SyncResult(added=0, updated=0, unchanged=2, gone=1)
    gone = by_id(conn)[flow_id(1)]
    assert gone.gone and gone.gone_at is not None

    before = conn.total_changes  # still gone: its time is not rewritten
    assert sync.sync(FLOW, [flow_draft(0), flow_draft(2)]).gone == 0
    assert conn.total_changes == before
    assert by_id(conn)[flow_id(1)].gone_at == gone.gone_at

    back = sync.sync(FLOW, [flow_draft(n) for n in range(3)])
    assert back == SyncResult(added=0, updated=1, unchanged=2, gone=0)
    assert not by_id(conn)[flow_id(1)].gone


def test_an_incomplete_listing_marks_nothing_gone(conn: sqlite3.Connection) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(n) for n in range(3)])
    result = sync.sync(FLOW, [flow_draft(0)], complete=False)
    assert result == SyncResult(added=0, updated=0, unchanged=1, gone=0)
    assert not any(asset.gone for asset in by_id(conn).values())


def test_other_sources_are_left_alone(conn: sqlite3.Connection) -> None:
    other_email = AssetDraft(Provider.GOOGLE_FLOW, flow_id(9, "ann@x.co"), "listed")
    runway = AssetDraft(Provider.RUNWAY, "user:1-runwayml:jo@x.co-asset:r1", "listed")
    sync = CatalogSync(conn)
    sync.sync(Source(Provider.GOOGLE_FLOW, 3, "ann@x.co"), [other_email])
    sync.sync(Source(Provider.RUNWAY, 3, JO), [runway])
    sync.sync(Source(Provider.GOOGLE_FLOW, 4, JO), [flow_draft(8)])
    sync.sync(FLOW, [flow_draft(1, project_id="P2")])
    result = sync.sync(Source(Provider.GOOGLE_FLOW, 3, JO, "P1"), [])
    assert result.gone == 0  # the only asset of account 3 / jo is in project P2
    assert sync.sync(FLOW, []).gone == 1
    assert [asset.remote_id for asset in LibraryStore(conn).all() if asset.gone] == [flow_id(1)]


def test_a_listing_updates_an_upload_made_here_and_keeps_what_is_local(
    conn: sqlite3.Connection,
) -> None:
    upload = AssetDraft(
        Provider.GOOGLE_FLOW,
        flow_id(1),
        "upload",
        kind="image",
        name="my holiday.png",
        mime="image/png",
        size=1234,
        account_id=3,
        account_email=JO,
        source_path="/home/jo/my holiday.png",
    )
    store = LibraryStore(conn)
    row = store.add([upload]).assets[0]
    store.set_local_path(row.id, "/home/jo/Downloads/my holiday.png")
    listed = flow_draft(1, name="Flow's title", mime="image/jpeg", uploaded=True, width=800)
    result = CatalogSync(conn).sync(FLOW, [listed])
    assert result == SyncResult(added=0, updated=1, unchanged=0, gone=0)
    (asset,) = store.all()
    assert asset.id == row.id
    assert (asset.origin, asset.name, asset.mime, asset.size) == (
        "upload",
        "my holiday.png",
        "image/png",
        1234,
    )
    assert asset.source_path == "/home/jo/my holiday.png"
    assert asset.local_path == "/home/jo/Downloads/my holiday.png"
    assert (asset.project_id, asset.uploaded, asset.width) == ("P1", True, 800)


def test_a_listed_asset_follows_the_services_name(conn: sqlite3.Connection) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(1, name="old")])
    assert sync.sync(FLOW, [flow_draft(1, name="new")]).updated == 1
    assert by_id(conn)[flow_id(1)].name == "new"


def test_an_asset_in_two_projects_stays_in_one_and_refreshes_write_nothing(
    conn: sqlite3.Connection,
) -> None:
    sync = CatalogSync(conn)
    in_p1 = [flow_draft(1, project_id="P1"), flow_draft(2, project_id="P1")]
    in_p2 = [flow_draft(2, project_id="P2"), flow_draft(3, project_id="P2")]
    for _ in range(2):  # per project
        sync.sync(Source(Provider.GOOGLE_FLOW, 3, JO, "P1"), in_p1)
        sync.sync(Source(Provider.GOOGLE_FLOW, 3, JO, "P2"), in_p2)
    assert by_id(conn)[flow_id(2)].project_id == "P1"
    before = conn.total_changes
    sync.sync(Source(Provider.GOOGLE_FLOW, 3, JO, "P1"), in_p1)
    sync.sync(Source(Provider.GOOGLE_FLOW, 3, JO, "P2"), in_p2)
    assert conn.total_changes == before

    whole = sync.sync(FLOW, in_p1 + in_p2)  # the whole account: first listed wins
    assert whole == SyncResult(added=0, updated=0, unchanged=3, gone=0)
    assert conn.total_changes == before


def test_clear_gone_removes_only_gone_assets(conn: sqlite3.Connection) -> None:
    sync = CatalogSync(conn)
    sync.sync(FLOW, [flow_draft(n) for n in range(3)])
    sync.sync(FLOW, [flow_draft(0)])
    assets = by_id(conn)
    ids = [asset.id for asset in assets.values()]
    assert sync.clear_gone(ids) == 2
    assert list(by_id(conn)) == [flow_id(0)]


def test_a_draft_of_another_provider_is_refused_and_nothing_is_written(
    conn: sqlite3.Connection,
) -> None:
    runway = AssetDraft(Provider.RUNWAY, "user:1-runwayml:jo@x.co-asset:r1", "listed")
    before = conn.total_changes
    with pytest.raises(ValueError, match="a Runway asset in a Google Flow sync"):
        CatalogSync(conn).sync(FLOW, [flow_draft(1), runway])
    assert conn.total_changes == before
    assert LibraryStore(conn).all() == []


def test_a_wordbee_project_is_a_source_by_scope(conn: sqlite3.Connection) -> None:
    def segment_file(segment: int, name: str) -> AssetDraft:
        return AssetDraft(
            Provider.WORDBEE, f"pr7/{segment}/en//{name}", "listed", segment_id=segment
        )

    project = Source(Provider.WORDBEE, 5, scope="pr7")
    other = Source(Provider.WORDBEE, 5, scope="pr8")
    sync = CatalogSync(conn)
    sync.sync(other, [AssetDraft(Provider.WORDBEE, "pr8/1/en//z.jpg", "listed")])
    assert sync.sync(project, [segment_file(1, "a.jpg"), segment_file(2, "b.jpg")]).added == 2
    assert sync.sync(project, [segment_file(1, "a.jpg")]).gone == 1
    scopes = {asset.remote_id: (asset.scope, asset.gone) for asset in LibraryStore(conn).all()}
    assert scopes == {
        "pr8/1/en//z.jpg": ("pr8", False),
        "pr7/1/en//a.jpg": ("pr7", False),
        "pr7/2/en//b.jpg": ("pr7", True),
    }


def test_a_thousand_assets_sync_in_one_transaction(conn: sqlite3.Connection) -> None:
    drafts = [flow_draft(n, project_id=f"P{n % 3}") for n in range(1000)]
    sync = CatalogSync(conn)
    assert sync.sync(FLOW, drafts).added == 1000
    before = conn.total_changes
    assert sync.sync(FLOW, drafts).unchanged == 1000
    assert conn.total_changes == before
