"""BackgroundTasks on the qasync loop: references, supersession, errors, shutdown."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from assetdesk.core.errors import NetworkError
from assetdesk.ui.tasks import BackgroundTasks


def test_tasks_are_held_until_done_and_newer_supersedes_older(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, arun: Any
) -> None:
    owner = BackgroundTasks()
    release = asyncio.Event()

    async def wait_for_release() -> str:
        await release.wait()
        return "done"

    first = owner.spawn(wait_for_release(), name="check[1]", key="check")
    other = owner.spawn(wait_for_release(), name="reload")
    assert owner.names() == ["check[1]", "reload"]
    second = owner.spawn(wait_for_release(), name="check[2]", key="check")
    qtbot.waitUntil(first.done)
    assert first.cancelled()
    release.set()
    qtbot.waitUntil(lambda: second.done() and other.done())
    assert second.result() == "done"
    assert len(owner) == 0
    arun(owner.aclose())


@pytest.mark.allow_error_logs  # a crashed task must be logged as an error
def test_errors_are_logged_and_reported(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[tuple[str, BaseException]] = []
    owner = BackgroundTasks(on_error=lambda name, error: seen.append((name, error)))

    async def fail_typed() -> None:
        raise NetworkError("The sandbox cannot be reached.")

    async def crash() -> None:
        raise ValueError("bug")

    with caplog.at_level(logging.WARNING, logger="assetdesk.ui.tasks"):
        owner.spawn(fail_typed(), name="typed")
        owner.spawn(crash(), name="crash")
        qtbot.waitUntil(lambda: len(seen) == 2)
    assert sorted(name for name, _ in seen) == ["crash", "typed"]
    records = {r.getMessage(): r.levelno for r in caplog.records}
    assert records["task typed failed: The sandbox cannot be reached. (network)"] == logging.WARNING
    assert records["task crash crashed"] == logging.ERROR


def test_aclose_cancels_everything_and_refuses_new_work(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, arun: Any
) -> None:
    owner = BackgroundTasks()
    cleaned: list[str] = []

    async def long_job(name: str) -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append(name)

    jobs = [owner.spawn(long_job(f"job{i}"), name=f"job{i}") for i in range(3)]
    arun(owner.aclose())
    assert all(job.cancelled() for job in jobs)
    assert sorted(cleaned) == ["job0", "job1", "job2"]
    assert owner.closing and len(owner) == 0

    async def late() -> None:
        return None

    with pytest.raises(RuntimeError, match="shutting down"):
        owner.spawn(late(), name="late")
