"""Waiting on a condition with a deadline, outside Qt (in the window's tests, `qtbot.waitUntil`).

`wait_until` polls from plain code (a child process, a file, the sandbox), `wait_until_async`
from a coroutine, letting the loop run between looks (its condition may be a coroutine, for a
look that blocks: `lambda: asyncio.to_thread(...)`). Both fail with what they waited for.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

#: What was awaited, for the failure: a sentence, or a function that says how things stand.
What = str | Callable[[], str]


def _timed_out(what: What, timeout: float) -> AssertionError:
    said = what if isinstance(what, str) else what()
    return AssertionError(f"timed out after {timeout} s waiting until {said}")


def wait_until(
    condition: Callable[[], object], what: What, timeout: float = 10, interval: float = 0.02
) -> None:
    """Return once `condition()` is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise _timed_out(what, timeout)
        time.sleep(interval)


async def wait_until_async(
    condition: Callable[[], object], what: What, timeout: float = 10, interval: float = 0.01
) -> None:
    """Return once `condition()` is true, the loop running meanwhile; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return
        if time.monotonic() > deadline:
            raise _timed_out(what, timeout)
        await asyncio.sleep(interval)
