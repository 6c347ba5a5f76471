"""AccountsService.update() and set_default_email(): real SQLite, the sandbox over HTTP, and the
real Secret Service for the saved-secret cases."""

from __future__ import annotations

import os
import socket
import sqlite3
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError
from tests.helpers.session_accounts import session_store

from assetdesk.core.errors import InvalidInput, SecretStoreError
from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SERVICE_NAME, SecretStore

pytestmark = pytest.mark.anyio

WRONG_TOKEN = "user:1001-WrongToken0001"


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def bearers(sb: Any) -> set[str]:
    return {r["headers"].get("authorization", "") for r in sb.requests("api")}


def saved_rows(app_paths: AppPaths) -> list[tuple[Any, ...]]:
    """The accounts table as it is on disk (nothing when the database was never made)."""
    if not app_paths.database.exists():
        return []
    conn = sqlite3.connect(app_paths.database)
    try:
        return conn.execute("SELECT name, base_url, default_email FROM accounts").fetchall()
    finally:
        conn.close()


def require_secret_service() -> None:
    if os.environ.get("ASSETDESK_TEST_KEYRING") != "secret-service":
        pytest.skip("needs the real Secret Service: run `make test`")


def keyring_items(account_id: int) -> list[str]:
    """The secrets the Secret Service itself holds for an account, read with secretstorage."""
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        found = []
        for item in collection.search_items({"service": SERVICE_NAME}):
            if item.get_attributes().get("username", "").startswith(f"account-{account_id}:"):
                found.append(item.get_secret().decode())
        return found
    finally:
        conn.close()


# ---- saved secret in the real Secret Service ----------------------------------------------------


@pytest.mark.keyring
async def test_a_new_secret_replaces_the_old_one_in_the_keyring(
    sb: Any, app_paths: AppPaths
) -> None:
    require_secret_service()
    demo = sb.demo["useapi_token"]
    service = AccountsService(app_paths.database, SecretStore(redactor=Redactor()), Redactor())
    try:
        assert service.secret_store_where == "Secret Service"
        assert service.secret_store_problem is None
        info = await service.add(
            name="Studio", kind="useapi", secret=WRONG_TOKEN, base_url=sb.api_url
        )
        assert (await service.check(info.id)).state == "invalid"
        assert keyring_items(info.id) == [WRONG_TOKEN]

        # Only the name changes: the keyring keeps the secret.
        renamed = await service.update(info.id, name="Studio B", base_url=sb.api_url)
        assert (renamed.name, renamed.secret_state) == ("Studio B", "stored")
        assert keyring_items(info.id) == [WRONG_TOKEN]

        updated = await service.update(
            info.id, name=" Studio  C ", base_url=sb.api_url, secret=f" {demo} "
        )
        assert (updated.name, updated.secret_state) == ("Studio C", "stored")
        assert keyring_items(info.id) == [demo], "one item, holding the new token"
        assert keyring.get_password(SERVICE_NAME, f"account-{info.id}:token") == demo

        sb.clear_requests()
        assert (await service.check(info.id)).state == "valid"
        assert bearers(sb) == {sb.redacted(f"Bearer {demo}")}, (
            "the pooled client must use the new token"
        )
    finally:
        await service.aclose()

    reopened = AccountsService(app_paths.database, SecretStore(), Redactor())
    try:
        (found,) = await reopened.list()
        assert (found.name, found.secret_state) == ("Studio C", "stored")
        await reopened.remove(found.id)
        assert keyring_items(found.id) == []
    finally:
        await reopened.aclose()


class WriteRefusingKeyring(KeyringBackend):
    """A fake keyring that stores in memory until told to refuse writes. A fake because a real
    Secret Service cannot be made to refuse one write on demand."""

    priority = 0  # type: ignore[assignment]  # never chosen by keyring itself

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.refuse = False

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise KeyringError("the collection is locked")
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


