"""The session-only choice is remembered across starts (as a choice in SQLite, never a secret):
the next start without a keyring keeps secrets in memory without asking; a start with a working
keyring uses the keyring."""

from __future__ import annotations

import os
import sqlite3
from typing import Any

import pytest
from keyring.backends import fail
from tests.helpers.secrets_on_disk import assert_no_file_holds

from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore

pytestmark = pytest.mark.anyio

PROBLEM = "No system keyring was found on this computer."


def no_keyring_service(app_paths: AppPaths) -> AccountsService:
    """A start as the window makes it: the keyring probed after the window shows."""
    store = SecretStore(fail.Keyring(), probe=False)
    return AccountsService(app_paths.database, store, Redactor())


def settings(app_paths: AppPaths) -> dict[str, str]:
    conn = sqlite3.connect(app_paths.database)
    try:
        return dict(conn.execute("SELECT name, value FROM settings").fetchall())
    finally:
        conn.close()


async def test_the_session_only_choice_survives_a_restart_of_the_services(
    sb: Any, app_paths: AppPaths
) -> None:
    token = sb.demo["useapi_token"]
    first = no_keyring_service(app_paths)
    try:
        await first.probe_secret_store()
        assert first.secret_store_problem == PROBLEM  # the pane offers the choice
        heard: list[int | None] = []
        first.subscribe(heard.append)
        first.use_session_only()
        assert heard == [None]
        first.unsubscribe(heard.append)
        first.use_session_only()
        assert heard == [None], "an unsubscribed listener is not told"
        info = await first.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert info.secret_state == "session"
    finally:
        await first.aclose()
    assert settings(app_paths)["secrets.session_only"] == "1"
    assert_no_file_holds(app_paths.root, [token], expected=[app_paths.database])

    second = no_keyring_service(app_paths)
    try:
        assert second.secret_store_problem == PROBLEM  # before the probe nothing is decided
        heard = []
        second.subscribe(heard.append)
        await second.probe_secret_store()
        assert heard == [None]
        assert second.secret_store_problem is None  # nothing to ask
        assert second.secret_store_where == "this session only"
        (found,) = await second.list()
        assert (found.name, found.secret_state) == ("Studio", "missing")  # the secret is not
        edited = await second.update(found.id, name="Studio", base_url=sb.api_url, secret=token)
        assert edited.secret_state == "session"
        assert (await second.check(found.id)).state == "valid"
    finally:
        await second.aclose()
    assert_no_file_holds(app_paths.root, [token], expected=[app_paths.database])


async def test_without_the_choice_a_start_without_a_keyring_still_asks(
    app_paths: AppPaths,
) -> None:
    service = no_keyring_service(app_paths)
    try:
        await service.probe_secret_store()
        assert service.secret_store_problem == PROBLEM
        assert service.secret_store_where == "no keyring"
    finally:
        await service.aclose()


@pytest.mark.keyring
async def test_a_working_keyring_is_used_even_after_the_session_only_choice(
    app_paths: AppPaths,
) -> None:
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")
    first = no_keyring_service(app_paths)
    try:
        first.use_session_only()
    finally:
        await first.aclose()
    second = AccountsService(
        app_paths.database, SecretStore(redactor=Redactor(), probe=False), Redactor()
    )
    try:
        await second.probe_secret_store()
        assert second.secret_store_problem is None
        assert second.secret_store_where == "Secret Service"
    finally:
        await second.aclose()
