"""Blob files on disk: uploads and downloads keep their bytes, and an aborted transfer leaves no
file open in the sandbox (nor, for an upload, on disk)."""

from __future__ import annotations

import hashlib
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.helpers.media_files import padded_clip
from tests.helpers.waiting import wait_until

from assetdesk.sandbox.launcher import SandboxProcess

MIB = 1024 * 1024


class UserCancelled(Exception):
    pass


def open_files(sb: SandboxProcess) -> set[str]:
    """The paths of the regular files the sandbox process has open right now (as they were given
    to the sandbox: it serves a link to each in its control-files folder)."""
    found = set()
    for fd in Path(f"/proc/{sb.process.pid}/fd").iterdir():
        try:
            target = str(fd.readlink())
        except FileNotFoundError:  # closed while we looked
            continue
        if target.startswith("/"):
            found.add(sb.given_name(target.removesuffix(" (deleted)")))
    return found


@pytest.fixture
def big(sb: SandboxProcess, tmp_path: Path) -> tuple[str, Path]:
    """A signed URL of a 6 MiB (+ a few bytes) object, and its file."""
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(6 * MIB + 4321))
    sb.put_wordbee_asset(path, "application/octet-stream", name="big.bin", segment_id=3)
    key = next(o["key"] for o in sb.objects() if o["file"] == str(path))
    return sb.signed_url(key), path


def test_aborted_download_closes_the_file(
    sb: SandboxProcess, http: httpx.Client, big: tuple[str, Path]
) -> None:
    url, path = big
    sb.bandwidth("storage", 512 * 1024)  # still streaming when the client goes away
    with http.stream("GET", url) as response:
        assert response.status_code == 200
        chunks = response.iter_raw()  # (a dropped partial iterator would close the connection)
        next(chunks)
        assert str(path) in open_files(sb)
    # leaving the block before the end closes the connection
    wait_until(lambda: str(path) not in open_files(sb), "the sandbox closed the file")
    sb.bandwidth("storage", None)
    assert http.get(url).content == path.read_bytes()  # and it serves the next request fine


def test_stalled_then_aborted_download_closes_the_file(
    sb: SandboxProcess, http: httpx.Client, big: tuple[str, Path]
) -> None:
    url, path = big
    sb.fault("storage", "/wordbee-assets/*", stall_after_bytes=1000, stall_seconds=30)
    with http.stream("GET", url, headers={"Range": "bytes=100-"}) as response:
        assert response.status_code == 206
        chunks = response.iter_raw()
        next(chunks)
        assert str(path) in open_files(sb)  # stalled for 30 s with the file open
    wait_until(lambda: str(path) not in open_files(sb), "the sandbox closed the file")


def test_injected_drop_closes_the_file(
    sb: SandboxProcess, http: httpx.Client, big: tuple[str, Path]
) -> None:
    url, path = big
    sb.fault("storage", "/wordbee-assets/*", drop_after_bytes=2 * MIB)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(url)
    wait_until(lambda: str(path) not in open_files(sb), "the sandbox closed the file")


def test_large_upload_keeps_every_byte(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    data = padded_clip(9 * MIB + 777)  # not a whole number of write pieces

    def pieces() -> Iterator[bytes]:  # uneven network-sized pieces, chunked transfer
        for start in range(0, len(data), 50_001):
            yield data[start : start + 50_001]

    answer = http.post(
        sb.api_url + "/v1/google-flow/assets",
        content=pieces(),
        headers={**auth, "Content-Type": "video/mp4"},
    )
    assert answer.status_code == 200, answer.text
    mgid = answer.json()["mediaGenerationId"]["mediaGenerationId"]
    stored = next(a for a in sb.google_flow_assets() if a["mediaGenerationId"] == mgid)
    assert stored["object"]["size"] == len(data)
    assert stored["object"]["md5"] == hashlib.md5(data).hexdigest()
    assert Path(stored["object"]["file"]).read_bytes() == data
    assert stored["object"]["file"] not in open_files(sb)
    ref = urllib.parse.quote(mgid, safe="")
    url = http.get(f"{sb.api_url}/v1/google-flow/assets/{ref}", headers=auth).json()["url"]
    assert http.get(url).content == data


def test_aborted_upload_closes_and_deletes_its_file(
    sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]
) -> None:
    data = padded_clip(8 * MIB)
    uploads: list[str] = []

    def upload_files() -> list[str]:
        return [f for f in open_files(sb) if Path(f).name.startswith("upload-")]

    def body() -> Iterator[bytes]:
        for start in range(0, 3 * MIB, 64 * 1024):
            yield data[start : start + 64 * 1024]
        # the sandbox is writing the upload to a file now
        wait_until(lambda: bool(upload_files()), "the sandbox opened the upload file")
        uploads.extend(upload_files())
        raise UserCancelled  # httpx gives up and closes the connection

    with pytest.raises(UserCancelled):
        http.post(
            sb.api_url + "/v1/google-flow/assets",
            content=body(),
            headers={**auth, "Content-Type": "video/mp4"},
        )
    assert len(uploads) == 1
    wait_until(lambda: not upload_files(), "the sandbox closed the upload file")
    wait_until(lambda: not Path(uploads[0]).exists(), "the sandbox deleted the upload file")
    assert sb.google_flow_assets() and all(
        a["object"]["file"] != uploads[0] for a in sb.google_flow_assets()
    )
