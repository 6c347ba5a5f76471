"""`assetdesk runway upload` as a user runs it, against the sandbox over real HTTP: real files of
each kind stored byte for byte, the checks before sending (a refused file is never sent), the
email a token with several Runway accounts needs, the service's own refusal, and a lost answer
that is reported and never sent again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from tests.helpers.cli_process import run_cli, useapi_env
from tests.helpers.http_calls import api_requests
from tests.helpers.media_files import MEDIA

UPLOADS = "/v1/runwayml/assets"


def posts(sb: Any) -> list[dict[str, Any]]:
    return [r for r in api_requests(sb, UPLOADS) if r["method"] == "POST"]


def fetched(sb: Any, asset_id: str) -> bytes:
    """The asset's bytes as Runway serves them (`runway get` gives a fresh signed URL)."""
    status, (got,), stderr = run_cli("runway", "get", asset_id, env=useapi_env(sb))
    assert status == 0, stderr
    return httpx.get(got["url"]).content


def test_each_kind_is_uploaded_with_what_its_header_tells(sb: Any) -> None:
    picture, clip, sound = MEDIA / "picture.png", MEDIA / "clip.mov", MEDIA / "sound.wav"
    status, items, stderr = run_cli(
        "runway", "upload", str(picture), str(clip), str(sound), env=useapi_env(sb)
    )
    assert status == 0, stderr
    image_line, video_line, audio_line = items
    email = "runway.demo@example.com"
    assert image_line == {
        "file": str(picture),
        "assetId": image_line["assetId"],
        "name": "picture.png",
        "kind": "image",
        "type": "image/png",
        "bytes": picture.stat().st_size,
        "email": email,
        "width": 64,
        "height": 48,
    }
    assert image_line["assetId"].startswith(f"user:1001-runwayml:{email}-asset:")
    assert (video_line["type"], video_line["kind"]) == ("video/quicktime", "video")
    assert (video_line["width"], video_line["height"], video_line["durationSeconds"]) == (
        64,
        48,
        0.5,
    )
    assert (audio_line["type"], audio_line["durationSeconds"]) == ("audio/wav", 0.3)
    assert "width" not in audio_line, "a sound has no size to tell"
    sent = [r["params"] for r in posts(sb)]
    assert [p["name"] for p in sent] == ["picture.png", "clip.mov", "sound.wav"]
    assert (sent[1]["width"], sent[1]["height"], sent[1]["duration"]) == ("64", "48", "0.5")
    assert "width" not in sent[2] and sent[2]["duration"] == "0.3"
    assert [r["headers"]["content-type"] for r in posts(sb)] == [
        "image/png",
        "video/quicktime",
        "audio/wav",
    ]
    for line, path in zip(items, (picture, clip, sound), strict=True):
        assert fetched(sb, line["assetId"]) == path.read_bytes()


def test_name_names_the_one_file_and_only_one(sb: Any) -> None:
    clip = MEDIA / "clip.webm"
    status, (line,), stderr = run_cli(
        "runway", "upload", str(clip), "--name", "Storyboard 3", env=useapi_env(sb)
    )
    assert status == 0, stderr
    assert line["name"] == "Storyboard 3" and posts(sb)[0]["params"]["name"] == "Storyboard 3"
    assert fetched(sb, line["assetId"]) == clip.read_bytes()

    sb.clear_requests()
    status, items, stderr = run_cli(
        "runway", "upload", str(clip), str(MEDIA / "picture.gif"), "--name", "X", env=useapi_env(sb)
    )
    assert (status, items) == (2, [])
    assert "--name names one file" in stderr
    assert sb.requests("api") == []


def test_a_refused_file_names_the_target_that_takes_it_and_is_never_sent(
    sb: Any, tmp_path: Path
) -> None:
    psd = tmp_path / "layers.psd"
    psd.write_bytes(b"8BPS\x00\x01" + bytes(200))
    renamed = tmp_path / "really-a-png.jpg"
    renamed.write_bytes((MEDIA / "picture.png").read_bytes())
    status, (refused, sent), _ = run_cli(
        "runway", "upload", str(psd), str(renamed), env=useapi_env(sb)
    )
    assert status == 1
    assert refused == {
        "file": str(psd),
        "error": "layers.psd: Runway does not take PSD files; Wordbee takes any file",
        "kind": "bad_type",
    }
    assert sent["type"] == "image/png" and "really PNG" in sent["note"]
    (request,) = posts(sb)
    assert request["headers"]["content-type"] == "image/png"
    assert fetched(sb, sent["assetId"]) == renamed.read_bytes()


