"""Answers read within bounds (net/answers.py), over real HTTP to the sandbox: a 10 MB answer
refused with a sentence and not read past the cap, a compressed one capped on what it decodes
to, JSON nested too deeply refused as a service error, a server that trickles its answer cut off
at the call's deadline, and a too-large answer to a whole upload left unknown (issue 16)."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.media_files import DEMO

from assetdesk.core.errors import NetworkError, OutcomeUnknown
from assetdesk.core.media import media_type_for_mime
from assetdesk.net.answers import ANSWER_LIMIT, AnswerRefused
from assetdesk.net.retry import NO_RETRY
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient

pytestmark = pytest.mark.anyio

MB = 1000 * 1000
JSON = {"Content-Type": "application/json"}


def padded_json(size: int) -> bytes:
    """A valid JSON object of `size` bytes."""
    head, tail = b'{"email": "jo@example.com", "pad": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


@pytest.fixture
async def connection(sb: Any) -> AsyncIterator[UseapiConnection]:
    async with UseapiConnection(
        sb.demo["useapi_token"], sb.api_url, retry=NO_RETRY, deadline=2.0
    ) as conn:
        yield conn


@pytest.fixture
async def wordbee(sb: Any) -> AsyncIterator[WordbeeClient]:
    client = WordbeeClient(
        sb.wordbee_url,
        sb.demo["wordbee_account_id"],
        sb.demo["wordbee_key"],
        retry=NO_RETRY,
        deadline=2.0,
    )
    async with client:
        yield client


async def test_a_10_mb_answer_that_says_its_size_is_refused_before_its_body_is_read(
    sb: Any, connection: UseapiConnection
) -> None:
    # At 1 MB/s its body would take ten seconds to read.
    sb.bandwidth("api", 1 * MB)
    sb.fault("api", "/v2/account", status=200, body=padded_json(10 * MB), headers=JSON)
    start = time.monotonic()
    with pytest.raises(AnswerRefused) as caught:
        await connection.account()
    assert time.monotonic() - start < 3
    assert str(caught.value) == (
        "useapi.net sent an answer larger than 8 MB, more than any answer AssetDesk expects; "
        "it was not read."
    )
    assert not caught.value.retryable


async def test_a_10_mb_answer_of_unsaid_size_is_not_read_past_the_cap(
    sb: Any, connection: UseapiConnection
) -> None:
    # Chunked (no Content-Length), and the server stalls after 9 MB: a reader that goes past
    # the cap waits there.
    sb.fault(
        "api",
        "/v2/account",
        status=200,
        body=padded_json(10 * MB),
        headers=JSON,
        drop_headers=["content-length"],
        stall_after_bytes=ANSWER_LIMIT + 512 * 1024,
        stall_seconds=30,
    )
    start = time.monotonic()
    with pytest.raises(AnswerRefused, match="larger than 8 MB"):
        await connection.account()
    assert time.monotonic() - start < 10


async def test_a_compressed_answer_is_capped_on_what_it_decodes_to(
    sb: Any, connection: UseapiConnection
) -> None:
    bomb = gzip.compress(padded_json(64 * MB))  # some 64 KB on the wire
    assert len(bomb) < 100 * 1000
    sb.fault(
        "api",
        "/v2/account",
        status=200,
        body=bomb,
        headers={**JSON, "Content-Encoding": "gzip"},
    )
    with pytest.raises(AnswerRefused, match="larger than 8 MB once decoded"):
        await connection.account()


async def test_an_ordinary_compressed_answer_is_read(sb: Any, connection: UseapiConnection) -> None:
    body = {"email": "jo@example.com", "name": "Jo", "verified": True}
    sb.fault(
        "api",
        "/v2/account",
        status=200,
        body=gzip.compress(json.dumps(body).encode()),
        headers={**JSON, "Content-Encoding": "gzip"},
    )
    account = await connection.account()
    assert (account.email, account.name, account.verified) == ("jo@example.com", "Jo", True)
    (request,) = [r for r in sb.requests("api") if r["path"] == "/v2/account"]
    assert request["headers"]["accept-encoding"] == "gzip, deflate"


DEEP = "[" * 100_000 + "]" * 100_000


async def test_json_nested_too_deeply_is_a_service_error_not_a_crash(
    sb: Any, connection: UseapiConnection, wordbee: WordbeeClient
) -> None:
    sb.fault("api", "/v2/account", status=200, body=DEEP, headers=JSON)
    with pytest.raises(AnswerRefused) as caught:
        await connection.account()
    assert str(caught.value) == (
        "useapi.net answered /v2/account with JSON nested too deeply to read; it was not read."
    )
    scope, segment = sb.demo["wordbee"]["scope"], int(sb.demo["wordbee"]["segment_ids"][0])
    sb.fault("wordbee", f"/api/resources/assets/{segment}/list", status=200, body=DEEP)
    with pytest.raises(AnswerRefused, match="Wordbee answered an asset list with JSON nested"):
        await wordbee.list_segment_assets(segment, scope)


async def test_a_server_that_trickles_its_answer_is_cut_off_at_the_deadline(
    sb: Any, connection: UseapiConnection, wordbee: WordbeeClient
) -> None:
    # A byte every 50 ms: no single read waits long enough for httpx's read timeout.
    sb.bandwidth("api", 20)
    sb.bandwidth("wordbee", 20)
    sb.fault("api", "/v2/account", status=200, body=padded_json(2000), headers=JSON)
    start = time.monotonic()
    with pytest.raises(NetworkError) as caught:
        await connection.account()
    assert time.monotonic() - start < 4
    assert str(caught.value) == (
        f"Could not reach useapi.net at {sb.api_url.split('://')[1].rstrip('/')}: its answer "
        "did not come in full within 2 s."
    )
    start = time.monotonic()
    with pytest.raises(NetworkError, match="did not come in full within 2 s"):
        await wordbee.authenticate()
    assert time.monotonic() - start < 4


async def test_a_too_large_answer_to_a_whole_upload_leaves_it_unknown(
    sb: Any, connection: UseapiConnection
) -> None:
    picture = DEMO / "swatch-256x256.png"
    sb.fault(
        "api",
        "/v1/runwayml/assets/",
        method="POST",
        status=200,
        body=padded_json(10 * MB),
        headers=JSON,
    )
    media_type = media_type_for_mime("image/png")
    assert media_type is not None
    with pytest.raises(OutcomeUnknown):
        await RunwayClient(connection).upload(
            Path(picture), media_type, picture.stat().st_size, name="swatch.png"
        )


async def test_a_server_that_holds_its_answers_head_is_cut_off_at_the_deadline(
    sb: Any, connection: UseapiConnection
) -> None:
    sb.fault("api", "/v2/account", latency=5)
    start = time.monotonic()
    with pytest.raises(NetworkError, match="did not come in full within 2 s"):
        await connection.account()
    assert time.monotonic() - start < 4
    account = await connection.account()  # the connection's pool is still usable
    assert account.email