async def test_a_refused_new_secret_leaves_the_account_as_it_was(
    sb: Any, app_paths: AppPaths
) -> None:
    backend = WriteRefusingKeyring()
    service = AccountsService(app_paths.database, SecretStore(backend), Redactor())
    try:
        info = await service.add(
            name="Studio", kind="useapi", secret=WRONG_TOKEN, base_url=sb.api_url
        )
        backend.refuse = True
        new_token = "user:1001-NewToken000001"
        with pytest.raises(SecretStoreError) as caught:
            await service.update(info.id, name="Renamed", base_url=sb.api_url, secret=new_token)
        assert caught.value.message == (
            "WriteRefusingKeyring could not save the token of “Renamed” "
            "(KeyringError: the collection is locked)."
        )
        (unchanged,) = await service.list()
        assert (unchanged.name, unchanged.secret_state) == ("Studio", "stored")
        assert backend.items == {(SERVICE_NAME, f"account-{info.id}:token"): WRONG_TOKEN}
        assert saved_rows(app_paths) == [("Studio", sb.api_url, None)]
    finally:
        await service.aclose()


# ---- fields, without a keyring ------------------------------------------------------------------


async def test_a_new_address_is_used_by_the_next_check(
    sb: Any, app_paths: AppPaths, accounts: AccountsService
) -> None:
    nowhere = closed_port_url()
    info = await accounts.add(
        name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=nowhere
    )
    assert (await accounts.check(info.id)).state == "unreachable"
    updated = await accounts.update(info.id, name="Studio", base_url=sb.api_url + "/")
    assert updated.base_url == sb.api_url
    assert updated.secret_state == "session", "the secret is kept in memory"
    sb.clear_requests()
    assert (await accounts.check(info.id)).state == "valid"
    assert bearers(sb) == {sb.redacted(f"Bearer {sb.demo['useapi_token']}")}
    assert saved_rows(app_paths) == [("Studio", sb.api_url, None)]


async def test_an_edit_keeps_the_default_email_and_wordbee_id(
    sb: Any, app_paths: AppPaths, accounts: AccountsService
) -> None:
    email = sb.demo["google_flow_emails"][1]
    useapi = await accounts.add(
        name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
    )
    await accounts.set_default_email(useapi.id, email)
    edited = await accounts.update(useapi.id, name="Studio 2", base_url=None)
    assert edited.default_email == email
    assert edited.base_url == "https://api.useapi.net", "no address means the real service"
    cleared = await accounts.update(
        useapi.id, name="Studio 2", base_url=sb.api_url, default_email=""
    )
    assert cleared.default_email is None

    wordbee = await accounts.add(
        name="WB",
        kind="wordbee",
        secret=sb.demo["wordbee_key"],
        base_url=sb.wordbee_url,
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    edited_wb = await accounts.update(wordbee.id, name="WB 2", base_url=sb.wordbee_url)
    assert edited_wb.wordbee_account_id == sb.demo["wordbee_account_id"]
    assert (await accounts.check(wordbee.id)).state == "valid"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "The account needs a name."),
        ({"name": "x" * 81}, "The account name is longer than 80 characters."),
        (
            {"base_url": "ftp://studio.example"},
            "'ftp://studio.example' is not a web address starting with https://.",
        ),
        ({"secret": "not-a-token"}, None),  # the token checker's own sentence, tested below
        ({"name": "Other"}, "An account named 'Other' already exists — pick another name."),
        ({"default_email": "nobody"}, "The email address has no '@'."),
    ],
)
async def test_invalid_edits_are_refused_with_one_sentence(
    sb: Any,
    app_paths: AppPaths,
    accounts: AccountsService,
    changes: dict[str, Any],
    message: str | None,
) -> None:
    info = await accounts.add(
        name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
    )
    await accounts.add(name="Other", kind="useapi", secret=WRONG_TOKEN, base_url=sb.api_url)
    before = saved_rows(app_paths)
    arguments: dict[str, Any] = {"name": "Studio", "base_url": sb.api_url, **changes}
    with pytest.raises(InvalidInput) as caught:
        await accounts.update(info.id, **arguments)
    text = caught.value.message
    if message is not None:
        assert text == message
    else:
        assert text.startswith("A useapi.net token") and text.endswith(".")
        assert "not-a-token" not in text
    assert (text[0].isupper() or text[0] in "'“") and text.endswith(".")
    assert saved_rows(app_paths) == before
    sb.clear_requests()
    assert (await accounts.check(info.id)).state == "valid", "the old secret still works"


