"""Downloads of each provider's assets through the transfer engine, and the names they take.

Google Flow and Runway assets come from signed storage URLs, resolved through useapi.net and
again when they expire; Wordbee segment assets come from the Wordbee API with the session token.
The window's Library and the CLI both call these.

A saved file takes the asset's real name (the uploaded file's, the Google Flow title, the Runway
name, the Wordbee file name) with the extension of its real type. The id's short form is added
only when that name is already taken in the folder by another file, or by another asset of the
same batch (`FolderNames`); an id is the whole name only for an asset that has no name at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path, PurePath

import httpx

from assetdesk.core.errors import InvalidInput, UpstreamFailed
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId, parse_asset_ref
from assetdesk.core.media import KNOWN_MEDIA_TYPES, media_type_for_extension
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayAsset, RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.throttle_gate import LookupGate
from assetdesk.services.wordbee_source import WordbeeSource
from assetdesk.store.library import Asset, LibraryStore
from assetdesk.store.paths import AppPaths
from assetdesk.transfer.download import download
from assetdesk.transfer.names import (
    Conflict,
    name_for_type,
    name_key,
    sanitise_filename,
    split_extension,
    with_tag,
)
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.progress import ProgressCallback
from assetdesk.transfer.sources import SignedUrlSource

# ---- names -------------------------------------------------------------------------------------

#: Characters of an id kept in its short form ('2b707d51').
_TAG_LENGTH = 8


def id_tag(provider: Provider, remote_id: str) -> str:
    """The id's short form as a file name takes it, without an ellipsis: the first characters
    of a Google Flow or Runway id ('2b707d51'), a Wordbee file's segment and locale
    ('27665601-de'); a hash of anything else."""
    try:
        if provider is Provider.GOOGLE_FLOW:
            return _plain(MediaGenerationId.parse(remote_id).internal_id)
        if provider is Provider.RUNWAY:
            return _plain(RunwayAssetId.parse(remote_id).asset_id)
    except InvalidInput:
        pass
    parts = remote_id.split("/")
    if provider is Provider.WORDBEE and len(parts) >= 3 and parts[1].isdigit():
        return "-".join(part for part in parts[1:3] if part)
    return hashlib.sha256(remote_id.encode("utf-8")).hexdigest()[:_TAG_LENGTH]


def _plain(text: str) -> str:
    tag = sanitise_filename(text[:_TAG_LENGTH], fallback="id")
    return tag.replace(" ", "_")


def flow_fallback_name(media_id: MediaGenerationId) -> str:
    """A Google Flow asset without a name: 'flow-image-2b707d51' (the extension follows)."""
    return f"flow-{media_id.kind}-{_plain(media_id.internal_id)}"


def asset_name(asset: Asset) -> str:
    """The name `asset` is saved under, before any clash: its real name (the uploaded file's,
    the service's, else the source file's), made safe, with the extension of its real type; a
    name built from its id only when it has none."""
    tag = id_tag(asset.provider, asset.remote_id)
    if asset.provider is Provider.GOOGLE_FLOW:
        fallback = f"flow-{asset.kind or 'asset'}-{tag}"
    else:
        fallback = f"{asset.provider}-{tag}"
    raw = asset.name or asset.source_path or fallback
    return name_for_type(sanitise_filename(raw, fallback=fallback), asset.mime)


class FolderNames:
    """The names being saved right now, so that two assets of one batch (or two saves at once)
    never get one name; the engine's ' (1)' is left for a second copy of the same asset."""

    def __init__(self) -> None:
        self._saving: dict[tuple[Path, str], str] = {}

    @contextlib.asynccontextmanager
    async def reserve(
        self,
        folder: Path,
        name: str,
        *,
        owner: str,
        tag: str,
        policy: Conflict,
        is_own_copy: Callable[[Path], Awaitable[bool]] | None = None,
    ) -> AsyncIterator[str]:
        """The name to save `owner`'s file under in `folder`, held until the block ends.

        Under "rename", a name that another asset of the batch holds, or that a file in the
        folder has which is not this asset's own earlier download (`is_own_copy`), becomes
        `name` with `tag`. Other policies keep the name: "overwrite" and "skip" mean that file.
        The batch's order decides who keeps the plain name: it is held before the first wait.
        """
        held: list[tuple[Path, str]] = []
        try:
            chosen = name
            if policy is Conflict.RENAME and tag not in name:
                holder = self._saving.get((folder, name_key(name)))
                if holder is None:
                    held += self._hold(folder, name, owner)
                    taken = await asyncio.to_thread(_file_named, folder, name)
                    if taken and not (is_own_copy and await is_own_copy(taken)):
                        chosen = with_tag(name, tag)
                elif holder != owner:
                    chosen = with_tag(name, tag)
            if chosen != name:
                held += self._hold(folder, chosen, owner)
            yield chosen
        finally:
            for key in held:
                del self._saving[key]

    def _hold(self, folder: Path, name: str, owner: str) -> list[tuple[Path, str]]:
        """Hold `name` for `owner` unless already held; the keys to let go of at the end."""
        key = (folder, name_key(name))
        if key in self._saving:
            return []
        self._saving[key] = owner
        return [key]


