"""A download connection's socket reads up to 1 MiB at a time (transfer/socket_reads.py), over a
real HTTP server on 127.0.0.1. If an httpx, httpcore or anyio upgrade hides the asyncio transport
from `widen_reads`, these fail instead of the download quietly going back to 256 KiB reads."""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
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


@pytest.fixture
def tls_url(tmp_path: Path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """The same server over TLS, with a self-signed certificate for 127.0.0.1 made here."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield (
            f"https://127.0.0.1:{server.server_address[1]}/",
            ssl.create_default_context(cafile=str(cert)),
        )
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_tls_connection_is_left_as_it_is(tls_url: tuple[str, ssl.SSLContext]) -> None:
    """Over TLS anyio splits a larger socket read by copying what is left: not widened."""
    url, trust = tls_url

    async def read() -> tuple[bool, int, int]:
        async with httpx.AsyncClient(verify=trust) as client, client.stream("GET", url) as rsp:
            widened = widen_reads(rsp)
            inner = rsp.extensions["network_stream"]._stream.transport_stream
            body = await rsp.aread()
            return widened, int(inner._transport.max_size), len(body)

    widened, max_size, size = asyncio.run(read())
    assert not widened and max_size == 256 * 1024 and size == len(BODY)
