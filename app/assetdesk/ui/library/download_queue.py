"""The Library's downloads to a folder waiting for their turn, and the one task that starts them.

Plain asyncio (no Qt). How a file goes:

1. It is put in the queue as soon as it is chosen, with a handle (a future that ends when the
   file does). No task exists for it until it starts: a batch of thousands is thousands of
   small records and one task, not thousands of tasks woken at once.
2. The queue's one task (its runner) takes a slot of "Files at once" (download_slots.py) for
   the next file in the order chosen, then starts the file's own task; the slot is given back
   when that task ends, however it ends.
3. Pause stops starting files and cancels the running ones as *pausing*: each ends as paused
   (its `.part` kept), and goes back to the head of the queue in its order. Resume starts them
   again: each goes on from its `.part` with a Range.
4. A handle cancelled from outside (a quit) cancels its file: a running one's task, a waiting or
   paused one's row. The user's cancel of a file that waits is `drop`.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from assetdesk.ui.library.download_slots import FileSlots
from assetdesk.ui.library.downloads import Download

log = logging.getLogger("assetdesk.ui.library.downloads")

#: Starts a file's own task (its slot is held already).
Start = Callable[[], "asyncio.Task[None]"]
#: Starts the queue's runner as a task the window keeps (and cancels when it closes).
Spawn = Callable[[Coroutine[Any, Any, None], str], "asyncio.Task[None]"]


class FileHandle(asyncio.Future[None]):
    """Ends when its file does. Cancelling it cancels the file as a task's cancel would: a
    running file's task is cancelled and the handle ends once that task has; a waiting or
    paused one ends at once, its row saying so."""

    def __init__(self) -> None:
        super().__init__()
        self.on_cancel: Callable[[], None] = self.end_cancelled

    def cancel(self, msg: Any = None) -> bool:
        if self.done():
            return False
        self.on_cancel()
        return True

    def end_cancelled(self) -> None:
        super().cancel()


@dataclass(eq=False)
class QueuedFile:
    download: Download
    order: int
    handle: FileHandle
    start: Start
    task: asyncio.Task[None] | None = None


class FolderQueue:
    """Files waiting for a slot of `slots`; `changed(download)` repaints a row whose state the
    queue changed (a waiting file cancelled, a paused one queued again); `ended(download)` is
    told when a file leaves the queue for good, however it ended."""

    def __init__(
        self,
        slots: FileSlots,
        spawn: Spawn,
        *,
        changed: Callable[[Download], None],
        ended: Callable[[Download], None],
    ) -> None:
        self._slots = slots
        self._spawn = spawn
        self._changed = changed
        self._ended_file = ended
        self._waiting: collections.deque[QueuedFile] = collections.deque()
        self._paused_files: list[QueuedFile] = []
        self._files: dict[int, QueuedFile] = {}  # by download id, until each ends
        self._pausing: set[int] = set()
        self._paused = False
        self._unpaused = asyncio.Event()
        self._unpaused.set()
        self._runner: asyncio.Task[None] | None = None
        self._orders = itertools.count()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def count(self) -> int:
        """Files queued, running or paused: those that share the connection budget."""
        return len(self._files)

    @property
    def waiting(self) -> int:
        """Files queued that have not started (what a selection's feed keeps topped up)."""
        return len(self._waiting)

    def put(self, download: Download, start: Start, handle: FileHandle) -> None:
        """Queue a file (its row is "queued") with the handle that ends when it does."""
        file = QueuedFile(download, next(self._orders), handle, start)
        handle.on_cancel = functools.partial(self._cancel, file)
        self._files[download.id] = file
        self._waiting.append(file)
        self._start_runner()

    def holds(self, download: Download) -> bool:
        """Whether `download` waits in the queue or is paused (not running, not ended)."""
        file = self._files.get(download.id)
        return file is not None and (file.task is None or file.task.done())

    def drop(self, download: Download) -> None:
        """The user's cancel of a file that waits or is paused: its row says so."""
        if self.holds(download):
            self._files[download.id].handle.cancel()

    def is_pausing(self, download_id: int) -> bool:
        """Whether the file's task is being cancelled by a pause (it ends as paused)."""
        return download_id in self._pausing

    def pause(self) -> None:
        """Start no more files; the running ones end as paused and wait for `resume`."""
        if self._paused:
            return
        self._paused = True
        self._unpaused.clear()
        for file in self._files.values():
            if file.task is not None and not file.task.done():
                self._pausing.add(file.download.id)
                file.task.cancel()

    def resume(self) -> None:
        """Start files again, the paused ones first in their order."""
        if not self._paused:
            return
        self._paused = False
        again = sorted(self._paused_files, key=lambda file: file.order)
        self._paused_files.clear()
        for file in again:
            file.task = None
            file.download.state = "queued"
            self._changed(file.download)
        self._waiting.extendleft(reversed(again))
        self._unpaused.set()
        if again:
            self._start_runner()

    def _start_runner(self) -> None:
        if self._runner is None or self._runner.done():
            self._runner = self._spawn(self._run(), "library.downloads.queue")

    async def _run(self) -> None:
        try:
            while self._waiting:
                await self._unpaused.wait()
                await self._slots.take()
                file = self._next()
                if file is None or self._paused:
                    if file is not None:
                        self._waiting.appendleft(file)
                    self._slots.give()
                    continue
                self._begin(file)
        except asyncio.CancelledError:  # a quit: what waits is cancelled (kept for next time)
            for file in [*self._waiting, *self._paused_files]:
                file.handle.cancel()
            raise

    def _next(self) -> QueuedFile | None:
        while self._waiting:
            file = self._waiting.popleft()
            if not file.handle.done():
                return file
        return None

    def _begin(self, file: QueuedFile) -> None:
        try:
            file.task = file.start()
        except RuntimeError:  # the window is shutting down
            self._slots.give()
            file.handle.cancel()
            return
        file.task.add_done_callback(functools.partial(self._ended, file))

    def _ended(self, file: QueuedFile, task: asyncio.Task[None]) -> None:
        self._slots.give()
        paused = file.download.id in self._pausing and task.cancelled()
        self._pausing.discard(file.download.id)
        if paused and not file.handle.done():
            self._paused_files.append(file)
            return
        self._files.pop(file.download.id, None)
        if not file.handle.done():
            if task.cancelled():
                file.handle.end_cancelled()
            else:
                file.handle.set_result(None)
            self._ended_file(file.download)

    def _cancel(self, file: QueuedFile) -> None:
        """`file`'s handle was cancelled (a quit, or the user's cancel of a waiting file)."""
        if file.task is not None and not file.task.done():
            file.task.cancel()  # it ends as its task says (cancelled, its record kept)
            return
        self._files.pop(file.download.id, None)
        if file in self._paused_files:
            self._paused_files.remove(file)
        if file.download.state in ("queued", "paused"):
            file.download.state, file.download.message = "cancelled", "Cancelled."
            self._changed(file.download)
        file.handle.end_cancelled()
        self._ended_file(file.download)
