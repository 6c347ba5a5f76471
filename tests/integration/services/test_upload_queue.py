"""The upload queue over real HTTP to the sandbox, with a real SQLite file and real media."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO, MEDIA
from tests.helpers.waiting import wait_until_async

from assetdesk.core.ids import MediaGenerationId
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

QUICK_RETRY = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2)


@pytest.fixture
async def target(accounts: AccountsService, sb: Any) -> UploadTarget:
    info = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    return UploadTarget(info.id, info.name)


@pytest.fixture
async def queue(accounts: AccountsService, app_paths: AppPaths) -> AsyncIterator[UploadQueue]:
    made = UploadQueue(app_paths.database, accounts, retry=QUICK_RETRY)
    await made.load()
    yield made
    await made.aclose()


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


def db_rows(queue: UploadQueue, table: str) -> list[sqlite3.Row]:
    conn = sqlite3.connect(queue._database)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


#: A file cut mid-upload by a slowed sandbox: larger than the loopback's socket buffers.
MID_UPLOAD = 24_000_000


def upload_posts(sb: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in sb.requests("api")
        if r["method"] == "POST" and r["path"].startswith("/v1/google-flow/assets")
    ]


async def test_a_dropped_folder_is_checked_uploaded_and_catalogued_once(
    sb: Any, queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(DEMO / "swatch-256x256.png", folder / "swatch.png")
    shutil.copy(DEMO / "clip-320x180.mp4", folder / "nested" / "clip.mp4")
    shutil.copy(DEMO / "sunrise-640x360.png", folder / "really-png.jpg")
    (folder / "layers.psd").write_bytes(b"8BPS" + bytes(60))
    (folder / ".DS_Store").write_bytes(b"\0" * 10)
    (folder / "empty.png").write_bytes(b"")
    (folder / "link.png").symlink_to(folder / "swatch.png")
    added: list[list[UploadItem]] = []
    idle: list[tuple[int, int]] = []
    queue.on_added = added.append
    queue.on_idle = lambda ok, failed: idle.append((ok, failed))

    result = await queue.add_paths([folder], target)

    assert result.hidden_skipped == 1
    assert [i.row.name for i in added[0]] == [
        "empty.png",
        "layers.psd",
        "link.png",
        "really-png.jpg",
        "swatch.png",
        "clip.mp4",
    ]
    items = by_name(queue)
    assert items["layers.psd"].state is ItemState.REFUSED
    assert items["layers.psd"].row.message == (
        "layers.psd: Google Flow does not take PSD files — "
        "use PNG, JPEG, WEBP or MP4; Wordbee takes any file."
    )
    assert items["empty.png"].row.message == "empty.png: the file is empty (0 bytes)."
    assert items["link.png"].state is ItemState.REFUSED
    assert "link inside a dropped folder" in (items["link.png"].row.message or "")
    assert items["really-png.jpg"].row.note == ("named .jpg but is really PNG; it is sent as PNG")

    queue.start()
    await settle(queue, all_ended(queue))

    for name in ("swatch.png", "clip.mp4", "really-png.jpg"):
        assert items[name].state is ItemState.DONE, items[name].row.message
    assert idle == [(3, 0)]
    posts = upload_posts(sb)
    assert len(posts) == 3
    assert sorted(p["headers"]["content-type"] for p in posts) == [
        "image/png",
        "image/png",
        "video/mp4",
    ]
    catalog = db_rows(queue, "assets")
    assert len(catalog) == 3
    video = next(row for row in catalog if row["kind"] == "video")
    assert (video["width"], video["height"]) == (320, 180)
    assert 1.5 < video["duration_seconds"] < 2.5
    assert video["source_path"] == str(folder / "nested" / "clip.mp4")
    mgid = MediaGenerationId.parse(video["remote_id"])
    assert video["account_email"] == mgid.email
    assert video["remote_id"] == items["clip.mp4"].row.remote_id
    # The stored bytes are the file's.
    stored = {a["mediaGenerationId"]: a for a in sb.google_flow_assets()}
    assert (
        stored[video["remote_id"]]["object"]["size"] == (DEMO / "clip-320x180.mp4").stat().st_size
    )

    # Retrying a finished item does nothing; a second queue over the same file has it all.
    await queue.retry([items["swatch.png"].id])
    assert items["swatch.png"].state is ItemState.DONE
    rows = db_rows(queue, "upload_queue")
    assert [r["state"] for r in rows] == ["refused", "refused", "refused", "done", "done", "done"]


async def test_an_item_says_done_only_once_its_asset_is_in_the_catalog(
    queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    """Opening a row as soon as it says done finds its asset in the Library: the item is shown
    done after the catalog's write, not while it is under way in the database's thread."""
    path = Path(shutil.copy(DEMO / "swatch-256x256.png", tmp_path / "swatch.png"))
    await queue.add_paths([path], target)
    item = queue.items[0]
    queue.start()
    async with asyncio.timeout(20):
        while item.state is not ItemState.DONE:  # looked at on every turn of the loop
            assert item.state in (ItemState.PENDING, ItemState.UPLOADING), item.row.message
            await asyncio.sleep(0)
    assert [row["remote_id"] for row in db_rows(queue, "assets")] == [item.row.remote_id]
    assert [row["state"] for row in db_rows(queue, "upload_queue")] == ["done"]


async def test_the_same_file_is_not_queued_twice_while_it_waits(
    queue: UploadQueue, target: UploadTarget
) -> None:
    first = await queue.add_paths([DEMO / "swatch-256x256.png"], target)
    again = await queue.add_paths([DEMO / "swatch-256x256.png"], target)
    assert len(first.items) == 1 and again.items == [] and again.already_queued == 1


async def test_a_pinned_throttled_account_waits_while_others_go_on(
    sb: Any, queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    busy, free = sb.demo["google_flow_emails"][:2]
    sb.set_google_flow_account(busy, throttled_for=2)
    pinned = UploadTarget(target.account_id, target.account_name, busy)
    await queue.set_concurrency(1)
    await queue.add_paths([DEMO / "swatch-256x256.png", DEMO / "sunrise-640x360.png"], pinned)
    await queue.add_paths([DEMO / "portrait-320x480.webp"], target)
    queue.start()

    items = by_name(queue)
    await settle(queue, lambda: items["portrait-320x480.webp"].state is ItemState.DONE)
    waiting = [items["swatch-256x256.png"], items["sunrise-640x360.png"]]
    await settle(queue, lambda: all(i.waiting for i in waiting))
    for item in waiting:
        assert item.state is ItemState.PENDING
        assert (item.row.message or "").startswith("Throttled by the service until ")
    # One refused request, not one per waiting item.
    assert len([p for p in upload_posts(sb) if p["path"].endswith(busy)]) == 1
    assert MediaGenerationId.parse(items["portrait-320x480.webp"].row.remote_id or "").email in (
        free,
        sb.demo["google_flow_emails"][-1],
    )

    await settle(queue, all_ended(queue), timeout=15)
    assert [i.state for i in waiting] == [ItemState.DONE, ItemState.DONE]
    assert all(MediaGenerationId.parse(i.row.remote_id or "").email == busy for i in waiting)


async def test_a_session_error_stops_that_accounts_items_until_retried(
    sb: Any, queue: UploadQueue, target: UploadTarget
) -> None:
    email = sb.demo["google_flow_emails"][0]
    sb.set_google_flow_account(email, session_error=True)
    pinned = UploadTarget(target.account_id, target.account_name, email)
    await queue.set_concurrency(1)
    await queue.add_paths(
        [DEMO / "swatch-256x256.png", DEMO / "sunrise-640x360.png", DEMO / "bars-800x450.jpg"],
        pinned,
    )
    queue.start()
    await settle(queue, all_ended(queue))

    sentence = (
        f"Reconnect this Google account ({email}) at useapi.net: its session expired. Then retry."
    )
    assert [(i.state, i.row.message) for i in queue.items] == [(ItemState.FAILED, sentence)] * 3
    assert len(upload_posts(sb)) == 1  # the others were not sent to meet the same refusal

    sb.set_google_flow_account(email, session_error=False)
    await queue.retry([i.id for i in queue.items])
    await settle(queue, all_ended(queue))
    assert [i.state for i in queue.items] == [ItemState.DONE] * 3


async def test_a_bad_token_stops_every_item_of_the_account(
    sb: Any, accounts: AccountsService, queue: UploadQueue
) -> None:
    info = await accounts.add_session_account(
        name="Wrong", kind="useapi", base_url=sb.api_url, secret="user:1001-NotTheRightOne1"
    )
    await queue.set_concurrency(1)
    await queue.add_paths(
        [DEMO / "swatch-256x256.png", DEMO / "sunrise-640x360.png"],
        UploadTarget(info.id, info.name),
    )
    queue.start()
    await settle(queue, all_ended(queue))
    assert {i.row.message for i in queue.items} == {
        "useapi.net refused the token of “Wrong”; fix it in Accounts, then retry."
    }
    assert len(upload_posts(sb)) == 1


async def test_content_policy_is_shown_in_words_and_not_retried(
    sb: Any, queue: UploadQueue, target: UploadTarget
) -> None:
    await queue.add_paths([DEMO / "policy-refused.png"], target)
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert item.state is ItemState.FAILED
    assert "public figure" in (item.row.message or "")
    assert item.row.error_kind == "content_policy"
    assert "PUBLIC_ERROR" not in (item.row.message or "")
    assert "PUBLIC_ERROR_TRUMP_FACE_DETECTED" in (item.row.service_text or "")
    assert len(upload_posts(sb)) == 1


async def test_server_failures_are_retried_a_bounded_number_of_times(
    sb: Any, queue: UploadQueue, target: UploadTarget
) -> None:
    sb.fault("api", "/v1/google-flow/assets", method="POST", count=2, status=503, body={})
    await queue.add_paths([DEMO / "swatch-256x256.png"], target)
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert item.state is ItemState.DONE and item.row.attempts == 3

    sb.fault("api", "/v1/google-flow/assets", method="POST", count=5, status=502, body={})
    await queue.add_paths([DEMO / "sunrise-640x360.png"], target)
    await settle(queue, all_ended(queue))
    failed = by_name(queue)["sunrise-640x360.png"]
    assert failed.state is ItemState.FAILED and failed.row.attempts == 3
    assert failed.row.message == (
        "useapi.net or the service behind it failed (sunrise-640x360.png) (HTTP 502)."
    )
    assert len(upload_posts(sb)) == 3 + 3


async def test_cancel_mid_upload_keeps_nothing_and_retry_sends_it(
    sb: Any, queue: UploadQueue, target: UploadTarget, padded_video: Callable[..., Path]
) -> None:
    sb.bandwidth("api", 500_000)
    # Larger than the loopback's socket buffers: the last byte has not gone when the cancel
    # comes (after it, a cancel leaves the upload unknown, as the test below shows).
    await queue.add_paths([padded_video(MID_UPLOAD)], target)
    queue.start()
    (item,) = queue.items
    await settle(queue, lambda: item.progress.done > 100_000)
    await queue.cancel([item.id])
    await settle(queue, all_ended(queue))
    assert item.state is ItemState.CANCELLED
    assert item.row.message == "Cancelled; nothing was kept."
    assert [a for a in sb.google_flow_assets() if a["object"]["size"] == MID_UPLOAD] == []

    sb.bandwidth("api", None)
    await queue.retry([item.id])
    await settle(queue, all_ended(queue))
    assert item.state is ItemState.DONE


async def test_quitting_mid_upload_leaves_it_pending_for_the_next_start(
    sb: Any,
    accounts: AccountsService,
    target: UploadTarget,
    app_paths: AppPaths,
    padded_video: Callable[..., Path],
) -> None:
    database = app_paths.database
    first = UploadQueue(database, accounts)
    await first.load()
    sb.bandwidth("api", 500_000)
    await first.add_paths([padded_video(MID_UPLOAD), DEMO / "swatch-256x256.png"], target)
    await first.set_concurrency(1)
    first.start()
    clip = first.items[0]
    await settle(first, lambda: clip.progress.done > 50_000)
    await first.aclose()
    sb.bandwidth("api", None)

    second = UploadQueue(database, accounts)
    try:
        restored = await second.load()
        assert [(i.row.name, i.state) for i in restored] == [
            ("clip.mp4", ItemState.PENDING),
            ("swatch-256x256.png", ItemState.PENDING),
        ]
        assert second.concurrency == 1
        second.start()
        await settle(second, all_ended(second))
        assert [i.state for i in second.items] == [ItemState.DONE, ItemState.DONE]
        assert len(db_rows(second, "assets")) == 2
    finally:
        await second.aclose()


async def test_a_quit_or_a_cancel_after_the_whole_file_leaves_it_unknown_never_resent(
    sb: Any, accounts: AccountsService, target: UploadTarget, app_paths: AppPaths
) -> None:
    # The service holds its answer: the whole file has gone when the quit and the cancel come.
    sb.fault("api", "/v1/google-flow/assets", method="POST", latency=3, count=2)
    first = UploadQueue(app_paths.database, accounts)
    await first.load()
    await first.add_paths([DEMO / "swatch-256x256.png", DEMO / "bars-800x450.jpg"], target)
    first.start()
    quit_one, cancel_one = first.items
    await settle(first, lambda: bool(quit_one.row.sent_at and cancel_one.row.sent_at))
    await first.cancel([cancel_one.id])
    await settle(first, lambda: cancel_one.state is ItemState.UNKNOWN)
    assert cancel_one.row.message == (
        "The whole file had gone but no usable answer came: it is not known whether "
        "Google Flow kept it. Check the service, or send it again."
    )
    await first.aclose()

    second = UploadQueue(app_paths.database, accounts)
    try:
        restored = await second.load()
        assert [i.state for i in restored] == [ItemState.UNKNOWN, ItemState.UNKNOWN]
        assert {i.row.error_kind for i in restored} == {"outcome_unknown"}
        second.start()
        assert not second.summary().busy and all(i.task is None for i in second.items)
        assert len(upload_posts(sb)) == 2, "each went once; none is sent again by itself"
    finally:
        await second.aclose()


async def test_a_file_changed_after_queueing_is_checked_again_before_sending(
    sb: Any, queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    path = tmp_path / "picture.png"
    shutil.copy(DEMO / "swatch-256x256.png", path)
    await queue.add_paths([path], target)
    path.write_bytes(b"8BPS" + bytes(100))
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert item.state is ItemState.FAILED
    assert item.row.message == (
        "picture.png: Google Flow does not take PSD files — "
        "use PNG, JPEG, WEBP or MP4; Wordbee takes any file."
    )
    assert upload_posts(sb) == []


async def test_a_refused_file_that_was_fixed_goes_on_retry(
    queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    path = tmp_path / "later.png"
    path.write_bytes(b"")
    await queue.add_paths([path], target)
    (item,) = queue.items
    assert item.state is ItemState.REFUSED
    shutil.copy(DEMO / "swatch-256x256.png", path)
    queue.start()
    await queue.retry([item.id])
    await settle(queue, all_ended(queue))
    assert item.state is ItemState.DONE


async def test_remove_and_clear_finished(queue: UploadQueue, target: UploadTarget) -> None:
    removed: list[list[int]] = []
    queue.on_removed = removed.append
    await queue.add_paths([DEMO / "swatch-256x256.png", MEDIA / "picture.gif"], target)
    queue.start()
    await settle(queue, all_ended(queue))
    assert await queue.clear_finished() == 2
    assert queue.items == [] and db_rows(queue, "upload_queue") == []
    assert len(db_rows(queue, "assets")) == 1  # the catalog keeps what was uploaded
    assert [len(ids) for ids in removed] == [2]


async def test_a_dropped_connection_is_retried(
    sb: Any, queue: UploadQueue, target: UploadTarget, padded_video: Callable[..., Path]
) -> None:
    """The connection breaks while the file is still being sent, so nothing whole reached the
    service: it is sent again. (Once the whole file was sent, a lost answer is an unknown
    outcome, which is never sent again by itself: providers' OutcomeUnknown.)"""
    sb.fault(
        "api",
        "/v1/google-flow/assets",
        method="POST",
        count=1,
        drop_after_request_bytes=1024 * 1024,
    )
    await queue.add_paths([padded_video(32 * 1024 * 1024)], target)
    queue.start()
    await settle(queue, all_ended(queue))
    (item,) = queue.items
    assert item.state is ItemState.DONE and item.row.attempts == 2
    assert len(upload_posts(sb)) == 2


async def test_cancelling_items_the_moment_they_start_leaves_none_stuck(
    queue: UploadQueue, target: UploadTarget, tmp_path: Path
) -> None:
    files = []
    for number in range(12):
        path = tmp_path / f"picture {number}.png"
        shutil.copy(DEMO / "swatch-256x256.png", path)
        files.append(path)
    idle: list[tuple[int, int]] = []
    queue.on_idle = lambda ok, failed: idle.append((ok, failed))
    queue.start()
    await queue.add_paths(files, target)  # the first three are started at once
    await queue.cancel([item.id for item in queue.items])
    await settle(queue, all_ended(queue))
    assert {item.state for item in queue.items} == {ItemState.CANCELLED}
    assert all(item.task is None for item in queue.items)
    assert idle == []  # nothing finished: nothing to announce
    rows = db_rows(queue, "upload_queue")
    assert {row["state"] for row in rows} == {"cancelled"}


async def test_the_same_files_dropped_twice_at_once_are_queued_once(
    queue: UploadQueue, target: UploadTarget
) -> None:
    files = [DEMO / "swatch-256x256.png", DEMO / "bars-800x450.jpg"]
    first, second = await asyncio.gather(
        queue.add_paths(files, target), queue.add_paths(files, target)
    )
    assert len(first.items) + len(second.items) == 2
    assert first.already_queued + second.already_queued == 2
    assert len(db_rows(queue, "upload_queue")) == 2


async def test_an_automatic_item_throttled_once_goes_on_another_account(
    sb: Any, queue: UploadQueue, target: UploadTarget
) -> None:
    throttled = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"reason": "PUBLIC_ERROR_USER_REQUESTS_THROTTLED"}],
        }
    }
    sb.fault(
        "api",
        "/v1/google-flow/assets",
        method="POST",
        status=429,
        headers={"Retry-After": "1800"},
        body=throttled,
    )
    await queue.set_concurrency(1)
    await queue.add_paths([DEMO / "swatch-256x256.png", DEMO / "bars-800x450.jpg"], target)
    queue.start()
    first, second = queue.items
    await settle(queue, lambda: first.waiting)
    assert first.row.message == (
        "The Google account the service picked is throttled; trying another."
    )
    # The other automatic item is not held up by it.
    await settle(queue, lambda: second.state is ItemState.DONE)
    await settle(queue, all_ended(queue), timeout=10)
    assert first.state is ItemState.DONE and first.row.attempts == 1

    # Throttled again on the next try too: the pool is exhausted and automatic items wait.
    sb.fault(
        "api",
        "/v1/google-flow/assets",
        method="POST",
        count=2,
        status=429,
        headers={"Retry-After": "1800"},
        body=throttled,
    )
    await queue.add_paths([DEMO / "sunrise-640x360.png"], target)
    third = queue.items[2]
    await settle(queue, lambda: (third.row.message or "").startswith("Throttled by the service"))
    await queue.add_paths([DEMO / "portrait-320x480.webp"], target)
    fourth = queue.items[3]
    await settle(queue, lambda: fourth.waiting)
    assert (fourth.row.message or "").startswith("Throttled by the service until ")
    assert len(upload_posts(sb)) == 3 + 2  # the fourth is not sent into the same refusal


async def test_a_quit_the_moment_an_upload_is_answered_still_records_it(
    sb: Any, accounts: AccountsService, target: UploadTarget, app_paths: AppPaths
) -> None:
    # The quit comes in the loop turn after the answer, while its record is being written in a
    # thread: the record is finished before the connection closes, never lost to the race.
    first = UploadQueue(app_paths.database, accounts)
    await first.load()
    await first.add_paths([DEMO / "swatch-256x256.png"], target)
    first.start()
    (item,) = first.items
    await wait_until_async(lambda: item.state is ItemState.DONE, "it was answered", 20, 0)
    await first.aclose()

    second = UploadQueue(app_paths.database, accounts)
    try:
        (restored,) = await second.load()
        assert (restored.state, restored.row.remote_id) == (ItemState.DONE, item.row.remote_id)
        (asset,) = db_rows(second, "assets")
        assert (asset["remote_id"], asset["name"]) == (item.row.remote_id, "swatch-256x256.png")
    finally:
        await second.aclose()
