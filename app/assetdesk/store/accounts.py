"""The accounts table: names, kinds and endpoints of the user's accounts — never their secrets.

Sync code over one sqlite3 connection; the services call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from assetdesk.core.addresses import normalise_base_url
from assetdesk.core.errors import InvalidInput, NotFound
from assetdesk.core.ids import check_email
from assetdesk.core.provider import AccountKind
from assetdesk.store.settings import Settings

__all__ = [
    "DEFAULT_BASE_URLS",
    "USEAPI_BASE_URL",
    "Account",
    "AccountRepository",
]

USEAPI_BASE_URL = "https://api.useapi.net"
MAX_NAME_LENGTH = 80
#: "1" once the user chose to keep secrets for this session only (the choice, never a secret).
SESSION_ONLY_SETTING = "secrets.session_only"


#: A Wordbee base URL is the company's own site, so it has no default.
DEFAULT_BASE_URLS: dict[AccountKind, str | None] = {
    AccountKind.USEAPI: USEAPI_BASE_URL,
    AccountKind.WORDBEE: None,
}


@dataclass(frozen=True, slots=True)
class Account:
    """One saved account. `id` is None until it is added. Its secrets are in the keyring,
    under this id (see store.secrets)."""

    name: str
    kind: AccountKind
    base_url: str
    wordbee_account_id: str | None = None
    default_email: str | None = None
    id: int | None = None
    created_at: str | None = None
    updated_at: str | None = None


def validated(account: Account) -> Account:
    """The account with tidy fields; InvalidInput says what cannot be saved."""
    name = " ".join(account.name.split())
    if not name:
        raise InvalidInput("the account needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"the account name is longer than {MAX_NAME_LENGTH} characters")
    kind = AccountKind(account.kind)
    base_url = normalise_base_url(account.base_url)
    wordbee_id = (account.wordbee_account_id or "").strip() or None
    if kind is AccountKind.WORDBEE and wordbee_id is None:
        raise InvalidInput("a Wordbee account needs its account id")
    if kind is AccountKind.USEAPI:
        wordbee_id = None
    email = (account.default_email or "").strip() or None
    if email is not None:
        email = check_email(email)
    return replace(
        account, name=name, kind=kind, base_url=base_url, wordbee_account_id=wordbee_id,
        default_email=email,
    )  # fmt: skip


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _from_row(row: sqlite3.Row) -> Account:
    return Account(
        id=int(row["id"]),
        name=str(row["name"]),
        kind=AccountKind(row["kind"]),
        base_url=str(row["base_url"]),
        wordbee_account_id=row["wordbee_account_id"],
        default_email=row["default_email"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_COLUMNS = "id, name, kind, base_url, wordbee_account_id, default_email, created_at, updated_at"


class AccountRepository:
    """list / get / get_by_name / add / update / remove over the `accounts` table, and the
    session-only choice (the `settings` table)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._conn.row_factory = sqlite3.Row

    def list(self) -> list[Account]:
        """Every account, by name (case-insensitive)."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY name, id").fetchall()
        return [_from_row(row) for row in rows]

    def get(self, account_id: int) -> Account:
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM accounts WHERE id = ?", (account_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"there is no account number {account_id}")
        return _from_row(row)

    def get_by_name(self, name: str) -> Account | None:
        """The account with this name (case-insensitive), or None."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (" ".join(name.split()),)
        ).fetchone()
        return None if row is None else _from_row(row)

    def add(self, account: Account) -> Account:
        """Save a new account; returns it with its id. InvalidInput for a duplicate name."""
        clean = validated(account)
        now = _now()
        try:
            cursor = self._conn.execute(
                "INSERT INTO accounts (name, kind, base_url, wordbee_account_id, default_email,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (clean.name, clean.kind.value, clean.base_url, clean.wordbee_account_id,
                 clean.default_email, now, now),
            )  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise self._integrity(clean.name, error) from error
        assert cursor.lastrowid is not None
        return replace(clean, id=cursor.lastrowid, created_at=now, updated_at=now)

    def update(self, account: Account) -> Account:
        """Save changed fields of an existing account (matched by id)."""
        if account.id is None:
            raise InvalidInput("this account has not been saved yet")
        clean = validated(account)
        now = _now()
        try:
            cursor = self._conn.execute(
                "UPDATE accounts SET name = ?, kind = ?, base_url = ?, wordbee_account_id = ?,"
                " default_email = ?, updated_at = ? WHERE id = ?",
                (clean.name, clean.kind.value, clean.base_url, clean.wordbee_account_id,
                 clean.default_email, now, clean.id),
            )  # fmt: skip
        except sqlite3.IntegrityError as error:
            raise self._integrity(clean.name, error) from error
        if cursor.rowcount == 0:
            raise NotFound(f"there is no account number {account.id}")
        return self.get(account.id)

    def remove(self, account_id: int) -> None:
        """Delete the account's row. Its keyring secrets are the caller's to delete."""
        cursor = self._conn.execute("DELETE FROM accounts WHERE id = ?", (account_id,))
        if cursor.rowcount == 0:
            raise NotFound(f"there is no account number {account_id}")

    def session_only_chosen(self) -> bool:
        """Whether the user chose, in this run or an earlier one, to keep secrets in memory."""
        return Settings(self._conn).get(SESSION_ONLY_SETTING) == "1"

    def remember_session_only(self) -> None:
        Settings(self._conn).put(SESSION_ONLY_SETTING, "1")

    @staticmethod
    def _integrity(name: str, error: sqlite3.IntegrityError) -> InvalidInput:
        if "UNIQUE" in str(error).upper():
            return InvalidInput(f"an account named '{name}' already exists — pick another name")
        return InvalidInput(f"the account cannot be saved: {error}")
