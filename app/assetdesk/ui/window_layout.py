"""The window's layout kept across starts in QSettings: its geometry, the splits between the
panes (a folded pane with the width it had), the Library's own splits, its thumbnail size and
how many files a batch downloads at once."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QSplitter

from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.pane_splitter import PaneSplitter


class LaidOut(Protocol):
    """What is kept of the window (ui/main_window.py)."""

    panes: PaneSplitter
    transfers: QSplitter
    library_pane: LibraryPane

    def saveGeometry(self) -> QByteArray: ...
    def restoreGeometry(self, geometry: QByteArray | bytes | bytearray | memoryview) -> bool: ...
    def saveState(self, version: int = 0) -> QByteArray: ...
    def restoreState(
        self, state: QByteArray | bytes | bytearray | memoryview, version: int = 0
    ) -> bool: ...


def _splitters(window: LaidOut) -> dict[str, QSplitter]:
    """The splitters kept as Qt saves them, by their settings key."""
    return {
        "window/transfers": window.transfers,  # uploads over downloads
        "window/library_splitter": window.library_pane.splitter,  # sources | grid | right
        "window/library_side": window.library_pane.side,  # preview over inspector
    }


def restore_layout(window: LaidOut, settings: QSettings) -> None:
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    state = settings.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state)
    for key, splitter in _splitters(window).items():
        saved = settings.value(key)
        if isinstance(saved, QByteArray) and not saved.isEmpty():
            splitter.restoreState(saved)
    tile = settings.value("library/tile_size", 0, type=int)
    if isinstance(tile, int) and tile > 0:
        window.library_pane.set_tile_size(tile)
    at_once = settings.value("library/files_at_once", 0, type=int)
    if isinstance(at_once, int) and at_once > 0:
        window.library_pane.download_jobs.set_files_at_once(at_once)
    panes = settings.value("window/panes")  # accounts | library | transfers
    if isinstance(panes, QByteArray) and not panes.isEmpty():
        window.panes.restore(panes, str(settings.value("window/pane_widths", "")))


def save_layout(window: LaidOut, settings: QSettings) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    for key, splitter in _splitters(window).items():
        settings.setValue(key, splitter.saveState())
    settings.setValue("window/panes", window.panes.saveState())
    settings.setValue("window/pane_widths", window.panes.widths())
    settings.setValue("library/tile_size", window.library_pane.tile_size())
    settings.setValue("library/files_at_once", window.library_pane.download_jobs.files_at_once)
    settings.sync()
