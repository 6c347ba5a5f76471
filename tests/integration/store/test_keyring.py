"""store/secrets.py against the real Secret Service, the fail backend and a refusing backend."""

from __future__ import annotations

import os
import secrets as random_secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError
from tests.helpers.secrets_on_disk import assert_no_file_holds

from assetdesk.core.errors import SecretStoreError
from assetdesk.core.provider import AccountKind
from assetdesk.core.redact import MARK, Redactor
from assetdesk.store.accounts import USEAPI_BASE_URL, Account, AccountRepository
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import (
    FIELDS,
    SERVICE_NAME,
    KeyringTimeout,
    SecretStore,
    backend_label,
    run_keyring_call,
    username_for,
)


def fresh_secret() -> str:
    return "user:4242-" + random_secrets.token_hex(16)


def items_for(account_id: int) -> list[str]:
    """What the Secret Service itself holds for one account, read with secretstorage directly."""
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        found = []
        for field in FIELDS:
            attributes = {"service": SERVICE_NAME, "username": username_for(account_id, field)}
            found += [item.get_label() for item in collection.search_items(attributes)]
        return found
    finally:
        conn.close()


@pytest.fixture
def account_id() -> int:
    """A random id, so repeated runs against one keyring never see each other's items."""
    return random_secrets.randbelow(10**9) + 10**6


# ---- the real Secret Service ---------------------------------------------------------------------


@pytest.mark.keyring
def test_default_backend_is_the_secret_service(secret_service: object) -> None:
    store = SecretStore()
    assert store.available, store.unavailable_reason
    assert store.backend_name == "Secret Service"
    assert store.where == "Secret Service"


@pytest.mark.keyring
def test_store_read_back_and_delete(secret_service: KeyringBackend, account_id: int) -> None:
    redactor = Redactor()
    store = SecretStore(secret_service, redactor=redactor)
    token = fresh_secret()
    store.set(account_id, "token", token)
    assert store.get(account_id, "token") == token
    # Really in the keyring, under the documented service and user name.
    assert keyring.get_keyring().get_password(SERVICE_NAME, f"account-{account_id}:token") == token
    assert len(items_for(account_id)) == 1
    assert redactor.redact(f"header {token}") == f"header {MARK}"
    # A second store (as after a restart) reads the same secret.
    assert SecretStore(secret_service).get(account_id, "token") == token
    store.delete(account_id, "token")
    assert store.get(account_id, "token") is None
    assert items_for(account_id) == []
    store.delete(account_id, "token")  # deleting again is harmless


@pytest.mark.keyring
def test_replacing_a_secret_keeps_one_item(secret_service: KeyringBackend, account_id: int) -> None:
    store = SecretStore(secret_service)
    store.set(account_id, "key", "first-key-value")
    store.set(account_id, "key", "second-key-value")
    assert store.get(account_id, "key") == "second-key-value"
    assert len(items_for(account_id)) == 1
    store.delete_all(account_id)


@pytest.mark.keyring
def test_delete_all_leaves_nothing(secret_service: KeyringBackend, account_id: int) -> None:
    store = SecretStore(secret_service)
    other = account_id + 1
    for field in FIELDS:
        store.set(account_id, field, f"{field}-{fresh_secret()}")
    store.set(other, "token", fresh_secret())
    assert len(items_for(account_id)) == 3
    store.delete_all(account_id)
    assert items_for(account_id) == []
    assert all(store.get(account_id, field) is None for field in FIELDS)
    assert len(items_for(other)) == 1  # another account's secret is untouched
    store.delete_all(other)
    assert items_for(other) == []


# ---- no keyring: the fail backend and session-only memory ---------------------------------------


def test_fail_backend_is_unavailable_with_a_reason() -> None:
    store = SecretStore(fail.Keyring())
    assert not store.available
    assert store.backend_name == "no keyring"
    assert store.unavailable_reason == "No system keyring was found on this computer."
    with pytest.raises(SecretStoreError) as caught:
        store.set(1, "token", "user:1-abcdefghijkl", owner="Studio")
    assert str(caught.value) == (
        "Cannot save the token of “Studio”: no system keyring was found on this computer — keep "
        "secrets for this session only, or set up a system keyring."
    )


