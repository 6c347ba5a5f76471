"""Fixtures the upload-target tests share: the sandbox's demo accounts as session accounts (a
useapi.net one and a Wordbee one), the demo Wordbee project's first segment, and a loaded upload
queue over the test's data folder (test_upload_queue.py has its own, with quick retries)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_queue import UploadQueue
from assetdesk.store.paths import AppPaths


@pytest.fixture
async def useapi(accounts: AccountsService, sb: Any) -> Any:
    return await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )


@pytest.fixture
async def wordbee(accounts: AccountsService, sb: Any) -> Any:
    return await accounts.add_session_account(
        name="Agency",
        kind="wordbee",
        secret=sb.demo["wordbee_key"],
        base_url=sb.wordbee_url,
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )


@pytest.fixture
def segment(sb: Any) -> tuple[str, int]:
    return sb.demo["wordbee"]["scope"], int(sb.demo["wordbee"]["segment_ids"][0])


@pytest.fixture
async def queue(accounts: AccountsService, app_paths: AppPaths) -> AsyncIterator[UploadQueue]:
    made = UploadQueue(app_paths.database, accounts)
    await made.load()
    yield made
    await made.aclose()
