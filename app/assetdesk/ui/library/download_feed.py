"""A large selection of files to a folder (select all of 100,000, or what a quit left to finish)
fed to the queue a page at a time, as it runs low: the ids are an array, each page's assets are
read by id in a worker thread, and only the files of the pages fed so far have a row, a handle
and a place in the queue. The batch counts the rest as still to come.

A "Cancel all" stops the feed and forgets the records of the files never fed (one write); a quit
stops it and keeps them, for the next start. A file whose asset left the catalog meanwhile is
not fed and its record is forgotten.
"""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from assetdesk.services.library import Asset

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
