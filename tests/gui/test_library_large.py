"""A Library larger than a screen of rows, on the real window: only what is painted is read,
select all is counted by SQLite (never read row by row), a sort and a search change the rows
listed, and the selection is kept through them."""

from __future__ import annotations

import gc
import weakref
from array import array
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import settle
from tests.helpers.main_window import Pane, open_window

from assetdesk.core.provider import Provider
from assetdesk.core.units import format_size
from assetdesk.services.app import AppServices
from assetdesk.services.library_views import AssetQuery
from assetdesk.store.db import open_database
from assetdesk.store.library import AssetDraft, LibraryStore
from assetdesk.ui.library.catalog_rows import PAGE
from assetdesk.ui.library.model import AssetRole, Column
from assetdesk.ui.library.pane import MANY_SELECTED
from assetdesk.ui.library.queried_model import FIRST_ROWS, MIN_FIRST_ROWS, QueriedModel
from assetdesk.ui.library.selection import READ_PAGE, top_index
from assetdesk.ui.library.views import asset_grid, asset_list, rows_on_screen, screen_rows_of
from assetdesk.ui.tasks import BackgroundTasks

TOTAL = 3_000


def fill(services: AppServices, numbers: range = range(TOTAL), created: str = "") -> None:
    conn = open_database(services.paths.database)
    try:
        LibraryStore(conn).add(
            [
                AssetDraft(
                    provider=Provider.RUNWAY,
                    remote_id=f"user:1-runwayml:a@b.c-asset:{n:05d}",
                    origin="listed",
                    kind="video" if n % 10 == 0 else "image",
                    name=f"render {n:05d}.png",
                    size=1000 + n,
                    created_at=created or f"2026-01-{1 + n % 28:02d}T00:00:00Z",
                )
                for n in numbers
            ]
        )
    finally:
        conn.close()


def shows(view: Any, index: Any) -> bool:
    """Whether `view` shows the item at `index` (laid out where its rect says)."""
    centre = view.visualRect(index).center()
    return view.viewport().rect().contains(centre) and view.indexAt(centre) == index


def painted(qtbot: QtBot, pane: Any) -> None:
    """The current view laid out and painted, and the rows it asked for read (what an answer
    did not bring is read as painted; a grid lays out its tiles over a few turns of the loop)."""
    view = pane.current_view
    qtbot.waitUntil(lambda: top_index(view).isValid())
    view.viewport().repaint()
    qtbot.waitUntil(lambda: not pane.model.reading_pages())


