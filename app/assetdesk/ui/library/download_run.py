"""One of the Library's downloads around its transfer: its row told of the progress and of the
account's waits, the record that keeps a user's download for the next start written before it
starts and forgotten when it ends (not when a quit or a pause cuts it short), and the asset's
row told of its outcome."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from assetdesk.core.errors import AssetDeskError
from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.throttle_gate import OnWait
from assetdesk.transfer.options import DownloadResult
from assetdesk.transfer.progress import ProgressCallback, TransferProgress
from assetdesk.ui.library.download_notes import Note
from assetdesk.ui.library.downloads import Download, DownloadsModel
from assetdesk.ui.library.model import LibraryModel

log = logging.getLogger("assetdesk.ui.library.downloads")

#: How a download saves its file: told of its progress and of the account's waits after a 429.
Save = Callable[[ProgressCallback, OnWait], Awaitable[DownloadResult]]


@dataclass
class DownloadRun:
    """Runs downloads whose rows are in `downloads`; `is_pausing(id)` says a pause cuts it
    short; `cancelled` holds the ids of those the user cancelled."""

    library: LibraryService
    downloads: DownloadsModel
    model: LibraryModel
    is_pausing: Callable[[int], bool]
    cancelled: set[int]
    alive: Callable[[], bool]

    async def __call__(
        self,
        asset: Asset,
        download: Download,
        save: Save,
        *,
        saved: Callable[[Path], None] | None = None,
        note: Note | None = None,
    ) -> None:
        def progress(snapshot: TransferProgress) -> None:
            download.progress, download.waiting = snapshot, None
            self.downloads.changed(download)

        def waiting(seconds: float) -> None:  # the account's pause after a 429
            download.waiting = seconds or None
            self.downloads.changed(download)

        download.state = "running"  # a file to a folder holds its slot already
        self.downloads.changed(download)
        pending = self.library.pending_downloads
        pending_id = None if note is None else note.pending_id
        noting = None
        try:
            if note is not None and pending_id is None:
                noting = note.written or asyncio.ensure_future(
                    pending.add_ids(
                        [asset.id],
                        note.folder,
                        filename=note.filename,
                        keep_folders=note.keep_folders,
                    )
                )
                pending_id = (await asyncio.shield(noting))[note.index]
            result = await save(progress, waiting)
        except asyncio.CancelledError:  # a quit: the database keeps it for the next start
            download.waiting = None
            if self.is_pausing(download.id):  # its record and `.part` wait for Resume
                download.state = "paused"
                raise
            download.state, download.message = "cancelled", "Cancelled."
            if download.id in self.cancelled:  # the user's: not for the next start
                self.cancelled.discard(download.id)
                if pending_id is None and noting is not None and note is not None:
                    with contextlib.suppress(Exception):
                        pending_id = (await noting)[note.index]
                if pending_id is not None:
                    await pending.remove(pending_id)
            raise
        except Exception as error:  # the row says it: it never stays "running"
            if not isinstance(error, AssetDeskError):
                log.exception("the download of asset %d failed", asset.id)
            download.state, download.message = "failed", str(error)
            self.model.set_error(asset.id, error if isinstance(error, AssetDeskError) else None)
            if pending_id is not None:  # its `.part` stays: downloading it again goes on
                await pending.remove(pending_id)
        else:
            download.state, download.path = "done", result.path
            if pending_id is not None:
                await pending.remove(pending_id)
            self.model.set_error(asset.id, None)
            if saved is not None:
                saved(result.path)
            updated = await self.library.get(asset.id)
            if updated is not None and self.alive():
                self.model.update_asset(updated)
        finally:
            if self.alive():
                self.downloads.changed(download)
