"""Child process of test_qasync_exit.py: heavy socket traffic under qasync, then a normal exit.

PySide6 6.12.0 aborts at interpreter exit ("Fatal Python error: bool_dealloc") after a qasync
loop has pushed a lot of data through sockets. This script does what AssetDesk does — a
QApplication, one qasync loop, asyncio streams and httpx against a uvicorn server on the same
loop, many small reads — and then leaves through normal interpreter finalization (no os._exit),
so the parent can check the exit status and stderr.

Usage: python qasync_traffic_child.py MEGABYTES
Prints one JSON line with what each leg moved and its CRC-32, sender's and receiver's view.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import zlib
from collections.abc import AsyncIterator

import httpx
import uvicorn
from PySide6.QtWidgets import QApplication
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from assetdesk.ui.event_loop import AppEventLoop

READ_SIZE = 4096
BLOCK = os.urandom(256 * 1024 + 17)  # odd length, so block and read boundaries never line up


def pattern(total: int) -> tuple[list[bytes], int]:
    """The chunks to send for `total` bytes and their CRC-32."""
    chunks: list[bytes] = []
    crc = 0
    left = total
    while left:
        chunk = BLOCK[: min(left, len(BLOCK))]
        chunks.append(chunk)
        crc = zlib.crc32(chunk, crc)
        left -= len(chunk)
    return chunks, crc


async def tcp_leg(total: int) -> dict[str, int]:
    """asyncio server writes `total` bytes; the client reads them 4 KiB at a time."""
    chunks, sent_crc = pattern(total)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = reads = crc = 0
    while data := await reader.read(READ_SIZE):
        received += len(data)
        reads += 1
        crc = zlib.crc32(data, crc)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    return {"sent": total, "sent_crc": sent_crc, "received": received, "crc": crc, "reads": reads}


def http_app(total: int) -> Starlette:
    chunks, _ = pattern(total)

    async def download(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(body(), media_type="application/octet-stream")

    async def upload(request: Request) -> JSONResponse:
        received = crc = 0
        async for data in request.stream():
            received += len(data)
            crc = zlib.crc32(data, crc)
        return JSONResponse({"received": received, "crc": crc})

    return Starlette(routes=[Route("/blob", download), Route("/upload", upload, methods=["POST"])])


async def http_leg(total: int) -> dict[str, int]:
    """httpx downloads `total` bytes from uvicorn in 4 KiB reads, then uploads them back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(http_app(total), lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.01)
    chunks, sent_crc = pattern(total)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            received = reads = crc = 0
            async with client.stream("GET", "/blob") as response:
                response.raise_for_status()
                async for data in response.aiter_raw(READ_SIZE):
                    received += len(data)
                    reads += 1
                    crc = zlib.crc32(data, crc)

            async def body() -> AsyncIterator[bytes]:
                for chunk in chunks:
                    for start in range(0, len(chunk), READ_SIZE * 4):
                        yield chunk[start : start + READ_SIZE * 4]

            uploaded = (await client.post("/upload", content=body())).json()
    finally:
        server.should_exit = True
        await serving
        sock.close()
    return {
        "sent": total,
        "sent_crc": sent_crc,
        "received": received,
        "crc": crc,
        "reads": reads,
        "uploaded": uploaded["received"],
        "uploaded_crc": uploaded["crc"],
    }


async def traffic(total: int) -> dict[str, dict[str, int]]:
    return {"tcp": await tcp_leg(total), "http": await http_leg(total)}


def main() -> int:
    total = int(sys.argv[1]) * 1024 * 1024
    app = QApplication(sys.argv[:1])
    loop = AppEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(traffic(total))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
