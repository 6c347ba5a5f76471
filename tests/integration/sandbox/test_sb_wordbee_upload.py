"""The sandbox's Wordbee upload as a plain HTTP client sees it: the multipart-only staging and its
file token, the attach into a project segment (list and download show the file after it), and
the one-shot expiries of the session and file tokens."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.helpers.media_files import MEDIA

from assetdesk.sandbox.launcher import SandboxProcess

SEGMENT = 27665602


@pytest.fixture
def signed_in(sb: SandboxProcess, http: httpx.Client) -> dict[str, str]:
    answer = http.post(
        sb.wordbee_url + "/api/auth/token",
        json={"accountid": sb.demo["wordbee_account_id"], "key": sb.demo["wordbee_key"]},
    )
    return {"X-Auth-Token": answer.json(), "X-Auth-AccountId": sb.demo["wordbee_account_id"]}


def stage(
    sb: SandboxProcess,
    http: httpx.Client,
    headers: dict[str, str],
    name: str,
    data: bytes,
    **params: str,
) -> httpx.Response:
    """httpx's own multipart encoding, as another client would send it."""
    files = {"upload": (name, data, "application/octet-stream")}
    return http.post(
        sb.wordbee_url + "/api/media/upload",
        params=params,
        files=files,
        data={"note": "a form field beside the file"},
        headers=headers,
    )


def attach(
    sb: SandboxProcess,
    http: httpx.Client,
    headers: dict[str, str],
    body: dict[str, Any],
    scope: str = "pr7214",
    segment: int = SEGMENT,
) -> httpx.Response:
    return http.post(
        f"{sb.wordbee_url}/api/resources/assets/{segment}",
        params={"scope": scope},
        json=body,
        headers=headers,
    )


def listing(sb: SandboxProcess, http: httpx.Client, headers: dict[str, str]) -> list[Any]:
    url = f"{sb.wordbee_url}/api/resources/assets/{SEGMENT}/list?scope=pr7214"
    found: list[Any] = http.get(url, headers=headers).json()
    return found