def test_session_only_keeps_secrets_in_memory_and_writes_nothing(tmp_path: Path) -> None:
    paths = AppPaths.from_option(tmp_path / "data").ensure()
    conn = open_database(paths.database)
    account = AccountRepository(conn).add(Account("Sandbox", AccountKind.USEAPI, USEAPI_BASE_URL))
    assert account.id is not None
    store = SecretStore(fail.Keyring())
    store.use_session_only()
    assert store.session_only
    assert store.where == "this session only"
    token = fresh_secret()
    store.set(account.id, "token", token)
    assert store.get(account.id, "token") == token
    conn.close()
    # The secret is in no file under the data folder (database, WAL, logs...).
    assert_no_file_holds(tmp_path, [token], expected=[paths.database])
    # Memory only: a new store in the same process knows nothing.
    fresh = SecretStore(fail.Keyring())
    fresh.use_session_only()
    assert fresh.get(account.id, "token") is None
    store.delete_all(account.id)
    assert store.get(account.id, "token") is None


# ---- a keyring that refuses -------------------------------------------------------------------


class RefusingKeyring(KeyringBackend):
    """A fake backend that refuses, naming the password in its error as a careless one might.

    A fake is used because a real locked or refusing Secret Service cannot be produced reliably
    here; the point is AssetDesk's handling of any refusal, not the keyring itself.
    """

    priority = 0  # type: ignore[assignment]  # never chosen by keyring itself (nor its chainer)

    def __init__(self, *, refuse_reads: bool) -> None:
        super().__init__()
        self.refuse_reads = refuse_reads

    def get_password(self, service: str, username: str) -> str | None:
        if self.refuse_reads:
            raise KeyringError("the collection is locked")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"cannot store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("prompt dismissed")


def test_a_refused_write_is_a_secret_store_error_without_the_secret() -> None:
    redactor = Redactor()
    store = SecretStore(RefusingKeyring(refuse_reads=False), redactor=redactor)
    assert store.available
    assert store.backend_name == "RefusingKeyring"
    token = fresh_secret()
    with pytest.raises(SecretStoreError) as caught:
        store.set(7, "token", token)
    error = caught.value
    assert str(error).startswith("RefusingKeyring could not save the token")
    for text in (str(error), repr(error), str(error.to_dict())):
        assert token not in text
        assert token.split("-", 1)[1] not in text
    # The backend's own exception (which names the secret) is not chained to ours.
    assert error.__cause__ is None
    assert error.__context__ is None
    with pytest.raises(SecretStoreError) as deleting:
        store.delete(7, "session_token")
    assert "could not delete the session token (KeyringError: prompt dismissed)" in str(
        deleting.value
    )


def test_a_backend_whose_probe_fails_is_unavailable() -> None:
    store = SecretStore(RefusingKeyring(refuse_reads=True))
    assert not store.available
    assert store.unavailable_reason is not None
    assert "does not answer" in store.unavailable_reason
    assert "locked" in store.unavailable_reason
    with pytest.raises(SecretStoreError):
        store.get(1, "token")


def test_unknown_fields_are_a_programming_error() -> None:
    store = SecretStore(fail.Keyring())
    store.use_session_only()
    with pytest.raises(ValueError, match="unknown secret field"):
        store.set(1, "password", "x" * 10)


def test_a_refusal_names_the_account() -> None:
    store = SecretStore(RefusingKeyring(refuse_reads=False))
    with pytest.raises(SecretStoreError) as caught:
        store.delete_all(3, owner="Studio")
    assert str(caught.value) == (
        "RefusingKeyring could not delete the token of “Studio” (KeyringError: prompt dismissed)."
    )


def test_probe_later_finds_a_refusing_keyring() -> None:
    """With probe=False (the window's start-up), nothing is known until probe() has run."""
    store = SecretStore(RefusingKeyring(refuse_reads=True), probe=False)
    assert store.available and store.unavailable_reason is None
    store.probe()
    assert not store.available
    assert store.unavailable_reason == (
        "The RefusingKeyring keyring does not answer (KeyringError: the collection is locked)."
    )


# ---- backend names ------------------------------------------------------------------------------


def _bare(cls: type[KeyringBackend]) -> KeyringBackend:
    """An instance without running __init__ (which may talk to the platform's keyring)."""
    return cls.__new__(cls)


