"""The accounts' secrets: in the OS keyring, or in memory for this session only.

Every keyring call runs through `run_keyring_call` (a daemon thread abandoned after a timeout, so
a stuck D-Bus call or unlock prompt never keeps the app from quitting); after a timeout the store
is marked unusable and fails fast. A secret read is registered with the redactor at once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from assetdesk.core.errors import SecretMissing, SecretStoreError
from assetdesk.core.redact import Redactor
from assetdesk.services.account_fields import SECRET_FIELD, saved_id
from assetdesk.store.accounts import Account
from assetdesk.store.secrets import KeyringTimeout, SecretStore, run_keyring_call

__all__ = ["AccountSecrets"]

T = TypeVar("T")


class AccountSecrets:
    """Reads secrets (session ones first, then the keyring) and runs keyring calls off the loop."""

    def __init__(self, store: SecretStore, redactor: Redactor, timeout: float) -> None:
        self._store = store
        self._redactor = redactor
        self._timeout = timeout
        self._session: dict[int, str] = {}

    def keep_for_session(self, account_id: int, secret: str) -> None:
        """A session-only account's secret, in memory for this process only."""
        self._session[account_id] = secret

    def forget_session(self, account_id: int) -> None:
        self._session.pop(account_id, None)

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A SecretStore call on an abandonable thread; after a timeout the store fails fast."""
        try:
            return await run_keyring_call(
                functools.partial(fn, *args, **kwargs), timeout=self._timeout
            )
        except KeyringTimeout as error:
            self._store.mark_unusable(error)
            raise

    async def get(self, account: Account) -> str | None:
        if account.id in self._session:
            return self._session[account.id]
        field = SECRET_FIELD[account.kind]
        secret = await self.call(self._store.get, saved_id(account), field, owner=account.name)
        if secret:
            self._redactor.register(secret)
        return secret

    async def require(self, account: Account) -> str:
        try:
            secret = await self.get(account)
        except SecretStoreError as error:
            if self._store.has_backend:
                raise  # locked or silent: the secret may well be there
            raise SecretMissing(error.message) from None  # no keyring: nothing can be there
        if not secret:
            raise SecretMissing(
                f"The secret of “{account.name}” is missing — enter it again in Accounts."
            )
        return secret
