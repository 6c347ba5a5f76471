"""The Library pane against the sandbox: a video's tile says how long it plays, and the side
preview follows the selection (or clears, its player gone) when its asset is removed from the
library or filtered out."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot
from tests.helpers.library_rows import settle
from tests.helpers.main_window import Pane, open_window

from assetdesk.core.provider import Provider
from assetdesk.core.units import format_duration
from assetdesk.services.app import AppServices
from assetdesk.ui.library.model import AssetRole
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.preview import EMPTY_TEXT
from assetdesk.ui.library.views import LINE, TileDelegate
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1800, 1000)  # the Library in the middle of three panes as wide as it was alone

#: QtMultimedia without a GPU (offscreen), and the first audio output with no sound server.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "PulseAudioService: pa_context_connect")


class NameOnly(TileDelegate):
    """The tile delegate (same tile size) without the length line: what the grid drew before."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        QStyledItemDelegate.initStyleOption(self, option, index)


def tile_text(pane: LibraryPane, row: int) -> str:
    """The text the grid's delegate paints on the tile of the row (name, then a second line)."""
    option = QStyleOptionViewItem()
    index = pane.proxy.index(row, 0)
    pane.grid.itemDelegate().initStyleOption(option, index)  # type: ignore[attr-defined]
    return str(option.text).replace(LINE, "\n")  # type: ignore[attr-defined]


def drawn(pane: LibraryPane, row: int) -> tuple[QImage, QImage]:
    """The row's tile as the grid paints it, and as it paints it without a length line."""
    grid = pane.grid
    index = pane.proxy.index(row, 0)
    grid.scrollTo(index)
    rect = grid.visualRect(index)
    painted = grid.viewport().grab(rect).toImage()
    tile_delegate = grid.itemDelegate()
    grid.setItemDelegate(NameOnly(grid))
    try:
        return painted, grid.viewport().grab(rect).toImage()
    finally:
        grid.setItemDelegate(tile_delegate)


def rows_of(pane: LibraryPane, kind: str) -> list[int]:
    """The rows of the current view that list assets of that kind."""
    return [
        row
        for row in range(pane.proxy.rowCount())
        if pane.proxy.index(row, 0).data(AssetRole).kind == kind
    ]


def row_of(pane: LibraryPane, kind: str) -> int:
    rows = rows_of(pane, kind)
    assert rows, f"no {kind} listed"
    return rows[0]


def select_row(pane: LibraryPane, row: int, *, add: bool = False) -> Any:
    """Select the row as a click does (or add it to the selection as a Ctrl+click does)."""
    view = pane.current_view
    flags = view.selectionModel().SelectionFlag
    index = pane.proxy.index(row, 0)
    view.selectionModel().select(
        index, (flags.Select if add else flags.ClearAndSelect) | flags.Rows
    )
    return index.data(AssetRole)


def previewing(qtbot: QtBot, pane: LibraryPane, title: str) -> None:
    """Wait until the preview shows the image of that title."""
    qtbot.waitUntil(
        lambda: (
            pane.preview.state_text.text() == title
            and not pane.preview.image_view.current_image().isNull()
        ),
        timeout=10_000,
    )


def open_pane(qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any) -> Any:
    """The main window on its Library pane, listing the sandbox's demo assets (the window is
    returned to be held: the pane goes with it)."""
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    arun(services.library.refresh())
    arun(window.library_pane.reload())
    return window


def playing(pane: LibraryPane) -> bool:
    player = pane.preview.player
    return player is not None and player.playbackState() == QMediaPlayer.PlaybackState.PlayingState


