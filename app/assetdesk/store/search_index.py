"""The catalog's search indexes: what finds an asset by a few letters of its name, id or prompt.

Two FTS5 tables over `assets` (external content: the text stays in `assets`), kept in step by
triggers: `assets_fts`, trigram, answers a search of three characters or more as a substring of
the name, the id or the prompt (case folded, as the views did in Python); `assets_words`, the
names' words with prefixes of one and two characters, answers a search of one or two characters
(the names with a word that begins with them).

Not a numbered migration: an SQLite built without FTS5 (some Python builds lack it) must still
open the catalog. `ensure_search_index` makes them when they are missing and SQLite can;
without them `has_search_index` is False and searches scan the rows (store/library_query.py).
"""

from __future__ import annotations

import logging
import sqlite3

from assetdesk.store.sql_script import statements

__all__ = ["ensure_search_index", "has_search_index"]

log = logging.getLogger("assetdesk.store.search_index")

SCRIPT = """
CREATE VIRTUAL TABLE assets_fts USING fts5(
    name, remote_id, prompt, content = 'assets', content_rowid = 'id', tokenize = 'trigram'
);
CREATE VIRTUAL TABLE assets_words USING fts5(
    name, content = 'assets', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
INSERT INTO assets_fts (assets_fts) VALUES ('rebuild');
INSERT INTO assets_words (assets_words) VALUES ('rebuild');
CREATE TRIGGER assets_fts_insert AFTER INSERT ON assets BEGIN
    INSERT INTO assets_fts (rowid, name, remote_id, prompt)
    VALUES (new.id, new.name, new.remote_id, new.prompt);
    INSERT INTO assets_words (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER assets_fts_delete AFTER DELETE ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, name, remote_id, prompt)
    VALUES ('delete', old.id, old.name, old.remote_id, old.prompt);
    INSERT INTO assets_words (assets_words, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER assets_fts_update AFTER UPDATE OF name, remote_id, prompt ON assets BEGIN
    INSERT INTO assets_fts (assets_fts, rowid, name, remote_id, prompt)
    VALUES ('delete', old.id, old.name, old.remote_id, old.prompt);
    INSERT INTO assets_fts (rowid, name, remote_id, prompt)
    VALUES (new.id, new.name, new.remote_id, new.prompt);
    INSERT INTO assets_words (assets_words, rowid, name) VALUES ('delete', old.id, old.name);
    INSERT INTO assets_words (rowid, name) VALUES (new.id, new.name);
END;
"""


def has_search_index(conn: sqlite3.Connection) -> bool:
    """Whether this catalog has its search indexes (both)."""
    found = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('assets_fts', 'assets_words')"
    ).fetchone()
    return int(found[0]) == 2


def fts5_available(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 (with the trigram tokenizer: SQLite 3.34 and later)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.fts5_probe USING fts5(x, tokenize = 'trigram')")
    except sqlite3.OperationalError:
        return False
    conn.execute("DROP TABLE temp.fts5_probe")
    return True


def ensure_search_index(conn: sqlite3.Connection) -> None:
    """Make the search indexes of a catalog that lacks them, from its rows (100,000 assets:
    ~10 s, once, in the worker thread that opens the database). Without FTS5: nothing."""
    if (
        has_search_index(conn)
        or not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'assets'").fetchone()
    ):
        return
    if not fts5_available(conn):
        log.warning("this SQLite has no FTS5: searching the library scans it")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not has_search_index(conn):  # another connection made them while this one waited
            log.info("indexing the library for searches")
            for statement in statements(SCRIPT):
                conn.execute(statement)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
