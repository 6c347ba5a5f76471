"""Where accounts are kept, beneath AccountsService: their fields in SQLite (one connection,
each call in a worker thread), their secrets in the keyring or in memory, the session-only choice,
and who is told when an account changes.

1. The secret store is chosen at start-up; `probe_secret_store` tries the keyring once, off the
   loop. When it cannot be used and the user chose session-only secrets in an earlier run (the
   choice is a setting in SQLite, never a secret), that choice applies again without asking.
2. `use_session_only` switches to memory for this process and remembers the choice.
3. An account id that is not there (removed, or a session-only account of an earlier run) is
   NotFound, in words (services/account_gone.py), never "account number -1".
4. Listeners (`subscribe`) hear of every account added, edited or removed, and of a change of
   the secret store (None): the upload queue lets the items that wait for a secret go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from assetdesk.core.errors import NotFound
from assetdesk.core.redact import Redactor
from assetdesk.services.account_clients import ClientPool
from assetdesk.services.account_gone import gone_account
from assetdesk.services.account_secrets import AccountSecrets
from assetdesk.store.accounts import Account, AccountRepository
from assetdesk.store.db import open_database
from assetdesk.store.secrets import KEYRING_TIMEOUT, KeyringTimeout, SecretStore

__all__ = ["AccountListener", "AccountStorage"]

log = logging.getLogger("assetdesk.services.accounts")

T = TypeVar("T")

#: Told the id of an account added, edited or removed; None when the secret store changed.
AccountListener = Callable[[int | None], None]


class AccountStorage:
    """The storage, the secret store's state and the listeners; AccountsService builds on it."""

    def __init__(
        self,
        database: Path,
        secrets: SecretStore,
        redactor: Redactor,
        *,
        keyring_timeout: float = KEYRING_TIMEOUT,
    ) -> None:
        self._database = database
        self._secrets = secrets
        self._redactor = redactor
        self._account_secrets = AccountSecrets(secrets, redactor, keyring_timeout)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._session: dict[int, Account] = {}
        #: -1, -2, ... in every run, in the order added: the sandbox's accounts come back under
        #: the same ids, so that its assets and queued items find them again.
        self._session_ids = itertools.count(-1, -1)
        self._clients = ClientPool()
        self._listeners: list[AccountListener] = []
        self._writes: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------ blocking parts, in threads

    def _repo(self) -> AccountRepository:
        if self._conn is None:
            self._conn = open_database(self._database, check_same_thread=False)
        return AccountRepository(self._conn)

    async def _db(self, call: Callable[[AccountRepository], T]) -> T:
        """`call(repository)` in a worker thread, one at a time."""

        def run() -> T:
            with self._lock:
                return call(self._repo())

        return await asyncio.to_thread(run)

    async def _account(self, account_id: int) -> Account:
        """The account; NotFound, in words, when there is none with that id."""
        if account_id in self._session:
            return self._session[account_id]
        try:
            return await self._db(lambda repo: repo.get(account_id))
        except NotFound:
            raise gone_account(account_id) from None

    # ------------------------------------------------------------ listeners

    def subscribe(self, listener: AccountListener) -> None:
        """Call `listener(account_id)` after an account is added, edited or removed, and
        `listener(None)` after the secret store changed (on the event loop's thread)."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: AccountListener) -> None:
        """Stop telling `listener` (a closed upload queue); nothing when it was not told."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _announce(self, account_id: int | None) -> None:
        for listener in list(self._listeners):
            listener(account_id)

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
        """From now on every secret (new or edited) is kept in memory for this process only;
        the choice (never a secret) is remembered, so that the next start without a keyring
        makes it again without asking.

        Account fields are still saved in SQLite, so after a restart such an account is listed
        with its secret missing.
        """
        self._secrets.use_session_only()
        self._remember_session_only()
        self._announce(None)

    def _remember_session_only(self) -> None:
        """Written in a worker thread when a loop runs (awaited by `aclose`), else at once."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            with self._lock:
                self._repo().remember_session_only()
            return
        task = loop.create_task(
            self._db(lambda repo: repo.remember_session_only()), name="accounts.session-only"
        )
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    async def probe_secret_store(self) -> None:
        """Try the keyring once, off the loop (it may block on D-Bus or an unlock prompt); when
        it cannot be used and the user chose session-only secrets before, choose them again."""
        with contextlib.suppress(KeyringTimeout):  # `call` marked the store unusable
            await self._account_secrets.call(self._secrets.probe)
        if self._secrets.available or self._secrets.session_only:
            return
        if await self._db(lambda repo: repo.session_only_chosen()):
            log.info("no usable keyring; secrets in memory, as chosen in an earlier session")
            self._secrets.use_session_only()
            self._announce(None)

    async def _close_storage(self) -> None:
        """Finish the remembered choice's write, then close the database."""
        if self._writes:
            await asyncio.wait(list(self._writes), timeout=10)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.to_thread(conn.close)
