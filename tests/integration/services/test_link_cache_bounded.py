"""The signed-link cache stays bounded however many assets it looked up (a scroll through a
library of 100,000 tiles looks each one up): no lock is left per asset once its lookup ends,
and expired links are swept out as new ones come. Real HTTP to the sandbox's Runway; the one
stand-in is the clock the cache judges links by (waiting out a link's life is not a test)."""

from __future__ import annotations

import asyncio
import functools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.library_assets import listed_asset
from tests.helpers.media_files import DEMO

from assetdesk.services import library_links
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library_errors import useapi_for
from assetdesk.services.library_links import LinkCache
from assetdesk.store.library import Asset

pytestmark = pytest.mark.anyio


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def runway_assets(sb: Any, account_id: int, count: int) -> list[Asset]:
    assets = []
    for n in range(count):
        remote_id = sb.put_runway_asset(DEMO / "swatch-256x256.png", "image/png", name=f"{n}.png")
        assets.append(
            listed_asset(
                n + 1, remote_id=remote_id, name=f"{n}.png", mime="image/png", account_id=account_id
            )
        )
    return assets


def lookups(sb: Any) -> int:
    return sum(1 for r in sb.requests("api") if r["path"].startswith("/v1/runwayml/assets/"))


async def test_lookups_leave_no_lock_behind_and_expired_links_are_swept(
    sb: Any, accounts: AccountsService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library_links, "SWEEP_FROM", 8)
    account = await accounts.add_session_account(
        name="Sandbox", kind="useapi", base_url=sb.api_url, secret=sb.demo["useapi_token"]
    )
    assets = runway_assets(sb, account.id, 20)
    clock = Clock()
    cache = LinkCache(functools.partial(useapi_for, accounts), clock)
    sb.clear_requests()

    # Each asset asked for twice at once: one lookup each (the second waits for the first).
    asked = [cache.signed_link(asset) for asset in assets[:12] for _ in range(2)]
    links = await asyncio.gather(*asked)
    assert lookups(sb) == 12
    assert links[0] == links[1] and links[0] != links[2]
    assert cache.held == 24  # a link and a preview link each, and no lock left

    # Hours later every link has expired: new lookups sweep the old ones out as they come.
    clock.offset = timedelta(hours=7)
    sb.advance_clock(7 * 3600)  # the service signs the new links in that later time
    for asset in assets[12:]:
        await cache.preview_link(asset)
    assert cache.held == 16  # the eight new assets' links; the twelve expired ones are gone
    assert lookups(sb) == 20
    await cache.signed_link(assets[19])  # kept: still usable
    assert lookups(sb) == 20
