"""The upload sender: one queued file checked again, sent to its target, and recorded.

Right before sending, the file is checked again against its target (it may have changed since it
was queued), and the item's account gives its pooled clients: useapi.net's for Google Flow and
Runway, the Wordbee client for a Wordbee segment. Progress goes to the item's meter. A finished
upload becomes a catalog entry under the name the user knows, with the id the service gave: the
mediaGenerationId, the Runway assetId, or the Wordbee key a Library refresh gives the same file.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable
from pathlib import Path

from assetdesk.core.errors import AssetDeskError, InvalidInput, NotFound, SecretStoreError
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import UploadedAsset
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.upload_body import BeforeLastByte, Progress
from assetdesk.providers.wordbee import WordbeeAsset, WordbeeClient
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.account_gone import upload_gone
from assetdesk.services.accounts import AccountsService
from assetdesk.services.library_drafts import runway_draft, wordbee_draft
from assetdesk.services.local_files import UploadCandidate
from assetdesk.services.upload_checks import check_file, probe_figures
from assetdesk.services.upload_items import UploadItem, take_candidate
from assetdesk.store.library import AssetDraft
from assetdesk.store.uploads import ItemState, QueueRow, now_text
from assetdesk.transfer.progress import Phase

__all__ = ["Sent", "finish_uploaded", "mark_uploaded", "send", "useapi_clients", "wordbee_client"]

#: What a finished upload answered, per target.
Sent = UploadedAsset | RunwayAsset | WordbeeAsset


async def send(
    item: UploadItem,
    accounts: AccountsService,
    *,
    before_last_byte: BeforeLastByte | None = None,
) -> Sent:
    """Check the file again and upload it to its target; typed errors otherwise.

    `before_last_byte` is awaited before the last byte of the request that puts the file on
    the service goes (the file's on Google Flow and Runway, the attach's on Wordbee): from then
    on the service may keep the file whatever answer comes, or none."""
    row = item.row
    # Checked again right before sending: the file may have changed since it was queued.
    candidate = await check_file(row.path, row.provider)
    if (candidate.size, candidate.media_type.mime) != (row.size, row.mime):
        take_candidate(item, candidate)

    def sent(done: int, total: int) -> None:
        item.meter.total = total
        if item.meter.phase is not Phase.DOWNLOADING:
            item.meter.phase = Phase.DOWNLOADING
        item.meter.add(done - item.meter.done)

    if row.provider is Provider.WORDBEE:
        return await _send_to_wordbee(row, candidate, accounts, sent, before_last_byte)
    clients = await useapi_clients(row, accounts)
    if row.provider is Provider.RUNWAY:
        width, height, duration = probe_figures(candidate)
        return await clients.runway.upload(
            item.path,
            candidate.media_type,
            candidate.size,
            name=row.name,
            email=row.email,
            width=width,
            height=height,
            duration_seconds=duration,
            progress=sent,
            before_last_byte=before_last_byte,
        )
    return await clients.google_flow.upload(
        item.path,
        candidate.media_type,
        candidate.size,
        email=row.email,
        progress=sent,
        before_last_byte=before_last_byte,
    )


async def _send_to_wordbee(
    row: QueueRow,
    candidate: UploadCandidate,
    accounts: AccountsService,
    sent: Progress,
    before_last_byte: BeforeLastByte | None,
) -> WordbeeAsset:
    if row.scope is None or row.segment_id is None:
        raise InvalidInput("This item names no Wordbee segment; choose one in “Upload to”.")
    client = await wordbee_client(row, accounts)
    return await client.upload_to_segment(
        Path(row.path),
        scope=row.scope,
        segment_id=row.segment_id,
        filename=row.name,
        content_type=candidate.media_type.mime,
        size=candidate.size,
        locale=row.locale,
        relative_path=row.relative_path,
        progress=sent,
        before_last_byte=before_last_byte,
    )


async def useapi_clients(row: QueueRow, accounts: AccountsService) -> UseapiClients:
    """The item's useapi.net clients, or the error that says its account cannot be used."""
    if row.account_id is None:
        raise InvalidInput("There is no useapi.net account to upload to; add one, then retry.")
    try:
        return await accounts.useapi(row.account_id)
    except AssetDeskError as error:
        raise _account_error(row, error) from None


