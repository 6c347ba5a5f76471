"""A streamed answer's body read chunk by chunk and closed in the task that read it.

httpx hands out a body as a chain of async generators (httpx's, then httpcore's pool and
connection). A reader that stops early (a `break`, an exception, a cancellation) leaves that
chain suspended; the garbage collector later closes it wherever it happens to run, and
httpcore's generators, finding their stream still open, await a lock there: "async generator
ignored GeneratorExit" and anyio's "Attempted to exit cancel scope in a different task" on
stderr (under qasync, which installs no async-generator hooks, even at quit). `body_chunks`
closes the response first, while the reading task still runs, and then the generator, which
then has nothing left to await.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager

import httpx

__all__ = ["body_chunks"]


@asynccontextmanager
async def body_chunks(
    response: httpx.Response, *, decoded: bool = False
) -> AsyncIterator[AsyncIterator[bytes]]:
    """`async with body_chunks(response) as chunks: async for chunk in chunks: ...`

    The raw bytes as they came (`decoded`: with the Content-Encoding undone). Leaving the block
    in any way closes the response (the connection is dropped when its body was not read to the
    end), then the chunks' generator."""
    chunks = response.aiter_bytes() if decoded else response.aiter_raw()
    try:
        yield chunks
    finally:
        try:
            await response.aclose()
        finally:
            if isinstance(chunks, AsyncGenerator):
                await chunks.aclose()
