"""Provider tests: real HTTP against the sandbox, driven by anyio's pytest plugin on asyncio."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from tests.helpers.http_calls import FAST_RETRY

from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection


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
