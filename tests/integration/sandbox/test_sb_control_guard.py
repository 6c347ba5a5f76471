"""The control surface answers only the launcher that started the sandbox (control_guard.py): the
run's secret, a loopback Host, JSON POSTs, files from the sandbox's own folders; and the request
log it returns holds no credential. Real HTTP to the session's sandbox."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess

FAULT = {"origin": "api", "path": "/v2/account", "status": 500, "count": 1}


def test_without_the_secret_nothing_is_answered(sb: SandboxProcess, http: httpx.Client) -> None:
    for headers in ({}, {"X-Sandbox-Secret": "guessed"}):
        answer = http.get(sb.api_url + "/_sandbox/requests", headers=headers)
        assert answer.status_code == 403, answer.text
        assert "secret" in answer.json()["error"]
        refused = http.post(sb.api_url + "/_sandbox/faults", json=FAULT, headers=headers)
        assert refused.status_code == 403
    assert http.get(sb.api_url + "/_sandbox/faults", headers=sb.control_headers).json() == []
    assert sb.requests() == []  # the refusals were not recorded either


def test_a_rebound_host_name_is_refused(sb: SandboxProcess, http: httpx.Client) -> None:
    """A page whose DNS name now points at 127.0.0.1 still sends its own name in Host."""
    port = httpx.URL(sb.api_url).port
    for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1:{port + 1}"):
        headers = {**sb.control_headers, "Host": host}
        answer = http.get(sb.api_url + "/_sandbox/requests", headers=headers)
        assert answer.status_code == 403, host
        assert "Host" in answer.json()["error"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        headers = {**sb.control_headers, "Host": host}
        assert http.get(sb.api_url + "/_sandbox/requests", headers=headers).status_code == 200


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_a_post_that_a_form_can_send_is_refused(
    sb: SandboxProcess, content_type: str | None
) -> None:
    """A form's text/plain body can spell JSON; it still is not application/json."""
    headers = dict(sb.control_headers)
    if content_type is not None:
        headers["Content-Type"] = content_type
    body = json.dumps(FAULT).encode()
    with httpx.Client(timeout=30) as http:
        answer = http.post(sb.api_url + "/_sandbox/faults", content=body, headers=headers)
    assert answer.status_code == 415, answer.text
    assert "application/json" in answer.json()["error"]
    assert http_faults(sb) == []
    sb.fault("api", "/v2/account", status=500)  # the launcher's own JSON POST goes through
    assert len(http_faults(sb)) == 1


def http_faults(sb: SandboxProcess) -> list[object]:
    with httpx.Client(timeout=30) as http:
        answer = http.get(sb.api_url + "/_sandbox/faults", headers=sb.control_headers)
    answer.raise_for_status()
    result: list[object] = answer.json()
    return result


@pytest.mark.parametrize("route", ["google-flow/assets", "runway/assets", "wordbee/assets"])
def test_a_file_outside_the_sandbox_folders_is_refused(
    sb: SandboxProcess, http: httpx.Client, tmp_path: Path, route: str
) -> None:
    secret_file = tmp_path / "id_rsa"
    secret_file.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert sb.control_files is not None
    planted = sb.control_files / "planted.png"  # a link inside that points outside
    planted.symlink_to(secret_file)
    try:
        escape = sb.control_files / os.path.relpath(secret_file, sb.control_files)  # ../..
        for path in (secret_file, planted, escape):
            body = {"path": str(path), "content_type": "image/png", "name": "x", "segment_id": 1}
            answer = http.post(
                f"{sb.api_url}/_sandbox/{route}", json=body, headers=sb.control_headers
            )
            assert answer.status_code == 400, (path, answer.text)
            assert "outside the sandbox's folders" in answer.json()["error"]
    finally:
        planted.unlink()
    assert all(o["file"] != str(secret_file) for o in sb.objects())


def test_a_file_is_served_from_the_sandbox_folders_as_given(
    sb: SandboxProcess, tmp_path: Path, demo_dir: Path
) -> None:
    picture = tmp_path / "given.png"
    picture.write_bytes((demo_dir / "sunrise-640x360.png").read_bytes())
    sb.put_runway_asset(picture, "image/png", name="given")
    (served,) = [o for o in sb.objects() if o["file"] == str(picture)]
    assert served["size"] == picture.stat().st_size
    assert sb.control_files is not None
    (folder,) = sb.control_files.iterdir()
    (link,) = folder.iterdir()  # a hard link to the same bytes, under the same name
    assert link.name == "given.png" and link.samefile(picture)
    sb.reset()
    assert list(sb.control_files.iterdir()) == []  # gone with the asset


def test_the_request_log_holds_no_credential(sb: SandboxProcess, http: httpx.Client) -> None:
    token = sb.demo["useapi_token"]
    http.get(
        sb.api_url + "/v2/account?apikey=query-key-1&x=1",
        headers={"Authorization": f"Bearer {token}", "Cookie": "session=cookie-value-1"},
    )
    http.get(
        sb.wordbee_url + "/api/resources/assets/1/list?scope=pr7214",
        headers={"X-Auth-Token": "wordbee-session-1", "X-Auth-AccountId": "a"},
    )
    raw = http.get(sb.api_url + "/_sandbox/requests", headers=sb.control_headers).text
    for credential in (token, "query-key-1", "cookie-value-1", "wordbee-session-1"):
        assert credential not in raw
    api, wordbee = sb.requests()
    assert api["headers"]["authorization"] == sb.redacted(f"Bearer {token}")
    assert api["headers"]["cookie"] == sb.redacted("session=cookie-value-1")
    assert api["params"] == {"apikey": sb.redacted("query-key-1"), "x": "1"}
    assert wordbee["headers"]["x-auth-token"] == sb.redacted("wordbee-session-1")
    assert wordbee["headers"]["x-auth-accountid"] == "a"


def test_the_secret_is_not_on_the_command_line(sb: SandboxProcess) -> None:
    secret = sb.control_headers["X-Sandbox-Secret"]
    assert len(secret) >= 32
    cmdline = Path(f"/proc/{sb.process.pid}/cmdline").read_bytes()
    assert secret.encode() not in cmdline and b"--control" in cmdline


def test_each_run_has_its_own_secret(sb: SandboxProcess, tmp_path: Path) -> None:
    with SandboxProcess.start(control=True, data_dir=tmp_path) as other:
        assert other.control_headers != sb.control_headers
        with httpx.Client(timeout=30) as http:
            stolen = http.get(other.api_url + "/_sandbox/requests", headers=sb.control_headers)
        assert stolen.status_code == 403
        other.reset()  # its own secret opens it
