"""A selection of files to a folder reaching the downloads list and the queue a few hundred per
turn of the loop: the caller gets every file's handle at once, the first files' rows show at
once, and the rest follow without holding the loop (a "Download to folder" of 5,000 assets).

The files not yet arrived are counted by the batch (its line says "0 of 5000 saved" at once). A
"Cancel all" before they all arrived makes the rest arrive cancelled; a quit makes them arrive
at once, cancelled (their records kept for the next start, as a quit keeps every file's).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from assetdesk.ui.library.download_queue import FileHandle

#: Files that reach the list and the queue in one turn of the loop.
FILES_PER_TURN = 250


@dataclass(eq=False)
class Arrivals:
    """`arrive(first, end)` is called for each turn's files, in order, until all arrived."""

    count: int
    arrive: Callable[[int, int], None]
    handles: list[FileHandle] = field(default_factory=list)
    #: The user's "Cancel all" came before every file arrived.
    cancelled: bool = False
    arrived: int = 0

    def __post_init__(self) -> None:
        self.handles = [FileHandle() for _ in range(self.count)]

    @property
    def done(self) -> bool:
        return self.arrived >= self.count

    def next_turn(self) -> None:
        first, self.arrived = self.arrived, min(self.count, self.arrived + FILES_PER_TURN)
        self.arrive(first, self.arrived)

    async def run(self) -> None:
        """The turns after the first, one per turn of the loop."""
        try:
            while not self.done:
                await asyncio.sleep(0)
                self.next_turn()
        except asyncio.CancelledError:  # a quit: the rest arrive at once, cancelled
            for handle in self.handles[self.arrived :]:
                handle.end_cancelled()
            first, self.arrived = self.arrived, self.count
            self.arrive(first, self.count)
            raise
