"""The Library's downloads as tasks: what the user saves, copies for dragging out, and the copy a
Wordbee video plays from. The library service turns each of these choices into download options.

Each download is a row of the downloads list, updated from the transfer's progress snapshots.
The user's downloads (Save as, Download to folder) are kept in the database until they end, so
that a quit cuts them short without losing them: `resume()` at the next start goes on with them
from their kept `.part`.

Downloads to a folder go through one bound, "Files at once" (download_slots.py): a selection of
thousands is noted in the database in one write (download_notes.py), each file waits for its
turn as a "queued" row in the queue (download_queue.py, which can pause them all), and the batch
they form (download_batch.py) has one line in the downloads box, repainted on a timer. The
user's cancel (a row, or the whole batch) forgets the download in the database; a quit's cancel
and a pause do not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QTimer

from assetdesk.core.errors import AssetDeskError
from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.throttle_gate import OnWait
from assetdesk.transfer.options import DownloadResult
from assetdesk.transfer.progress import ProgressCallback, TransferProgress
from assetdesk.ui.library.download_arrivals import Arrivals
from assetdesk.ui.library.download_batch import Batch
from assetdesk.ui.library.download_notes import Note, Notes
from assetdesk.ui.library.download_queue import FolderQueue
from assetdesk.ui.library.download_slots import FileSlots
from assetdesk.ui.library.downloads import (
    MOST_FILES_AT_ONCE,
    Download,
    DownloadsBox,
    DownloadsModel,
)
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.tasks import BackgroundTasks

log = logging.getLogger("assetdesk.ui.library.downloads")

#: How a download saves its file: told of its progress and of the account's waits after a 429.
Save = Callable[[ProgressCallback, OnWait], Awaitable[DownloadResult]]

#: How often the batch's line is repainted while it runs, in milliseconds.
BATCH_REPAINT_MS = 100


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
        self._slots = FileSlots(box.files_at_once.value())
        self._notes = Notes(library.pending_downloads)  # files to a folder, until each ends
        self._queue = FolderQueue(
            self._slots,
            lambda coro, name: tasks.spawn(coro, name=name),
            changed=downloads.changed_soon,
            ended=self._left_queue,
        )
        self._arriving: set[Arrivals] = set()  # selections whose files still arrive
        self._tasks_of: dict[int, asyncio.Task[None]] = {}  # by download id, until each ends
        self._cancelled: set[int] = set()  # the ids of downloads the user cancelled
        self.batch: Batch | None = None
        self._repaint = QTimer(box)
        self._repaint.setInterval(BATCH_REPAINT_MS)
        self._repaint.timeout.connect(self._show_batch)
        box.files_at_once.valueChanged.connect(self.set_files_at_once)
        box.cancel_requested.connect(self.cancel)
        box.cancel_batch_requested.connect(self.cancel_batch)
        box.pause_action.toggled.connect(self.set_paused)

    @property
    def files_at_once(self) -> int:
        return self._slots.limit

    def set_files_at_once(self, count: int) -> None:
        """How many downloads to a folder run at once (the caller keeps it in its settings);
        the others wait their turn. Shown in the downloads box's spin box."""
        count = max(1, min(MOST_FILES_AT_ONCE, count))
        self._slots.set_limit(count)
        if self._box.files_at_once.value() != count:
            self._box.files_at_once.setValue(count)

    def download_to_folder(
        self, assets: Iterable[Asset], folder: Path
    ) -> list[asyncio.Future[None]]:
        """ "Download to folder" of a selection: one batch, `files_at_once` at a time. Its rows
        and its line show at once; the records that keep it for a next start are written in
        one transaction in a worker thread, and each file waits for them before it starts."""
        chosen = list(assets)
        keep = self._box.keep_folders.isChecked()
        written = self._notes.write([asset.id for asset in chosen], folder, keep)
        return self._queue_all(
            chosen, lambda index: Note(folder, None, keep, written=written, index=index), folder
        )

    def cancel(self, downloads: Iterable[Download]) -> None:
        """The user's cancel of `downloads` (those still to finish): their rows say so and the
        database forgets them; a `.part` already begun stays, so that downloading it again goes
        on from it."""
        waiting: list[Note] = []
        for download in downloads:
            task = self._tasks_of.get(download.id)
            if task is not None and not task.done():
                self._cancelled.add(download.id)
                task.cancel()
            elif self._queue.holds(download):
                note = self._notes.release(download.id)
                if note is not None:
                    waiting.append(note)
                self._queue.drop(download)
        if waiting:
            self._tasks.spawn(self._notes.forget(waiting), name="library.downloads.forget")

    @property
    def paused(self) -> bool:
        return self._queue.paused

    def set_paused(self, paused: bool) -> None:
        """Pause the downloads to a folder (none starts, the running ones stop and keep their
        `.part`) or let them go on (each from its `.part`). The box's Pause action shows it."""
        if paused:
            self._queue.pause()
        else:
            self._queue.resume()
        if self._box.pause_action.isChecked() != paused:
            self._box.pause_action.setChecked(paused)
        self._show_batch()

    def cancel_batch(self) -> None:
        """Cancel every file of the batch still running or waiting (or still to arrive)."""
        for arrivals in self._arriving:
            arrivals.cancelled = True
        if self.batch is not None:
            self.cancel(self.batch.unfinished())

    def save_as(
        self, asset: Asset, path: Path, *, pending_id: int | None = None
    ) -> asyncio.Task[None]:
        """ "Save as…": exactly `path`, replacing a file there (the save dialog asked). Kept
        in the database until it ends: a quit's next start goes on with it."""
        return self._start(
            asset,
            path.parent,
            lambda progress, on_wait: self._library.save_as(
                asset, path, progress=progress, on_wait=on_wait
            ),
            note=Note(path.parent, path.name, False, pending_id),
        )

    def save_to_folder(
        self,
        asset: Asset,
        folder: Path,
        *,
        keep_folders: bool | None = None,
        pending_id: int | None = None,
    ) -> asyncio.Future[None]:
        """ "Download to folder": its own name in `folder`, renamed when the name is taken;
        Wordbee locale and folders kept when the downloads box says so. Kept in the database
        until it ends: a quit's next start goes on with it. Part of the running batch, it waits
        for a slot of `files_at_once`."""
        if keep_folders is None:
            keep_folders = self._box.keep_folders.isChecked()
        note = Note(folder, None, keep_folders, pending_id)
        if pending_id is None:
            written = self._notes.write([asset.id], folder, keep_folders)
            note = Note(folder, None, keep_folders, written=written)
        (handle,) = self._queue_all([asset], lambda _: note, folder)
        return handle

    def _to_folder(self, asset: Asset, folder: Path, note: Note) -> Save:
        def save(progress: ProgressCallback, on_wait: OnWait) -> Awaitable[DownloadResult]:
            return self._library.save_to_folder(
                asset,
                folder,
                keep_folders=note.keep_folders,
                segments=self._slots.segments_each(self._queue.count),
                progress=progress,
                on_wait=on_wait,
            )

        return save

    async def resume(self) -> int:
        """Start again the downloads a quit or a crash cut short (each goes on from its kept
        `.part`); how many. One whose asset left the catalog is forgotten. The files to a
        folder join one batch, queued together."""
        pending = self._library.pending_downloads
        to_folders: list[tuple[Asset, Note]] = []
        gone: list[int] = []
        started = 0
        for job in await pending.all():
            asset = await self._library.get(job.asset_id)
            if asset is None:
                gone.append(job.id)
            elif not self._alive():
                continue
            elif job.filename is not None:
                self.save_as(asset, Path(job.folder) / job.filename, pending_id=job.id)
                started += 1
            else:
                note = Note(Path(job.folder), None, job.keep_folders, job.id)
                to_folders.append((asset, note))
        await pending.remove_many(gone)
        if self._alive():
            for folder, group in itertools.groupby(to_folders, key=lambda item: item[1].folder):
                assets, notes = zip(*group, strict=True)
                started += len(self._queue_all(list(assets), notes.__getitem__, folder))
        return started

    def save_copy(
        self, asset: Asset, folder: Path, *, saved: Callable[[Path], None]
    ) -> asyncio.Task[None]:
        """A copy for dragging out, in the cache `folder`: not remembered as the user's
        download. `saved(path)` is called once the file is in place."""
        return self._start(
            asset,
            folder,
            lambda progress, _: self._library.save_copy(asset, folder, progress=progress),
            saved=saved,
        )

    def _start(
        self,
        asset: Asset,
        folder: Path,
        save: Save,
        *,
        saved: Callable[[Path], None] | None = None,
        note: Note | None = None,
    ) -> asyncio.Task[None]:
        """A download that starts at once (not part of a batch)."""
        download = Download(asset.title, folder, kept=note is not None, size=asset.size)
        self._downloads.add(download)
        self._box.show()
        return self._spawn(asset, download, save, saved=saved, note=note)

    def _spawn(
        self,
        asset: Asset,
        download: Download,
        save: Save,
        *,
        saved: Callable[[Path], None] | None = None,
        note: Note | None = None,
    ) -> asyncio.Task[None]:
        task = self._tasks.spawn(
            self._download(asset, download, save, saved=saved, note=note),
            name=f"library.download[{asset.id}]",
        )
        self._tasks_of[download.id] = task
        task.add_done_callback(functools.partial(self._ended, download.id))
        return task

    def _queue_all(
        self, assets: list[Asset], note_of: Callable[[int], Note], folder: Path
    ) -> list[asyncio.Future[None]]:
        """Files to a folder, part of the running batch: "queued" rows, each started by the
        queue when its turn comes; thousands of them arrive in turns (download_arrivals.py)."""
        if self.batch is None or self.batch.finished:
            self.batch = Batch()
            self.set_paused(False)  # a new batch starts unpaused
        batch = self.batch
        batch.expect([asset.size for asset in assets])

        def arrive(first: int, end: int) -> None:
            self._arrive(arrivals, batch, assets[first:end], note_of, folder, first)

        arrivals = Arrivals(len(assets), arrive)
        arrivals.next_turn()
        if not arrivals.done:
            self._arriving.add(arrivals)
            task = self._tasks.spawn(arrivals.run(), name="library.downloads.arrivals")
            task.add_done_callback(lambda _: self._arriving.discard(arrivals))
        self._show_batch()
        self._repaint.start()
        return list(arrivals.handles)

    def _arrive(
        self,
        arrivals: Arrivals,
        batch: Batch,
        assets: list[Asset],
        note_of: Callable[[int], Note],
        folder: Path,
        first: int,
    ) -> None:
        """One turn's files: their rows in one insert, each queued unless it was cancelled
        before it arrived (by the user: its record is forgotten; by a quit: kept)."""
        downloads: list[Download] = []
        forget: list[Note] = []
        for index, asset in enumerate(assets, start=first):
            handle, note = arrivals.handles[index], note_of(index)
            download = Download(asset.title, folder, state="queued", kept=True, size=asset.size)
            downloads.append(download)
            if handle.done() or arrivals.cancelled:
                download.state, download.message = "cancelled", "Cancelled."
                if not handle.done():
                    forget.append(note)
                    handle.end_cancelled()
                continue
            self._notes.hold(download.id, note)
            start = functools.partial(self._start_queued, asset, download, folder, note)
            self._queue.put(download, start, handle)
        batch.arrived(downloads)
        if self._alive():
            self._downloads.add_all(downloads)
            self._box.show()
        if forget:
            self._tasks.spawn(self._notes.forget(forget), name="library.downloads.forget")

    def _start_queued(
        self, asset: Asset, download: Download, folder: Path, note: Note
    ) -> asyncio.Task[None]:
        return self._spawn(asset, download, self._to_folder(asset, folder, note), note=note)

    def _left_queue(self, download: Download) -> None:
        self._notes.release(download.id)

    def _ended(self, download_id: int, _: asyncio.Task[None]) -> None:
        self._tasks_of.pop(download_id, None)

    def _show_batch(self) -> None:
        batch = self.batch
        if batch is None or not self._alive():
            self._repaint.stop()
            return
        if batch.finished:
            self._repaint.stop()
        shown = batch.line(paused=self.paused) if len(batch.downloads) > 1 else None
        self._box.show_batch(shown, running=not batch.finished)

    async def _download(
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
            self._downloads.changed(download)

        def waiting(seconds: float) -> None:  # the account's pause after a 429
            download.waiting = seconds or None
            self._downloads.changed(download)

        download.state = "running"  # a file to a folder holds its slot already
        self._downloads.changed(download)
        pending = self._library.pending_downloads
        pending_id = None if note is None else note.pending_id
        noting = None
        try:
            if note is not None and pending_id is None:
                noting = note.written or asyncio.ensure_future(
                    pending.add_many(
                        [asset.id],
                        note.folder,
                        filename=note.filename,
                        keep_folders=note.keep_folders,
                    )
                )
                pending_id = (await asyncio.shield(noting))[note.index].id
            result = await save(progress, waiting)
        except asyncio.CancelledError:  # a quit: the database keeps it for the next start
            download.waiting = None
            if self._queue.is_pausing(download.id):  # its record and `.part` wait for Resume
                download.state = "paused"
                raise
            download.state, download.message = "cancelled", "Cancelled."
            if download.id in self._cancelled:  # the user's: not for the next start
                self._cancelled.discard(download.id)
                if pending_id is None and noting is not None and note is not None:
                    with contextlib.suppress(Exception):
                        pending_id = (await noting)[note.index].id
                if pending_id is not None:
                    await pending.remove(pending_id)
            raise
        except Exception as error:  # the row says it: it never stays "running"
            if not isinstance(error, AssetDeskError):
                log.exception("the download of asset %d failed", asset.id)
            download.state, download.message = "failed", str(error)
            self._model.set_error(asset.id, error if isinstance(error, AssetDeskError) else None)
            if pending_id is not None:  # its `.part` stays: downloading it again goes on
                await pending.remove(pending_id)
        else:
            download.state, download.path = "done", result.path
            if pending_id is not None:
                await pending.remove(pending_id)
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
