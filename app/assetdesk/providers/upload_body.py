"""A file sent as a streaming request body: read in chunks off the event loop, progress throttled.

The body knows the size it promised in `Content-Length`; a file that shrinks, grows, is rewritten,
replaced or deleted while it is being sent fails with a clear `LocalFileError` before its last
byte goes out, so the service never receives (and keeps) a complete body of something else.

The file is opened again for every chunk (in the worker thread that reads it) and never held open
across a `yield`: when the consumer abandons the body (a cancelled task, a broken connection) no
handle is left behind waiting for the generator to be garbage-collected.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from assetdesk.core.errors import LocalFileError

#: Progress callback: (bytes sent so far, total bytes).
Progress = Callable[[int, int], None]

CHUNK_SIZE = 1024 * 1024
PROGRESS_INTERVAL = 0.05


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What must stay the same while the file is sent: same file, same size, same mtime."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class FileBody:
    """An async iterable of the file's bytes for httpx; each iteration is one full pass.

    `sent` counts the bytes handed to the consumer and taken by it (httpx resumes the body only
    after it has written the previous chunk), which is what `progress` reports: the first call is
    (0, size), then at most one call per `progress_interval` seconds, and the last is (size, size).
    """

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
        self._chunk_size = max(1, chunk_size)
        self._interval = progress_interval
        self._last_report = 0.0
        self._reported: int | None = None
        self._identity: tuple[int, int, int, int] | None = None

    def _report(self, *, force: bool = False) -> None:
        if self._progress is None or self.sent == self._reported:
            return
        now = time.monotonic()
        if force or now - self._last_report >= self._interval:
            self._last_report = now
            self._reported = self.sent
            self._progress(self.sent, self.size)

    def _read_chunk(self, offset: int, want: int) -> bytes:
        """Read `want` bytes at `offset` (in a worker thread), checking the file did not change.

        The check runs after the read, so the bytes returned belong to the file as first seen."""
        name = self.path.name
        try:
            with self.path.open("rb") as handle:
                handle.seek(offset)
                chunk = handle.read(want)
                now = os.fstat(handle.fileno())
        except FileNotFoundError:
            if self._identity is None:
                raise LocalFileError(f"{name} disappeared before it could be sent.") from None
            raise LocalFileError(
                f"{name} disappeared while it was being sent; nothing was kept."
            ) from None
        except OSError as error:
            if self._identity is None:
                raise LocalFileError(f"{name} cannot be read: {error.strerror or error}.") from None
            raise LocalFileError(
                f"{name} could not be read while sending: {error.strerror or error}."
            ) from None
        if self._identity is None:  # the first chunk: the file must be the size that was checked
            if now.st_size != self.size:
                raise LocalFileError(
                    f"{name} changed after it was checked ({now.st_size:,} bytes instead of "
                    f"{self.size:,}); add it again."
                )
            self._identity = _identity(now)
        if now.st_size < self.size or len(chunk) < want:
            raise LocalFileError(
                f"{name} got shorter while it was being sent "
                f"({self.sent:,} of {self.size:,} bytes); nothing was kept."
            )
        if _identity(now) != self._identity:
            raise LocalFileError(
                f"{name} changed while it was being sent; send it again once it is finished."
            )
        return chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent = 0
        self._reported = None
        self._identity = None
        offset = 0
        if self.size == 0:  # nothing to read, but the file must still be there and empty
            await asyncio.to_thread(self._read_chunk, 0, 0)
        while offset < self.size:
            want = min(self._chunk_size, self.size - offset)
            chunk = await asyncio.to_thread(self._read_chunk, offset, want)
            offset += len(chunk)
            self._report(force=self._reported is None)
            yield chunk
            self.sent = offset
            self._report(force=offset == self.size)
        self._report(force=True)  # an empty file: (0, 0)
