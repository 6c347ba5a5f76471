"""The offline sandbox as a child process of the app, started and stopped off the event loop.

`SandboxProcess.start()` blocks until the child reports its ports (a second or two), so it runs on
a worker thread while the loop (and the window on it) stays responsive. Whatever happens — the
window is closed while the child is still starting, or the start-up fails half way — `stop()`
waits for the start to settle and then stops the child, so `assetdesk --sandbox` never leaves a
server behind.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from assetdesk.sandbox.launcher import SandboxProcess

log = logging.getLogger("assetdesk.services.sandbox_child")


class SandboxChild:
    """Owns at most one sandbox child for the lifetime of the window (or of a self-test)."""

    def __init__(self) -> None:
        self._starting: asyncio.Future[SandboxProcess] | None = None
        self._process: SandboxProcess | None = None

    @property
    def process(self) -> SandboxProcess | None:
        """The running child, once started."""
        return self._process

    @property
    def starting(self) -> bool:
        """True from `start()` until the child reported its ports (or failed to)."""
        return self._starting is not None and not self._starting.done()

    @property
    def demo(self) -> dict[str, Any]:
        """The demo credentials the child printed (empty before it started)."""
        return self._process.demo if self._process is not None else {}

    async def start(self) -> SandboxProcess:
        """Start the child on a worker thread; cancelling the caller does not orphan the child."""
        if self._starting is None:
            loop = asyncio.get_running_loop()
            self._starting = loop.run_in_executor(None, lambda: SandboxProcess.start())
        # shield: a cancelled caller leaves the start running, and stop() reaps what it makes.
        self._process = await asyncio.shield(self._starting)
        log.info(
            "sandbox running (pid %d): api %s, storage %s, wordbee %s",
            self._process.process.pid,
            self._process.api_url,
            self._process.storage_url,
            self._process.wordbee_url,
        )
        return self._process

    async def stop(self) -> None:
        """Stop the child if one was (or is being) started; safe to call twice."""
        starting, self._starting = self._starting, None
        if starting is None:
            return
        try:
            process = await starting
        except Exception:  # the start failed: the launcher already killed what it had begun
            log.debug("sandbox start had failed; nothing to stop")
            return
        self._process = None
        await asyncio.to_thread(process.stop)
        log.info("sandbox stopped (exit status %s)", process.process.returncode)
