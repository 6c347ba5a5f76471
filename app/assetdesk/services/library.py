"""The Library's catalog: what the user has on Google Flow, Runway and Wordbee, and its bytes.

Assets come in four ways: finished uploads (the upload queue writes them), the account's Runway
assets listed page by page, Wordbee segment assets listed by segment and scope, and references
the user pastes. The catalog is the SQLite `assets` table; signed links are resolved when asked
for, kept in memory only until shortly before they expire, and never written anywhere. Removing
an asset forgets it here; nothing on the service is ever deleted.

Qt-free: the Library pane calls this from its bridge. Every error on an asset is a typed error
from `core.errors` whose sentence names the asset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import mimetypes
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from assetdesk.core.errors import (
    AssetDeskError,
    InvalidInput,
    NotFound,
    TooLarge,
    UpstreamFailed,
    as_sentence,
)
from assetdesk.core.ids import (
    MediaGenerationId,
    RunwayAssetId,
    WordbeeScope,
    WordbeeSegmentRef,
    parse_asset_ref,
)
from assetdesk.core.media import media_type_for_extension, media_type_for_mime
from assetdesk.core.units import format_size
from assetdesk.net.clients import make_download_client
from assetdesk.net.errors import network_error, read_error_body
from assetdesk.providers.google_flow import signed_url_expiry
from assetdesk.providers.runway import MAX_LIMIT, MAX_OFFSET, RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset, WordbeeClient
from assetdesk.services.accounts import AccountsService, UseapiClients
from assetdesk.services.downloads import download_wordbee_asset, flow_source, runway_source
from assetdesk.services.wordbee_source import WordbeeSource
from assetdesk.store.db import open_database
from assetdesk.store.library import Asset, AssetDraft, LibraryStore, short_id
from assetdesk.transfer.download import download
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.progress import ProgressCallback
from assetdesk.transfer.sources import STORAGE, storage_error

__all__ = [
    "ASSUMED_LINK_LIFETIME",
    "LINK_MARGIN",
    "PREVIEW_LIMIT",
    "RUNWAY_PAGE",
    "AddOutcome",
    "Asset",
    "LibraryService",
    "SignedLink",
    "parse_reference",
    "wordbee_key",
]

log = logging.getLogger("assetdesk.services.library")

T = TypeVar("T")

#: Runway lists at most 50 assets a page, from offsets 0 to 1000.
RUNWAY_PAGE = MAX_LIMIT
#: A cached link is used only while it stays valid this much longer.
LINK_MARGIN = timedelta(minutes=5)
#: A link whose expiry cannot be read from its query is kept this long at most (with the
#: margin above, reused for 5 minutes): the services say not to cache links at all.
ASSUMED_LINK_LIFETIME = timedelta(minutes=10)
#: Previews and thumbnails read the whole file into memory; beyond this, download it instead.
PREVIEW_LIMIT = 40 * 1024 * 1024

_WORDBEE_LIKE = re.compile(r"\s*(pr|jbs|jbc)[0-9]", re.IGNORECASE | re.ASCII)
_LOWER_FIRST = ("The ", "A ", "An ", "Not ", "No ", "There ", "This ")


@dataclass(frozen=True)
class AddOutcome:
    """What adding or listing did: the assets concerned (in the service's order), how many were
    new, and how many the catalog already had (duplicates recognised, not added twice)."""

    assets: list[Asset]
    added: int
    already: int


@dataclass(frozen=True)
class SignedLink:
    """A link that carries its own authorisation: for previews and "copy link", never stored."""

    url: str
    expires_at: datetime

    def usable(self, now: datetime, margin: timedelta = LINK_MARGIN) -> bool:
        return now + margin < self.expires_at


def parse_reference(text: str) -> MediaGenerationId | RunwayAssetId | WordbeeSegmentRef:
    """A pasted Google Flow mediaGenerationId, Runway assetId or Wordbee segment reference
    (`pr1234/5678`), chosen by its shape; InvalidInput with the parser's words otherwise."""
    if not isinstance(text, str):
        raise InvalidInput("the reference must be text")
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(
            "nothing was pasted: paste a mediaGenerationId, a Runway assetId or a Wordbee "
            "segment reference like pr1234/5678"
        )
    if cleaned.lower().startswith("user") or "-email:" in cleaned or "-runwayml:" in cleaned:
        return parse_asset_ref(cleaned)
    if _WORDBEE_LIKE.match(cleaned) or "/" in cleaned:
        return WordbeeSegmentRef.parse(cleaned)
    raise InvalidInput(
        "this is neither a Google Flow mediaGenerationId (user:…-email:…-image:…), a Runway "
        "asset id (user:…-runwayml:…-asset:…) nor a Wordbee segment reference (pr1234/5678)"
    )


def wordbee_key(
    scope: str, segment_id: int, locale: str | None, relative_path: str | None, name: str
) -> str:
    """The catalog's id for a Wordbee file: "scope/segment/locale/relative path/name"."""
    folder = (relative_path or "").replace("\\", "/").strip("/")
    return "/".join((scope, str(segment_id), locale or "", folder, name))


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


def _kind_of(mime: str | None, name: str | None) -> str | None:
    if mime:
        major = mime.split("/", 1)[0].strip().lower()
        return major if major in ("image", "video") else "other"
    known = media_type_for_extension(Path(name).suffix) if name else None
    return known.kind.value if known else None


def _mime_for(extension: str | None, name: str | None) -> str | None:
    known = media_type_for_extension(extension) if extension else None
    if known is not None:
        return known.mime
    guessed = mimetypes.guess_type(name or "")[0] if name else None
    return guessed


def runway_draft(
    asset: RunwayAsset, account_id: int, origin: str, email: str | None = None
) -> AssetDraft:
    """A Runway asset as the catalog keeps it (no URL: its links expire)."""
    with contextlib.suppress(InvalidInput):  # the id names the Runway account, when it parses
        email = RunwayAssetId.parse(asset.asset_id).email
    media = asset.media_type
    kind = None if media is None else (media if media in ("image", "video") else "other")
    return AssetDraft(
        provider="runway",
        remote_id=asset.asset_id,
        origin=origin,
        kind=kind,
        name=asset.name,
        mime=_mime_for(asset.extension, asset.name),
        size=asset.file_size,
        width=asset.width,
        height=asset.height,
        duration_seconds=asset.duration,
        account_id=account_id,
        account_email=email,
        created_at=asset.created_at,
    )


def wordbee_draft(asset: WordbeeAsset, scope: str, account_id: int, origin: str) -> AssetDraft:
    """A Wordbee segment file as the catalog keeps it: where it lives, so it can be fetched."""
    known = media_type_for_mime(asset.content_type)
    return AssetDraft(
        provider="wordbee",
        remote_id=wordbee_key(
            scope, asset.segment_id, asset.locale, asset.relative_path, asset.name
        ),
        origin=origin,
        kind=_kind_of(asset.content_type, asset.name),
        name=asset.name,
        mime=known.mime if known else asset.content_type,
        size=asset.size,
        account_id=account_id,
        created_at=asset.created,
        scope=scope,
        segment_id=asset.segment_id,
        locale=asset.locale,
        relative_path=asset.relative_path,
    )


def _naming(error: AssetDeskError, title: str, *other_names: str) -> AssetDeskError:
    """`error` as it is when its sentence already names the asset; else the same kind of error
    (all its details kept) whose sentence starts by naming it."""
    if any(name and name in error.message for name in (title, *other_names)):
        return error
    said = error.message
    if said.startswith(_LOWER_FIRST):
        said = said[0].lower() + said[1:]
    message = as_sentence(f"Could not get “{title}”: {said}")
    named = type(error).__new__(type(error))
    named.__dict__.update(error.__dict__)
    named.args = (message,)
    named.message = message
    return named


class LibraryService:
    """The catalog, its listing from the services, signed links, bytes and downloads."""

    def __init__(
        self,
        database: Path,
        accounts: AccountsService,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`clock` tells the time that cached links are judged by (tests step it)."""
        self._database = database
        self._accounts = accounts
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._http: httpx.AsyncClient | None = None
        self._links: dict[int, SignedLink] = {}
        self._previews: dict[int, SignedLink] = {}
        self._link_locks: dict[int, asyncio.Lock] = {}

    # ------------------------------------------------------------ the catalog

    async def _db(self, work: Callable[[LibraryStore], T]) -> T:
        def run() -> T:
            with self._lock:
                if self._conn is None:
                    self._conn = open_database(self._database, check_same_thread=False)
                return work(LibraryStore(self._conn))

        return await asyncio.to_thread(run)

    async def assets(self) -> list[Asset]:
        """Every asset, newest first (one SELECT, in a worker thread)."""
        return await self._db(lambda store: store.all())

    async def get(self, asset_id: int) -> Asset | None:
        return await self._db(lambda store: store.get(asset_id))

    async def remove(self, asset_ids: Iterable[int]) -> int:
        """Forget assets from the catalog; the services keep them. Returns how many went."""
        ids = list(asset_ids)
        removed = await self._db(lambda store: store.remove(ids))
        for asset_id in ids:
            self._links.pop(asset_id, None)
            self._previews.pop(asset_id, None)
        return removed

    async def _store(self, drafts: list[AssetDraft]) -> AddOutcome:
        stored = await self._db(lambda store: store.add(drafts))
        return AddOutcome(stored.assets, stored.added, stored.already)

    # ------------------------------------------------------------ adding

    async def add_reference(self, text: str, account_id: int) -> AddOutcome:
        """Add what a pasted reference names, after the service has confirmed it exists.

        A mediaGenerationId must resolve to a link; a Runway assetId is looked up (name, kind,
        size, dimensions); a Wordbee segment reference adds every file of that segment, and
        `account_id` is then a Wordbee account.
        """
        try:
            ref = parse_reference(text)
        except InvalidInput as error:
            raise InvalidInput(as_sentence(error.message)) from None
        if isinstance(ref, WordbeeSegmentRef):
            client = await self._wordbee(account_id, "a Wordbee segment reference")
            try:
                found = await client.list_segment_assets(ref.segment_id, str(ref.scope))
            except AssetDeskError as error:
                raise _naming(error, ref.short, str(ref)) from error
            if not found:
                raise NotFound(f"{ref.short} has no files attached.")
            scope = str(ref.scope)
            return await self._store([wordbee_draft(a, scope, account_id, "pasted") for a in found])
        if isinstance(ref, MediaGenerationId):
            clients = await self._useapi(account_id, "a Google Flow mediaGenerationId")
            resolved_at = self._clock()
            try:
                signed = await clients.google_flow.resolve_url(ref)
            except AssetDeskError as error:
                raise _naming(error, ref.short) from error
            outcome = await self._store(
                [
                    AssetDraft(
                        provider="google-flow",
                        remote_id=str(ref),
                        origin="pasted",
                        kind=ref.kind,
                        account_id=account_id,
                        account_email=ref.email,
                    )
                ]
            )
            link = SignedLink(signed.url, signed_url_expiry(signed.url, resolved_at))
            for asset in outcome.assets:  # the link just resolved serves the first preview
                self._links[asset.id] = link
            return outcome
        clients = await self._useapi(account_id, "a Runway assetId")
        try:
            runway_asset = await clients.runway.get(str(ref))
        except AssetDeskError as error:
            raise _naming(error, ref.short) from error
        return await self._store([runway_draft(runway_asset, account_id, "pasted")])

    async def sync_runway(
        self,
        account_id: int,
        *,
        email: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> AddOutcome:
        """List the account's Runway assets, 50 a page from offset 0 up to 1000, until a short
        page; `progress(n)` after each page. On a failure, what was listed so far is kept."""
        clients = await self._useapi(account_id, "listing Runway assets")
        listed: list[RunwayAsset] = []
        failure: AssetDeskError | None = None
        offset = 0
        while offset <= MAX_OFFSET:
            try:
                page = await clients.runway.list(offset=offset, limit=RUNWAY_PAGE, email=email)
            except AssetDeskError as error:
                failure = error
                break
            listed.extend(page)
            if progress is not None:
                progress(len(listed))
            if len(page) < RUNWAY_PAGE:
                break
            offset += RUNWAY_PAGE
        # Oldest first, so that the newest asset gets the highest id and leads the catalog.
        drafts = [runway_draft(a, account_id, "listed", email) for a in reversed(listed)]
        outcome = await self._store(drafts)
        if failure is not None:
            raise failure
        return AddOutcome(list(reversed(outcome.assets)), outcome.added, outcome.already)

    async def sync_wordbee(self, account_id: int, scope: str, segment_ids: list[int]) -> AddOutcome:
        """List the files of these segments in `scope` (pr…, jbs… or jbc…)."""
        try:
            checked = str(WordbeeScope.parse(scope))
        except InvalidInput as error:
            raise InvalidInput(as_sentence(error.message)) from None
        if not segment_ids:
            raise InvalidInput("Name at least one Wordbee segment id.")
        client = await self._wordbee(account_id, "listing Wordbee segment files")
        found = await client.list_assets(segment_ids, checked)
        return await self._store([wordbee_draft(a, checked, account_id, "listed") for a in found])

    # ------------------------------------------------------------ accounts

    async def _useapi(self, account_id: int, what: str) -> UseapiClients:
        try:
            return await self._accounts.useapi(account_id)
        except InvalidInput as error:  # the only InvalidInput there: another kind of account
            raise InvalidInput(
                f"{error.message.rstrip('.')}; {what} needs a useapi.net account."
            ) from None
        except NotFound as error:
            raise NotFound(as_sentence(error.message)) from None

    async def _wordbee(self, account_id: int, what: str) -> WordbeeClient:
        try:
            return await self._accounts.wordbee(account_id)
        except InvalidInput as error:
            raise InvalidInput(
                f"{error.message.rstrip('.')}; {what} needs a Wordbee account."
            ) from None
        except NotFound as error:
            raise NotFound(as_sentence(error.message)) from None

    @staticmethod
    def _account_of(asset: Asset) -> int:
        if asset.account_id is None:
            raise InvalidInput(
                f"“{asset.title}” is not linked to an account; add it again through one."
            )
        return asset.account_id

    # ------------------------------------------------------------ links

    def _link_lock(self, asset_id: int) -> asyncio.Lock:
        return self._link_locks.setdefault(asset_id, asyncio.Lock())

    async def signed_link(self, asset: Asset, *, fresh: bool = False) -> SignedLink:
        """A link to the asset's file, reused until 5 minutes before it expires; `fresh`
        asks the service again and replaces the one kept. Wordbee files have none."""
        if asset.provider == "wordbee":
            raise InvalidInput(
                f"Wordbee files are downloaded through the API; “{asset.title}” has no link."
            )
        async with self._link_lock(asset.id):
            cached = self._links.get(asset.id)
            if not fresh and cached is not None and cached.usable(self._clock()):
                return cached
            return await self._resolve(asset)

    async def preview_link(self, asset: Asset) -> SignedLink:
        """Runway's preview image when it sent one (a video's poster), else the file's link."""
        if asset.provider != "runway":
            return await self.signed_link(asset)
        async with self._link_lock(asset.id):
            cached = self._previews.get(asset.id)
            if cached is not None and cached.usable(self._clock()):
                return cached
            await self._resolve(asset)
            return self._previews[asset.id]

    async def _resolve(self, asset: Asset) -> SignedLink:
        """Ask the service for fresh links (the caller holds the asset's link lock)."""
        resolved_at = self._clock()
        try:
            clients = await self._useapi(self._account_of(asset), "this asset")
            if asset.provider == "google-flow":
                signed = await clients.google_flow.resolve_url(asset.remote_id)
                link = SignedLink(signed.url, signed_url_expiry(signed.url, resolved_at))
            elif asset.provider == "runway":
                found = await clients.runway.get(asset.remote_id)
                if not found.url:
                    raise UpstreamFailed(f"Runway sent no download link for “{asset.title}”.")
                link = SignedLink(found.url, link_expiry(found.url, resolved_at))
                preview = found.preview_urls[0] if found.preview_urls else None
                self._previews[asset.id] = (
                    SignedLink(preview, link_expiry(preview, resolved_at)) if preview else link
                )
            else:
                raise InvalidInput(f"“{asset.title}” comes from an unknown service.")
        except AssetDeskError as error:
            raise _naming(error, asset.title, short_id(asset.provider, asset.remote_id)) from error
        self._links[asset.id] = link
        return link

    # ------------------------------------------------------------ bytes

    def _download_client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = make_download_client()
        return self._http

    async def fetch_bytes(
        self, asset: Asset, *, limit: int = PREVIEW_LIMIT, preview: bool = False
    ) -> bytes:
        """The whole file in memory, for previews and thumbnails. A refused link (expired) is
        resolved afresh once, silently; a file over `limit` is refused with a sentence.

        With `preview`, Runway's preview image when it sent one (smaller; a video's poster)."""
        if asset.size is not None and asset.size > limit and not preview:
            raise _too_large(asset, asset.size, limit)
        if asset.provider == "wordbee":
            return await self._fetch_wordbee(asset, limit)
        http = self._download_client()
        link = await (self.preview_link(asset) if preview else self.signed_link(asset))
        for attempt in (1, 2):
            request = http.build_request("GET", link.url, headers={"Accept-Encoding": "identity"})
            try:
                response = await http.send(request, stream=True)
            except httpx.TransportError as error:
                raise _naming(network_error(error, STORAGE, link.url), asset.title) from None
            try:
                if response.status_code == 200:
                    return await _read_all(response, asset, limit, service=STORAGE)
                body = await read_error_body(response)
            finally:
                await response.aclose()
            status = response.status_code
            if attempt == 1 and 400 <= status < 500 and status not in (416, 429):
                log.info("storage refused a link (%d); resolving a fresh one", status)
                link = await self.signed_link(asset, fresh=True)
                if preview:  # the fresh answer brought a fresh preview link too
                    link = await self.preview_link(asset)
                continue
            raise storage_error(response, body, label=f"“{asset.title}”")
        raise AssertionError("unreachable")

    async def _fetch_wordbee(self, asset: Asset, limit: int) -> bytes:
        segment_id, scope, name = _wordbee_place(asset)
        try:
            client = await self._wordbee(self._account_of(asset), "this file")
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
            raise _naming(error, asset.title) from error

    async def download(
        self,
        asset: Asset,
        folder: Path,
        *,
        filename: str | None = None,
        options: DownloadOptions | None = None,
        progress: ProgressCallback | None = None,
        keep_folders: bool = False,
        remember: bool = True,
    ) -> DownloadResult:
        """Save the asset in `folder` through the transfer engine (resume, segments,
        verification, conflict policy) and remember where. A Wordbee file keeps the server's
        name, sanitised, and with `keep_folders` its locale and relative path as folders;
        nothing lands outside `folder`."""
        try:
            if asset.provider == "wordbee":
                result = await self._download_wordbee(
                    asset, folder, filename, options, progress, keep_folders
                )
            else:
                clients = await self._useapi(self._account_of(asset), "this asset")
                http = self._download_client()
                if asset.provider == "google-flow":
                    source = flow_source(
                        clients.connection, http, MediaGenerationId.parse(asset.remote_id)
                    )
                elif asset.provider == "runway":
                    source = await runway_source(
                        clients.connection, http, RunwayAssetId.parse(asset.remote_id)
                    )
                else:
                    raise InvalidInput(f"“{asset.title}” comes from an unknown service.")
                # Saved under the name the catalog shows ("Race car.jpg"), not one rebuilt from
                # the service's standardised extension ("Race car.jpg.jpeg").
                chosen = filename or (asset.name if asset.provider == "runway" else None)
                result = await download(
                    source, folder, filename=chosen, options=options, progress=progress
                )
        except AssetDeskError as error:
            raise _naming(error, asset.title, short_id(asset.provider, asset.remote_id)) from error
        if remember:  # a copy in the app's cache (preview, drag) is not the user's download
            await self._db(lambda store: store.set_local_path(asset.id, str(result.path)))
        return result

    async def _download_wordbee(
        self,
        asset: Asset,
        folder: Path,
        filename: str | None,
        options: DownloadOptions | None,
        progress: ProgressCallback | None,
        keep_folders: bool,
    ) -> DownloadResult:
        segment_id, scope, name = _wordbee_place(asset)
        client = await self._wordbee(self._account_of(asset), "this file")
        if filename is None:
            return await download_wordbee_asset(
                client,
                segment_id,
                scope,
                name,
                folder,
                locale=asset.locale,
                relative_path=asset.relative_path,
                keep_folders=keep_folders,
                options=options,
                progress=progress,
            )
        source = WordbeeSource(
            client, segment_id, scope, name, locale=asset.locale, relative_path=asset.relative_path
        )
        return await download(source, folder, filename=filename, options=options, progress=progress)

    async def aclose(self) -> None:
        """Close the download client and the database connection."""
        self._links.clear()
        self._previews.clear()
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()
        if self._conn is not None:

            def close() -> None:
                with self._lock:
                    if self._conn is not None:
                        self._conn.close()
                        self._conn = None

            await asyncio.to_thread(close)


def _wordbee_place(asset: Asset) -> tuple[int, str, str]:
    if asset.segment_id is None or not asset.scope or not asset.name:
        raise InvalidInput(f"“{asset.title}” lacks its Wordbee segment, scope or file name.")
    return asset.segment_id, asset.scope, asset.name


def _too_large(asset: Asset, size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"“{asset.title}” is {format_size(size)}, too large to preview (the limit is "
        f"{format_size(limit)}); download it instead.",
        size=size,
        limit=limit,
    )


async def _read_all(response: httpx.Response, asset: Asset, limit: int, *, service: str) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise _too_large(asset, int(length), limit)
    data = bytearray()
    try:
        async for chunk in response.aiter_bytes():
            data += chunk
            if len(data) > limit:
                raise _too_large(asset, len(data), limit)
    except httpx.TransportError as error:
        raise _naming(network_error(error, service, response.request.url), asset.title) from None
    return bytes(data)
