"""A selection's files arriving in turns (ui/library/download_arrivals.py): every handle at once,
the files a few hundred per turn of the loop, and on a quit the rest at once, cancelled."""

from __future__ import annotations

import asyncio
import contextlib

from assetdesk.ui.library.download_arrivals import FILES_PER_TURN, Arrivals


def test_files_arrive_in_turns_in_order() -> None:
    async def scenario() -> None:
        turns: list[tuple[int, int]] = []
        arrivals = Arrivals(2 * FILES_PER_TURN + 10, lambda first, end: turns.append((first, end)))
        assert len(arrivals.handles) == 2 * FILES_PER_TURN + 10
        arrivals.next_turn()
        assert turns == [(0, FILES_PER_TURN)] and not arrivals.done
        await arrivals.run()
        assert turns == [
            (0, FILES_PER_TURN),
            (FILES_PER_TURN, 2 * FILES_PER_TURN),
            (2 * FILES_PER_TURN, 2 * FILES_PER_TURN + 10),
        ]
        assert arrivals.done and not any(handle.done() for handle in arrivals.handles)

    asyncio.run(scenario())


def test_a_quit_makes_the_rest_arrive_at_once_cancelled() -> None:
    async def scenario() -> None:
        turns: list[tuple[int, int]] = []
        arrivals = Arrivals(3 * FILES_PER_TURN, lambda first, end: turns.append((first, end)))
        arrivals.next_turn()
        task = asyncio.create_task(arrivals.run())
        await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert turns[-1][1] == 3 * FILES_PER_TURN and arrivals.done
        first_cancelled = turns[-1][0]
        assert first_cancelled < 3 * FILES_PER_TURN
        handles = arrivals.handles
        assert all(handle.cancelled() for handle in handles[first_cancelled:])
        assert not any(handle.done() for handle in handles[:first_cancelled])

    asyncio.run(scenario())
