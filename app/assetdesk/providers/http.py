"""What every provider client shares: the pooled httpx client, timeouts, retries, error bodies.

The clients never follow redirects on API calls (a redirect could carry the `Authorization`
header to another origin) and never set credentials as client-wide headers: each request adds
them itself.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import importlib
import json
import logging
import random
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpcore._async.http11
import httpx

from assetdesk.core.errors import AssetDeskError, NetworkError, Throttled

log = logging.getLogger("assetdesk.providers")

T = TypeVar("T")

#: httpcore reads a response 64 KiB at a time, and each read costs tens of microseconds of Python
#: (httpcore, anyio, h11): a third of a 1 GiB download's CPU. asyncio's transport receives up to
#: 256 KiB per call anyway, so reading that much at a time quarters the overhead. A class
#: attribute of httpcore's; tests/unit/providers/test_http_read_size.py catches an upgrade that
#: drops it.
READ_SIZE = 256 * 1024
httpcore._async.http11.AsyncHTTP11Connection.READ_NUM_BYTES = READ_SIZE

#: Connect and pool waits are short; reads allow a slow service to think; uploads get long writes.
DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=10.0)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context (CA bundle loaded once) for every client of the process.

    Loading the CA bundle takes tens of milliseconds; a client made with this context takes well
    under one. `build_services` calls `prepare_tls` in a worker thread at start-up, so the
    event loop never pays.
    """
    return httpx.create_ssl_context()


def prepare_tls() -> None:
    """Load the TLS context and httpx's lazy imports; blocking, so call it from a worker thread."""
    httpx.AsyncClient(verify=shared_ssl_context())
    # httpcore reaches anyio's asyncio backend on the first request; imported there, it stalled
    # the window's loop for ~20 ms (benchmarks/ui_stall.py).
    importlib.import_module("anyio._backends._asyncio")


def make_http_client(
    base_url: str, *, timeout: httpx.Timeout = DEFAULT_TIMEOUT
) -> httpx.AsyncClient:
    """One pooled client per account, made once and reused, on the shared TLS context."""
    return httpx.AsyncClient(
        base_url=base_url,
        verify=shared_ssl_context(),
        timeout=timeout,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
        headers={"User-Agent": user_agent()},
    )


#: Downloads: a stall longer than `read` is a broken stream, which the engine resumes.
DOWNLOAD_TIMEOUT = httpx.Timeout(connect=15.0, read=30.0, write=30.0, pool=60.0)


def make_download_client(*, timeout: httpx.Timeout = DOWNLOAD_TIMEOUT) -> httpx.AsyncClient:
    """The client for signed storage URLs: no base URL, no credentials, no redirects followed
    (a signed URL that redirects elsewhere is refused rather than followed blindly). Enough
    connections for several segmented downloads at once."""
    return httpx.AsyncClient(
        verify=shared_ssl_context(),
        timeout=timeout,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        headers={"User-Agent": user_agent()},
    )


def user_agent() -> str:
    from assetdesk import __version__

    return f"AssetDesk/{__version__}"


def host_of(url: str | httpx.URL) -> str:
    """The host[:port] of a URL, for messages (never the path or query, which may be signed)."""
    parsed = httpx.URL(str(url))
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures are tried again, how often and how long to wait.

    Only what can succeed is retried (DESIGN.md): network errors and 5xx other than 596, and 429
    when the service's own wait is short enough to sit out. 400/401/403/596 never are.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A 429 whose Retry-After is longer than this is reported, not waited out.
    max_throttle_wait: float = 15.0

    def delay(self, attempt: int) -> float:
        raw: float = min(self.max_delay, self.base_delay * (2**attempt))
        return raw * (0.5 + random.random() / 2)


DEFAULT_RETRY = RetryPolicy()

#: A `Retry-After` beyond a week is nonsense (or NaN/inf) and is ignored.
MAX_RETRY_AFTER = 7 * 24 * 3600.0
NO_RETRY = RetryPolicy(attempts=1)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call`, trying again on retryable typed errors as `policy` allows."""
    attempt = 0
    while True:
        try:
            return await call()
        except AssetDeskError as error:
            if not error.retryable or attempt + 1 >= policy.attempts:
                raise
            asked: float | None = getattr(error, "retry_after", None)
            if asked is None and isinstance(error, Throttled):
                raise  # a 429 without a time: trying again at once would only repeat it
            if asked is not None and asked > policy.max_throttle_wait:
                raise  # the service asked for a long wait: report it, don't sit it out
            delay = asked if asked is not None else policy.delay(attempt)
            log.info("%s failed (%s); trying again in %.1f s", what, error.kind, delay)
            await sleep(delay)
        attempt += 1


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER)


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body, or None when the body is empty or not JSON."""
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one: service bodies are read tolerantly."""
    return value if isinstance(value, dict) else {}


def body_text(response: httpx.Response, limit: int = 500) -> str:
    """The body as short text, for `service_text` when it is not JSON."""
    try:
        text = response.content.decode("utf-8", errors="replace").strip()
    except httpx.ResponseNotRead:
        return ""
    return text[:limit]


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
