"""useapi.net Google Flow on the sandbox: the page's curl examples and every documented status."""

from __future__ import annotations

import hashlib
import json
import subprocess
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess

JO, SECOND = "jo.demo@gmail.com", "flow.second@gmail.com"
SESSION_ERROR = {"error": "Failed to refresh session: 500 Internal Server Error"}


def curl(*args: str) -> str:
    done = subprocess.run(["curl", "-sS", *args], capture_output=True, text=True, check=True)
    return done.stdout


def upload(
    http: httpx.Client,
    sb: SandboxProcess,
    auth: dict[str, str],
    body: bytes | Iterator[bytes],
    content_type: str,
    email: str | None = None,
) -> httpx.Response:
    url = sb.api_url + "/v1/google-flow/assets"
    if email:
        url += "/" + urllib.parse.quote(email, safe="")
    return http.post(url, content=body, headers={**auth, "Content-Type": content_type})


def test_page_curl_examples_round_trip_the_bytes(
    sb: SandboxProcess, demo_dir: Path, tmp_path: Path
) -> None:
    token = sb.demo["useapi_token"]
    image = demo_dir / "pattern-512x512.jpg"
    answers = []
    for url in (
        sb.api_url + "/v1/google-flow/assets",
        sb.api_url + "/v1/google-flow/assets/" + urllib.parse.quote(SECOND, safe=""),
    ):
        out = curl(
            "-X",
            "POST",
            "-H",
            f"Authorization: Bearer {token}",
            "-H",
            "Content-Type: image/jpeg",
            "--data-binary",
            f"@{image}",
            url,
        )
        answers.append(json.loads(out))
    assert answers[1]["email"] == "fl***@gmail.com"
    for answer in answers:
        assert (answer["width"], answer["height"]) == (512, 512)
        assert answer["media"]["image"]["dimensions"] == {"width": 512, "height": 512}
        media_id = answer["mediaGenerationId"]["mediaGenerationId"]
        resp = json.loads(
            curl(
                "-H",
                f"Authorization: Bearer {token}",
                sb.api_url + "/v1/google-flow/assets/" + urllib.parse.quote(media_id, safe=""),
            )
        )
        assert resp["mediaGenerationId"] == media_id
        assert resp["url"].startswith(sb.storage_url + "/")
        restored = tmp_path / "restored.jpg"
        curl("-L", "-o", str(restored), resp["url"])
        assert restored.read_bytes() == image.read_bytes()
    stored = {a["mediaGenerationId"]: a for a in sb.google_flow_assets()}
    for answer in answers:
        obj = stored[answer["mediaGenerationId"]["mediaGenerationId"]]["object"]
        assert Path(obj["file"]).read_bytes() == image.read_bytes()
        assert obj["md5"] == hashlib.md5(image.read_bytes()).hexdigest()


