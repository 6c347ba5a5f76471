"""Dragging assets out of the Library as files: a drag starts only when every dragged asset has a
file on this computer; the missing ones are copied into the cache first (`views.py` asks here).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from assetdesk.services.library import Asset
from assetdesk.ui.library.model import LibraryModel, local_copy
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.widgets.notice import Notice
from assetdesk.ui.widgets.pane_actions import pluralise

#: start_copy(asset, folder, saved) -> the download's task; `saved(path)` once it is in place.
StartCopy = Callable[[Asset, Path, Callable[[Path], None]], "asyncio.Task[None]"]


class DragOut:
    """The copies made in the cache for dragging out (asset id -> file), and those on their way."""

    def __init__(
        self,
        model: LibraryModel,
        notice: Notice,
        tasks: BackgroundTasks,
        *,
        selected: Callable[[], list[Asset]],
        start_copy: StartCopy,
        copies_folder: Path | None,
        alive: Callable[[], bool],
    ) -> None:
        self._model = model
        self._notice = notice
        self._tasks = tasks
        self._selected = selected
        self._start_copy = start_copy
        self._copies_folder = copies_folder
        self._alive = alive
        self.copies: dict[int, Path] = {}
        self._fetching: set[int] = set()

    def before_drag(self) -> bool:
        """True when the selection can be dragged as files now; else fetch the missing copies.

        A drag hands the file manager paths, so every asset needs a file on this computer: its
        last download or its upload's source. Missing ones are downloaded into the cache and
        the user drags again (a drop cannot wait for a download)."""
        assets = self._selected()
        missing = [
            asset
            for asset in assets
            if local_copy(asset) is None and not _is_file(self.copies.get(asset.id))
        ]
        if not missing:
            self._model.set_drag_copies({k: str(v) for k, v in self.copies.items()})
            return bool(assets)
        missing = [asset for asset in missing if asset.id not in self._fetching]
        if self._copies_folder is None:
            self._notice.show_message("Download these assets first, then drag them.", "warning")
            return False
        self._notice.show_message(
            f"Getting a copy of {pluralise(len(missing), 'asset')} to drag; drag again when "
            "the downloads below say Saved.",
            "info",
        )
        self._fetching.update(asset.id for asset in missing)
        self._tasks.spawn(self._fetch_copies(missing, self._copies_folder), name="library.copies")
        return False

    async def _fetch_copies(self, assets: list[Asset], folder: Path) -> None:
        try:
            tasks = []
            for asset in assets:
                own = folder / str(asset.id)  # same names from different assets do not clash
                await asyncio.to_thread(own.mkdir, parents=True, exist_ok=True)
                if self._alive():
                    tasks.append(self._start_copy(asset, own, self._saved(asset.id)))
            if tasks:
                await asyncio.wait(tasks)
        finally:
            self._fetching.difference_update(asset.id for asset in assets)

    def _saved(self, asset_id: int) -> Callable[[Path], None]:
        def keep(path: Path) -> None:
            self.copies[asset_id] = path

        return keep


def _is_file(path: Path | None) -> bool:
    return path is not None and path.is_file()
