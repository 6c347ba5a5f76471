"""The Library's catalog: what the user has on Google Flow, Runway and Wordbee, and its bytes.

Assets come in four ways: finished uploads (the upload queue writes them), a refresh of every
account (library_refresher.py: Google Flow and Runway listings, the Wordbee projects followed),
a Wordbee project followed, and references the user pastes. The catalog is the SQLite `assets`
table; signed links are resolved when asked for, kept in memory only until shortly before they
expire, and never written anywhere. Removing an asset only forgets it here; deleting on the
services is library_delete.py's.

Qt-free: the Library pane calls this from its bridge. Every error on an asset is a typed error
from `core.errors` whose sentence names the asset. The parts live beside it: catalog drafts
(library_drafts.py), the signed-link cache (library_links.py), byte fetching for previews
(library_bytes.py) and the sentences that name the asset (library_errors.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from assetdesk.core.errors import AssetDeskError, InvalidInput, NotFound, as_sentence
from assetdesk.core.ids import (
    FlowJobId,
    MediaGenerationId,
    RunwayAssetId,
    WordbeeScope,
    WordbeeSegmentRef,
    parse_reference,
)
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import signed_url_expiry
from assetdesk.providers.google_flow_listing import GoogleFlowLibrary
from assetdesk.providers.wordbee_segments import WordbeeSegments
from assetdesk.services.accounts import AccountsService
from assetdesk.services.downloads import (
    FolderNames,
    asset_name,
    flow_source,
    id_tag,
    runway_source,
    wordbee_folder,
)
from assetdesk.services.flow_jobs import file_job
from assetdesk.services.library_bytes import PREVIEW_LIMIT, AssetBytes
from assetdesk.services.library_delete import LibraryDeleter
from assetdesk.services.library_drafts import flow_pasted_draft, runway_draft, wordbee_draft
from assetdesk.services.library_errors import (
    account_of,
    useapi_for,
    with_asset_name,
    wordbee_for,
    wordbee_place,
)
from assetdesk.services.library_links import LinkCache, SignedLink
from assetdesk.services.library_refresh import wordbee_drafts
from assetdesk.services.library_refresher import LibraryRefresher, OnProgress, RefreshReport
from assetdesk.services.library_views import CatalogViews
from assetdesk.services.pending_downloads import PendingDownloads
from assetdesk.services.throttle_gate import AccountGates, OnWait, handing_429s_back
from assetdesk.services.wordbee_projects import follow_project, followed_projects
from assetdesk.services.wordbee_source import WordbeeSource
from assetdesk.store.db import open_database
from assetdesk.store.library import Asset, AssetDraft, LibraryStore, short_id
from assetdesk.store.library_sources import SourceCount, source_counts
from assetdesk.store.library_sync import CatalogSync, Source, SyncResult
from assetdesk.transfer.download import download
from assetdesk.transfer.names import Conflict
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.progress import ProgressCallback
from assetdesk.transfer.sources import Source as ByteSource

__all__ = ["AddOutcome", "Asset", "LibraryService"]

T = TypeVar("T")


@dataclass(frozen=True)
class AddOutcome:
    """What adding or listing did: the assets concerned (in the service's order), how many were
    new, and how many the catalog already had (duplicates recognised, not added twice)."""

    assets: list[Asset]
    added: int
    already: int


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
        self._useapi = functools.partial(useapi_for, accounts)
        self._wordbee = functools.partial(wordbee_for, accounts)
        self._links = LinkCache(self._useapi, self._clock)
        self._bytes = AssetBytes(self._links, self._wordbee)
        self._names = FolderNames()
        #: Each account's pause after a 429 on a download's link lookup (throttle_gate.py).
        self._gates = AccountGates()
        #: The user's downloads still to finish (a quit keeps them for the next start).
        self.pending_downloads = PendingDownloads(self._on_connection)
        #: What the Library's views list, read on a connection of its own (library_views.py).
        self.views = CatalogViews(database)

    # ------------------------------------------------------------ the catalog

    async def _on_connection(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(connection)` in a worker thread, one at a time."""

        def run() -> T:
            with self._lock:
                if self._conn is None:
                    self._conn = open_database(self._database, check_same_thread=False)
                return work(self._conn)

        return await asyncio.to_thread(run)

    async def _db(self, work: Callable[[LibraryStore], T]) -> T:
        return await self._on_connection(lambda conn: work(LibraryStore(conn)))

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
            self._links.forget(asset_id)
        return removed

    async def _store(self, drafts: list[AssetDraft]) -> AddOutcome:
        stored = await self._db(lambda store: store.add(drafts))
        return AddOutcome(stored.assets, stored.added, stored.already)

    # ------------------------------------------------------------ refreshing

    async def refresh(self, progress: OnProgress | None = None) -> RefreshReport:
        """List every account's assets and sync them in (services/library_refresher.py)."""
        refresher = LibraryRefresher(
            self._accounts, self._sync, self._find_many, self.followed_projects, self._known_jobs
        )
        return await refresher.refresh(progress)

    async def _known_jobs(self, job_ids: list[str]) -> set[str]:
        return await self._db(lambda store: store.known_tasks(Provider.GOOGLE_FLOW, job_ids))

    async def _add_job(self, job: FlowJobId, account_id: int) -> AddOutcome:
        """File the media a pasted Google Flow job made, with its prompt, model and seed."""
        clients = await self._useapi(account_id, "a Google Flow job id")
        library = GoogleFlowLibrary(clients.connection)
        assets, added = await file_job(library, job, account_id, self._sync, self._find_many)
        return AddOutcome(assets, added, len(assets) - added)

    async def followed_projects(self, account_id: int) -> list[str]:
        """The Wordbee projects (`pr1234`) followed for this Wordbee account, as named."""
        return await self._on_connection(lambda conn: followed_projects(conn, account_id))

    async def _find_many(self, provider: Provider, remote_ids: list[str]) -> dict[str, Asset]:
        return await self._db(lambda store: store.find_many(provider, remote_ids))

    async def _sync(
        self, source: Source, drafts: Sequence[AssetDraft], complete: bool
    ) -> SyncResult:
        return await self._on_connection(
            lambda conn: CatalogSync(conn).sync(source, drafts, complete=complete)
        )

    async def sources(self) -> list[SourceCount]:  # counted places: store/library_sources.py
        return await self._on_connection(source_counts)

    async def clear_gone(self, asset_ids: Iterable[int]) -> int:
        """Forget assets a refresh found gone from their service; present ones stay."""
        ids = list(asset_ids)
        return await self._on_connection(lambda conn: CatalogSync(conn).clear_gone(ids))

    async def follow_wordbee_project(self, account_id: int, scope: WordbeeScope) -> AddOutcome:
        """Follow a Wordbee project from now on (every refresh lists it); its files come in now."""
        client = await self._wordbee(account_id, "a Wordbee project")
        try:
            found = await WordbeeSegments(client).list_project_assets(str(scope))
        except AssetDeskError as error:
            raise with_asset_name(error, str(scope)) from error
        await self._on_connection(lambda conn: follow_project(conn, account_id, scope))
        return await self._store(wordbee_drafts(found, account_id, str(scope)))

    def deleter(self) -> LibraryDeleter:  # deleting on the services (library_delete.py)
        return LibraryDeleter(self._useapi, self._wordbee, self.remove, self.save_to_folder)

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
        if isinstance(ref, WordbeeScope):
            return await self.follow_wordbee_project(account_id, ref)
        if isinstance(ref, FlowJobId):
            return await self._add_job(ref, account_id)
        if isinstance(ref, WordbeeSegmentRef):
            client = await self._wordbee(account_id, "a Wordbee segment reference")
            try:
                found = await client.list_segment_assets(ref.segment_id, str(ref.scope))
            except AssetDeskError as error:
                raise with_asset_name(error, ref.short, str(ref)) from error
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
                raise with_asset_name(error, ref.short) from error
            outcome = await self._store([flow_pasted_draft(ref, account_id)])
            link = SignedLink(signed.url, signed_url_expiry(signed.url, resolved_at))
            for asset in outcome.assets:  # the link just resolved serves the first preview
                self._links.keep(asset.id, link)
            return outcome
        clients = await self._useapi(account_id, "a Runway assetId")
        try:
            runway_asset = await clients.runway.get(str(ref))
        except AssetDeskError as error:
            raise with_asset_name(error, ref.short) from error
        return await self._store([runway_draft(runway_asset, account_id, "pasted")])

    # ------------------------------------------------------------ links and bytes

    async def signed_link(self, asset: Asset, *, fresh: bool = False) -> SignedLink:
        """A link to the asset's file, reused until 5 minutes before it expires; `fresh`
        asks the service again and replaces the one kept. Wordbee files have none."""
        return await self._links.signed_link(asset, fresh=fresh)

    async def preview_link(self, asset: Asset) -> SignedLink:
        """Runway's preview image when it sent one (a video's poster), else the file's link."""
        return await self._links.preview_link(asset)

    async def fetch_bytes(
        self, asset: Asset, *, limit: int = PREVIEW_LIMIT, preview: bool = False
    ) -> bytes:
        """The whole file in memory, for previews and thumbnails (library_bytes.py)."""
        return await self._bytes.fetch(asset, limit=limit, preview=preview)

    # ------------------------------------------------------------ downloads

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
        on_wait: OnWait | None = None,
    ) -> DownloadResult:
        """Save the asset in `folder` through the transfer engine (resume, segments,
        verification, conflict policy) and remember where, under `filename` or its real name
        (services/downloads.py); with `keep_folders` a Wordbee file goes under its locale and
        relative path; nothing lands outside `folder`. A 429 on a link lookup pauses the
        account's lookups (`on_wait` hears of the waits) instead of failing at once."""
        options = options or DownloadOptions()
        try:
            under = asset.provider == Provider.WORDBEE and keep_folders
            if under:
                folder = wordbee_folder(folder, asset.locale, asset.relative_path)
            reserved = self._names.reserve(
                folder,
                asset_name(asset),
                owner=f"{asset.provider}:{asset.remote_id}",
                tag=id_tag(asset.provider, asset.remote_id),
                policy=options.on_conflict,
                is_own_copy=functools.partial(self._is_download_of, asset.id),
            )
            async with reserved if filename is None else contextlib.nullcontext(filename) as name:
                if under:
                    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
                source = await self._source(asset, on_wait)
                result = await download(
                    source, folder, filename=name, options=options, progress=progress
                )
        except AssetDeskError as error:
            raise with_asset_name(
                error, asset.title, short_id(asset.provider, asset.remote_id)
            ) from error
        if remember:  # a copy in the app's cache (preview, drag) is not the user's download
            await self._db(lambda store: store.set_local_path(asset.id, str(result.path)))
        return result

    async def _is_download_of(self, asset_id: int, path: Path) -> bool:
        """Whether `path` is where the asset was last saved (the catalog's, not a stale row's)."""
        stored = await self.get(asset_id)
        return stored is not None and stored.local_path == str(path)

    async def save_as(
        self,
        asset: Asset,
        path: Path,
        *,
        progress: ProgressCallback | None = None,
        on_wait: OnWait | None = None,
    ) -> DownloadResult:
        """Save the asset as exactly `path` ("Save as…"): an existing file there is replaced,
        since the save dialog already asked. Remembered as the user's download; cut short (a
        quit, the network), its `.part` is kept and the next one goes on from it."""
        return await self.download(
            asset,
            path.parent,
            filename=path.name,
            options=DownloadOptions(on_conflict=Conflict.OVERWRITE, keep_partial=True),
            progress=progress,
            on_wait=on_wait,
        )

    async def save_to_folder(
        self,
        asset: Asset,
        folder: Path,
        *,
        keep_folders: bool = False,
        segments: int | None = None,
        progress: ProgressCallback | None = None,
        on_wait: OnWait | None = None,
    ) -> DownloadResult:
        """Save the asset in `folder` under its real name ("Download to a folder"): a name
        another file or asset has takes the id's short form, a second copy of this one ' (1)';
        with `keep_folders` a Wordbee file goes under its locale and relative path. Cut short,
        its `.part` is kept and the next download of it into `folder` goes on from it.
        `segments`: connections for it (a batch shares its budget), else the default."""
        options = DownloadOptions(on_conflict=Conflict.RENAME, keep_partial=True)
        if segments is not None:
            options = dataclasses.replace(options, segments=segments)
        return await self.download(
            asset,
            folder,
            options=options,
            progress=progress,
            keep_folders=keep_folders,
            on_wait=on_wait,
        )

    async def save_copy(
        self, asset: Asset, folder: Path, *, progress: ProgressCallback | None = None
    ) -> DownloadResult:
        """A copy in the app's own `folder` (to play a Wordbee video, to drag out): replaces the
        copy there and is not remembered as the user's download."""
        return await self.download(
            asset,
            folder,
            options=DownloadOptions(on_conflict=Conflict.OVERWRITE),
            progress=progress,
            remember=False,
        )

    async def _source(self, asset: Asset, on_wait: OnWait | None = None) -> ByteSource:
        """Where the asset's bytes come from: its service, with the account's credentials; a
        Google Flow or Runway link looked up through the account's gate."""
        if asset.provider == Provider.WORDBEE:
            segment_id, scope, name = wordbee_place(asset)
            client = await self._wordbee(account_of(asset), "this file")
            where = {"locale": asset.locale, "relative_path": asset.relative_path}
            return WordbeeSource(client, segment_id, scope, name, **where)
        clients = await self._useapi(account_of(asset), "this asset")
        http = self._bytes.download_client()
        connection = handing_429s_back(clients.connection)
        gate = self._gates.of(account_of(asset)).reporting(on_wait)
        if asset.provider == Provider.GOOGLE_FLOW:
            media_id = MediaGenerationId.parse(asset.remote_id)
            return flow_source(connection, http, media_id, gate=gate)
        if asset.provider == Provider.RUNWAY:
            asset_id = RunwayAssetId.parse(asset.remote_id)
            return await runway_source(connection, http, asset_id, gate=gate)
        raise InvalidInput(f"“{asset.title}” comes from an unknown service.")

    async def aclose(self) -> None:
        """Close the download client and the database connection."""
        self._links.clear()
        await self._bytes.aclose()
        await asyncio.to_thread(self.views.close)
        if self._conn is not None:

            def close() -> None:
                with self._lock:
                    if self._conn is not None:
                        self._conn.close()
                        self._conn = None

            await asyncio.to_thread(close)
