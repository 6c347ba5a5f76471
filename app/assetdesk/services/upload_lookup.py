"""Looking for an upload whose answer was lost in its service's listing ("Check the service").

Runway lists an account's assets (the newest first), and a Wordbee segment its files: an upload
is found there by its name and size (on Runway created since it was sent, so that an earlier
copy of the same file is not taken for it; on Wordbee in its locale and folder). Google Flow lists
media per project without file names or sizes: an upload there is an entry the service marks
as uploaded, of the file's kind and (when both are known) dimensions, created after the file
began to go (a margin for clocks), on the Google account it went to (every one of the token's
when the service picked). Exactly one such entry is taken as the file; several are said, and the
user looks in Google Flow.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, InvalidInput
from assetdesk.core.media import MediaKind
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import UploadedAsset
from assetdesk.providers.google_flow_listing import FlowMedia, GoogleFlowLibrary
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_checks import check_file, probe_figures
from assetdesk.services.upload_items import join_folder
from assetdesk.services.upload_sender import useapi_clients, wordbee_client
from assetdesk.store.uploads import QueueRow

__all__ = ["ambiguous_sentence", "find_upload", "not_found_sentence"]

#: How long before the send a Google Flow entry may say it was created (clocks differ).
CLOCK_MARGIN = timedelta(minutes=5)


def ambiguous_sentence(count: int) -> str:
    return (
        f"Google Flow has {count} uploads from that time that could be this file: look for it "
        "in Google Flow, then send it again or remove it."
    )


def not_found_sentence(row: QueueRow) -> str:
    return f"Not on {row.provider.label}: send it again?"


async def find_upload(
    row: QueueRow, accounts: AccountsService
) -> UploadedAsset | RunwayAsset | WordbeeAsset | None:
    """The asset the item's lost upload made, when its service lists it; None when the listing
    does not have it. InvalidInput when Google Flow lists several that could be it; listing
    errors as raised."""
    if row.provider is Provider.RUNWAY:
        return await _find_on_runway(row, accounts)
    if row.provider is Provider.WORDBEE:
        return await _find_on_wordbee(row, accounts)
    return await _find_on_google_flow(row, accounts)


async def _find_on_google_flow(row: QueueRow, accounts: AccountsService) -> UploadedAsset | None:
    clients = await useapi_clients(row, accounts)
    library = GoogleFlowLibrary(clients.connection)
    pinned = row.used_email or row.email
    emails = [pinned] if pinned else [a.email for a in await clients.google_flow.accounts()]
    since = _since(row)
    width = height = None
    with contextlib.suppress(AssetDeskError, OSError):  # the file may be gone by now
        width, height, _ = probe_figures(await check_file(row.path, row.provider))
    found: dict[str, tuple[str, FlowMedia]] = {}
    for email in emails:
        async for project in library.list_projects(email):
            async for media in library.list_media(email, project.project_id):
                if _could_be(media, row.kind, width, height, since):
                    found.setdefault(media.media_generation_id, (email, media))
    if len(found) > 1:
        raise InvalidInput(ambiguous_sentence(len(found)))
    if not found:
        return None
    ((email, media),) = found.values()
    return UploadedAsset(
        media_generation_id=media.media_generation_id,
        kind=MediaKind(media.kind) if media.kind in ("image", "video") else MediaKind.IMAGE,
        email=email,
        width=media.width,
        height=media.height,
        duration_seconds=None,
        display_name=media.title,
        created=media.created,
        raw={},
    )


def _since(row: QueueRow) -> datetime | None:
    """The earliest time the service may give the lost upload: its send, less a clock margin."""
    sent = _when(row.sent_at or row.added_at)
    return sent - CLOCK_MARGIN if sent else None


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _could_be(
    media: FlowMedia,
    kind: str | None,
    width: int | None,
    height: int | None,
    since: datetime | None,
) -> bool:
    """Whether a listed entry could be the lost upload (see the module's docstring)."""
    if media.likely_upload is False or (media.kind and kind and media.kind != kind):
        return False
    measured = width and height and media.width and media.height
    if measured and (media.width, media.height) != (width, height):
        return False
    created = _when(media.created)
    return created is not None and (since is None or created >= since)


def _same_size(found: int | None, size: int | None) -> bool:
    return found is None or size is None or found == size


async def _find_on_runway(row: QueueRow, accounts: AccountsService) -> RunwayAsset | None:
    clients = await useapi_clients(row, accounts)
    names = {row.name, Path(row.name).stem}
    since = _since(row)
    async for asset in clients.runway.list_all(email=row.used_email or row.email):
        if asset.name in names and _same_size(asset.file_size, row.size):
            created = _when(asset.created_at)
            if since is None or created is None or created >= since:  # not an earlier copy
                return asset
    return None


async def _find_on_wordbee(row: QueueRow, accounts: AccountsService) -> WordbeeAsset | None:
    if row.scope is None or row.segment_id is None:
        raise InvalidInput("This item names no Wordbee segment to look in.")
    client = await wordbee_client(row, accounts)
    folder = join_folder(row.relative_path, None)
    for asset in await client.list_segment_assets(row.segment_id, row.scope):
        if (
            asset.name == row.name
            and join_folder(asset.relative_path, None) == folder
            and (asset.locale or None) == (row.locale or None)  # another locale's copy is not it
            and _same_size(asset.size, row.size)
        ):
            return asset
    return None
