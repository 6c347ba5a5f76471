"""What the caller of a "Download to folder" holds (ui/library/download_feed.py's FedFiles): it
ends once the feed is over and every file it fed has ended, cancelled when one of them was, and
its cancel stops the feed and cancels each file fed. The feed here is a task that waits for the
test and the files are bare handles (the real feed, queue and transfers are in tests/gui)."""

from __future__ import annotations

import asyncio

from assetdesk.ui.library.download_feed import FedFiles
from assetdesk.ui.library.download_queue import FileHandle


async def _settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


class Feeding:
    """A feed task that feeds when the test says, and ends when the test says."""

    def __init__(self) -> None:
        self.files = FedFiles()
        self.over = asyncio.Event()
        self.task = asyncio.get_running_loop().create_task(self._run())
        self.files.fed_by(self.task)

    async def _run(self) -> None:
        await self.over.wait()

    def feed(self, count: int) -> list[FileHandle]:
        handles = [FileHandle() for _ in range(count)]
        for handle in handles:
            self.files.track(handle)
        return handles


def test_it_ends_once_the_feed_is_over_and_every_file_fed_has_ended() -> None:
    async def scenario() -> None:
        feeding = Feeding()
        first = feeding.feed(2)
        for handle in first:
            handle.set_result(None)
        await _settle()
        assert not feeding.files.done()  # the feed may feed more
        (last,) = feeding.feed(1)
        feeding.over.set()
        await _settle()
        assert not feeding.files.done()  # its last file still runs
        last.set_result(None)
        await _settle()
        assert feeding.files.done() and feeding.files.result() is None

    asyncio.run(scenario())


def test_a_file_that_ended_cancelled_ends_it_cancelled_once_the_others_have_ended() -> None:
    async def scenario() -> None:
        feeding = Feeding()
        cancelled, other = feeding.feed(2)
        feeding.over.set()
        cancelled.cancel()
        await _settle()
        assert not feeding.files.done()
        other.set_result(None)
        await _settle()
        assert feeding.files.cancelled()

    asyncio.run(scenario())


def test_cancelling_it_stops_the_feed_and_cancels_each_file_fed() -> None:
    async def scenario() -> None:
        feeding = Feeding()
        done, running = feeding.feed(2)
        done.set_result(None)
        ends = asyncio.Event()
        running.on_cancel = ends.set  # a running file ends once its task has
        await _settle()
        assert feeding.files.cancel()
        await _settle()
        assert feeding.task.cancelled() and ends.is_set()
        assert not feeding.files.done()
        running.end_cancelled()
        await _settle()
        assert feeding.files.cancelled()
        assert not feeding.files.cancel()  # ended already

    asyncio.run(scenario())