def test_staged_then_attached_the_file_is_listed_and_downloads_byte_for_byte(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    data = (MEDIA / "clip.mkv").read_bytes()
    staged = stage(sb, http, signed_in, "Clip café.mkv", data)
    assert staged.status_code == 200
    result = staged.json()["result"]
    assert result["name"] == "Clip café.mkv" and result["token"]
    body = {"filetoken": result["token"], "locale": "fr", "relativePath": "/refs/day1/"}
    attached = attach(sb, http, signed_in, body)
    assert attached.status_code == 200
    answer = attached.json()
    assert list(answer)[:5] == ["projectId", "documentId", "segmentId", "locale", "relativePath"]
    assert (answer["projectId"], answer["segmentId"], answer["locale"]) == (7214, SEGMENT, "fr")
    assert (answer["relativePath"], answer["name"], answer["size"]) == (
        "refs/day1",
        "Clip café.mkv",
        len(data),
    )
    assert answer["contentType"] == "video/x-matroska", "guessed from the extension"
    assert [a for a in listing(sb, http, signed_in) if a["name"] == "Clip café.mkv"] == [answer]
    downloaded = http.get(answer["downloadUrl"], headers=signed_in)
    assert downloaded.content == data
    again = attach(sb, http, signed_in, body)
    assert again.status_code == 400 and "filetoken" in again.json()["reason"], "used up"


def test_a_raw_body_is_refused(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    answer = http.post(
        sb.wordbee_url + "/api/media/upload",
        params={"filename": "a.png"},
        content=(MEDIA / "picture.png").read_bytes(),
        headers={**signed_in, "Content-Type": "image/png"},
    )
    assert answer.status_code == 400
    assert answer.json()["reason"] == "The request must be multipart/form-data with a file."


def test_the_filename_parameter_names_the_file_and_may_hold_its_folder(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    data = (MEDIA / "picture.gif").read_bytes()
    staged = stage(sb, http, signed_in, "ignored.bin", data, filename="boards/hero.gif")
    assert staged.json()["result"]["name"] == "hero.gif"
    answer = attach(sb, http, signed_in, {"filetoken": staged.json()["result"]["token"]}).json()
    assert (answer["relativePath"], answer["name"], answer["contentType"]) == (
        "boards",
        "hero.gif",
        "image/gif",
    )
    assert "locale" not in answer, "language-neutral"


def test_a_second_file_of_the_same_name_replaces_the_first(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    for data in (b"first", b"second!"):
        token = stage(sb, http, signed_in, "notes.txt", data).json()["result"]["token"]
        assert attach(sb, http, signed_in, {"filetoken": token}).status_code == 200
    (only,) = [a for a in listing(sb, http, signed_in) if a["name"] == "notes.txt"]
    assert only["size"] == len(b"second!")


def test_maxsize_is_a_cap_in_bytes(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    assert stage(sb, http, signed_in, "a.txt", b"12345", maxsize="5").status_code == 200
    refused = stage(sb, http, signed_in, "a.txt", b"123456", maxsize="5")
    assert (refused.status_code, refused.json()["reason"]) == (
        400,
        "The file is larger than maxsize (5 bytes).",
    )


@pytest.mark.parametrize(
    ("scope", "segment", "body", "status", "said"),
    [
        ("jbs12", SEGMENT, {"filetoken": "x"}, 400, "Files are attached in a project scope"),
        ("pr7214", 999, {"filetoken": "x"}, 404, "The segment 999 does not exist in pr7214."),
        ("pr7214", SEGMENT, {}, 400, "The parameter 'filetoken' is mandatory."),
        ("pr7214", SEGMENT, {"filetoken": "nope"}, 400, "Unknown or expired filetoken."),
    ],
)
def test_attach_refusals(
    sb: SandboxProcess,
    http: httpx.Client,
    signed_in: dict[str, str],
    scope: str,
    segment: int,
    body: dict[str, Any],
    status: int,
    said: str,
) -> None:
    answer = attach(sb, http, signed_in, body, scope=scope, segment=segment)
    assert answer.status_code == status and answer.json()["reason"].startswith(said)


def test_staging_needs_a_live_session(sb: SandboxProcess, http: httpx.Client) -> None:
    answer = stage(sb, http, {"X-Auth-Token": "no", "X-Auth-AccountId": "x"}, "a.txt", b"abc")
    assert (answer.status_code, answer.json()["reason"]) == (400, "Token invalid or expired.")


def test_one_shot_expiries(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    sb.expire_wordbee(session_after_staging=1, file_token_at_attach=1)
    token = stage(sb, http, signed_in, "a.txt", b"abc").json()["result"]["token"]
    ended = attach(sb, http, signed_in, {"filetoken": token})
    assert ended.json()["reason"] == "Token invalid or expired.", "the session ended"
    answer = http.post(
        sb.wordbee_url + "/api/auth/token",
        json={"accountid": sb.demo["wordbee_account_id"], "key": sb.demo["wordbee_key"]},
    )
    fresh = {**signed_in, "X-Auth-Token": answer.json()}
    expired = attach(sb, http, fresh, {"filetoken": token})
    assert expired.json()["reason"] == "Unknown or expired filetoken. Upload the file again."
    token = stage(sb, http, fresh, "a.txt", b"abc").json()["result"]["token"]
    assert attach(sb, http, fresh, {"filetoken": token}).status_code == 200, "one shot each"
    assert urllib.parse.quote("a.txt") in listing(sb, http, fresh)[-1]["downloadUrl"]


def test_a_body_in_small_pieces_with_near_delimiters_in_the_file_is_read_exactly(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    """The file holds what looks almost like the delimiter, and the body arrives 7 bytes at a
    time: only the real delimiter ends the part."""
    boundary = "b0undary"
    data = os.urandom(3000) + b"\r\n--b0undar" + b"x" * 50 + b"\n--b0undary\r\n--b0undar"
    head = (
        f"preamble\r\n--{boundary}\r\n"
        'Content-Disposition: form-data; name="f"; filename="odd.bin"\r\n\r\n'
    ).encode()
    raw = head + data + f"\r\n--{boundary}--\r\nepilogue".encode()

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(raw), 7):
            yield raw[start : start + 7]

    staged = http.post(
        sb.wordbee_url + "/api/media/upload",
        content=pieces(),
        headers={**signed_in, "Content-Type": f'multipart/form-data; boundary="{boundary}"'},
    )
    assert staged.status_code == 200, staged.text
    token = staged.json()["result"]["token"]
    answer = attach(sb, http, signed_in, {"filetoken": token}).json()
    assert http.get(answer["downloadUrl"], headers=signed_in).content == data


def test_a_body_whose_first_piece_holds_the_head_and_much_of_the_file_is_read(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str]
) -> None:
    """The whole body in one piece: the server's first read holds the part's head and far more
    than the 16 KiB a preamble may take, and the boundary is still found at its start."""
    boundary = "one-piece"
    data = os.urandom(1024 * 1024)
    head = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    staged = http.post(
        sb.wordbee_url + "/api/media/upload",
        content=head + data + f"\r\n--{boundary}--\r\n".encode(),
        headers={**signed_in, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert staged.status_code == 200, staged.text
    token = staged.json()["result"]["token"]
    answer = attach(sb, http, signed_in, {"filetoken": token}).json()
    assert http.get(answer["downloadUrl"], headers=signed_in).content == data


@pytest.mark.parametrize(
    "raw",
    [b"no boundary at all", b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\nv\r\n--b--'],
    ids=["not multipart", "no file"],
)
def test_a_form_without_a_file_is_refused(
    sb: SandboxProcess, http: httpx.Client, signed_in: dict[str, str], raw: bytes
) -> None:
    answer = http.post(
        sb.wordbee_url + "/api/media/upload",
        content=raw,
        headers={**signed_in, "Content-Type": "multipart/form-data; boundary=b"},
    )
    assert answer.status_code == 400
    assert answer.json()["reason"].startswith("The multipart body cannot be read: ")
