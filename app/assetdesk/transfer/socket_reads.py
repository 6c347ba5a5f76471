"""How much a download connection's socket hands over per read: 1 MiB instead of asyncio's 256 KiB.

Every read of a body costs the same Python whatever its size (asyncio's transport, anyio's
stream, httpcore, h11 and the engine's loop each run once per read): on a fast link that, not the
bytes, is most of a download's CPU. asyncio's socket transport receives at most `max_size` bytes
per call (256 KiB, a class attribute read on each call); `widen_reads` raises it on the one
connection that carries a download's body, so that when the socket holds more a read takes up to
1 MiB, and httpcore asks for as much (`net/clients.py`'s `READ_SIZE`). A small answer still
comes in one small read. API connections keep asyncio's default.

Plain connections only: over TLS, anyio reads the socket 64 KiB at a time and splits a larger
chunk by copying what is left after each piece, so a wider transport would only add copies (a
TLS connection's reads are bounded by its records anyway).

It reaches through httpx's public `network_stream` extension into httpcore's and anyio's
wrappers; anything it does not recognise (another backend, a proxy stream of another shape) is
left alone, and tests/unit/transfer/test_socket_reads.py fails if an upgrade of those libraries
hides the transport.
"""

from __future__ import annotations

from typing import Any

import httpx

from assetdesk.core.units import MIB

#: Bytes one read of a download's socket may return (see the module's docstring).
READ_MAX = MIB


def socket_transport(response: httpx.Response) -> Any | None:
    """The asyncio transport under `response`'s plain (not TLS) connection, or None when there
    is none to be found."""
    stream = response.extensions.get("network_stream")
    inner = getattr(stream, "_stream", None)  # httpcore's AnyIOStream wraps an anyio stream
    if hasattr(inner, "transport_stream"):  # anyio's TLSStream: left alone (module docstring)
        return None
    transport = getattr(inner, "_transport", None)  # anyio's SocketStream on asyncio
    if transport is None or not isinstance(getattr(transport, "max_size", None), int):
        return None
    return transport


def widen_reads(response: httpx.Response, size: int = READ_MAX) -> bool:
    """Let each read of `response`'s socket return up to `size` bytes; False when the transport
    could not be reached (the download goes on as it is)."""
    transport = socket_transport(response)
    if transport is None:
        return False
    if transport.max_size < size:
        transport.max_size = size
    return True
