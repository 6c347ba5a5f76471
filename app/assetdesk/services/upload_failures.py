"""What happens when an upload fails: the failure policy, a pure function `decide`.

DESIGN.md: retry only what can succeed. For each failed try, `decide(error, item, now)` says
what the queue does next (the queue applies it, services/upload_queue.py):

- An answer lost after the whole file was sent (OutcomeUnknown): the item is `unknown`, never
  sent again by itself (the service may have kept the file); the user checks the service or
  sends it again.
- 429 on an automatic Google Flow item (no pinned Google account) the first time: try again soon
  (AUTOMATIC_THROTTLE_RETRY): the service takes a throttled account out of its load balancing
  and picks another. Not counted as a try.
- 429 otherwise (a pinned account, or an automatic item throttled twice in a row): the item waits
  until the service's Retry-After (DEFAULT_THROTTLE_WAIT without one), and so does every item of
  the same throttle scope (`throttle_scope`: the same service and account of the token, or for
  automatic items every other automatic item of the token and service; a Wordbee account's items
  together). Items aimed elsewhere go on. Not counted as a try.
- 401: the item and every waiting item of the token (or Wordbee account) stop with one sentence
  (the Wordbee client has already signed in again once when its session token expired).
- 596 on a pinned item: the Google account must be reconnected; the item and every waiting item
  aimed at it stop. On an automatic item only that item fails (only it met that account).
- Network failures and 5xx: tried again after a backoff (the service's Retry-After when it sent
  one), `attempts` times in all; the last try fails the item.
- The account's secret is missing (no keyring, or it was cleared): the item and every waiting
  item of the same account wait for it, without counting a try, until the account changes
  (its secret entered in Accounts, or the secret store chosen again).
- Content policy, 400, 402, 403, 404, too large, bad type, a file that changed or vanished: the
  item fails with the reason, at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from assetdesk.core.errors import (
    AssetDeskError,
    OutcomeUnknown,
    SecretMissing,
    SessionExpired,
    Throttled,
    Unauthorized,
)
from assetdesk.core.provider import Provider
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.upload_items import UploadItem
from assetdesk.services.upload_sentences import (
    item_sentence,
    secret_sentence,
    stop_sentence,
    throttled_sentence,
)
from assetdesk.store.uploads import QueueRow

__all__ = [
    "AUTO",
    "AUTOMATIC_THROTTLE_RETRY",
    "DEFAULT_THROTTLE_WAIT",
    "RETRY",
    "Decision",
    "FailItem",
    "MarkUnknown",
    "RetryLater",
    "StopItems",
    "TryAnotherAccount",
    "WaitForSecret",
    "WaitThrottled",
    "decide",
    "throttle_scope",
    "unknown_sentence",
]

#: A 429 without a Retry-After waits this long.
DEFAULT_THROTTLE_WAIT = timedelta(seconds=60)
#: An automatic item throttled once tries again this soon (the service picks another account).
AUTOMATIC_THROTTLE_RETRY = timedelta(seconds=2)
#: Network failures and 5xx: this many tries in all, waiting longer each time.
RETRY = RetryPolicy(attempts=4, base_delay=2.0, max_delay=60.0)
AUTO = "*"  # the throttle/stop scope of items that let the service pick the Google account


@dataclass(frozen=True)
class TryAnotherAccount:
    """An automatic item's first 429: pending again until `until`; not counted as a try."""

    until: datetime
    sentence: str


@dataclass(frozen=True)
class WaitThrottled:
    """A 429: the item and every item of its throttle scope wait until `until`; not a try."""

    until: datetime
    sentence: str


@dataclass(frozen=True)
class RetryLater:
    """A failure that may pass (network, 5xx): pending again after `delay` seconds."""

    until: datetime
    delay: float
    sentence: str


@dataclass(frozen=True)
class StopItems:
    """The item fails, and so does every waiting item that would meet the same refusal: all of
    the token's (`whole_token`, a 401) or those of the item's throttle scope (a 596)."""

    sentence: str
    whole_token: bool


@dataclass(frozen=True)
class FailItem:
    """The item fails with `sentence`; nothing else changes."""

    sentence: str


@dataclass(frozen=True)
class MarkUnknown:
    """The whole file was sent and the answer lost: the item waits for the user's word."""

    sentence: str


@dataclass(frozen=True)
class WaitForSecret:
    """The account's secret is missing: the item and the account's other waiting items wait
    until the account changes; not a try."""

    sentence: str


Decision = (
    TryAnotherAccount
    | WaitThrottled
    | RetryLater
    | StopItems
    | FailItem
    | MarkUnknown
    | WaitForSecret
)


def throttle_scope(row: QueueRow) -> tuple[int, str]:
    """The items that wait or stop together: one token's account id and its Google Flow account
    (AUTO for the items that let the service pick one); for another service the account is
    prefixed with the service ("runway:a@b.c", "runway:*", "wordbee:*")."""
    account = (row.email or AUTO).lower()
    if row.provider is Provider.GOOGLE_FLOW:
        return (row.account_id or 0, account)
    if row.provider is Provider.WORDBEE:
        account = AUTO
    return (row.account_id or 0, f"{row.provider.value}:{account}")


def unknown_sentence(row: QueueRow) -> str:
    """What an item whose answer was lost says."""
    return (
        "The whole file had gone but no usable answer came: it is not known whether "
        f"{row.provider.label} kept it. Check the service, or send it again."
    )


def decide(
    error: AssetDeskError, item: UploadItem, now: datetime, *, retry: RetryPolicy = RETRY
) -> Decision:
    """What the queue does after `item`'s try failed with `error` at `now`.

    `item.row.attempts` counts the try that failed; `item.throttled_before` says whether the
    try before it was an automatic item's 429."""
    row = item.row
    if isinstance(error, OutcomeUnknown):
        return MarkUnknown(unknown_sentence(row))
    if isinstance(error, SecretMissing):
        return WaitForSecret(secret_sentence(row))
    automatic = row.email is None and row.provider is not Provider.WORDBEE
    balanced = automatic and row.provider is Provider.GOOGLE_FLOW
    if isinstance(error, Throttled) and balanced and not item.throttled_before:
        # The service takes a throttled account out of its load balancing: an automatic
        # item tries again soon, on another account, and the others go on meanwhile. (Runway
        # does not balance uploads: without an email they go to the token's only account.)
        return TryAnotherAccount(
            now + AUTOMATIC_THROTTLE_RETRY,
            "The Google account the service picked is throttled; trying another.",
        )
    if isinstance(error, Throttled):
        # A pinned account, or no account left in the pool: its items wait together.
        until = error.retry_at or now + DEFAULT_THROTTLE_WAIT
        return WaitThrottled(until, throttled_sentence(until))
    if isinstance(error, Unauthorized) or (isinstance(error, SessionExpired) and not automatic):
        # Every item that would meet the same refusal stops now, without being sent: all
        # of the token's for a refused token, a pinned Google account's for a 596.
        return StopItems(stop_sentence(error, row), whole_token=isinstance(error, Unauthorized))
    if error.retryable and row.attempts < retry.attempts:
        wait = getattr(error, "retry_after", None) or retry.delay(row.attempts - 1)
        return RetryLater(
            now + timedelta(seconds=wait),
            wait,
            f"{item_sentence(error)} Trying again in {round(wait)} s "
            f"(try {row.attempts + 1} of {retry.attempts}).",
        )
    if isinstance(error, SessionExpired):  # automatic: only this item met that account
        return FailItem(stop_sentence(error, row))
    return FailItem(item_sentence(error))
