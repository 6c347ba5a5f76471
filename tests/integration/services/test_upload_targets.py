"""The upload queue's targets over real HTTP to the sandbox, real SQLite files and real media:
each target kept across a restart, a dropped folder's sub-folders on a Wordbee target, changing
the target of waiting items, and an upload whose answer was lost (a real crash of a child
process), checked on its service or sent again."""

from __future__ import annotations

import asyncio
import shutil
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO
from tests.helpers.waiting import wait_until_async

from assetdesk.core.ids import wordbee_key
from assetdesk.core.provider import Provider
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import CUT_OFF, UploadQueue
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths
from assetdesk.store.uploads import QueueRow, UploadQueueStore

pytestmark = pytest.mark.anyio

SWATCH = DEMO / "swatch-256x256.png"
JO = "jo.demo@gmail.com"


def by_name(queue: UploadQueue) -> dict[str, UploadItem]:
    return {item.row.name: item for item in queue.items}


def flow_posts(sb: Any) -> list[dict[str, Any]]:
    return [
        r
        for r in sb.requests("api")
        if r["method"] == "POST" and r["path"].startswith("/v1/google-flow/assets")
    ]


def put_rows(database: Path, rows: list[QueueRow]) -> list[QueueRow]:
    """Rows written as an earlier run of the app left them."""
    conn = open_database(database)
    try:
        return UploadQueueStore(conn).add(rows)
    finally:
        conn.close()


def catalog(database: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(database)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM assets ORDER BY id").fetchall()
    finally:
        conn.close()


async def test_each_target_and_a_dropped_folders_sub_folders_survive_a_restart(
    accounts: AccountsService,
    app_paths: AppPaths,
    useapi: Any,
    wordbee: Any,
    segment: tuple[str, int],
    tmp_path: Path,
) -> None:
    drop = tmp_path / "drop"
    (drop / "shots" / "day 1").mkdir(parents=True)
    shutil.copy(SWATCH, drop / "top.png")
    shutil.copy(SWATCH, drop / "shots" / "day 1" / "deep.png")
    shutil.copy(DEMO / "bars-800x450.jpg", tmp_path / "alone.jpg")
    scope, segment_id = segment
    to_wordbee = UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id, "fr", "refs")
    to_runway = UploadTarget.runway(useapi.id, useapi.name, "runway.demo@example.com")
    to_flow = UploadTarget.google_flow(useapi.id, useapi.name)

    first = UploadQueue(app_paths.database, accounts)
    await first.load()
    await first.add_paths([drop, tmp_path / "alone.jpg"], to_wordbee)
    await first.add_paths([DEMO / "sunrise-640x360.png"], to_runway)
    await first.add_paths([DEMO / "pattern-512x512.jpg"], to_flow)
    rows_before = [item.row for item in first.items]
    await first.aclose()  # never started: nothing is sent

    second = UploadQueue(app_paths.database, accounts)
    try:
        items = {item.row.name: item.row for item in await second.load()}
        assert [item.row for item in second.items] == rows_before
        assert items["top.png"].relative_path == "refs"
        assert (items["deep.png"].folder, items["deep.png"].relative_path) == (
            "shots/day 1",
            "refs/shots/day 1",
        )
        assert items["alone.jpg"].relative_path == "refs"  # a file dropped itself
        for name in ("top.png", "deep.png", "alone.jpg"):
            row = items[name]
            assert (row.provider, row.scope, row.segment_id, row.locale, row.account_id) == (
                Provider.WORDBEE,
                scope,
                segment_id,
                "fr",
                wordbee.id,
            )
            assert row.state is ItemState.PENDING
        runway = items["sunrise-640x360.png"]
        assert (runway.provider, runway.email, runway.scope) == (
            Provider.RUNWAY,
            "runway.demo@example.com",
            None,
        )
        assert items["pattern-512x512.jpg"].provider is Provider.GOOGLE_FLOW
    finally:
        await second.aclose()


