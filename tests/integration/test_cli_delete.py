"""`assetdesk delete ID... [--yes]` as a user runs it: nothing without --yes (exit 2, a sentence
of what would go), Google Flow ids of two Google accounts and Runway ids deleted with --yes, one
JSON line each, and a refused id named with why (exit 1)."""

from __future__ import annotations

from typing import Any

from tests.helpers.cli_process import run_cli, useapi_env

JO = "jo.demo@gmail.com"
SECOND = "flow.second@gmail.com"


def deletes(sb: Any) -> list[dict[str, Any]]:
    return [r for r in sb.requests("api") if r["method"] == "DELETE"]


def test_without_yes_nothing_is_deleted_and_the_sentence_says_what_would_be(sb: Any) -> None:
    flow = sb.demo["media_generation_ids"]
    runway = sb.demo["runway_asset_ids"][0]
    status, items, stderr = run_cli("delete", *flow, runway, env=useapi_env(sb))
    assert status == 2 and items == []
    assert deletes(sb) == []
    assert f"would delete 3 Google Flow assets (1 on {SECOND}, 2 on {JO})" in stderr
    assert f"1 Runway asset (1 on {sb.demo['runway_emails'][0]})" in stderr
    assert "nothing was deleted" in stderr and "--yes" in stderr


def test_with_yes_each_id_is_deleted_on_its_service_one_line_each(sb: Any) -> None:
    flow = sb.demo["media_generation_ids"]
    runway = sb.demo["runway_asset_ids"][:2]
    status, items, stderr = run_cli("delete", *flow, *runway, "--yes", env=useapi_env(sb))
    assert status == 0, stderr
    assert sorted(i["id"] for i in items) == sorted([*flow, *runway])
    assert all(i["deleted"] is True for i in items)
    paths = [r["path"] for r in deletes(sb)]
    assert sorted(p for p in paths if "google-flow" in p) == sorted(
        [f"/v1/google-flow/assets/{JO}", f"/v1/google-flow/assets/{SECOND}"]
    )
    assert len([p for p in paths if "runwayml" in p]) == 2

    again, items, _ = run_cli("delete", runway[0], "--yes", env=useapi_env(sb))
    assert again == 1 and items[0]["deleted"] is False and items[0]["id"] == runway[0]


def test_a_foreign_id_is_refused_by_name_and_the_others_are_deleted(sb: Any) -> None:
    mine = [i for i in sb.demo["media_generation_ids"] if JO.encode().hex() in i]
    foreign = mine[0].replace(f"user:{sb.demo['user_id']}", "user:4242", 1)
    status, items, stderr = run_cli(
        "delete", mine[0], foreign, mine[1], "--yes", env=useapi_env(sb)
    )
    assert status == 1, stderr
    lines = {i["id"]: i for i in items}
    assert lines[mine[0]]["deleted"] is True and lines[mine[1]]["deleted"] is True
    bad = lines[foreign]
    assert bad["deleted"] is False and bad["kind"] == "not_deleted"
    assert "Unauthorized access" in bad["error"] and JO in bad["error"]


def test_an_unreadable_id_is_said_and_not_sent(sb: Any) -> None:
    status, items, _ = run_cli("delete", "not-an-id", "--yes", env=useapi_env(sb))
    assert status == 1
    (line,) = items
    assert line["id"] == "not-an-id" and line["deleted"] is False
    assert "neither a Google Flow mediaGenerationId" in line["error"]
    assert deletes(sb) == []
