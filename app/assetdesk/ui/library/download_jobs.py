"""The Library's downloads as tasks: what the user saves, copies for dragging out, and the copy a
Wordbee video plays from. The library service turns each of these choices into download options.

Each download is a row of the downloads list, updated from the transfer's progress snapshots.
The user's downloads (Save as, Download to folder) are kept in the database until they end, so
that a quit cuts them short without losing them: `resume()` at the next start goes on with them
from their kept `.part`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.services.library import Asset, LibraryService
from assetdesk.transfer.options import DownloadResult
from assetdesk.transfer.progress import ProgressCallback, TransferProgress
from assetdesk.ui.library.downloads import Download, DownloadsBox, DownloadsModel
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.tasks import BackgroundTasks


@dataclass(frozen=True)
class _Note:
    """A user download as the database keeps it until it ends (`pending_id` once written)."""

    folder: Path
    filename: str | None
    keep_folders: bool
    pending_id: int | None = None


log = logging.getLogger("assetdesk.ui.library.downloads")


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

    def save_as(
        self, asset: Asset, path: Path, *, pending_id: int | None = None
    ) -> asyncio.Task[None]:
        """ "Save as…": exactly `path`, replacing a file there (the save dialog asked). Kept
        in the database until it ends: a quit's next start goes on with it."""
        return self._start(
            asset,
            path.parent,
            lambda progress: self._library.save_as(asset, path, progress=progress),
            note=_Note(path.parent, path.name, False, pending_id),
        )

    def save_to_folder(
        self,
        asset: Asset,
        folder: Path,
        *,
        keep_folders: bool | None = None,
        pending_id: int | None = None,
    ) -> asyncio.Task[None]:
        """ "Download to folder": its own name in `folder`, renamed when the name is taken;
        Wordbee locale and folders kept when the downloads box says so. Kept in the database
        until it ends: a quit's next start goes on with it."""
        if keep_folders is None:
            keep_folders = self._box.keep_folders.isChecked()
        keep = keep_folders
        return self._start(
            asset,
            folder,
            lambda progress: self._library.save_to_folder(
                asset, folder, keep_folders=keep, progress=progress
            ),
            note=_Note(folder, None, keep, pending_id),
        )

    async def resume(self) -> int:
        """Start again the downloads a quit or a crash cut short (each goes on from its kept
        `.part`); how many. One whose asset left the catalog is forgotten."""
        pending = self._library.pending_downloads
        started = 0
        for job in await pending.all():
            asset = await self._library.get(job.asset_id)
            if asset is None or not self._alive():
                if asset is None:
                    await pending.remove(job.id)
                continue
            folder = Path(job.folder)
            if job.filename is not None:
                self.save_as(asset, folder / job.filename, pending_id=job.id)
            else:
                self.save_to_folder(asset, folder, keep_folders=job.keep_folders, pending_id=job.id)
            started += 1
        return started

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
        note: _Note | None = None,
    ) -> asyncio.Task[None]:
        download = self._downloads.add(Download(asset.title, folder, kept=note is not None))
        self._box.show()
        return self._tasks.spawn(
            self._download(asset, download, save, saved=saved, note=note),
            name=f"library.download[{asset.id}]",
        )

    async def _download(
        self,
        asset: Asset,
        download: Download,
        save: Callable[[ProgressCallback], Awaitable[DownloadResult]],
        *,
        saved: Callable[[Path], None] | None = None,
        note: _Note | None = None,
    ) -> None:
        def progress(snapshot: TransferProgress) -> None:
            download.progress = snapshot
            self._downloads.changed(download)

        pending = self._library.pending_downloads
        pending_id = None if note is None else note.pending_id
        try:
            if note is not None and pending_id is None:
                noted = await pending.add(
                    asset.id, note.folder, filename=note.filename, keep_folders=note.keep_folders
                )
                pending_id = noted.id
            result = await save(progress)
        except asyncio.CancelledError:  # a quit: the database keeps it for the next start
            download.state, download.message = "cancelled", "Cancelled."
            raise
        except Exception as error:  # the row says it: it never stays "running"
            if not isinstance(error, AssetDeskError):
                log.exception("the download of asset %d failed", asset.id)
            download.state, download.message = "failed", str(error)
            self._model.set_error(asset.id, error if isinstance(error, AssetDeskError) else None)
            if pending_id is not None:  # its `.part` stays: downloading it again goes on
                await pending.remove(pending_id)
        else:
            if pending_id is not None:
                await pending.remove(pending_id)
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
