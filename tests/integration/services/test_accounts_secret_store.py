"""AccountsService when the keyring is missing, refuses, or hangs: plain sentences, session-only
secrets that never reach the disk, and calls that give up instead of blocking the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError
from tests.helpers.secrets_on_disk import assert_no_file_holds

from assetdesk.core.errors import SecretStoreError
from assetdesk.core.redact import Redactor
from assetdesk.services.accounts import AccountsService
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore

pytestmark = pytest.mark.anyio

TOKEN_PROBLEM_TAIL = " — keep secrets for this session only, or set up a system keyring."


class RaisingKeyring(KeyringBackend):
    """A fake keyring that raises on every call, naming the password as a careless one might.
    A fake because a real Secret Service cannot be made to fail every call on demand."""

    priority = 0  # type: ignore[assignment]  # never chosen by keyring itself

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringError("org.freedesktop.Secret.Error.IsLocked: the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringError(f"cannot store {password} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringError("prompt dismissed")


class HangingKeyring(KeyringBackend):
    """A fake keyring whose every call blocks until released. A fake because a real keyring
    cannot be made to hang on demand (in life: a stuck D-Bus call or an unanswered unlock prompt).
    """

    priority = 0  # type: ignore[assignment]  # never chosen by keyring itself

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.calls = 0

    def _block(self) -> None:
        self.calls += 1
        self.release.wait()

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


@pytest.fixture
def hanging() -> Iterator[HangingKeyring]:
    backend = HangingKeyring()
    yield backend
    backend.release.set()  # let the abandoned threads end


def assert_plain(error: SecretStoreError, *secrets: str) -> None:
    for text in (str(error), repr(error), str(error.to_dict())):
        assert "Traceback" not in text and 'File "' not in text
        for secret in secrets:
            assert secret not in text
            assert secret.split("-", 1)[1] not in text
    assert error.__cause__ is None


async def test_no_keyring_then_session_only_writes_nothing_to_disk(
    sb: Any, app_paths: AppPaths
) -> None:
    token = sb.demo["useapi_token"]
    service = AccountsService(app_paths.database, SecretStore(fail.Keyring()), Redactor())
    try:
        assert service.secret_store_problem == "No system keyring was found on this computer."
        assert service.secret_store_where == "no keyring"
        with pytest.raises(SecretStoreError) as caught:
            await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert caught.value.message == (
            "Cannot save the token of “Studio”: no system keyring was found on this computer"
            + TOKEN_PROBLEM_TAIL
        )
        assert_plain(caught.value, token)
        assert await service.list() == [], "a refused secret leaves no account behind"

        service.use_session_only()
        assert service.secret_store_problem is None
        assert service.secret_store_where == "this session only"
        info = await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert (info.session_only, info.secret_state) == (False, "session")
        assert (await service.check(info.id)).state == "valid"
        # An edited secret stays in memory too.
        edited = await service.update(info.id, name="Studio", base_url=sb.api_url, secret=token)
        assert edited.secret_state == "session"
    finally:
        await service.aclose()
    assert_no_file_holds(app_paths.root, [token], expected=[app_paths.database])

    restarted = AccountsService(app_paths.database, SecretStore(fail.Keyring()), Redactor())
    try:
        (found,) = await restarted.list()
        assert (found.name, found.secret_state) == ("Studio", "missing")
        health = await restarted.check(found.id)
        assert health.state == "secret_missing"
        assert health.sentence == (
            "Cannot read the token of “Studio”: no system keyring was found on this computer"
            + TOKEN_PROBLEM_TAIL
        )
    finally:
        await restarted.aclose()


async def test_a_keyring_that_raises_gives_plain_sentences(sb: Any, app_paths: AppPaths) -> None:
    token = sb.demo["useapi_token"]
    store = SecretStore(RaisingKeyring(), probe=False)  # as the window builds it
    service = AccountsService(app_paths.database, store, Redactor())
    try:
        assert service.secret_store_problem is None, "unknown until the probe has run"
        with pytest.raises(SecretStoreError) as caught:
            await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert caught.value.message == (
            "RaisingKeyring could not save the token of “Studio” (KeyringError: cannot store "
            "«redacted» for account-1:token)."
        )
        assert_plain(caught.value, token)
        assert await service.list() == []

        await service.probe_secret_store()
        problem = (
            "The RaisingKeyring keyring does not answer (KeyringError: "
            "org.freedesktop.Secret.Error.IsLocked: the collection is locked)."
        )
        assert service.secret_store_problem == problem
        assert not service.secret_store_available
        with pytest.raises(SecretStoreError) as again:
            await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert again.value.message == (
            "Cannot save the token of “Studio”: the RaisingKeyring keyring does not answer "
            "(KeyringError: org.freedesktop.Secret.Error.IsLocked: the collection is locked)"
            + TOKEN_PROBLEM_TAIL
        )
        assert_plain(again.value, token)

        service.use_session_only()
        assert service.secret_store_problem is None
        info = await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert info.secret_state == "session"
        await service.remove(info.id)  # the keyring is not touched any more
        assert await service.list() == []
    finally:
        await service.aclose()
    assert_no_file_holds(app_paths.root, [token], expected=[app_paths.database])


async def test_a_hanging_keyring_is_given_up_on(
    sb: Any, app_paths: AppPaths, hanging: HangingKeyring
) -> None:
    token = sb.demo["useapi_token"]
    store = SecretStore(hanging, probe=False)
    service = AccountsService(app_paths.database, store, Redactor(), keyring_timeout=0.5)
    try:
        with pytest.raises(SecretStoreError) as caught:
            await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        timeout = "The keyring did not answer in 0.5 s; it may be waiting for you to unlock it."
        assert caught.value.message == timeout
        assert_plain(caught.value, token)
        assert service.secret_store_problem == timeout
        # From now on the store fails at once instead of waiting again.
        assert await service.list() == []
        with pytest.raises(SecretStoreError) as again:
            await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert again.value.message == (
            "Cannot save the token of “Studio”: the keyring did not answer in 0.5 s; it may be "
            "waiting for you to unlock it" + TOKEN_PROBLEM_TAIL
        )
        assert hanging.calls == 1, "only the first call reached the stuck keyring"

        service.use_session_only()
        info = await service.add(name="Studio", kind="useapi", secret=token, base_url=sb.api_url)
        assert info.secret_state == "session"
        assert (await service.check(info.id)).state == "valid"
    finally:
        await service.aclose()


async def test_the_probe_of_a_hanging_keyring_times_out(
    app_paths: AppPaths, hanging: HangingKeyring
) -> None:
    service = AccountsService(
        app_paths.database, SecretStore(hanging, probe=False), Redactor(), keyring_timeout=0.5
    )
    try:
        assert service.secret_store_problem is None
        await service.probe_secret_store()
        assert service.secret_store_problem == (
            "The keyring did not answer in 0.5 s; it may be waiting for you to unlock it."
        )
        assert hanging.calls == 1
    finally:
        await service.aclose()


async def test_the_probe_after_session_only_changes_nothing(app_paths: AppPaths) -> None:
    service = AccountsService(
        app_paths.database, SecretStore(RaisingKeyring(), probe=False), Redactor()
    )
    try:
        service.use_session_only()
        await service.probe_secret_store()
        assert service.secret_store_problem is None
        assert service.secret_store_where == "this session only"
    finally:
        await service.aclose()
