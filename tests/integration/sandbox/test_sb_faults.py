"""Fault injection, bandwidth caps and the request record, each proven with a real httpx client."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess

SIZE = 256 * 1024


@pytest.fixture
def blob(sb: SandboxProcess, tmp_path: Path) -> tuple[str, bytes]:
    """A signed URL of a 256 KiB object, and its bytes."""
    data = os.urandom(SIZE)
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    sb.put_wordbee_asset(path, "application/octet-stream", name="blob.bin", segment_id=1)
    key = next(o["key"] for o in sb.objects() if o["file"] == str(path))
    return sb.signed_url(key), data


def read_raw(http: httpx.Client, url: str) -> tuple[httpx.Response, bytes]:
    with http.stream("GET", url) as response:
        return response, b"".join(response.iter_raw())


def test_status_rule_answers_instead_and_is_consumed(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    sb.fault(
        "api",
        "/v2/account",
        status=503,
        body={"error": "busy"},
        headers={"Retry-After": "7"},
        count=2,
    )
    for _ in range(2):
        answer = http.get(sb.api_url + "/v2/account", headers=auth)
        assert (answer.status_code, answer.json()) == (503, {"error": "busy"})
        assert answer.headers["retry-after"] == "7"
    assert http.get(sb.api_url + "/v2/account", headers=auth).status_code == 200


def test_text_and_bytes_bodies_prefix_and_method(sb: SandboxProcess, http: httpx.Client) -> None:
    sb.fault(
        "wordbee",
        "/api/resources/*",
        method="GET",
        status=429,
        body="Requests throttled. Maximum allowed 1000 per 01:00:00.",
    )
    # not a GET, so not the rule's: the real origin answers (no PUT route there: 405)
    assert http.put(sb.wordbee_url + "/api/resources/assets/1", json={}).status_code == 405
    answer = http.get(sb.wordbee_url + "/api/resources/assets/1/list?scope=pr7214")
    assert answer.status_code == 429
    assert answer.text == "Requests throttled. Maximum allowed 1000 per 01:00:00."
    sb.fault("storage", "/x", status=500, body=b"\x00\x01")
    answer = http.get(sb.storage_url + "/x")
    assert (answer.status_code, answer.content) == (500, b"\x00\x01")


def test_headers_only_rule_decorates_the_real_answer(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    sb.fault("api", "/v2/account", headers={"X-Extra": "yes"})
    answer = http.get(sb.api_url + "/v2/account", headers=auth)
    assert answer.status_code == 200 and answer.json()["id"] == 1001
    assert answer.headers["x-extra"] == "yes"


def test_latency_delays_the_answer(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    sb.fault("api", "/v2/account", latency=0.6)
    started = time.monotonic()
    assert http.get(sb.api_url + "/v2/account", headers=auth).status_code == 200
    assert time.monotonic() - started >= 0.6
    started = time.monotonic()
    http.get(sb.api_url + "/v2/account", headers=auth)
    assert time.monotonic() - started < 5  # consumed: no latency (generous for a loaded CI)


def test_drop_headers_removes_them_for_the_matched_requests_only(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes], auth: dict[str, str]
) -> None:
    url, data = blob
    sb.fault(
        "storage",
        "/wordbee-assets/*",
        drop_headers=["X-Goog-Hash", "x-goog-stored-content-length", "ETag"],
    )
    bare = http.get(url)
    assert (bare.status_code, bare.content) == (200, data)
    assert not {"x-goog-hash", "x-goog-stored-content-length", "etag"} & set(bare.headers)
    assert bare.headers["content-length"] == str(SIZE)
    again = http.get(url)
    assert {"x-goog-hash", "x-goog-stored-content-length", "etag"} <= set(again.headers)
    sb.fault("api", "/v2/account", status=429, body="busy", drop_headers=["content-type"])
    refused = http.get(sb.api_url + "/v2/account", headers=auth)
    assert (refused.status_code, refused.text) == (429, "busy")
    assert "content-type" not in refused.headers
    with pytest.raises(RuntimeError, match="drop_headers"):
        sb.fault("api", "/v2/account", drop_headers="content-type")  # type: ignore[arg-type]


def test_drop_after_bytes_truncates_with_a_protocol_error(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes]
) -> None:
    url, data = blob
    sb.fault("storage", "/wordbee-assets/*", drop_after_bytes=10_000)
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError), http.stream("GET", url) as response:
        assert response.headers["content-length"] == str(SIZE)
        for chunk in response.iter_raw():
            received += chunk
    assert bytes(received) == data[:10_000]
    assert http.get(url).content == data  # one request only


def test_drop_on_a_chunked_answer_is_also_an_error(sb: SandboxProcess, http: httpx.Client) -> None:
    sb.fault("storage", "/nothing", status=200, body=b"x" * 5000, drop_after_bytes=0)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(sb.storage_url + "/nothing")


def test_stall_pauses_mid_body(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes]
) -> None:
    url, data = blob
    sb.fault("storage", "/wordbee-assets/*", stall_after_bytes=1000, stall_seconds=0.7)
    arrivals: list[tuple[float, int]] = []
    received = bytearray()
    with http.stream("GET", url) as response:
        for chunk in response.iter_raw():
            received += chunk
            arrivals.append((time.monotonic(), len(received)))
    assert bytes(received) == data
    # the first 1000 bytes arrive, then nothing for ~0.7 s, then the rest
    at_1000 = next(t for t, n in arrivals if n >= 1000)
    after = next(t for t, n in arrivals if n > 1000)
    assert after - at_1000 >= 0.6


def test_corrupt_byte_flips_one_byte(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes]
) -> None:
    url, data = blob
    sb.fault("storage", "/wordbee-assets/*", corrupt_byte_at=100_000)
    answer = http.get(url)
    got = answer.content
    assert len(got) == len(data)
    assert [i for i in range(len(data)) if got[i] != data[i]] == [100_000]
    assert got[100_000] == data[100_000] ^ 0xFF
    assert hashlib.md5(got).hexdigest() != answer.headers["etag"].strip('"')


def test_short_content_length_cuts_the_body_cleanly(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes]
) -> None:
    url, data = blob
    sb.fault("storage", "/wordbee-assets/*", content_length=1234)
    answer = http.get(url)
    assert answer.status_code == 200
    assert answer.content == data[:1234]
    assert answer.headers["x-goog-stored-content-length"] == str(SIZE)  # only this can tell


def test_long_content_length_ends_in_a_protocol_error(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes]
) -> None:
    url, _ = blob
    sb.fault("storage", "/wordbee-assets/*", content_length=SIZE + 10)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)


def test_bandwidth_caps_downloads_and_uploads(
    sb: SandboxProcess, http: httpx.Client, blob: tuple[str, bytes], auth: dict[str, str]
) -> None:
    url, data = blob
    sb.bandwidth("storage", 512 * 1024)
    started = time.monotonic()
    assert http.get(url).content == data
    assert 0.4 <= time.monotonic() - started < 50
    sb.bandwidth("storage", None)
    started = time.monotonic()
    http.get(url)
    assert time.monotonic() - started < 3  # uncapped (upper limits are generous for CI)

    sb.bandwidth("api", 512 * 1024)
    started = time.monotonic()
    answer = http.post(
        sb.api_url + "/v1/google-flow/assets",
        content=data,
        headers={**auth, "Content-Type": "image/png"},
    )
    assert answer.status_code == 400  # random bytes are no PNG, but all were read first
    assert time.monotonic() - started >= 0.4


def test_request_record_shows_which_headers_reached_which_origin(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str], blob: tuple[str, bytes]
) -> None:
    url, _ = blob
    sb.clear_requests()
    http.get(sb.api_url + "/v2/account?x=1", headers={**auth, "X-Trace": "abc"})
    http.get(url)
    http.get(
        sb.wordbee_url + "/api/resources/assets/1/list?scope=pr7214",
        headers={"X-Auth-Token": "t", "X-Auth-AccountId": "a"},
    )
    sb.now()  # control calls are not recorded
    log = sb.requests()
    assert [(r["origin"], r["method"], r["path"]) for r in log] == [
        ("api", "GET", "/v2/account"),
        ("storage", "GET", url.split("?")[0].removeprefix(sb.storage_url)),
        ("wordbee", "GET", "/api/resources/assets/1/list"),
    ]
    assert log[0]["query"] == "x=1"
    assert log[0]["headers"]["authorization"] == sb.redacted(auth["Authorization"])
    assert log[0]["headers"]["x-trace"] == "abc"
    assert "authorization" not in log[1]["headers"]
    assert log[1]["params"]["Signature"]
    assert log[2]["headers"]["x-auth-accountid"] == "a"
    assert [r["origin"] for r in sb.requests("storage")] == ["storage"]
    sb.clear_requests()
    assert sb.requests() == []


def test_reset_clears_pending_faults(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    sb.fault("api", "/v2/account", status=500)
    sb.reset()
    assert http.get(sb.api_url + "/v2/account", headers=auth).status_code == 200
