"""WordbeeClient against the sandbox: sign-in, expiry and re-authentication, lists, downloads."""

from __future__ import annotations

from typing import Any

import pytest
from tests.helpers.http_calls import api_requests

from assetdesk.core.errors import InvalidInput, NotFound, Throttled, Unauthorized
from assetdesk.providers.wordbee import WordbeeClient

pytestmark = pytest.mark.anyio


def auth_calls(sb: Any) -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, "/api/auth/token", "wordbee") if r["method"] == "POST"]


async def test_lists_segment_assets_and_sends_both_headers(sb: Any, wordbee: WordbeeClient) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    assets = await wordbee.list_segment_assets(segment, scope)
    assert assets and all(a.segment_id == segment for a in assets)
    listed = [r for r in sb.requests("wordbee") if r["path"].endswith("/list")]
    assert listed[0]["headers"]["x-auth-token"] == sb.redacted(wordbee.token)
    assert listed[0]["headers"]["x-auth-accountid"] == sb.demo["wordbee_account_id"]


async def test_lists_several_segments(sb: Any, wordbee: WordbeeClient) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segments = sb.demo["wordbee"]["segment_ids"]
    assets = await wordbee.list_assets(segments, scope)
    assert {a.segment_id for a in assets} == set(segments)


async def test_downloads_an_asset_with_its_headers(sb: Any, wordbee: WordbeeClient) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    asset = next(a for a in await wordbee.list_segment_assets(segment, scope) if a.locale)
    async with wordbee.open_download(
        segment, scope, asset.name, locale=asset.locale, relative_path=asset.relative_path
    ) as response:
        body = await response.aread()
    assert response.headers["content-type"].startswith(asset.content_type or "")
    assert int(response.headers["content-length"]) == len(body) == asset.size
    assert asset.name in response.headers["content-disposition"]


async def test_missing_file_is_not_found(sb: Any, wordbee: WordbeeClient) -> None:
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    with pytest.raises(NotFound) as caught:
        async with wordbee.open_download(segment, scope, "no-such-file.png"):
            pass
    assert "does not exist" in (caught.value.service_text or "")


@pytest.mark.parametrize("expired_status", [400, 401])
async def test_expired_token_signs_in_again_once(
    sb: Any, wordbee: WordbeeClient, expired_status: int
) -> None:
    """Wordbee's default error status is 400; either 400 or 401 with its text means expired."""
    sb.configure(wordbee_expired_status=expired_status)
    scope = sb.demo["wordbee"]["scope"]
    segment = sb.demo["wordbee"]["segment_ids"][0]
    await wordbee.list_segment_assets(segment, scope)
    first_token = wordbee.token
    sb.advance_clock(31 * 60)
    assets = await wordbee.list_segment_assets(segment, scope)
    assert assets
    assert wordbee.token != first_token
    assert len(auth_calls(sb)) == 2


async def test_wrong_key_is_unauthorized_without_a_loop(sb: Any) -> None:
    key = "wbk-NotTheKey-9999"
    async with WordbeeClient(sb.wordbee_url, sb.demo["wordbee_account_id"], key) as client:
        with pytest.raises(Unauthorized) as caught:
            await client.list_segment_assets(1, "pr1")
    assert key not in str(caught.value.to_dict())
    assert len(auth_calls(sb)) == 1


async def test_a_token_refused_even_after_renewal_stops_after_one_renewal(
    sb: Any, wordbee: WordbeeClient
) -> None:
    scope = sb.demo["wordbee"]["scope"]
    expired = {"error": {"messages": ["Token invalid or expired."]}, "reason": "expired"}
    sb.fault("wordbee", "/api/resources/assets/*", count=3, status=401, body=expired)
    with pytest.raises(Unauthorized):
        await wordbee.list_segment_assets(sb.demo["wordbee"]["segment_ids"][0], scope)
    assert len(auth_calls(sb)) == 2  # the first sign-in, and the one renewal
    listed = [r for r in sb.requests("wordbee") if r["path"].endswith("/list")]
    assert len(listed) == 2


async def test_server_failure_is_not_mistaken_for_a_missing_file(
    sb: Any, wordbee: WordbeeClient
) -> None:
    scope = sb.demo["wordbee"]["scope"]
    body = {"error": {"messages": ["Segment not found in cache"]}}
    sb.fault("wordbee", "/api/resources/assets/*", count=1, status=500, body=body)
    assets = await wordbee.list_segment_assets(sb.demo["wordbee"]["segment_ids"][0], scope)
    assert assets, "a 500 is retried and the second answer is used"


async def test_throttled(sb: Any, wordbee: WordbeeClient) -> None:
    sb.fault(
        "wordbee",
        "/api/resources/assets/*",
        count=5,
        status=429,
        body="Requests throttled. Maximum allowed 1000 per 01:00:00.",
    )
    with pytest.raises(Throttled) as caught:
        await wordbee.list_segment_assets(1, sb.demo["wordbee"]["scope"])
    assert caught.value.retry_after is not None and caught.value.retry_after >= 10


async def test_bad_scope_is_refused_locally(sb: Any, wordbee: WordbeeClient) -> None:
    with pytest.raises(InvalidInput):
        await wordbee.list_segment_assets(1, "project7214")
    assert sb.requests("wordbee") == []


async def test_sign_out_ends_the_token(sb: Any, wordbee: WordbeeClient) -> None:
    scope = sb.demo["wordbee"]["scope"]
    await wordbee.list_segment_assets(sb.demo["wordbee"]["segment_ids"][0], scope)
    await wordbee.sign_out()
    assert wordbee.token is None
    deletes = [r for r in sb.requests("wordbee") if r["method"] == "DELETE"]
    assert len(deletes) == 1
