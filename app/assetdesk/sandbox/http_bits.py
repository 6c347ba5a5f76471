"""Small response helpers shared by the origins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse

from assetdesk.sandbox.blobs import CHUNK
from assetdesk.sandbox.state import SandboxState, User


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


async def file_chunks(path: Path, start: int, length: int) -> AsyncIterator[bytes]:
    """`length` bytes of `path` from `start`, in chunks (never the whole file)."""
    with path.open("rb") as stream:
        stream.seek(start)
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
