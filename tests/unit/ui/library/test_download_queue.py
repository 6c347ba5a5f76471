"""The queue of downloads to a folder (ui/library/download_queue.py): files start in the order
chosen under the bound, a pause stops them and puts the running ones back at the head in their
order, and a handle cancelled ends its file as a task's cancel would. Each file's work here is a
plain coroutine that waits for the test (the real transfers are in tests/gui)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from assetdesk.ui.library.download_queue import FileHandle, FolderQueue
from assetdesk.ui.library.download_slots import FileSlots
from assetdesk.ui.library.downloads import Download


async def _settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


class World:
    """A queue whose files record when they start and end when the test says."""

    def __init__(self, limit: int) -> None:
        self.started: list[str] = []
        self.finish = asyncio.Event()
        self.tasks: set[asyncio.Task[None]] = set()
        self.ended: list[str] = []
        self.queue = FolderQueue(
            FileSlots(limit),
            self.spawn,
            changed=lambda download: None,
            ended=lambda download: self.ended.append(download.title),
        )

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.add(task)
        return task

    def put(self, title: str) -> tuple[Download, asyncio.Future[None]]:
        download = Download(title, Path("/tmp"), state="queued")

        async def work() -> None:
            download.state = "running"
            self.started.append(title)
            try:
                await self.finish.wait()
            except asyncio.CancelledError:
                paused = self.queue.is_pausing(download.id)
                download.state = "paused" if paused else "cancelled"
                raise
            download.state = "done"

        handle = FileHandle()
        self.queue.put(download, lambda: self.spawn(work(), title), handle)
        return download, handle


def test_a_pause_puts_the_running_files_back_first_and_resume_goes_on_in_order() -> None:
    async def scenario() -> None:
        world = World(2)
        files = [world.put(name) for name in "abcde"]
        await _settle()
        assert world.started == ["a", "b"]
        world.queue.pause()
        await _settle()
        assert [d.state for d, _ in files] == ["paused", "paused", "queued", "queued", "queued"]
        assert not any(handle.done() for _, handle in files)
        await _settle()
        assert world.started == ["a", "b"]  # nothing starts while paused
        world.queue.resume()
        await _settle()
        assert world.started == ["a", "b", "a", "b"]  # the paused ones first, in their order
        world.finish.set()
        await asyncio.gather(*(handle for _, handle in files))
        assert world.started == ["a", "b", "a", "b", "c", "d", "e"]
        assert [d.state for d, _ in files] == ["done"] * 5
        assert sorted(world.ended) == list("abcde")

    asyncio.run(scenario())


def test_a_cancelled_handle_ends_a_waiting_file_at_once_and_a_running_one_with_its_task() -> None:
    async def scenario() -> None:
        world = World(1)
        (running, first), (waiting, second), (last, third) = [world.put(n) for n in "abc"]
        await _settle()
        assert second.cancel() and second.cancelled()  # a waiting file: at once
        assert waiting.state == "cancelled" and world.ended == ["b"]
        assert first.cancel() and not first.done()  # a running one: once its task has ended
        assert running.state == "running"
        await _settle()
        assert first.cancelled() and running.state == "cancelled"
        assert world.started == ["a", "c"]  # the slot went to the next one still waiting
        world.finish.set()
        await third
        assert last.state == "done"

    asyncio.run(scenario())


def test_a_paused_file_cancelled_ends_and_is_not_resumed() -> None:
    async def scenario() -> None:
        world = World(1)
        (paused, handle), (waiting, other) = [world.put(n) for n in "ab"]
        await _settle()
        world.queue.pause()
        await _settle()
        assert paused.state == "paused" and world.queue.holds(paused)
        world.queue.drop(paused)
        assert handle.cancelled() and paused.state == "cancelled"
        world.queue.resume()
        world.finish.set()
        await other
        assert world.started == ["a", "b"] and waiting.state == "done"

    asyncio.run(scenario())
