"""The packed thumbnail cache: one SQLite file of small encoded images, bounded in size.

Rows are keyed by the caller's key (hashed: the name an older AssetDesk gave the key's PNG
file) and the maker's size. Bytes in, bytes out: encoding and decoding are the caller's
(ui/thumbnails.py); a blob that starts like no image format this cache writes is answered as
"not cached" and dropped.

1. Opening makes the file if needed (mode 0600, WAL, incremental auto-vacuum); a file that is
   not a usable cache is thrown away and made again (it holds only copies).
2. `get` reads through one connection per thread (WAL: readers never wait for the writer) and,
   when the row's last use is older than USED_GRANULARITY, notes the time in memory; the noted
   times are written together (`flush`), every USED_FLUSH_COUNT notes or USED_FLUSH_SECONDS,
   before an eviction and on `close`.
3. `put` writes under one lock. When the blobs pass the limit, the least recently used rows go
   in one batch until they fill EVICT_TO of it; their pages are reused by the next puts (the
   file stays about the limit's size). A lower limit (`set_limit`) also hands the freed pages
   back to the file system (incremental vacuum, WAL checkpoint).
4. `keep` takes many blobs in one transaction: the old folder of PNG files comes in that way
   (store/thumbnail_files.py).

Sync and Qt-free; the caller runs it in worker threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from assetdesk.core.errors import LocalFileError
from assetdesk.store.db import open_database, transaction
from assetdesk.store.settings import Settings

__all__ = [
    "DEFAULT_LIMIT",
    "LIMIT_SETTING",
    "PACK_FILE",
    "ThumbnailPack",
    "is_image",
    "key_name",
    "limit_in_catalog",
    "limit_setting",
    "put_limit_setting",
]

log = logging.getLogger("assetdesk.store.thumbnail_pack")

#: The pack's file name, inside the thumbnails folder (store/paths.py).
PACK_FILE = "thumbnails.sqlite"
#: The catalog setting (store/settings.py) holding the limit in bytes.
LIMIT_SETTING = "thumbnails.cache_bytes"
DEFAULT_LIMIT = 500 * 1000 * 1000
#: An eviction frees down to this share of the limit, so the next puts do not evict again.
EVICT_TO = 0.9
#: A read notes a new last use only when the row's is older than this: scrolling back and forth
#: writes nothing, and the order of eviction is kept to within these seconds.
USED_GRANULARITY = 600.0
USED_FLUSH_COUNT = 512
USED_FLUSH_SECONDS = 10.0

_MIGRATIONS = (
    """
    CREATE TABLE thumbnails (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,        -- the key's sha256, 32 hex digits (the old PNG file's name)
        size INTEGER NOT NULL,     -- the maker's size
        bytes INTEGER NOT NULL,    -- length(data), summed for the limit
        last_used REAL NOT NULL,   -- seconds since the epoch
        UNIQUE (name, size)
    );
    CREATE INDEX thumbnails_last_used ON thumbnails (last_used);
    -- Apart, because SQLite rewrites a whole row on UPDATE: a new last use then costs a small
    -- row, not the blob's pages as well.
    CREATE TABLE blobs (
        id INTEGER PRIMARY KEY,    -- thumbnails.id
        data BLOB NOT NULL         -- WebP, JPEG or PNG
    );
    """,
)

#: What a blob this cache keeps starts with.
_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF")


def key_name(key: str) -> str:
    """The stored name of `key` (the name the old cache gave its PNG file, without `.png`)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def is_image(data: bytes) -> bool:
    """Whether `data` starts as a blob this cache keeps (WebP, JPEG or PNG)."""
    if data.startswith(b"RIFF"):
        return data[8:12] == b"WEBP"
    return data.startswith(_MAGIC)


