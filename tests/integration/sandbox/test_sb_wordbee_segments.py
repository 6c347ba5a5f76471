"""The Wordbee origin: the segment search by project scope (skip/take paging and its bounds) and
deleting segment assets (one file, one locale's copy, or every file when no filename is sent)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.helpers.sandbox_scale import seed_wordbee_project

from assetdesk.sandbox.launcher import SandboxProcess


@pytest.fixture
def wb(sb: SandboxProcess) -> Iterator[httpx.Client]:
    """A client on the Wordbee origin, signed in as the demo account."""
    with httpx.Client(base_url=sb.wordbee_url, timeout=30) as client:
        token = client.post(
            "/api/auth/token",
            json={"accountid": sb.demo["wordbee_account_id"], "key": sb.demo["wordbee_key"]},
        ).json()
        client.headers.update(
            {"X-Auth-Token": token, "X-Auth-AccountId": sb.demo["wordbee_account_id"]}
        )
        yield client


def search(wb: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return wb.post("/api/resources/segments/search", json=body)


def names(wb: httpx.Client, scope: str, segment: int) -> list[tuple[str | None, str]]:
    listed = wb.get(f"/api/resources/assets/{segment}/list", params={"scope": scope}).json()
    return sorted(((a.get("locale"), a["name"]) for a in listed), key=str)


def test_search_pages_a_project_by_skip_and_take(sb: SandboxProcess, wb: httpx.Client) -> None:
    made = seed_wordbee_project(sb, 7215, segments=20, empty_segments=5)
    scope = {"type": "Project", "projectid": 7215}
    seen: list[int] = []
    for skip in range(0, 30, 10):
        answer = search(wb, {"scope": scope, "skip": skip, "take": 10})
        assert answer.status_code == 200
        result = answer.json()["result"]
        rows = result["rows"]
        assert len(rows) == min(10, 25 - skip)
        assert {str(r["did"]) for r in rows} <= set(result["docs"]) and "users" in result
        assert all({"sid", "did", "dsid", "no"} <= set(r) for r in rows)
        seen += [r["sid"] for r in rows]
    assert sorted(seen) == sorted(made["segment_ids"] + made["empty_segment_ids"])
    default_page = search(wb, {"scope": scope}).json()["result"]["rows"]
    assert len(default_page) == 20


def test_search_finds_the_seeded_project_by_its_assets(
    sb: SandboxProcess, wb: httpx.Client
) -> None:
    rows = search(wb, {"scope": {"type": "Project", "projectid": 7214}, "take": 500}).json()
    assert sorted(r["sid"] for r in rows["result"]["rows"]) == sb.demo["wordbee"]["segment_ids"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"scope": "pr7214"},
        {"scope": {"type": "Project"}},
        {"scope": {"type": "Galaxy", "projectid": 1}},
        {"scope": {"type": "Project", "projectid": 7214}, "take": 501},
        {"scope": {"type": "Project", "projectid": 7214}, "take": 0},
        {"scope": {"type": "Project", "projectid": 7214}, "skip": -1},
    ],
)
def test_search_refuses_bad_bodies(wb: httpx.Client, body: dict[str, Any]) -> None:
    answer = search(wb, body)
    assert answer.status_code == 400 and answer.json()["error"]["details"]


def test_search_needs_a_token(sb: SandboxProcess) -> None:
    answer = httpx.post(
        sb.wordbee_url + "/api/resources/segments/search",
        json={"scope": {"type": "Project", "projectid": 7214}},
    )
    assert answer.status_code == 400 and answer.json()["reason"] == "Token invalid or expired."


def test_delete_one_file_then_again_is_still_200(sb: SandboxProcess, wb: httpx.Client) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    before = names(wb, scope, segment)
    query = {"scope": scope, "filename": "clip.mp4"}
    for _ in range(2):
        answer = wb.delete(f"/api/resources/assets/{segment}", params=query)
        assert (answer.status_code, answer.content) == (200, b"")
    assert names(wb, scope, segment) == [n for n in before if n[1] != "clip.mp4"]


def test_delete_with_locale_removes_only_that_copy(sb: SandboxProcess, wb: httpx.Client) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    query = {"scope": scope, "filename": "pexels-gons3.jpg", "locale": "de"}
    assert wb.delete(f"/api/resources/assets/{segment}", params=query).status_code == 200
    left = names(wb, scope, segment)
    assert ("en", "pexels-gons3.jpg") in left and ("de", "pexels-gons3.jpg") not in left


def test_delete_with_relative_path(sb: SandboxProcess, wb: httpx.Client) -> None:
    scope, segment = sb.demo["wordbee"]["scope"], sb.demo["wordbee"]["segment_ids"][0]
    wrong = {"scope": scope, "filename": "moodboard.png", "relativePath": "elsewhere"}
    assert wb.delete(f"/api/resources/assets/{segment}", params=wrong).status_code == 200
    assert (None, "moodboard.png") in names(wb, scope, segment)
    right = {"scope": scope, "filename": "moodboard.png", "relativePath": "refs"}
    assert wb.delete(f"/api/resources/assets/{segment}", params=right).status_code == 200
    assert (None, "moodboard.png") not in names(wb, scope, segment)


def test_delete_without_filename_deletes_every_file_of_the_segment(
    sb: SandboxProcess, wb: httpx.Client
) -> None:
    scope = sb.demo["wordbee"]["scope"]
    first, second = sb.demo["wordbee"]["segment_ids"]
    kept = names(wb, scope, second)
    for query in ({"scope": scope}, {"scope": scope, "filename": ""}):
        answer = wb.delete(f"/api/resources/assets/{first}", params=query)
        assert (answer.status_code, answer.content) == (200, b"")
        assert names(wb, scope, first) == []
    assert names(wb, scope, second) == kept and kept


def test_delete_checks_token_scope_and_segment(sb: SandboxProcess, wb: httpx.Client) -> None:
    segment = sb.demo["wordbee"]["segment_ids"][0]
    assert wb.delete(f"/api/resources/assets/{segment}").status_code == 400
    assert wb.delete(f"/api/resources/assets/{segment}", params={"scope": "x1"}).status_code == 400
    assert wb.delete("/api/resources/assets/abc", params={"scope": "pr7214"}).status_code == 400
    plain = httpx.delete(
        f"{sb.wordbee_url}/api/resources/assets/{segment}", params={"scope": "pr7214"}
    )
    assert plain.status_code == 400
    assert names(wb, "pr7214", segment), "nothing was deleted"
