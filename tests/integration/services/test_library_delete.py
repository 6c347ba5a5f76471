"""Deleting on the services (services/library_delete.py) over real HTTP to the sandbox, into a real
SQLite catalog: a mixed selection, a refused Flow batch searched by halves, a refusal naming no id,
a lost answer left for the next refresh, and "download them first" deleting only what downloaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.http_calls import api_requests

from assetdesk.core.ids import MediaGenerationId, WordbeeScope
from assetdesk.core.provider import AccountKind, Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.library_delete import DeleteState, delete_summary
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

JO = "jo.demo@gmail.com"
SECOND = "flow.second@gmail.com"
SCOPE = "pr7214"
SEGMENTS = [27665601, 27665602]


@pytest.fixture
async def library(app_paths: AppPaths, accounts: AccountsService) -> AsyncIterator[LibraryService]:
    service = LibraryService(app_paths.database, accounts)
    yield service
    await service.aclose()


@pytest.fixture
async def useapi_id(accounts: AccountsService, sb: Any) -> int:
    info = await accounts.add_session_account(
        name="Sandbox", kind=AccountKind.USEAPI, base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    return info.id


@pytest.fixture
async def wordbee_id(accounts: AccountsService, sb: Any) -> int:
    info = await accounts.add_session_account(
        name="Wordbee",
        kind=AccountKind.WORDBEE,
        base_url=sb.wordbee_url,
        secret=sb.demo["wordbee_key"],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    return info.id


@pytest.fixture
async def catalog(library: LibraryService, useapi_id: int, wordbee_id: int) -> list[Asset]:
    """The demo's Google Flow and Runway assets and its Wordbee project's files (followed, then
    a refresh)."""
    await library.follow_wordbee_project(wordbee_id, WordbeeScope.parse(SCOPE))
    await library.refresh()
    return await library.assets()


def flow_of(assets: list[Asset], email: str) -> list[Asset]:
    flow = [a for a in assets if a.provider is Provider.GOOGLE_FLOW]
    return [a for a in flow if MediaGenerationId.parse(a.remote_id).email == email]


def deletes(sb: Any, prefix: str, origin: str = "api") -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, prefix, origin) if r["method"] == "DELETE"]


def add_to_catalog(database: Path, draft: AssetDraft) -> None:
    conn = open_database(database)
    try:
        LibraryStore(conn).add([draft])
    finally:
        conn.close()


async def test_a_mixed_selection_is_deleted_on_each_service_and_the_catalog_follows(
    sb: Any, library: LibraryService, catalog: list[Asset]
) -> None:
    jo, second = flow_of(catalog, JO), flow_of(catalog, SECOND)
    runway = next(a for a in catalog if a.provider is Provider.RUNWAY)
    wordbee = next(a for a in catalog if a.name == "moodboard.png")
    chosen = [*jo, *second, runway, wordbee]
    summary = delete_summary(chosen)
    assert summary.total == 5
    assert summary.places == (
        ("Google Flow", SECOND, 1),
        ("Google Flow", JO, 2),
        ("Runway", runway.account_email, 1),
        ("Wordbee", f"project {SCOPE}", 1),
    )
    seen: list[DeleteState] = []

    outcomes = await library.deleter().delete(chosen, on_outcome=lambda o: seen.append(o.state))

    assert [o.asset.id for o in outcomes] == [a.id for a in chosen]
    assert all(o.state is DeleteState.DELETED and o.reason is None for o in outcomes)
    assert len(seen) == 5
    flow_calls = deletes(sb, "/v1/google-flow/assets/")
    assert sorted(r["path"].rsplit("/", 1)[1] for r in flow_calls) == sorted([JO, SECOND])
    assert [r["path"] for r in deletes(sb, "/v1/runwayml/assets/")] == [
        f"/v1/runwayml/assets/{runway.remote_id}"
    ]
    (wordbee_call,) = deletes(sb, "/api/resources/assets/", "wordbee")
    assert wordbee_call["params"]["filename"] == "moodboard.png"
    left = {a.id for a in await library.assets()}
    assert left == {a.id for a in catalog} - {a.id for a in chosen}

    report = await library.refresh()  # the services agree: nothing else is gone
    assert not report.failures
    assert all(a.gone_at is None for a in await library.assets())


async def test_a_refused_batch_deletes_exactly_the_others_and_names_the_bad_one(
    sb: Any, library: LibraryService, catalog: list[Asset], useapi_id: int, app_paths: AppPaths
) -> None:
    jo = flow_of(catalog, JO)
    foreign = jo[0].remote_id.replace(f"user:{sb.demo['user_id']}", "user:4242", 1)
    add_to_catalog(
        app_paths.database,
        AssetDraft(Provider.GOOGLE_FLOW, foreign, "pasted", kind="image", account_id=useapi_id),
    )
    stranger = next(a for a in await library.assets() if a.remote_id == foreign)

    outcomes = await library.deleter().delete([jo[0], stranger, jo[1]])

    states = {o.asset.remote_id: o for o in outcomes}
    assert states[jo[0].remote_id].deleted and states[jo[1].remote_id].deleted
    bad = states[foreign]
    assert bad.state is DeleteState.NOT_DELETED
    assert bad.reason is not None and JO in bad.reason and "Unauthorized access" in bad.reason
    calls = deletes(sb, "/v1/google-flow/assets/")
    assert 2 < len(calls) <= 5, "the halves were searched, not one call per id blindly"
    left = {a.remote_id for a in await library.assets()}
    assert foreign in left and not {jo[0].remote_id, jo[1].remote_id} & left


async def test_a_refusal_naming_no_id_stops_with_the_services_words(
    sb: Any, library: LibraryService, catalog: list[Asset]
) -> None:
    jo = flow_of(catalog, JO)
    body = {"error": "Request body is invalid"}
    sb.fault("api", f"/v1/google-flow/assets/{JO}", method="DELETE", status=400, body=body)

    outcomes = await library.deleter().delete(jo)

    assert len(deletes(sb, "/v1/google-flow/assets/")) == 1, "no split into single calls"
    for outcome in outcomes:
        assert outcome.state is DeleteState.NOT_DELETED
        assert outcome.reason is not None and "Request body is invalid" in outcome.reason
    assert {a.id for a in jo} <= {a.id for a in await library.assets()}


async def test_a_lost_answer_is_unsure_and_the_next_refresh_marks_it_gone(
    sb: Any, library: LibraryService, catalog: list[Asset]
) -> None:
    (asset,) = flow_of(catalog, SECOND)
    sb.fault("api", f"/v1/google-flow/assets/{SECOND}", method="DELETE", drop_after_bytes=0)

    (outcome,) = await library.deleter().delete([asset])

    assert outcome.state is DeleteState.UNSURE
    assert outcome.reason is not None and "next refresh" in outcome.reason
    kept = {a.id: a for a in await library.assets()}
    assert asset.id in kept and kept[asset.id].gone_at is None, "not guessed either way"

    await library.refresh()
    after = {a.id: a for a in await library.assets()}
    assert after[asset.id].gone_at is not None


async def test_an_asset_a_refresh_found_gone_is_forgotten_without_a_call(
    sb: Any, library: LibraryService, catalog: list[Asset]
) -> None:
    (asset,) = flow_of(catalog, SECOND)
    sb.fault("api", f"/v1/google-flow/assets/{SECOND}", method="DELETE", drop_after_bytes=0)
    await library.deleter().delete([asset])  # applied, answer lost
    await library.refresh()
    gone = next(a for a in await library.assets() if a.id == asset.id)
    assert gone.gone
    assert delete_summary([gone, *flow_of(catalog, JO)]).gone == 1
    calls = len(deletes(sb, "/v1/google-flow/assets/"))

    (outcome,) = await library.deleter().delete([gone])

    assert outcome.state is DeleteState.DELETED
    assert outcome.reason == f"“{gone.title}” was already gone from Google Flow: forgotten here."
    assert len(deletes(sb, "/v1/google-flow/assets/")) == calls, "nothing was sent"
    assert asset.id not in {a.id for a in await library.assets()}


async def test_download_first_deletes_only_what_downloaded_and_verified(
    sb: Any, library: LibraryService, catalog: list[Asset], tmp_path: Path
) -> None:
    jo = flow_of(catalog, JO)
    runway = [a for a in catalog if a.provider is Provider.RUNWAY][:2]
    broken = runway[1]
    sb.fault("api", f"/v1/runwayml/assets/{broken.remote_id}", method="GET", status=404, count=5)
    folder = tmp_path / "kept"
    folder.mkdir()

    outcomes = await library.deleter().delete([*jo, *runway], download_to=folder)

    states = {o.asset.id: o for o in outcomes}
    assert [a.id for a in [*jo, *runway] if states[a.id].deleted] == [
        jo[0].id,
        jo[1].id,
        runway[0].id,
    ]
    failed = states[broken.id]
    assert failed.state is DeleteState.NOT_DELETED
    assert failed.reason is not None and "download failed" in failed.reason
    assert len(list(folder.iterdir())) == 3
    assert deletes(sb, f"/v1/runwayml/assets/{broken.remote_id}") == []
    assert broken.id in {a.id for a in await library.assets()}


async def test_a_wordbee_file_without_its_name_is_never_sent(
    sb: Any, library: LibraryService, wordbee_id: int, app_paths: AppPaths
) -> None:
    add_to_catalog(
        app_paths.database,
        AssetDraft(
            Provider.WORDBEE,
            f"{SCOPE}/{SEGMENTS[0]}//",
            "pasted",
            account_id=wordbee_id,
            scope=SCOPE,
            segment_id=SEGMENTS[0],
        ),
    )
    (nameless,) = await library.assets()

    (outcome,) = await library.deleter().delete([nameless])

    assert outcome.state is DeleteState.NOT_DELETED
    assert outcome.reason is not None and "file name" in outcome.reason
    assert deletes(sb, "/api/resources/assets/", "wordbee") == []
    assert len(await library.assets()) == 1
