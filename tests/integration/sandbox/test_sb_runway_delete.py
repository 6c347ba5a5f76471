"""useapi.net Runway on the sandbox: deleting an asset, a generated asset's task, the list at
scale (the documented offset and limit bounds)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import httpx
from tests.helpers.sandbox_scale import seed_runway_assets

from assetdesk.sandbox.launcher import SandboxProcess


def _asset_url(sb: SandboxProcess, asset_id: str) -> str:
    return f"{sb.api_url}/v1/runwayml/assets/{asset_id}"


def test_delete_answers_success_and_the_asset_is_gone(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    asset_id = sb.demo["runway_asset_ids"][1]
    answer = http.delete(_asset_url(sb, asset_id), headers=auth)
    assert (answer.status_code, answer.json()) == (200, {"success": True})
    assert http.get(_asset_url(sb, asset_id), headers=auth).status_code == 404
    listed = http.get(
        sb.api_url + "/v1/runwayml/assets/", params={"offset": 0, "limit": 50}, headers=auth
    ).json()
    assert asset_id not in [a["assetId"] for a in listed]
    again = http.delete(_asset_url(sb, asset_id), headers=auth)
    assert (again.status_code, again.json()) == (404, {"error": "Not found.", "code": 404})


def test_delete_refuses_unknown_foreign_and_unauthorized(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    email = sb.demo["runway_emails"][0]
    unknown = http.delete(
        _asset_url(sb, f"user:1001-runwayml:{email}-asset:0000-dead"), headers=auth
    )
    assert (unknown.status_code, unknown.json()) == (404, {"error": "Not found.", "code": 404})
    theirs = sb.put_runway_asset(
        demo_dir / "swatch-256x256.png",
        "image/png",
        token=sb.demo["other_user_token"],
    )
    refused = http.delete(_asset_url(sb, theirs), headers=auth)
    assert (refused.status_code, refused.json()) == (404, {"error": "Not found.", "code": 404})
    other = {"Authorization": f"Bearer {sb.demo['other_user_token']}"}
    mine = sb.demo["runway_asset_ids"][0]
    assert http.delete(_asset_url(sb, mine), headers=other).status_code == 404
    assert http.delete(_asset_url(sb, mine)).status_code == 401
    assert http.get(_asset_url(sb, mine), headers=auth).status_code == 200
    assert http.get(_asset_url(sb, theirs), headers=other).status_code == 200


def test_generated_assets_carry_a_task_with_prompt_seed_and_type(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    made = seed_runway_assets(sb, 3, generated_every=2)
    assert len(made["taskIds"]) == 2
    generated = http.get(_asset_url(sb, made["assetIds"][0]), headers=auth).json()
    upload = http.get(_asset_url(sb, made["assetIds"][1]), headers=auth).json()
    assert generated["taskId"] == made["taskIds"][0] and generated["isUserUpload"] is False
    assert "taskId" not in upload and upload["isUserUpload"] is True
    task_url = (
        sb.api_url + "/v1/runwayml/tasks/" + urllib.parse.quote(generated["taskId"], safe=":@")
    )
    task = http.get(task_url, headers=auth).json()
    assert task["taskId"] == generated["taskId"] and task["taskType"] == "gen3a"
    assert task["options"]["text_prompt"] and isinstance(task["options"]["seed"], int)
    assert task["name"].startswith(f"gen3a {task['options']['seed']}, ")
    assert [a["assetId"] for a in task["artifacts"]] == [generated["assetId"]]
    assert isinstance(task["artifacts"][0]["fileSize"], str) and task["progressRatio"] == "1"
    other = {"Authorization": f"Bearer {sb.demo['other_user_token']}"}
    assert http.get(task_url, headers=other).status_code == 404
    missing = http.get(task_url[:-4] + "dead", headers=auth)
    assert (missing.status_code, missing.json()) == (404, {"error": "Not found.", "code": 404})


def test_list_at_scale_stops_at_the_documented_offset(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    seed_runway_assets(sb, 1100, generated_every=0)
    url = sb.api_url + "/v1/runwayml/assets/"
    last = http.get(url, params={"offset": 1000, "limit": 50}, headers=auth)
    assert last.status_code == 200 and len(last.json()) == 50
    for offset, limit in ((1001, 50), (1000, 51), (-1, 10), (0, 0)):
        refused = http.get(url, params={"offset": offset, "limit": limit}, headers=auth)
        assert refused.status_code == 400 and refused.json()["code"] == 400


def test_bulk_control_refuses_bad_input(sb: SandboxProcess, http: httpx.Client) -> None:
    for body in ({"count": -1}, {"media_type": "audio"}, {"email": "nobody@example.com"}):
        answer = http.post(
            sb.api_url + "/_sandbox/runway/bulk", json=body, headers=sb.control_headers
        )
        assert answer.status_code == 400, body
