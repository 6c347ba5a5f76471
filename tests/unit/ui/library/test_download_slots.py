"""The bound on files at once (ui/library/download_slots.py): first come, first served, a bound
changed while files wait, and a waiter cancelled before or just as its turn comes."""

from __future__ import annotations

import asyncio

import pytest

from assetdesk.ui.library.download_slots import FileSlots


async def _hold(slots: FileSlots, name: str, order: list[str], release: asyncio.Event) -> None:
    async with slots.slot():
        order.append(name)
        await release.wait()


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_at_most_the_limit_hold_a_slot_and_the_rest_come_in_order() -> None:
    async def scenario() -> None:
        slots = FileSlots(2)
        order: list[str] = []
        release = asyncio.Event()
        tasks = [asyncio.create_task(_hold(slots, str(i), order, release)) for i in range(5)]
        await _settle()
        assert (order, slots.held, slots.waiting) == (["0", "1"], 2, 3)
        release.set()
        await asyncio.gather(*tasks)
        assert order == ["0", "1", "2", "3", "4"] and slots.held == 0

    asyncio.run(scenario())


def test_a_wider_bound_starts_more_and_a_narrower_one_starts_none_until_under_it() -> None:
    async def scenario() -> None:
        slots = FileSlots(1)
        order: list[str] = []
        gates = [asyncio.Event() for _ in range(5)]
        tasks = [asyncio.create_task(_hold(slots, str(i), order, gates[i])) for i in range(5)]
        await _settle()
        assert order == ["0"]
        slots.set_limit(3)
        await _settle()
        assert order == ["0", "1", "2"] and slots.held == 3
        slots.set_limit(1)
        gates[0].set()
        gates[1].set()
        await _settle()
        assert order == ["0", "1", "2"] and slots.held == 1  # still at the new bound
        gates[2].set()
        await _settle()
        assert order == ["0", "1", "2", "3"]
        gates[3].set()
        gates[4].set()
        await asyncio.gather(*tasks)
        with pytest.raises(ValueError):
            slots.set_limit(0)

    asyncio.run(scenario())


def test_a_cancelled_waiter_gives_its_turn_to_the_next_one() -> None:
    async def scenario() -> None:
        slots = FileSlots(1)
        order: list[str] = []
        release = asyncio.Event()
        first = asyncio.create_task(_hold(slots, "first", order, release))
        second = asyncio.create_task(_hold(slots, "second", order, release))
        third = asyncio.create_task(_hold(slots, "third", order, release))
        await _settle()
        second.cancel()  # while it waits
        await _settle()
        assert slots.waiting == 1
        release.set()
        await asyncio.gather(first, third)
        assert order == ["first", "third"] and second.cancelled() and slots.held == 0

    asyncio.run(scenario())


def test_a_waiter_cancelled_just_as_its_turn_comes_hands_the_slot_on() -> None:
    async def scenario() -> None:
        slots = FileSlots(1)
        order: list[str] = []
        release = asyncio.Event()
        first = asyncio.create_task(_hold(slots, "first", order, release))
        await _settle()
        second = asyncio.create_task(_hold(slots, "second", order, release))
        third = asyncio.create_task(_hold(slots, "third", order, release))
        await _settle()
        slots.set_limit(2)  # the new slot is granted to `second`, which has not run since
        second.cancel()
        await _settle()
        assert order == ["first", "third"] and second.cancelled() and slots.held == 2
        release.set()
        await asyncio.gather(first, third)
        assert slots.held == 0

    asyncio.run(scenario())
