"""Looking for an upload whose answer was lost in its service's listing ("Check the service").

Runway lists an account's assets (the newest first), and a Wordbee segment its files: an upload
is found there by its name and size (and, on Wordbee, its locale and folder). Google Flow lists
media per project and does not show an upload under its file's name, so its uploads cannot be
checked this way: the user looks in Google Flow, then sends the file again or removes it.
"""

from __future__ import annotations

from pathlib import Path

from assetdesk.core.errors import InvalidInput
from assetdesk.core.provider import Provider
from assetdesk.providers.runway import RunwayAsset
from assetdesk.providers.wordbee import WordbeeAsset
from assetdesk.services.accounts import AccountsService
from assetdesk.services.upload_items import join_folder
from assetdesk.services.upload_sender import useapi_clients, wordbee_client
from assetdesk.store.uploads import QueueRow

__all__ = ["NOT_CHECKABLE", "find_upload", "not_found_sentence"]

NOT_CHECKABLE = (
    "Google Flow's listing cannot tell whether it kept this file: look for it in Google Flow, "
    "then send it again or remove it."
)


def not_found_sentence(row: QueueRow) -> str:
    return f"Not on {row.provider.label}: send it again?"


async def find_upload(
    row: QueueRow, accounts: AccountsService
) -> RunwayAsset | WordbeeAsset | None:
    """The asset the item's lost upload made, when its service lists it; None when the listing
    does not have it. InvalidInput (NOT_CHECKABLE) for Google Flow; listing errors as raised."""
    if row.provider is Provider.RUNWAY:
        return await _find_on_runway(row, accounts)
    if row.provider is Provider.WORDBEE:
        return await _find_on_wordbee(row, accounts)
    raise InvalidInput(NOT_CHECKABLE)


def _same_size(found: int | None, size: int | None) -> bool:
    return found is None or size is None or found == size


async def _find_on_runway(row: QueueRow, accounts: AccountsService) -> RunwayAsset | None:
    clients = await useapi_clients(row, accounts)
    names = {row.name, Path(row.name).stem}
    async for asset in clients.runway.list_all(email=row.used_email or row.email):
        if asset.name in names and _same_size(asset.file_size, row.size):
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
            and (row.locale is None or asset.locale in (None, row.locale))
            and _same_size(asset.size, row.size)
        ):
            return asset
    return None
