"""A connection test of credentials that are not saved: the add-account dialog's "Test".

The same check as `AccountsService.check` (a useapi.net token's `/v2/account` and Google Flow
accounts, a Wordbee sign-in), on clients made for this one test and closed after it. Nothing is
written: not the keyring, not SQLite. The secret is registered with the redactor first, so no log
line or error text can carry it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from assetdesk.core.errors import AssetDeskError
from assetdesk.core.provider import AccountKind
from assetdesk.core.redact import Redactor
from assetdesk.providers.google_flow import GoogleFlowClient
from assetdesk.providers.runway import RunwayClient
from assetdesk.providers.useapi import UseapiConnection
from assetdesk.providers.wordbee import WordbeeClient
from assetdesk.services.account_clients import UseapiClients
from assetdesk.services.account_fields import checked_account
from assetdesk.services.account_health import AccountHealth, health_from_error, useapi_health

__all__ = ["check_unsaved"]


async def check_unsaved(
    *,
    kind: str,
    secret: str,
    base_url: str | None,
    wordbee_account_id: str | None,
    redactor: Redactor,
) -> AccountHealth:
    """The health of an account that is only typed in: its fields are checked as `add` checks
    them (InvalidInput with one sentence), then the service is asked, and the clients closed."""
    account, cleaned = checked_account(
        name="Unsaved account",
        kind=kind,
        secret=secret,
        base_url=base_url,
        wordbee_account_id=wordbee_account_id,
    )
    assert cleaned is not None
    redactor.register(cleaned)
    now = datetime.now(UTC)
    try:
        if account.kind is AccountKind.USEAPI:
            async with UseapiConnection(cleaned, account.base_url) as connection:
                clients = UseapiClients(
                    connection, GoogleFlowClient(connection), RunwayClient(connection)
                )
                return await useapi_health(clients, now)
        client = WordbeeClient(
            account.base_url,
            account.wordbee_account_id or "",
            cleaned,
            on_token=redactor.register,  # the session token is a secret too
        )
        try:
            await client.renew_session()
            return AccountHealth("valid", "Signed in to Wordbee.", None, now)
        finally:
            try:
                await client.sign_out()  # the test's session ends with it
            finally:
                await client.aclose()
    except AssetDeskError as error:
        return health_from_error(error, now)