class ThumbnailPack:
    """One pack file; every method may be called from any thread."""

    def __init__(
        self,
        path: Path,
        *,
        limit: int = DEFAULT_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if limit < 0:
            raise ValueError("limit must not be negative")
        self._path = path
        self._limit = limit
        self._clock = clock
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._used_lock = threading.Lock()
        self._used: dict[tuple[str, int], float] = {}
        self._last_flush = time.monotonic()
        self._closed = False
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        conn = self._open_or_remake()
        self._stored = int(
            conn.execute("SELECT COALESCE(SUM(bytes), 0) FROM thumbnails").fetchone()[0]
        )

    @property
    def path(self) -> Path:
        return self._path

    @property
    def limit(self) -> int:
        return self._limit

    def stored_bytes(self) -> int:
        """The sum of the blobs' sizes (what the limit bounds; the file is a little larger)."""
        return self._stored

    def count(self) -> int:
        return int(self._conn().execute("SELECT COUNT(*) FROM thumbnails").fetchone()[0])

    # -- reading and writing ------------------------------------------------------------------

    def get(self, key: str, size: int) -> bytes | None:
        """The blob kept for `key` at `size`, or None; its last use is noted (written later)."""
        name = key_name(key)
        try:
            row = (
                self._conn()
                .execute(
                    "SELECT data, last_used FROM thumbnails JOIN blobs USING (id)"
                    " WHERE name = ? AND size = ?",
                    (name, size),
                )
                .fetchone()
            )
        except sqlite3.DatabaseError as error:
            log.warning("could not read the thumbnail cache: %s", error)
            return None
        if row is None:
            return None
        data = bytes(row[0])
        if not is_image(data):
            log.info("dropping a damaged thumbnail from the cache")
            self.drop(key, size)
            return None
        now = self._clock()
        if now - float(row[1]) < USED_GRANULARITY:
            return data
        with self._used_lock:
            self._used[(name, size)] = now
            due = (
                len(self._used) >= USED_FLUSH_COUNT
                or time.monotonic() - self._last_flush >= USED_FLUSH_SECONDS
            )
        if due:
            self.flush()
        return data

    def put(self, key: str, size: int, data: bytes) -> None:
        """Keep `data` for `key` at `size` (replacing what was there), then evict if over."""
        if not is_image(data):
            raise ValueError("a thumbnail is kept as WebP, JPEG or PNG")
        self._insert([(key_name(key), size, data, self._clock())])

    def drop(self, key: str, size: int) -> None:
        name = key_name(key)
        with self._write_lock:
            conn = self._conn()
            with transaction(conn):
                row = conn.execute(
                    "SELECT id, bytes FROM thumbnails WHERE name = ? AND size = ?", (name, size)
                ).fetchone()
                if row is not None:
                    conn.execute("DELETE FROM thumbnails WHERE id = ?", (row[0],))
                    conn.execute("DELETE FROM blobs WHERE id = ?", (row[0],))
            if row is not None:
                self._stored -= int(row[1])
        with self._used_lock:
            self._used.pop((name, size), None)

    def set_limit(self, limit: int) -> None:
        """A new limit, applied at once (evicting when the pack is over it)."""
        if limit < 0:
            raise ValueError("limit must not be negative")
        self._limit = limit
        with self._write_lock:
            if self._evict_if_over():
                conn = self._conn()
                # executescript runs the pragma to its end (execute frees one page per step);
                # the checkpoint moves the shrunken file out of the WAL.
                conn.executescript("PRAGMA incremental_vacuum;")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def flush(self) -> None:
        """Write the noted last-use times, in one transaction."""
        with self._used_lock:
            used, self._used = self._used, {}
            self._last_flush = time.monotonic()
        if not used:
            return
        with self._write_lock:
            self._write_used(used)

    def close(self) -> None:
        """Write what is noted and close every connection (no call may run meanwhile)."""
        if self._closed:
            return
        with contextlib.suppress(sqlite3.Error):
            self.flush()
        self._closed = True
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def keep(self, rows: list[tuple[str, int, bytes, float]]) -> None:
        """Keep several blobs in one transaction, each as (its stored name: `key_name` of its
        key, size, data, last use), then evict if over. Blobs that are no image are left out."""
        self._insert([row for row in rows if is_image(row[2])])

    # -- inside -------------------------------------------------------------------------------

    def _insert(self, rows: list[tuple[str, int, bytes, float]]) -> None:
        with self._write_lock:
            conn = self._conn()
            with transaction(conn):
                for name, size, data, used in rows:
                    old = conn.execute(
                        "SELECT id, bytes FROM thumbnails WHERE name = ? AND size = ?", (name, size)
                    ).fetchone()
                    if old is None:
                        row_id = conn.execute(
                            "INSERT INTO thumbnails (name, size, bytes, last_used)"
                            " VALUES (?, ?, ?, ?)",
                            (name, size, len(data), used),
                        ).lastrowid
                        conn.execute("INSERT INTO blobs (id, data) VALUES (?, ?)", (row_id, data))
                    else:
                        conn.execute(
                            "UPDATE thumbnails SET bytes = ?, last_used = ? WHERE id = ?",
                            (len(data), used, old[0]),
                        )
                        conn.execute("UPDATE blobs SET data = ? WHERE id = ?", (data, old[0]))
                    self._stored += len(data) - (0 if old is None else int(old[1]))
            self._evict_if_over()

    def _evict_if_over(self) -> bool:
        """Under the write lock: drop the least recently used rows down to EVICT_TO x limit.
        Whether any went."""
        if self._stored <= self._limit:
            return False
        with self._used_lock:
            used, self._used = self._used, {}
        self._write_used(used)
        goal = self._stored - int(self._limit * EVICT_TO)
        conn = self._conn()
        freed = 0
        with transaction(conn):
            doomed: list[tuple[int]] = []
            oldest_first = conn.execute("SELECT id, bytes FROM thumbnails ORDER BY last_used")
            for rowid, length in oldest_first:
                if freed >= goal:
                    break
                doomed.append((rowid,))
                freed += int(length)
            oldest_first.close()
            conn.executemany("DELETE FROM thumbnails WHERE id = ?", doomed)
            conn.executemany("DELETE FROM blobs WHERE id = ?", doomed)
        self._stored -= freed
        log.info("evicted %d thumbnails (%d bytes) from the cache", len(doomed), freed)
        return True

    def _write_used(self, used: dict[tuple[str, int], float]) -> None:
        if not used:
            return
        conn = self._conn()
        with transaction(conn):
            conn.executemany(
                "UPDATE thumbnails SET last_used = ? WHERE name = ? AND size = ?",
                [(when, name, size) for (name, size), when in used.items()],
            )

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise LocalFileError(f"the thumbnail cache {self._path} is closed")
            conn = self._connect()
        return conn

    def _connect(self) -> sqlite3.Connection:
        _create_with_incremental_vacuum(self._path)
        conn = open_database(self._path, migrations=_MIGRATIONS)
        conn.execute("PRAGMA synchronous = NORMAL")  # a cache: a lost last commit costs nothing
        self._local.conn = conn
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _open_or_remake(self) -> sqlite3.Connection:
        try:
            conn = self._connect()
            conn.execute("SELECT 1 FROM thumbnails JOIN blobs USING (id) LIMIT 1").fetchall()
            return conn
        except (LocalFileError, sqlite3.DatabaseError) as error:
            if "locked" in str(error):  # in use elsewhere, not damaged: keep it
                raise
            log.warning("making the thumbnail cache again: %s", error)
        self.close()
        self._closed = False
        for path in _files_of(self._path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        self._local = threading.local()
        return self._connect()


def _files_of(path: Path) -> Iterator[Path]:
    yield path
    for suffix in ("-wal", "-shm", "-journal"):
        yield path.with_name(path.name + suffix)


def _create_with_incremental_vacuum(path: Path) -> None:
    """A new pack file, private to its user, set to hand freed pages back on request (the
    setting only takes before the first table, and outside a transaction)."""
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:
        return  # there already, or open_database says what is wrong with the place
    os.close(descriptor)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    finally:
        conn.close()


# -- the setting ------------------------------------------------------------------------------


def limit_setting(conn: sqlite3.Connection) -> int:
    """The thumbnail cache's limit in bytes from the catalog's settings (DEFAULT_LIMIT unset)."""
    text = Settings(conn).get(LIMIT_SETTING)
    try:
        value = int(text) if text is not None else DEFAULT_LIMIT
    except ValueError:
        return DEFAULT_LIMIT
    return max(0, value)


def limit_in_catalog(database: Path) -> int:
    """`limit_setting` read from the catalog file at `database` (its own short connection)."""
    conn = open_database(database)
    try:
        return limit_setting(conn)
    finally:
        conn.close()


def put_limit_setting(conn: sqlite3.Connection, limit: int) -> None:
    if limit < 0:
        raise ValueError("limit must not be negative")
    Settings(conn).put(LIMIT_SETTING, str(limit))
