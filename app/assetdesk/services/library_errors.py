"""The Library's errors: each a sentence that names the asset concerned, or the account it needs.

Every error on an asset reaches the user as one sentence; these helpers make sure it says which
asset (and, for an account of the wrong kind, which kind the action needs; for an account that
is gone, what can be done).
"""

from __future__ import annotations

from assetdesk.core.errors import AssetDeskError, InvalidInput, NotFound, TooLarge, as_sentence
from assetdesk.core.units import format_size
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.account_gone import library_gone
from assetdesk.services.accounts import AccountsService
from assetdesk.store.library import Asset

__all__ = [
    "account_of",
    "after_colon",
    "too_large",
    "useapi_for",
    "with_asset_name",
    "wordbee_for",
    "wordbee_place",
]

_LOWER_FIRST = ("The ", "A ", "An ", "Not ", "No ", "There ", "This ", "Its ")


def after_colon(sentence: str) -> str:
    """`sentence` continuing another after a colon: an ordinary first word ("The", "A", "Not"…)
    in lower case, a name ("Google Flow", "Runway") as it is."""
    if sentence.startswith(_LOWER_FIRST):
        return sentence[0].lower() + sentence[1:]
    return sentence


def with_asset_name(error: AssetDeskError, title: str, *other_names: str) -> AssetDeskError:
    """`error` as it is when its sentence already names the asset; else the same kind of error
    (all its details kept) whose sentence starts by naming it."""
    if any(name and name in error.message for name in (title, *other_names)):
        return error
    message = as_sentence(f"Could not get “{title}”: {after_colon(error.message)}")
    named = type(error).__new__(type(error))
    named.__dict__.update(error.__dict__)
    named.args = (message,)
    named.message = message
    return named


def too_large(asset: Asset, size: int, limit: int) -> TooLarge:
    return TooLarge(
        f"“{asset.title}” is {format_size(size)}, too large to preview (the limit is "
        f"{format_size(limit)}); download it instead.",
        size=size,
        limit=limit,
    )


def account_of(asset: Asset) -> int:
    if asset.account_id is None:
        raise InvalidInput(
            f"“{asset.title}” is not linked to an account; add it again through one."
        )
    return asset.account_id


def wordbee_place(asset: Asset) -> tuple[int, str, str]:
    if asset.segment_id is None or not asset.scope or not asset.name:
        raise InvalidInput(f"“{asset.title}” lacks its Wordbee segment, scope or file name.")
    return asset.segment_id, asset.scope, asset.name


async def useapi_for(accounts: AccountsService, account_id: int, what: str) -> UseapiClients:
    """The account's useapi.net clients; `what` names the action in the sentence when the
    account is of another kind."""
    try:
        return await accounts.useapi(account_id)
    except InvalidInput as error:  # the only InvalidInput there: another kind of account
        raise InvalidInput(
            f"{error.message.rstrip('.')}; {what} needs a useapi.net account."
        ) from None
    except NotFound:  # the account is gone: removed, or a session-only one of an earlier run
        raise library_gone(account_id) from None


async def wordbee_for(accounts: AccountsService, account_id: int, what: str) -> WordbeeClient:
    """The account's Wordbee client; `what` names the action as for `useapi_for`."""
    try:
        return await accounts.wordbee(account_id)
    except InvalidInput as error:
        raise InvalidInput(
            f"{error.message.rstrip('.')}; {what} needs a Wordbee account."
        ) from None
    except NotFound:  # the account is gone: removed, or a session-only one of an earlier run
        raise library_gone(account_id) from None
