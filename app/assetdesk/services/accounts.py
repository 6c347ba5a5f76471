"""Accounts: saved (SQLite + OS keyring) or session-only, their health, and their clients.

The panes and the CLI get accounts only through this service. Non-secret fields live in SQLite,
secrets only in the keyring (or, when there is none, in memory for this session). Every blocking
call runs off the event loop: SQLite in `asyncio.to_thread`, the keyring through
`run_keyring_call` (a daemon thread abandoned after a timeout, so a stuck D-Bus call or unlock
prompt never keeps the app from quitting). Each account has one pooled client, created on first
use and reused, and closed when the account is edited or removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    NetworkError,
    NotFound,
    SecretMissing,
    SecretStoreError,
    SessionExpired,
    Throttled,
    Unauthorized,
    as_sentence,
)
from assetdesk.core.ids import check_useapi_token
from assetdesk.core.redact import Redactor
from assetdesk.providers.google_flow import FlowAccount, GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import DEFAULT_USEAPI_URL, UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.store.accounts import Account, AccountKind, AccountRepository, validated
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import (
    KEYRING_TIMEOUT,
    KeyringTimeout,
    SecretStore,
    run_keyring_call,
)

log = logging.getLogger("assetdesk.services.accounts")

#: The secret field each kind of account keeps in the keyring.
SECRET_FIELD = {AccountKind.USEAPI: "token", AccountKind.WORDBEE: "key"}

T = TypeVar("T")


@contextmanager
def _sentences() -> Iterator[None]:
    """InvalidInput from the store and core layers (fragments) re-raised as sentences."""
    try:
        yield
    except InvalidInput as error:
        raise InvalidInput(as_sentence(error.message)) from None


@dataclass(frozen=True)
class AccountInfo:
    """What the panes show of an account. Never holds the secret."""

    id: int
    name: str
    kind: str
    base_url: str
    session_only: bool
    secret_state: str  # "stored" | "session" | "missing"
    wordbee_account_id: str | None = None
    default_email: str | None = None


@dataclass(frozen=True)
class FlowAccountState:
    """One Google Flow account of a useapi.net token, as the pane lists it."""

    email: str
    healthy: bool
    sentence: str  # "Ready" when healthy, else the service's error or health in plain words


@dataclass(frozen=True)
class AccountHealth:
    """The outcome of a connection test, in one sentence, and what the service reported."""

    state: str  # valid | invalid | throttled | reconnect | unreachable | secret_missing | error
    sentence: str
    retry_at: datetime | None
    checked_at: datetime
    details: tuple[str, ...] = ()
    owner_email: str | None = None
    flow_accounts: tuple[FlowAccountState, ...] = ()
    runway_accounts: tuple[str, ...] = ()  # emails from GET /v1/runwayml/accounts


def flow_account_state(account: FlowAccount) -> FlowAccountState:
    if account.healthy:
        return FlowAccountState(account.email, True, "Ready")
    # `health` is "OK" or the service's own words for what is wrong; `error` is the raw cause.
    health = account.health.strip()
    said = health if health and health.upper() != "OK" else account.error or "needs attention"
    return FlowAccountState(account.email, False, as_sentence(said))


def health_from_error(error: AssetDeskError, now: datetime) -> AccountHealth:
    if isinstance(error, Unauthorized):
        return AccountHealth("invalid", error.message, None, now)
    if isinstance(error, Throttled):
        when = error.retry_at.astimezone().strftime("%H:%M") if error.retry_at else None
        sentence = f"Throttled until {when}." if when else "Throttled; try again later."
        return AccountHealth("throttled", sentence, error.retry_at, now)
    if isinstance(error, SessionExpired):
        return AccountHealth("reconnect", error.message, None, now)
    if isinstance(error, NetworkError):
        return AccountHealth("unreachable", error.message, None, now)
    return AccountHealth("error", error.message, None, now)


def _id(account: Account) -> int:
    if account.id is None:
        raise ValueError(f"account {account.name!r} has not been saved")
    return account.id


@dataclass(frozen=True)
class UseapiClients:
    connection: UseapiConnection
    google_flow: GoogleFlowClient
    runway: RunwayClient


class AccountsService:
    """Saved and session-only accounts, with one pooled client per account."""

    def __init__(
        self,
        database: Path,
        secrets: SecretStore,
        redactor: Redactor,
        *,
        keyring_timeout: float = KEYRING_TIMEOUT,
    ) -> None:
        self._database = database
        self._keyring_timeout = keyring_timeout
        self._secrets = secrets
        self._redactor = redactor
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._session: dict[int, Account] = {}
        self._session_secrets: dict[int, str] = {}
        self._session_ids = itertools.count(-1, -1)
        self._useapi: dict[int, UseapiClients] = {}
        self._wordbee: dict[int, WordbeeClient] = {}
        self._client_locks: dict[int, asyncio.Lock] = {}

    # ------------------------------------------------------------ blocking parts, in threads

    def _repo(self) -> AccountRepository:
        if self._conn is None:
            self._conn = open_database(self._database, check_same_thread=False)
        return AccountRepository(self._conn)

    async def _db(self, method: str, *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            with self._lock:
                return getattr(self._repo(), method)(*args, **kwargs)

        return await asyncio.to_thread(run)

    async def _keyring(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A SecretStore call on an abandonable thread; after a timeout the store fails fast."""
        try:
            return await run_keyring_call(
                functools.partial(fn, *args, **kwargs), timeout=self._keyring_timeout
            )
        except KeyringTimeout as error:
            self._secrets.mark_unusable(error)
            raise

    # ------------------------------------------------------------ the secret store

    @property
    def secret_store_name(self) -> str:
        return self._secrets.backend_name

    @property
    def secret_store_available(self) -> bool:
        return self._secrets.available

    @property
    def secret_store_where(self) -> str:
        """Where secrets go: 'Secret Service', 'macOS Keychain', ..., 'this session only'."""
        return self._secrets.where

    @property
    def secret_store_problem(self) -> str | None:
        """Why the keyring cannot be used, in one sentence; None when it can or when the user
        chose session-only secrets."""
        if self._secrets.session_only:
            return None
        return self._secrets.unavailable_reason

    def use_session_only(self) -> None:
        """From now on every secret (new or edited) is kept in memory for this process only.

        Account fields are still saved in SQLite, so after a restart such an account is listed
        with its secret missing.
        """
        self._secrets.use_session_only()

    async def probe_secret_store(self) -> None:
        """Try the keyring once, off the loop (it may block on D-Bus or an unlock prompt)."""
        with contextlib.suppress(KeyringTimeout):  # _keyring marked the store unusable
            await self._keyring(self._secrets.probe)

    # ------------------------------------------------------------ queries

    async def _info(self, account: Account) -> AccountInfo:
        if account.id in self._session:
            state = "session"
        else:
            try:
                secret = await self._secret(account)
            except SecretStoreError:  # locked, refused, not answering: not the same as missing
                state = "unavailable" if self._secrets.has_backend else "missing"
            else:
                if secret is None:
                    state = "missing"
                else:
                    state = "session" if self._secrets.session_only else "stored"
        return AccountInfo(
            id=_id(account),
            name=account.name,
            kind=account.kind.value,
            base_url=account.base_url,
            session_only=account.id in self._session,
            secret_state=state,
            wordbee_account_id=account.wordbee_account_id,
            default_email=account.default_email,
        )

    async def _accounts(self) -> list[Account]:
        saved: list[Account] = await self._db("list")
        return [*self._session.values(), *saved]

    async def list(self) -> list[AccountInfo]:
        return [await self._info(account) for account in await self._accounts()]

    async def _account(self, account_id: int) -> Account:
        if account_id in self._session:
            return self._session[account_id]
        account: Account = await self._db("get", account_id)
        return account

    async def find(self, name: str) -> AccountInfo | None:
        for account in await self._accounts():
            if account.name.casefold() == name.strip().casefold():
                return await self._info(account)
        return None

    async def _secret(self, account: Account) -> str | None:
        if account.id in self._session_secrets:
            return self._session_secrets[account.id]
        field = SECRET_FIELD[account.kind]
        secret = await self._keyring(self._secrets.get, _id(account), field, owner=account.name)
        if secret:
            self._redactor.register(secret)
        return secret

    async def _require_secret(self, account: Account) -> str:
        try:
            secret = await self._secret(account)
        except SecretStoreError as error:
            if self._secrets.has_backend:
                raise  # locked or silent: the secret may well be there
            raise SecretMissing(error.message) from None  # no keyring: nothing can be there
        if not secret:
            raise SecretMissing(
                f"The secret of “{account.name}” is missing — enter it again in Accounts."
            )
        return secret

    # ------------------------------------------------------------ changes

    @staticmethod
    def _checked(
        *,
        name: str,
        kind: str,
        secret: str | None,
        base_url: str | None,
        wordbee_account_id: str | None,
        default_email: str | None = None,
        account_id: int | None = None,
    ) -> tuple[Account, str | None]:
        """The account as it will be kept, and its cleaned secret (None when `secret` is None);
        InvalidInput with one sentence otherwise."""
        with _sentences():
            account_kind = AccountKind(kind)
            cleaned: str | None = None
            if account_kind is AccountKind.USEAPI:
                if secret is not None:
                    cleaned = check_useapi_token(secret)
                url = (base_url or "").strip() or DEFAULT_USEAPI_URL
            else:
                if secret is not None:
                    cleaned = secret.strip()
                    if not cleaned:
                        raise InvalidInput("The Wordbee API key is empty.")
                if not base_url or not base_url.strip():
                    # Never guess: a Wordbee key must only ever go to the company's own Wordbee.
                    raise InvalidInput(
                        "A Wordbee account needs its address (your company's Wordbee URL)."
                    )
                url = base_url
            account = validated(
                Account(
                    name=name,
                    kind=account_kind,
                    base_url=url,  # validated() checks and tidies it
                    wordbee_account_id=wordbee_account_id,
                    default_email=default_email,
                    id=account_id,
                )
            )
        return account, cleaned

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
        draft, cleaned = self._checked(
            name=name,
            kind=kind,
            secret=secret,
            base_url=base_url,
            wordbee_account_id=wordbee_account_id,
            default_email=default_email,
        )
        assert cleaned is not None
        self._redactor.register(cleaned)
        with _sentences():
            account: Account = await self._db("add", draft)
        try:
            await self._keyring(
                self._secrets.set,
                _id(account),
                SECRET_FIELD[account.kind],
                cleaned,
                owner=account.name,
            )
        except SecretStoreError:
            await self._db("remove", _id(account))
            raise
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
        account, cleaned = self._checked(
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
        self._session_secrets[account_id] = cleaned
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
        async with self._client_lock(account_id):
            current = await self._account(account_id)
            new_secret = secret if secret is not None and secret.strip() else None
            draft, cleaned = self._checked(
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
                    self._session_secrets[account_id] = cleaned
                saved = draft
            else:
                with _sentences():
                    saved = await self._db("update", draft)
                if cleaned is not None:
                    try:
                        await self._keyring(
                            self._secrets.set,
                            account_id,
                            SECRET_FIELD[saved.kind],
                            cleaned,
                            owner=saved.name,
                        )
                    except SecretStoreError:
                        await self._db("update", current)  # all or nothing
                        raise
            await self._close_clients_quietly(account_id)
            return await self._info(saved)

    async def set_default_email(self, account_id: int, email: str | None) -> AccountInfo:
        """The Google Flow account uploads go to; None lets useapi.net balance the load."""
        async with self._client_lock(account_id):
            current = await self._account(account_id)
            if current.kind is not AccountKind.USEAPI:
                raise InvalidInput(
                    f"“{current.name}” is a Wordbee account; only useapi.net accounts have "
                    "a default Google Flow email."
                )
            with _sentences():
                changed = validated(replace(current, default_email=email))
                if account_id in self._session:
                    self._session[account_id] = changed
                else:
                    changed = await self._db("update", changed)
            return await self._info(changed)

    async def remove(self, account_id: int) -> bool:
        """Forget an account and delete its secrets from the keyring. False when the keyring
        could not be reached: the account is forgotten all the same, its secret may remain."""
        async with self._client_lock(account_id):  # no client of it can be made meanwhile
            await self._close_clients(account_id)
            if account_id in self._session:
                del self._session[account_id]
                self._session_secrets.pop(account_id, None)
                return True
            account = await self._account(account_id)
            deleted = True
            try:
                await self._keyring(self._secrets.delete_all, account_id, owner=account.name)
            except SecretStoreError as error:
                log.warning("removing %s: its secret stays in the keyring (%s)", account_id, error)
                deleted = False
            await self._db("remove", account_id)
            return deleted

    # ------------------------------------------------------------ clients and health

    async def useapi(self, account_id: int) -> UseapiClients:
        """The account's pooled useapi.net clients, created on first use."""
        async with self._client_lock(account_id):
            if account_id not in self._useapi:
                account = await self._account(account_id)
                if account.kind is not AccountKind.USEAPI:
                    raise InvalidInput(f"“{account.name}” is not a useapi.net account.")
                token = await self._require_secret(account)
                connection = UseapiConnection(token, account.base_url)
                self._useapi[account_id] = UseapiClients(
                    connection, GoogleFlowClient(connection), RunwayClient(connection)
                )
            return self._useapi[account_id]

    async def wordbee(self, account_id: int) -> WordbeeClient:
        """The account's pooled Wordbee client, created on first use."""
        async with self._client_lock(account_id):
            if account_id not in self._wordbee:
                account = await self._account(account_id)
                if account.kind is not AccountKind.WORDBEE or not account.wordbee_account_id:
                    raise InvalidInput(f"“{account.name}” is not a Wordbee account.")
                key = await self._require_secret(account)
                self._wordbee[account_id] = WordbeeClient(
                    account.base_url, account.wordbee_account_id, key
                )
            return self._wordbee[account_id]

    def _client_lock(self, account_id: int) -> asyncio.Lock:
        """One lock per account: its clients are made, used for removal and closed one at a time."""
        return self._client_locks.setdefault(account_id, asyncio.Lock())

    async def check(self, account_id: int) -> AccountHealth:
        """The cheap check: `/v2/account` (and the Google Flow accounts), or a Wordbee sign-in."""
        account = await self._account(account_id)
        now = datetime.now(UTC)
        try:
            if account.kind is AccountKind.USEAPI:
                return await self._check_useapi(account_id, now)
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

    async def _check_useapi(self, account_id: int, now: datetime) -> AccountHealth:
        clients = await self.useapi(account_id)
        owner = await clients.connection.account()
        flow = await clients.google_flow.accounts()
        try:
            runway = tuple(await clients.runway.accounts())
        except AssetDeskError as error:  # the token's health is known; Runway's list is extra
            log.warning("listing the Runway accounts failed: %s", error.message)
            runway = ()
        details = tuple(f"{a.email}: {'OK' if a.healthy else (a.error or a.health)}" for a in flow)
        states = tuple(flow_account_state(a) for a in flow)
        who = f" as {owner.email}" if owner.email else ""
        sick = [a for a in flow if not a.healthy]
        if flow and len(sick) == len(flow):
            state = "reconnect"
            sentence = f"Connected{who}, but every Google Flow account needs attention."
        else:
            state = "valid"
            summary = f"{len(flow)} Google Flow account{'s' if len(flow) != 1 else ''}"
            if sick:
                summary += f", {len(sick)} needing attention"
            sentence = f"Connected{who}; {summary}."
        return AccountHealth(
            state,
            sentence,
            None,
            now,
            details,
            owner_email=owner.email,
            flow_accounts=states,
            runway_accounts=runway,
        )

    async def _close_clients(self, account_id: int) -> None:
        useapi = self._useapi.pop(account_id, None)
        wordbee = self._wordbee.pop(account_id, None)
        try:
            if wordbee is not None:
                try:
                    await wordbee.sign_out()  # end the server-side session too
                finally:
                    await wordbee.aclose()
        finally:
            if useapi is not None:
                await useapi.connection.aclose()

    async def _close_clients_quietly(self, account_id: int) -> None:
        """Close an edited account's clients; a failed Wordbee sign-out only costs a log line."""
        try:
            await self._close_clients(account_id)
        except Exception as error:  # the old session simply expires on the server
            log.warning(
                "closing the old clients of account %s failed: %s", account_id, type(error).__name__
            )

    async def aclose(self) -> None:
        """Close every client (each one even when another fails) and the database."""
        for account_id in sorted({*self._useapi, *self._wordbee}):
            try:
                await self._close_clients(account_id)
            except Exception:
                log.exception("closing the clients of account %s failed", account_id)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.to_thread(conn.close)


async def open_account_credentials(data_dir: str | None, name: str, kind: str) -> Any:
    """For the CLI's `--account NAME`: the saved account's URL and secret."""
    from assetdesk.services.scripting import UseapiCredentials, WordbeeCredentials

    paths = AppPaths.from_option(data_dir)
    if not paths.database.exists():
        raise NotFound(f"There is no saved account named “{name}” (no accounts are saved yet).")
    redactor = Redactor()
    # Choosing and probing the keyring may block forever: an abandonable thread, as for any call.
    store = await run_keyring_call(functools.partial(SecretStore, redactor=redactor))
    service = AccountsService(paths.database, store, redactor)
    try:
        found = await service.find(name)
        if found is None or found.session_only:
            raise NotFound(f"There is no saved account named “{name}”.")
        if found.kind != kind:
            raise InvalidInput(f"“{name}” is a {found.kind} account; this command needs {kind}.")
        account = await service._account(found.id)
        secret = await service._require_secret(account)
        if kind == AccountKind.USEAPI.value:
            return UseapiCredentials(account.base_url, secret)
        return WordbeeCredentials(account.base_url, account.wordbee_account_id or "", secret)
    finally:
        await service.aclose()
