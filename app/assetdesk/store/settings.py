"""Small named settings kept in the catalog's `settings` table (migration 2 of store/db.py):
the upload queue's concurrency, the Wordbee projects the Library follows. Sync code, called
through `asyncio.to_thread` with the rest of the store."""

from __future__ import annotations

import sqlite3

__all__ = ["Settings"]


class Settings:
    """get / put over `settings (name, value)`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, name: str) -> str | None:
        record = self._conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if record is None else str(record[0])

    def put(self, name: str, value: str) -> None:
        self._conn.execute(
            "INSERT INTO settings (name, value) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
