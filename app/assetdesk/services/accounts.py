"""Accounts: saved (SQLite + OS keyring) or session-only, their health, and their clients.

The panes and the CLI get accounts only through this service. Non-secret fields live in SQLite,
secrets only in the keyring (or, when there is none, in memory for this session). Every blocking
call (SQLite, keyring) runs in a worker thread, never on the event loop. Each account has one
pooled client, created on first use and reused.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    NetworkError,
    NotFound,
    SecretStoreError,
    SessionExpired,
    Throttled,
    Unauthorized,
)
from assetdesk.core.ids import check_useapi_token
from assetdesk.core.redact import Redactor
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import DEFAULT_USEAPI_URL, UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.store.accounts import Account, AccountKind, AccountRepository, validated
from assetdesk.store.db import open_database
from assetdesk.store.paths import AppPaths
from assetdesk.store.secrets import SecretStore

log = logging.getLogger("assetdesk.services.accounts")

#: The secret field each kind of account keeps in the keyring.
SECRET_FIELD = {AccountKind.USEAPI: "token", AccountKind.WORDBEE: "key"}


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
class AccountHealth:
    """The outcome of a connection test, in one sentence."""

    state: str  # valid | invalid | throttled | reconnect | unreachable | secret_missing | error
    sentence: str
    retry_at: datetime | None
    checked_at: datetime
    details: tuple[str, ...] = ()


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

    def __init__(self, database: Path, secrets: SecretStore, redactor: Redactor) -> None:
        self._database = database
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

    # ------------------------------------------------------------ queries

    @property
    def secret_store_name(self) -> str:
        return self._secrets.backend_name

    @property
    def secret_store_available(self) -> bool:
        return self._secrets.available

    async def _info(self, account: Account) -> AccountInfo:
        if account.id in self._session:
            state = "session"
        else:
            try:
                secret = await self._secret(account)
            except SecretStoreError:
                secret = None
            state = "missing" if secret is None else "stored"
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
        secret: str | None = await asyncio.to_thread(self._secrets.get, _id(account), field)
        if secret:
            self._redactor.register(secret)
        return secret

    async def _require_secret(self, account: Account) -> str:
        secret = await self._secret(account)
        if not secret:
            raise SecretStoreError(
                f"The secret of “{account.name}” is missing — enter it again in Accounts."
            )
        return secret

    # ------------------------------------------------------------ changes

    @staticmethod
    def _checked(
        *,
        name: str,
        kind: str,
        secret: str,
        base_url: str | None,
        wordbee_account_id: str | None,
        default_email: str | None = None,
        account_id: int | None = None,
    ) -> tuple[Account, str]:
        """The account as it will be kept, and its cleaned secret; InvalidInput otherwise."""
        account_kind = AccountKind(kind)
        if account_kind is AccountKind.USEAPI:
            cleaned = check_useapi_token(secret)
            url = base_url or DEFAULT_USEAPI_URL
        else:
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
        self._redactor.register(cleaned)
        account: Account = await self._db("add", draft)
        try:
            await asyncio.to_thread(
                self._secrets.set, _id(account), SECRET_FIELD[account.kind], cleaned
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
        self._redactor.register(cleaned)
        self._session[account_id] = account
        self._session_secrets[account_id] = cleaned
        return await self._info(account)

    async def remove(self, account_id: int) -> None:
        """Forget an account and delete its secrets from the keyring."""
        async with self._client_lock(account_id):  # no client of it can be made meanwhile
            await self._close_clients(account_id)
            if account_id in self._session:
                del self._session[account_id]
                self._session_secrets.pop(account_id, None)
                return
            await asyncio.to_thread(self._secrets.delete_all, account_id)
            await self._db("remove", account_id)

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
        except SecretStoreError as error:
            return AccountHealth("secret_missing", error.message, None, now)
        except AssetDeskError as error:
            return health_from_error(error, now)

    async def _check_useapi(self, account_id: int, now: datetime) -> AccountHealth:
        clients = await self.useapi(account_id)
        owner = await clients.connection.account()
        flow = await clients.google_flow.accounts()
        details = tuple(f"{a.email}: {'OK' if a.healthy else (a.error or a.health)}" for a in flow)
        who = f" as {owner.email}" if owner.email else ""
        sick = [a for a in flow if not a.healthy]
        if flow and len(sick) == len(flow):
            return AccountHealth(
                "reconnect",
                f"Connected{who}, but every Google Flow account needs attention.",
                None,
                now,
                details,
            )
        summary = f"{len(flow)} Google Flow account{'s' if len(flow) != 1 else ''}"
        if sick:
            summary += f", {len(sick)} needing attention"
        return AccountHealth("valid", f"Connected{who}; {summary}.", None, now, details)

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
    store = await asyncio.to_thread(SecretStore, redactor=redactor)
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
