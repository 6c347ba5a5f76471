"""The Library's model on its own, over a real SQLite catalog: the order and filters SQLite
answers, rows read a page at a time as a view paints them, memory bounds, and a search typed
faster than it is answered."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPixmap
from pytestqt.qtbot import QtBot

from assetdesk.core.provider import Provider
from assetdesk.services import library_views
from assetdesk.services.library_views import AssetQuery, CatalogViews
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.ui.library import queried_model
from assetdesk.ui.library.catalog_rows import PAGE
from assetdesk.ui.library.model import AssetRole, Column, LibraryModel
from assetdesk.ui.library.place_filter import PlaceFilter
from assetdesk.ui.library.queried_model import FIRST_ROWS
from assetdesk.ui.tasks import BackgroundTasks


def draft(number: int, *, size: int = 0) -> AssetDraft:
    return AssetDraft(
        provider=Provider.RUNWAY,
        remote_id=f"user:1-runwayml:a@b.c-asset:{number:05d}",
        origin="listed",
        kind="image",
        name=f"picture {number:05d}.png",
        mime="image/png",
        size=size,
        account_id=None,
        account_email="a@b.c",
        created_at=f"2026-01-01T00:{number % 60:02d}:00Z",
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[tuple[LibraryStore, CatalogViews]]:
    path = tmp_path / "catalog.sqlite"
    conn = open_database(path)
    views = CatalogViews(path)
    yield LibraryStore(conn), views
    views.close()
    conn.close()


def attached(views: CatalogViews, tasks: BackgroundTasks, arun: Any) -> LibraryModel:
    model = LibraryModel()
    model.attach(views, lambda coro, name: tasks.spawn(coro, name=name) and None)
    arun(model.requery())
    return model


def pixmap() -> QPixmap:
    made = QPixmap(8, 8)
    made.fill(QColor("teal"))
    return made


def names(proxy: Any) -> list[str]:
    return [str(proxy.index(r, Column.NAME).data()) for r in range(proxy.rowCount())]


def test_thumbnails_in_memory_are_bounded_and_asked_again(
    qapp: Any, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    store.add([draft(n) for n in range(1, 6)])
    model = attached(views, tasks, arun)
    model.max_thumbnails = 3
    wanted: list[int] = []
    model.want_thumbnail = lambda a: wanted.append(a.id)
    for row in range(5):  # every row painted once: each thumbnail asked for once
        model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
    assert sorted(wanted) == [1, 2, 3, 4, 5]
    for number in (1, 2, 3):
        model.set_thumbnail(number, pixmap())
    model.index(model.row_of(1), 0).data(Qt.ItemDataRole.DecorationRole)  # 1 painted again
    model.set_thumbnail(4, pixmap())
    model.set_thumbnail(5, pixmap())
    assert model.thumbnails_made() == 3
    assert [n for n in range(1, 6) if model.thumbnail(n) is not None] == [1, 4, 5]
    wanted.clear()
    model.index(model.row_of(2), 0).data(Qt.ItemDataRole.DecorationRole)
    assert wanted == [2]  # dropped ones are made again (from the disk cache) when painted


def test_sqlite_orders_and_filters_what_the_views_list(
    qapp: Any, qtbot: QtBot, qtmodeltester: Any, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    store.add([draft(n, size=n * 10 % 70) for n in range(1, 8)])
    model = attached(views, tasks, arun)
    proxy = PlaceFilter()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    with qtbot.waitSignal(model.rows_settled):
        proxy.sort(Column.SIZE, Qt.SortOrder.DescendingOrder)
    sizes = [proxy.index(r, 0).data(AssetRole).size for r in range(7)]
    assert sizes == sorted(sizes, reverse=True)
    with qtbot.waitSignal(model.rows_settled):
        proxy.set_filters(text="picture 000")
    assert sorted(names(proxy)) == [f"picture 0000{n}.png" for n in range(1, 8)]
    with qtbot.waitSignal(model.rows_settled):
        proxy.set_filters(text="0003")
    assert names(proxy) == ["picture 00003.png"]
    with qtbot.waitSignal(model.rows_settled):
        proxy.set_filters(kind="video")
    assert proxy.rowCount() == 0


def test_rows_are_read_a_page_at_a_time_as_a_view_paints_them(
    qapp: Any, qtbot: QtBot, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    total = FIRST_ROWS + 3 * PAGE
    store.add([draft(n) for n in range(1, total + 1)])
    model = attached(views, tasks, arun)
    assert model.rowCount() == total
    assert model.assets_in_memory() == FIRST_ROWS  # the first rows come with the answer
    far = model.index(total - 1, Column.NAME)  # newest first by date, then by id
    assert far.data() is None  # not read yet: blank, and its page asked for
    changed: list[int] = []
    model.dataChanged.connect(lambda top, bottom, *_: changed.extend((top.row(), bottom.row())))
    qtbot.waitUntil(lambda: far.data() is not None, timeout=5_000)
    expected = model.ids_of_rows([total - 1])[0]
    assert far.data(AssetRole).id == expected
    assert far.data() == f"picture {far.data(AssetRole).id:05d}.png"
    assert total - 1 in range(min(changed), max(changed) + 1)  # the views were told
    assert model.assets_in_memory() == FIRST_ROWS + PAGE  # one page, not the rest


def test_memory_holds_a_bounded_number_of_assets_however_far_one_scrolls(
    qapp: Any, qtbot: QtBot, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    store.add([draft(n) for n in range(1, 2001)])
    model = attached(views, tasks, arun)
    model.limit_memory(700)
    for row in range(0, 2000, PAGE):  # a view scrolled from top to bottom, a page at a time
        index = model.index(row, 0)
        if index.data() is None:
            qtbot.waitUntil(lambda index=index: index.data() is not None, timeout=5_000)
        assert model.assets_in_memory() <= 700
    # The assets a selection names are read at once, whether painted or not.
    rows = [0, 1, 1999]
    assert [a.id for a in model.assets_of_rows(rows)] == model.ids_of_rows(rows)


def test_a_search_typed_faster_than_answered_ends_on_the_last_text(
    qapp: Any, qtbot: QtBot, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    store.add([draft(n) for n in range(1, 301)])
    model = attached(views, tasks, arun)
    proxy = PlaceFilter()
    proxy.setSourceModel(model)
    settled: list[int] = []
    model.rows_settled.connect(lambda: settled.append(model.rowCount()))
    for typed in ("p", "pi", "pic", "pict", "00", "002", "0025"):
        proxy.set_filters(text=typed)
    qtbot.waitUntil(lambda: model.settled, timeout=5_000)
    assert sorted(names(proxy)) == ["picture 00025.png"] + [
        f"picture 0025{n}.png" for n in range(10)
    ]
    assert settled[-1] == 11
    assert len(settled) < 7  # the texts typed meanwhile were not each answered and shown


def test_a_page_read_meanwhile_is_read_again_once_forgotten(
    qapp: Any, qtbot: QtBot, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    total = FIRST_ROWS + 2 * PAGE
    store.add([draft(n) for n in range(1, total + 1)])
    model = attached(views, tasks, arun)
    far = model.index(total - PAGE, Column.NAME)  # the first row of the last page
    assert far.data() is None  # its page asked for...
    page = range(total - PAGE, total)
    assert len(model.assets_of_rows(page)) == PAGE  # ...and read at once before that read ran
    qtbot.wait(50)  # the page's own read finds nothing left to read
    model.limit_memory(10)  # the least recently used forgotten: that row among them
    model.limit_memory(20_000)
    assert far.data() is None
    qtbot.waitUntil(lambda: far.data() is not None, timeout=5_000)  # asked for and read again


def test_assets_in_memory_serve_other_orders_until_the_catalog_changes(
    qapp: Any,
    qtbot: QtBot,
    catalog: Any,
    tasks: BackgroundTasks,
    arun: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    store, views = catalog
    store.add([draft(n) for n in range(1, 301)])
    model = attached(views, tasks, arun)
    read: list[int] = []
    many = LibraryStore.many

    def counted(self: LibraryStore, asset_ids: Any) -> Any:  # the real read, counted
        read.extend(asset_ids)
        return many(self, asset_ids)

    monkeypatch.setattr(LibraryStore, "many", counted)
    newest_first = model.ids_of_rows(range(300))
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.settled, timeout=5_000)
    assert model.ids_of_rows(range(3)) == [1, 2, 3]
    assert read == []  # another order of the same assets: none read again
    assert model.index(0, Column.NAME).data() == "picture 00001.png"

    # The catalog changes: what is in memory is read again with the next answer.
    with sqlite3.connect(tmp_path / "catalog.sqlite") as writer:  # as a refresh's rename
        writer.execute("UPDATE assets SET name = 'a renamed.png' WHERE id = 1")
    writer.close()
    arun(model.requery())
    assert 1 in read
    assert model.index(0, Column.NAME).data() == "a renamed.png"
    assert sorted(model.ids_of_rows(range(300))) == sorted(newest_first)


def test_rows_are_found_by_scanning_until_many_are_asked_then_by_a_map(
    qapp: Any, catalog: Any, tasks: BackgroundTasks, arun: Any
) -> None:
    store, views = catalog
    store.add([draft(n) for n in range(1, 1001)])
    model = attached(views, tasks, arun)
    ids = model.ids_of_rows(range(1000))
    asked = [ids[999], ids[0], 424242, *ids[500:520]]  # past SCANS_BEFORE_MAP lookups
    assert [model.row_of(asset_id) for asset_id in asked] == [999, 0, -1, *range(500, 520)]


def test_answers_are_kept_within_a_budget_and_a_search_keeps_a_known_lists_order(
    qapp: Any,
    qtbot: QtBot,
    catalog: Any,
    tasks: BackgroundTasks,
    arun: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A filter set back is answered from memory, however many searches came between (the
    answers kept are bounded by their ids in all); a search over a list already answered keeps
    the search index's matches in that list's order instead of asking SQLite to walk it."""
    store, views = catalog
    store.add([draft(n) for n in range(1, 301)])
    model = attached(views, tasks, arun)
    walked: list[AssetQuery] = []
    within: list[AssetQuery] = []
    scan, keep = library_views.matching_ids, library_views.matching_within

    def scanned(conn: Any, query: AssetQuery) -> Any:  # the real queries, noted
        walked.append(query)
        return scan(conn, query)

    def kept(conn: Any, query: AssetQuery, ids: Any) -> Any:
        within.append(query)
        return keep(conn, query, ids)

    monkeypatch.setattr(library_views, "matching_ids", scanned)
    monkeypatch.setattr(library_views, "matching_within", kept)

    def ask(query: AssetQuery) -> list[int]:
        model.set_query(query)
        qtbot.waitUntil(lambda: model.settled, timeout=5_000)
        return model.ids_of_rows(range(model.rowCount()))

    everything = ask(AssetQuery())  # answered by the requery: kept
    for n in range(1, 30):  # more searches than KEPT_ANSWERS used to keep (12)
        assert ask(AssetQuery(text=f"{n:05d}")) == [n]
    assert walked == [] and len(within) == 29
    assert ask(AssetQuery()) == everything  # from memory
    assert walked == []

    monkeypatch.setattr(queried_model, "KEPT_IDS", 350)  # room for one list of 300 and a few
    by_name = ask(AssetQuery(sort="name", descending=False))
    assert by_name == sorted(everything)
    assert ask(AssetQuery(sort="name", descending=False, text="0012")) == [12, *range(120, 130)]
    assert walked == [AssetQuery(sort="name", descending=False)]
    assert ask(AssetQuery()) == everything  # dropped for the budget: asked of SQLite again
    assert walked[-1] == AssetQuery()
