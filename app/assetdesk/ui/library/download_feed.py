"""Every "Download to folder" (one file, a selection, select all of 100,000, or what a quit left
to finish) fed to the queue a page at a time, as it runs low: the ids are an array, each page's
assets are read by id in a worker thread, and only the files of the pages fed so far have a row,
a handle and a place in the queue. The batch counts the rest as still to come.

A "Cancel all" stops the feed and forgets the records of the files never fed (one write); a quit
stops it and keeps them, for the next start. A file whose asset left the catalog meanwhile is
not fed and its record is forgotten. The caller holds a `FedFiles`: it ends once every file did.
"""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from assetdesk.services.library import Asset
from assetdesk.ui.library.download_queue import FileHandle

#: Files read from the catalog and fed to the queue together.
FEED_PAGE = 250
#: The queue is fed again once fewer than this many files wait in it.
LOW_WATER = 500

#: Reads assets by id in a worker thread (those the catalog no longer has are absent).
Read = Callable[[Sequence[int]], Awaitable[dict[int, Asset]]]
#: Feeds a page: its assets with each one's index in the selection, and how many were dropped.
Arrive = Callable[[list[tuple[int, Asset]], int], None]


@dataclass(eq=False)
class Feed:
    """`ids` in the order chosen; `pending` the ids of their records (same order), once
    written. `waiting()` says how many files wait in the queue."""

    ids: array[int]
    pending: asyncio.Future[array[int]]
    read: Read
    arrive: Arrive
    waiting: Callable[[], int]
    forget: Callable[[Sequence[int]], Awaitable[None]]
    #: The user's "Cancel all" came before every file was fed.
    cancelled: bool = False
    fed: int = 0
    _wanted: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> bool:
        return self.fed >= len(self.ids)

    def poke(self) -> None:
        """A file left the queue: the feed looks whether it runs low."""
        self._wanted.set()

    def cancel(self) -> int:
        """The user's "Cancel all": how many files will never be fed."""
        self.cancelled = True
        self._wanted.set()
        return len(self.ids) - self.fed

    async def run(self) -> None:
        while not self.done and not self.cancelled:
            if self.waiting() >= LOW_WATER:
                self._wanted.clear()
                await self._wanted.wait()
                continue
            first, end = self.fed, min(len(self.ids), self.fed + FEED_PAGE)
            page = self.ids[first:end]
            found = await self.read(page)
            if self.cancelled:
                break
            self.fed = end
            chosen = [(first + n, found[i]) for n, i in enumerate(page) if i in found]
            dropped = [first + n for n, i in enumerate(page) if i not in found]
            self.arrive(chosen, len(dropped))
            if dropped:
                records = await self.pending
                await self.forget([records[index] for index in dropped])
        if self.cancelled and not self.done:
            records = await self.pending
            self.fed, left = len(self.ids), records[self.fed :]
            await self.forget(left)


class FedFiles(asyncio.Future[None]):
    """Ends once every file of one "Download to folder" has ended: its feed over and each file it
    fed ended (a failed one says why on its row). Like `asyncio.gather` over the files, it ends
    cancelled when one of them did, or when a quit stopped the feed. Only the files still to end
    are held (select all of 100,000 is never 100,000 handles at once).

    Cancelling it does what a quit does to its files: the feed stops (the records of the files
    never fed are kept for the next start) and each file fed is cancelled as its handle's cancel
    would; it ends once they have."""

    def __init__(self) -> None:
        super().__init__()
        self._open: set[asyncio.Future[None]] = set()
        self._feeding: asyncio.Task[None] | None = None
        self._cut = False  # a file ended cancelled, or the feed was

    def fed_by(self, task: asyncio.Task[None]) -> None:
        """The task that feeds the files (it ends once every file was fed)."""
        self._feeding = task
        task.add_done_callback(self._feed_ended)

    def track(self, handle: FileHandle) -> None:
        """A file fed to the queue (its handle's cancel is the queue's already)."""
        self._open.add(handle)
        handle.add_done_callback(self._file_ended)

    def cancel(self, msg: object = None) -> bool:
        if self.done():
            return False
        self._cut = True
        if self._feeding is not None:
            self._feeding.cancel()
        for handle in list(self._open):
            handle.cancel()
        self._settle()
        return True

    def _file_ended(self, handle: asyncio.Future[None]) -> None:
        self._open.discard(handle)
        self._cut = self._cut or handle.cancelled()
        self._settle()

    def _feed_ended(self, task: asyncio.Task[None]) -> None:
        self._cut = self._cut or task.cancelled() or task.exception() is not None
        self._settle()

    def _settle(self) -> None:
        if self.done() or self._open or self._feeding is None or not self._feeding.done():
            return
        if self._cut:
            super().cancel()
        else:
            self.set_result(None)
