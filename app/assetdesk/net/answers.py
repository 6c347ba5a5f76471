"""A service's answer read within bounds: one exchange under an overall deadline, a body read
only up to a size cap (and decoded only up to it), JSON that is too deep refused as a service
error.

httpx's timeouts bound each read, not the whole: a server that trickles a byte every few seconds
keeps a call alive for ever, and a body is read into memory whatever its size. `exchange` sends
the request streamed and reads the answer itself:

1. The whole exchange runs within `deadline` seconds (ANSWER_DEADLINE). An upload passes None:
   sending a large file takes what it takes (its per-operation timeouts still hold), but the
   answer's body, once its head came, is read within ANSWER_DEADLINE all the same.
2. A success's body is read up to `limit` bytes (ANSWER_LIMIT): an answer that says or turns out
   to be larger is refused (`AnswerRefused`) without reading further. A compressed body is
   decoded with the same cap on what it decodes to (gzip and deflate, the only encodings asked
   for; another is refused).
3. An error's body is read only up to ERROR_BODY_LIMIT; the rest is dropped (the status says
   enough).

The answer comes back as a new, fully read `httpx.Response` (its `content` the decoded bytes).
"""

from __future__ import annotations

import asyncio
import json
import zlib
from typing import Any

import httpx

from assetdesk.core.errors import NetworkError, UpstreamFailed
from assetdesk.net.errors import ERROR_BODY_LIMIT, host_of, network_error
from assetdesk.net.response_body import body_chunks

__all__ = [
    "ACCEPT_ENCODING",
    "ANSWER_DEADLINE",
    "ANSWER_LIMIT",
    "AnswerRefused",
    "exchange",
    "json_answer",
]

#: The largest API answer read: listings come in pages of a few hundred KB at most; a 10 MB
#: answer is refused (tests/integration/net/test_answers.py).
ANSWER_LIMIT = 8 * 1024 * 1024
#: An API call's whole exchange, however slowly the server trickles its answer.
ANSWER_DEADLINE = 120.0
#: What the clients ask for (httpx would add br or zstd when their packages are installed).
ACCEPT_ENCODING = "gzip, deflate"

#: Headers that describe the body as it came over the wire, not as it is once read.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class AnswerRefused(UpstreamFailed):
    """A service's answer that AssetDesk does not read: too large, undecodable, or JSON nested
    too deeply. Not tried again by itself (the service would answer the same)."""

    retryable = False


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _too_large(service: str, limit: int) -> AnswerRefused:
    return AnswerRefused(
        f"{service} sent an answer larger than {_megabytes(limit)}, more than any answer "
        "AssetDesk expects; it was not read."
    )


async def exchange(
    http: httpx.AsyncClient,
    request: httpx.Request,
    *,
    service: str,
    deadline: float | None = ANSWER_DEADLINE,
    limit: int = ANSWER_LIMIT,
    stream: bool = False,
) -> httpx.Response:
    """Send `request` and read its answer within bounds (see the module's docstring).

    `stream`: a success is returned unread, for the caller to read (a download); its head
    still comes within `deadline`. Transport failures and the deadline raise NetworkError."""
    try:
        async with asyncio.timeout(deadline):
            response = await http.send(request, stream=True)
            if stream and response.is_success:
                return response
            async with asyncio.timeout(ANSWER_DEADLINE if deadline is None else None):
                return await _read(response, service, limit)
    except httpx.TransportError as error:
        raise network_error(error, service, request.url) from None
    except TimeoutError:
        took = deadline if deadline is not None else ANSWER_DEADLINE
        raise NetworkError(
            f"Could not reach {service} at {host_of(request.url)}: its answer did not come in "
            f"full within {took:g} s.",
            service_text="deadline",
        ) from None


async def _read(response: httpx.Response, service: str, limit: int) -> httpx.Response:
    """The answer's body, read and decoded up to the success's or the error's limit."""
    success = response.is_success
    cap = limit if success else ERROR_BODY_LIMIT
    raw = bytearray()
    async with body_chunks(response) as chunks:  # closed here, however the read ends
        announced = response.headers.get("content-length", "")
        if success and announced.isdigit() and int(announced) > cap:
            raise _too_large(service, cap)
        try:
            async for chunk in chunks:
                raw += chunk
                if len(raw) > cap:
                    if success:
                        raise _too_large(service, cap)
                    break  # an error's: what came so far is kept
        except httpx.TransportError:
            if success:
                raise
            # An error's status says enough: what came before the failure is its body.
    body = _decoded(bytes(raw), response.headers.get("content-encoding", ""), cap, cut=not success)
    if body is None:
        if success:
            raise AnswerRefused(
                f"{service} sent an answer AssetDesk cannot decode "
                f"(“{response.headers.get('content-encoding', '')}”, or larger than "
                f"{_megabytes(cap)} once decoded); it was not read."
            )
        body = b""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _WIRE_HEADERS
    ]
    return httpx.Response(
        response.status_code, headers=headers, content=body, request=response.request
    )


def _decoded(raw: bytes, encoding: str, cap: int, *, cut: bool) -> bytes | None:
    """`raw` with its Content-Encoding undone, or None when it cannot be, or would be larger
    than `cap` bytes once decoded (`cut`: its first `cap` bytes then)."""
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return raw[:cap] if cut else raw
    if name in ("gzip", "x-gzip"):
        attempts = [16 + zlib.MAX_WBITS]
    elif name == "deflate":
        attempts = [zlib.MAX_WBITS, -zlib.MAX_WBITS]  # zlib-wrapped, or raw as some servers do
    else:
        return None
    for wbits in attempts:
        decoder = zlib.decompressobj(wbits)
        try:
            body = decoder.decompress(raw, cap + 1)
        except zlib.error:
            continue
        if len(body) > cap or decoder.unconsumed_tail:
            return body[:cap] if cut else None
        return body
    return None


def json_answer(response: httpx.Response, *, service: str, what: str) -> Any:
    """The answer's JSON. AnswerRefused when it is nested too deeply to read (the parser would
    exhaust the stack); UpstreamFailed when it is empty or not JSON (a proxy's page: it may
    pass). `what` names the call in the sentence."""
    try:
        if response.content:
            return json.loads(response.content)
    except RecursionError:
        raise AnswerRefused(
            f"{service} answered {what} with JSON nested too deeply to read; it was not read."
        ) from None
    except ValueError:
        pass
    raise UpstreamFailed(
        f"{service} answered {what} with something that is not JSON.",
        service_text=response.content.decode("utf-8", errors="replace").strip()[:500] or None,
        status=response.status_code,
    )
