"""store/db.py: real SQLite files, migrations keyed on user_version."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from assetdesk.core.errors import LocalFileError
from assetdesk.store.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    DatabaseTooNew,
    open_database,
    schema_version,
    transaction,
)
from assetdesk.store.sql_script import statements

# Column names that could hold a secret; none may exist in any table.
SECRETISH = ("token", "key", "secret", "password", "session", "credential", "auth")


def test_a_new_database_gets_the_whole_schema(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    conn = open_database(path)
    assert path.is_file()
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == len(MIGRATIONS)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "accounts" in tables
    conn.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    conn = open_database(path)
    conn.execute("INSERT INTO accounts (name, kind, base_url) VALUES ('x', 'useapi', 'https://a')")
    conn.close()
    again = open_database(path)
    assert again.execute("SELECT name FROM accounts").fetchall()[0][0] == "x"
    assert again.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    again.close()


def test_migrations_run_in_order_from_an_older_version(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path).close()
    extra = "CREATE TABLE extra (id INTEGER PRIMARY KEY);\nCREATE INDEX i ON extra(id);"
    later = (*MIGRATIONS, extra)
    conn = open_database(path, migrations=later)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(later)
    assert conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 0
    conn.close()


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path).close()
    broken = (*MIGRATIONS, "CREATE TABLE half (id INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(LocalFileError) as caught:
        open_database(path, migrations=broken)
    assert f"cannot update the database {path} to schema {len(broken)}" in str(caught.value)
    conn = open_database(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half" not in tables
    conn.close()


def test_a_newer_database_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    raw.close()
    with pytest.raises(DatabaseTooNew) as caught:
        open_database(path)
    message = str(caught.value)
    assert "newer AssetDesk" in message
    assert str(path) in message
    raw = sqlite3.connect(path)  # untouched
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 5
    raw.close()


def test_a_file_that_is_not_a_database_is_a_local_file_error(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LocalFileError) as caught:
        open_database(path)
    assert "not an AssetDesk database" in str(caught.value)


def test_no_column_could_hold_a_secret(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.sqlite3")
    tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for table in tables:
        for column in conn.execute(f"PRAGMA table_info({table})"):
            name = column[1].lower()
            assert not any(word in name for word in SECRETISH), f"{table}.{name}"
    conn.close()


def test_accounts_check_constraint(tmp_path: Path) -> None:
    conn = open_database(tmp_path / "a.sqlite3")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO accounts (name, kind, base_url) VALUES ('x', 'other', 'u')")
    conn.close()


def test_migration_4_keeps_a_version_3_catalog_and_adds_the_refresh_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.sqlite3"
    old = open_database(path, migrations=MIGRATIONS[:3])
    old.execute("INSERT INTO accounts (name, kind, base_url) VALUES ('x', 'useapi', 'https://a')")
    old.execute(
        "INSERT INTO assets (provider, remote_id, kind, name, account_id, account_email,"
        " source_path, origin, added_at, local_path)"
        " VALUES ('google-flow', 'user:1-email:6a6f40782e636f-image:a', 'image', 'cat.png', 1,"
        " 'jo@x.co', '/home/jo/cat.png', 'upload', '2026-01-01T00:00:00+00:00', '/dl/cat.png')"
    )
    old.execute(
        "INSERT INTO assets (provider, remote_id, origin, added_at, scope, segment_id, locale)"
        " VALUES ('wordbee', 'pr7/5/en//a.jpg', 'listed', '2026-01-02T00:00:00+00:00',"
        " 'pr7', 5, 'en')"
    )
    before = old.execute("SELECT * FROM assets ORDER BY id").fetchall()
    assert old.execute("PRAGMA user_version").fetchone()[0] == 3
    old.close()

    conn = open_database(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 4
    after = conn.execute("SELECT * FROM assets ORDER BY id").fetchall()
    assert [tuple(row)[: len(before[0])] for row in after] == [tuple(row) for row in before]
    added = ("project_id", "uploaded", "prompt", "model", "seed", "task_id", "gone_at", "seen_at")
    for row in after:
        assert {name: row[name] for name in added} == dict.fromkeys(added)
    assert conn.execute("SELECT name FROM accounts").fetchall()[0][0] == "x"
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"assets_source", "assets_gone"} <= indexes
    plan = " ".join(
        str(row[-1])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM assets WHERE provider = 'runway'"
            " AND account_id = 1 AND account_email = 'a@b.co'"
        )
    )
    assert "assets_source" in plan
    with pytest.raises(sqlite3.IntegrityError):  # uploaded is 0, 1 or NULL
        conn.execute("UPDATE assets SET uploaded = 2 WHERE id = 1")
    conn.close()


def test_a_transaction_commits_its_block_and_rolls_back_one_that_raises(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    conn = open_database(path)
    row = ("runway", "kept", "pasted", "2026-12-05T12:00:00Z")
    insert = "INSERT INTO assets (provider, remote_id, origin, added_at) VALUES (?, ?, ?, ?)"
    with transaction(conn):
        conn.execute(insert, row)
    with pytest.raises(KeyboardInterrupt), transaction(conn):
        conn.execute(insert, ("runway", "lost", "pasted", "2026-12-05T12:00:00Z"))
        raise KeyboardInterrupt  # not an Exception: rolled back all the same
    conn.close()
    with sqlite3.connect(path) as other:  # what another connection sees on disk
        assert other.execute("SELECT remote_id FROM assets").fetchall() == [("kept",)]


def test_migration_5_rebuilds_a_version_4_queue_keeping_rows_ids_and_the_sequence(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.sqlite3"
    old = open_database(path, migrations=MIGRATIONS[:4])
    insert = (
        "INSERT INTO upload_queue (path, name, size, mime, kind, account_id, account_name, email,"
        " state, message, attempts, media_generation_id, used_email, width, height, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    old.execute(
        insert,
        (
            "/p/cat.png",
            "cat.png",
            10,
            "image/png",
            "image",
            1,
            "Studio",
            "jo@x.co",
            "done",
            None,
            1,
            "user:1-email:6a6f40782e636f-image:a",
            "jo@x.co",
            4,
            3,
            "2026-01-01T00:00:00+00:00",
        ),
    )
    old.execute(
        insert,
        (
            "/p/dog.mp4",
            "dog.mp4",
            20,
            "video/mp4",
            "video",
            1,
            "Studio",
            None,
            "failed",
            "It failed.",
            4,
            None,
            None,
            None,
            None,
            "2026-01-02T00:00:00+00:00",
        ),
    )
    old.execute(
        insert,
        (
            "/p/gone.png",
            "gone.png",
            5,
            "image/png",
            "image",
            1,
            "Studio",
            None,
            "pending",
            None,
            0,
            None,
            None,
            None,
            None,
            "2026-01-03T00:00:00+00:00",
        ),
    )
    old.execute("DELETE FROM upload_queue WHERE id = 3")  # the sequence stays at 3
    before = old.execute("SELECT * FROM upload_queue ORDER BY id").fetchall()
    old.close()

    conn = open_database(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
    after = conn.execute("SELECT * FROM upload_queue ORDER BY id").fetchall()
    assert [row["id"] for row in after] == [1, 2]
    kept = set(before[0].keys()) - {"media_generation_id"}
    for old_row, new_row in zip(before, after, strict=True):
        assert {name: new_row[name] for name in kept} == {name: old_row[name] for name in kept}
        assert new_row["remote_id"] == old_row["media_generation_id"]
        assert new_row["provider"] == "google-flow"
        assert [new_row[name] for name in ("scope", "segment_id", "locale", "relative_path")] == [
            None
        ] * 4
    # A new row does not take the id of the one removed before the migration.
    conn.execute(
        "INSERT INTO upload_queue (path, name, state, added_at) VALUES ('/p/n', 'n', 'unknown',"
        " '2026-01-04T00:00:00+00:00')"
    )
    assert conn.execute("SELECT max(id) FROM upload_queue").fetchone()[0] == 4
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE upload_queue SET state = 'lost' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE upload_queue SET provider = 'dropbox' WHERE id = 1")
    indexes = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "upload_queue_state" in indexes
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "upload_queue_5" not in tables
    conn.close()


def test_migration_5_on_an_empty_version_4_queue(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite3"
    open_database(path, migrations=MIGRATIONS[:4]).close()
    conn = open_database(path)
    conn.execute(
        "INSERT INTO upload_queue (path, name, state, added_at) VALUES ('/p/n', 'n', 'pending',"
        " '2026-01-04T00:00:00+00:00')"
    )
    assert [tuple(r) for r in conn.execute("SELECT id, provider FROM upload_queue")] == [
        (1, "google-flow")
    ]
    conn.close()


def test_two_connections_opening_a_new_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    """The panes open the database together at a first start: one migrates, the other, which
    read version 0 before it got the write lock, finds the work done instead of failing on
    "table accounts already exists"."""
    target = tmp_path / "assetdesk.sqlite3"
    holder = sqlite3.connect(target, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")  # the second opener reads version 0, then waits on this
    opened: list[object] = []
    second = threading.Thread(target=lambda: opened.append(_open_or_error(target)))
    second.start()
    time.sleep(0.3)  # only orders the two: if the thread is late it reads the final version
    for number, script in enumerate(MIGRATIONS, start=1):
        for statement in statements(script):
            holder.execute(statement)
        holder.execute(f"PRAGMA user_version = {number:d}")
    holder.execute("COMMIT")
    second.join(timeout=30)
    holder.close()
    assert len(opened) == 1 and isinstance(opened[0], sqlite3.Connection), opened
    assert schema_version(opened[0]) == SCHEMA_VERSION
    opened[0].close()


def test_a_new_database_opened_while_another_connection_writes_waits_for_it(
    tmp_path: Path,
) -> None:
    """Switching to WAL needs the whole file, and SQLite answers "database is locked" at once
    (no busy wait) while another connection writes: the opener waits instead of failing."""
    target = tmp_path / "assetdesk.sqlite3"
    holder = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE scratch (x)")
    holder.execute("BEGIN IMMEDIATE")  # a write lock on a database not yet in WAL mode
    holder.execute("INSERT INTO scratch VALUES (1)")
    opened: list[object] = []
    second = threading.Thread(target=lambda: opened.append(_open_or_error(target)))
    second.start()
    time.sleep(0.3)  # only orders the two: a late thread finds the lock gone and opens at once
    holder.execute("COMMIT")
    second.join(timeout=30)
    holder.close()
    assert len(opened) == 1 and isinstance(opened[0], sqlite3.Connection), opened
    assert opened[0].execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    opened[0].close()


def _open_or_error(target: Path) -> object:
    try:
        return open_database(target, check_same_thread=False)
    except LocalFileError as error:
        return error


def test_a_commit_is_written_through_to_the_disk(tmp_path: Path) -> None:
    """WAL with synchronous FULL: a commit survives a power loss, not only a crash (what a
    sent-in-full record before an upload's last byte relies on)."""
    conn = open_database(tmp_path / "assetdesk.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn.close()
