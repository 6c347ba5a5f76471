"""GoogleFlowLibrary against the sandbox: both listing shapes, cursor paging, empty and
unreadable answers, failures mid-listing, batch deletes (done, refused whole, too many, lost)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.helpers.flow_library import FLOW_SHAPES, flow_listing_shape, seed_flow_library
from tests.helpers.http_calls import FAST_RETRY, api_requests

from assetdesk.core.errors import (
    BatchRefused,
    InvalidInput,
    NetworkError,
    NotFound,
    SessionExpired,
    Throttled,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.providers.google_flow_listing import FlowMedia, FlowProject, GoogleFlowLibrary
from assetdesk.providers.useapi import UseapiConnection

pytestmark = pytest.mark.anyio

JO = "jo.demo@gmail.com"
SESSION_ERROR = {"error": "Failed to refresh session: 500 Internal Server Error"}


@pytest.fixture
def library(connection: UseapiConnection) -> GoogleFlowLibrary:
    return GoogleFlowLibrary(connection)


@pytest.fixture
async def scale(sb: Any) -> AsyncIterator[tuple[GoogleFlowLibrary, str, list[str]]]:
    """A library user with one account of 5 projects holding 40 assets (every third generated)."""
    made = seed_flow_library(sb, projects=5, assets=40, generated_every=3)["users"][0]
    ((email, projects),) = made["google_flow_projects"].items()
    async with UseapiConnection(made["token"], sb.api_url, retry=FAST_RETRY) as conn:
        yield GoogleFlowLibrary(conn), email, projects


async def _projects(library: GoogleFlowLibrary, email: str) -> list[FlowProject]:
    return [p async for p in library.list_projects(email)]


async def _media(library: GoogleFlowLibrary, email: str, project: str | None) -> list[FlowMedia]:
    return [m async for m in library.list_media(email, project)]


@pytest.mark.parametrize("shape", FLOW_SHAPES)
async def test_lists_every_project_and_its_media_in_either_shape(
    sb: Any, scale: tuple[GoogleFlowLibrary, str, list[str]], shape: str
) -> None:
    library, email, project_ids = scale
    flow_listing_shape(sb, shape, media_page_size=3)
    projects = await _projects(library, email)
    assert [p.project_id for p in projects] == project_ids
    assert all(p.title for p in projects)
    assert [p.media_count for p in projects] == [3, 3, 2, 3, 3]  # generated only
    pages = api_requests(sb, "/v1/google-flow/assets/projects/")
    assert len(pages) == 3 and "cursor" not in pages[0]["params"]
    assert all(r["params"].get("cursor") for r in pages[1:])

    sb.clear_requests()
    seen: list[int] = []
    media = [m async for m in library.list_media(email, project_ids[1], progress=seen.append)]
    assert len(media) == 8 and seen == [3, 6, 8]
    assert all(m.project_id == project_ids[1] for m in media)
    assert sum(bool(m.likely_upload) for m in media) == 5
    assert {m.kind for m in media} == {"image", "video"}
    for item in media:
        assert item.width and item.height and item.created and item.title
        assert (item.width, item.height) == ((320, 180) if item.kind == "video" else (640, 360))
    assert len(api_requests(sb, "/v1/google-flow/assets/media/")) == 3


async def test_without_a_project_the_current_one_is_listed(
    sb: Any, library: GoogleFlowLibrary
) -> None:
    media = await _media(library, JO, None)
    demo = sb.demo["media_generation_ids"]
    assert sorted(m.media_generation_id for m in media) == sorted([demo[0], demo[2]])
    assert all(m.likely_upload for m in media)
    (request,) = api_requests(sb, "/v1/google-flow/assets/media/")
    assert "projectId" not in request["params"]


@pytest.mark.parametrize("shape", FLOW_SHAPES)
async def test_an_empty_account_lists_nothing_without_error(sb: Any, shape: str) -> None:
    made = seed_flow_library(sb, projects=2, assets=0)["users"][0]
    ((email, _),) = made["google_flow_projects"].items()
    flow_listing_shape(sb, shape)
    async with UseapiConnection(made["token"], sb.api_url, retry=FAST_RETRY) as conn:
        library = GoogleFlowLibrary(conn)
        assert await _projects(library, email) == []
        assert await _media(library, email, None) == []


@pytest.mark.parametrize("what", ["projects", "media"])
async def test_an_unrecognisable_answer_is_one_sentence(
    sb: Any, library: GoogleFlowLibrary, what: str
) -> None:
    sb.fault("api", f"/v1/google-flow/assets/{what}/*", status=200, body={"hello": "world"})
    with pytest.raises(UpstreamFailed) as caught:
        if what == "projects":
            await _projects(library, JO)
        else:
            await _media(library, JO, None)
    assert JO in caught.value.message and "nothing recognisable" in caught.value.message
    assert caught.value.service_text and "hello" in caught.value.service_text


@pytest.mark.parametrize(
    ("status", "body", "headers", "error"),
    [
        (401, {"error": "Unauthorized"}, None, Unauthorized),
        (596, SESSION_ERROR, None, SessionExpired),
        (429, {"error": "busy"}, {"Retry-After": "1800"}, Throttled),
    ],
)
async def test_a_failure_mid_listing_raises_its_typed_error(
    sb: Any,
    scale: tuple[GoogleFlowLibrary, str, list[str]],
    status: int,
    body: Any,
    headers: Any,
    error: type[Exception],
) -> None:
    library, email, _ = scale
    projects = library.list_projects(email)
    assert [await anext(projects), await anext(projects)]  # the first page
    sb.fault("api", "/v1/google-flow/assets/projects/*", status=status, body=body, headers=headers)
    with pytest.raises(error):
        await anext(projects)
    assert len(api_requests(sb, "/v1/google-flow/assets/projects/")) == 2, "never retried"


async def test_delete_removes_the_batch(sb: Any, library: GoogleFlowLibrary) -> None:
    demo = sb.demo["media_generation_ids"]
    await library.delete_media(JO, [demo[0], demo[2]])
    (request,) = api_requests(sb, "/v1/google-flow/assets/")
    assert request["method"] == "DELETE" and request["path"].endswith(JO)
    assert await _media(library, JO, None) == []


async def test_a_refused_batch_names_the_bad_id_and_deletes_nothing(
    sb: Any, library: GoogleFlowLibrary
) -> None:
    demo = sb.demo["media_generation_ids"]
    foreign = sb.demo["other_user_media_generation_ids"][0]
    with pytest.raises(BatchRefused) as caught:
        await library.delete_media(JO, [demo[0], foreign, demo[2]])
    assert caught.value.named_ids == (foreign,)
    assert JO in caught.value.message and "none was deleted" in caught.value.message
    assert len(await _media(library, JO, None)) == 2


async def test_a_refusal_naming_no_id_carries_the_service_words(
    sb: Any, library: GoogleFlowLibrary
) -> None:
    body = {"error": "Request body is invalid"}
    sb.fault("api", f"/v1/google-flow/assets/{JO}", method="DELETE", status=400, body=body)
    with pytest.raises(BatchRefused) as caught:
        await library.delete_media(JO, sb.demo["media_generation_ids"][:1])
    assert caught.value.named_ids == ()
    assert "Request body is invalid" in caught.value.message
    assert caught.value.to_dict()["kind"] == "batch_refused"


async def test_more_than_100_ids_are_refused_before_sending(
    sb: Any, library: GoogleFlowLibrary
) -> None:
    ids = [f"user:1001-email:{JO.encode().hex()}-image:{n}" for n in range(101)]
    with pytest.raises(InvalidInput) as caught:
        await library.delete_media(JO, ids)
    assert "100" in caught.value.message and JO in caught.value.message
    assert api_requests(sb, "/v1/google-flow/") == []


async def test_a_lost_answer_is_a_network_error_not_retried(
    sb: Any, library: GoogleFlowLibrary
) -> None:
    demo = sb.demo["media_generation_ids"]
    sb.fault("api", f"/v1/google-flow/assets/{JO}", method="DELETE", drop_after_bytes=0)
    with pytest.raises(NetworkError):
        await library.delete_media(JO, [demo[0]])
    deletes = [r for r in api_requests(sb, "/v1/google-flow/assets/") if r["method"] == "DELETE"]
    assert len(deletes) == 1
    assert [m.media_generation_id for m in await _media(library, JO, None)] == [demo[2]]


@pytest.mark.parametrize("shape", FLOW_SHAPES)
async def test_reads_a_job_record_in_either_shape(sb: Any, shape: str) -> None:
    made = seed_flow_library(sb, projects=1, assets=7, generated_every=3)["users"][0]
    flow_listing_shape(sb, shape)
    async with UseapiConnection(made["token"], sb.api_url, retry=FAST_RETRY) as conn:
        library = GoogleFlowLibrary(conn)
        record = await library.job(made["jobs"][1])
        assert record["request"]["prompt"].startswith("test scene 3")
        assert "seed" not in record["request"]  # sent only when the caller chose one
        with pytest.raises(NotFound):
            await library.job("j0000000v-u1-email:no***@gmail.com-bot:google-flow")


async def test_the_issue_scale_lists_every_asset_once(sb: Any) -> None:
    """2 useapi.net users x 2 Google Flow accounts x 3 projects holding 1,000 assets in all."""
    made = seed_flow_library(sb, users=2, accounts=2, projects=3, assets=1000)["users"]
    listed: set[str] = set()
    for user in made:
        async with UseapiConnection(user["token"], sb.api_url, retry=FAST_RETRY) as conn:
            library = GoogleFlowLibrary(conn)
            for email, project_ids in user["google_flow_projects"].items():
                projects = [p.project_id for p in await _projects(library, email)]
                assert projects == project_ids
                for project_id in projects:
                    listed.update(
                        m.media_generation_id for m in await _media(library, email, project_id)
                    )
    assert len(listed) == 1000
    # 12 projects of 84 or 83 assets, 50 per page: 2 pages each; 2 pages of projects per account
    assert len(api_requests(sb, "/v1/google-flow/assets/media/")) == 24
    assert len(api_requests(sb, "/v1/google-flow/assets/projects/")) == 8
