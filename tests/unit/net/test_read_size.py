"""The download path reads 256 KiB per call (net/clients.py sets it on httpcore's HTTP/1.1
connection). If an httpcore upgrade renames or stops honouring the attribute, this fails."""

from __future__ import annotations

import asyncio
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore._async.http11

from assetdesk.net.clients import READ_SIZE, make_download_client

BODY = bytes(range(256)) * 16384  # 4 MiB


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        pass


def test_reads_are_larger_than_httpcores_default() -> None:
    assert httpcore._async.http11.AsyncHTTP11Connection.READ_NUM_BYTES == READ_SIZE
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:

        async def sizes() -> list[int]:
            async with make_download_client() as client:
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                async with client.stream("GET", url) as response:
                    await asyncio.sleep(0.2)  # let the socket fill up
                    return [len(chunk) async for chunk in response.aiter_raw()]

        seen = asyncio.run(sizes())
    finally:
        server.shutdown()
        server.server_close()
    assert sum(seen) == len(BODY)
    assert max(seen) > 64 * 1024, f"reads never exceeded httpcore's 64 KiB default: {seen[:8]}"