def test_a_file_over_runways_cap_is_refused_before_any_request(sb: Any, tmp_path: Path) -> None:
    """A sparse WAV of 150 MB: a real WAV head, over Runway's 100 MiB for audio."""
    big = tmp_path / "interview.wav"
    with big.open("wb") as handle:
        handle.write((MEDIA / "sound.wav").read_bytes())
        handle.truncate(150_000_000)
    status, items, _ = run_cli("runway", "upload", str(big), env=useapi_env(sb))
    assert status == 1
    assert items == [
        {
            "file": str(big),
            "error": "interview.wav: this WAV is 143.1 MiB; Runway takes audio up to 100 MiB; "
            "Wordbee takes any file",
            "kind": "too_large",
        }
    ]
    assert sb.requests("api") == []


def test_a_token_with_several_runway_accounts_needs_the_email(sb: Any) -> None:
    env = {**useapi_env(sb), "ASSETDESK_USEAPI_TOKEN": sb.demo["other_user_token"]}
    picture = MEDIA / "picture.jpg"
    status, (line,), _ = run_cli("runway", "upload", str(picture), env=env)
    assert status == 1
    assert line["kind"] == "bad_request" and line["status"] == 400
    assert line["service_text"] == (
        "Multiple Runway accounts configured, parameter email is required"
    )
    assert (line["file"], line["name"]) == (str(picture), "picture.jpg")

    status, (line,), stderr = run_cli(
        "runway", "upload", str(picture), "--email", "other.two@example.com", env=env
    )
    assert status == 0, stderr
    assert line["email"] == "other.two@example.com"
    assert "-runwayml:other.two@example.com-asset:" in line["assetId"]
    assert posts(sb)[-1]["params"]["email"] == "other.two@example.com"


def test_a_400_shows_the_services_words_and_the_next_file_still_goes(sb: Any) -> None:
    said = "Asset is too large for this plan"
    sb.fault("api", f"{UPLOADS}/", method="POST", status=400, body={"error": said})
    clip, picture = MEDIA / "clip.mp4", MEDIA / "picture.webp"
    status, (refused, sent), _ = run_cli(
        "runway", "upload", str(clip), str(picture), env=useapi_env(sb)
    )
    assert status == 1
    assert refused == {
        "file": str(clip),
        "name": "clip.mp4",
        "error": f"useapi.net refused the request (clip.mp4): {said}.",
        "kind": "bad_request",
        "status": 400,
        "service_text": said,
    }
    assert sent["type"] == "image/webp"
    assert fetched(sb, sent["assetId"]) == picture.read_bytes()


def test_a_lost_answer_is_reported_and_never_sent_again(sb: Any) -> None:
    sb.fault("api", f"{UPLOADS}/", method="POST", lose_answer=True)
    clip = MEDIA / "clip.mp4"
    status, (line,), _ = run_cli(
        "runway", "upload", str(clip), "--name", "Lost clip", env=useapi_env(sb)
    )
    assert status == 1
    assert line["kind"] == "outcome_unknown"
    assert (line["file"], line["name"]) == (str(clip), "Lost clip")
    assert line["error"] == (
        "The connection was lost after Lost clip was sent in full, before Runway answered: it "
        "is not known whether Runway kept Lost clip. It may be on Runway now, so it was not "
        "sent again: look for it with `assetdesk runway list --all` before sending it again."
    )
    assert len(posts(sb)) == 1, "sent once"
    status, listed, stderr = run_cli("runway", "list", "--all", env=useapi_env(sb))
    assert status == 0, stderr
    (kept,) = [item for item in listed if item["name"] == "Lost clip"]
    assert fetched(sb, kept["assetId"]) == clip.read_bytes(), "the service kept it, once"
