"""A download connection's socket reads up to 1 MiB at a time (transfer/socket_reads.py), over a
real HTTP server on 127.0.0.1. If an httpx, httpcore or anyio upgrade hides the asyncio transport
from `widen_reads`, these fail instead of the download quietly going back to 256 KiB reads."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assetdesk.net.clients import READ_SIZE, make_download_client, make_http_client
from assetdesk.transfer.socket_reads import READ_MAX, socket_transport, widen_reads

BODY = bytes(range(256)) * 4096 * 8  # 8 MiB


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def _read_sizes(url: str, *, widen: bool) -> tuple[list[int], bool]:
    async with make_download_client() as client, client.stream("GET", url) as response:
        widened = widen_reads(response) if widen else False
        await asyncio.sleep(0.3)  # let the socket fill up
        return [len(chunk) async for chunk in response.aiter_raw()], widened


def test_widened_reads_take_more_than_asyncios_256_kib(url: str) -> None:
    assert READ_SIZE >= READ_MAX  # httpcore asks for as much as the socket may give
    sizes, widened = asyncio.run(_read_sizes(url, widen=True))
    assert widened
    assert sum(sizes) == len(BODY)
    assert max(sizes) > 256 * 1024, sizes[:8]
    assert max(sizes) <= READ_MAX


def test_without_widening_reads_stay_at_256_kib(url: str) -> None:
    """The reference: the same answer without `widen_reads` (what API connections keep)."""
    sizes, _ = asyncio.run(_read_sizes(url, widen=False))
    assert sum(sizes) == len(BODY)
    assert max(sizes) <= 256 * 1024


def test_the_transport_is_found_for_an_api_client_too(url: str) -> None:
    async def found() -> int | None:
        async with make_http_client(url) as client, client.stream("GET", "/") as response:
            transport = socket_transport(response)
            await response.aread()
            return None if transport is None else int(transport.max_size)

    assert asyncio.run(found()) == 256 * 1024  # untouched unless widened
