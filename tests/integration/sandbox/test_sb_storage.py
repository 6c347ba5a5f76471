"""The signed-URL origin: signatures, expiry, Range, HEAD and the integrity headers."""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from pathlib import Path

import google_crc32c
import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess


def test_full_get_carries_gcs_headers_and_hashes(
    http: httpx.Client, clip_url: str, clip: bytes
) -> None:
    answer = http.get(clip_url)
    assert answer.status_code == 200
    assert answer.content == clip
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-length"] == str(len(clip))
    assert answer.headers["accept-ranges"] == "bytes"
    assert answer.headers["x-goog-stored-content-length"] == str(len(clip))
    crc = base64.b64encode(google_crc32c.Checksum(clip).digest()).decode()
    md5 = base64.b64encode(hashlib.md5(clip).digest()).decode()
    assert answer.headers["x-goog-hash"] == f"crc32c={crc}, md5={md5}"
    assert answer.headers["etag"] == f'"{hashlib.md5(clip).hexdigest()}"'


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=1000-", 1000, None),
        ("bytes=-500", -500, None),
        ("bytes=100-99999999", 100, None),
    ],
)
def test_ranges_answer_206(
    http: httpx.Client, clip_url: str, clip: bytes, header: str, first: int, last: int | None
) -> None:
    answer = http.get(clip_url, headers={"Range": header})
    assert answer.status_code == 206
    expected = clip[first : None if last is None else last + 1]
    assert answer.content == expected
    start = first % len(clip)
    assert (
        answer.headers["content-range"] == f"bytes {start}-{start + len(expected) - 1}/{len(clip)}"
    )
    assert answer.headers["content-length"] == str(len(expected))
    assert "md5=" in answer.headers["x-goog-hash"]  # whole-object hashes on parts too


@pytest.mark.parametrize("header", [f"bytes={10**9}-", "bytes=-0"])
def test_unsatisfiable_range_is_416(
    http: httpx.Client, clip_url: str, clip: bytes, header: str
) -> None:
    answer = http.get(clip_url, headers={"Range": header})
    assert answer.status_code == 416
    assert answer.headers["content-range"] == f"bytes */{len(clip)}"


def test_multi_range_is_ignored_with_a_full_200(
    http: httpx.Client, clip_url: str, clip: bytes
) -> None:
    answer = http.get(clip_url, headers={"Range": "bytes=0-1,5-6"})
    assert (answer.status_code, answer.content) == (200, clip)


def test_head_has_the_headers_and_no_body(http: httpx.Client, clip_url: str, clip: bytes) -> None:
    answer = http.head(clip_url)
    assert answer.status_code == 200 and answer.content == b""
    assert answer.headers["content-length"] == str(len(clip))
    assert answer.headers["x-goog-hash"].startswith("crc32c=")
    ranged = http.head(clip_url, headers={"Range": "bytes=0-9"})
    assert (ranged.status_code, ranged.headers["content-length"]) == (206, "10")


def test_url_expires_after_six_hours(sb: SandboxProcess, http: httpx.Client, clip_url: str) -> None:
    sb.advance_clock(6 * 3600 - 60)
    assert http.get(clip_url).status_code == 200
    sb.advance_clock(120)
    answer = http.get(clip_url)
    assert answer.status_code == 400
    assert answer.text.startswith(
        "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken"
        "</Code><Message>The provided token has expired.</Message>"
    )


def test_ttl_is_configurable(sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]) -> None:
    assert sb.configure(signed_url_ttl=30)["signed_url_ttl"] == 30
    ref = urllib.parse.quote(sb.demo["media_generation_ids"][0], safe="")
    url = http.get(f"{sb.api_url}/v1/google-flow/assets/{ref}", headers=auth).json()["url"]
    expires = int(urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["Expires"][0])
    assert abs(expires - (sb.now() + 30)) < 5
    sb.advance_clock(31)
    assert http.get(url).status_code == 400


def test_tampered_url_is_403_signature_does_not_match(
    sb: SandboxProcess, http: httpx.Client, clip_url: str
) -> None:
    parts = urllib.parse.urlsplit(clip_url)
    query = urllib.parse.parse_qs(parts.query)
    longer = {**{k: v[0] for k, v in query.items()}, "Expires": str(int(query["Expires"][0]) + 99)}
    tampered = parts._replace(query=urllib.parse.urlencode(longer)).geturl()
    answer = http.get(tampered)
    assert answer.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in answer.text
    other_object = clip_url.replace("/flow-content/", "/flow-content/x", 1)
    assert http.get(other_object).status_code == 403
    unsigned = clip_url.split("?")[0]
    assert "<Code>AccessDenied</Code>" in http.get(unsigned).text


def test_unknown_object_is_404_no_such_key(sb: SandboxProcess, http: httpx.Client) -> None:
    answer = http.get(sb.signed_url("flow-content/gone"))
    assert answer.status_code == 404
    assert "<Code>NoSuchKey</Code>" in answer.text
    assert answer.headers["content-type"].startswith("application/xml")


def test_objects_uploaded_then_reset_are_gone(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    answer = http.post(
        sb.api_url + "/v1/google-flow/assets",
        content=(demo_dir / "swatch-256x256.png").read_bytes(),
        headers={**auth, "Content-Type": "image/png"},
    )
    ref = urllib.parse.quote(answer.json()["mediaGenerationId"]["mediaGenerationId"], safe="")
    url = http.get(f"{sb.api_url}/v1/google-flow/assets/{ref}", headers=auth).json()["url"]
    stored = [o for o in sb.objects() if "upload-" in o["file"]]
    assert len(stored) == 1 and Path(stored[0]["file"]).is_file()
    sb.reset()
    assert not Path(stored[0]["file"]).exists()
    assert http.get(url).status_code == 404
