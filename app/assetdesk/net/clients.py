"""The process's httpx clients: one TLS context, timeouts, the user agent, the client factories.

The clients never follow redirects on API calls (a redirect could carry the `Authorization`
header to another origin) and never set credentials as client-wide headers: each request adds
them itself.
"""

from __future__ import annotations

import functools
import importlib
import ssl

import httpcore._async.http11
import httpx

from assetdesk.net.answers import ACCEPT_ENCODING

#: httpcore reads a response 64 KiB at a time, and each read costs tens of microseconds of Python
#: (httpcore, anyio, h11): a third of a 1 GiB download's CPU. asyncio's transport receives up to
#: 256 KiB per call, and a download's connection up to 1 MiB (transfer/socket_reads.py), so
#: httpcore asks for that much: a read returns what the socket holds, never more, so an API
#: answer is read as before. A class attribute of httpcore's; tests/unit/net/test_read_size.py
#: catches an upgrade that drops it.
READ_SIZE = 1024 * 1024
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
        # Only encodings net/answers.py decodes within its cap.
        headers={"User-Agent": user_agent(), "Accept-Encoding": ACCEPT_ENCODING},
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
