"""Deleting a large selection by id, a page at a time (services/library_delete_pages.py), over real
HTTP to the sandbox into a real SQLite catalog: every page deleted and forgotten with at most about
two pages of assets alive, a refused asset kept with its reason, and a quit mid-page forgetting
what the services had confirmed."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.helpers.http_calls import api_requests
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.core.provider import AccountKind, Provider
from assetdesk.services import library_delete_pages
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.library_delete import DeleteOutcome, DeleteState
from assetdesk.services.library_delete_pages import delete_in_pages
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

PAGE = 40


@pytest.fixture
async def library(app_paths: AppPaths, accounts: AccountsService) -> AsyncIterator[LibraryService]:
    service = LibraryService(app_paths.database, accounts)
    yield service
    await service.aclose()


@pytest.fixture
async def chosen(
    sb: Any, accounts: AccountsService, library: LibraryService, monkeypatch: pytest.MonkeyPatch
) -> dict[int, str]:
    """The demo's Google Flow assets and 150 Runway assets, refreshed into the catalog: their
    remote ids by catalog id (the Google Flow ones first), none of their assets kept."""
    monkeypatch.setattr(library_delete_pages, "DELETE_PAGE", PAGE)
    await accounts.add_session_account(
        name="Sandbox", kind=AccountKind.USEAPI, base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    seed_runway_assets(sb, 150, token=sb.demo["useapi_token"])
    await library.refresh()
    everything = await library.assets()
    flow = [a for a in everything if a.provider is Provider.GOOGLE_FLOW]
    bulk = [a for a in everything if (a.name or "").startswith("Bulk ")]
    assert len(flow) == 3 and len(bulk) == 150
    return {a.id: a.remote_id for a in [*flow, *bulk]}


def live_assets() -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, Asset))


def catalog_remote_ids(app_paths: AppPaths) -> set[str]:
    """What the catalog file holds, read on a connection of its own."""
    conn = open_database(app_paths.database)
    try:
        return {row[0] for row in conn.execute("SELECT remote_id FROM assets")}
    finally:
        conn.close()


async def test_every_page_is_deleted_and_forgotten_holding_about_two_pages_of_assets(
    sb: Any, library: LibraryService, chosen: dict[int, str], app_paths: AppPaths
) -> None:
    ids = list(chosen)
    refused = ids[PAGE + 7]  # a Runway asset of the second page
    sb.fault(
        "api",
        f"/v1/runwayml/assets/{chosen[refused]}",
        method="DELETE",
        status=403,
        body={"error": "Asset is locked by a running task"},
    )
    gc.collect()
    before = live_assets()
    peak = settled = 0

    def sample(outcome: DeleteOutcome) -> None:
        nonlocal peak, settled
        settled += 1
        if settled % 4 == 1:
            peak = max(peak, live_assets() - before)

    tally = await delete_in_pages(library.deleter(), library.views.many, ids, on_outcome=sample)

    assert settled == len(ids) == 153
    assert 0 < peak <= 2 * PAGE + 2, "at most about two pages of assets alive at once"
    assert (tally.deleted, tally.unsure, tally.not_deleted) == (152, 0, 1)
    (left,) = tally.left
    assert left.asset_id == refused and left.state is DeleteState.NOT_DELETED
    assert left.reason is not None and "Asset is locked" in left.reason
    # Google Flow grouped per account within its page: one call per Google account.
    flow_deletes = [
        r for r in api_requests(sb, "/v1/google-flow/assets/") if r["method"] == "DELETE"
    ]
    assert len(flow_deletes) == 2
    assert catalog_remote_ids(app_paths) & set(chosen.values()) == {chosen[refused]}
    await library.refresh()  # what the sandbox still has comes back: only the refused one
    assert catalog_remote_ids(app_paths) & set(chosen.values()) == {chosen[refused]}


async def test_a_quit_mid_page_forgets_what_the_services_had_confirmed(
    sb: Any, library: LibraryService, chosen: dict[int, str], app_paths: AppPaths
) -> None:
    ids = list(chosen)
    slow = ids[PAGE + 10]  # its answer comes after the quit
    sb.fault("api", f"/v1/runwayml/assets/{chosen[slow]}", method="DELETE", latency=5.0)
    answered: list[int] = []
    midway = asyncio.Event()

    def one(outcome: DeleteOutcome) -> None:
        answered.append(outcome.asset.id)
        if len(answered) == PAGE + 10:
            midway.set()

    run = asyncio.create_task(
        delete_in_pages(library.deleter(), library.views.many, ids, on_outcome=one)
    )
    await asyncio.wait_for(midway.wait(), 30)
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run

    assert sorted(answered) == sorted(ids[: PAGE + 10])  # Google Flow's answered after Runway's
    kept = catalog_remote_ids(app_paths) & set(chosen.values())
    assert kept == {chosen[i] for i in ids[PAGE + 10 :]}, "the confirmed ones of the cut page too"
    later = [r["path"] for r in api_requests(sb, "/v1/runwayml/assets/") if r["method"] == "DELETE"]
    assert not {f"/v1/runwayml/assets/{chosen[i]}" for i in ids[PAGE + 11 :]} & set(later)


async def test_download_first_goes_page_by_page_and_deletes_only_what_downloaded(
    sb: Any, library: LibraryService, chosen: dict[int, str], app_paths: AppPaths, tmp_path: Any
) -> None:
    ids = list(chosen)[: PAGE + 5]  # two pages
    failing = ids[PAGE + 2]
    sb.fault(
        "api",
        f"/v1/runwayml/assets/{chosen[failing]}",
        method="GET",
        status=404,
        body={"error": "Not found."},
    )
    pages: list[list[int]] = []

    tally = await delete_in_pages(
        library.deleter(), library.views.many, ids, download_to=tmp_path, on_page=pages.append
    )

    assert pages == [ids[:PAGE], ids[PAGE:]]
    assert (tally.deleted, tally.unsure, tally.not_deleted) == (PAGE + 4, 0, 1)
    (left,) = tally.left
    assert left.asset_id == failing and left.state is DeleteState.NOT_DELETED
    assert left.reason is not None and "its download failed" in left.reason
    saved = [p for p in tmp_path.iterdir() if p.is_file() and ".part" not in p.name]
    assert len(saved) == PAGE + 4
    assert catalog_remote_ids(app_paths) & {chosen[i] for i in ids} == {chosen[failing]}