def _file_named(folder: Path, name: str) -> Path | None:
    """The file in `folder` that a download named `name` would land on: `name` itself, or for
    a name without a media extension (a Google Flow title: the Content-Type adds it) a file of
    that stem with one."""
    if os.path.lexists(folder / name):
        return folder / name
    if media_type_for_extension(split_extension(name)[1], among=KNOWN_MEDIA_TYPES) is not None:
        return None
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                stem, ext = split_extension(entry.name)
                if stem == name and media_type_for_extension(ext, among=KNOWN_MEDIA_TYPES):
                    return folder / entry.name
    except OSError:  # no such folder yet (a Wordbee locale's): nothing there
        return None
    return None


# ---- sources ------------------------------------------------------------------------------------


def flow_source(
    connection: UseapiConnection,
    http: httpx.AsyncClient,
    media_id: MediaGenerationId,
    *,
    gate: LookupGate | None = None,
) -> SignedUrlSource:
    """A Google Flow asset; saved as `flow-image-<short id>.<ext>` unless named otherwise.
    Every lookup of its link (the first, and again when it expires) goes through `gate`."""
    flow = GoogleFlowClient(connection)
    media_id.require_asset()

    async def lookup() -> str:
        return (await flow.resolve_url(media_id)).url

    async def resolve() -> str:
        if gate is None:
            return await lookup()
        return await gate.call(lookup, what=f"Google Flow asset {media_id.short}")

    return SignedUrlSource(
        http,
        resolve,
        label=f"asset {media_id.short}",
        suggested_name=flow_fallback_name(media_id),
        resume_key=f"google-flow:{media_id}",
    )


def _runway_name(asset: RunwayAsset) -> str | None:
    """The asset's name with its extension, unless it already has one for that type
    ("Race car.jpg" stays so though Runway says `jpeg`)."""
    name = asset.name
    if not name or not asset.extension:
        return name
    wanted = media_type_for_extension(asset.extension)
    have = media_type_for_extension(PurePath(name).suffix) if PurePath(name).suffix else None
    if name.lower().endswith("." + asset.extension.lower()) or (
        wanted is not None and have is not None and wanted.mime == have.mime
    ):
        return name
    return f"{name}.{asset.extension}"


async def runway_source(
    connection: UseapiConnection,
    http: httpx.AsyncClient,
    asset_id: RunwayAssetId,
    *,
    gate: LookupGate | None = None,
) -> SignedUrlSource:
    """A Runway asset, looked up once now (its name and first URL) and again on expiry; each
    lookup through `gate`."""
    runway = RunwayClient(connection)
    short = asset_id.short

    async def get() -> RunwayAsset:
        if gate is None:
            return await runway.get(str(asset_id))
        return await gate.call(lambda: runway.get(str(asset_id)), what=short)

    asset = await get()

    async def resolve() -> str:
        fresh = await get()
        if not fresh.url:
            raise UpstreamFailed(f"Runway sent no download link for {short}.")
        return fresh.url

    if not asset.url:
        raise UpstreamFailed(f"Runway sent no download link for {short}.")
    return SignedUrlSource(
        http,
        resolve,
        label=short,  # "Runway asset 3f2a9c1d…"
        suggested_name=_runway_name(asset) or f"runway-{_plain(asset_id.asset_id)}",
        url=asset.url,
        resume_key=f"runway:{asset_id}",
    )


