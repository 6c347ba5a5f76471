"""The Wordbee origin: tokens and their idle expiry, segment asset lists, downloads."""

from __future__ import annotations

import subprocess
import urllib.parse
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess

SEG1, SEG2 = 27665601, 27665602


def login(http: httpx.Client, sb: SandboxProcess) -> dict[str, str]:
    answer = http.post(
        sb.wordbee_url + "/api/auth/token",
        json={"accountid": sb.demo["wordbee_account_id"], "key": sb.demo["wordbee_key"]},
    )
    assert answer.status_code == 200
    token = answer.json()
    assert isinstance(token, str) and token
    return {"X-Auth-Token": token, "X-Auth-AccountId": sb.demo["wordbee_account_id"]}


def assert_token_invalid(answer: httpx.Response, status: int = 400) -> None:
    """Wordbee's documented error body for a missing, unknown, ended or expired token."""
    assert answer.status_code == status
    body = answer.json()
    assert set(body["error"]) == {"operation", "date", "title", "details", "errorurl", "messages"}
    assert body["reason"] == "Token invalid or expired."
    assert body["error"]["details"] == "Token invalid or expired."
    assert body["error"]["messages"] == ["Token invalid or expired."]


def assets_url(sb: SandboxProcess, tail: str, **query: str) -> str:
    return f"{sb.wordbee_url}/api/resources/assets/{tail}?{urllib.parse.urlencode(query)}"


def test_wrong_key_is_400_with_the_error_body(sb: SandboxProcess, http: httpx.Client) -> None:
    answer = http.post(
        sb.wordbee_url + "/api/auth/token",
        json={"accountid": sb.demo["wordbee_account_id"], "key": "nope"},
    )
    assert answer.status_code == 400
    body = answer.json()
    assert set(body["error"]) == {"operation", "date", "title", "details", "errorurl", "messages"}
    assert body["reason"]


