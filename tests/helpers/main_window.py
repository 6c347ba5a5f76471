"""The real main window (its three panes side by side), shown with one pane's data read, as the
pane tests start (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from enum import IntEnum
from typing import Any

from pytestqt.qtbot import QtBot

from assetdesk.services.app import AppServices
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks


class Pane(IntEnum):
    """The panes, by what a test reads before it goes on."""

    ACCOUNTS = 0
    UPLOADS = 1
    LIBRARY = 2


def _read(window: MainWindow, pane: Pane) -> Coroutine[Any, Any, Any]:
    """What the pane reads when it is shown (awaited before the test goes on)."""
    if pane is Pane.ACCOUNTS:
        return window.accounts_pane.reload()
    if pane is Pane.UPLOADS:
        return window.uploads_pane.activate()
    return window.library_pane.reload()


def open_window(
    qtbot: QtBot,
    services: AppServices,
    tasks: BackgroundTasks,
    arun: Callable[..., Any],
    pane: Pane = Pane.ACCOUNTS,
    size: tuple[int, int] | None = None,
) -> MainWindow:
    """The window over `services`, shown (at `size`, when given), `pane`'s data read."""
    window = MainWindow(services, tasks)
    qtbot.addWidget(window)
    if size is not None:
        window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    arun(_read(window, pane))
    return window
