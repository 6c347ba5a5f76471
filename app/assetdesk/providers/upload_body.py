"""A file sent as a streaming request body: read in chunks off the event loop, progress throttled;
the same file as a one-part `multipart/form-data` body; and what a lost answer means once a body
was sent in full (`outcome_unknown`).

A body can await `before_last_byte` before it hands over the chunk that completes it: the upload
queue records there, on disk, that the service may now get the whole file, so that a crash from
then on leaves the item `unknown` rather than sent again (before it, the service cannot have it
whole: sending again is safe). A hook that raises stops the body before its last byte.

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
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

import httpx

from assetdesk.core.errors import AssetDeskError, LocalFileError, OutcomeUnknown

#: Progress callback: (bytes sent so far, total bytes).
Progress = Callable[[int, int], None]
#: Awaited once per pass, before the chunk that completes a body is handed over.
BeforeLastByte = Callable[[], Awaitable[None]]

CHUNK_SIZE = 1024 * 1024
PROGRESS_INTERVAL = 0.05
#: An upload may take long to send; the service then stores the file before it answers.
UPLOAD_TIMEOUT = httpx.Timeout(connect=10.0, read=300.0, write=120.0, pool=30.0)


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What must stay the same while the file is sent: same file, same size, same mtime."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


class FileBody:
    """An async iterable of the file's bytes for httpx; each iteration is one full pass.

    `sent` counts the bytes handed to the consumer and taken by it (httpx resumes the body only
    after it has written the previous chunk), which is what `progress` reports: the first call is
    (0, size), then at most one call per `progress_interval` seconds, and the last is (size, size).
    `sent_all` turns true when the consumer has taken the last byte and asked for more (httpx
    has then written the whole body); each pass starts it false again.
    """

    def __init__(
        self,
        path: Path,
        size: int,
        *,
        progress: Progress | None = None,
        chunk_size: int = CHUNK_SIZE,
        progress_interval: float = PROGRESS_INTERVAL,
        before_last_byte: BeforeLastByte | None = None,
    ) -> None:
        self.path = path
        self.before_last_byte = before_last_byte
        self.size = size
        self.sent = 0
        self.sent_all = False
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
        self.sent_all = False
        self._reported = None
        self._identity = None
        offset = 0
        if self.size == 0:  # nothing to read, but the file must still be there and empty
            await asyncio.to_thread(self._read_chunk, 0, 0)
            if self.before_last_byte is not None:
                await self.before_last_byte()
        while offset < self.size:
            want = min(self._chunk_size, self.size - offset)
            chunk = await asyncio.to_thread(self._read_chunk, offset, want)
            offset += len(chunk)
            self._report(force=self._reported is None)
            if offset == self.size and self.before_last_byte is not None:
                await self.before_last_byte()
            yield chunk
            self.sent = offset
            self._report(force=offset == self.size)
        self._report(force=True)  # an empty file: (0, 0)
        self.sent_all = True


def _quoted(name: str) -> str:
    """A file name inside a Content-Disposition's quotes, escaped as browsers do (HTML5)."""
    return name.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


class MultipartFileBody:
    """One file as a one-part `multipart/form-data` body, streamed: the part's head, the file's
    chunks (a `FileBody`, so the same checks and progress), then the closing delimiter. It never
    holds more than one chunk of the file; `length` is the exact `Content-Length`."""

    def __init__(
        self,
        path: Path,
        size: int,
        *,
        filename: str,
        content_type: str,
        field: str = "file",
        progress: Progress | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.file = FileBody(path, size, progress=progress, chunk_size=chunk_size)
        self.boundary = f"assetdesk-{secrets.token_hex(16)}"
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{_quoted(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.sent_all = False

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    @property
    def length(self) -> int:
        return len(self._head) + self.file.size + len(self._tail)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent_all = False
        yield self._head
        async for chunk in self.file:
            yield chunk
        yield self._tail
        self.sent_all = True


class BytesBody:
    """A small body (a JSON object) sent as one chunk, recording like `FileBody` whether it was
    all handed over."""

    def __init__(self, data: bytes, *, before_last_byte: BeforeLastByte | None = None) -> None:
        self.data = data
        self.before_last_byte = before_last_byte
        self.sent_all = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent_all = False
        if self.before_last_byte is not None:
            await self.before_last_byte()
        yield self.data
        self.sent_all = True


class SentBody(Protocol):
    """A request body that knows whether it was sent in full."""

    sent_all: bool


def outcome_unknown(
    error: AssetDeskError, body: SentBody, *, service: str, name: str
) -> AssetDeskError:
    """What a broken connection (or an answer that cannot be read) means for a request that
    changes something on `service`: `OutcomeUnknown` once the whole body had been sent (the
    service may have acted on it and its answer was lost), else the error itself (nothing
    complete reached it)."""
    if not body.sent_all:
        return error
    return OutcomeUnknown(
        f"The connection was lost after {name} was sent in full, before {service} answered: "
        f"it is not known whether {service} kept {name}.",
        service_text=error.service_text,
    )
