"""store/accounts.py: accounts CRUD on a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from assetdesk.core.errors import InvalidInput, NotFound
from assetdesk.core.provider import AccountKind
from assetdesk.store.accounts import (
    USEAPI_BASE_URL,
    Account,
    AccountRepository,
)
from assetdesk.store.db import open_database


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "assetdesk.sqlite3"


@pytest.fixture
def conn(db_path: Path) -> Iterator[sqlite3.Connection]:
    db_path.parent.mkdir()
    connection = open_database(db_path)
    yield connection
    connection.close()


@pytest.fixture
def repo(conn: sqlite3.Connection) -> AccountRepository:
    return AccountRepository(conn)


def useapi(name: str = "Studio") -> Account:
    return Account(name=name, kind=AccountKind.USEAPI, base_url=USEAPI_BASE_URL)


def wordbee(name: str = "Localisation") -> Account:
    return Account(
        name=name,
        kind=AccountKind.WORDBEE,
        base_url="https://acme.eu.wordbee-translator.com/",
        wordbee_account_id="acme",
    )


def test_add_then_read_back_from_a_fresh_connection(repo: AccountRepository, db_path: Path) -> None:
    added = repo.add(useapi())
    assert added.id is not None
    assert added.created_at is not None
    second = open_database(db_path)
    other = AccountRepository(second)
    assert other.get(added.id) == added
    assert other.get_by_name("studio") == added  # names compare case-insensitively
    second.close()


def test_list_is_sorted_by_name(repo: AccountRepository) -> None:
    repo.add(useapi("beta"))
    repo.add(wordbee("Alpha"))
    repo.add(useapi("gamma"))
    assert [a.name for a in repo.list()] == ["Alpha", "beta", "gamma"]


def test_wordbee_url_is_normalised_and_needs_an_account_id(repo: AccountRepository) -> None:
    saved = repo.add(wordbee())
    assert saved.base_url == "https://acme.eu.wordbee-translator.com"
    with pytest.raises(InvalidInput) as caught:
        repo.add(Account("WB2", AccountKind.WORDBEE, "https://x.example.com"))
    assert "Wordbee account needs its account id" in str(caught.value)


def test_duplicate_name_is_refused_with_a_sentence(repo: AccountRepository) -> None:
    repo.add(useapi("Studio"))
    with pytest.raises(InvalidInput) as caught:
        repo.add(useapi("  STUDIO "))
    assert str(caught.value) == "an account named 'STUDIO' already exists — pick another name"
    assert len(repo.list()) == 1


def test_update_changes_fields_and_keeps_created_at(repo: AccountRepository) -> None:
    added = repo.add(useapi())
    changed = repo.update(
        Account(
            id=added.id,
            name="Renamed",
            kind=AccountKind.USEAPI,
            base_url="http://127.0.0.1:8123/",
            default_email="jo@example.com",
        )
    )
    assert (changed.name, changed.base_url, changed.default_email) == (
        "Renamed",
        "http://127.0.0.1:8123",
        "jo@example.com",
    )
    assert changed.created_at == added.created_at
    assert repo.get_by_name("Studio") is None


def test_update_to_a_taken_name_is_refused(repo: AccountRepository) -> None:
    repo.add(useapi("one"))
    two = repo.add(useapi("two"))
    with pytest.raises(InvalidInput):
        repo.update(Account("ONE", AccountKind.USEAPI, USEAPI_BASE_URL, id=two.id))


def test_remove(repo: AccountRepository) -> None:
    added = repo.add(useapi())
    assert added.id is not None
    repo.remove(added.id)
    assert repo.list() == []
    with pytest.raises(NotFound):
        repo.get(added.id)
    with pytest.raises(NotFound):
        repo.remove(added.id)


@pytest.mark.parametrize(
    ("account", "sentence"),
    [
        (Account("  ", AccountKind.USEAPI, USEAPI_BASE_URL), "needs a name"),
        (Account("x", AccountKind.USEAPI, "ftp://api.useapi.net"), "is not a web address"),
        (Account("x", AccountKind.USEAPI, "api.useapi.net"), "is not a web address"),
        (Account("x", AccountKind.USEAPI, USEAPI_BASE_URL, default_email="nope"), "'@'"),
    ],
)
def test_invalid_accounts_are_refused(
    repo: AccountRepository, account: Account, sentence: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        repo.add(account)
    assert sentence in str(caught.value)
    assert repo.list() == []


def test_nothing_secret_reaches_the_file(repo: AccountRepository, db_path: Path) -> None:
    """The repository has nowhere to put a secret; the file holds only the plain fields."""
    repo.add(wordbee())
    repo.add(useapi())
    raw = sqlite3.connect(db_path)
    columns = [row[1] for row in raw.execute("PRAGMA table_info(accounts)")]
    raw.close()
    assert columns == [
        "id",
        "name",
        "kind",
        "base_url",
        "wordbee_account_id",
        "default_email",
        "created_at",
        "updated_at",
    ]
