"""WordbeeSegments against the sandbox: a project's segments (every search page), their assets in
chunks, deleting one file, and the guard that no delete leaves without a file name."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
from tests.helpers.http_calls import api_requests
from tests.helpers.sandbox_scale import seed_wordbee_project

from assetdesk.core.errors import InvalidInput, Throttled
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.providers.wordbee_segments import LIST_CHUNK, WordbeeSegments

pytestmark = pytest.mark.anyio


@pytest.fixture
def segments(wordbee: WordbeeClient) -> WordbeeSegments:
    return WordbeeSegments(wordbee)


def calls(sb: Any, method: str, prefix: str = "/api/resources/") -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, prefix, "wordbee") if r["method"] == method]


async def names(segments: WordbeeSegments, scope: str, segment: int) -> list[str]:
    return sorted(f"{a.locale}:{a.name}" for a in await segments.list_assets(scope, [segment]))


async def test_search_reads_every_page_of_a_project(sb: Any, segments: WordbeeSegments) -> None:
    made = seed_wordbee_project(sb, 7215, segments=20, empty_segments=990)
    found = await segments.search_segments(7215)
    assert sorted(found) == sorted(made["segment_ids"] + made["empty_segment_ids"])
    assert len(found) == len(set(found)) == 1010
    assert len(calls(sb, "POST", "/api/resources/segments/search")) == 3  # 500 + 500 + 10


async def test_search_by_scope_finds_the_seeded_project(sb: Any, segments: WordbeeSegments) -> None:
    found = await segments.search_segments(sb.demo["wordbee"]["scope"])
    assert sorted(found) == sb.demo["wordbee"]["segment_ids"]
    assert await segments.search_segments("jbs16682") == []


async def test_project_assets_are_listed_in_chunks(sb: Any, segments: WordbeeSegments) -> None:
    made = seed_wordbee_project(sb, 7215, segments=20, assets_per_segment=2)
    assets = await segments.list_project_assets("pr7215")
    assert len(assets) == 40 and {a.segment_id for a in assets} == set(made["segment_ids"])
    sb.clear_requests()
    many = made["segment_ids"] + list(range(1, 2 * LIST_CHUNK + 31))
    assert len(await segments.list_assets("pr7215", many)) == 40
    sizes = [
        len(parse_qs(r["query"])["segmentIds"][0].split(","))
        for r in calls(sb, "GET", "/api/resources/assets/list")
    ]
    assert sizes == [LIST_CHUNK, LIST_CHUNK, 50]


async def test_delete_one_file(sb: Any, segments: WordbeeSegments) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    before = await names(segments, scope, segment)
    await segments.delete_asset(segment, scope, "clip.mp4")
    assert await names(segments, scope, segment) == [n for n in before if n != "None:clip.mp4"]
    (sent,) = calls(sb, "DELETE")
    assert parse_qs(sent["query"]) == {"scope": [scope], "filename": ["clip.mp4"]}


async def test_delete_one_locale_in_a_folder(sb: Any, segments: WordbeeSegments) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    await segments.delete_asset(segment, scope, "pexels-gons3.jpg", locale="de")
    await segments.delete_asset(segment, scope, "moodboard.png", relative_path="refs")
    assert await names(segments, scope, segment) == ["None:clip.mp4", "en:pexels-gons3.jpg"]
    queries = [parse_qs(r["query"]) for r in calls(sb, "DELETE")]
    assert queries[0]["locale"] == ["de"] and queries[1]["relativePath"] == ["refs"]


@pytest.mark.parametrize("filename", ["", "   ", None, "refs/", "refs\\", "/"])
async def test_no_delete_leaves_without_a_file_name(
    sb: Any, segments: WordbeeSegments, filename: Any
) -> None:
    """Without `filename` the service deletes every file of the segment: never sent."""
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    before = await names(segments, scope, segment)
    sb.clear_requests()
    with pytest.raises(InvalidInput):
        await segments.delete_asset(segment, scope, filename)
    assert calls(sb, "DELETE") == [] and sb.requests("wordbee") == []
    assert await names(segments, scope, segment) == before


async def test_delete_and_search_sign_in_again_after_expiry(
    sb: Any, segments: WordbeeSegments, wordbee: WordbeeClient
) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][1]
    await segments.search_segments(scope)
    sb.advance_clock(31 * 60)
    assert sorted(await segments.search_segments(scope)) == sb.demo["wordbee"]["segment_ids"]
    sb.advance_clock(31 * 60)
    await segments.delete_asset(segment, scope, "café münchen.png")
    assert "None:café münchen.png" not in await names(segments, scope, segment)
    sign_ins = [r for r in api_requests(sb, "/api/auth/token", "wordbee") if r["method"] == "POST"]
    assert len(sign_ins) == 3


async def test_a_delete_whose_answer_is_lost_is_sent_again_with_its_file_name(
    sb: Any, segments: WordbeeSegments
) -> None:
    """The delete is idempotent (200 when the file is gone), so retrying it is safe; the retry
    carries the file name like the first call. (The empty answer announced as one byte long:
    the connection ends before it is complete.)"""
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    sb.fault("wordbee", "/api/resources/assets/*", method="DELETE", content_length=1)
    await segments.delete_asset(segment, scope, "clip.mp4")
    sent = calls(sb, "DELETE")
    assert len(sent) == 2
    assert all(parse_qs(r["query"])["filename"] == ["clip.mp4"] for r in sent)
    assert "None:clip.mp4" not in await names(segments, scope, segment)
    assert len(await names(segments, scope, segment)) == 3


async def test_a_throttled_search_says_so(sb: Any, segments: WordbeeSegments) -> None:
    body = {"error": {"messages": ["Requests throttled. Maximum allowed 1000 per 01:00:00."]}}
    sb.fault("wordbee", "/api/resources/segments/search", status=429, body=body)
    with pytest.raises(Throttled) as caught:
        await segments.search_segments(7214)
    assert caught.value.message.startswith("Wordbee is limiting requests (segments of pr7214)")
