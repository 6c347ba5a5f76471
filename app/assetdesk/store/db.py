"""The SQLite file: opening it the same way every time, and numbered schema migrations.

Migrations are keyed on `PRAGMA user_version`: migration N brings the schema from version N-1
to N. Each runs in one transaction with the version bump, so a failure leaves the previous
version intact. Sync code: the services call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, LocalFileError
from assetdesk.store.search_index import ensure_search_index
from assetdesk.store.sql_script import statements

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "DatabaseTooNew",
    "open_database",
    "schema_version",
    "transaction",
]

log = logging.getLogger("assetdesk.store.db")

#: Migration N (1-based) is MIGRATIONS[N-1]. Append only; never edit a released one.
#: Other parts of the store add their tables by appending here.
MIGRATIONS: tuple[str, ...] = (
    # 1: accounts. No secret column, ever: secrets live only in the OS keyring.
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: clients are cached by id
        name TEXT UNIQUE NOT NULL COLLATE NOCASE,
        kind TEXT NOT NULL CHECK (kind IN ('useapi', 'wordbee')),
        base_url TEXT NOT NULL,
        wordbee_account_id TEXT,
        default_email TEXT,
        created_at TEXT,
        updated_at TEXT
    );
    """,
    # 2: the upload queue, the asset catalog and a few app settings.
    """
    CREATE TABLE upload_queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL,                 -- the local file, absolute
        name TEXT NOT NULL,
        size INTEGER,
        mime TEXT,                          -- the real type, from the bytes; NULL when refused
        kind TEXT,
        note TEXT,                          -- "named .jpg but is really PNG; ..."
        account_id INTEGER,                 -- no foreign key: session accounts are not in SQLite
        account_name TEXT,
        email TEXT,                         -- the pinned Google account; NULL = the service picks
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'uploading', 'done', 'failed', 'cancelled', 'refused')),
        message TEXT,                       -- the sentence shown on the row when not done
        error_kind TEXT,
        service_text TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        media_generation_id TEXT,
        used_email TEXT,
        width INTEGER,
        height INTEGER,
        duration_seconds REAL,
        added_at TEXT NOT NULL,
        finished_at TEXT
    );
    CREATE INDEX upload_queue_state ON upload_queue (state);
    CREATE TABLE assets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL CHECK (provider IN ('google-flow', 'runway', 'wordbee')),
        remote_id TEXT NOT NULL,            -- mediaGenerationId, Runway assetId, Wordbee reference
        kind TEXT,
        name TEXT,
        mime TEXT,
        size INTEGER,
        width INTEGER,
        height INTEGER,
        duration_seconds REAL,
        account_id INTEGER,
        account_email TEXT,
        source_path TEXT,                   -- the local file it was uploaded from
        origin TEXT NOT NULL CHECK (origin IN ('upload', 'listed', 'pasted')),
        created_at TEXT,                    -- the service's time
        added_at TEXT NOT NULL,
        UNIQUE (provider, remote_id)
    );
    CREATE TABLE settings (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: the library: where a Wordbee asset lives, the last downloaded copy, and indexes for the
    # pane's filters and its newest-first order. Signed URLs are never stored: they expire.
    """
    ALTER TABLE assets ADD COLUMN scope TEXT;          -- Wordbee: pr{n}, jbs{n} or jbc{n}
    ALTER TABLE assets ADD COLUMN segment_id INTEGER;  -- Wordbee
    ALTER TABLE assets ADD COLUMN locale TEXT;         -- Wordbee
    ALTER TABLE assets ADD COLUMN relative_path TEXT;  -- Wordbee
    ALTER TABLE assets ADD COLUMN local_path TEXT;     -- the last downloaded copy
    CREATE INDEX assets_provider_kind ON assets (provider, kind);
    CREATE INDEX assets_added_at ON assets (added_at);
    """,
    # 4: the whole library, refreshed from the services: where an asset lives (the Google Flow
    # project), what the service says of it (an upload or a generation, and the prompt, model and
    # seed it was made with), and whether the last refresh still found it. A refresh never
    # deletes a row: an asset it no longer lists gets `gone_at` until the user clears it.
    """
    ALTER TABLE assets ADD COLUMN project_id TEXT;     -- Google Flow projectId
    ALTER TABLE assets ADD COLUMN uploaded INTEGER     -- 1 upload, 0 generated, NULL not said
        CHECK (uploaded IN (0, 1));
    ALTER TABLE assets ADD COLUMN prompt TEXT;
    ALTER TABLE assets ADD COLUMN model TEXT;
    ALTER TABLE assets ADD COLUMN seed INTEGER;
    ALTER TABLE assets ADD COLUMN task_id TEXT;        -- Runway taskId, Google Flow jobId
    ALTER TABLE assets ADD COLUMN gone_at TEXT;        -- NULL while the service still lists it
    ALTER TABLE assets ADD COLUMN seen_at TEXT;        -- the refresh that last listed a change
    CREATE INDEX assets_source ON assets (provider, account_id, account_email, project_id);
    CREATE INDEX assets_gone ON assets (gone_at) WHERE gone_at IS NOT NULL;
    """,
    # 5: uploads to every service. A queued file names its target (the provider; for Wordbee the
    # scope, segment, locale and folder), `remote_id` is the id the service gave (it was
    # media_generation_id), and a state 'unknown' holds an upload whose answer was lost (`sent_at`
    # says the last try's whole body had gone, so a crash after it leaves the row unknown). A CHECK
    # cannot be altered in SQLite: the table is rebuilt, keeping every row, its id and the id
    # sequence (a removed row's id is not given again). Old rows are Google Flow uploads.
    """
    CREATE TABLE upload_queue_5 (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        size INTEGER,
        mime TEXT,
        kind TEXT,
        note TEXT,
        provider TEXT NOT NULL DEFAULT 'google-flow'
            CHECK (provider IN ('google-flow', 'runway', 'wordbee')),
        account_id INTEGER,
        account_name TEXT,
        email TEXT,                         -- Google Flow / Runway: the pinned account
        scope TEXT,                         -- Wordbee: pr{n}
        segment_id INTEGER,                 -- Wordbee
        locale TEXT,                        -- Wordbee
        folder TEXT,                        -- Wordbee: the file's folder inside a dropped one
        relative_path TEXT,                 -- Wordbee: what is sent (the target's joined with it)
        state TEXT NOT NULL CHECK (state IN
            ('pending', 'uploading', 'done', 'failed', 'cancelled', 'refused', 'unknown')),
        message TEXT,
        error_kind TEXT,
        service_text TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        remote_id TEXT,                     -- mediaGenerationId, Runway assetId, Wordbee key
        used_email TEXT,
        width INTEGER,
        height INTEGER,
        duration_seconds REAL,
        added_at TEXT NOT NULL,
        sent_at TEXT,                       -- when the last try's whole body had gone
        finished_at TEXT
    );
    INSERT INTO upload_queue_5 (id, path, name, size, mime, kind, note, account_id,
        account_name, email, state, message, error_kind, service_text, attempts, remote_id,
        used_email, width, height, duration_seconds, added_at, finished_at)
    SELECT id, path, name, size, mime, kind, note, account_id, account_name, email, state,
        message, error_kind, service_text, attempts, media_generation_id, used_email, width,
        height, duration_seconds, added_at, finished_at
    FROM upload_queue;
    DELETE FROM sqlite_sequence WHERE name = 'upload_queue_5';
    INSERT INTO sqlite_sequence (name, seq)
        SELECT 'upload_queue_5', seq FROM sqlite_sequence WHERE name = 'upload_queue';
    DROP TABLE upload_queue;
    ALTER TABLE upload_queue_5 RENAME TO upload_queue;
    CREATE INDEX upload_queue_state ON upload_queue (state);
    """,
    # 6: the Library's downloads still to finish: a quit (or a crash) keeps them, and the next
    # start goes on from their kept `.part`.
    """
    CREATE TABLE pending_downloads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        asset_id INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
        folder TEXT NOT NULL,               -- where it goes
        filename TEXT,                      -- "Save as": exactly this name; NULL: its own name
        keep_folders INTEGER NOT NULL DEFAULT 0,
        added_at TEXT NOT NULL
    );
    """,
    # 7: a library of 100,000 assets: the Library's views ask SQLite for what they show
    # (store/library_query.py; its search indexes: store/search_index.py). The orders' keys are
    # virtual generated columns, so their indexes can answer a query alone (an expression index
    # is not read as covering by SQLite 3.40), and they carry the filters' columns: 100,000 ids
    # in order come from the index, not from the rows with their long prompts (0.6 s became
    # 0.06 s newest first, 0.29 s became 0.1 s by name).
    """
    ALTER TABLE assets ADD COLUMN sort_date TEXT
        GENERATED ALWAYS AS (coalesce(created_at, added_at)) VIRTUAL;
    ALTER TABLE assets ADD COLUMN sort_name TEXT
        GENERATED ALWAYS AS (coalesce(name, remote_id)) VIRTUAL;
    CREATE INDEX assets_date ON assets (
        sort_date, added_at, provider, kind, account_id, gone_at, uploaded
    );
    CREATE INDEX assets_name ON assets (
        sort_name COLLATE NOCASE, added_at, provider, kind, account_id, gone_at, uploaded
    );
    CREATE INDEX assets_narrow ON assets (
        provider, kind, account_id, gone_at, uploaded,
        size, width, height, duration_seconds, created_at, added_at
    );
    """,
    # 8: the orders' indexes hold the last tie-break (the id) right after `added_at`, so an
    # order is read from the index alone, either way (library_query.py flips every key with the
    # direction): SQLite sorted each run of equal keys in a temporary B-tree before, 100,000 runs
    # of one row for a library listed at once (newest first 80 ms became 28 ms, by name 82 ms
    # became 26 ms, oldest first 72 ms and A to Z 135 ms likewise).
    """
    DROP INDEX assets_date;
    DROP INDEX assets_name;
    CREATE INDEX assets_date ON assets (
        sort_date, added_at, id, provider, kind, account_id, gone_at, uploaded
    );
    CREATE INDEX assets_name ON assets (
        sort_name COLLATE NOCASE, added_at, id, provider, kind, account_id, gone_at, uploaded
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)
#: Durability: WAL with `synchronous = FULL`, so a committed transaction survives a power loss
#: as well as a crash (NORMAL would keep it through a crash but could lose the last commits to
#: a power loss). What depends on it: an upload recorded as sent in full before its last byte
#: goes (lost, the next start would send it again: a second copy on the service), a finished
#: upload filed in the catalog, a download still to finish. The cost is one fsync of the WAL
#: per commit; the app commits per item or per batch of listed assets, never per chunk.
DURABILITY = "FULL"
BUSY_TIMEOUT_MS = 5000


