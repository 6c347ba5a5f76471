"""The upload sender: one queued file checked again, sent to Google Flow, and recorded.

Right before sending, the file is checked again (it may have changed since it was queued), and
the item's account gives its pooled clients; progress goes to the item's meter. A finished
upload becomes a catalog entry under the name the user knows.
"""

from __future__ import annotations

from assetdesk.core.errors import AssetDeskError, InvalidInput, NotFound, SecretStoreError
from assetdesk.core.ids import MediaGenerationId
from assetdesk.core.provider import Provider
from assetdesk.providers.google_flow import UploadedAsset
from assetdesk.services.accounts import AccountsService
from assetdesk.services.local_files import inspect_upload
from assetdesk.services.upload_items import UploadItem
from assetdesk.store.library import AssetDraft
from assetdesk.store.uploads import ItemState, QueueRow, now_text
from assetdesk.transfer.progress import Phase

__all__ = ["mark_uploaded", "send"]


async def send(item: UploadItem, accounts: AccountsService) -> UploadedAsset:
    """Check the file again and upload it through its account; typed errors otherwise."""
    row = item.row
    # Checked again right before sending: the file may have changed since it was queued.
    candidate = await inspect_upload(row.path)
    if (candidate.size, candidate.media_type.mime) != (row.size, row.mime):
        row.size, row.mime = candidate.size, candidate.media_type.mime
        row.kind, row.note = candidate.media_type.kind.value, candidate.note
        item.meter.total = row.size
    if row.account_id is None:
        raise InvalidInput("There is no useapi.net account to upload to; add one, then retry.")
    try:
        clients = await accounts.useapi(row.account_id)
    except NotFound:
        raise NotFound(
            f"Its account “{row.account_name}” no longer exists; choose another in "
            "“Upload to” and retry."
        ) from None
    except SecretStoreError as error:
        raise type(error)(
            f"The secret of “{row.account_name}” cannot be read: {error.message}"
        ) from None

    def sent(done: int, total: int) -> None:
        item.meter.total = total
        if item.meter.phase is not Phase.DOWNLOADING:
            item.meter.phase = Phase.DOWNLOADING
        item.meter.add(done - item.meter.done)

    return await clients.google_flow.upload(
        item.path, candidate.media_type, candidate.size, email=row.email, progress=sent
    )


def mark_uploaded(row: QueueRow, result: UploadedAsset) -> AssetDraft:
    """Record the service's answer in the item's row (done) and return its catalog entry."""
    row.state = ItemState.DONE
    row.message = row.error_kind = row.service_text = None
    row.media_generation_id = result.media_generation_id
    row.used_email = _owner_email(result)
    row.width, row.height = result.width, result.height
    row.duration_seconds = result.duration_seconds
    row.finished_at = now_text()
    return AssetDraft(
        provider=Provider.GOOGLE_FLOW,
        remote_id=result.media_generation_id,
        origin="upload",
        kind=result.kind.value,
        name=row.name,  # the file the user knows; the service says "upload.png"
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
