"""What the Library's views list, for GUI tests: every listed asset (read at once, as a test on a
small catalog may), and waiting for the answer to a filter, search or sort change."""

from __future__ import annotations

from typing import Any

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import LibraryModel


def listed_assets(model: LibraryModel) -> list[Asset]:
    """The assets of every row the views list, in their order."""
    return model.assets_of_rows(range(model.rowCount()))


def settle(qtbot: Any, model: LibraryModel, timeout: int = 10_000) -> None:
    """Wait until the rows listed answer the newest filters, search and order."""
    qtbot.waitUntil(lambda: model.settled, timeout=timeout)