def test_token_expires_after_idle_time_and_a_new_one_works(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    headers = login(http, sb)
    url = assets_url(sb, f"{SEG1}/list", scope="pr7214")
    assert http.get(url, headers=headers).status_code == 200
    sb.advance_clock(29 * 60)
    assert http.get(url, headers=headers).status_code == 200  # use keeps it alive
    sb.advance_clock(29 * 60)
    assert http.get(url, headers=headers).status_code == 200
    sb.advance_clock(31 * 60)
    answer = http.get(url, headers=headers)
    assert answer.status_code == 400  # Wordbee's default error status
    assert_token_invalid(answer)
    assert http.get(url, headers=login(http, sb)).status_code == 200


def test_idle_time_is_configurable_and_delete_ends_the_token(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    sb.configure(wordbee_token_idle=5)
    headers = login(http, sb)
    url = assets_url(sb, f"{SEG1}/list", scope="pr7214")
    sb.advance_clock(6)
    assert_token_invalid(http.get(url, headers=headers))
    headers = login(http, sb)
    assert http.delete(sb.wordbee_url + "/api/auth/token", headers=headers).status_code == 200
    assert_token_invalid(http.get(url, headers=headers))


def test_every_call_needs_both_auth_headers(sb: SandboxProcess, http: httpx.Client) -> None:
    headers = login(http, sb)
    url = assets_url(sb, f"{SEG1}/list", scope="pr7214")
    assert_token_invalid(http.get(url))
    assert_token_invalid(http.get(url, headers={"X-Auth-Token": headers["X-Auth-Token"]}))
    wrong = {**headers, "X-Auth-AccountId": "someone-else"}
    assert_token_invalid(http.get(url, headers=wrong))
    download = assets_url(sb, str(SEG1), scope="pr7214", filename="clip.mp4")
    assert_token_invalid(http.get(download, headers={**headers, "X-Auth-Token": "unknown"}))
    ended = http.delete(sb.wordbee_url + "/api/auth/token", headers={**headers, "X-Auth-Token": ""})
    assert_token_invalid(ended)


def test_expired_token_status_is_configurable(sb: SandboxProcess, http: httpx.Client) -> None:
    """Clients must recognise the expired token by its text, whichever status carries it."""
    assert sb.configure(wordbee_expired_status=401)["wordbee_expired_status"] == 401
    headers = login(http, sb)
    url = assets_url(sb, f"{SEG1}/list", scope="pr7214")
    sb.advance_clock(31 * 60)
    assert_token_invalid(http.get(url, headers=headers), status=401)
    assert_token_invalid(http.get(url), status=401)
    fresh = login(http, sb)
    assert http.get(url, headers=fresh).status_code == 200
    bad_scope = http.get(assets_url(sb, f"{SEG1}/list", scope="x"), headers=fresh)
    assert bad_scope.status_code == 400  # other errors keep the default status
    sb.configure(wordbee_expired_status=400)
    assert_token_invalid(http.get(url), status=400)


def test_lists_follow_the_model(sb: SandboxProcess, http: httpx.Client) -> None:
    headers = login(http, sb)
    one = http.get(assets_url(sb, f"{SEG1}/list", scope="pr7214"), headers=headers).json()
    assert [(a["name"], a.get("locale"), a["relativePath"]) for a in one] == [
        ("pexels-gons3.jpg", "en", ""),
        ("pexels-gons3.jpg", "de", ""),
        ("moodboard.png", None, "refs/"),
        ("clip.mp4", None, ""),
    ]
    first = one[0]
    assert {
        "projectId",
        "documentId",
        "segmentId",
        "size",
        "contentType",
        "createdDate",
        "modifiedDate",
        "downloadUrl",
    } <= set(first)
    assert (first["segmentId"], first["contentType"]) == (SEG1, "image/jpeg")
    both = http.get(
        assets_url(sb, "list", scope="pr7214", segmentIds=f"{SEG1},{SEG2}"), headers=headers
    ).json()
    assert len(both) == 7 and {a["segmentId"] for a in both} == {SEG1, SEG2}
    for asset in both:  # every downloadUrl downloads that asset
        got = http.get(asset["downloadUrl"], headers=headers)
        assert got.status_code == 200 and len(got.content) == asset["size"]


@pytest.mark.parametrize("scope", ["", "project7214", "pr", "jbx12"])
def test_bad_scope_is_400(sb: SandboxProcess, http: httpx.Client, scope: str) -> None:
    answer = http.get(assets_url(sb, f"{SEG1}/list", scope=scope), headers=login(http, sb))
    assert answer.status_code == 400 and "scope" in answer.json()["reason"]


def test_page_curl_example_downloads_the_locale_version(
    sb: SandboxProcess, http: httpx.Client, demo_dir: Path, tmp_path: Path
) -> None:
    headers = login(http, sb)
    out = tmp_path / "dl.jpg"
    query = "locale=en&scope=pr7214&filename=pexels-gons3.jpg"  # the page's example, verbatim
    url = f"{sb.wordbee_url}/api/resources/assets/{SEG1}?{query}"
    subprocess.run(
        [
            "curl",
            "-sS",
            "--location",
            url,
            "--header",
            f"X-Auth-Token: {headers['X-Auth-Token']}",
            "--header",
            f"X-Auth-AccountId: {headers['X-Auth-AccountId']}",
            "-o",
            str(out),
            "-D",
            str(tmp_path / "headers.txt"),
        ],
        check=True,
    )
    assert out.read_bytes() == (demo_dir / "pexels-gons3.jpg").read_bytes()
    head = (tmp_path / "headers.txt").read_text().lower()
    assert "content-type: image/jpeg" in head
    assert f"content-length: {out.stat().st_size}" in head
    assert 'content-disposition: inline; filename="pexels-gons3.jpg"' in head
    german = http.get(url.replace("locale=en", "locale=de"), headers=headers)
    assert german.content == (demo_dir / "bars-800x450.jpg").read_bytes()


def test_relative_path_and_path_in_filename(
    sb: SandboxProcess, http: httpx.Client, demo_dir: Path
) -> None:
    headers = login(http, sb)
    sunrise = (demo_dir / "sunrise-640x360.png").read_bytes()
    by_param = assets_url(
        sb, str(SEG1), scope="pr7214", filename="moodboard.png", relativePath="refs"
    )
    assert http.get(by_param, headers=headers).content == sunrise
    in_name = assets_url(sb, str(SEG1), scope="pr7214", filename="refs/moodboard.png")
    assert http.get(in_name, headers=headers).content == sunrise
    overridden = assets_url(
        sb, str(SEG1), scope="pr7214", filename="other/moodboard.png", relativePath="refs/"
    )
    assert http.get(overridden, headers=headers).content == sunrise
    no_folder = assets_url(sb, str(SEG1), scope="pr7214", filename="moodboard.png")
    assert http.get(no_folder, headers=headers).status_code == 404


def test_missing_file_is_404_with_the_documented_text(
    sb: SandboxProcess, http: httpx.Client
) -> None:
    headers = login(http, sb)
    for query in ({"filename": "nope.jpg"}, {"filename": "pexels-gons3.jpg", "locale": "fr"}):
        answer = http.get(assets_url(sb, str(SEG1), scope="pr7214", **query), headers=headers)
        assert answer.status_code == 404
        assert answer.json()["reason"] == "The requested file does not exist."
    answer = http.get(assets_url(sb, str(SEG1), scope="pr7214"), headers=headers)
    assert answer.status_code == 400  # filename is mandatory


def test_non_ascii_name_gets_filename_star(sb: SandboxProcess, http: httpx.Client) -> None:
    answer = http.get(
        assets_url(sb, str(SEG2), scope="pr7214", filename="café münchen.png"),
        headers=login(http, sb),
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == (
        "inline; filename=\"cafe munchen.png\"; filename*=UTF-8''caf%C3%A9%20m%C3%BCnchen.png"
    )


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("../../evil.png", 'inline; filename="../../evil.png"'),
        ("..\\..\\evil-win.jpg", 'inline; filename="..\\\\..\\\\evil-win.jpg"'),
    ],
)
def test_hostile_names_are_served_as_is(
    sb: SandboxProcess, http: httpx.Client, name: str, disposition: str
) -> None:
    answer = http.get(
        assets_url(sb, str(SEG2), scope="pr7214", filename=name), headers=login(http, sb)
    )
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == disposition


def test_throttled_text_via_fault(sb: SandboxProcess, http: httpx.Client) -> None:
    sb.fault(
        "wordbee",
        "/api/resources/assets/*",
        status=429,
        body="Requests throttled. Maximum allowed 1000 per 01:00:00.",
    )
    answer = http.get(assets_url(sb, f"{SEG1}/list", scope="pr7214"), headers=login(http, sb))
    assert answer.status_code == 429
    assert answer.text == "Requests throttled. Maximum allowed 1000 per 01:00:00."
