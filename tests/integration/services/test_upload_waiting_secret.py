"""Uploads whose account's secret is missing wait for it (not failed, no try counted, the queue
not spinning) and go on by themselves once it is entered: the real Secret Service with the
secret deleted through the keyring API, and a restart without any keyring; real SQLite, real
HTTP to the sandbox, real media."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from tests.helpers.media_files import DEMO
from tests.helpers.session_accounts import session_store
from tests.helpers.waiting import wait_until_async

from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import ItemState, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SERVICE_NAME, SecretStore, username_for

pytestmark = pytest.mark.anyio

WAITING = "Waiting for the secret of “Studio”: enter it in Accounts."
#: How long the queue is watched for activity it must not have (a try, a repaint).
QUIET = 0.5


def require_secret_service() -> None:
    import os

    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")


def two_files(folder: Path) -> list[Path]:
    folder.mkdir()
    shutil.copy(DEMO / "swatch-256x256.png", folder / "swatch.png")
    shutil.copy(DEMO / "clip-320x180.mp4", folder / "clip.mp4")
    return [folder / "swatch.png", folder / "clip.mp4"]


def shown(queue: UploadQueue) -> Callable[[], str]:
    return lambda: f"the queue: {[(i.row.name, i.state.value, i.row.message) for i in queue.items]}"


async def assert_waits_quietly(queue: UploadQueue, sb: Any) -> None:
    """Every item waits for the secret, pending with the words, no try counted, nothing sent,
    the queue idle (not busy, so quitting does not ask) and not trying them again."""
    await wait_until_async(
        lambda: all(i.needs_secret and i.task is None for i in queue.items), shown(queue)
    )
    for item in queue.items:
        assert item.state is ItemState.PENDING
        assert item.row.message == WAITING
        assert item.row.attempts == 0
    summary = queue.summary()
    assert (summary.needs_secret, summary.failed, summary.busy) == (2, 0, False)
    queue.take_changed()
    await asyncio.sleep(QUIET)  # a span in which a spinning queue would start them again
    assert queue.take_changed() == set(), "the queue tried the waiting items again"
    assert not [r for r in sb.requests("api") if r["method"] == "POST"]


async def assert_sent(queue: UploadQueue, sb: Any, files: list[Path]) -> None:
    await wait_until_async(
        lambda: all(i.state is ItemState.DONE for i in queue.items), shown(queue), timeout=30
    )
    stored = {a["mediaGenerationId"]: a for a in sb.google_flow_assets()}
    for item, path in zip(queue.items, files, strict=True):
        assert item.row.message is None and item.row.attempts == 1
        assert stored[item.row.remote_id or ""]["object"]["size"] == path.stat().st_size


@pytest.mark.keyring
async def test_an_upload_waits_for_a_secret_gone_from_the_keyring_and_goes_on_once_saved(
    sb: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    require_secret_service()
    token = sb.demo["useapi_token"]
    accounts = AccountsService(app_paths.database, SecretStore(redactor=Redactor()), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        info = await accounts.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        keyring.delete_password(SERVICE_NAME, username_for(info.id, "token"))
        assert (await accounts.info(info.id)).secret_state == "missing"
        files = two_files(tmp_path / "drop")
        await queue.load()
        await queue.add_paths(files, UploadTarget.google_flow(info.id, info.name))
        queue.start()

        await assert_waits_quietly(queue, sb)

        # The secret entered again in Accounts: the items go on by themselves.
        await accounts.update(info.id, name="Studio", base_url=sb.api_url, secret=token)
        await assert_sent(queue, sb, files)
    finally:
        await queue.aclose()
        await accounts.aclose()
        with contextlib.suppress(PasswordDeleteError):  # leave the shared keyring clean
            keyring.delete_password(SERVICE_NAME, username_for(1, "token"))


async def test_after_a_restart_without_a_keyring_uploads_wait_and_go_on_once_entered(
    sb: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    """The issue's case: queued with a session-only secret, restarted with no keyring at all."""
    token = sb.demo["useapi_token"]
    files = two_files(tmp_path / "drop")
    before = AccountsService(app_paths.database, session_store(), Redactor())
    queue = UploadQueue(app_paths.database, before)
    try:
        info = await before.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        await queue.load()
        await queue.add_paths(files, UploadTarget.google_flow(info.id, info.name))
    finally:
        await queue.aclose()  # never started: both wait for the next start
        await before.aclose()

    accounts = AccountsService(app_paths.database, SecretStore(fail.Keyring()), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        await accounts.probe_secret_store()
        assert accounts.secret_store_problem == "No system keyring was found on this computer."
        await queue.load()
        queue.start()
        await assert_waits_quietly(queue, sb)

        # Choosing session-only secrets lets them look again; the secret is still missing.
        accounts.use_session_only()
        await assert_waits_quietly(queue, sb)

        await accounts.update(info.id, name="Studio", base_url=sb.api_url, secret=token)
        await assert_sent(queue, sb, files)
    finally:
        await queue.aclose()
        await accounts.aclose()


async def test_items_of_another_account_go_on_while_one_account_waits_for_its_secret(
    sb: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    token = sb.demo["useapi_token"]
    before = AccountsService(app_paths.database, session_store(), Redactor())
    try:
        info = await before.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
    finally:
        await before.aclose()
    accounts = AccountsService(app_paths.database, session_store(), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        other = await accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=token
        )
        await queue.load()
        (waiting_file, going_file) = two_files(tmp_path / "drop")
        await queue.add_paths([waiting_file], UploadTarget.google_flow(info.id, info.name))
        await queue.add_paths([going_file], UploadTarget.google_flow(other.id, other.name))
        queue.start()
        waiting, going = queue.items
        await wait_until_async(
            lambda: waiting.needs_secret and going.state is ItemState.DONE, shown(queue)
        )
        assert waiting.row.message == WAITING
        # Another account's change does not wake it; its own does.
        await accounts.update(other.id, name="Sandbox 2", base_url=sb.api_url)
        assert waiting.needs_secret
        await accounts.update(info.id, name="Studio", base_url=sb.api_url, secret=token)
        await wait_until_async(lambda: waiting.state is ItemState.DONE, shown(queue))
    finally:
        await queue.aclose()
        await accounts.aclose()
