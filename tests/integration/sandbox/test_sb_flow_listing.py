"""Google Flow's project and media listings and its batch delete on the sandbox: cursor paging,
both answer shapes, the 100-id limit, a batch refused whole, foreign ids and the lost answer."""

from __future__ import annotations

import urllib.parse
from typing import Any

import httpx
import pytest
from tests.helpers.flow_library import FLOW_SHAPES, flow_listing_shape, seed_flow_library

from assetdesk.sandbox.launcher import SandboxProcess

JO, SECOND = "jo.demo@gmail.com", "flow.second@gmail.com"


def _url(sb: SandboxProcess, what: str, email: str) -> str:
    return f"{sb.api_url}/v1/google-flow/assets/{what}/{urllib.parse.quote(email, safe='')}"


def _delete(
    http: httpx.Client, sb: SandboxProcess, token: str, email: str, body: Any
) -> httpx.Response:
    url = f"{sb.api_url}/v1/google-flow/assets/{urllib.parse.quote(email, safe='')}"
    headers = {"Authorization": f"Bearer {token}"}
    return http.request("DELETE", url, json=body, headers=headers)


def _projects_page(shape: str, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    if shape == "b":
        items = [{**i["project"], **i["stats"]} for i in body["data"]["items"]]
        return items, body["pagination"]["cursor"]
    return [{"id": p["projectId"], **p} for p in body["projects"]], body.get("nextCursor")


def _media_page(shape: str, body: dict[str, Any]) -> tuple[list[str], int, str | None]:
    if shape == "b":
        result = body["result"]
        ids = [m["media"]["mediaGenerationId"]["mediaGenerationId"] for m in result["media"]]
        return ids, result["likelyUploads"], body["paging"]["nextPageToken"] or None
    ids = [m["mediaGenerationId"] for m in body["media"]]
    return ids, body["likelyUploads"], body.get("nextCursor")


def _library(sb: SandboxProcess, **counts: int) -> tuple[str, str, list[str]]:
    """(token, email, project ids) of a one-user one-account library."""
    made = seed_flow_library(sb, **counts)["users"][0]
    (email, projects), *_ = made["google_flow_projects"].items()
    return made["token"], email, projects


@pytest.mark.parametrize("shape", FLOW_SHAPES)
def test_projects_come_in_small_pages_with_generated_counts(
    sb: SandboxProcess, http: httpx.Client, shape: str
) -> None:
    token, email, projects = _library(sb, projects=5, assets=30, generated_every=3)
    flow_listing_shape(sb, shape)
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"cursor": cursor} if cursor else {}
        answer = http.get(
            _url(sb, "projects", email), params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200, answer.text
        items, cursor = _projects_page(shape, answer.json())
        assert len(items) <= 2
        seen += items
        pages += 1
        if not cursor:
            break
    assert pages == 3
    assert [p["id"] for p in seen] == projects
    # 30 assets over 5 projects, every third one generated: 2 generated per project
    totals = [p["mediaCount"] if shape == "a" else p["total"] for p in seen]
    assert totals == [2] * 5


@pytest.mark.parametrize("shape", FLOW_SHAPES)
def test_media_merges_uploads_and_generated_and_pages(
    sb: SandboxProcess, http: httpx.Client, shape: str
) -> None:
    token, email, projects = _library(sb, projects=2, assets=14, generated_every=3)
    flow_listing_shape(sb, shape, media_page_size=3)
    headers = {"Authorization": f"Bearer {token}"}
    ids: list[str] = []
    cursor: str | None = None
    while True:
        params = {"projectId": projects[1], **({"cursor": cursor} if cursor else {})}
        answer = http.get(_url(sb, "media", email), params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        page, uploads, cursor = _media_page(shape, answer.json())
        assert len(page) <= 3
        ids += page
        if not cursor:
            break
    assert len(ids) == len(set(ids)) == 7  # the odd-numbered of 14 assets
    assert uploads == 5  # assets 1, 5, 7, 11, 13 are uploads; 3 and 9 were generated
    assert all(f"-email:{email.encode().hex()}-" in i for i in ids)


def test_media_without_project_reads_the_current_one(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    answer = http.get(_url(sb, "media", JO), headers=auth)
    assert answer.status_code == 200
    body = answer.json()
    ids = [m["mediaGenerationId"] for m in body["media"]]
    demo = sb.demo["media_generation_ids"]
    assert sorted(ids) == sorted([demo[0], demo[2]])
    assert body["likelyUploads"] == 2 and all(m["likelyUpload"] for m in body["media"])
    unknown = http.get(_url(sb, "media", JO), params={"projectId": "nope"}, headers=auth)
    assert unknown.status_code == 404 and "nope" in unknown.json()["error"]


def test_a_foreign_cursor_is_refused(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    answer = http.get(_url(sb, "projects", JO), params={"cursor": "garbage"}, headers=auth)
    assert answer.status_code == 400 and "cursor" in answer.json()["error"]


@pytest.mark.parametrize(
    ("status", "account"),
    [(596, {"session_error": True}), (429, {"throttled_for": 60})],
)
def test_listings_refuse_an_unusable_account(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], status: int, account: Any
) -> None:
    sb.set_google_flow_account(JO, **account)
    for what in ("projects", "media"):
        assert http.get(_url(sb, what, JO), headers=auth).status_code == status
    assert http.get(_url(sb, "projects", JO)).status_code == 401
    assert http.get(_url(sb, "media", "nobody@gmail.com"), headers=auth).status_code == 404


def test_delete_removes_from_listing_and_url_resolution(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    demo = sb.demo["media_generation_ids"]
    answer = _delete(http, sb, sb.demo["useapi_token"], JO, {"mediaGenerationIds": [demo[0]]})
    assert answer.status_code == 200, answer.text
    listed = [
        m["mediaGenerationId"]
        for m in http.get(_url(sb, "media", JO), headers=auth).json()["media"]
    ]
    assert listed == [demo[2]]
    ref = urllib.parse.quote(demo[0], safe="")
    assert http.get(f"{sb.api_url}/v1/google-flow/assets/{ref}", headers=auth).status_code >= 400
    assert demo[0] not in [a["mediaGenerationId"] for a in sb.google_flow_assets()]


def _foreign_cases(sb: SandboxProcess) -> dict[str, str]:
    demo = sb.demo["media_generation_ids"]
    jo_hex = JO.encode().hex()
    return {
        "malformed": "not-an-id",
        "unknown": f"user:1001-email:{jo_hex}-image:00000000-dead",
        "other user": sb.demo["other_user_media_generation_ids"][0],
        "other account": demo[1],  # flow.second's
        "wrong type": f"user:1001-email:{jo_hex}-character:abc",
    }


@pytest.mark.parametrize(
    "case", ["malformed", "unknown", "other user", "other account", "wrong type"]
)
def test_one_bad_id_refuses_the_whole_batch(
    sb: SandboxProcess, http: httpx.Client, case: str
) -> None:
    demo = sb.demo["media_generation_ids"]
    bad = _foreign_cases(sb)[case]
    body = {"mediaGenerationIds": [demo[0], bad, demo[2]]}
    answer = _delete(http, sb, sb.demo["useapi_token"], JO, body)
    assert 400 <= answer.status_code < 500
    assert bad in answer.json()["error"], "the refusal names the bad id"
    held = {a["mediaGenerationId"] for a in sb.google_flow_assets()}
    assert {demo[0], demo[2]} <= held, "nothing was deleted"


def test_more_than_100_ids_are_refused_and_an_odd_body_names_no_id(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    token, email, _ = _library(sb, projects=1, assets=101)
    ids = [a["mediaGenerationId"] for a in sb.google_flow_assets() if a["user_id"] == 5000]
    assert len(ids) == 101
    answer = _delete(http, sb, token, email, {"mediaGenerationIds": ids})
    assert answer.status_code == 400 and "100" in answer.json()["error"]
    assert len([a for a in sb.google_flow_assets() if a["user_id"] == 5000]) == 101
    odd = _delete(http, sb, token, email, {"ids": ids[:2]})
    assert odd.status_code == 400 and "user:" not in odd.json()["error"]
    assert _delete(http, sb, token, email, {"mediaGenerationIds": ids[:100]}).status_code == 200
    assert [a["mediaGenerationId"] for a in sb.google_flow_assets() if a["user_id"] == 5000] == [
        ids[100]
    ]


def test_a_lost_answer_still_deleted(sb: SandboxProcess, http: httpx.Client) -> None:
    demo = sb.demo["media_generation_ids"]
    path = f"/v1/google-flow/assets/{JO}"
    sb.fault("api", path, method="DELETE", drop_after_bytes=0)
    with pytest.raises(httpx.TransportError):
        _delete(http, sb, sb.demo["useapi_token"], JO, {"mediaGenerationIds": [demo[0]]})
    assert demo[0] not in {a["mediaGenerationId"] for a in sb.google_flow_assets()}


@pytest.mark.parametrize("shape", FLOW_SHAPES)
def test_a_generated_asset_has_its_job_record(
    sb: SandboxProcess, http: httpx.Client, shape: str
) -> None:
    made = seed_flow_library(sb, projects=1, assets=12, generated_every=3)["users"][0]
    assert len(made["jobs"]) == 3  # assets 0, 3, 6 and 9 are generated; 9 was made on the web
    flow_listing_shape(sb, shape)
    headers = {"Authorization": f"Bearer {made['token']}"}
    job_id = made["jobs"][0]
    answer = http.get(f"{sb.api_url}/v1/google-flow/jobs/{job_id}", headers=headers)
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert record["jobid"] == job_id and record["status"] == "completed"
    assert record["request"]["prompt"].startswith("test scene 0")
    assert record["request"]["model"] == "imagen-4" and record["request"]["seed"] == 100_000
    held = "media" if shape == "a" else "operations"
    assert len(record["response"][held]) == 1
    assert "mediaGenerationId" in answer.text
    other = http.get(f"{sb.api_url}/v1/google-flow/jobs/{job_id}", headers=sb_auth(sb))
    assert other.status_code == 404, "another user's job is not found"


def sb_auth(sb: SandboxProcess) -> dict[str, str]:
    return {"Authorization": f"Bearer {sb.demo['useapi_token']}"}
