"""The app's loop (ui/event_loop.py): delayed calls run when due, in order, and a cancelled one
lets go of its Qt timer and its callback at once (qasync's own kept both until the time came)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import httpx
from pytestqt.qtbot import QtBot

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.ui.event_loop import AppEventLoop


class Holder:
    """Something a callback holds (a request's state, in the app)."""

    def poke(self) -> None:
        raise AssertionError("a cancelled call ran")


def test_a_cancelled_delayed_call_lets_go_of_its_callback_at_once(qloop: AppEventLoop) -> None:
    holder = Holder()
    held = weakref.ref(holder)
    handle = qloop.call_later(60, holder.poke)
    assert qloop.delayed_calls() == 1
    handle.cancel()
    del holder, handle
    gc.collect()
    assert held() is None, "the cancelled call still holds its callback"
    assert qloop.delayed_calls() == 0


def test_delayed_calls_run_when_due_in_order_and_a_cancelled_one_never(
    qloop: AppEventLoop, qtbot: QtBot
) -> None:
    ran: list[str] = []
    qloop.call_later(0.12, ran.append, "third")
    qloop.call_at(qloop.time() + 0.06, ran.append, "second")
    qloop.call_later(0.02, ran.append, "first")
    qloop.call_later(0.04, Holder().poke).cancel()
    qloop.call_at(qloop.time() - 1, ran.append, "now")  # due already: at once
    start = qloop.time()
    qtbot.waitUntil(lambda: len(ran) == 4, timeout=5000)
    assert ran == ["now", "first", "second", "third"]
    assert qloop.time() - start >= 0.1  # the last one waited for its time
    assert qloop.delayed_calls() == 0


def test_http_requests_leave_no_timeouts_waiting(sb: SandboxProcess, arun: Any) -> None:
    """Each request's timeouts are delayed calls cancelled as soon as the bytes come: after 200
    requests none waits (qasync alone kept every one for its whole timeout)."""

    async def requests() -> int:
        loop = asyncio.get_running_loop()
        assert isinstance(loop, AppEventLoop)
        async with httpx.AsyncClient(base_url=sb.api_url, timeout=60) as client:
            for _ in range(200):
                await client.get("/health")
            return loop.delayed_calls()

    assert arun(requests(), timeout_ms=60_000) <= 2
