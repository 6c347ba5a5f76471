"""A streamed body read through `body_chunks` is closed where it is read, however the reading
ends, so that nothing is left for the garbage collector to close outside the task.

qasync installs no async-generator hooks; these tests remove the loop's for their duration, as
in the window, and collect garbage: anything httpcore could only close by awaiting in the
collector's hands shows up as an unraisable exception.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import dl_register
from tests.helpers.media_files import write_padded_clip

from assetdesk.net.clients import make_download_client
from assetdesk.net.response_body import body_chunks
from assetdesk.sandbox.launcher import SandboxProcess

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


@contextmanager
def unraisable() -> Iterator[list[str]]:
    """What the interpreter could not raise in the block, with the running loop's async-generator
    hooks off (as under qasync), garbage collected at its end."""
    seen: list[str] = []
    hooks, hook = sys.get_asyncgen_hooks(), sys.unraisablehook
    sys.set_asyncgen_hooks(None, None)
    sys.unraisablehook = lambda event: seen.append(f"{event.exc_type.__name__}: {event.exc_value}")
    try:
        yield seen
        gc.collect()
    finally:
        sys.unraisablehook = hook
        sys.set_asyncgen_hooks(*hooks)


@pytest.fixture
def clip_url(sb: SandboxProcess, tmp_path: Path) -> str:
    asset = dl_register(sb, write_padded_clip(tmp_path / "clip.mp4", 4 * MIB))
    return sb.signed_url(asset.key)


async def read_one_chunk(http: httpx.AsyncClient, url: str, *, through: bool) -> httpx.Response:
    response = await http.send(http.build_request("GET", url), stream=True)
    if through:
        async with body_chunks(response) as chunks:
            async for _chunk in chunks:
                break
    else:
        try:
            async for _chunk in response.aiter_raw():
                break
        finally:
            await response.aclose()
    return response


async def test_a_reader_that_stops_early_leaves_nothing_open(clip_url: str) -> None:
    async with make_download_client() as http:
        with unraisable() as seen:
            response = await read_one_chunk(http, clip_url, through=True)
        assert response.is_closed
    assert seen == []


async def test_without_it_httpcore_is_left_to_the_garbage_collector(clip_url: str) -> None:
    """The failure `body_chunks` prevents, so that the test above can tell."""
    async with make_download_client() as http:
        with unraisable() as seen:
            await read_one_chunk(http, clip_url, through=False)
    assert "RuntimeError: async generator ignored GeneratorExit" in seen


async def test_an_error_inside_the_block_closes_the_answer_too(clip_url: str) -> None:
    async with make_download_client() as http:
        with unraisable() as seen:
            response = await http.send(http.build_request("GET", clip_url), stream=True)
            with pytest.raises(ValueError, match="too large"):
                async with body_chunks(response, decoded=True) as chunks:
                    async for _chunk in chunks:
                        raise ValueError("too large")
            assert response.is_closed
            # The next request on the same client goes through.
            again = await http.get(clip_url, headers={"Range": "bytes=0-9"})
            assert again.status_code == 206 and len(again.content) == 10
    assert seen == []
