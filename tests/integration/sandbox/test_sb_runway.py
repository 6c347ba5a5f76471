"""useapi.net Runway on the sandbox: one asset, the list and its parameter checks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess


def test_page_curl_example_and_the_model(sb: SandboxProcess, demo_dir: Path) -> None:
    asset_id = sb.demo["runway_asset_ids"][3]
    out = subprocess.run(
        [
            "curl",
            "-sS",
            f"{sb.api_url}/v1/runwayml/assets/{asset_id}",
            "-H",
            "Accept: application/json",
            "-H",
            f"Authorization: Bearer {sb.demo['useapi_token']}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    asset = json.loads(out)
    assert asset["assetId"] == asset_id
    assert asset_id.startswith("user:1001-runwayml:runway.demo@example.com-asset:")
    assert asset["id"] == asset_id.rsplit("-asset:", 1)[1]
    assert (asset["name"], asset["mediaType"], asset["fileExtStandardized"]) == (
        "Race car.jpg",
        "image",
        "jpeg",
    )
    data = (demo_dir / "bars-800x450.jpg").read_bytes()
    assert asset["fileSize"] == len(data)
    assert asset["metadata"]["size"] == {"width": 800, "height": 450}
    assert httpx.get(asset["url"]).content == data
    assert httpx.get(asset["previewUrls"][0]).status_code == 200


def test_video_asset_has_duration_and_a_poster_preview(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    asset = http.get(
        f"{sb.api_url}/v1/runwayml/assets/{sb.demo['runway_asset_ids'][5]}", headers=auth
    ).json()
    assert asset["mediaType"] == "video"
    assert asset["metadata"]["dimensions"] == [320, 180]
    assert asset["metadata"]["duration"] == 2.0
    poster = http.get(asset["previewUrls"][0])
    assert poster.headers["content-type"] == "image/jpeg"
    assert poster.content == (demo_dir / "clip-320x180-poster.jpg").read_bytes()
    first = http.get(
        f"{sb.api_url}/v1/runwayml/assets/{sb.demo['runway_asset_ids'][0]}", headers=auth
    ).json()
    assert first["metadata"] is None  # like the page's example


def test_unknown_foreign_and_unauthorized(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    base = sb.api_url + "/v1/runwayml/assets/"
    missing = http.get(base + "user:1001-runwayml:runway.demo@example.com-asset:nope", headers=auth)
    assert (missing.status_code, missing.json()) == (404, {"error": "Not found.", "code": 404})
    other = {"Authorization": f"Bearer {sb.demo['other_user_token']}"}
    assert http.get(base + sb.demo["runway_asset_ids"][0], headers=other).status_code == 404
    answer = http.get(base + sb.demo["runway_asset_ids"][0])
    assert (answer.status_code, answer.json()) == (401, {"error": "Unauthorized", "code": 401})


def test_list_pages_newest_first_and_filters(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    url = sb.api_url + "/v1/runwayml/assets/"
    everything = http.get(url, params={"offset": 0, "limit": 50}, headers=auth).json()
    *dated, bare = sb.demo["runway_asset_ids"]  # the bare upload is the oldest of all
    assert [a["assetId"] for a in everything] == [*reversed(dated), bare]
    page = http.get(url, params={"offset": 2, "limit": 3}, headers=auth).json()
    assert [a["assetId"] for a in page] == [a["assetId"] for a in everything[2:5]]
    videos = http.get(
        url, params={"offset": 0, "limit": 10, "mediaType": "video"}, headers=auth
    ).json()
    assert [a["mediaType"] for a in videos] == ["video"]
    pinned = http.get(
        url, params={"offset": 0, "limit": 1, "email": "runway.demo@example.com"}, headers=auth
    ).json()
    assert len(pinned) == 1


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 10},
        {"offset": 0},
        {"offset": -1, "limit": 10},
        {"offset": 1001, "limit": 10},
        {"offset": 0, "limit": 0},
        {"offset": 0, "limit": 51},
        {"offset": "a", "limit": 10},
        {"offset": 0, "limit": 10, "mediaType": "text"},
    ],
)
def test_list_parameter_errors_are_400_with_code(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], params: dict[str, object]
) -> None:
    answer = http.get(sb.api_url + "/v1/runwayml/assets/", params=params, headers=auth)
    assert answer.status_code == 400
    assert answer.json()["code"] == 400 and answer.json()["error"]


def test_email_is_required_with_several_runway_accounts(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    other = {"Authorization": f"Bearer {sb.demo['other_user_token']}"}
    url = sb.api_url + "/v1/runwayml/assets/"
    answer = http.get(url, params={"offset": 0, "limit": 5}, headers=other)
    assert answer.status_code == 400 and "email" in answer.json()["error"]
    answer = http.get(
        url, params={"offset": 0, "limit": 5, "email": "other.one@example.com"}, headers=other
    )
    assert answer.status_code == 200 and [a["name"] for a in answer.json()] == ["Swatch.png"]
    accounts = http.get(sb.api_url + "/v1/runwayml/accounts", headers=other).json()
    assert sorted(accounts) == ["other.one@example.com", "other.two@example.com"]


def test_registered_asset_is_listed(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    asset_id = sb.put_runway_asset(demo_dir / "swatch-256x256.png", "image/png", name="New.png")
    newest = http.get(
        sb.api_url + "/v1/runwayml/assets/", params={"offset": 0, "limit": 1}, headers=auth
    ).json()
    assert newest[0]["assetId"] == asset_id and newest[0]["name"] == "New.png"


def test_bare_upload_is_served_sparse(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    """Every field of the model is optional: one seeded upload has no previews, size or
    metadata, only what identifies it and a working URL."""
    asset_id = sb.demo["runway_asset_ids"][-1]
    asset = http.get(f"{sb.api_url}/v1/runwayml/assets/{asset_id}", headers=auth).json()
    assert asset == {
        "assetId": asset_id,
        "name": "Bare upload.png",
        "mediaType": "image",
        "url": asset["url"],
        "metadata": None,
    }
    assert http.get(asset["url"]).content == (demo_dir / "swatch-256x256.png").read_bytes()
    listed = http.get(
        sb.api_url + "/v1/runwayml/assets/", params={"offset": 0, "limit": 50}, headers=auth
    ).json()
    assert listed[-1] == {**asset, "url": listed[-1]["url"]}
    assert "previewUrls" not in listed[-1] and "fileSize" not in listed[-1]
    images = http.get(
        sb.api_url + "/v1/runwayml/assets/",
        params={"offset": 0, "limit": 50, "mediaType": "image"},
        headers=auth,
    ).json()
    assert images[-1]["assetId"] == asset_id