async def download_asset(
    connection: UseapiConnection,
    http: httpx.AsyncClient,
    asset_id: str,
    folder: Path,
    *,
    filename: str | None = None,
    options: DownloadOptions | None = None,
    progress: ProgressCallback | None = None,
    known: Asset | None = None,
) -> DownloadResult:
    """A Google Flow mediaGenerationId or a Runway assetId, chosen by its shape, saved under
    `filename`, else the name the catalog `known` has for it (an uploaded file's), else the
    Runway name; the id's short form is added when the folder has that name already. A Google
    Flow id the catalog lacks has no name: the server's, else 'flow-image-2b707d51'."""
    ref = parse_asset_ref(asset_id)
    options = options or DownloadOptions()
    if isinstance(ref, MediaGenerationId):
        source, provider = flow_source(connection, http, ref), Provider.GOOGLE_FLOW
        name = asset_name(known) if known else None
    else:
        source, provider = await runway_source(connection, http, ref), Provider.RUNWAY
        name = asset_name(known) if known else sanitise_filename(source.suggested_name or "")
    if filename is not None or name is None:
        return await download(source, folder, filename=filename, options=options, progress=progress)
    tag = id_tag(provider, str(ref))
    reserved = FolderNames().reserve(
        folder, name, owner=str(ref), tag=tag, policy=options.on_conflict
    )
    async with reserved as chosen:
        return await download(source, folder, filename=chosen, options=options, progress=progress)


def catalog_assets(data_dir: str | None, remote_ids: Sequence[str]) -> dict[str, Asset]:
    """What the window's catalog (in `data_dir`, else the usual folder) knows of these Google
    Flow and Runway ids, by id, read without writing anything: {} when there is no catalog yet
    or it cannot be read (blocking)."""
    database = AppPaths.from_option(data_dir).database
    if not database.exists():
        return {}
    try:
        conn = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        store = LibraryStore(conn)
        ids = list(remote_ids)
        return store.find_many(Provider.GOOGLE_FLOW, ids) | store.find_many(Provider.RUNWAY, ids)
    except sqlite3.Error:  # an older or damaged catalog: the names stay the services'
        return {}
    finally:
        conn.close()


def wordbee_folder(folder: Path, locale: str | None, relative_path: str | None) -> Path:
    """Where a Wordbee file goes when its locale and relative path are kept as sub-folders,
    each part made safe so that nothing lands outside `folder`."""
    target = folder
    parts = [locale or "", *(relative_path or "").replace("\\", "/").split("/")]
    for part in parts:
        if part.strip() and part.strip() not in (".", ".."):
            target = target / sanitise_filename(part, fallback="folder")
    return target


async def download_wordbee_asset(
    client: WordbeeClient,
    segment_id: int,
    scope: str,
    filename: str,
    folder: Path,
    *,
    locale: str | None = None,
    relative_path: str | None = None,
    keep_folders: bool = False,
    options: DownloadOptions | None = None,
    progress: ProgressCallback | None = None,
) -> DownloadResult:
    """A Wordbee segment asset, saved under the server's file name (sanitised). With
    `keep_folders`, its locale and relative path become sub-folders, each part sanitised so
    that nothing lands outside `folder`."""
    target = folder
    if keep_folders:
        target = wordbee_folder(folder, locale, relative_path)
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
    source = WordbeeSource(
        client, segment_id, scope, filename, locale=locale, relative_path=relative_path
    )
    return await download(source, target, options=options, progress=progress)
