"""The sandbox's Runway upload (`POST /v1/runwayml/assets/`) as a plain HTTP client sees it: the
page's Content-Types, the upload answer's shape, the listing, and each refusal."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import httpx
import pytest
from tests.helpers.media_files import MEDIA

from assetdesk.sandbox.launcher import SandboxProcess

UPLOAD = "/v1/runwayml/assets/"
#: The page's list (July 2025): every one is taken, MP2T also in lower case.
DOCUMENTED = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/mpo",
    "video/mp4",
    "video/quicktime",
    "video/3gpp",
    "video/x-matroska",
    "video/x-flv",
    "video/mpeg",
    "video/MP2T",
    "video/x-msvideo",
    "video/x-motion-jpeg",
    "video/webm",
    "video/ogg",
    "audio/wav",
    "audio/wave",
    "audio/mpeg",
    "audio/flac",
    "audio/ogg",
    "audio/webm",
    "video/mp2t",
]


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(rate)
        sound.writeframes(b"\x00\x01" * int(seconds * rate))
    return out.getvalue()


def post(
    sb: SandboxProcess,
    http: httpx.Client,
    auth: dict[str, str],
    data: bytes,
    content_type: str,
    **params: str,
) -> httpx.Response:
    headers = {**auth, "Content-Type": content_type}
    return http.post(sb.api_url + UPLOAD, params=params, content=data, headers=headers)


def test_an_upload_answers_the_documented_shape_and_is_listed(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    data = (MEDIA / "picture.png").read_bytes()
    answer = post(sb, http, auth, data, "image/png", name="Board")
    assert answer.status_code == 200
    body = answer.json()
    assert body["assetId"] == f"user:1001-runwayml:runway.demo@example.com-asset:{body['id']}"
    assert (body["name"], body["size"], body["isUserUpload"]) == ("Board", len(data), True)
    assert body["type"] == {"name": "image", "type": "image", "isDirectory": False}
    assert body["user"]["username"] == body["createdBy"]["username"] == "runwaydemo"
    assert "fileSize" not in body and "mediaType" not in body, "the upload shape, not the list's"
    assert http.get(body["url"]).content == data
    listed = http.get(sb.api_url + UPLOAD, params={"offset": 0, "limit": 50}, headers=auth).json()
    (item,) = [a for a in listed if a["assetId"] == body["assetId"]]
    assert (item["fileSize"], item["mediaType"], item["fileExtStandardized"]) == (
        len(data),
        "image",
        "png",
    )
    width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR
    assert item["metadata"]["size"] == {"width": width, "height": height}


@pytest.mark.parametrize("content_type", DOCUMENTED)
def test_every_documented_type_is_taken(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], content_type: str
) -> None:
    probed = {"image/png": "picture.png", "image/jpeg": "picture.jpg"}
    probed |= {"image/webp": "picture.webp", "video/mp4": "clip.mp4"}
    name = probed.get(content_type)
    data = (MEDIA / name).read_bytes() if name else b"\x00bytes of " + content_type.encode()
    answer = post(sb, http, auth, data, content_type, name="x")
    assert answer.status_code == 200, answer.text
    assert answer.json()["type"]["type"] == content_type.split("/")[0]


def test_audio_keeps_the_duration_it_was_sent_with(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    data = wav_bytes()
    body = post(sb, http, auth, data, "audio/wav", name="Voice", duration="0.5").json()
    assert body["type"]["type"] == "audio"
    stored = http.get(sb.api_url + "/v1/runwayml/assets/" + body["assetId"], headers=auth).json()
    assert (stored["mediaType"], stored["fileExtStandardized"], stored["fileSize"]) == (
        "audio",
        "wav",
        len(data),
    )


@pytest.mark.parametrize(
    ("content_type", "params", "said"),
    [
        ("image/bmp", {"name": "x"}, "Unsupported Content-Type: image/bmp. Supported types: "),
        ("", {"name": "x"}, "Unsupported Content-Type: none."),
        ("image/png", {}, "Parameter name is required"),
        ("image/png", {"name": " "}, "Parameter name is required"),
        ("image/jpeg", {"name": "x"}, "File content is not a valid JPEG file"),
    ],
)
def test_refusals_are_400_with_the_services_words(
    sb: SandboxProcess,
    http: httpx.Client,
    auth: dict[str, str],
    content_type: str,
    params: dict[str, str],
    said: str,
) -> None:
    data = (MEDIA / "picture.png").read_bytes()
    answer = post(sb, http, auth, data, content_type, **params)
    assert answer.status_code == 400
    assert answer.json()["code"] == 400 and answer.json()["error"].startswith(said)
    assert not [o for o in sb.objects() if "upload-" in o["file"]], "nothing was kept"


def test_an_empty_body_is_refused(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    answer = post(sb, http, auth, b"", "video/webm", name="x")
    assert (answer.status_code, answer.json()["error"]) == (400, "File content is empty")


def test_several_accounts_need_the_email_and_an_unknown_one_is_404(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    other = {"Authorization": f"Bearer {sb.demo['other_user_token']}"}
    data = (MEDIA / "clip.webm").read_bytes()
    refused = post(sb, http, other, data, "video/webm", name="x")
    assert refused.status_code == 400
    assert refused.json()["error"] == (
        "Multiple Runway accounts configured, parameter email is required"
    )
    unknown = post(sb, http, other, data, "video/webm", name="x", email="no@example.com")
    assert unknown.status_code == 404
    taken = post(sb, http, other, data, "video/webm", name="x", email="other.one@example.com")
    assert "-runwayml:other.one@example.com-asset:" in taken.json()["assetId"]


def test_a_bad_token_is_401(sb: SandboxProcess, http: httpx.Client) -> None:
    answer = post(sb, http, {"Authorization": "Bearer no"}, b"x", "image/png", name="x")
    assert (answer.status_code, answer.json()) == (401, {"error": "Unauthorized", "code": 401})


def test_a_lost_answer_keeps_the_upload_and_sends_no_byte(
    sb: SandboxProcess, auth: dict[str, str], tmp_path: Path
) -> None:
    """`lose_answer`: the handler stored the file, then the connection closed unanswered."""
    sb.fault("api", UPLOAD, method="POST", lose_answer=True)
    data = (MEDIA / "clip.mov").read_bytes()
    with httpx.Client() as fresh, pytest.raises(httpx.RemoteProtocolError) as caught:
        post(sb, fresh, auth, data, "video/quicktime", name="Lost")
    assert "without sending a response" in str(caught.value)
    with httpx.Client() as fresh:
        listed = fresh.get(
            sb.api_url + UPLOAD, params={"offset": 0, "limit": 50}, headers=auth
        ).json()
    assert [a["fileSize"] for a in listed if a["name"] == "Lost"] == [len(data)]