def test_a_video_tile_shows_its_duration_and_an_image_tile_none(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_pane(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    video_row = row_of(pane, "video")
    video = pane.proxy.index(video_row, 0).data(AssetRole)
    assert video.duration_seconds  # the sandbox lists the demo clip with its length
    # The grid paints that line: the tile drawn without it differs, an image's tile does not.
    with_length, name_only = drawn(pane, video_row)
    assert with_length != name_only
    image_tile, image_name_only = drawn(pane, row_of(pane, "image"))
    assert image_tile == image_name_only
    name, length = tile_text(pane, video_row).split("\n")
    assert name == video.title
    assert length == format_duration(video.duration_seconds)
    assert length.count(":") == 1 and length.split(":")[1].isdigit()  # "0:05", not "—"
    image_row = row_of(pane, "image")
    assert tile_text(pane, image_row) == pane.proxy.index(image_row, 0).data(AssetRole).title


def test_a_filtered_out_preview_follows_the_selection_or_clears(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_pane(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    select_row(pane, row_of(pane, "video"))
    qtbot.waitUntil(lambda: playing(pane), timeout=15_000)

    # Only images listed: nothing selected is left, so the preview clears and its player goes.
    kinds = pane.filter_bar.kind_filter
    kinds.setCurrentIndex(kinds.findData("image"))
    settle(qtbot, pane.model)
    assert pane.selected_assets() == []
    assert pane.preview.player is None
    assert pane.preview.state_text.text() == EMPTY_TEXT
    assert pane.preview.image_view.current_image().isNull()

    # One image previewed, a second one added to the selection; a search that lists the second
    # alone hides the first: the preview follows the selection to the second.
    kinds.setCurrentIndex(0)
    settle(qtbot, pane.model)
    first_row, second_row = rows_of(pane, "image")[:2]
    first = select_row(pane, first_row)
    previewing(qtbot, pane, first.title)
    second = select_row(pane, second_row, add=True)
    assert pane.preview.state_text.text() == first.title  # two selected: the preview stays
    pane.search.setText(second.title)
    settle(qtbot, pane.model)
    assert first.id not in {asset.id for asset in pane.selected_assets()}
    assert [asset.id for asset in pane.selected_assets()] == [second.id]
    previewing(qtbot, pane, second.title)

    # Searched away with nothing selected left: cleared.
    pane.search.setText("no asset is called this")
    settle(qtbot, pane.model)
    assert pane.proxy.rowCount() == 0
    assert pane.preview.state_text.text() == EMPTY_TEXT
    assert pane.preview.image_view.current_image().isNull()


def test_choosing_another_service_in_the_source_tree_stops_the_video(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_pane(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    video = select_row(pane, row_of(pane, "video"))
    qtbot.waitUntil(lambda: playing(pane), timeout=15_000)
    elsewhere = next(p for p in (Provider.RUNWAY, Provider.GOOGLE_FLOW) if p != video.provider)
    pane.sources.choose((("provider", elsewhere),))
    settle(qtbot, pane.model)
    assert pane.sources.place() == (("provider", elsewhere),)  # the tree has that node
    assert arun(services.library.get(video.id)) is not None  # hidden, not removed
    assert pane.model.row_of(video.id) < 0 and pane.selected_assets() == []
    assert pane.preview.player is None
    assert pane.preview.state_text.text() == EMPTY_TEXT


def test_a_removed_preview_clears_or_follows_the_selection(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_pane(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    video = select_row(pane, row_of(pane, "video"))
    qtbot.waitUntil(lambda: playing(pane), timeout=15_000)
    arun(services.library.remove([video.id]))
    arun(pane.reload())
    assert pane.model.row_of(video.id) < 0
    assert pane.preview.player is None
    assert pane.preview.state_text.text() == EMPTY_TEXT

    first_row, second_row = rows_of(pane, "image")[:2]
    first = select_row(pane, first_row)
    previewing(qtbot, pane, first.title)
    second = select_row(pane, second_row, add=True)
    arun(services.library.remove([first.id]))
    arun(pane.reload())
    assert [asset.id for asset in pane.selected_assets()] == [second.id]
    previewing(qtbot, pane, second.title)
