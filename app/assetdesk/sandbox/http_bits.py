"""Small response helpers shared by the origins."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.types import Receive, Scope, Send

from assetdesk.sandbox.state import SandboxState, User

#: Bytes read from disk per worker-thread call when streaming a file.
READ_CHUNK = 1024 * 1024


def error(status: int, message: Any, *, code: bool = False, **headers: str) -> JSONResponse:
    """useapi.net's `{"error": ...}` (with `"code"` for the Runway/account style)."""
    body: dict[str, Any] = {"error": message}
    if code:
        body["code"] = status
    return JSONResponse(body, status_code=status, headers=headers or None)


def authorize(state: SandboxState, request: Request, *, code: bool = True) -> User | JSONResponse:
    user = state.user_for_authorization(request.headers.get("authorization"))
    if user is None:
        return error(401, "Unauthorized", code=code)
    return user


async def drain(request: Request) -> int:
    """Read and discard the rest of the request body (like a proxy that buffers it); its size."""
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
    except ClientDisconnect:
        pass
    return size


async def file_chunks(path: Path, start: int, length: int) -> AsyncGenerator[bytes, None]:
    """`length` bytes of `path` from `start`, in chunks (never the whole file).

    Opening and reading happen on a worker thread so that a slow disk never holds up the event
    loop that serves every origin; the file is closed when the generator ends or is closed.
    """
    stream = await anyio.to_thread.run_sync(_open_at, path, start)
    try:
        remaining = length
        while remaining > 0:
            chunk = await anyio.to_thread.run_sync(stream.read, min(READ_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        stream.close()


def _open_at(path: Path, start: int) -> BinaryIO:
    stream = path.open("rb")
    try:
        stream.seek(start)
    except BaseException:
        stream.close()
        raise
    return stream


class FileStream(StreamingResponse):
    """A streamed part of a file whose file is closed when the answer ends, however it ends:
    finished, the client gone, or an injected drop."""

    def __init__(
        self,
        path: Path,
        start: int,
        length: int,
        *,
        status_code: int = 200,
        media_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._chunks = file_chunks(path, start, length)
        super().__init__(self._chunks, status_code, headers, media_type)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._chunks.aclose()