def test_a_large_library_reads_what_is_shown_and_counts_a_select_all(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any
) -> None:
    fill(services)
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    pane = window.library_pane
    arun(pane.reload())
    assert pane.model.rowCount() == TOTAL
    qtbot.wait(200)  # painted: the first screen's rows are in memory already
    # The answer brought two screens of the larger view's rows, not FIRST_ROWS.
    screens = max(MIN_FIRST_ROWS, 2 * rows_on_screen(pane.grid, pane.table))
    assert pane.model.assets_in_memory() <= screens + PAGE < FIRST_ROWS

    pane.select_all()
    qtbot.waitUntil(lambda: pane.inspector.values().get("Selected") == "3000 assets", timeout=5000)
    values = pane.inspector.values()
    assert values["Kinds"] == "2700 images, 300 videos"
    assert values["Services"] == "3000 on Runway"
    total = sum(1000 + n for n in range(TOTAL))
    assert values["Total size"] == format_size(total)
    assert pane.asset_actions.download_action.isEnabled()
    assert not pane.asset_actions.save_as_action.isEnabled()  # one asset only
    assert TOTAL > MANY_SELECTED and pane.model.assets_in_memory() <= FIRST_ROWS + PAGE

    # A reload (a refresh filing more) keeps the grid where the user scrolled to.
    pane.current_view.clearSelection()
    grid = pane.grid
    assert pane.stack.currentWidget() is grid
    qtbot.waitUntil(lambda: grid.visualRect(pane.proxy.index(TOTAL - 1, 0)).isValid())
    grid.scrollTo(pane.proxy.index(TOTAL // 2, 0), grid.ScrollHint.PositionAtTop)
    qtbot.wait(50)
    top = top_index(grid).row()
    assert TOTAL // 2 - 20 <= top <= TOTAL // 2
    top_id = pane.model.ids_of_rows([top])[0]
    arun(pane.reload())  # the same rows
    qtbot.wait(50)
    assert top_index(grid).row() == top
    fill(services, range(TOTAL, TOTAL + 7), created="2026-02-01T00:00:00Z")  # newest first
    arun(pane.reload())  # 7 rows more, above it: listed anew
    assert pane.model.rowCount() == TOTAL + 7 and pane.model.row_of(top_id) == top + 7

    def anchored() -> bool:  # the tile that was at the top is at the top again
        rect = grid.visualRect(pane.proxy.index(top + 7, 0))
        return rect.isValid() and abs(rect.top()) < grid.gridSize().height()

    qtbot.waitUntil(anchored, timeout=5000)

    # One asset picked, then a sort by name: it stays selected and current.
    pane.current_view.clearSelection()
    index = pane.proxy.index(10, 0)
    picked = index.data(AssetRole)
    pane.current_view.setCurrentIndex(index)
    assert [a.id for a in pane.selected_assets()] == [picked.id]
    pane.filter_bar.sort_combo.setCurrentIndex(int(Column.NAME))
    pane.filter_bar.descending.setChecked(False)
    settle(qtbot, pane.model)
    assert pane.proxy.index(0, Column.NAME).data() == "render 00000.png"
    total = TOTAL + 7
    assert [a.id for a in pane.selected_assets()] == [picked.id]
    assert pane.current_view.currentIndex().data(AssetRole).id == picked.id
    # The last rows are read when shown.
    last = pane.proxy.index(total - 1, Column.NAME)
    pane.current_view.scrollTo(last)
    qtbot.waitUntil(lambda: last.data() == "render 03006.png", timeout=5000)

    # A search answered by SQLite's index; the selection left out of it is no longer selected.
    pane.search.setText("der 0299")
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == 10
    assert pane.proxy.index(0, Column.NAME).data(Qt.ItemDataRole.DisplayRole) == "render 02990.png"
    kept = [picked.id] if (picked.name or "").startswith("render 0299") else []
    assert [a.id for a in pane.selected_assets()] == kept

    # Every asset selected: its ids copied (read in a worker thread), then all removed by id.
    found_first = pane.model.ids_of_rows([0])[0]
    pane.search.clear()
    settle(qtbot, pane.model)
    view = pane.current_view
    # The view goes back to what it showed (not to the top), and reads the rows it shows there.
    qtbot.waitUntil(lambda: shows(view, pane.proxy.index(pane.model.row_of(found_first), 0)))
    painted(qtbot, pane)
    in_memory = pane.model.assets_in_memory()
    pane.select_all()
    QGuiApplication.clipboard().clear()
    pane.asset_actions.copy_id_action.trigger()
    qtbot.waitUntil(
        lambda: QGuiApplication.clipboard().text().count("\n") == total - 1, timeout=5000
    )
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0] == "user:1-runwayml:a@b.c-asset:00000"  # in the views' order: by name
    assert pane.model.assets_in_memory() <= in_memory + PAGE  # read, not kept
    pane.asset_actions.remove_action.trigger()
    box = pane.asset_actions.remove_box
    assert box.text() == f"Remove {total} assets from the library?"
    next(b for b in box.buttons() if b.text() == "Remove").click()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0, timeout=10_000)
    assert arun(services.library.views.ids(AssetQuery())) == array("q")


