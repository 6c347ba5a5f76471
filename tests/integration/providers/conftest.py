"""Provider tests: real HTTP against the sandbox, driven by anyio's pytest plugin on asyncio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.helpers.http_calls import FAST_RETRY

from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient


@pytest.fixture
async def connection(sb: Any) -> AsyncIterator[UseapiConnection]:
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url, retry=FAST_RETRY) as conn:
        yield conn


@pytest.fixture
def flow(connection: UseapiConnection) -> GoogleFlowClient:
    return GoogleFlowClient(connection)


@pytest.fixture
def runway(connection: UseapiConnection) -> RunwayClient:
    return RunwayClient(connection)


@pytest.fixture
async def wordbee(sb: Any) -> AsyncIterator[WordbeeClient]:
    """The demo Wordbee account's client (it signs in on its first call)."""
    client = WordbeeClient(
        sb.wordbee_url, sb.demo["wordbee_account_id"], sb.demo["wordbee_key"], retry=FAST_RETRY
    )
    async with client:
        yield client
