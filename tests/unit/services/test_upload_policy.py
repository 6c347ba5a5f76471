"""services/upload_failures.py: what the upload queue does after each kind of failed try."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assetdesk.core.errors import (
    AssetDeskError,
    BadRequest,
    ContentPolicy,
    Forbidden,
    NetworkError,
    NotFound,
    OutcomeUnknown,
    PaymentRequired,
    SecretMissing,
    SecretStoreError,
    SessionExpired,
    Throttled,
    TooLarge,
    Unauthorized,
    UpstreamFailed,
)
from assetdesk.core.provider import Provider
from assetdesk.net.retry import RetryPolicy
from assetdesk.services.upload_failures import (
    AUTO,
    AUTOMATIC_THROTTLE_RETRY,
    DEFAULT_THROTTLE_WAIT,
    RETRY,
    FailItem,
    MarkUnknown,
    RetryLater,
    StopItems,
    TryAnotherAccount,
    WaitForSecret,
    WaitThrottled,
    decide,
    throttle_scope,
)
from assetdesk.services.upload_items import UploadItem
from assetdesk.store.uploads import ItemState, QueueRow

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
PINNED = "jo.maker@example.com"


def item(
    *,
    email: str | None = None,
    attempts: int = 1,
    throttled_before: bool = False,
    provider: Provider = Provider.GOOGLE_FLOW,
) -> UploadItem:
    """An item whose try number `attempts` just failed."""
    row = QueueRow(
        path="/tmp/a.png",
        name="a.png",
        state=ItemState.UPLOADING,
        provider=provider,
        account_id=7,
        account_name="Studio",
        email=email,
        attempts=attempts,
        id=1,
    )
    made = UploadItem(row)
    made.throttled_before = throttled_before
    return made


def test_an_automatic_item_throttled_once_tries_another_account_soon() -> None:
    decision = decide(Throttled("Too many requests", retry_after=300, now=NOW), item(), NOW)
    assert decision == TryAnotherAccount(
        NOW + AUTOMATIC_THROTTLE_RETRY,
        "The Google account the service picked is throttled; trying another.",
    )


def test_an_automatic_item_throttled_twice_waits_with_the_others() -> None:
    error = Throttled("Too many requests", retry_after=300, now=NOW)
    decision = decide(error, item(throttled_before=True), NOW)
    assert isinstance(decision, WaitThrottled)
    assert decision.until == NOW + timedelta(seconds=300)
    assert decision.sentence.startswith("Throttled by the service until ")
    assert decision.sentence.endswith("; it goes on by itself then.")


@pytest.mark.parametrize("retry_after", [30.0, None])
def test_a_pinned_item_throttled_waits_for_retry_after_or_the_default(
    retry_after: float | None,
) -> None:
    error = Throttled("Too many requests", retry_after=retry_after, now=NOW)
    decision = decide(error, item(email=PINNED), NOW)
    assert isinstance(decision, WaitThrottled)
    wait = timedelta(seconds=retry_after) if retry_after is not None else DEFAULT_THROTTLE_WAIT
    assert decision.until == NOW + wait
    assert timedelta(seconds=60) == DEFAULT_THROTTLE_WAIT


def test_a_401_stops_every_item_of_the_token() -> None:
    decision = decide(Unauthorized("Invalid token"), item(email=PINNED), NOW)
    assert decision == StopItems(
        "useapi.net refused the token of “Studio”; fix it in Accounts, then retry.",
        whole_token=True,
    )
    assert isinstance(decide(Unauthorized("Invalid token"), item(), NOW), StopItems)


def test_a_596_on_a_chosen_account_stops_that_accounts_items() -> None:
    decision = decide(SessionExpired("Session expired"), item(email=PINNED), NOW)
    assert decision == StopItems(
        f"Reconnect this Google account ({PINNED}) at useapi.net: its session expired. Then retry.",
        whole_token=False,
    )


def test_a_596_on_an_automatic_item_fails_only_that_item() -> None:
    decision = decide(SessionExpired("Session expired"), item(), NOW)
    assert decision == FailItem(
        "Reconnect this Google account (the Google account the service picked) at useapi.net: "
        "its session expired. Then retry."
    )


@pytest.mark.parametrize(
    "error",
    [
        BadRequest("The service refused the request"),
        PaymentRequired("The useapi.net subscription has expired"),
        Forbidden("Not allowed"),
        NotFound("Not found"),
        ContentPolicy("The image was refused by the content policy", reason="PUBLIC_ERROR"),
        TooLarge("a.png: too large", size=10, limit=5),
    ],
)
def test_refusals_fail_the_item_at_once_with_the_reason(error: AssetDeskError) -> None:
    decision = decide(error, item(attempts=1), NOW)
    assert decision == FailItem(error.message.rstrip(".") + ".")


def test_a_sentence_keeps_its_own_end() -> None:
    assert decide(NotFound("Gone!"), item(), NOW) == FailItem("Gone!")


@pytest.mark.parametrize(
    "error", [NetworkError("The connection was lost"), UpstreamFailed("Server error", status=502)]
)
def test_network_errors_and_5xx_are_tried_again_after_a_backoff(error: AssetDeskError) -> None:
    policy = RetryPolicy(attempts=4, base_delay=2.0, max_delay=60.0)
    for attempts in (1, 2, 3):
        decision = decide(error, item(attempts=attempts), NOW, retry=policy)
        assert isinstance(decision, RetryLater)
        full = policy.base_delay * 2 ** (attempts - 1)  # with jitter: half of it up to all
        assert full / 2 <= decision.delay <= full
        assert decision.until == NOW + timedelta(seconds=decision.delay)
        assert decision.sentence == (
            f"{error.message}. Trying again in {round(decision.delay)} s (try {attempts + 1} of 4)."
        )


def test_a_5xx_with_retry_after_waits_that_long() -> None:
    error = UpstreamFailed("Overloaded", retry_after=17.0, status=503)
    decision = decide(error, item(attempts=1), NOW)
    assert decision == RetryLater(
        NOW + timedelta(seconds=17), 17.0, "Overloaded. Trying again in 17 s (try 2 of 4)."
    )


def test_the_last_attempt_fails_the_item() -> None:
    assert RETRY.attempts == 4
    error = NetworkError("The connection was lost")
    assert decide(error, item(attempts=4), NOW) == FailItem("The connection was lost.")
    short = RetryPolicy(attempts=1)
    assert decide(error, item(attempts=1), NOW, retry=short) == FailItem("The connection was lost.")


def test_the_throttle_scope_is_the_google_account_or_the_tokens_automatic_items() -> None:
    assert throttle_scope(item(email="Jo.Maker@Example.com").row) == (7, PINNED)
    assert throttle_scope(item().row) == (7, AUTO)


def test_the_throttle_scope_of_other_services_names_the_service() -> None:
    runway = item(email="Jo.Maker@Example.com", provider=Provider.RUNWAY).row
    assert throttle_scope(runway) == (7, f"runway:{PINNED}")
    assert throttle_scope(item(provider=Provider.RUNWAY).row) == (7, f"runway:{AUTO}")
    assert throttle_scope(item(provider=Provider.WORDBEE).row) == (7, f"wordbee:{AUTO}")
    # Automatic Google Flow and Runway items of one token do not wait for each other.
    assert throttle_scope(item().row) != throttle_scope(item(provider=Provider.RUNWAY).row)


@pytest.mark.parametrize("provider", list(Provider))
def test_an_answer_lost_after_the_whole_file_is_never_tried_again(provider: Provider) -> None:
    error = OutcomeUnknown("it is not known whether the service kept a.png")
    decision = decide(error, item(provider=provider, attempts=1), NOW)
    assert decision == MarkUnknown(
        "The whole file had gone but no usable answer came: it is not known whether "
        f"{provider.label} kept it. Check the service, or send it again."
    )


def test_a_throttled_runway_item_without_an_email_waits_as_runway_balances_nothing() -> None:
    # Without an email a Runway upload goes to the token's only Runway account: no other.
    error = Throttled("Too many requests", retry_after=300, now=NOW)
    decision = decide(error, item(provider=Provider.RUNWAY), NOW)
    assert isinstance(decision, WaitThrottled)
    assert decision.until == NOW + timedelta(seconds=300)


def test_a_throttled_wordbee_item_waits_with_that_accounts_items() -> None:
    # Wordbee has no pool of accounts to pick another from: the item waits at once.
    error = Throttled("Too many requests", retry_after=30, now=NOW)
    decision = decide(error, item(provider=Provider.WORDBEE), NOW)
    assert isinstance(decision, WaitThrottled)
    assert decision.until == NOW + timedelta(seconds=30)


def test_a_refused_wordbee_key_stops_that_accounts_items() -> None:
    decision = decide(Unauthorized("Invalid key"), item(provider=Provider.WORDBEE), NOW)
    assert decision == StopItems(
        "Wordbee refused the API key of “Studio”; fix it in Accounts, then retry.",
        whole_token=True,
    )


def test_a_596_on_a_chosen_runway_account_names_it() -> None:
    decision = decide(
        SessionExpired("Session expired"), item(email=PINNED, provider=Provider.RUNWAY), NOW
    )
    assert decision == StopItems(
        f"Reconnect this Runway account ({PINNED}) at useapi.net: its session expired. Then retry.",
        whole_token=False,
    )


@pytest.mark.parametrize("attempts", [1, RETRY.attempts])
def test_a_missing_secret_waits_for_it_whatever_the_tries(attempts: int) -> None:
    missing = SecretMissing("The secret of “Studio” is missing — enter it again in Accounts.")
    decision = decide(missing, item(attempts=attempts), NOW)
    assert decision == WaitForSecret("Waiting for the secret of “Studio”: enter it in Accounts.")


def test_a_keyring_that_refuses_is_not_a_missing_secret() -> None:
    """A locked or refusing keyring may hold the secret: the item fails (Retry works) instead of
    waiting for an account change that may never come."""
    refused = SecretStoreError("Secret Service could not read the token of “Studio” (locked).")
    assert decide(refused, item(), NOW) == FailItem(
        "Secret Service could not read the token of “Studio” (locked)."
    )