class DatabaseTooNew(LocalFileError):
    """The database was written by a newer AssetDesk."""


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (BEGIN IMMEDIATE: the write lock at once), committed when the block
    ends, rolled back when it raises (whatever it raises)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def open_database(
    path: Path | str,
    *,
    migrations: Sequence[str] = MIGRATIONS,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    WAL journal, foreign keys on, a busy timeout, rows as `sqlite3.Row`. By default the
    connection may be used from another thread than the one that opened it (one at a time, as
    `asyncio.to_thread` does when calls are awaited in turn).
    Raises DatabaseTooNew for a schema newer than this app, LocalFileError when the file cannot
    be opened or is not a database.
    """
    target = Path(path)
    _create_private(target)
    try:
        conn = sqlite3.connect(
            target,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=check_same_thread,
        )
    except sqlite3.Error as error:
        raise LocalFileError(f"cannot open the database {target}: {error}") from error
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        _use_wal(conn)
        conn.execute("PRAGMA synchronous = FULL")  # see DURABILITY
        _migrate(conn, target, migrations)
        if migrations is MIGRATIONS:  # the whole schema (a test may stop at an older one)
            ensure_search_index(conn)
    except AssetDeskError:
        conn.close()
        raise
    except sqlite3.DatabaseError as error:
        conn.close()
        raise LocalFileError(
            f"{target} is not an AssetDesk database or is damaged: {error}"
        ) from error
    return conn


def _create_private(target: Path) -> None:
    """A new database file is created readable by its user only (SQLite gives its -wal and
    -shm files the database's permissions): it may sit in a folder others can read."""
    try:
        descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # sqlite3.connect says what is wrong with the place, in its words
    os.close(descriptor)


def _use_wal(conn: sqlite3.Connection) -> None:
    """Put the database in WAL mode. Switching needs the whole file for an instant, and SQLite
    answers "database is locked" at once, without its busy wait, while another connection
    writes (two services opening a new database together): wait and try again meanwhile."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(0.02)


def _migrate(conn: sqlite3.Connection, target: Path, migrations: Sequence[str]) -> None:
    current = schema_version(conn)
    latest = len(migrations)
    if current > latest:
        raise DatabaseTooNew(
            f"the database {target} was made by a newer AssetDesk (schema {current}; this "
            f"version knows up to {latest}) — update AssetDesk or use another --data-dir"
        )
    for number in range(current + 1, latest + 1):
        conn.execute("BEGIN IMMEDIATE")
        if schema_version(conn) >= number:  # another connection migrated it while this one waited
            conn.execute("COMMIT")
            continue
        log.info("migrating %s to schema %d", target.name, number)
        try:
            # executescript() would commit first; run the statements one by one instead.
            for statement in statements(migrations[number - 1]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number:d}")
        except sqlite3.Error as error:
            conn.execute("ROLLBACK")
            raise LocalFileError(
                f"cannot update the database {target} to schema {number}: {error}"
            ) from error
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
