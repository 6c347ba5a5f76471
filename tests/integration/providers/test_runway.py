"""RunwayClient against the sandbox."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.helpers.http_calls import api_requests

from assetdesk.core.errors import BadRequest, InvalidInput, NotFound, Unauthorized
from assetdesk.core.ids import RunwayAssetId
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection

pytestmark = pytest.mark.anyio


async def test_get_asset_and_fetch_its_signed_url(sb: Any, runway: RunwayClient) -> None:
    asset_id = sb.demo["runway_asset_ids"][0]
    asset = await runway.get(asset_id)
    assert asset.asset_id == asset_id
    assert RunwayAssetId.parse(asset.asset_id).email in sb.demo["runway_emails"]
    assert asset.url and asset.media_type in ("image", "video")
    async with httpx.AsyncClient() as plain:
        body = await plain.get(asset.url)
        assert body.status_code == 200
        assert len(body.content) == asset.file_size
        for preview in asset.preview_urls:
            assert (await plain.get(preview)).status_code == 200


async def test_video_asset_has_duration_and_size(sb: Any, runway: RunwayClient) -> None:
    videos = await runway.list(media_type="video", limit=50)
    assert videos, "the sandbox seeds at least one Runway video"
    video = await runway.get(videos[0].asset_id)
    assert video.media_type == "video"
    assert video.duration is not None and video.duration > 0
    assert (video.width, video.height) == (320, 180)


async def test_unknown_asset_is_not_found(sb: Any, runway: RunwayClient) -> None:
    email = sb.demo["runway_emails"][0]
    with pytest.raises(NotFound):
        await runway.get(f"user:1001-runwayml:{email}-asset:00000000-dead")


async def test_list_pages_and_filters(sb: Any, runway: RunwayClient) -> None:
    everything = await runway.list(limit=50)
    assert len(everything) == len(sb.demo["runway_asset_ids"])
    first = await runway.list(offset=0, limit=2)
    second = await runway.list(offset=2, limit=2)
    assert [a.asset_id for a in first + second] == [a.asset_id for a in everything[:4]]
    images = await runway.list(media_type="image", limit=50)
    assert images and all(a.media_type == "image" for a in images)
    past_the_end = await runway.list(offset=len(everything), limit=10)
    assert past_the_end == []


async def test_list_bounds_are_checked_before_any_request(sb: Any, runway: RunwayClient) -> None:
    for kwargs in ({"offset": -1}, {"offset": 1001}, {"limit": 0}, {"limit": 51}):
        with pytest.raises(InvalidInput):
            await runway.list(**kwargs)
    with pytest.raises(InvalidInput):
        await runway.list(media_type="pdf")
    assert api_requests(sb, "/v1/runwayml") == []


async def test_list_without_email_for_several_accounts_is_refused(sb: Any) -> None:
    async with UseapiConnection(sb.demo["other_user_token"], sb.api_url) as conn:
        runway = RunwayClient(conn)
        with pytest.raises(BadRequest) as caught:
            await runway.list()
        assert "email" in caught.value.message
        emails = await runway.accounts()
        assert len(emails) == 2
        assert isinstance(await runway.list(email=emails[0]), list)


async def test_bad_token(sb: Any) -> None:
    async with UseapiConnection("user:1001-NotTheToken99", sb.api_url) as conn:
        with pytest.raises(Unauthorized):
            await RunwayClient(conn).list()


async def test_service_400_is_a_bad_request(sb: Any, runway: RunwayClient) -> None:
    body = {"error": "Invalid assetId", "code": 400}
    sb.fault("api", "/v1/runwayml/assets/*", status=400, body=body)
    with pytest.raises(BadRequest) as caught:
        await runway.get(sb.demo["runway_asset_ids"][0])
    assert caught.value.service_text == "Invalid assetId"
    assert caught.value.message.startswith("useapi.net refused the request (Runway asset ")
    assert "Runway asset Runway" not in caught.value.message


async def test_sparse_asset_without_previews_or_size(sb: Any, runway: RunwayClient) -> None:
    """Every field of the model is optional; a bare upload has no previews, size or metadata."""
    sparse = await runway.get(sb.demo["runway_asset_ids"][-1])
    assert sparse.preview_urls == ()
    assert sparse.file_size is None and sparse.width is None and sparse.duration is None
    assert sparse.name and sparse.url and sparse.media_type == "image"
