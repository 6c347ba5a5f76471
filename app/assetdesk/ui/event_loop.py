"""The app's asyncio loop: qasync's, with delayed calls that let go when they are cancelled.

qasync runs each `call_later`/`call_at` on a Qt timer and keeps the handle until the timer fires,
cancelled or not. HTTP timeouts are such calls (httpcore's, through anyio: one per read and write,
cancelled as soon as the bytes come), so every request left its timeouts waiting out their full
time with their Qt timers and whatever their callbacks held: a scroll through 100,000 assets (a
thumbnail fetched per tile) ended with 16,000 cancelled handles alive. Here a delayed call is an
`asyncio.TimerHandle` whose Qt timer is killed the moment it is cancelled (asyncio's own hook:
`TimerHandle.cancel` tells its loop, `_timer_handle_cancelled`). Calls due now stay qasync's.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QObject, QTimerEvent


class _DelayedCall(asyncio.TimerHandle):
    """A `TimerHandle` that knows its Qt timer."""

    __slots__ = ("timer_id",)

    timer_id: int


class _DelayedCalls(QObject):
    """Qt timers for the loop's delayed calls, by timer id; a cancelled call's timer is killed."""

    def __init__(self) -> None:
        super().__init__()
        self._calls: dict[int, _DelayedCall] = {}
        self._stopped = False

    def __len__(self) -> int:
        return len(self._calls)

    def add(self, call: _DelayedCall, delay: float) -> None:
        call.timer_id = self.startTimer(max(0, round(delay * 1000)))
        self._calls[call.timer_id] = call

    def drop(self, call: _DelayedCall) -> None:
        if self._calls.pop(call.timer_id, None) is not None:
            self.killTimer(call.timer_id)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)
        call = self._calls.pop(timer_id, None)
        if call is not None and not call.cancelled() and not self._stopped:
            call._run()

    def stop(self) -> None:
        self._stopped = True
        for timer_id in self._calls:
            self.killTimer(timer_id)
        self._calls.clear()


class AppEventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop whose delayed calls are let go (their Qt timers killed) when cancelled."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._delayed = _DelayedCalls()
        super().__init__(*args, **kwargs)

    def delayed_calls(self) -> int:
        """How many delayed calls wait (cancelled ones are not among them)."""
        return len(self._delayed)

    def call_later(
        self,
        delay: float,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        if delay <= 0:
            return super().call_later(0, callback, *args, context=context)  # type: ignore[no-any-return]
        return self.call_at(self.time() + delay, callback, *args, context=context)

    def call_at(
        self,
        when: float,
        callback: Callable[..., object],
        *args: Any,
        context: contextvars.Context | None = None,
    ) -> asyncio.Handle:
        delay = when - self.time()
        if delay <= 0:
            return super().call_later(0, callback, *args, context=context)  # type: ignore[no-any-return]
        if asyncio.iscoroutinefunction(callback) or not callable(callback):
            raise TypeError(f"a delayed call needs a plain callable, not {callback!r}")
        call = _DelayedCall(when, callback, args, self, context)
        call._scheduled = True  # type: ignore[attr-defined]  # its cancel() then tells this loop
        self._delayed.add(call, delay)
        return call

    def _timer_handle_cancelled(self, handle: asyncio.TimerHandle) -> None:
        if isinstance(handle, _DelayedCall):
            self._delayed.drop(handle)

    def close(self) -> None:
        super().close()
        self._delayed.stop()
