"""Fixtures of the sandbox's own tests: a plain HTTP client, the demo user's credentials, the
demo clip and a signed URL of it."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assetdesk.sandbox.launcher import SandboxProcess


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture
def auth(sb: SandboxProcess) -> dict[str, str]:
    """The demo user's useapi.net Authorization header."""
    return {"Authorization": f"Bearer {sb.demo['useapi_token']}"}


@pytest.fixture
def clip_url(sb: SandboxProcess, http: httpx.Client, auth: dict[str, str]) -> str:
    """A signed URL of the demo clip (the third seeded Google Flow asset)."""
    ref = urllib.parse.quote(sb.demo["media_generation_ids"][2], safe="")
    answer = http.get(f"{sb.api_url}/v1/google-flow/assets/{ref}", headers=auth)
    url: str = answer.json()["url"]
    return url


@pytest.fixture
def clip(demo_dir: Path) -> bytes:
    """The demo clip's bytes, as the clip_url serves them."""
    return (demo_dir / "clip-320x180.mp4").read_bytes()
