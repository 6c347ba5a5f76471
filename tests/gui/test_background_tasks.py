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


def test_a_task_nobody_else_holds_is_not_garbage_collected(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, arun: Any
) -> None:
    """asyncio keeps only weak references to tasks: the owner's reference is what keeps a task
    whose awaited future nobody else holds from vanishing mid-flight."""
    import gc
    import weakref

    owner = BackgroundTasks()
    awaited: list[weakref.ref[asyncio.Future[None]]] = []
    finished: list[str] = []

    async def job() -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        awaited.append(weakref.ref(future))
        await future
        finished.append("job")

    owner.spawn(job(), name="unreferenced")  # the returned task is dropped on purpose
    qtbot.waitUntil(lambda: bool(awaited))
    gc.collect()
    future = awaited[0]()
    assert future is not None, "the task and its future were garbage-collected"
    future.set_result(None)
    qtbot.waitUntil(lambda: finished == ["job"])
    arun(owner.aclose())


@pytest.mark.allow_error_logs  # a task that ignores cancellation is reported as an error
def test_aclose_gives_up_on_a_task_that_ignores_cancellation(
    qtbot: QtBot, qloop: asyncio.AbstractEventLoop, arun: Any, caplog: pytest.LogCaptureFixture
) -> None:
    owner = BackgroundTasks()
    release = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await release.wait()  # refuses to stop until released

    task = owner.spawn(stubborn(), name="stubborn")
    qtbot.waitUntil(lambda: owner.names() == ["stubborn"])
    arun(owner.aclose(grace=0.2))
    assert not task.done()
    assert "task stubborn ignored cancellation" in caplog.text
    release.set()
    qtbot.waitUntil(task.done)
