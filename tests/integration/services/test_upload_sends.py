"""Sending to Runway and Wordbee segments through the queue, over real HTTP to the sandbox.

Each target end to end: the bytes on the service, the catalog entry under the service's id, the
service's refusals on the item, a lost answer left unknown, a file moved to the target
that takes it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO, MEDIA
from tests.helpers.waiting import wait_until_async

from assetdesk.core.ids import wordbee_key
from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft
from assetdesk.store.uploads import UploadQueueStore

pytestmark = pytest.mark.anyio


async def settle(queue: UploadQueue, done: Callable[[], bool], timeout: float = 20) -> None:
    def states() -> str:
        shown = [(i.row.name, i.state.value, i.row.message) for i in queue.items]
        return f"the queue settled: {shown}"

    await wait_until_async(done, states, timeout, interval=0.02)


def all_ended(queue: UploadQueue) -> Callable[[], bool]:
    return lambda: all(
        i.state not in (ItemState.PENDING, ItemState.UPLOADING) and i.task is None
        for i in queue.items
    )


def by_name(queue: UploadQueue) -> dict[str, UploadItem]:
    return {item.row.name: item for item in queue.items}


def posts(sb: Any, origin: str, prefix: str) -> list[dict[str, Any]]:
    return [
        r for r in sb.requests(origin) if r["method"] == "POST" and r["path"].startswith(prefix)
    ]


async def test_files_sent_to_runway_are_listed_there_and_catalogued_under_their_asset_id(
    sb: Any, queue: UploadQueue, useapi: Any, accounts: AccountsService
) -> None:
    target = UploadTarget.runway(useapi.id, useapi.name)
    await queue.add_paths([DEMO / "swatch-256x256.png", DEMO / "clip-320x180.mp4"], target)
    queue.start()
    await settle(queue, all_ended(queue))
    items = by_name(queue)
    assert {i.state for i in items.values()} == {ItemState.DONE}
    sent = posts(sb, "api", "/v1/runwayml/assets")
    assert sorted(p["headers"]["content-type"] for p in sent) == ["image/png", "video/mp4"]
    clients = await accounts.useapi(useapi.id)
    listed = {asset.asset_id: asset async for asset in clients.runway.list_all()}
    for name, item in items.items():
        assert item.row.remote_id in listed, name
        assert listed[item.row.remote_id].file_size == (DEMO / name).stat().st_size
    catalog = queue_catalog(queue)
    assert {entry.remote_id for entry in catalog} == {i.row.remote_id for i in items.values()}
    assert {entry.provider for entry in catalog} == {Provider.RUNWAY}


def queue_catalog(queue: UploadQueue) -> list[AssetDraft]:
    conn = open_database(queue._database)
    try:
        return UploadQueueStore(conn).catalog()
    finally:
        conn.close()


async def test_a_runway_refusal_keeps_the_services_words_and_a_429_waits_for_its_account(
    sb: Any, queue: UploadQueue, useapi: Any
) -> None:
    sb.fault(
        "api",
        "/v1/runwayml/assets/",
        method="POST",
        status=400,
        body={"error": "Unsupported file"},
    )
    runway = UploadTarget.runway(useapi.id, useapi.name, "runway.demo@example.com")
    await queue.set_concurrency(1)
    await queue.add_paths([DEMO / "swatch-256x256.png"], runway)
    queue.start()
    await settle(queue, all_ended(queue))
    (refused,) = queue.items
    assert refused.state is ItemState.FAILED
    assert "Unsupported file" in (refused.row.service_text or "")

    sb.fault(
        "api",
        "/v1/runwayml/assets/",
        method="POST",
        status=429,
        headers={"Retry-After": "1800"},
        body={"error": "Too many requests"},
    )
    await queue.add_paths([DEMO / "sunrise-640x360.png"], runway)
    await queue.add_paths(
        [DEMO / "bars-800x450.jpg"], UploadTarget.google_flow(useapi.id, useapi.name)
    )
    items = by_name(queue)
    await settle(queue, lambda: items["bars-800x450.jpg"].state is ItemState.DONE)
    waiting = items["sunrise-640x360.png"]
    await settle(queue, lambda: waiting.waiting)
    assert (waiting.row.message or "").startswith("Throttled by the service until ")


async def test_a_folder_sent_to_a_wordbee_segment_keeps_its_sub_folders(
    sb: Any,
    queue: UploadQueue,
    wordbee: Any,
    accounts: AccountsService,
    segment: tuple[str, int],
    tmp_path: Path,
) -> None:
    drop = tmp_path / "drop"
    (drop / "shots").mkdir(parents=True)
    shutil.copy(DEMO / "swatch-256x256.png", drop / "top.png")
    shutil.copy(DEMO / "clip-320x180.mp4", drop / "shots" / "clip.mp4")
    scope, segment_id = segment
    target = UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id, "fr", "refs")
    await queue.add_paths([drop], target)
    queue.start()
    await settle(queue, all_ended(queue))
    items = by_name(queue)
    assert {i.state for i in items.values()} == {ItemState.DONE}
    client = await accounts.wordbee(wordbee.id)
    listed = {
        wordbee_key(scope, a.segment_id, a.locale, a.relative_path, a.name)
        for a in await client.list_segment_assets(segment_id, scope)
    }
    assert items["top.png"].row.remote_id == wordbee_key(scope, segment_id, "fr", "refs", "top.png")
    assert items["clip.mp4"].row.remote_id == wordbee_key(
        scope, segment_id, "fr", "refs/shots", "clip.mp4"
    )
    # The Library's refresh lists them under the same ids: no duplicate rows.
    assert {i.row.remote_id for i in items.values()} <= listed


async def test_a_refused_wordbee_key_stops_that_accounts_items(
    sb: Any, accounts: AccountsService, queue: UploadQueue, segment: tuple[str, int]
) -> None:
    wrong = await accounts.add_session_account(
        name="Wrong",
        kind="wordbee",
        secret="not-the-key",
        base_url=sb.wordbee_url,
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    scope, segment_id = segment
    await queue.set_concurrency(1)
    await queue.add_paths(
        [DEMO / "swatch-256x256.png", DEMO / "sunrise-640x360.png"],
        UploadTarget.wordbee(wrong.id, wrong.name, scope, segment_id),
    )
    queue.start()
    await settle(queue, all_ended(queue))
    assert {i.row.message for i in queue.items} == {
        "Wordbee refused the API key of “Wrong”; fix it in Accounts, then retry."
    }


async def test_a_runway_answer_lost_after_the_whole_file_leaves_it_unknown_and_unsent_again(
    sb: Any, queue: UploadQueue, useapi: Any
) -> None:
    # The sandbox stores the upload, then drops the connection before its answer.
    sb.fault("api", "/v1/runwayml/assets/", method="POST", drop_after_bytes=0)
    await queue.add_paths([DEMO / "swatch-256x256.png"], UploadTarget.runway(useapi.id, "x"))
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert item.state is ItemState.UNKNOWN and item.row.attempts == 1
    assert len(posts(sb, "api", "/v1/runwayml/assets")) == 1
    said = await queue.check_service([item.id])
    assert said == {item.id: "Found on Runway: it is in the Library."}
    assert item.state is ItemState.DONE


async def test_a_file_refused_by_one_target_goes_to_the_one_that_takes_it(
    queue: UploadQueue, useapi: Any
) -> None:
    await queue.add_paths([MEDIA / "clip.mov"], UploadTarget.google_flow(useapi.id, useapi.name))
    (item,) = queue.items
    assert item.state is ItemState.REFUSED
    assert "Runway takes .mov" in (item.row.message or "")
    await queue.retarget([item.id], UploadTarget.runway(useapi.id, useapi.name))
    assert item.state is ItemState.PENDING and item.row.mime == "video/quicktime"
    await queue.retarget([item.id], UploadTarget.google_flow(useapi.id, useapi.name))
    assert item.state is ItemState.REFUSED


@pytest.mark.parametrize("provider", list(Provider))
async def test_an_answer_lost_after_the_whole_request_is_never_sent_again_on_any_target(
    sb: Any,
    queue: UploadQueue,
    useapi: Any,
    wordbee: Any,
    segment: tuple[str, int],
    provider: Provider,
) -> None:
    """The service acts on the request, then closes the connection unanswered: the item is
    unknown after one try, and the request that puts the file on the service went once."""
    scope, segment_id = segment
    creating = {
        Provider.GOOGLE_FLOW: ("api", "/v1/google-flow/assets"),
        Provider.RUNWAY: ("api", "/v1/runwayml/assets/"),
        Provider.WORDBEE: ("wordbee", f"/api/resources/assets/{segment_id}"),
    }[provider]
    target = {
        Provider.GOOGLE_FLOW: UploadTarget.google_flow(useapi.id, useapi.name),
        Provider.RUNWAY: UploadTarget.runway(useapi.id, useapi.name),
        Provider.WORDBEE: UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id),
    }[provider]
    sb.fault(*creating, method="POST", lose_answer=True)
    await queue.add_paths([DEMO / "swatch-256x256.png"], target)
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert (item.state, item.row.attempts) == (ItemState.UNKNOWN, 1), item.row.message
    assert item.row.sent_at is not None
    assert len(posts(sb, *creating)) == 1
