"""Downloads of each provider's assets through the transfer engine.

Google Flow and Runway assets come from signed storage URLs, resolved through useapi.net and
again when they expire; Wordbee segment assets come from the Wordbee API with the session token.
The window's Library and the CLI both call these.
"""

from __future__ import annotations

import asyncio
from pathlib import Path, PurePath

import httpx

from assetdesk.core.errors import UpstreamFailed
from assetdesk.core.ids import MediaGenerationId, RunwayAssetId, parse_asset_ref
from assetdesk.core.media import media_type_for_extension
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayAsset, RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.wordbee_source import WordbeeSource
from assetdesk.transfer.download import download
from assetdesk.transfer.names import sanitise_filename
from assetdesk.transfer.options import DownloadOptions, DownloadResult
from assetdesk.transfer.progress import ProgressCallback
from assetdesk.transfer.sources import SignedUrlSource


def flow_source(
    connection: UseapiConnection, http: httpx.AsyncClient, media_id: MediaGenerationId
) -> SignedUrlSource:
    """A Google Flow asset; saved as `flow-image-<short id>.<ext>` unless named otherwise."""
    flow = GoogleFlowClient(connection)
    media_id.require_asset()

    async def resolve() -> str:
        return (await flow.resolve_url(media_id)).url

    return SignedUrlSource(
        http,
        resolve,
        label=f"asset {media_id.short}",
        suggested_name=f"flow-{media_id.kind}-{media_id.short}",
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
    connection: UseapiConnection, http: httpx.AsyncClient, asset_id: RunwayAssetId
) -> SignedUrlSource:
    """A Runway asset, looked up once now (its name and first URL) and again on expiry."""
    runway = RunwayClient(connection)
    short = asset_id.short
    asset = await runway.get(str(asset_id))

    async def resolve() -> str:
        fresh = await runway.get(str(asset_id))
        if not fresh.url:
            raise UpstreamFailed(f"Runway sent no download link for asset {short}.")
        return fresh.url

    if not asset.url:
        raise UpstreamFailed(f"Runway sent no download link for asset {short}.")
    return SignedUrlSource(
        http,
        resolve,
        label=f"Runway asset {short}",
        suggested_name=_runway_name(asset) or f"runway-{short}",
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
) -> DownloadResult:
    """A Google Flow mediaGenerationId or a Runway assetId, chosen by its shape."""
    ref = parse_asset_ref(asset_id)
    if isinstance(ref, MediaGenerationId):
        source = flow_source(connection, http, ref)
    else:
        source = await runway_source(connection, http, ref)
    return await download(source, folder, filename=filename, options=options, progress=progress)


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
        parts = [locale or "", *(relative_path or "").replace("\\", "/").split("/")]
        for part in parts:
            if part.strip() and part.strip() not in (".", ".."):
                target = target / sanitise_filename(part, fallback="folder")
        await asyncio.to_thread(target.mkdir, parents=True, exist_ok=True)
    source = WordbeeSource(
        client, segment_id, scope, filename, locale=locale, relative_path=relative_path
    )
    return await download(source, target, options=options, progress=progress)
