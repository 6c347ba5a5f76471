"""The main window opened on the Library over the sandbox's accounts, with the assets a test asks
for in the catalog: the preamble of the Library's large-selection tests. `open_library` in
tests/gui/conftest.py hands a test an `OpenLibrary`; calling it opens the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from tests.helpers.batch_assets import add_assets
from tests.helpers.library_rows import listed_assets
from tests.helpers.main_window import Pane, open_window
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.services.app import AppServices
from assetdesk.services.library import Asset
from assetdesk.ui.library.pane import LibraryPane
from assetdesk.ui.main_window import MainWindow
from assetdesk.ui.tasks import BackgroundTasks


@dataclass(frozen=True)
class LibraryWindow:
    """What `OpenLibrary` opened and put in the catalog."""

    window: MainWindow
    pane: LibraryPane
    #: Every asset the views list, in their order, and by name.
    listed: list[Asset]
    by_name: list[Asset]
    #: The bytes of the Runway images `added=` put on the sandbox, by name.
    contents: dict[str, bytes]
    #: An empty folder to save into.
    saved: Path


class OpenLibrary:
    """Opens the window on the Library as a test asks (the sandbox's two session accounts are
    there already)."""

    def __init__(
        self,
        qtbot: QtBot,
        services: AppServices,
        sandbox_accounts: list[Any],
        sb: Any,
        tasks: BackgroundTasks,
        arun: Callable[..., Any],
        folder: Path,
    ) -> None:
        self._qtbot, self._services, self._tasks, self._arun = qtbot, services, tasks, arun
        self._sb, self._account, self._folder = sb, sandbox_accounts[0], folder

    def __call__(
        self,
        *,
        added: int = 0,
        pad: int = 20_000,
        runway_bulk: int = 0,
        refresh_ms: int | None = None,
        reload_ms: int = 10_000,
        size: tuple[int, int] | None = None,
    ) -> LibraryWindow:
        """In this order:
        1. `runway_bulk` Runway assets seeded on the sandbox's demo account (a refresh lists them);
        2. the window shown (at `size`, when given), the Library's data read;
        3. the catalog refreshed from every account's service, when `refresh_ms` (its timeout)
           is given;
        4. `added` Runway images of their own bytes (a JPEG and `pad` bytes) put on the sandbox
           and added to the catalog by id;
        5. the Library read again (within `reload_ms`) after a refresh or an add."""
        sb, arun, services = self._sb, self._arun, self._services
        if runway_bulk:
            seed_runway_assets(sb, runway_bulk, token=sb.demo["useapi_token"])
        window = open_window(self._qtbot, services, self._tasks, arun, Pane.LIBRARY, size)
        pane = window.library_pane
        if refresh_ms is not None:
            arun(services.library.refresh(), timeout_ms=refresh_ms)
        contents: dict[str, bytes] = {}
        if added:
            source = self._folder / "src"
            contents = add_assets(sb, arun, services, self._account, source, added, pad)
        if refresh_ms is not None or added:
            arun(pane.reload(), timeout_ms=reload_ms)
        listed = listed_assets(pane.model)
        by_name = sorted(listed, key=lambda asset: asset.name or asset.title)
        saved = self._folder / "saved"
        saved.mkdir()
        return LibraryWindow(window, pane, listed, by_name, contents, saved)
