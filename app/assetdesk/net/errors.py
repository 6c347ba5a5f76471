"""Failed HTTP exchanges in words: a transport failure as a typed error, the host of a URL for
messages, and the bounded read of an error answer's body."""

from __future__ import annotations

import httpx

from assetdesk.core.errors import NetworkError
from assetdesk.net.response_body import body_chunks

#: An error body is read only this far (a misconfigured host could send anything).
ERROR_BODY_LIMIT = 16 * 1024


def host_of(url: str | httpx.URL) -> str:
    """The host[:port] of a URL, for messages (never the path or query, which may be signed)."""
    parsed = httpx.URL(str(url))
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host


def network_error(error: httpx.TransportError, service: str, url: httpx.URL | str) -> NetworkError:
    """One sentence for a transport failure, naming only the host (a path may be signed)."""
    host = host_of(url)
    if isinstance(error, httpx.TimeoutException):
        detail = "it did not answer in time"
    elif isinstance(error, httpx.ConnectError):
        detail = "the connection was refused or the address could not be found"
    elif isinstance(error, httpx.RemoteProtocolError):
        detail = "the connection was closed before the answer was complete"
    else:
        detail = "the connection failed"
    return NetworkError(
        f"Could not reach {service} at {host}: {detail}.", service_text=type(error).__name__
    )


async def read_error_body(response: httpx.Response) -> bytes:
    """The raw body of a streamed error answer, up to about `ERROR_BODY_LIMIT` bytes (the chunk
    that crosses the limit is kept whole); what arrived before a transport failure, since the
    status says enough. The answer is closed once read."""
    body = bytearray()
    try:
        async with body_chunks(response) as chunks:  # closed here, however the read ends
            async for chunk in chunks:
                body += chunk
                if len(body) >= ERROR_BODY_LIMIT:
                    break
    except httpx.TransportError:
        pass  # the status says enough
    return bytes(body)