def test_backend_labels_are_the_words_users_know() -> None:
    from keyring.backends import SecretService, Windows, kwallet, libsecret, macOS, null

    assert backend_label(_bare(SecretService.Keyring)) == "Secret Service"
    assert backend_label(_bare(libsecret.Keyring)) == "Secret Service"
    assert backend_label(_bare(macOS.Keyring)) == "macOS Keychain"
    assert backend_label(_bare(Windows.WinVaultKeyring)) == "Windows Credential Manager"
    assert backend_label(_bare(kwallet.DBusKeyring)) == "KWallet"
    assert backend_label(fail.Keyring()) == "no keyring"
    assert backend_label(null.Keyring()) == "keyring turned off"
    assert backend_label(RefusingKeyring(refuse_reads=False)) == "RefusingKeyring"


# ---- keyring calls that never return ------------------------------------------------------------


class HangingKeyring(KeyringBackend):
    """A fake backend whose reads block until released. A fake because a real keyring cannot be
    made to hang on demand (in life: a D-Bus call stuck, or an unlock prompt nobody answers).

    Priority 0 keeps it out of keyring's own choice and out of its chainer backend."""

    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        self.release.wait()
        return "released"

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError("read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("read-only")


@pytest.mark.anyio
async def test_a_stuck_keyring_call_times_out_with_a_sentence(anyio_backend: str) -> None:
    backend = HangingKeyring()
    store = SecretStore(backend, probe=False)
    try:
        with pytest.raises(KeyringTimeout) as caught:
            await run_keyring_call(store.get, 5, "token", timeout=0.5)
        assert str(caught.value) == (
            "The keyring did not answer in 0.5 s; it may be waiting for you to unlock it."
        )
        assert isinstance(caught.value, SecretStoreError)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
        assert backend.entered.is_set()
    finally:
        backend.release.set()  # let the abandoned thread end (the result goes nowhere)


@pytest.mark.anyio
async def test_keyring_call_results_and_errors_come_back(anyio_backend: str) -> None:
    store = SecretStore(fail.Keyring())
    store.use_session_only()
    await run_keyring_call(store.set, 9, "token", "user:9-abcdefghijkl")
    assert await run_keyring_call(store.get, 9, "token") == "user:9-abcdefghijkl"
    with pytest.raises(ValueError, match="unknown secret field"):
        await run_keyring_call(store.get, 9, "password")
    refusing = SecretStore(RefusingKeyring(refuse_reads=False))
    with pytest.raises(SecretStoreError) as caught:
        await run_keyring_call(refusing.delete, 9, "key")
    assert str(caught.value) == (
        "RefusingKeyring could not delete the key (KeyringError: prompt dismissed)."
    )


_QUIT_WHILE_STUCK = """
import asyncio, sys, threading
from keyring.backend import KeyringBackend
from assetdesk.store.secrets import run_keyring_call

entered = threading.Event()

def stuck():
    entered.set()
    threading.Event().wait()  # forever, like an unlock prompt nobody answers

async def main():
    if sys.argv[1] == "keyring":
        task = asyncio.create_task(run_keyring_call(stuck, timeout=600))
    else:
        task = asyncio.create_task(asyncio.to_thread(stuck))
    while not entered.is_set():
        await asyncio.sleep(0.01)
    print("stuck", flush=True)
    # main returns: asyncio.run cancels the task and shuts down, as the app does on quit

asyncio.run(main())
"""


def _start_stuck(how: str) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _QUIT_WHILE_STUCK, how],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[3],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "app")},
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "stuck"
    return process


def test_the_interpreter_exits_while_a_keyring_call_is_stuck() -> None:
    process = _start_stuck("keyring")
    started = time.monotonic()
    try:
        status = process.wait(timeout=60)
    finally:
        process.kill()
    assert status == 0
    assert time.monotonic() - started < 5, "quitting waited for the stuck keyring call"


def test_to_thread_would_hold_up_quitting() -> None:
    """The control for the test above: the same stuck call through asyncio.to_thread keeps the
    interpreter from exiting, which is why keyring calls do not use it."""
    process = _start_stuck("to_thread")
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=3)
    finally:
        process.kill()
        process.wait()
