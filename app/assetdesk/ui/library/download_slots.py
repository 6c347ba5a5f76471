"""The bound on how many of the Library's downloads to a folder run at once ("Files at once").

Plain asyncio (no Qt): a download takes a slot before its first request and gives it back when
it ends, however it ends. Waiters are served first come, first served, so a batch downloads in
the order it was chosen; the bound can change while files wait (a wider one starts more at once,
a narrower one lets the running ones finish and starts no more until they are under it).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator

from assetdesk.services.batch_download import segments_per_file
from assetdesk.transfer.options import DownloadOptions


class FileSlots:
    """At most `limit` holders at once."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one file at a time")
        self._limit = limit
        self._held = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def held(self) -> int:
        """How many slots are taken now."""
        return self._held

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    def segments_each(self, files: int) -> int:
        """Connections for each of `files` that share these slots: the batch's budget, max(files
        at once, a file's segments), shared by those that run together (as the CLI's batch:
        services/batch_download.py); a lone file keeps all its segments."""
        return segments_per_file(self._limit, DownloadOptions().segments, max(1, files))

    def set_limit(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("at least one file at a time")
        self._limit = limit
        self._grant()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for a slot, hold it for the body, give it back however the body ends."""
        await self.take()
        try:
            yield
        finally:
            self.give()

    def give(self) -> None:
        """Give back a slot that `take` gave."""
        self._held -= 1
        self._grant()

    async def take(self) -> None:
        """Wait for a slot and hold it until `give`."""
        if self._held < self._limit and not self._waiters:
            self._held += 1
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                # Granted just as it was cancelled: the slot goes to the next one waiting.
                self.give()
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
            raise

    def _grant(self) -> None:
        while self._waiters and self._held < self._limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._held += 1
                waiter.set_result(None)
