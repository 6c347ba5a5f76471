"""Fixtures of the download tests (test_download_basics.py, test_download_faults.py,
test_download_resume.py): MP4 files registered with the sandbox's storage origin and plain download
clients. Their plain helpers are in tests/helpers/downloads.py.

Every name here starts with `dl_` so that it cannot clash with another test file's fixtures.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from tests.helpers.downloads import DL_BIG_SIZE, DL_SMALL_SIZE, DlAsset, dl_register
from tests.helpers.media_files import write_padded_clip

from assetdesk.net.clients import make_download_client
from assetdesk.sandbox.launcher import SandboxProcess


@pytest.fixture(scope="session")
def dl_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A 3 MiB and a 40 MiB MP4, made once per session."""
    folder = tmp_path_factory.mktemp("dl-media")
    return {
        "small": write_padded_clip(folder / "small.mp4", DL_SMALL_SIZE),
        "big": write_padded_clip(folder / "big.mp4", DL_BIG_SIZE),
    }


@pytest.fixture
def dl_small(sb: SandboxProcess, dl_media: dict[str, Path]) -> DlAsset:
    return dl_register(sb, dl_media["small"])


@pytest.fixture
def dl_big(sb: SandboxProcess, dl_media: dict[str, Path]) -> DlAsset:
    return dl_register(sb, dl_media["big"])


@pytest.fixture
async def dl_http() -> AsyncIterator[httpx.AsyncClient]:
    """The product's client for signed URLs (no credentials)."""
    async with make_download_client() as client:
        yield client


@pytest.fixture
async def dl_stall_http() -> AsyncIterator[httpx.AsyncClient]:
    """The same client with a short read timeout, so that a stall is noticed quickly."""
    timeout = httpx.Timeout(connect=5, read=0.5, write=5, pool=5)
    async with make_download_client(timeout=timeout) as client:
        yield client
