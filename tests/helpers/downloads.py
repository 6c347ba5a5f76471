"""What the download tests share (test_download_basics.py, test_download_faults.py,
test_download_resume.py): MP4 files registered with the sandbox's storage origin, signed-URL
sources, and what the storage origin saw. Their fixtures: tests/integration/transfer/conftest.py.

Every name here starts with `dl_` (or `Dl`, `DL_`) so that it cannot clash with a test file's own.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assetdesk.sandbox.launcher import SandboxProcess
from assetdesk.transfer.options import DownloadOptions
from assetdesk.transfer.sources import SignedUrlSource

MIB = 1024 * 1024
DL_SMALL_SIZE = 3 * MIB
DL_BIG_SIZE = 40 * MIB
#: The first request of a download: the whole file, from byte 0 (a 206 says ranges work).
DL_FIRST = "bytes=0-"
#: Retries as in the app, without the long waits.
DL_FAST = DownloadOptions(sha256=True, backoff=0.01, max_backoff=0.05)


@dataclass(frozen=True)
class DlAsset:
    """A local file the sandbox's storage origin serves in place."""

    file: Path
    data: bytes
    key: str  # `bucket/object`
    media_id: str  # its Google Flow mediaGenerationId
    crc32c: str  # hex, as the sandbox reports it

    @property
    def url_path(self) -> str:
        return "/" + self.key

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def size(self) -> int:
        return len(self.data)


def dl_register(sb: SandboxProcess, file: Path) -> DlAsset:
    """Register `file` as a Google Flow asset (the sandbox was just reset) and find its key."""
    media_id = sb.put_google_flow_asset(file, "video/mp4")
    found = [o for o in sb.objects() if o.get("file") == str(file.resolve())]
    assert found, f"the sandbox holds no object for {file}"
    obj = found[-1]
    return DlAsset(file, file.read_bytes(), obj["key"], media_id, obj["crc32c"])


def dl_source(
    sb: SandboxProcess,
    http: httpx.AsyncClient,
    asset: DlAsset,
    *,
    ttl: float | None = None,
    label: str = "clip.mp4",
    suggested_name: str | None = "clip.mp4",
    resume_key: str | None = None,
) -> SignedUrlSource:
    """A source whose `resolve` signs a fresh URL with the sandbox (a blocking control call, run
    on a worker thread so that it does not hold up the event loop)."""

    async def resolve() -> str:
        return await asyncio.to_thread(sb.signed_url, asset.key, ttl=ttl)

    return SignedUrlSource(
        http, resolve, label=label, suggested_name=suggested_name, resume_key=resume_key
    )


def dl_gets(sb: SandboxProcess, asset: DlAsset) -> list[dict[str, Any]]:
    """The GET requests the storage origin received for `asset`, in arrival order."""
    return [
        r for r in sb.requests("storage") if r["method"] == "GET" and r["path"] == asset.url_path
    ]


def dl_ranges(sb: SandboxProcess, asset: DlAsset) -> list[str | None]:
    return [r["headers"].get("range") for r in dl_gets(sb, asset)]


def dl_assert_no_authorization(sb: SandboxProcess) -> None:
    """No request to the storage origin carried credentials."""
    for request in sb.requests("storage"):
        assert "authorization" not in request["headers"], request["path"]
        assert "x-auth-token" not in request["headers"], request["path"]


def dl_listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
