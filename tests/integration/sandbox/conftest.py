"""Helpers for the sandbox's own tests."""

from __future__ import annotations

from collections.abc import Iterator

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
