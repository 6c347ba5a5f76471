"""Accounts: saved (SQLite + OS keyring) or session-only, their health, and their clients.

The panes and the CLI get accounts only through this service. Non-secret fields live in SQLite,
secrets only in the keyring (or, when there is none, in memory for this session). Every blocking
call runs off the event loop: SQLite in `asyncio.to_thread`, the keyring through
`run_keyring_call` (a daemon thread abandoned after a timeout, so a stuck D-Bus call or unlock
prompt never keeps the app from quitting). Each account has one pooled client, created on first
use and reused, and closed when the account is edited or removed.

Beneath it: the storage, the secret store's state, the session-only choice and the listeners
(account_storage.py). Beside it: the fields' checks (account_fields.py), the secrets
(account_secrets.py), the pooled clients (account_clients.py), connection tests
(account_health.py) and the words for a gone account (account_gone.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from assetdesk.core.addresses import plain_http_problem
from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    SecretMissing,
    SecretStoreError,
    as_sentence,
)
from assetdesk.core.provider import AccountKind
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.account_fields import (
    SECRET_FIELD,
    checked_account,
    invalid_input_as_sentences,
    saved_id,
)
from assetdesk.services.account_health import AccountHealth, health_from_error, useapi_health
from assetdesk.services.account_storage import AccountStorage
from assetdesk.store.accounts import Account, validated

log = logging.getLogger("assetdesk.services.accounts")


@dataclass(frozen=True)
class AccountInfo:
    """What the panes show of an account. Never holds the secret."""

    id: int
    name: str
    kind: AccountKind
    base_url: str
    session_only: bool
    secret_state: str  # "stored" | "session" | "missing"
    wordbee_account_id: str | None = None
    default_email: str | None = None
    #: Why the account's address cannot be used (plain http to another computer), else None.
    address_problem: str | None = None


def _address_problem(account: Account) -> str | None:
    problem = plain_http_problem(account.base_url)
    return None if problem is None else as_sentence(problem)


def _usable(account: Account) -> Account:
    """`account`, unless its address is plain http to another computer (saved before https
    was required): then InvalidInput says why, before its secret is read or anything is sent."""
    problem = _address_problem(account)
    if problem is not None:
        raise InvalidInput(
            f"“{account.name}” is not used: {problem} Edit the account to give its https:// "
            "address; nothing was sent."
        )
    return account


class AccountsService(AccountStorage):
    """Saved and session-only accounts, with one pooled client per account."""

    # ------------------------------------------------------------ queries

    async def _info(self, account: Account) -> AccountInfo:
        if account.id in self._session:
            state = "session"
        else:
            try:
                secret = await self._account_secrets.get(account)
            except SecretStoreError:  # locked, refused, not answering: not the same as missing
                state = "unavailable" if self._secrets.has_backend else "missing"
            else:
                if secret is None:
                    state = "missing"
                else:
                    state = "session" if self._secrets.session_only else "stored"
        return AccountInfo(
            id=saved_id(account),
            name=account.name,
            kind=account.kind,
            base_url=account.base_url,
            session_only=account.id in self._session,
            secret_state=state,
            wordbee_account_id=account.wordbee_account_id,
            default_email=account.default_email,
            address_problem=_address_problem(account),
        )

    async def _accounts(self) -> list[Account]:
        saved = await self._db(lambda repo: repo.list())
        return [*self._session.values(), *saved]

    async def list(self) -> list[AccountInfo]:
        return [await self._info(account) for account in await self._accounts()]

    async def info(self, account_id: int) -> AccountInfo:
        """One account as the panes show it; NotFound when there is none with that id."""
        return await self._info(await self._account(account_id))

    async def find(self, name: str) -> AccountInfo | None:
        for account in await self._accounts():
            if account.name.casefold() == name.strip().casefold():
                return await self._info(account)
        return None

    async def saved_secret(self, account_id: int) -> tuple[Account, str]:
        """An account and its secret, for the CLI's `--account NAME` (services/credentials.py)."""
        account = _usable(await self._account(account_id))
        return account, await self._account_secrets.require(account)

    # ------------------------------------------------------------ changes

    async def add(
        self,
        *,
        name: str,
        kind: str,
        secret: str,
        base_url: str | None = None,
        wordbee_account_id: str | None = None,
        default_email: str | None = None,
    ) -> AccountInfo:
        """Save an account: its fields in SQLite, its secret in the keyring."""
        draft, cleaned = checked_account(
            name=name,
            kind=kind,
            secret=secret,
            base_url=base_url,
            wordbee_account_id=wordbee_account_id,
            default_email=default_email,
        )
        assert cleaned is not None
        self._redactor.register(cleaned)
        with invalid_input_as_sentences():
            account = await self._db(lambda repo: repo.add(draft))
        try:
            await self._account_secrets.call(
                self._secrets.set,
                saved_id(account),
                SECRET_FIELD[account.kind],
                cleaned,
                owner=account.name,
            )
        except SecretStoreError:
            await self._db(lambda repo: repo.remove(saved_id(account)))
            raise
        self._announce(saved_id(account))
        return await self._info(account)

    async def add_session_account(
        self,
        *,
        name: str,
        kind: str,
        base_url: str,
        secret: str,
        wordbee_account_id: str | None = None,
    ) -> AccountInfo:
        """An account for this session only: nothing of it is written anywhere."""
        account_id = next(self._session_ids)
        account, cleaned = checked_account(
            name=name,
            kind=kind,
            secret=secret,
            base_url=base_url,
            wordbee_account_id=wordbee_account_id,
            account_id=account_id,
        )
        assert cleaned is not None
        self._redactor.register(cleaned)
        self._session[account_id] = account
        self._account_secrets.keep_for_session(account_id, cleaned)
        self._announce(account_id)
        return await self._info(account)

    async def update(
        self,
        account_id: int,
        *,
        name: str,
        base_url: str | None,
        wordbee_account_id: str | None = None,
        default_email: str | None = None,
        secret: str | None = None,
    ) -> AccountInfo:
        """Save an edited account; its secret is replaced only when a new one is given.

        `wordbee_account_id` and `default_email` left as None keep what the account has ("" clears
        the default email). The account's pooled clients are closed, so the next use picks up the
        new address and secret.
        """
        async with self._clients.lock(account_id):
            current = await self._account(account_id)
            new_secret = secret if secret is not None and secret.strip() else None
            draft, cleaned = checked_account(
                name=name,
                kind=current.kind.value,
                secret=new_secret,
                base_url=base_url,
                wordbee_account_id=(
                    current.wordbee_account_id if wordbee_account_id is None else wordbee_account_id
                ),
                default_email=current.default_email if default_email is None else default_email,
                account_id=account_id,
            )
            if cleaned is not None:
                self._redactor.register(cleaned)
            if account_id in self._session:
                self._session[account_id] = draft
                if cleaned is not None:
                    self._account_secrets.keep_for_session(account_id, cleaned)
                saved = draft
            else:
                with invalid_input_as_sentences():
                    saved = await self._db(lambda repo: repo.update(draft))
                if cleaned is not None:
                    try:
                        await self._account_secrets.call(
                            self._secrets.set,
                            account_id,
                            SECRET_FIELD[saved.kind],
                            cleaned,
                            owner=saved.name,
                        )
                    except SecretStoreError:
                        await self._db(lambda repo: repo.update(current))  # all or nothing
                        raise
            await self._clients.close_quietly(account_id)
        self._announce(account_id)
        return await self._info(saved)

    async def set_default_email(self, account_id: int, email: str | None) -> AccountInfo:
        """The Google Flow account uploads go to; None lets useapi.net balance the load."""
        async with self._clients.lock(account_id):
            current = await self._account(account_id)
            if current.kind is not AccountKind.USEAPI:
                raise InvalidInput(
                    f"“{current.name}” is a Wordbee account; only useapi.net accounts have "
                    "a default Google Flow email."
                )
            with invalid_input_as_sentences():
                changed = validated(replace(current, default_email=email))
                if account_id in self._session:
                    self._session[account_id] = changed
                else:
                    changed = await self._db(lambda repo: repo.update(changed))
            return await self._info(changed)

    async def remove(self, account_id: int) -> bool:
        """Forget an account and delete its secrets from the keyring. False when the keyring
        could not be reached: the account is forgotten all the same, its secret may remain."""
        async with self._clients.lock(account_id):  # no client of it can be made meanwhile
            await self._clients.close(account_id)
            if account_id in self._session:
                del self._session[account_id]
                self._account_secrets.forget_session(account_id)
                self._announce(account_id)
                return True
            account = await self._account(account_id)
            deleted = True
            try:
                await self._account_secrets.call(
                    self._secrets.delete_all, account_id, owner=account.name
                )
            except SecretStoreError as error:
                log.warning("removing %s: its secret stays in the keyring (%s)", account_id, error)
                deleted = False
            await self._db(lambda repo: repo.remove(account_id))
        self._announce(account_id)
        return deleted

    # ------------------------------------------------------------ clients and health

    async def useapi(self, account_id: int) -> UseapiClients:
        """The account's pooled useapi.net clients, created on first use."""
        async with self._clients.lock(account_id):
            clients = self._clients.useapi(account_id)
            if clients is None:
                account = _usable(await self._account(account_id))
                if account.kind is not AccountKind.USEAPI:
                    raise InvalidInput(f"“{account.name}” is not a useapi.net account.")
                token = await self._account_secrets.require(account)
                connection = UseapiConnection(token, account.base_url)
                clients = self._clients.keep_useapi(account_id, connection)
            return clients

    async def wordbee(self, account_id: int) -> WordbeeClient:
        """The account's pooled Wordbee client, created on first use."""
        async with self._clients.lock(account_id):
            client = self._clients.wordbee(account_id)
            if client is None:
                account = _usable(await self._account(account_id))
                if account.kind is not AccountKind.WORDBEE or not account.wordbee_account_id:
                    raise InvalidInput(f"“{account.name}” is not a Wordbee account.")
                key = await self._account_secrets.require(account)
                # Its session tokens are secrets too: kept out of the log from the first one.
                signed_in = WordbeeClient(
                    account.base_url,
                    account.wordbee_account_id,
                    key,
                    on_token=self._redactor.register,
                )
                client = self._clients.keep_wordbee(account_id, signed_in)
            return client

    async def check(self, account_id: int) -> AccountHealth:
        """The cheap check: `/v2/account` (and the Google Flow accounts), or a Wordbee sign-in."""
        account = await self._account(account_id)
        now = datetime.now(UTC)
        try:
            if account.kind is AccountKind.USEAPI:
                return await useapi_health(await self.useapi(account_id), now)
            client = await self.wordbee(account_id)
            await client.renew_session()
            return AccountHealth("valid", "Signed in to Wordbee.", None, now)
        except SecretMissing as error:
            return AccountHealth("secret_missing", error.message, None, now)
        except SecretStoreError as error:  # the keyring is locked, refused or not answering
            return AccountHealth("keyring", error.message, None, now)
        except AssetDeskError as error:
            return health_from_error(error, now)
        except RuntimeError:  # its client was closed under the check: edited or removed
            return AccountHealth(
                "error", "The account changed while it was being checked; test it again.", None, now
            )

    async def aclose(self) -> None:
        """Close every client (each one even when another fails) and the database."""
        await self._clients.close_all()
        await self._close_storage()
