"""What the Library's views list, answered by SQLite: filters, the trigram search kept in step
with the catalog by triggers, every order, and migration 7 over an existing catalog."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assetdesk.core.provider import Provider
from assetdesk.store.db import MIGRATIONS, open_database, transaction
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.store.library_query import (
    SORTS,
    AssetQuery,
    Totals,
    matching_ids,
    matching_within,
    totals,
)
from assetdesk.store.search_index import has_search_index


def draft(number: int, **fields: object) -> AssetDraft:
    values: dict[str, object] = {
        "provider": Provider.RUNWAY,
        "remote_id": f"asset-{number:04d}-{'abcdef'[number % 6]}",
        "origin": "listed",
        "kind": "image",
        "name": f"Picture {number:04d}.png",
        "size": number * 10,
        "account_id": None,
        "created_at": f"2026-01-01T00:{number % 60:02d}:00+00:00",
    }
    values.update(fields)
    return AssetDraft(**values)  # type: ignore[arg-type]


def names(conn: object, query: AssetQuery) -> list[str | None]:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    ids = list(matching_ids(conn, query))  # type: ignore[arg-type]
    found = store.many(ids)
    return [found[i].name for i in ids]


@pytest.fixture
def conn(tmp_path: Path):  # type: ignore[no-untyped-def]
    connection = open_database(tmp_path / "catalog.sqlite")
    yield connection
    connection.close()


def test_search_is_a_case_folded_substring_of_name_id_or_prompt(conn: object) -> None:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    store.add(
        [
            draft(1, name="Neon City.png", prompt="a rainy street at night"),
            draft(2, name="Forest.jpg", prompt="Morning MIST over pines"),
            draft(3, name="Café crème.png", remote_id="xyz-ÉTÉ-42"),
            draft(4, name=None, remote_id="ffeedd0011", prompt=None),
            draft(5, name='say "hi" there.png'),
        ]
    )

    def found(text: str) -> set[str | None]:
        return set(names(conn, AssetQuery(text=text)))

    assert found("eon cit") == {"Neon City.png"}  # the middle of words, across a space
    assert found("NEON") == {"Neon City.png"}
    assert found("mist over") == {"Forest.jpg"}  # the prompt
    assert found("dd001") == {None}  # the id of an unnamed asset
    assert found("café") == {"Café crème.png"}
    assert found("été-4") == {"Café crème.png"}  # non-ASCII case folding in the index
    assert found('"hi"') == {'say "hi" there.png'}  # quotes are text, not query syntax
    assert found("Fo") == {"Forest.jpg"}  # under three characters: a word of a name begins so
    assert found("ci") == {"Neon City.png"}
    assert found("eo") == set()  # not at a word's start
    assert found("cr") == {"Café crème.png"}
    assert found("zz") == set()
    for odd in ('"', "*", "-", "a*", "(", "^", ":", "''"):  # query syntax is text
        names(conn, AssetQuery(text=odd))
        names(conn, AssetQuery(text=odd * 3))
    assert len(names(conn, AssetQuery(text="   "))) == 5  # blank: everything


def test_the_index_follows_inserts_renames_and_deletes(conn: object) -> None:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    stored = store.add([draft(1, name="Sunset.png"), draft(2, name="Harbour.png")])
    first = stored.assets[0]
    assert names(conn, AssetQuery(text="sunset")) == ["Sunset.png"]
    with transaction(conn):  # type: ignore[arg-type]
        conn.execute("UPDATE assets SET name = 'Dawn.png' WHERE id = ?", (first.id,))  # type: ignore[attr-defined]
    assert names(conn, AssetQuery(text="sunset")) == []
    assert names(conn, AssetQuery(text="dawn")) == ["Dawn.png"]
    store.remove([first.id])
    assert names(conn, AssetQuery(text="dawn")) == []
    assert names(conn, AssetQuery(text="harbour")) == ["Harbour.png"]


def test_filters_places_gone_and_origin(conn: object) -> None:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    store.add(
        [
            draft(1, name="a.png", provider=Provider.GOOGLE_FLOW, project_id="p1", uploaded=True),
            draft(2, name="b.mp4", kind="video", provider=Provider.GOOGLE_FLOW, uploaded=False),
            draft(3, name="c.bin", kind=None, account_id=None),
            draft(4, name="d.png", account_id=None),
        ]
    )
    with transaction(conn):  # type: ignore[arg-type]
        conn.execute("UPDATE assets SET gone_at = '2026-12-01' WHERE name = 'd.png'")  # type: ignore[attr-defined]
    by_name = AssetQuery(sort="name", descending=False)
    assert names(conn, by_name) == ["a.png", "b.mp4", "c.bin", "d.png"]
    flow = AssetQuery(provider=Provider.GOOGLE_FLOW, sort="name", descending=False)
    assert names(conn, flow) == ["a.png", "b.mp4"]
    other = AssetQuery(kind="other")
    assert names(conn, other) == ["c.bin"]  # no kind counts as 'other'
    no_project = AssetQuery(place=(("provider", "google-flow"), ("project_id", None)))
    assert names(conn, no_project) == ["b.mp4"]
    assert names(conn, AssetQuery(place=(("project_id", "p1"),))) == ["a.png"]
    assert "d.png" not in names(conn, AssetQuery(show_gone=False))
    assert names(conn, AssetQuery(uploaded=True)) == ["a.png"]
    assert names(conn, AssetQuery(uploaded=False)) == ["b.mp4"]
    with pytest.raises(ValueError, match="no asset field"):
        AssetQuery(place=(("name; DROP TABLE assets", 1),)).where()


def test_a_search_within_a_known_answer_lists_what_sqlite_would(conn: object) -> None:
    """A search typed over a list already answered keeps the index's matches in that list's
    order: the same ids, in the same order, as SQLite's own answer, for every length of text,
    with filters, in every order."""
    store = LibraryStore(conn)  # type: ignore[arg-type]
    store.add(
        [
            draft(
                n,
                name=f"{['Neon', 'Forest', 'Fog', 'neon fog'][n % 4]} {n:03d}.png",
                kind="video" if n % 5 == 0 else "image",
                size=(n % 7) * 10,
                prompt="a fox at dawn" if n % 3 == 0 else None,
            )
            for n in range(1, 120)
        ]
    )
    texts = ["f", "fo", "fox", "neon", "NEON FO", "03", "zzz", '"', " fog "]
    bases = [
        AssetQuery(),
        AssetQuery(kind="video", sort="name", descending=False),
        AssetQuery(sort="size"),
        AssetQuery(sort="size", descending=False),
    ]
    for base in bases:
        within = matching_ids(conn, base)  # type: ignore[arg-type]
        for text in texts:
            query = replace(base, text=text)
            expected = list(matching_ids(conn, query))  # type: ignore[arg-type]
            assert list(matching_within(conn, query, within)) == expected, (base, text)  # type: ignore[arg-type]
    assert (
        len(matching_within(conn, AssetQuery(text="fox"), matching_ids(conn, AssetQuery()))) == 39
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_every_order_both_ways_with_ties_newest_first(conn: object, sort: str) -> None:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    store.add([draft(n, size=(n % 3) * 100, width=n, height=2) for n in range(1, 10)])
    down = list(matching_ids(conn, AssetQuery(sort=sort, descending=True)))  # type: ignore[arg-type]
    up = list(matching_ids(conn, AssetQuery(sort=sort, descending=False)))  # type: ignore[arg-type]
    assert sorted(down) == sorted(up) == list(range(1, 10))
    assert up == down[::-1]  # flipping the order reverses the list, its ties too
    if sort == "size":
        sizes = [store.get(i).size for i in down]  # type: ignore[union-attr]
        assert sizes == sorted(sizes, reverse=True)
        assert down[:3] == [8, 5, 2]  # equal sizes: the newest added (the highest id) first
    if sort == "name":
        assert up == list(range(1, 10))
        assert down == list(range(9, 0, -1))


def test_an_existing_catalog_is_indexed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite"
    old = open_database(path, migrations=MIGRATIONS[:6])
    LibraryStore(old).add([draft(1, name="Old lighthouse.png"), draft(2, name="Pier.png")])
    assert not has_search_index(old)
    old.close()
    conn = open_database(path)
    assert has_search_index(conn)
    assert names(conn, AssetQuery(text="lighthouse")) == ["Old lighthouse.png"]
    assert names(conn, AssetQuery(text="pi")) == ["Pier.png"]
    assert names(conn, AssetQuery(sort="name", descending=False)) == [
        "Old lighthouse.png",
        "Pier.png",
    ]
    conn.close()


def test_without_the_search_indexes_a_search_scans_the_rows(conn: object) -> None:
    """A catalog as an SQLite without FTS5 leaves it (some Python builds lack FTS5): the
    indexes and their triggers are not there, and searches still answer."""
    store = LibraryStore(conn)  # type: ignore[arg-type]
    with transaction(conn):  # type: ignore[arg-type]
        for trigger in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER assets_fts_{trigger}")  # type: ignore[attr-defined]
        conn.execute("DROP TABLE assets_fts")  # type: ignore[attr-defined]
        conn.execute("DROP TABLE assets_words")  # type: ignore[attr-defined]
    assert not has_search_index(conn)  # type: ignore[arg-type]
    store.add([draft(1, name="Neon City.png", prompt="rain"), draft(2, name="Forest.jpg")])
    assert names(conn, AssetQuery(text="eon ci")) == ["Neon City.png"]
    assert names(conn, AssetQuery(text="RAIN")) == ["Neon City.png"]
    assert names(conn, AssetQuery(text="t")) == ["Forest.jpg", "Neon City.png"]


def test_totals_of_a_selection_counted_by_sqlite_match_those_counted_in_python(
    conn: object,
) -> None:
    store = LibraryStore(conn)  # type: ignore[arg-type]
    stored = store.add(
        [
            draft(n, kind=("image", "video", None)[n % 3], size=None if n % 4 == 0 else n)
            for n in range(1, 1201)
        ]
    )
    with transaction(conn):  # type: ignore[arg-type]
        conn.execute("UPDATE assets SET gone_at = 'x' WHERE id % 5 = 0")  # type: ignore[attr-defined]
    ids = [asset.id for asset in stored.assets][:600]  # over two IN chunks
    counted = totals(conn, ids)  # type: ignore[arg-type]
    assert counted == Totals.of(list(store.many(ids).values()))
    assert counted.count == 600 and counted.kinds == {"image": 200, "video": 200, "other": 200}
    assert counted.unsized == 150 and counted.gone == 120


@pytest.mark.parametrize("sort", ["date", "name"])
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("kind", [None, "image"])
def test_the_orders_by_date_and_name_are_read_from_their_index_alone(
    conn: object, sort: str, descending: bool, kind: str | None
) -> None:
    """No sort in a temporary B-tree, not even of the runs of equal keys: at 100,000 assets
    listed at once that sort took two thirds of the answer's time (migration 8)."""
    query = AssetQuery(sort=sort, descending=descending, kind=kind)
    sql, args = query.sql()
    plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]  # type: ignore[attr-defined]
    assert plan == [f"SCAN assets USING INDEX assets_{sort}"]
