"""The owner of every background task the window starts.

asyncio keeps only weak references to tasks, so a task nobody holds can vanish mid-flight. The
window hands every coroutine to one `BackgroundTasks`: it keeps a strong reference until the task
ends, names it, logs what it raised, lets a newer task supersede an older one with the same key
(a second "Test connection" click cancels the first), and cancels and awaits them all on shutdown.
Qt-free on purpose: it is plain asyncio and works on any running loop, qasync's included.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from assetdesk.core.errors import AssetDeskError

log = logging.getLogger("assetdesk.ui.tasks")

T = TypeVar("T")

#: Called with the task's name and the exception it raised (not for cancellation).
ErrorCallback = Callable[[str, BaseException], None]


class BackgroundTasks:
    """Strong references, names, error logging and orderly cancellation for background tasks."""

    def __init__(self, *, on_error: ErrorCallback | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._by_key: dict[str, asyncio.Task[Any]] = {}
        self._on_error = on_error
        self._closing = False

    def __len__(self) -> int:
        return len(self._tasks)

    @property
    def closing(self) -> bool:
        """True once `close()` or `aclose()` ran (the window closed): no new task is accepted."""
        return self._closing

    def names(self) -> list[str]:
        """The names of the tasks still running, sorted (for logs and tests)."""
        return sorted(task.get_name() for task in self._tasks)

    def spawn(
        self,
        coro: Coroutine[Any, Any, T],
        *,
        name: str,
        key: str | None = None,
    ) -> asyncio.Task[T]:
        """Start `coro` as a task named `name` on the running loop and keep it until it ends.

        With `key`, a still-running task started with the same key is cancelled first: the newer
        request supersedes the older one.
        """
        if self._closing:
            coro.close()
            raise RuntimeError(f"cannot start {name!r}: the window is shutting down")
        if key is not None:
            previous = self._by_key.pop(key, None)
            if previous is not None and not previous.done():
                log.debug("task %s supersedes %s", name, previous.get_name())
                previous.cancel()
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        if key is not None:
            self._by_key[key] = task
        task.add_done_callback(lambda done: self._finished(done, key))
        return task

    def cancel(self, key: str) -> bool:
        """Cancel the running task started with `key`; True when there was one."""
        task = self._by_key.pop(key, None)
        if task is None or task.done():
            return False
        task.cancel()
        return True

    def _finished(self, task: asyncio.Task[Any], key: str | None) -> None:
        self._tasks.discard(task)
        if key is not None and self._by_key.get(key) is task:
            del self._by_key[key]
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        if isinstance(error, AssetDeskError):
            # An expected failure the UI shows on its item; the log keeps the kind, not a traceback.
            log.warning("task %s failed: %s (%s)", task.get_name(), error, error.kind)
        else:
            log.error("task %s crashed", task.get_name(), exc_info=error)
        if self._on_error is not None:
            self._on_error(task.get_name(), error)

    def close(self) -> None:
        """Accept no new task and cancel every running one, without waiting (`aclose` waits).

        The window calls it as it closes: a task resumed after its widgets are gone would find
        deleted Qt objects.
        """
        self._closing = True
        for task in self._tasks:
            if not task.done():
                task.cancel()

    async def aclose(self, grace: float = 10.0) -> None:
        """Cancel every task and wait until all of them have ended (or `grace` seconds pass)."""
        self.close()
        pending = [task for task in self._tasks if not task.done()]
        if not pending:
            return
        log.debug("cancelling %d task(s): %s", len(pending), self.names())
        _done, still_running = await asyncio.wait(pending, timeout=grace)
        for task in still_running:
            log.error("task %s ignored cancellation for %.0f s", task.get_name(), grace)
