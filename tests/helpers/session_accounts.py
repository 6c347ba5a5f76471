"""Accounts whose secrets stay in memory: no keyring at all, and the user chose session-only
secrets. `session_store()` for tests that build services themselves; the `accounts` fixture (an
AccountsService over the test's `app_paths`) for the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from keyring.backends import fail

from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore


def session_store() -> SecretStore:
    """No keyring at all, and the user chose session-only secrets."""
    store = SecretStore(fail.Keyring())
    store.use_session_only()
    return store


@pytest.fixture
async def accounts(app_paths: AppPaths) -> AsyncIterator[AccountsService]:
    """Saved accounts (fields in SQLite) whose secrets stay in memory."""
    service = AccountsService(app_paths.database, session_store(), Redactor())
    yield service
    await service.aclose()
