"""The sandbox's `/_sandbox/runway/copies` control (sandbox/scale_controls.py): many Runway
assets over a few real files, each its own asset with its own name, all listed."""

from __future__ import annotations

from pathlib import Path

import httpx

from assetdesk.sandbox.launcher import SandboxProcess

COPIES = "/_sandbox/runway/copies"


def _asset(sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], asset_id: str) -> dict:
    answer = http.get(f"{sb.api_url}/v1/runwayml/assets/{asset_id}", headers=auth)
    assert answer.status_code == 200, answer.text
    found: dict = answer.json()
    return found


def test_copies_share_their_source_file_under_their_own_id_and_name(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    picture = sb.put_runway_asset(demo_dir / "swatch-256x256.png", "image/png", name="a.png")
    clip = sb.put_runway_asset(demo_dir / "clip-320x180.mp4", "video/mp4", name="b.mp4")
    pairs = [[picture, "one.png"], [clip, "two.mp4"], [picture, "three.png"]]
    answer = http.post(sb.api_url + COPIES, json={"copies": pairs}, headers=sb.control_headers)
    assert answer.status_code == 200, answer.text
    ids = answer.json()["assetIds"]
    assert len(set(ids)) == 3 and not set(ids) & {picture, clip}

    sources = {picture: demo_dir / "swatch-256x256.png", clip: demo_dir / "clip-320x180.mp4"}
    for copy_id, (source_id, name) in zip(ids, pairs, strict=True):
        copy, source = _asset(sb, http, auth, copy_id), _asset(sb, http, auth, source_id)
        assert copy["assetId"] == copy_id and copy["name"] == name
        for field in ("mediaType", "fileSize", "metadata", "fileExtStandardized"):
            assert copy[field] == source[field], field
        assert http.get(copy["url"]).content == sources[source_id].read_bytes()

    listed = http.get(
        sb.api_url + "/v1/runwayml/assets/", params={"offset": 0, "limit": 10}, headers=auth
    ).json()
    # Dated a second apart back from now, the first the newest: listed in the order given.
    assert [a["assetId"] for a in listed if a["assetId"] in ids] == ids


def test_copies_refuse_bad_pairs_and_add_nothing(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    url = sb.api_url + "/v1/runwayml/assets/"
    before = http.get(url, params={"offset": 0, "limit": 50}, headers=auth).json()
    good = sb.demo["runway_asset_ids"][0]
    bodies = (
        {"copies": [[good, "fine.png"], ["user:1-runwayml:x-asset:nope", "bad.png"]]},
        {"copies": [[good]]},
        {"copies": "no"},
        {},
    )
    for body in bodies:
        answer = http.post(sb.api_url + COPIES, json=body, headers=sb.control_headers)
        assert answer.status_code == 400, body
    after = http.get(url, params={"offset": 0, "limit": 50}, headers=auth).json()
    assert [a["assetId"] for a in after] == [a["assetId"] for a in before]
    assert http.post(sb.api_url + COPIES, json={"copies": []}).status_code in (401, 403)
