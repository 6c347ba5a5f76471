"""The Library's thumbnail wishes scrolled past are dropped a few per turn of the loop: after a
long scroll there are hundreds, and dropping them all in one turn stalled the window."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.helpers.library_assets import listed_asset
from tests.helpers.waiting import wait_until_async

from assetdesk.services.app import AppServices
from assetdesk.store.library import Asset
from assetdesk.ui.library.model import LibraryModel
from assetdesk.ui.library.thumbnail_queue import SKIPPED_PER_TURN, WISHES_KEPT, ThumbnailQueue
from assetdesk.ui.tasks import BackgroundTasks
from assetdesk.ui.thumbnails import ThumbnailMaker


def asset(number: int) -> Asset:
    return listed_asset(number, mime="image/png")


def test_wishes_scrolled_past_are_dropped_a_few_per_turn(
    qapp: Any, services: AppServices, tasks: BackgroundTasks, arun: Any, tmp_path: Path
) -> None:
    maker = ThumbnailMaker(size=64, cache_dir=tmp_path / "thumbnails")
    asked: list[int] = []
    queue = ThumbnailQueue(
        maker,
        services.library,
        tasks,
        LibraryModel(),
        on_screen=lambda asset_id: asked.append(asset_id) is not None,  # all scrolled past
        alive=lambda: True,
    )
    left: list[int] = []

    async def scroll_past() -> None:
        for number in range(1, 1001):
            queue.want(asset(number))
        asyncio.get_running_loop().call_soon(lambda: left.append(1000 - len(asked)))
        await wait_until_async(lambda: len(asked) == 1000, "every wish was looked at")

    arun(scroll_past())
    assert sorted(asked) == list(range(1, 1001))  # each looked at once, newest first
    assert asked[0] == 1000
    # The loop ran between: after the workers' first turn most wishes were still waiting.
    assert left and left[0] >= 1000 - 4 * SKIPPED_PER_TURN


def test_only_the_newest_wishes_are_kept_the_older_are_asked_again_when_painted(
    qapp: Any, services: AppServices, tasks: BackgroundTasks, arun: Any, tmp_path: Path
) -> None:
    """A fast scroll paints rows faster than thumbnails are made: the wishes it leaves behind
    are bounded (each held its asset: 68,000 after a scroll through 100,000)."""
    maker = ThumbnailMaker(size=64, cache_dir=tmp_path / "thumbnails")
    model = LibraryModel()
    forgotten: list[int] = []
    model.forget_asked = forgotten.append  # type: ignore[method-assign]
    looked_at: list[int] = []
    queue = ThumbnailQueue(
        maker,
        services.library,
        tasks,
        model,
        on_screen=lambda asset_id: looked_at.append(asset_id) is not None,  # all scrolled past
        alive=lambda: True,
    )
    painted = 3 * WISHES_KEPT

    async def scroll_fast() -> None:
        for number in range(1, painted + 1):  # painted before the workers' first turn
            queue.want(asset(number))
        await wait_until_async(lambda: len(looked_at) == WISHES_KEPT, "the kept wishes looked at")
        await asyncio.sleep(0.05)

    arun(scroll_fast())
    kept = list(range(painted - WISHES_KEPT + 1, painted + 1))
    assert sorted(looked_at) == kept  # the older ones were never looked at
    # Every wish dropped, unlooked-at or scrolled past, is asked for again when painted again.
    assert sorted(forgotten) == list(range(1, painted + 1))
