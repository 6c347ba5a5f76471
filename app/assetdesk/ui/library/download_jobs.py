"""The Library's downloads as tasks: what the user saves, copies for dragging out, and the copy a
Wordbee video plays from. The library service turns each of these choices into download options.

Each download is a row of the downloads list, updated from the transfer's progress snapshots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.services.library import Asset, LibraryService
from assetdesk.transfer.options import DownloadResult
from assetdesk.transfer.progress import ProgressCallback, TransferProgress
from assetdesk.ui.library.downloads import Download, DownloadsBox, DownloadsModel
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.tasks import BackgroundTasks


class DownloadJobs:
    """Starts downloads into `downloads` (shown in `box`) and notes their outcome on `model`."""

    def __init__(
        self,
        library: LibraryService,
        tasks: BackgroundTasks,
        model: LibraryModel,
        downloads: DownloadsModel,
        box: DownloadsBox,
        *,
        alive: Callable[[], bool],
    ) -> None:
        self._library = library
        self._tasks = tasks
        self._model = model
        self._downloads = downloads
        self._box = box
        self._alive = alive

    def save_as(self, asset: Asset, path: Path) -> asyncio.Task[None]:
        """ "Save as…": exactly `path`, replacing a file there (the save dialog asked)."""
        return self._start(
            asset,
            path.parent,
            lambda progress: self._library.save_as(asset, path, progress=progress),
        )

    def save_to_folder(self, asset: Asset, folder: Path) -> asyncio.Task[None]:
        """ "Download to folder": its own name in `folder`, renamed when the name is taken;
        Wordbee locale and folders kept when the downloads box says so."""
        keep_folders = self._box.keep_folders.isChecked()
        return self._start(
            asset,
            folder,
            lambda progress: self._library.save_to_folder(
                asset, folder, keep_folders=keep_folders, progress=progress
            ),
        )

    def save_copy(
        self, asset: Asset, folder: Path, *, saved: Callable[[Path], None]
    ) -> asyncio.Task[None]:
        """A copy for dragging out, in the cache `folder`: not remembered as the user's
        download. `saved(path)` is called once the file is in place."""
        return self._start(
            asset,
            folder,
            lambda progress: self._library.save_copy(asset, folder, progress=progress),
            saved=saved,
        )

    def _start(
        self,
        asset: Asset,
        folder: Path,
        save: Callable[[ProgressCallback], Awaitable[DownloadResult]],
        *,
        saved: Callable[[Path], None] | None = None,
    ) -> asyncio.Task[None]:
        download = self._downloads.add(Download(asset.title, folder))
        self._box.show()
        return self._tasks.spawn(
            self._download(asset, download, save, saved=saved),
            name=f"library.download[{asset.id}]",
        )

    async def _download(
        self,
        asset: Asset,
        download: Download,
        save: Callable[[ProgressCallback], Awaitable[DownloadResult]],
        *,
        saved: Callable[[Path], None] | None = None,
    ) -> None:
        def progress(snapshot: TransferProgress) -> None:
            download.progress = snapshot
            self._downloads.changed(download)

        try:
            result = await save(progress)
        except asyncio.CancelledError:
            download.state, download.message = "cancelled", "Cancelled."
            raise
        except AssetDeskError as error:
            download.state, download.message = "failed", str(error)
            self._model.set_error(asset.id, error)
        else:
            download.state, download.path = "done", result.path
            self._model.set_error(asset.id, None)
            if saved is not None:
                saved(result.path)
            updated = await self._library.get(asset.id)
            if updated is not None and self._alive():
                self._model.update_asset(updated)
        finally:
            if self._alive():
                self._downloads.changed(download)

    async def playable_copy(self, asset: Asset, folder: Path) -> Path:
        """A file of `asset` in `folder` to play from: a previous preview's, or a new download."""
        ready = await asyncio.to_thread(_complete_copy, folder, asset.size)
        if ready is None:
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            result = await self._library.save_copy(asset, folder)
            ready = result.path
        return ready


def _complete_copy(folder: Path, size: int | None) -> Path | None:
    """A file already in `folder` with the asset's size (a previous preview's copy), or None."""
    if not folder.is_dir():
        return None
    for candidate in folder.iterdir():
        unfinished = candidate.name.endswith((".part", ".part.json"))
        if candidate.is_file() and not unfinished and size in (None, candidate.stat().st_size):
            return candidate
    return None
