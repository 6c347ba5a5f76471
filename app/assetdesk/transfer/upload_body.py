"""A file sent as a streaming request body: read in chunks off the event loop, progress throttled.

The body knows the size it promised in `Content-Length`; a file that shrinks, grows or disappears
while it is being sent fails with a clear `LocalFileError` instead of sending something else.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO

from assetdesk.core.errors import LocalFileError

#: Progress callback: (bytes sent so far, total bytes).
Progress = Callable[[int, int], None]

CHUNK_SIZE = 1024 * 1024
PROGRESS_INTERVAL = 0.05


class FileBody:
    """An async iterable of the file's bytes for httpx, one pass per instance."""

    def __init__(
        self,
        path: Path,
        size: int,
        *,
        progress: Progress | None = None,
        chunk_size: int = CHUNK_SIZE,
        progress_interval: float = PROGRESS_INTERVAL,
    ) -> None:
        self.path = path
        self.size = size
        self.sent = 0
        self._progress = progress
        self._chunk_size = chunk_size
        self._interval = progress_interval
        self._last_report = 0.0

    def _report(self, *, force: bool = False) -> None:
        if self._progress is None:
            return
        now = time.monotonic()
        if force or now - self._last_report >= self._interval:
            self._last_report = now
            self._progress(self.sent, self.size)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            handle: BinaryIO = await asyncio.to_thread(self.path.open, "rb")
        except FileNotFoundError:
            raise LocalFileError(f"{self.path.name} disappeared before it could be sent.") from None
        except OSError as error:
            raise LocalFileError(
                f"{self.path.name} cannot be read: {error.strerror or error}."
            ) from None
        try:
            before = await asyncio.to_thread(os.fstat, handle.fileno())
            self._report(force=True)
            while self.sent < self.size:
                want = min(self._chunk_size, self.size - self.sent)
                try:
                    chunk = await asyncio.to_thread(handle.read, want)
                except OSError as error:
                    raise LocalFileError(
                        f"{self.path.name} could not be read while sending: "
                        f"{error.strerror or error}."
                    ) from None
                if not chunk:
                    raise LocalFileError(
                        f"{self.path.name} got shorter while it was being sent "
                        f"({self.sent:,} of {self.size:,} bytes); nothing was kept."
                    )
                self.sent += len(chunk)
                self._report()
                yield chunk
            extra = await asyncio.to_thread(handle.read, 1)
            after = await asyncio.to_thread(os.fstat, handle.fileno())
            if extra or after.st_mtime_ns != before.st_mtime_ns:
                raise LocalFileError(
                    f"{self.path.name} changed while it was being sent; send it again "
                    "once it is finished."
                )
            self._report(force=True)
        finally:
            await asyncio.to_thread(handle.close)
