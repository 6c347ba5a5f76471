"""The upload bodies beside FileBody (no network): whether a body was sent in full, the streamed
multipart body of Wordbee's staging, and what a lost answer becomes (`outcome_unknown`)."""

from __future__ import annotations

import email.parser
import email.policy
import os
from collections.abc import AsyncIterable
from pathlib import Path

import pytest

from assetdesk.core.errors import NetworkError, OutcomeUnknown
from assetdesk.providers.upload_body import (
    CHUNK_SIZE,
    BytesBody,
    FileBody,
    MultipartFileBody,
    outcome_unknown,
)

pytestmark = pytest.mark.anyio

KIB = 1024
MIB = 1024 * KIB


async def collect(body: AsyncIterable[bytes]) -> bytes:
    return b"".join([chunk async for chunk in body])


async def test_file_body_is_sent_all_only_once_the_consumer_asked_past_the_last_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(os.urandom(3 * 64 * KIB))
    body = FileBody(path, 3 * 64 * KIB, chunk_size=64 * KIB)
    assert body.sent_all is False
    stream = body.__aiter__()
    for _ in range(3):
        await stream.__anext__()
        assert body.sent_all is False, "the last chunk handed over is not yet written"
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()
    assert body.sent_all is True
    second = body.__aiter__()
    await second.__anext__()
    assert body.sent_all is False, "a new pass starts over"
    await second.aclose()


async def test_bytes_body_records_the_same(tmp_path: Path) -> None:
    body = BytesBody(b'{"filetoken": "t"}')
    stream = body.__aiter__()
    assert await stream.__anext__() == b'{"filetoken": "t"}'
    assert body.sent_all is False
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()
    assert body.sent_all is True


async def test_multipart_body_is_one_file_part_that_a_mail_parser_reads_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "x.bin"
    data = os.urandom(200 * KIB + 3)
    path.write_bytes(data)
    body = MultipartFileBody(
        path, len(data), filename='café "é".png', content_type="image/png", chunk_size=64 * KIB
    )
    raw = await collect(body)
    assert len(raw) == body.length
    assert body.sent_all is True
    head = f"Content-Type: {body.content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
    (part,) = message.iter_parts()
    assert part.get_content_type() == "image/png"
    assert part["Content-Disposition"].params["name"] == "file"
    assert part["Content-Disposition"].params["filename"] == "café %22é%22.png"
    assert part.get_payload(decode=True) == data


async def test_multipart_body_streams_and_never_holds_the_file(tmp_path: Path) -> None:
    """50 MiB (sparse) pass through in chunks of at most CHUNK_SIZE: the body is an async
    iterator, not bytes, and keeps no chunk once it has handed it over."""
    path = tmp_path / "big.bin"
    with path.open("wb") as out:
        out.truncate(50 * MIB)
    body = MultipartFileBody(path, 50 * MIB, filename="big.bin", content_type="video/mp4")
    assert not isinstance(body, bytes | bytearray) and not hasattr(body, "__len__")
    total = biggest = 0
    async for chunk in body:
        total += len(chunk)
        biggest = max(biggest, len(chunk))
        held = [v for v in vars(body).values() if isinstance(v, bytes | bytearray)]
        held += [v for v in vars(body.file).values() if isinstance(v, bytes | bytearray)]
        assert sum(len(v) for v in held) < 1024, "the body keeps only its part's head and tail"
    assert total == body.length and body.length > 50 * MIB
    assert biggest == CHUNK_SIZE


def test_a_lost_answer_after_the_whole_body_is_outcome_unknown() -> None:
    lost = NetworkError("Could not reach x: closed.", service_text="RemoteProtocolError")
    body = BytesBody(b"{}")
    assert outcome_unknown(lost, body, service="Runway", name="a.png") is lost
    body.sent_all = True
    unknown = outcome_unknown(lost, body, service="Runway", name="a.png")
    assert isinstance(unknown, OutcomeUnknown) and not unknown.retryable
    assert unknown.message == (
        "The connection was lost after a.png was sent in full, before Runway answered: "
        "it is not known whether Runway kept a.png."
    )
    assert unknown.service_text == "RemoteProtocolError"