async def wordbee_client(row: QueueRow, accounts: AccountsService) -> WordbeeClient:
    """The item's Wordbee client, or the error that says its account cannot be used."""
    if row.account_id is None:
        raise InvalidInput("There is no Wordbee account to upload to; add one, then retry.")
    try:
        return await accounts.wordbee(row.account_id)
    except AssetDeskError as error:
        raise _account_error(row, error) from None


def _account_error(row: QueueRow, error: AssetDeskError) -> AssetDeskError:
    if isinstance(error, NotFound):
        return upload_gone(row.account_id, row.account_name)
    if isinstance(error, SecretStoreError):
        return type(error)(f"The secret of “{row.account_name}” cannot be read: {error.message}")
    return error


async def finish_uploaded(
    row: QueueRow,
    result: Sent,
    write: Callable[[QueueRow, AssetDraft], Awaitable[object]],
) -> None:
    """Record the service's answer in the item's row, the row done and its asset in the catalog
    on disk first (`write`: the store's `finish` on the database's thread), and only then show
    the row done: a row opened as soon as it says so finds its asset in the Library. A cancel
    meanwhile (a quit) waits for the write (milliseconds), so that memory and disk agree."""
    shown = row.state
    entry = mark_uploaded(row, result)
    done = dataclasses.replace(row)
    row.state = shown
    writing = asyncio.ensure_future(write(done, entry))
    try:
        await asyncio.shield(writing)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await writing
        if not writing.cancelled() and writing.exception() is None:
            row.state = ItemState.DONE
        raise
    row.state = ItemState.DONE


def mark_uploaded(row: QueueRow, result: Sent) -> AssetDraft:
    """Record the service's answer in the item's row (done) and return its catalog entry."""
    if isinstance(result, RunwayAsset):
        entry = runway_draft(result, row.account_id or 0, "upload", email=row.email)
        row.used_email = entry.account_email
    elif isinstance(result, WordbeeAsset):
        entry = wordbee_draft(result, row.scope or "", row.account_id or 0, "upload")
    else:
        entry = _google_flow_entry(row, result)
    # The file the user knows (the service may say "upload.png"), and where it came from.
    entry = dataclasses.replace(
        entry,
        name=row.name,
        mime=row.mime or entry.mime,
        kind=entry.kind or row.kind,
        size=entry.size if entry.size is not None else row.size,
        source_path=row.path,
    )
    row.state = ItemState.DONE
    row.message = row.error_kind = row.service_text = None
    row.remote_id = entry.remote_id
    row.width, row.height = entry.width, entry.height
    row.duration_seconds = entry.duration_seconds
    row.finished_at = now_text()
    return entry


def _google_flow_entry(row: QueueRow, result: UploadedAsset) -> AssetDraft:
    row.used_email = _owner_email(result)
    return AssetDraft(
        provider=Provider.GOOGLE_FLOW,
        remote_id=result.media_generation_id,
        origin="upload",
        kind=result.kind.value,
        name=row.name,
        mime=row.mime,
        size=row.size,
        width=result.width,
        height=result.height,
        duration_seconds=result.duration_seconds,
        account_id=row.account_id,
        account_email=row.used_email,
        source_path=row.path,
        created_at=result.created,
    )


def _owner_email(result: UploadedAsset) -> str | None:
    """The account's real email: the id carries it whole; the answer's `email` is masked."""
    try:
        return MediaGenerationId.parse(result.media_generation_id).email
    except AssetDeskError:
        return result.email