async def test_changing_the_target_checks_the_waiting_files_again(
    sb: Any,
    queue: UploadQueue,
    useapi: Any,
    wordbee: Any,
    segment: tuple[str, int],
    tmp_path: Path,
    app_paths: AppPaths,
) -> None:
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    fixed, broken = drop / "fixed.png", drop / "sub" / "broken.png"
    fixed.write_bytes(b"")
    shutil.copy(SWATCH, broken)
    shutil.copy(SWATCH, tmp_path / "cancelled.png")
    to_flow = UploadTarget.google_flow(useapi.id, useapi.name)
    await queue.add_paths([drop], to_flow)
    await queue.add_paths([tmp_path / "cancelled.png"], to_flow)
    items = by_name(queue)
    assert items["fixed.png"].state is ItemState.REFUSED
    assert items["broken.png"].state is ItemState.PENDING
    await queue.cancel([items["cancelled.png"].id])

    # Meanwhile the user fixed one file and broke the other.
    shutil.copy(SWATCH, fixed)
    broken.write_bytes(b"")
    scope, segment_id = segment
    to_wordbee = UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id, None, "in")
    await queue.retarget([item.id for item in queue.items], to_wordbee)

    fixed_row, broken_row = items["fixed.png"].row, items["broken.png"].row
    assert (fixed_row.state, fixed_row.message, fixed_row.provider) == (
        ItemState.PENDING,
        None,
        Provider.WORDBEE,
    )
    assert fixed_row.size == SWATCH.stat().st_size and fixed_row.mime == "image/png"
    assert (broken_row.state, broken_row.message) == (
        ItemState.REFUSED,
        "broken.png: the file is empty (0 bytes).",
    )
    assert broken_row.relative_path == "in/sub" and fixed_row.relative_path == "in"
    cancelled = items["cancelled.png"].row
    assert (cancelled.state, cancelled.provider) == (ItemState.CANCELLED, Provider.GOOGLE_FLOW)
    # As it is on disk.
    conn = open_database(app_paths.database)
    try:
        on_disk = {row.name: row for row in UploadQueueStore(conn).rows()}
    finally:
        conn.close()
    assert on_disk["fixed.png"] == fixed_row and on_disk["broken.png"] == broken_row
    assert sb.requests("wordbee") == [] and flow_posts(sb) == []  # checked, not sent


def crash_child(sb: Any, app_paths: AppPaths, picture: Path) -> int:
    """Run upload_crash_child.py until it has sent the whole file, SIGKILL it; its exit code."""
    child = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).with_name("upload_crash_child.py")),
            str(app_paths.root),
            sb.api_url,
            sb.demo["useapi_token"],
            str(picture),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "SENT"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    return child.returncode


async def test_a_crash_after_the_last_byte_leaves_the_upload_unknown_until_sent_again(
    sb: Any,
    accounts: AccountsService,
    app_paths: AppPaths,
    useapi: Any,
    tmp_path: Path,
) -> None:
    picture = tmp_path / "picture.png"
    shutil.copy(SWATCH, picture)
    # The service holds its answer: the child dies with the whole file sent and no answer.
    sb.fault("api", "/v1/google-flow/assets", method="POST", latency=2)
    returncode = await asyncio.to_thread(crash_child, sb, app_paths, picture)
    assert returncode == -signal.SIGKILL

    queue = UploadQueue(app_paths.database, accounts)
    try:
        (item,) = await queue.load()
        assert (item.state, item.row.message, item.row.error_kind) == (
            ItemState.UNKNOWN,
            CUT_OFF,
            "outcome_unknown",
        )
        queue.start()
        assert item.task is None and not queue.summary().busy  # never sent by itself
        await queue.retry([item.id])  # an ordinary retry does not send it either
        assert item.state is ItemState.UNKNOWN and item.task is None
        assert len(flow_posts(sb)) == 1  # the child's only

        await queue.send_again([item.id])
        # Done in memory a moment before the catalog's transaction commits: wait for both.
        await wait_until_async(
            lambda: item.state is ItemState.DONE and bool(catalog(app_paths.database)),
            lambda: f"{item!r}: {item.row.message}",
            20,
        )
        assert item.row.attempts == 1
        assert len(flow_posts(sb)) == 2  # the child's, and the one the user asked for
        assert [row["remote_id"] for row in catalog(app_paths.database)] == [item.row.remote_id]
    finally:
        await queue.aclose()


