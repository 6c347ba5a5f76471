"""Where a download's bytes come from: the `Source` protocol, and a signed storage URL (Google
Flow, Runway) with the storage host's refusals in words.

A source opens one ranged GET at a time and hands the engine the streamed response. It knows
how to get a fresh link when the old one has expired; the engine knows nothing of providers
(the Wordbee source, which needs the Wordbee client, is `services/wordbee_source.py`).
Signed URLs are fetched with a plain client that carries no credentials: the useapi.net token
never goes to the storage host.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import httpx

from assetdesk.core.errors import (
    AssetDeskError,
    Forbidden,
    NotFound,
    SessionExpired,
    UpstreamFailed,
)
from assetdesk.net.errors import ERROR_BODY_LIMIT, host_of, network_error, read_error_body

log = logging.getLogger("assetdesk.transfer")

STORAGE = "the storage host"


class Source(Protocol):
    """One downloadable object."""

    #: Short words for messages ("asset 5f3c…", "ch-01.png").
    label: str
    #: A name to save under when neither the caller nor the server gives one.
    suggested_name: str | None
    #: Who the object is, stably across runs and without secrets ("google-flow:<id>"), so that
    #: a kept `.part` is resumed only by a download of the same object; None: never kept.
    resume_key: str | None

    def open(self, first: int, last: int | None) -> AbstractAsyncContextManager[httpx.Response]:
        """GET bytes `first`..`last` (inclusive; None: to the end), streamed; typed errors."""
        ...


def range_header(first: int, last: int | None) -> dict[str, str]:
    """`Range: bytes=first-[last]`; asked even from 0 so that a 206 tells us ranges work. The
    file's own bytes are asked for (`identity`): a gzip answer would make ranges, sizes and
    hashes describe the compressed form."""
    return {"Range": f"bytes={first}-{'' if last is None else last}", "Accept-Encoding": "identity"}


class EncodedAnswer(UpstreamFailed):
    """A storage answer in a Content-Encoding (gzip, br, deflate) although the file's own bytes
    were asked for: refused, never decoded. The size and hashes a storage host announces
    describe the stored object, not the decoded bytes, and a decoded size has no bound (a
    64 KiB gzip answer can be 64 MiB decoded); a repeat would be answered the same way."""

    retryable = False


def refuse_encoded(response: httpx.Response, *, label: str) -> None:
    """EncodedAnswer when `response` is not in the identity encoding, before a byte is read."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return
    raise EncodedAnswer(
        f"{host_of(response.request.url)} sent {label} compressed ({encoding[:40]}) although "
        "the file itself was asked for; it was refused, because its size and checksums "
        "cannot be verified that way.",
        status=response.status_code,
    )


_XML_FIELD = re.compile(r"<(Code|Message|Details)>(.*?)</\1>", re.S)


def storage_error(response: httpx.Response, body: bytes, *, label: str) -> AssetDeskError:
    """One sentence for a storage host's refusal; the XML error's code and message kept aside."""
    text = body[:ERROR_BODY_LIMIT].decode("utf-8", errors="replace")
    fields = dict(_XML_FIELD.findall(text))
    code = fields.get("Code", "")
    joined = " ".join(v for v in (code, fields.get("Message"), fields.get("Details")) if v)
    service_text = joined or text.strip()[:300] or None
    status = response.status_code
    host = host_of(response.request.url)
    if code == "ExpiredToken" or (status == 400 and "expired" in text.lower()):
        return SessionExpired(
            f"The download link for {label} has expired, and a fresh one was refused too.",
            service_text=service_text,
            status=status,
        )
    if status in (401, 403):
        return Forbidden(
            f"{host} refused to send {label} ({status}): the download link is not valid.",
            service_text=service_text,
            status=status,
        )
    if status in (404, 410):
        return NotFound(
            f"{host} no longer has {label} ({status}).",
            service_text=service_text,
            status=status,
        )
    if status == 416:
        return UpstreamFailed(
            f"{host} refused the byte range asked for {label} (416); the file may have changed.",
            service_text=service_text,
            status=status,
        )
    if status == 429 or status >= 500:
        return UpstreamFailed(
            f"{host} could not send {label} right now ({status}).",
            service_text=service_text,
            status=status,
        )
    return UpstreamFailed(
        f"{host} answered {status} instead of sending {label}.",
        service_text=service_text,
        status=status,
    )


class SignedUrlSource:
    """A signed URL, resolved through the provider when needed and again when it expires.

    `resolve` returns a fresh URL each time it is called. On a 4xx from the storage host (an
    expired or refused signature) the URL is resolved once more and the request repeated; a
    second refusal in a row is the error the user sees.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        resolve: Callable[[], Awaitable[str]],
        *,
        label: str,
        suggested_name: str | None = None,
        url: str | None = None,
        resume_key: str | None = None,
    ) -> None:
        self.http = http
        self.label = label
        self.suggested_name = suggested_name
        self.resume_key = resume_key
        self._resolve = resolve
        self._url = url
        self._lock = asyncio.Lock()
        #: How many times a fresh URL was resolved after a refusal (for tests and the CLI).
        self.refreshes = 0

    async def url(self) -> str:
        async with self._lock:
            if self._url is None:
                self._url = await self._resolve()
            return self._url

    async def fresh_url(self, refused: str) -> str:
        """A new URL in place of `refused`; parallel streams refused together share one."""
        async with self._lock:
            if self._url is None or self._url == refused:
                self._url = await self._resolve()
                self.refreshes += 1
            return self._url

    @asynccontextmanager
    async def open(self, first: int, last: int | None) -> AsyncIterator[httpx.Response]:
        refreshed = False
        ranged = True
        url = await self.url()
        while True:
            headers = range_header(first, last) if ranged else {}
            request = self.http.build_request("GET", url, headers=headers)
            try:
                response = await self.http.send(request, stream=True)
            except httpx.TransportError as error:
                raise network_error(error, STORAGE, url) from None
            if response.status_code in (200, 206):
                try:
                    yield response
                finally:
                    await response.aclose()
                return
            try:
                body = await read_error_body(response)
            finally:
                await response.aclose()
            status = response.status_code
            if status == 416 and first == 0 and ranged:
                ranged = False  # an empty object has no byte 0: ask for it whole
                continue
            if 400 <= status < 500 and status not in (416, 429) and not refreshed:
                log.info("%s refused %s (%d); resolving a fresh link", STORAGE, self.label, status)
                refreshed = True
                url = await self.fresh_url(url)
                continue
            # A 429 or 5xx is an UpstreamFailed, which the engine tries again after a pause.
            raise storage_error(response, body, label=self.label)
