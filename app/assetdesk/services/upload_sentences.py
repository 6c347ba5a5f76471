"""The sentences an upload item shows: its error, a throttle's wait, why a group stopped, and
the wait for its account's secret."""

from __future__ import annotations

from datetime import datetime

from assetdesk.core.errors import AssetDeskError, Unauthorized
from assetdesk.core.provider import Provider
from assetdesk.store.uploads import QueueRow

__all__ = ["item_sentence", "secret_sentence", "stop_sentence", "throttled_sentence"]


def item_sentence(error: AssetDeskError | None) -> str:
    """The error as one sentence; a message that starts with a file name keeps its case."""
    if error is None:
        return ""
    text = error.message.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def throttled_sentence(until: datetime) -> str:
    return (
        f"Throttled by the service until {until.astimezone().strftime('%H:%M')}; "
        "it goes on by itself then."
    )


def secret_sentence(row: QueueRow) -> str:
    """An item whose account's secret is missing: it waits, and goes on once it is entered."""
    return f"Waiting for the secret of “{row.account_name}”: enter it in Accounts."


def stop_sentence(error: AssetDeskError, row: QueueRow) -> str:
    if isinstance(error, Unauthorized) and row.provider is Provider.WORDBEE:
        return (
            f"Wordbee refused the API key of “{row.account_name}”; fix it in Accounts, then retry."
        )
    if isinstance(error, Unauthorized):
        return (
            f"useapi.net refused the token of “{row.account_name}”; fix it in Accounts, then retry."
        )
    account = "Runway account" if row.provider is Provider.RUNWAY else "Google account"
    who = row.email or f"the {account} the service picked"  # (a 596 on an automatic item)
    return f"Reconnect this {account} ({who}) at useapi.net: its session expired. Then retry."
