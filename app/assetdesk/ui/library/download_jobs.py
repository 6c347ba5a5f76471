"""The Library's downloads as tasks: what the user saves, copies for dragging out, and the copy a
Wordbee video plays from. The library service turns each of these choices into download options.

Each download is a row of the downloads list, updated from the transfer's progress snapshots.
The user's downloads (Save as, Download to folder) are kept in the database until they end, so
that a quit cuts them short without losing them: `resume()` at the next start goes on with them
from their kept `.part`.

Downloads to a folder go through one bound, "Files at once" (download_slots.py): the files of a
"Download to folder" (one, or select all of 100,000) are noted in the database in one write
(download_notes.py) and fed to the queue by their ids a page at a time as it runs low
(download_feed.py); each file fed waits for its turn as a "queued" row in the queue
(download_queue.py, which can pause them all), and the batch they form (download_batch.py) has
one line in the downloads box, repainted on a timer. The user's cancel (a row, or the whole
batch) forgets the download in the database; a quit's cancel and a pause do not.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from array import array
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer

from assetdesk.services.library import Asset, LibraryService
from assetdesk.services.throttle_gate import OnWait
from assetdesk.transfer.options import DownloadResult
from assetdesk.transfer.progress import ProgressCallback
from assetdesk.ui.library.download_batch import Batch
from assetdesk.ui.library.download_feed import FedFiles, Feed
from assetdesk.ui.library.download_notes import Note, Notes
from assetdesk.ui.library.download_queue import FileHandle, FolderQueue
from assetdesk.ui.library.download_run import DownloadRun, Save
from assetdesk.ui.library.download_slots import FileSlots
from assetdesk.ui.library.downloads import (
    MOST_FILES_AT_ONCE,
    UNFINISHED,
    Download,
    DownloadsBox,
    DownloadsModel,
)
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.tasks import BackgroundTasks

log = logging.getLogger("assetdesk.ui.library.downloads")

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
        self._feeds: set[Feed] = set()  # selections fed to the queue as it runs low
        self._tasks_of: dict[int, asyncio.Task[None]] = {}  # by download id, until each ends
        self._cancelled: set[int] = set()  # the ids of downloads the user cancelled
        self._run = DownloadRun(
            library, downloads, model, self._queue.is_pausing, self._cancelled, alive
        )
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

    def download_to_folder(self, ids: Sequence[int], folder: Path) -> FedFiles:
        """ "Download to folder" of a selection (one asset, or select all of 100,000) by its ids,
        in their order: one batch, `files_at_once` at a time. The records that keep it for a next
        start are written in one transaction, the batch's line counts every file at once (their
        bytes summed by SQLite), and the files reach the list and the queue a page at a time as
        it runs low (download_feed.py). The FedFiles ends once every file has."""
        keep = self._box.keep_folders.isChecked()
        return self._start_feed(array("q", ids), folder, keep)

    def _start_feed(
        self,
        ids: array[int],
        folder: Path,
        keep: bool,
        written: asyncio.Future[array[int]] | None = None,
    ) -> FedFiles:
        """Feed the files `ids` names to the queue (their records `written`, or written now)."""
        if written is None:
            written = self._notes.write(ids, folder, keep)
        files = FedFiles()
        batch = self._current_batch()
        batch.expect(len(ids))

        def arrive(chosen: list[tuple[int, Asset]], dropped: int) -> None:
            self._arrive(batch, files, chosen, folder, keep, written, dropped=dropped)

        feed = Feed(
            ids,
            written,
            self._library.views.many,
            arrive,
            waiting=lambda: self._queue.waiting,
            forget=self._library.pending_downloads.remove_many,
        )
        self._feeds.add(feed)
        if self._alive():
            self._box.show()  # the batch's line at once, its rows as they are fed
        self._show_batch()
        self._repaint.start()
        task = self._tasks.spawn(self._feed(feed, batch), name="library.downloads.feed")
        files.fed_by(task)
        return files

    async def _feed(self, feed: Feed, batch: Batch) -> None:
        try:
            totals = await self._library.views.totals(feed.ids)
            # Cancelled before it was summed: none of its files comes, nor do their bytes.
            batch.sized(0 if feed.cancelled else None if totals.unsized else totals.size)
            if self._alive():
                await feed.run()
        finally:
            self._feeds.discard(feed)

    def still_to_finish(self) -> int:
        """The user's downloads a quit would cut short: running, waiting or paused, and the
        files of a selection not yet fed to the list."""
        listed = sum(1 for d in self._downloads.downloads() if d.state in UNFINISHED and d.kept)
        return listed + self._not_fed()

    def _not_fed(self) -> int:
        """The files of the selections being fed that have no row yet (they will share the
        batch's connection budget with those in the queue)."""
        return sum(len(feed.ids) - feed.fed for feed in self._feeds)

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
        """Cancel every file of the batch still running or waiting (or still to be fed)."""
        for feed in self._feeds:
            left = feed.cancel()
            if self.batch is not None:
                self.batch.never_coming(left)
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
        self, asset: Asset, folder: Path, *, keep_folders: bool | None = None
    ) -> FedFiles:
        """ "Download to folder" of one asset: its own name in `folder`, renamed when the name is
        taken; Wordbee locale and folders kept when the downloads box says so (or as told). Kept
        in the database until it ends: a quit's next start goes on with it. Part of the running
        batch, it waits for a slot of `files_at_once`."""
        if keep_folders is None:
            keep_folders = self._box.keep_folders.isChecked()
        return self._start_feed(array("q", [asset.id]), folder, keep_folders)

    def _to_folder(self, asset: Asset, folder: Path, note: Note) -> Save:
        def save(progress: ProgressCallback, on_wait: OnWait) -> Awaitable[DownloadResult]:
            return self._library.save_to_folder(
                asset,
                folder,
                keep_folders=note.keep_folders,
                segments=self._slots.segments_each(self._queue.count + self._not_fed()),
                progress=progress,
                on_wait=on_wait,
            )

        return save

    async def resume(self) -> int:
        """Start again the downloads a quit or a crash cut short (each goes on from its kept
        `.part`); how many. The files to a folder join one batch, fed to the queue as it runs
        low (their records read as arrays: what was left of 100,000 is not 100,000 objects).
        One whose asset left the catalog is forgotten (a fed one as its page is read)."""
        pending = self._library.pending_downloads
        gone: list[int] = []
        started = 0
        for job in await pending.saved_as():
            asset = await self._library.get(job.asset_id)
            if asset is None:
                gone.append(job.id)
            elif self._alive() and job.filename is not None:
                self.save_as(asset, Path(job.folder) / job.filename, pending_id=job.id)
                started += 1
        await pending.remove_many(gone)
        for group in await pending.to_folders():
            if not self._alive():
                break
            written = asyncio.get_running_loop().create_future()
            written.set_result(group.ids)
            self._start_feed(group.asset_ids, Path(group.folder), group.keep_folders, written)
            started += len(group.ids)
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
            self._run(asset, download, save, saved=saved, note=note),
            name=f"library.download[{asset.id}]",
        )
        self._tasks_of[download.id] = task
        task.add_done_callback(functools.partial(self._ended, download))
        return task

    def _current_batch(self) -> Batch:
        """The running batch, or a new one (unpaused) when the last has finished."""
        if self.batch is None or self.batch.finished:
            self.batch = Batch()
            self.set_paused(False)
        return self.batch

    def _arrive(
        self,
        batch: Batch,
        files: FedFiles,
        chosen: list[tuple[int, Asset]],
        folder: Path,
        keep: bool,
        written: asyncio.Future[array[int]],
        *,
        dropped: int,
    ) -> None:
        """A page of files fed: their rows in one insert, each "queued" in the queue with its
        record (the `index`-th `written`). `dropped`: files of the batch that will not come
        (their assets left the catalog)."""
        downloads: list[Download] = []
        for index, asset in chosen:
            note = Note(folder, None, keep, written=written, index=index)
            download = Download(asset.title, folder, state="queued", kept=True, size=asset.size)
            downloads.append(download)
            handle = FileHandle()
            self._notes.hold(download.id, note)
            start = functools.partial(self._start_queued, asset, download, folder, note)
            self._queue.put(download, start, handle)
            files.track(handle)
        batch.arrived(downloads, dropped=dropped)
        if self._alive():
            self._downloads.add_all(downloads)
            self._box.show()

    def _start_queued(
        self, asset: Asset, download: Download, folder: Path, note: Note
    ) -> asyncio.Task[None]:
        return self._spawn(asset, download, self._to_folder(asset, folder, note), note=note)

    def _left_queue(self, download: Download) -> None:
        self._notes.release(download.id)
        for feed in self._feeds:
            feed.poke()

    def _ended(self, download: Download, task: asyncio.Task[None]) -> None:
        self._tasks_of.pop(download.id, None)
        if task.cancelled() and download.state == "queued":
            self._never_ran(download)

    def _never_ran(self, download: Download) -> None:
        """A queued file's task cancelled before its first step, so `DownloadRun` never saw it
        (a cancel just as its turn came): its row says so, paused or cancelled, and the user's
        cancel forgets its record (the queue releases its note after this)."""
        if self._queue.is_pausing(download.id):
            download.state = "paused"
        else:
            download.state, download.message = "cancelled", "Cancelled."
            note = self._notes.release(download.id)
            if download.id in self._cancelled and note is not None and not self._tasks.closing:
                self._tasks.spawn(self._notes.forget([note]), name="library.downloads.forget")
            self._cancelled.discard(download.id)
        if self._alive():
            self._downloads.changed(download)

    def _show_batch(self) -> None:
        batch = self.batch
        if batch is None or not self._alive():
            self._repaint.stop()
            return
        if batch.finished:
            self._repaint.stop()
        shown = batch.line(paused=self.paused) if batch.files > 1 else None
        self._box.show_batch(shown, running=not batch.finished)
        self._downloads.forget_saved()
