"""Uploads and library items whose account is gone (removed, or the sandbox's session account of
an earlier run): they say so in words, never "account number -1", and the fix works (another
account of the same kind, another target, removal). Real SQLite, real HTTP to the sandbox."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO
from tests.helpers.session_accounts import session_store
from tests.helpers.waiting import wait_until_async

from assetdesk.core.errors import AccountGone
from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library import LibraryService
from assetdesk.services.upload_items import ItemState, UploadItem, UploadTarget
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths

pytestmark = pytest.mark.anyio

EARLIER_SANDBOX = (
    "Its account, “Sandbox” (a sandbox account of an earlier session), is gone: choose another "
    "account in “Upload to” and retry, or remove it."
)
REMOVED_STUDIO = (
    "Its account, “Studio”, is gone: choose another account in “Upload to” and retry, or remove it."
)
LIBRARY_ORPHAN = (
    "Could not get “swatch.png”: its account, a sandbox account of an earlier session, is gone, "
    "so it can only be removed from the library or added again through another account."
)


def swatch(tmp_path: Path) -> Path:
    path = tmp_path / "swatch.png"
    shutil.copy(DEMO / "swatch-256x256.png", path)
    return path


def both_failed(first: UploadItem, second: UploadItem) -> bool:
    return first.state is second.state is ItemState.FAILED


def said(item: UploadItem) -> Callable[[], str]:
    return lambda: f"{item!r}: {item.row.message}"


async def earlier_session(app_paths: AppPaths, sb: Any, file: Path, *, send: bool) -> None:
    """A run with the sandbox's session account (-1) that queues `file` (and sends it)."""
    accounts = AccountsService(app_paths.database, session_store(), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        sandbox = await accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
        )
        assert sandbox.id == -1
        await queue.load()
        (item,) = (await queue.add_paths([file], UploadTarget.google_flow(-1, "Sandbox"))).items
        if send:
            queue.start()
            await wait_until_async(lambda: item.state is ItemState.DONE, said(item), 20)
    finally:
        await queue.aclose()
        await accounts.aclose()


async def test_an_upload_of_an_earlier_sessions_sandbox_says_so_and_moves_to_another_account(
    sb: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    file = swatch(tmp_path)
    await earlier_session(app_paths, sb, file, send=False)

    accounts = AccountsService(app_paths.database, session_store(), Redactor())
    queue = UploadQueue(app_paths.database, accounts)
    try:
        (item,) = await queue.load()
        queue.start()
        await wait_until_async(lambda: item.state is ItemState.FAILED, said(item))
        assert (item.row.message, item.row.error_kind) == (EARLIER_SANDBOX, "account_gone")
        assert "number" not in item.row.message

        # The fix: another account of the same kind (a Wordbee one cannot take it).
        token = sb.demo["useapi_token"]
        agency = await accounts.add(
            name="Agency",
            kind="wordbee",
            secret=sb.demo["wordbee_key"],
            base_url=sb.wordbee_url,
            wordbee_account_id=sb.demo["wordbee_account_id"],
        )
        assert await queue.move_to_account([item.id], agency.id) == []
        assert item.state is ItemState.FAILED
        studio = await accounts.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert await queue.move_to_account([item.id], studio.id) == [item.id]
        await wait_until_async(lambda: item.state is ItemState.DONE, said(item), 20)
        assert (item.row.account_id, item.row.account_name) == (studio.id, "Studio")
        stored = {a["mediaGenerationId"]: a for a in sb.google_flow_assets()}
        assert stored[item.row.remote_id or ""]["object"]["size"] == file.stat().st_size
    finally:
        await queue.aclose()
        await accounts.aclose()


async def test_an_upload_of_a_removed_account_says_so_and_goes_to_another_target_or_away(
    sb: Any, accounts: AccountsService, app_paths: AppPaths, tmp_path: Path
) -> None:
    token = sb.demo["useapi_token"]
    studio = await accounts.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
    queue = UploadQueue(app_paths.database, accounts)
    try:
        await queue.load()
        first, second = (
            await queue.add_paths(
                [swatch(tmp_path), DEMO / "clip-320x180.mp4"],
                UploadTarget.google_flow(studio.id, "Studio"),
            )
        ).items
        await accounts.remove(studio.id)
        queue.start()
        await wait_until_async(lambda: both_failed(first, second), said(second))
        for item in (first, second):
            assert (item.row.message, item.row.error_kind) == (REMOVED_STUDIO, "account_gone")

        sandbox = await accounts.add_session_account(
            name="Sandbox", kind="useapi", base_url=sb.api_url, secret=token
        )
        await queue.retarget([first.id], UploadTarget.runway(sandbox.id, "Sandbox"))
        await wait_until_async(lambda: first.state is ItemState.DONE, said(first), 20)
        assert first.row.remote_id and first.row.account_id == sandbox.id

        await queue.remove([second.id])
        assert queue.item(second.id) is None
    finally:
        await queue.aclose()


async def test_a_library_item_of_an_earlier_sessions_sandbox_says_so_and_can_be_removed(
    sb: Any, app_paths: AppPaths, tmp_path: Path
) -> None:
    await earlier_session(app_paths, sb, swatch(tmp_path), send=True)

    accounts = AccountsService(app_paths.database, session_store(), Redactor())
    library = LibraryService(app_paths.database, accounts)
    try:
        (asset,) = await library.assets()
        assert asset.account_id == -1
        attempts: list[Callable[[], Awaitable[object]]] = [
            lambda: library.fetch_bytes(asset),
            lambda: library.signed_link(asset),
            lambda: library.save_to_folder(asset, tmp_path / "saved"),
        ]
        for attempt in attempts:
            with pytest.raises(AccountGone) as caught:
                await attempt()
            assert caught.value.message == LIBRARY_ORPHAN
        assert await library.remove([asset.id]) == 1
        assert await library.assets() == []
    finally:
        await library.aclose()
        await accounts.aclose()