def test_copying_the_ids_of_a_large_selection_reads_its_assets_a_page_at_a_time(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, monkeypatch: Any
) -> None:
    many = MANY_SELECTED + READ_PAGE + 7
    fill(services, range(many))
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1200, 800))
    pane = window.library_pane
    arun(pane.reload())
    pane.filter_bar.sort_combo.setCurrentIndex(int(Column.NAME))
    pane.filter_bar.descending.setChecked(False)
    settle(qtbot, pane.model)
    pane.select_all()
    # Two assets leave the catalog behind the views' back: their ids are still selected.
    gone = {f"user:1-runwayml:a@b.c-asset:{n:05d}" for n in (3, many - 1)}
    found = [arun(services.library.views.find(Provider.RUNWAY, remote_id)) for remote_id in gone]
    assert arun(services.library.remove(asset.id for asset in found if asset)) == 2
    assert pane.selection.count() == many

    asked: list[int] = []
    read_assets = pane.model.read_assets

    async def counted(asset_ids: Any) -> Any:
        asked.append(len(asset_ids))
        return await read_assets(asset_ids)

    monkeypatch.setattr(pane.model, "read_assets", counted)  # a spy: the real read goes on
    QGuiApplication.clipboard().clear()
    pane.asset_actions.copy_id_action.trigger()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() != "", timeout=5000)
    expected = [
        f"user:1-runwayml:a@b.c-asset:{n:05d}"
        for n in range(many)
        if f"user:1-runwayml:a@b.c-asset:{n:05d}" not in gone
    ]
    assert QGuiApplication.clipboard().text().splitlines() == expected
    assert asked == [READ_PAGE, READ_PAGE, READ_PAGE, many - 3 * READ_PAGE]


def test_the_model_asks_the_views_their_size_without_keeping_them(qtbot: QtBot) -> None:
    """The model asks how many rows a screen shows, and a view keeps its model: held weakly,
    model and views go with their last reference, not with a pass of the cycle collector
    (which may run on a worker thread, and Qt objects must die on the GUI thread)."""
    model = QueriedModel()
    grid, table = asset_grid(model, lambda: True), asset_list(model, lambda: True)
    model.rows_on_screen = screen_rows_of(grid, table)
    grid.resize(800, 600)
    assert model.rows_on_screen() == rows_on_screen(grid, table) > 0
    gone = [weakref.ref(model), weakref.ref(grid), weakref.ref(table)]
    gc.disable()
    try:
        del model, grid, table
        assert [ref() for ref in gone] == [None, None, None]
    finally:
        gc.enable()


def test_laying_out_the_grid_does_not_ask_the_model_for_each_tile(
    qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any, monkeypatch: Any
) -> None:
    """A grid lays out every tile after each answer and makes an index for each: the views'
    proxy makes them from its own row map, not by asking the model's rowCount in Python per
    tile (each ask takes Python's lock, and waited for it while a worker thread held it: the
    loop stalled 160 ms at 100,000 assets when a refresh's rows were parsed meanwhile)."""
    asked = [0]
    row_count = QueriedModel.rowCount

    def counted(model: QueriedModel, parent: Any = QModelIndex()) -> int:  # noqa: B008
        asked[0] += 1
        return row_count(model, parent)

    monkeypatch.setattr(QueriedModel, "rowCount", counted)  # before the model is made
    fill(services)
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1600, 1000))
    pane, grid = window.library_pane, window.library_pane.grid
    arun(pane.reload())
    qtbot.waitUntil(lambda: grid.visualRect(pane.proxy.index(TOTAL - 1, 0)).isValid())
    before = asked[0]
    pane.filter_bar.sort_combo.setCurrentIndex(int(Column.NAME))  # another answer: laid out anew
    settle(qtbot, pane.model)
    last = pane.proxy.index(TOTAL - 1, 0)
    qtbot.waitUntil(lambda: grid.visualRect(last).isValid())  # every tile laid out
    assert pane.proxy.index(0, Column.NAME).data() == "render 02999.png"  # by name, Z to A
    assert 0 < asked[0] - before < TOTAL // 10
