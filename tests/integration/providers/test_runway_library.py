"""RunwayClient's library calls against the sandbox: every page of the list, deleting an asset
(also when its answer is lost), a generated asset's task."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from tests.helpers.http_calls import api_requests
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.core.errors import InvalidInput, NotFound, Throttled
from assetdesk.providers.runway import RunwayAsset, RunwayClient

pytestmark = pytest.mark.anyio


def list_offsets(sb: Any) -> list[int]:
    calls = [r for r in api_requests(sb, "/v1/runwayml/assets") if r["method"] == "GET"]
    return [int(parse_qs(r["query"])["offset"][0]) for r in calls]


async def everything(runway: RunwayClient, **kwargs: Any) -> list[RunwayAsset]:
    return [asset async for asset in runway.list_all(**kwargs)]


async def test_list_all_reads_every_page_until_a_short_one(sb: Any, runway: RunwayClient) -> None:
    made = seed_runway_assets(sb, 300)
    sb.clear_requests()
    assets = await everything(runway)
    ids = [a.asset_id for a in assets]
    assert len(ids) == len(set(ids)) == 300 + len(sb.demo["runway_asset_ids"])
    assert set(made["assetIds"]) | set(sb.demo["runway_asset_ids"]) == set(ids)
    assert list_offsets(sb) == [0, 50, 100, 150, 200, 250, 300]
    generated = [a for a in assets if a.task_id]
    assert len(generated) == len(made["taskIds"]) and all(a.is_upload is False for a in generated)


async def test_list_all_passes_media_type_and_email(sb: Any, runway: RunwayClient) -> None:
    seed_runway_assets(sb, 60, media_type="video", generated_every=0)
    sb.clear_requests()
    email = sb.demo["runway_emails"][0]
    videos = await everything(runway, email=email, media_type="video")
    assert len(videos) == 61 and all(a.media_type == "video" for a in videos)
    query = parse_qs(api_requests(sb, "/v1/runwayml/assets")[0]["query"])
    assert query["mediaType"] == ["video"] and query["email"] == [email]


async def test_list_all_stops_at_the_offset_cap_and_says_so(
    sb: Any, runway: RunwayClient, caplog: pytest.LogCaptureFixture
) -> None:
    seed_runway_assets(sb, 1100, generated_every=0)
    sb.clear_requests()
    said: list[str] = []
    assets = [a async for a in runway.list_all(on_capped=said.append)]
    assert len(assets) == 1050
    assert list_offsets(sb) == list(range(0, 1001, 50))
    assert said == [
        "useapi.net lists only the newest 1,050 Runway assets of an account; "
        "older ones cannot be listed."
    ]
    assert said[0] in caplog.text


async def test_list_all_sits_out_a_short_429_mid_listing(sb: Any, runway: RunwayClient) -> None:
    seed_runway_assets(sb, 120, generated_every=0)
    sb.clear_requests()
    seen: list[str] = []
    async for asset in runway.list_all():
        seen.append(asset.asset_id)
        if len(seen) == 50:  # the first page is read; the next request is refused once
            sb.fault("api", "/v1/runwayml/assets/", status=429, headers={"Retry-After": "0.2"})
    assert len(seen) == len(set(seen)) == 120 + len(sb.demo["runway_asset_ids"])
    assert list_offsets(sb) == [0, 50, 50, 100]


async def test_list_all_reports_a_long_429_after_what_it_read(
    sb: Any, runway: RunwayClient
) -> None:
    seed_runway_assets(sb, 120, generated_every=0)
    seen: list[str] = []
    with pytest.raises(Throttled):
        async for asset in runway.list_all():
            seen.append(asset.asset_id)
            if len(seen) == 50:
                sb.fault("api", "/v1/runwayml/assets/", status=429, headers={"Retry-After": "1800"})
    assert len(seen) == 50


async def test_delete_asset_sends_one_delete_and_the_asset_is_gone(
    sb: Any, runway: RunwayClient
) -> None:
    asset_id = sb.demo["runway_asset_ids"][2]
    await runway.delete_asset(asset_id)
    deletes = [r for r in sb.requests("api") if r["method"] == "DELETE"]
    assert [r["path"] for r in deletes] == [f"/v1/runwayml/assets/{asset_id}"]
    with pytest.raises(NotFound):
        await runway.get(asset_id)
    with pytest.raises(NotFound) as again:
        await runway.delete_asset(asset_id)
    assert "Runway asset" in again.value.message


async def test_delete_refuses_a_bad_id_before_any_request(sb: Any, runway: RunwayClient) -> None:
    for text in ("", "  ", "not-an-id", "user:1001-email:6a6f-image:abc"):
        with pytest.raises(InvalidInput) as caught:
            await runway.delete_asset(text)
        assert caught.value.message.startswith("Invalid Runway assetId")
    assert [r for r in sb.requests("api") if r["method"] == "DELETE"] == []


async def test_delete_of_another_users_asset_is_refused(
    sb: Any, runway: RunwayClient, demo_dir: Path
) -> None:
    theirs = sb.put_runway_asset(
        demo_dir / "swatch-256x256.png", "image/png", token=sb.demo["other_user_token"]
    )
    with pytest.raises(NotFound):
        await runway.delete_asset(theirs)
    assert theirs in [a["assetId"] for a in _runway_of_other(sb)]


def _runway_of_other(sb: Any) -> list[dict[str, Any]]:
    answer = httpx.get(
        sb.api_url + "/v1/runwayml/assets/",
        params={"offset": 0, "limit": 50, "email": "other.one@example.com"},
        headers={"Authorization": f"Bearer {sb.demo['other_user_token']}"},
    )
    result: list[dict[str, Any]] = answer.json()
    return result


async def test_delete_whose_answer_is_lost_is_checked_not_repeated(
    sb: Any, runway: RunwayClient
) -> None:
    asset_id = sb.demo["runway_asset_ids"][1]
    sb.fault("api", "/v1/runwayml/assets/*", method="DELETE", drop_after_bytes=0)
    await runway.delete_asset(asset_id)
    calls = [(r["method"], r["path"]) for r in api_requests(sb, "/v1/runwayml/assets/")]
    path = f"/v1/runwayml/assets/{asset_id}"
    assert calls == [("DELETE", path), ("GET", path)]


async def test_delete_refused_by_a_failing_service_is_sent_again(
    sb: Any, runway: RunwayClient
) -> None:
    asset_id = sb.demo["runway_asset_ids"][1]
    sb.fault("api", "/v1/runwayml/assets/*", method="DELETE", status=503, body={"error": "down"})
    await runway.delete_asset(asset_id)
    calls = [(r["method"], r["path"]) for r in api_requests(sb, "/v1/runwayml/assets/")]
    path = f"/v1/runwayml/assets/{asset_id}"
    assert calls == [("DELETE", path), ("GET", path), ("DELETE", path)]
    with pytest.raises(NotFound):
        await runway.get(asset_id)


async def test_get_task_gives_prompt_seed_and_model(sb: Any, runway: RunwayClient) -> None:
    made = seed_runway_assets(sb, 2, generated_every=1)
    asset = await runway.get(made["assetIds"][1])
    assert asset.task_id == made["taskIds"][1]
    task = await runway.get_task(asset.task_id)
    assert task.task_id == asset.task_id and task.model == "gen3a"
    assert task.prompt and task.seed is not None and task.status == "SUCCEEDED"
    with pytest.raises(NotFound):
        await runway.get_task(asset.task_id[:-4] + "dead")
    with pytest.raises(InvalidInput):
        await runway.get_task(" ")
