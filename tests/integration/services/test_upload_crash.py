"""What a crash of a sending process leaves, over a real child process SIGKILLed mid-upload, real
HTTP to the sandbox and a real SQLite file: never a second copy on the service without the
user's word (issue 16, point 5).

The rule under test: an upload is recorded as sent in full (`sent_at`, on disk) before its last
byte may leave. Without that record a crash leaves the item pending and it is sent again at the
next start, which is safe, since the service never had the whole file; with it the item is
unknown and waits for the user.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.waiting import wait_until_async

from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

CHILD = Path(__file__).with_name("upload_crash_child.py")


def row_state(database: Path) -> str | None:
    conn = sqlite3.connect(database)
    try:
        row = conn.execute("SELECT state FROM upload_queue").fetchone()
    except sqlite3.OperationalError:  # the child has not made its tables yet
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def kill_once_stored_or_held(sb: Any, app_paths: AppPaths, video: Path) -> bool:
    """Run the child on `video`; once its item is uploading, hold the database's write lock (a
    second writer on a slow disk), so that whatever the child records from then on waits; kill
    the child the moment the service has stored the file, or after 3 s (under the child's busy
    timeout) when it never does. Whether the service stored it."""
    child = subprocess.Popen(
        [
            sys.executable,
            str(CHILD),
            str(app_paths.root),
            sb.api_url,
            sb.demo["useapi_token"],
            str(video),
            "quiet",
        ]
    )
    seeded = len(sb.google_flow_assets())
    writer: sqlite3.Connection | None = None
    try:
        assert wait_for(lambda: row_state(app_paths.database) == "uploading", 30)
        writer = sqlite3.connect(app_paths.database, isolation_level=None, timeout=10)
        writer.execute("BEGIN IMMEDIATE")
        return wait_for(lambda: len(sb.google_flow_assets()) > seeded, 3)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        if writer is not None:
            writer.execute("ROLLBACK")
            writer.close()


async def test_a_crash_however_late_never_sends_the_file_a_second_time(
    sb: Any,
    accounts: AccountsService,
    app_paths: AppPaths,
    useapi: Any,
    padded_video: Callable[..., Path],
) -> None:
    # The service waits before it reads the body: the file (larger than the socket buffers)
    # is still going when the lock is taken.
    video = padded_video(32 * 1024 * 1024)
    seeded = len(sb.google_flow_assets())
    sb.fault("api", "/v1/google-flow/assets", method="POST", latency=1.5)
    stored = await asyncio.to_thread(kill_once_stored_or_held, sb, app_paths, video)

    queue = UploadQueue(app_paths.database, accounts)
    try:
        (item,) = await queue.load()
        if stored:  # the whole file reached the service: its record must have come first
            assert item.state is ItemState.UNKNOWN
        else:  # the last byte never left: sending it again is safe
            assert item.state is ItemState.PENDING
        queue.start()
        await wait_until_async(
            lambda: item.task is None and not queue.summary().busy,
            lambda: f"{item!r}: {item.row.message}",
            30,
        )
        # One copy on the service, whatever happened.
        assert len(sb.google_flow_assets()) == seeded + 1
    finally:
        await queue.aclose()
