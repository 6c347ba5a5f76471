"""Quick Look (ui/library/quick_look.py) on the real window against the sandbox: Space on the
grid opens it over the library with the image the side preview shows, arrows move through the
rows or through a multi-selection (the library's selection follows), zoom keys work whatever
has the focus inside it, a video plays, and Space or Esc close it (its player gone)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtMultimedia import QMediaPlayer
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from tests.helpers.main_window import Pane, open_window

from assetdesk.services.app import AppServices
from assetdesk.services.library import Asset
from assetdesk.ui.library.model import AssetRole
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.library.quick_look import SHARE, QuickLook
from assetdesk.ui.tasks import BackgroundTasks

WINDOW_SIZE = (1400, 900)

#: QtMultimedia without a GPU (offscreen), and the first audio output with no sound server.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend", "PulseAudioService: pa_context_connect")

CTRL = Qt.KeyboardModifier.ControlModifier


def open_library(qtbot: QtBot, services: AppServices, tasks: BackgroundTasks, arun: Any) -> Any:
    window = open_window(qtbot, services, tasks, arun, Pane.LIBRARY, WINDOW_SIZE)
    arun(services.library.refresh())
    arun(window.library_pane.reload())
    return window


def rows(pane: LibraryPane) -> list[Asset]:
    return [pane.proxy.index(row, 0).data(AssetRole) for row in range(pane.proxy.rowCount())]


def select(pane: LibraryPane, assets: list[Asset]) -> None:
    view = pane.current_view
    flags = view.selectionModel().SelectionFlag
    view.selectionModel().clearSelection()
    for asset in assets:
        index = pane.proxy.mapFromSource(pane.model.index(pane.model.row_of(asset.id), 0))
        view.selectionModel().select(index, flags.Select | flags.Rows)
    view.selectionModel().setCurrentIndex(
        pane.proxy.mapFromSource(pane.model.index(pane.model.row_of(assets[0].id), 0)),
        flags.NoUpdate,
    )


def showing(qtbot: QtBot, look: QuickLook, asset: Asset) -> None:
    qtbot.waitUntil(
        lambda: (
            look.panel.state_text.text() == asset.title
            and not look.panel.image_view.current_image().isNull()
        ),
        timeout=10_000,
    )


def open_on_space(qtbot: QtBot, pane: LibraryPane) -> QuickLook:
    pane.grid.setFocus()
    QTest.keyClick(pane.grid, Qt.Key.Key_Space)
    look = pane.quick_look
    assert look is not None
    qtbot.waitUntil(look.isVisible)
    return look


def test_space_opens_quick_look_arrows_move_and_the_selection_follows(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    listed = rows(pane)
    first = next(n for n, a in enumerate(listed[:-1]) if {a.kind, listed[n + 1].kind} == {"image"})
    image, after = listed[first], listed[first + 1]
    select(pane, [image])
    look = open_on_space(qtbot, pane)
    showing(qtbot, look, image)
    # Over the library: 80 % of the window, centred on it.
    outer, inner = window.geometry(), look.geometry()
    assert abs(inner.width() - outer.width() * SHARE) <= 2
    assert abs(inner.height() - outer.height() * SHARE) <= 2
    assert abs(inner.center().x() - outer.center().x()) <= 2
    assert abs(inner.center().y() - outer.center().y()) <= 2
    # The same picture as the side preview, at a larger size.
    qtbot.waitUntil(lambda: not pane.preview.image_view.current_image().isNull(), timeout=10_000)
    assert look.panel.image_view.current_image() == pane.preview.image_view.current_image()

    # Right: the next row, selected in the library (the side preview follows); Left: back.
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Right)
    assert look.asset == after and pane.selected_assets() == [after]
    showing(qtbot, look, after)
    qtbot.waitUntil(lambda: pane.preview.state_text.text() == after.title, timeout=10_000)
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Up)
    assert look.asset == image and pane.selected_assets() == [image]
    showing(qtbot, look, image)

    # Space closes it; the side preview stays.
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Space)
    assert not look.isVisible()
    assert look.panel.image_view.current_image().isNull()
    # (it may still be loading the picture the selection came back to)
    qtbot.waitUntil(lambda: pane.preview.state_text.text() == image.title, timeout=10_000)


def test_arrows_move_through_a_multi_selection_and_esc_closes(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    images = [a for a in rows(pane) if a.kind == "image"]
    chosen = [images[0], images[2]]  # not neighbours: the row between is skipped
    select(pane, chosen)
    pane.quick_look_action.trigger()
    look = pane.quick_look
    assert look is not None and look.isVisible()
    showing(qtbot, look, chosen[0])
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Right)
    assert look.asset == chosen[1]
    assert pane.selected_assets() == chosen  # the selection stays; its current item moves
    assert pane.grid.currentIndex().data(AssetRole) == chosen[1]
    showing(qtbot, look, chosen[1])
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Down)  # the end: it stays
    assert look.asset == chosen[1]
    QTest.keyClick(look.panel.image_view, Qt.Key.Key_Escape)
    assert not look.isVisible()


def test_zoom_keys_work_whatever_has_the_focus_in_quick_look(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    image = max((a for a in rows(pane) if a.kind == "image"), key=lambda a: a.width or 0)
    select(pane, [image])
    look = open_on_space(qtbot, pane)
    showing(qtbot, look, image)
    view = look.panel.image_view
    fit = view.scale_factor()
    tile = pane.tile_size()
    for focus in (view, look.panel):  # the image, or the panel around it (its controls)
        focus.setFocus()
        QTest.keyClick(focus, Qt.Key.Key_Equal, CTRL)
        assert view.scale_factor() == pytest.approx(fit * 1.25)
        QTest.keyClick(focus, Qt.Key.Key_Minus, CTRL)
        assert view.scale_factor() == pytest.approx(fit)
        QTest.keyClick(focus, Qt.Key.Key_0, CTRL)
        assert view.scale_factor() == 1.0 and not view.fitting
        QTest.keyClick(focus, Qt.Key.Key_9, CTRL)
        assert view.fitting and view.scale_factor() == pytest.approx(fit)
    assert pane.tile_size() == tile  # the library's thumbnails did not change with them
    look.close()


def test_a_video_plays_in_quick_look_and_stops_when_it_closes(
    qtbot: QtBot,
    services: AppServices,
    sandbox_accounts: list[Any],
    tasks: BackgroundTasks,
    arun: Any,
) -> None:
    window = open_library(qtbot, services, tasks, arun)
    pane: LibraryPane = window.library_pane
    video = next(a for a in rows(pane) if a.kind == "video")
    select(pane, [video])

    def playing(player: QMediaPlayer | None) -> bool:
        state = None if player is None else player.playbackState()
        return state == QMediaPlayer.PlaybackState.PlayingState

    qtbot.waitUntil(lambda: playing(pane.preview.player), timeout=15_000)  # the side preview
    look = open_on_space(qtbot, pane)
    qtbot.waitUntil(lambda: playing(look.panel.player), timeout=15_000)
    assert not playing(pane.preview.player)  # paused: one sound at a time
    QTest.keyClick(look.panel, Qt.Key.Key_Space)  # closes (not a pause)
    assert not look.isVisible() and look.panel.player is None
