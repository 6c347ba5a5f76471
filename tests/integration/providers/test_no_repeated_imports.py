"""No module is looked for again and again while requests run (sys.path searches cost stat
calls on the event loop): httpcore imports sniffio per request unless it is installed."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import pytest

from assetdesk.net.clients import make_download_client
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection

pytestmark = pytest.mark.anyio


async def test_requests_do_not_search_for_modules(sb: Any) -> None:
    searched: Counter[str] = Counter()
    watching = False

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if watching and event == "import":
            searched[str(args[0])] += 1

    sys.addaudithook(hook)  # audit hooks cannot be removed; `watching` turns it off
    async with UseapiConnection(sb.demo["useapi_token"], sb.api_url) as connection:
        runway = RunwayClient(connection)
        http = make_download_client()
        try:
            first = await runway.get(sb.demo["runway_asset_ids"][0])
            await http.get(first.url or "")  # whatever is imported once, lazily, is in now
            watching = True
            for _ in range(10):
                asset = await runway.get(sb.demo["runway_asset_ids"][0])
                assert (await http.get(asset.url or "")).status_code == 200
        finally:
            watching = False
            await http.aclose()
    assert dict(searched) == {}