def unknown_row(target: UploadTarget, path: Path, name: str) -> QueueRow:
    row = QueueRow(
        path=str(path),
        name=name,
        state=ItemState.UNKNOWN,
        size=path.stat().st_size,
        mime="image/png",
        kind="image",
        provider=target.provider,
        account_id=target.account_id,
        account_name=target.account_name,
        email=target.email,
        scope=target.scope,
        segment_id=target.segment_id,
        locale=target.locale,
        relative_path=target.relative_path,
        message=CUT_OFF,
        sent_at="2026-12-05T12:00:00+00:00",
    )
    return row


async def test_checking_runway_finds_a_lost_upload_by_name_and_size_or_says_it_is_not_there(
    sb: Any, accounts: AccountsService, app_paths: AppPaths, useapi: Any, tmp_path: Path
) -> None:
    there, missing = tmp_path / "there.png", tmp_path / "missing.png"
    shutil.copy(SWATCH, there)
    shutil.copy(DEMO / "sunrise-640x360.png", missing)
    target = UploadTarget.runway(useapi.id, useapi.name)
    put_rows(
        app_paths.database,
        [unknown_row(target, there, "there.png"), unknown_row(target, missing, "missing.png")],
    )
    asset_id = sb.put_runway_asset(there, "image/png", name="there.png")
    # Another asset of the same name but another size is not it.
    sb.put_runway_asset(DEMO / "bars-800x450.jpg", "image/jpeg", name="missing.png")

    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        found, gone = queue.items
        said = await queue.check_service([found.id, gone.id])
        assert said == {
            found.id: "Found on Runway: it is in the Library.",
            gone.id: "Not on Runway: send it again?",
        }
        assert (found.state, found.row.remote_id) == (ItemState.DONE, asset_id)
        assert (gone.state, gone.row.message) == (ItemState.FAILED, "Not on Runway: send it again?")
        (entry,) = catalog(app_paths.database)
        assert (entry["provider"], entry["remote_id"], entry["origin"]) == (
            "runway",
            asset_id,
            "upload",
        )
        assert (entry["name"], entry["source_path"]) == ("there.png", str(there))
    finally:
        await queue.aclose()


async def test_checking_runway_does_not_take_an_earlier_copy_for_the_lost_upload(
    sb: Any, accounts: AccountsService, app_paths: AppPaths, useapi: Any, tmp_path: Path
) -> None:
    again = tmp_path / "again.png"
    shutil.copy(SWATCH, again)
    sb.put_runway_asset(again, "image/png", name="again.png")  # the copy sent last week
    row = unknown_row(UploadTarget.runway(useapi.id, useapi.name), again, "again.png")
    row.sent_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat(timespec="seconds")
    put_rows(app_paths.database, [row])

    queue = UploadQueue(app_paths.database, accounts)
    try:
        (item,) = await queue.load()
        said = await queue.check_service([item.id])
        assert said == {item.id: "Not on Runway: send it again?"}
    finally:
        await queue.aclose()


