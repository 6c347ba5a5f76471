"""The Library grid's thumbnail size (ui/library/tile_size.py) on the real window against the
sandbox: the slider, set_tile_size and Ctrl+= / Ctrl+- change the grid's cells, the thumbnails
are made again at the new size (from a cache keyed by the maker's size, never a small picture
stretched), and a wide window gets more columns with no blank band on the right."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window

from assetdesk.services.app import AppServices
from assetdesk.ui.library.model import AssetRole
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.thumbnail_queue import MAX_TILE, MIN_TILE, TILE
from assetdesk.ui.tasks import BackgroundTasks


def icon_side(pane: LibraryPane, asset_id: int) -> int:
    icon = pane.model.thumbnail(asset_id)
    return 0 if icon is None else icon.availableSizes()[0].width()


def columns(pane: LibraryPane) -> list[int]:
    """The left edges of the grid's columns, as it lays its tiles out."""
    lefts = {
        pane.grid.visualRect(pane.proxy.index(row, 0)).left()
        for row in range(pane.proxy.rowCount())
    }
    return sorted(lefts)


def test_the_tile_size_changes_the_cells_and_remakes_the_thumbnails(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1400, 900))
    pane: LibraryPane = window.library_pane
    arun(services.library.refresh())
    arun(pane.reload())
    image = next(
        pane.proxy.index(row, 0).data(AssetRole)
        for row in range(pane.proxy.rowCount())
        if pane.proxy.index(row, 0).data(AssetRole).kind == "image"
    )
    assert pane.tile_size() == TILE and pane.grid.iconSize() == QSize(TILE, TILE)
    qtbot.waitUntil(lambda: icon_side(pane, image.id) == TILE, timeout=15_000)
    small_cell = pane.grid.gridSize()

    pane.set_tile_size(MAX_TILE)
    assert pane.tile_sizes.slider.value() == MAX_TILE
    assert pane.grid.iconSize() == QSize(MAX_TILE, MAX_TILE)
    assert pane.grid.gridSize().height() > small_cell.height()
    assert pane.grid.gridSize().width() >= MAX_TILE + 36
    assert not pane.zoom_in_action.isEnabled() and pane.zoom_out_action.isEnabled()
    # Made again at the new size, from a picture made at that size (the cache is per size).
    qtbot.waitUntil(lambda: icon_side(pane, image.id) == MAX_TILE, timeout=15_000)
    made = window.library_thumbnails.cached(f"{image.provider}:{image.remote_id}@{MAX_TILE}")
    assert made is not None
    if image.width and image.height and max(image.width, image.height) >= MAX_TILE:
        assert max(made.width(), made.height()) == MAX_TILE

    # Ctrl+- with the focus in the grid: one step smaller; the slider follows.
    pane.grid.setFocus()
    QTest.keyClick(pane.grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert pane.tile_size() == MAX_TILE - 32 == pane.tile_sizes.slider.value()
    QTest.keyClick(pane.grid, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert pane.tile_size() == MAX_TILE

    # The slider, and a size out of range kept in range.
    pane.tile_sizes.slider.setValue(MIN_TILE)
    assert pane.grid.iconSize() == QSize(MIN_TILE, MIN_TILE)
    qtbot.waitUntil(lambda: icon_side(pane, image.id) == MIN_TILE, timeout=15_000)
    pane.set_tile_size(10)
    assert pane.tile_size() == MIN_TILE and not pane.zoom_out_action.isEnabled()


def test_a_wide_window_shows_more_columns_without_a_blank_band(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1000, 800))
    pane: LibraryPane = window.library_pane
    arun(services.library.refresh())
    arun(pane.reload())
    pane.set_tile_size(MIN_TILE)  # small tiles: the demo's assets fill more than a row
    narrow = columns(pane)
    window.resize(2560, 1000)
    qtbot.waitUntil(lambda: len(columns(pane)) > len(narrow), timeout=5_000)
    for _ in range(2):
        lefts = columns(pane)
        cell = pane.grid.gridSize().width()
        if len(lefts) < pane.proxy.rowCount():  # a full row: it must reach the right edge
            band = pane.grid.viewport().width() - (lefts[-1] + cell)
            assert band < cell // 4, (band, cell, lefts)
        window.resize(1900, 1000)
        qtbot.wait(50)


def test_in_the_side_preview_the_zoom_keys_zoom_the_image_not_the_thumbnails(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, (1400, 900))
    pane: LibraryPane = window.library_pane
    arun(services.library.refresh())
    arun(pane.reload())
    row = next(
        row
        for row in range(pane.proxy.rowCount())
        if pane.proxy.index(row, 0).data(AssetRole).kind == "image"
    )
    flags = pane.grid.selectionModel().SelectionFlag
    pane.grid.selectionModel().select(pane.proxy.index(row, 0), flags.ClearAndSelect | flags.Rows)
    view = pane.preview.image_view
    qtbot.waitUntil(lambda: not view.current_image().isNull(), timeout=10_000)
    fit = view.scale_factor()
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert view.scale_factor() > fit
    assert pane.tile_size() == TILE  # the image's zoom, not the grid's
    # Elsewhere in the pane (the grid), the same keys size the thumbnails.
    pane.grid.setFocus()
    QTest.keyClick(pane.grid, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert pane.tile_size() == TILE + 32
