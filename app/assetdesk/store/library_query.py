"""What the Library's views show, asked of SQLite: the ids of the assets that pass the filters,
in the chosen order, and the assets of the rows a view paints.

A library of 100,000 assets is never loaded whole: a query answers with an array of ids (8
bytes each), and the views fetch the assets of the pages they paint (`LibraryStore.many`).
Filtering and sorting are SQL over the indexes of migrations 3, 4 and 7; a search of three
characters or more goes through the trigram index `assets_fts` (a substring match on the name,
the id and the prompt, case folded, as the views did in Python); a shorter one finds the names
with a word that begins with it (`assets_words`: a scan of 100,000 prompts for one letter took
0.7 s and matched nearly everything).
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

from assetdesk.core.provider import Provider
from assetdesk.store.library import Asset
from assetdesk.store.search_index import has_search_index

__all__ = ["SORTS", "AssetQuery", "PlaceCount", "Totals", "matching_ids", "place_counts", "totals"]

#: Sort keys by name; each is an SQL expression over `assets` (a NULL counts as empty or 0, as
#: the views did). Ties keep the catalog's order, the newest added first, and flipping the order
#: reverses the whole list (the ties too: every key follows the direction, so the orders'
#: indexes answer either way, migration 8).
SORTS: dict[str, str] = {
    "name": "sort_name COLLATE NOCASE",  # coalesce(name, remote_id): migration 7
    "kind": "coalesce(kind, 'other')",
    "size": "coalesce(size, 0)",
    "dimensions": "coalesce(width, 0) * coalesce(height, 0)",
    "duration": "coalesce(duration_seconds, 0)",
    "provider": "provider",
    "account": (
        "coalesce((SELECT accounts.name FROM accounts WHERE accounts.id = assets.account_id), '')"
        " || ' ' || coalesce(account_email, '') COLLATE NOCASE"
    ),
    "date": "sort_date",  # coalesce(created_at, added_at): migration 7
}
#: The columns a place of the source tree may name (`AssetQuery.place`).
_PLACE_FIELDS = frozenset(f.name for f in fields(Asset))
#: The shortest search the trigram index answers; shorter ones scan.
_TRIGRAM = 3


@dataclass(frozen=True, slots=True)
class AssetQuery:
    """The views' filters and order. `place` is the source tree's choice: asset fields that must
    hold these values (None: the field is empty); `uploaded` True for uploads, False for
    generations (an asset the service said neither of passes neither)."""

    provider: str | None = None
    kind: str | None = None  # 'image' | 'video' | 'audio' | 'other' (no kind counts as 'other')
    account_id: int | None = None
    text: str = ""
    place: tuple[tuple[str, object], ...] = ()
    show_gone: bool = True
    uploaded: bool | None = None
    sort: str = "date"
    descending: bool = True

    def where(self, indexed: bool = True) -> tuple[str, list[object]]:
        """The WHERE clause (or "") and its arguments; `indexed`: the catalog has its search
        indexes (store/search_index.py), else a search scans."""
        terms: list[str] = []
        args: list[object] = []
        if self.provider is not None:  # +: not by the provider index (it holds most rows)
            terms.append("+provider = ?")
            args.append(str(self.provider))
        if self.kind is not None:
            terms.append("coalesce(kind, 'other') = ?")
            args.append(self.kind)
        if self.account_id is not None:
            terms.append("account_id = ?")
            args.append(self.account_id)
        for name, value in self.place:
            if name not in _PLACE_FIELDS:
                raise ValueError(f"no asset field {name!r}")
            if value is None:
                terms.append(f"{name} IS NULL")
            else:
                terms.append(f"{name} = ?")
                args.append(value)
        if not self.show_gone:
            terms.append("gone_at IS NULL")
        if self.uploaded is not None:
            terms.append("uploaded = ?")
            args.append(int(self.uploaded))
        text = self.text.strip()
        if text and not indexed:
            folded = text.lower()  # ASCII case folding only
            columns = ("coalesce(name, '')", "remote_id", "coalesce(prompt, '')")
            terms.append("(" + " OR ".join(f"instr(lower({c}), ?)" for c in columns) + ")")
            args.extend([folded] * len(columns))
        elif text:
            matches, phrase = text_matches(text)
            terms.append(f"id IN ({matches})")
            args.append(phrase)
        return (" WHERE " + " AND ".join(terms) if terms else ""), args

    def sql(self, indexed: bool = True) -> tuple[str, list[object]]:
        """SELECT id ... in the chosen order."""
        where, args = self.where(indexed)
        direction = "DESC" if self.descending else "ASC"
        order = f"{SORTS[self.sort]} {direction}, added_at {direction}, id {direction}"
        return f"SELECT id FROM assets{where} ORDER BY {order}", args


def text_matches(text: str) -> tuple[str, str]:
    """The SELECT of the rowids whose search text holds `text` (stripped, not empty), and its
    one argument: three characters or more, a substring through the trigram index (one phrase);
    fewer, a word of a name that begins so (the phrase as a prefix)."""
    phrase = '"' + text.replace('"', '""') + '"'
    if len(text) >= _TRIGRAM:
        return "SELECT rowid FROM assets_fts WHERE assets_fts MATCH ?", phrase
    return "SELECT rowid FROM assets_words WHERE assets_words MATCH ?", phrase + "*"


def matching_within(conn: sqlite3.Connection, query: AssetQuery, within: array[int]) -> array[int]:
    """`matching_ids` of a search, given `within`: the ids of the same query without its text,
    in its order. The search index's matches are kept in that order: SQLite's own plan walks
    the order's index over every row, checking each against the matches (20-30 ms at 100,000
    assets on a quiet machine, for 1-2 ms of the index itself)."""
    text = query.text.strip()
    if not text or not has_search_index(conn):
        return matching_ids(conn, query)
    matches, phrase = text_matches(text)
    matched = set(_column(conn, "rowid", matches, [phrase]))
    return array("q", [asset_id for asset_id in within if asset_id in matched])


def matching_ids(conn: sqlite3.Connection, query: AssetQuery) -> array[int]:
    """The ids of the assets `query` lets through, in its order."""
    sql, args = query.sql(has_search_index(conn))
    return array("q", _column(conn, "id", sql, args))


def _column(conn: sqlite3.Connection, name: str, sql: str, args: Sequence[object]) -> list[int]:
    """Column `name` of `sql`'s rows, in their order, as one JSON array made by SQLite and
    read by `json` (C): row by row, the worker thread would take and give back Python's lock
    100,000 times, and each time wait for the window's thread (a query of 70 ms took 450 ms
    beside a busy window). An aggregate over a subquery with ORDER BY keeps its order: SQLite
    does not flatten such a subquery."""
    cursor = conn.cursor()
    cursor.row_factory = None
    (found,) = cursor.execute(f"SELECT json_group_array({name}) FROM ({sql})", args).fetchone()
    ids: list[int] = json.loads(found)
    return ids


@dataclass(frozen=True, slots=True)
class Totals:
    """A selection counted: by kind ('other' for none) and by provider, its known total size,
    how many have no size, and how many are gone."""

    count: int
    kinds: dict[str, int]
    providers: dict[str, int]
    size: int
    unsized: int
    gone: int

    @classmethod
    def of(cls, assets: Sequence[Asset]) -> Totals:
        kinds = Counter(asset.kind or "other" for asset in assets)
        providers = Counter(str(asset.provider) for asset in assets)
        sizes = [asset.size for asset in assets if asset.size is not None]
        gone = sum(1 for asset in assets if asset.gone)
        return cls(
            len(assets), dict(kinds), dict(providers), sum(sizes), len(assets) - len(sizes), gone
        )


#: Ids per `IN (...)` query when counting a selection.
_TOTALS_CHUNK = 500


def totals(conn: sqlite3.Connection, asset_ids: Sequence[int]) -> Totals:
    """`Totals` of these assets, counted by SQLite (a selection of 100,000 is never loaded)."""
    kinds: Counter[str] = Counter()
    providers: Counter[str] = Counter()
    count = size = unsized = gone = 0
    for start in range(0, len(asset_ids), _TOTALS_CHUNK):
        chunk = list(asset_ids[start : start + _TOTALS_CHUNK])
        sql = (
            "SELECT coalesce(kind, 'other'), provider, count(*), coalesce(sum(size), 0),"
            " count(*) - count(size), count(gone_at) FROM assets"
            f" WHERE id IN ({', '.join('?' for _ in chunk)}) GROUP BY 1, 2"
        )
        for kind, provider, n, total, without, gone_here in conn.execute(sql, chunk):
            kinds[kind] += n
            providers[provider] += n
            count += n
            size += total
            unsized += without
            gone += gone_here
    return Totals(count, dict(kinds), dict(providers), size, unsized, gone)


@dataclass(frozen=True, slots=True)
class PlaceCount:
    """How many assets of a selection share a service, an account and a Wordbee project, and
    how many of them are gone (what a delete's confirmation names)."""

    provider: Provider
    account_id: int | None
    account_email: str | None
    scope: str | None
    count: int
    gone: int


def place_counts(conn: sqlite3.Connection, asset_ids: Sequence[int]) -> list[PlaceCount]:
    """These assets counted per service, account and project, by one grouped query (the ids go
    in as one JSON array: a selection of 100,000 is neither loaded nor cut into chunks)."""
    sql = (
        "SELECT provider, account_id, account_email, scope, count(*), count(gone_at)"
        " FROM assets WHERE id IN (SELECT value FROM json_each(?)) GROUP BY 1, 2, 3, 4"
    )
    chosen = json.dumps(list(asset_ids))
    return [
        PlaceCount(Provider(provider), account_id, email, scope, n, gone)
        for provider, account_id, email, scope, n, gone in conn.execute(sql, (chosen,))
    ]