async def test_checking_google_flow_finds_the_one_upload_that_could_be_the_file(
    sb: Any, accounts: AccountsService, app_paths: AppPaths, useapi: Any, tmp_path: Path
) -> None:
    there, missing = tmp_path / "there.png", tmp_path / "missing.png"
    twice = tmp_path / "twice.png"
    shutil.copy(SWATCH, there)  # 256 x 256
    shutil.copy(DEMO / "sunrise-640x360.png", missing)
    shutil.copy(DEMO / "sunrise-640x360.png", twice)
    target = UploadTarget.google_flow(useapi.id, useapi.name, JO)
    sent_at = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [
        unknown_row(target, there, "there.png"),
        unknown_row(target, missing, "missing.png"),
        unknown_row(target, twice, "twice.png"),
    ]
    for row in rows:
        row.sent_at = sent_at
    put_rows(app_paths.database, rows)
    # What the lost upload made, and another upload of the same time but other dimensions.
    made = sb.put_google_flow_asset(there, "image/png", email=JO)
    sb.put_google_flow_asset(DEMO / "bars-800x450.jpg", "image/jpeg", email=JO)

    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        found, gone, unsure = queue.items
        said = await queue.check_service([found.id, gone.id])
        assert said == {
            found.id: "Found on Google Flow: it is in the Library.",
            gone.id: "Not on Google Flow: send it again?",
        }
        assert (found.state, found.row.remote_id) == (ItemState.DONE, made)
        (entry,) = catalog(app_paths.database)
        assert (entry["provider"], entry["remote_id"], entry["name"]) == (
            "google-flow",
            made,
            "there.png",
        )

        # Two uploads that could both be it: said, and the item stays unknown.
        for _ in range(2):
            sb.put_google_flow_asset(DEMO / "sunrise-640x360.png", "image/png", email=JO)
        said = await queue.check_service([unsure.id])
        assert said == {
            unsure.id: "Google Flow has 2 uploads from that time that could be this file: look "
            "for it in Google Flow, then send it again or remove it."
        }
        assert unsure.state is ItemState.UNKNOWN
    finally:
        await queue.aclose()


async def test_checking_a_wordbee_segment_finds_the_file_under_the_librarys_key(
    sb: Any,
    accounts: AccountsService,
    app_paths: AppPaths,
    wordbee: Any,
    segment: tuple[str, int],
    tmp_path: Path,
) -> None:
    scope, segment_id = segment
    there = tmp_path / "there.png"
    shutil.copy(SWATCH, there)
    target = UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id, "fr", "refs/a")
    elsewhere = UploadTarget.wordbee(wordbee.id, wordbee.name, scope, segment_id, "fr", "refs/b")
    put_rows(
        app_paths.database,
        [unknown_row(target, there, "there.png"), unknown_row(elsewhere, there, "there.png")],
    )
    sb.put_wordbee_asset(
        there,
        "image/png",
        name="there.png",
        segment_id=segment_id,
        scope=scope,
        locale="fr",
        relative_path="refs/a",
    )

    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        found, gone = queue.items
        said = await queue.check_service([found.id, gone.id])
        assert said[gone.id] == "Not on Wordbee: send it again?"  # same name, another folder
        key = wordbee_key(scope, segment_id, "fr", "refs/a", "there.png")
        assert (found.state, found.row.remote_id) == (ItemState.DONE, key)
        (entry,) = catalog(app_paths.database)
        assert (entry["provider"], entry["remote_id"], entry["segment_id"]) == (
            "wordbee",
            key,
            segment_id,
        )
    finally:
        await queue.aclose()


async def test_what_cannot_be_checked_stays_unknown_with_the_reason(
    sb: Any, accounts: AccountsService, app_paths: AppPaths, useapi: Any
) -> None:
    target = UploadTarget.runway(useapi.id, useapi.name)
    put_rows(app_paths.database, [unknown_row(target, SWATCH, "swatch.png")])
    sb.fault("api", "/v1/runwayml/assets/", method="GET", count=5, status=401, body={})
    queue = UploadQueue(app_paths.database, accounts)
    try:
        (item,) = await queue.load()
        said = await queue.check_service([item.id])
        assert item.state is ItemState.UNKNOWN and item.row.message == CUT_OFF
        assert "refused" in said[item.id]
    finally:
        await queue.aclose()
