"""Byte fetching for previews and thumbnails: an asset's whole file in memory, within a limit.

Google Flow and Runway files come from storage through their signed links (a refused link is
resolved afresh once); Wordbee files through the Wordbee API. A file over the limit is refused
with a sentence that says to download it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import Provider
from assetdesk.net.clients import make_download_client
from assetdesk.net.errors import network_error, read_error_body
from assetdesk.net.response_body import body_chunks
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.library_errors import account_of, too_large, with_asset_name, wordbee_place
from assetdesk.services.library_links import LinkCache
from assetdesk.store.library import Asset
from assetdesk.transfer.sources import STORAGE, refuse_encoded, storage_error

__all__ = ["PREVIEW_LIMIT", "AssetBytes"]

log = logging.getLogger("assetdesk.services.library")

#: Previews and thumbnails read the whole file into memory; beyond this, download it instead.
PREVIEW_LIMIT = 40 * 1024 * 1024

#: The Wordbee client of an account: (account id, what the action is) -> client.
WordbeeLookup = Callable[[int, str], Awaitable[WordbeeClient]]


class AssetBytes:
    """Fetches files into memory; owns the storage download client (downloads share it)."""

    def __init__(self, links: LinkCache, wordbee: WordbeeLookup) -> None:
        self._links = links
        self._wordbee = wordbee
        self._http: httpx.AsyncClient | None = None

    def download_client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = make_download_client()
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def fetch(
        self, asset: Asset, *, limit: int = PREVIEW_LIMIT, preview: bool = False
    ) -> bytes:
        """The whole file in memory, for previews and thumbnails. A refused link (expired) is
        resolved afresh once, silently; a file over `limit` is refused with a sentence.

        With `preview`, Runway's preview image when it sent one (smaller; a video's poster)."""
        if asset.size is not None and asset.size > limit and not preview:
            raise too_large(asset, asset.size, limit)
        if asset.provider == Provider.WORDBEE:
            return await self._fetch_wordbee(asset, limit)
        http = self.download_client()
        links = self._links
        link = await (links.preview_link(asset) if preview else links.signed_link(asset))
        for attempt in (1, 2):
            request = http.build_request("GET", link.url, headers={"Accept-Encoding": "identity"})
            try:
                response = await http.send(request, stream=True)
            except httpx.TransportError as error:
                raise with_asset_name(
                    network_error(error, STORAGE, link.url), asset.title
                ) from None
            try:
                if response.status_code == 200:
                    return await _read_all(response, asset, limit, service=STORAGE)
                body = await read_error_body(response)
            finally:
                await response.aclose()
            status = response.status_code
            if attempt == 1 and 400 <= status < 500 and status not in (416, 429):
                log.info("storage refused a link (%d); resolving a fresh one", status)
                link = await links.signed_link(asset, fresh=True)
                if preview:  # the fresh answer brought a fresh preview link too
                    link = await links.preview_link(asset)
                continue
            raise storage_error(response, body, label=f"“{asset.title}”")
        raise AssertionError("unreachable")

    async def _fetch_wordbee(self, asset: Asset, limit: int) -> bytes:
        segment_id, scope, name = wordbee_place(asset)
        try:
            client = await self._wordbee(account_of(asset), "this file")
            async with client.open_download(
                segment_id,
                scope,
                name,
                locale=asset.locale,
                relative_path=asset.relative_path,
                headers={"Accept-Encoding": "identity"},
            ) as response:
                return await _read_all(response, asset, limit, service="Wordbee")
        except AssetDeskError as error:
            raise with_asset_name(error, asset.title) from error


async def _read_all(response: httpx.Response, asset: Asset, limit: int, *, service: str) -> bytes:
    """The body as sent, at most `limit` bytes; an encoded answer (identity was asked) is refused
    before a byte is read, as downloads refuse it: decoded, it could be any size."""
    refuse_encoded(response, label=f"“{asset.title}”")
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large(asset, int(length), limit)
    data = bytearray()
    try:
        async with body_chunks(response) as chunks:  # closed here, even if too large
            async for chunk in chunks:
                data += chunk
                if len(data) > limit:
                    raise too_large(asset, len(data), limit)
    except httpx.TransportError as error:
        raise with_asset_name(
            network_error(error, service, response.request.url), asset.title
        ) from None
    return bytes(data)
