"""RunwayClient.upload over real HTTP against the sandbox: the raw body of each real file stored
byte for byte and listed, what is sent in the query, and each refusal and fault."""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.helpers.http_calls import api_requests
from tests.helpers.media_files import MEDIA

from assetdesk.core.errors import (
    BadRequest,
    NetworkError,
    OutcomeUnknown,
    Throttled,
    Unauthorized,
)
from assetdesk.core.media import JPEG, MP4, PNG, WEBP, MediaKind, MediaType
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection

pytestmark = pytest.mark.anyio

#: Runway's video types beyond Google Flow's, as core/media.py will name them (issue 14's RULES
#: part); built here so that these tests need only what the client reads: the MIME type.
MOV = MediaType("video/quicktime", MediaKind.VIDEO, "MOV", (".mov",), 0)
WEBM = MediaType("video/webm", MediaKind.VIDEO, "WEBM", (".webm",), 0)
MKV = MediaType("video/x-matroska", MediaKind.VIDEO, "MKV", (".mkv",), 0)
THREE_GP = MediaType("video/3gpp", MediaKind.VIDEO, "3GP", (".3gp",), 0)
GIF = MediaType("image/gif", MediaKind.IMAGE, "GIF", (".gif",), 0)


def stored(sb: Any, asset_id: str) -> dict[str, Any]:
    """The storage object behind a Runway asset, by the uuid its key carries."""
    uuid = asset_id.rsplit("-asset:", 1)[1]
    (found,) = [o for o in sb.objects() if o["key"].startswith(f"runway-assets/{uuid}.")]
    return found