def test_image_answer_has_the_documented_shape(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    answer = upload(
        http, sb, auth, (demo_dir / "sunrise-640x360.png").read_bytes(), "image/png", JO
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"media", "workflow", "mediaGenerationId", "width", "height", "email"}
    assert (body["width"], body["height"], body["email"]) == (640, 360, "jo***@gmail.com")
    media = body["media"]
    assert media["workflowStepId"] == "CAE"
    assert media["image"]["userUploadedImage"]["aspectRatio"] == "LANDSCAPE"
    assert body["workflow"]["metadata"]["primaryMediaId"] == media["name"]
    assert body["workflow"]["metadata"]["displayName"] == "upload.png"
    mgid = body["mediaGenerationId"]["mediaGenerationId"]
    assert mgid == f"user:1001-email:{JO.encode().hex()}-image:{media['name']}"


def test_video_answer_reads_dims_and_duration_from_the_mp4(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    answer = upload(http, sb, auth, (demo_dir / "clip-320x180.mp4").read_bytes(), "video/mp4")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert "workflow" not in body
    assert (body["width"], body["height"], body["durationSeconds"]) == (320, 180, 2.0)
    video = body["media"]["video"]
    assert video["dimensions"] == {"width": 320, "height": 180, "length": "2.000s"}
    assert video["videoOffset"] == {"startOffset": "0s", "endOffset": "2.000s"}
    status = body["media"]["mediaMetadata"]["mediaStatus"]["mediaGenerationStatus"]
    assert status == "MEDIA_GENERATION_STATUS_PENDING"
    assert "-video:" in body["mediaGenerationId"]["mediaGenerationId"]


def test_webp_upload_reads_its_dims(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    answer = upload(http, sb, auth, (demo_dir / "portrait-320x480.webp").read_bytes(), "image/webp")
    assert answer.status_code == 200
    assert (answer.json()["width"], answer.json()["height"]) == (320, 480)
    assert answer.json()["media"]["image"]["userUploadedImage"]["aspectRatio"] == "PORTRAIT"


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("image/gif", b"GIF89a....", "Unsupported Content-Type: image/gif"),
        ("image/png", b"", "File content is empty"),
        ("image/png", b"\xff\xd8\xff\xe0 not a png at all", "not a valid PNG"),
        ("video/mp4", b"\x00\x00\x00\x08free", "not a valid MP4"),
    ],
)
def test_bad_bodies_answer_400_with_a_string_error(
    sb: SandboxProcess,
    http: httpx.Client,
    auth: dict[str, str],
    content_type: str,
    body: bytes,
    message: str,
) -> None:
    answer = upload(http, sb, auth, body, content_type)
    assert answer.status_code == 400
    assert message in answer.json()["error"]
    assert not [o for o in sb.objects() if "upload-" in o["file"]]  # nothing kept


def test_missing_content_type_is_400(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    answer = http.post(sb.api_url + "/v1/google-flow/assets", content=b"abc", headers=auth)
    assert answer.status_code == 400
    assert answer.json() == {"error": "Content-Type header is required"}


def test_size_limit_by_content_length_and_by_counting_a_chunked_body(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    big = b"\x89PNG\r\n\x1a\n" + bytes(20 * 1024 * 1024)
    answer = upload(http, sb, auth, big, "image/png")
    assert answer.status_code == 400
    assert answer.json() == {"error": f"File size ({len(big)}) is over 20971520 bytes"}

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        yield b"\x89PNG\r\n\x1a\n"
        for _ in range(21):
            yield bytes(1024 * 1024)

    answer = upload(http, sb, auth, chunks(), "image/png")
    assert answer.status_code == 400
    assert answer.json() == {"error": f"File size ({8 + 21 * 1024 * 1024}) is over 20971520 bytes"}
    assert not [o for o in sb.objects() if "upload-" in o["file"]]


def test_content_policy_marker_answers_googles_object_error(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    answer = upload(http, sb, auth, (demo_dir / "policy-refused.png").read_bytes(), "image/png")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and error["code"] == 400
    assert error["details"][0]["reason"] == "PUBLIC_ERROR_TRUMP_FACE_DETECTED"


def test_unauthorized(sb: SandboxProcess, http: httpx.Client, demo_dir: Path) -> None:
    for headers in ({}, {"Authorization": "Bearer user:1001-Wrong"}, {"Authorization": "Basic x"}):
        answer = http.post(
            sb.api_url + "/v1/google-flow/assets",
            content=b"x",
            headers={**headers, "Content-Type": "image/png"},
        )
        assert answer.status_code == 401
        assert answer.json()["error"] == "Unauthorized"
        assert http.get(sb.api_url + "/v2/account", headers=headers).json() == {
            "error": "Unauthorized",
            "code": 401,
        }


def test_pinned_account_statuses(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    png = (demo_dir / "swatch-256x256.png").read_bytes()
    answer = upload(http, sb, auth, png, "image/png", "nobody@gmail.com")
    assert answer.status_code == 404
    assert answer.json() == {"error": "Google Flow account nobody@gmail.com not found"}

    sb.set_google_flow_account(JO, throttled_for=1800)
    answer = upload(http, sb, auth, png, "image/png", JO)
    assert answer.status_code == 429
    assert 1795 <= int(answer.headers["Retry-After"]) <= 1800
    assert answer.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert answer.json()["error"]["details"][0]["reason"] == "PUBLIC_ERROR_USER_REQUESTS_THROTTLED"
    sb.advance_clock(1000)
    assert 795 <= int(upload(http, sb, auth, png, "image/png", JO).headers["Retry-After"]) <= 800

    sb.set_google_flow_account(SECOND, session_error=True)
    answer = upload(http, sb, auth, png, "image/png", SECOND)
    assert (answer.status_code, answer.json()) == (596, SESSION_ERROR)


def test_auto_selection_skips_unusable_accounts(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    png = (demo_dir / "swatch-256x256.png").read_bytes()
    sb.set_google_flow_account(SECOND, throttled_for=600)
    emails = {upload(http, sb, auth, png, "image/png").json()["email"] for _ in range(3)}
    assert emails == {"jo***@gmail.com"}
    sb.set_google_flow_account(JO, session_error=True)
    answer = upload(http, sb, auth, png, "image/png")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) <= 600
    sb.set_google_flow_account(SECOND)  # healthy again, JO still broken
    assert upload(http, sb, auth, png, "image/png").json()["email"] == "fl***@gmail.com"
    sb.set_google_flow_account(SECOND, session_error=True)
    answer = upload(http, sb, auth, png, "image/png")
    assert (answer.status_code, answer.json()) == (596, SESSION_ERROR)


def test_accounts_list_and_detail(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    sb.set_google_flow_account(SECOND, session_error=True)
    accounts = http.get(sb.api_url + "/v1/google-flow/accounts", headers=auth).json()
    assert list(accounts) == [JO, SECOND]
    assert accounts[JO]["health"] == "OK" and "error" not in accounts[JO]
    assert accounts[SECOND]["health"] != "OK" and accounts[SECOND]["error"]
    assert set(accounts[JO]["project"]) == {"projectId", "projectTitle"}
    assert "scheduledFor" in accounts[JO]["nextRefresh"]
    one = http.get(sb.api_url + "/v1/google-flow/accounts/jo.demo%40gmail.com", headers=auth)
    assert one.status_code == 200 and set(one.json()["credits"]) == {"credits", "userPaygateTier"}
    missing = http.get(sb.api_url + "/v1/google-flow/accounts/x%40y.z", headers=auth)
    assert (missing.status_code, missing.json()) == (
        404,
        {"error": "Google Flow account x@y.z not found"},
    )
    sb.set_google_flow_account(JO, present=False)
    sb.set_google_flow_account(SECOND, present=False)
    assert http.get(sb.api_url + "/v1/google-flow/accounts", headers=auth).json() == {}


def get_url(
    http: httpx.Client, sb: SandboxProcess, ref: str, headers: dict[str, str]
) -> httpx.Response:
    quoted = urllib.parse.quote(ref, safe="")
    return http.get(f"{sb.api_url}/v1/google-flow/assets/{quoted}", headers=headers)


def test_asset_url_statuses(sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]) -> None:
    jo_hex = JO.encode().hex()
    cases = [
        ("not-a-valid-ref-id", 400, "Invalid mediaGenerationId format: not-a-valid-ref-id"),
        (
            f"user:1001-email:{jo_hex}-character:abc",
            400,
            "mediaGenerationId type must be 'image' or 'video', got 'character'",
        ),
        (
            f"user:1001-email:{jo_hex}-voice:abc",
            400,
            "mediaGenerationId type must be 'image' or 'video', got 'voice'",
        ),
        (
            f"user:99999-email:{jo_hex}-image:abc",
            403,
            "Unauthorized access to user:99999 detected in mediaGenerationId",
        ),
        (
            f"user:1001-email:{b'no.one@gmail.com'.hex()}-image:abc",
            404,
            "Google Flow account no.one@gmail.com not found",
        ),
        (
            f"user:1001-email:{jo_hex}-image:ff9aa5cc-0000",
            502,
            "Failed to resolve URL for media ff9aa5cc-0000",
        ),
    ]
    for ref, status, message in cases:
        answer = get_url(http, sb, ref, auth)
        assert (answer.status_code, answer.json()) == (status, {"error": message}), ref
    seeded = sb.demo["media_generation_ids"][0]
    assert get_url(http, sb, seeded, {}).status_code == 401
    other = sb.demo["other_user_media_generation_ids"][0]
    assert get_url(http, sb, other, auth).status_code == 403
    sb.set_google_flow_account(JO, session_error=True)
    assert (get_url(http, sb, seeded, auth).status_code) == 596
    sb.set_google_flow_account(JO)
    answer = get_url(http, sb, seeded, auth)
    assert answer.status_code == 200 and answer.json()["mediaGenerationId"] == seeded


def test_seeded_assets_resolve_to_their_bytes(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], demo_dir: Path
) -> None:
    files = ["sunrise-640x360.png", "pattern-512x512.jpg", "clip-320x180.mp4"]
    for ref, name in zip(sb.demo["media_generation_ids"], files, strict=True):
        url = get_url(http, sb, ref, auth).json()["url"]
        download = http.get(url)
        assert download.content == (demo_dir / name).read_bytes()
    # the signed URL never needs, and never got, the useapi token
    assert all("authorization" not in r["headers"] for r in sb.requests("storage"))


def test_registered_file_is_served_in_place(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], tmp_path: Path, demo_dir: Path
) -> None:
    copy = tmp_path / "big.mp4"
    copy.write_bytes((demo_dir / "clip-320x180.mp4").read_bytes())
    ref = sb.put_google_flow_asset(copy, "video/mp4", email=SECOND)
    assert ref.startswith(f"user:1001-email:{SECOND.encode().hex()}-video:")
    url = get_url(http, sb, ref, auth).json()["url"]
    assert http.get(url).content == copy.read_bytes()