async def test_a_wordbee_account_keeps_needing_its_address(
    sb: Any, accounts: AccountsService
) -> None:
    wordbee = await accounts.add(
        name="WB",
        kind="wordbee",
        secret=sb.demo["wordbee_key"],
        base_url=sb.wordbee_url,
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    for url in (None, " "):
        with pytest.raises(InvalidInput) as caught:
            await accounts.update(wordbee.id, name="WB", base_url=url)
        assert caught.value.message == (
            "A Wordbee account needs its address (your company's Wordbee URL)."
        )


async def test_a_session_account_is_edited_in_memory_only(
    sb: Any, app_paths: AppPaths, accounts: AccountsService
) -> None:
    info = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=closed_port_url(), secret=WRONG_TOKEN
    )
    assert (await accounts.check(info.id)).state == "unreachable"
    updated = await accounts.update(
        info.id, name="Sandbox 2", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    assert (updated.id, updated.name, updated.session_only) == (info.id, "Sandbox 2", True)
    assert updated.secret_state == "session"
    sb.clear_requests()
    assert (await accounts.check(info.id)).state == "valid"
    assert bearers(sb) == {sb.redacted(f"Bearer {sb.demo['useapi_token']}")}
    assert saved_rows(app_paths) == []
    (listed,) = await accounts.list()
    assert listed.name == "Sandbox 2"


# ---- the default Google Flow email --------------------------------------------------------------


async def test_the_default_email_survives_a_restart(sb: Any, app_paths: AppPaths) -> None:
    email = sb.demo["google_flow_emails"][0]
    service = AccountsService(app_paths.database, session_store(), Redactor())
    try:
        info = await service.add(
            name="Studio", kind="useapi", secret=sb.demo["useapi_token"], base_url=sb.api_url
        )
        assert info.default_email is None
        chosen = await service.set_default_email(info.id, f"  {email} ")
        assert chosen.default_email == email
        with pytest.raises(InvalidInput) as caught:
            await service.set_default_email(info.id, "not an email")
        assert caught.value.message == "The email address has no '@'."
    finally:
        await service.aclose()

    reopened = AccountsService(app_paths.database, session_store(), Redactor())
    try:
        (found,) = await reopened.list()
        assert found.default_email == email
        assert found.secret_state == "missing", "the session-only secret did not survive"
        balanced = await reopened.set_default_email(found.id, None)
        assert balanced.default_email is None
    finally:
        await reopened.aclose()
    assert saved_rows(app_paths) == [("Studio", sb.api_url, None)]


async def test_default_email_of_session_and_wordbee_accounts(
    sb: Any, app_paths: AppPaths, accounts: AccountsService
) -> None:
    email = sb.demo["google_flow_emails"][1]
    session = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    assert (await accounts.set_default_email(session.id, email)).default_email == email
    (listed,) = await accounts.list()
    assert listed.default_email == email
    assert saved_rows(app_paths) == []
    wordbee = await accounts.add_session_account(
        name="WB",
        kind="wordbee",
        base_url=sb.wordbee_url,
        secret=sb.demo["wordbee_key"],
        wordbee_account_id=sb.demo["wordbee_account_id"],
    )
    with pytest.raises(InvalidInput) as caught:
        await accounts.set_default_email(wordbee.id, email)
    assert caught.value.message == (
        "“WB” is a Wordbee account; only useapi.net accounts have a default Google Flow email."
    )
