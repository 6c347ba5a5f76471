"""The error answer's body is read only so far and survives a broken connection; a transport
failure becomes one sentence that names the host and never the (possibly signed) path."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx

from assetdesk.core.errors import NetworkError
from assetdesk.net.errors import ERROR_BODY_LIMIT, host_of, network_error, read_error_body

CHUNK = 4096


def _streamed(
    chunks: list[bytes], *, then: Exception | None = None
) -> tuple[httpx.Response, list[int]]:
    """A 403 whose body arrives as `chunks` (then fails with `then`); the list counts the chunks
    the reader pulled."""
    pulled: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            pulled.append(len(chunk))
            yield chunk
        if then is not None:
            raise then

    request = httpx.Request("GET", "https://storage.example/bucket/a.mp4?X-Sig=secret")
    return httpx.Response(403, content=body(), request=request), pulled


def test_a_short_body_is_read_whole() -> None:
    response, _ = _streamed([b"<Error><Code>", b"AccessDenied</Code></Error>"])
    assert asyncio.run(read_error_body(response)) == b"<Error><Code>AccessDenied</Code></Error>"


def test_an_empty_body_is_empty() -> None:
    response, _ = _streamed([])
    assert asyncio.run(read_error_body(response)) == b""


def test_reading_stops_at_the_chunk_that_reaches_the_limit() -> None:
    count = 3 * ERROR_BODY_LIMIT // CHUNK
    response, pulled = _streamed([bytes([n % 256]) * CHUNK for n in range(count)])
    body = asyncio.run(read_error_body(response))
    assert len(body) == ERROR_BODY_LIMIT  # the limit is a whole number of chunks here
    assert len(pulled) == ERROR_BODY_LIMIT // CHUNK  # the rest of the body was never asked for


def test_a_chunk_that_crosses_the_limit_is_kept_whole() -> None:
    response, _ = _streamed([b"a" * (ERROR_BODY_LIMIT - 1), b"b" * 10, b"c" * 10])
    body = asyncio.run(read_error_body(response))
    assert body == b"a" * (ERROR_BODY_LIMIT - 1) + b"b" * 10


def test_a_broken_connection_keeps_what_arrived() -> None:
    response, _ = _streamed([b"partial "], then=httpx.ReadError("connection reset"))
    assert asyncio.run(read_error_body(response)) == b"partial "


def test_host_of_keeps_the_port_and_drops_the_path() -> None:
    assert host_of("https://storage.example/bucket/a.mp4?X-Sig=secret") == "storage.example"
    assert host_of(httpx.URL("http://127.0.0.1:8123/a?b=c")) == "127.0.0.1:8123"


def test_network_error_names_the_host_only() -> None:
    url = "https://storage.example/bucket/a.mp4?X-Sig=secret"
    error = network_error(httpx.ConnectTimeout("timed out"), "the storage host", url)
    assert isinstance(error, NetworkError)
    assert error.message == (
        "Could not reach the storage host at storage.example: it did not answer in time."
    )
    assert error.service_text == "ConnectTimeout"
    assert "secret" not in error.message and "bucket" not in error.message
