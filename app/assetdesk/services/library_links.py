"""The signed-link cache: links to an asset's file, resolved when asked for, kept in memory only.

A link carries its own authorisation, so it is never written anywhere; it is reused only until
shortly before it expires (LINK_MARGIN), and resolved afresh when a caller says it was refused.
Runway's answer also brings a preview image's link (a video's poster), cached beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from assetdesk.core.addresses import media_link_problem
from assetdesk.core.errors import AssetDeskError, InvalidInput, UpstreamFailed
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import signed_url_expiry
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.library_errors import account_of, with_asset_name
from assetdesk.store.library import Asset, short_id

__all__ = ["ASSUMED_LINK_LIFETIME", "LINK_MARGIN", "LinkCache", "SignedLink", "link_expiry"]

#: A cached link is used only while it stays valid this much longer.
LINK_MARGIN = timedelta(minutes=5)
#: A link whose expiry cannot be read from its query is kept this long at most (with the
#: margin above, reused for 5 minutes): the services say not to cache links at all.
ASSUMED_LINK_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True)
class SignedLink:
    """A link that carries its own authorisation: for previews and "copy link", never stored."""

    url: str
    expires_at: datetime

    def usable(self, now: datetime, margin: timedelta = LINK_MARGIN) -> bool:
        return now + margin < self.expires_at


def link_expiry(url: str, resolved_at: datetime) -> datetime:
    """When a signed link stops working, from its query; ASSUMED_LINK_LIFETIME when it says not."""
    query = {key.lower(): values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    if "expires" in query or {"x-goog-date", "x-goog-expires"} <= query.keys():
        return signed_url_expiry(url, resolved_at)
    if {"x-amz-date", "x-amz-expires"} <= query.keys():  # S3-style signing
        try:
            start = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            return start + timedelta(seconds=int(query["x-amz-expires"]))
        except (ValueError, OverflowError):
            pass
    return resolved_at + ASSUMED_LINK_LIFETIME


#: Links kept before the expired ones are first swept out (then twice as many as were left).
SWEEP_FROM = 512


@dataclass(eq=False)
class _Turn:
    """One lookup of an asset's links at a time: the lock, and how many hold or await it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


#: The useapi.net clients of an account: (account id, what the action is) -> clients.
UseapiLookup = Callable[[int, str], Awaitable[UseapiClients]]


class LinkCache:
    """Each asset's file link and preview link, resolved through its account's clients. What
    it holds stays bounded by the links still usable: a scroll through 100,000 tiles leaves
    neither a lock nor an expired link per asset behind."""

    def __init__(self, useapi: UseapiLookup, clock: Callable[[], datetime]) -> None:
        """`clock` tells the time that cached links are judged by (tests step it)."""
        self._useapi = useapi
        self._clock = clock
        self._links: dict[int, SignedLink] = {}
        self._previews: dict[int, SignedLink] = {}
        self._turns: dict[int, _Turn] = {}
        self._sweep_at = SWEEP_FROM

    def keep(self, asset_id: int, link: SignedLink) -> None:
        """Keep a link resolved elsewhere (adding a pasted id resolves one)."""
        self._links[asset_id] = link

    def forget(self, asset_id: int) -> None:
        self._links.pop(asset_id, None)
        self._previews.pop(asset_id, None)

    def clear(self) -> None:
        self._links.clear()
        self._previews.clear()

    @property
    def held(self) -> int:
        """Links, preview links and lookups' locks held now."""
        return len(self._links) + len(self._previews) + len(self._turns)

    @contextlib.asynccontextmanager
    async def _turn(self, asset_id: int) -> AsyncIterator[None]:
        """The asset's turn to look its links up; its lock goes once nobody holds or awaits it."""
        turn = self._turns.get(asset_id)
        if turn is None:
            turn = self._turns[asset_id] = _Turn()
        turn.users += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.users -= 1
            if not turn.users:
                del self._turns[asset_id]

    def _sweep(self, resolved: int) -> None:
        """Drop the links no longer usable, once there are many (twice as many as last time);
        never the ones just `resolved` (their caller reads them next)."""
        if len(self._links) + len(self._previews) < self._sweep_at:
            return
        now = self._clock()
        for links in (self._links, self._previews):
            stale = [i for i, link in links.items() if i != resolved and not link.usable(now)]
            for asset_id in stale:
                del links[asset_id]
        self._sweep_at = max(SWEEP_FROM, 2 * (len(self._links) + len(self._previews)))

    async def signed_link(self, asset: Asset, *, fresh: bool = False) -> SignedLink:
        """A link to the asset's file, reused until 5 minutes before it expires; `fresh`
        asks the service again and replaces the one kept. Wordbee files have none."""
        if asset.provider == Provider.WORDBEE:
            raise InvalidInput(
                f"Wordbee files are downloaded through the API; “{asset.title}” has no link."
            )
        async with self._turn(asset.id):
            cached = self._links.get(asset.id)
            if not fresh and cached is not None and cached.usable(self._clock()):
                return cached
            return await self._resolve(asset)

    async def preview_link(self, asset: Asset) -> SignedLink:
        """Runway's preview image when it sent one (a video's poster), else the file's link."""
        if asset.provider != Provider.RUNWAY:
            return await self.signed_link(asset)
        async with self._turn(asset.id):
            cached = self._previews.get(asset.id)
            if cached is not None and cached.usable(self._clock()):
                return cached
            await self._resolve(asset)
            return self._previews[asset.id]

    async def _resolve(self, asset: Asset) -> SignedLink:
        """Ask the service for fresh links (the caller holds the asset's link lock)."""
        resolved_at = self._clock()
        try:
            clients = await self._useapi(account_of(asset), "this asset")
            if asset.provider == Provider.GOOGLE_FLOW:
                signed = await clients.google_flow.resolve_url(asset.remote_id)
                checked(signed.url, "Google Flow", asset.title)
                link = SignedLink(signed.url, signed_url_expiry(signed.url, resolved_at))
            elif asset.provider == Provider.RUNWAY:
                found = await clients.runway.get(asset.remote_id)
                if not found.url:
                    raise UpstreamFailed(f"Runway sent no download link for “{asset.title}”.")
                checked(found.url, "Runway", asset.title)
                link = SignedLink(found.url, link_expiry(found.url, resolved_at))
                # A preview image with a link that may not be opened is not used: the file's is.
                previews = [url for url in found.preview_urls if media_link_problem(url) is None]
                preview = previews[0] if previews else None
                self._previews[asset.id] = (
                    SignedLink(preview, link_expiry(preview, resolved_at)) if preview else link
                )
            else:
                raise InvalidInput(f"“{asset.title}” comes from an unknown service.")
        except AssetDeskError as error:
            raise with_asset_name(
                error, asset.title, short_id(asset.provider, asset.remote_id)
            ) from error
        self._links[asset.id] = link
        self._sweep(asset.id)
        return link


def checked(url: str, service: str, title: str) -> str:
    """`url` when it may be opened (https, or the sandbox's loopback http); otherwise an
    UpstreamFailed that says why, before the player, the preview or a download sees it."""
    problem = media_link_problem(url)
    if problem is not None:
        raise UpstreamFailed(f"{service} sent a file for “{title}”, but {problem}.")
    return url
