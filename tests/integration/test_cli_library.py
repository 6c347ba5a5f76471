"""The library's scripting commands as a user runs them: `runway list --all`, `wordbee assets`,
`wordbee delete` (nothing without --yes, never without a file name), and the Runway half of
deleting by id."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
from tests.helpers.cli_process import run_cli, useapi_env, wordbee_env
from tests.helpers.http_calls import FAST_RETRY
from tests.helpers.sandbox_scale import seed_runway_assets, seed_wordbee_project

from assetdesk.cli.library_commands import delete_runway_ids, runway_delete_sentence
from assetdesk.providers.useapi import UseapiConnection


def deletes(sb: Any, origin: str) -> list[dict[str, Any]]:
    """The DELETEs of assets (not the Wordbee sign-out's DELETE /api/auth/token)."""
    return [r for r in sb.requests(origin) if r["method"] == "DELETE" and "/assets/" in r["path"]]


def test_runway_list_all_prints_every_page(sb: Any) -> None:
    made = seed_runway_assets(sb, 300)
    status, items, stderr = run_cli("runway", "list", "--all", env=useapi_env(sb))
    assert status == 0, stderr
    ids = [item["assetId"] for item in items]
    assert len(ids) == len(set(ids)) == 300 + len(sb.demo["runway_asset_ids"])
    generated = [item for item in items if "taskId" in item]
    assert {item["taskId"] for item in generated} == set(made["taskIds"])
    assert all(item["isUserUpload"] is False for item in generated)
    assert set(made["assetIds"]) <= set(ids)


def test_runway_list_all_filters_and_says_when_capped(sb: Any) -> None:
    seed_runway_assets(sb, 1060, media_type="video", generated_every=0)
    email = sb.demo["runway_emails"][0]
    status, items, stderr = run_cli(
        "runway", "list", "--all", "--media-type", "video", "--email", email, env=useapi_env(sb)
    )
    assert status == 0, stderr
    assert len(items) == 1050 and all(item["mediaType"] == "video" for item in items)
    assert "lists only the newest 1,050 Runway assets of an account (" + email in stderr


def test_runway_list_all_goes_through_every_account(sb: Any) -> None:
    env = {**useapi_env(sb), "ASSETDESK_USEAPI_TOKEN": sb.demo["other_user_token"]}
    seed_runway_assets(sb, 3, email="other.two@example.com", token=sb.demo["other_user_token"])
    status, items, stderr = run_cli("runway", "list", "--all", env=env)
    assert status == 0, stderr
    emails = {item["assetId"].split("-runwayml:")[1].split("-asset:")[0] for item in items}
    assert emails == {"other.one@example.com", "other.two@example.com"} and len(items) == 4


def test_wordbee_assets_of_a_whole_project_and_of_named_segments(sb: Any) -> None:
    made = seed_wordbee_project(sb, 7215, segments=20, assets_per_segment=2)
    status, items, stderr = run_cli("wordbee", "assets", "--scope", "pr7215", env=wordbee_env(sb))
    assert status == 0, stderr
    assert len(items) == 40 and {i["segmentId"] for i in items} == set(made["segment_ids"])
    two = [str(s) for s in made["segment_ids"][:2]]
    status, items, _ = run_cli("wordbee", "assets", "--scope", "pr7215", *two, env=wordbee_env(sb))
    assert status == 0 and sorted({str(i["segmentId"]) for i in items}) == sorted(two)


def test_wordbee_assets_reports_a_bad_scope(sb: Any) -> None:
    status, items, _ = run_cli("wordbee", "assets", "--scope", "p7215", env=wordbee_env(sb))
    assert status == 1 and items[0]["kind"] == "invalid_input" and items[0]["scope"] == "p7215"


def test_wordbee_delete_without_yes_deletes_nothing(sb: Any) -> None:
    segment = str(sb.demo["wordbee"]["segment_ids"][0])
    status, items, stderr = run_cli(
        "wordbee", "delete", segment, "--scope", "pr7214", "--filename", "clip.mp4",
        "--locale", "de", env=wordbee_env(sb),
    )  # fmt: skip
    assert (status, items) == (2, [])
    assert f"would delete the de copy of “clip.mp4” from Wordbee segment {segment}" in stderr
    assert "nothing was deleted" in stderr and "--yes" in stderr
    assert sb.requests("wordbee") == []


def test_wordbee_delete_with_yes_deletes_one_file(sb: Any) -> None:
    segment = str(sb.demo["wordbee"]["segment_ids"][0])
    status, items, stderr = run_cli(
        "wordbee", "delete", segment, "--scope", "pr7214", "--filename", "moodboard.png",
        "--relative-path", "refs", "--yes", env=wordbee_env(sb),
    )  # fmt: skip
    assert status == 0, stderr
    assert items == [
        {
            "segmentId": int(segment),
            "scope": "pr7214",
            "filename": "moodboard.png",
            "relativePath": "refs",
            "deleted": True,
        }
    ]
    (sent,) = deletes(sb, "wordbee")
    assert parse_qs(sent["query"])["filename"] == ["moodboard.png"]
    status, listed, _ = run_cli(
        "wordbee", "list", segment, "--scope", "pr7214", env=wordbee_env(sb)
    )
    assert status == 0 and "moodboard.png" not in [i["name"] for i in listed]


def test_wordbee_delete_of_a_file_not_there_says_so_and_sends_nothing(sb: Any) -> None:
    segment = str(sb.demo["wordbee"]["segment_ids"][0])
    status, items, stderr = run_cli(
        "wordbee", "delete", segment, "--scope", "pr7214", "--filename", "moodboard.png",
        "--relative-path", "elsewhere", "--yes", env=wordbee_env(sb),
    )  # fmt: skip
    assert status == 1, stderr
    (item,) = items
    assert item["kind"] == "not_found"
    assert item["error"] == (
        f"Wordbee segment {segment} (pr7214) has no “moodboard.png” in folder “elsewhere”; "
        "nothing was deleted."
    )
    assert deletes(sb, "wordbee") == []


@pytest.mark.parametrize("filename", ["", " ", "refs/"])
def test_wordbee_delete_never_sends_a_blank_file_name(sb: Any, filename: str) -> None:
    segment = str(sb.demo["wordbee"]["segment_ids"][0])
    status, items, _ = run_cli(
        "wordbee", "delete", segment, "--scope", "pr7214", "--filename", filename, "--yes",
        env=wordbee_env(sb),
    )  # fmt: skip
    assert status == 1 and items[0]["kind"] == "invalid_input"
    assert items[0]["segmentId"] == int(segment) and items[0]["filename"] == filename
    assert sb.requests("wordbee") == []


def test_runway_delete_sentence_names_count_and_accounts(sb: Any) -> None:
    ids = sb.demo["runway_asset_ids"][:2]
    assert runway_delete_sentence(ids) == "2 Runway assets (2 on runway.demo@example.com)"


@pytest.mark.anyio
async def test_delete_runway_ids_one_line_each(sb: Any, demo_dir: Any) -> None:
    mine = sb.demo["runway_asset_ids"][0]
    theirs = sb.put_runway_asset(
        demo_dir / "swatch-256x256.png", "image/png", token=sb.demo["other_user_token"]
    )
    lines: list[dict[str, Any]] = []
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=FAST_RETRY) as conn:
        failed = await delete_runway_ids(conn, [mine, theirs, "nonsense"], lines.append)
    assert failed == 2
    assert lines[0] == {"id": mine, "deleted": True}
    assert (lines[1]["id"], lines[1]["deleted"], lines[1]["kind"]) == (theirs, False, "not_found")
    assert (lines[2]["id"], lines[2]["kind"]) == ("nonsense", "invalid_input")
    assert [r["path"] for r in deletes(sb, "api")] == [
        f"/v1/runwayml/assets/{mine}",
        f"/v1/runwayml/assets/{theirs}",
    ]


def test_runway_list_all_reports_a_failing_account_and_goes_on(sb: Any) -> None:
    env = {**useapi_env(sb), "ASSETDESK_USEAPI_TOKEN": sb.demo["other_user_token"]}
    seed_runway_assets(sb, 3, email="other.two@example.com", token=sb.demo["other_user_token"])
    refused = {"error": "Runway account other.one@example.com is not reachable", "code": 400}
    sb.fault("api", "/v1/runwayml/assets/", status=400, body=refused)
    status, items, stderr = run_cli("runway", "list", "--all", env=env)
    assert status == 1, stderr
    failed, *listed = items
    assert failed["email"] == "other.one@example.com" and failed["kind"] == "bad_request"
    assert "other.one@example.com is not reachable" in failed["error"]
    assert len(listed) == 3 and all("other.two@example.com" in i["assetId"] for i in listed)