@pytest.mark.parametrize(
    ("path", "media_type", "dims"),
    [
        (MEDIA / "picture.png", PNG, None),
        (MEDIA / "picture.jpg", JPEG, None),
        (MEDIA / "picture.webp", WEBP, None),
        (MEDIA / "picture.gif", GIF, None),
        (MEDIA / "clip.mp4", MP4, None),
        (MEDIA / "clip.mov", MOV, (64, 48, 1.0)),
        (MEDIA / "clip.webm", WEBM, (64, 48, 1.0)),
        (MEDIA / "clip.mkv", MKV, (64, 48, 1.0)),
        (MEDIA / "clip.3gp", THREE_GP, (64, 48, 1.0)),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else None,
)
async def test_each_real_file_is_stored_byte_for_byte_and_listed(
    sb: Any, runway: RunwayClient, path: Path, media_type: MediaType, dims: Any
) -> None:
    data = path.read_bytes()
    width, height, duration = dims or (None, None, None)
    seen: list[tuple[int, int]] = []
    asset = await runway.upload(
        path,
        media_type,
        len(data),
        name=f"Ref {path.name}",
        width=width,
        height=height,
        duration_seconds=duration,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert asset.asset_id.startswith("user:1001-runwayml:runway.demo@example.com-asset:")
    assert (asset.name, asset.file_size) == (f"Ref {path.name}", len(data))
    assert asset.media_type == media_type.kind.value and asset.is_upload is True
    assert seen[-1] == (len(data), len(data))
    (request,) = [r for r in api_requests(sb, "/v1/runwayml/assets") if r["method"] == "POST"]
    assert request["headers"]["content-type"] == media_type.mime
    assert request["params"]["name"] == f"Ref {path.name}"
    if dims:
        assert (request["params"]["width"], request["params"]["height"]) == ("64", "48")
        assert request["params"]["duration"] == "1.0"
    obj = stored(sb, asset.asset_id)
    assert (obj["size"], obj["md5"]) == (len(data), hashlib.md5(data).hexdigest())
    assert obj["content_type"] == media_type.mime
    async with httpx.AsyncClient() as plain:
        assert (await plain.get(asset.url or "")).content == data
    listed = [a async for a in runway.list_all()]
    assert [a.file_size for a in listed if a.asset_id == asset.asset_id] == [len(data)]


async def test_probed_images_answer_their_size(sb: Any, runway: RunwayClient) -> None:
    path = Path(__file__).resolve().parents[3] / "resources" / "demo" / "sunrise-640x360.png"
    asset = await runway.upload(path, PNG, path.stat().st_size, name="Sunrise")
    fetched = await runway.get(asset.asset_id)
    assert (fetched.width, fetched.height) == (640, 360)
    assert "width" not in sb.requests("api")[-2]["params"], "not sent when not known"


async def test_several_accounts_need_the_email(sb: Any) -> None:
    path = MEDIA / "picture.png"
    async with UseapiConnection(sb.demo["other_user_token"], sb.api_url) as conn:
        client = RunwayClient(conn)
        with pytest.raises(BadRequest) as caught:
            await client.upload(path, PNG, path.stat().st_size, name="x")
        assert caught.value.service_text == (
            "Multiple Runway accounts configured, parameter email is required"
        )
        asset = await client.upload(
            path, PNG, path.stat().st_size, name="x", email="other.two@example.com"
        )
    assert "-runwayml:other.two@example.com-asset:" in asset.asset_id


async def test_a_400_keeps_the_services_words(sb: Any, runway: RunwayClient) -> None:
    said = "Asset is too large for this plan"
    sb.fault("api", "/v1/runwayml/assets/", method="POST", status=400, body={"error": said})
    path = MEDIA / "clip.mp4"
    with pytest.raises(BadRequest) as caught:
        await runway.upload(path, MP4, path.stat().st_size, name="Clip")
    assert caught.value.service_text == said
    assert caught.value.message == f"useapi.net refused the request (Clip): {said}."
    assert caught.value.status == 400


async def test_the_sandbox_refuses_a_type_runway_does_not_take(runway: RunwayClient) -> None:
    path = MEDIA / "picture.bmp"
    bmp = MediaType("image/bmp", MediaKind.IMAGE, "BMP", (".bmp",), 0)
    with pytest.raises(BadRequest) as caught:
        await runway.upload(path, bmp, path.stat().st_size, name="Bitmap")
    assert (caught.value.service_text or "").startswith("Unsupported Content-Type: image/bmp.")


@pytest.mark.parametrize("retry_after", ["30", None])
async def test_429_is_throttled_with_or_without_its_wait_and_sent_once(
    sb: Any, runway: RunwayClient, retry_after: str | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else None
    sb.fault(
        "api",
        "/v1/runwayml/assets/",
        method="POST",
        status=429,
        headers=headers,
        body={"error": "Too many requests", "code": 429},
    )
    path = MEDIA / "picture.png"
    with pytest.raises(Throttled) as caught:
        await runway.upload(path, PNG, path.stat().st_size, name="x")
    assert caught.value.retry_after == (30.0 if retry_after else None)
    assert len(api_requests(sb, "/v1/runwayml/assets/")) == 1, "never retried here"


async def test_a_bad_token_is_unauthorized(sb: Any) -> None:
    path = MEDIA / "picture.png"
    async with UseapiConnection("wrong", sb.api_url) as conn:
        with pytest.raises(Unauthorized):
            await RunwayClient(conn).upload(path, PNG, path.stat().st_size, name="x")


async def test_a_lost_answer_after_the_whole_body_is_outcome_unknown(
    sb: Any, runway: RunwayClient
) -> None:
    sb.fault("api", "/v1/runwayml/assets/", method="POST", lose_answer=True)
    path = MEDIA / "clip.mp4"
    with pytest.raises(OutcomeUnknown) as caught:
        await runway.upload(path, MP4, path.stat().st_size, name="Lost clip")
    assert "it is not known whether Runway kept Lost clip" in caught.value.message
    listed = [a.name async for a in runway.list_all()]
    assert listed.count("Lost clip") == 1, "the service kept it; nothing was sent twice"


@pytest.mark.parametrize("answer", [{"ok": True}, "accepted"])
async def test_a_2xx_without_an_asset_id_is_outcome_unknown_not_a_failure_to_retry(
    sb: Any, runway: RunwayClient, answer: Any
) -> None:
    sb.fault("api", "/v1/runwayml/assets/", method="POST", status=200, body=answer)
    path = MEDIA / "picture.png"
    with pytest.raises(OutcomeUnknown) as caught:
        await runway.upload(path, PNG, path.stat().st_size, name="Odd")
    assert caught.value.message == (
        "useapi.net accepted Odd for Runway but sent no assetId: it is not known whether "
        "Runway kept Odd."
    )
    assert not caught.value.retryable


async def test_a_file_never_sent_is_a_network_error_not_an_unknown_outcome() -> None:
    """Nothing reached the service (no one listens): an ordinary network error, which the queue
    may send again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = MEDIA / "picture.png"
    async with UseapiConnection("t", f"http://127.0.0.1:{port}") as conn:
        with pytest.raises(NetworkError) as caught:
            await RunwayClient(conn).upload(path, PNG, path.stat().st_size, name="x")
    assert not isinstance(caught.value, OutcomeUnknown)


async def test_a_connection_cut_while_the_file_is_sent_is_a_network_error(
    sb: Any, runway: RunwayClient, tmp_path: Path
) -> None:
    """Cut after 1 MiB of 32: the file was not all sent, so an ordinary network error (the queue
    may send it again), and Runway kept nothing."""
    path = tmp_path / "long.webm"
    with path.open("wb") as out:
        out.truncate(32 * 1024 * 1024)
    sb.fault("api", "/v1/runwayml/assets/", method="POST", drop_after_request_bytes=1024 * 1024)
    with pytest.raises(NetworkError) as caught:
        await runway.upload(path, WEBM, path.stat().st_size, name="Cut")
    assert not isinstance(caught.value, OutcomeUnknown)
    assert "Cut" not in [a.name async for a in runway.list_all()]
