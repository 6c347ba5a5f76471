"""Trying a failed request again: the retry policy, the retry loop, and reading `Retry-After`."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from assetdesk.core.errors import AssetDeskError, Throttled

#: Only provider calls are retried, so the retry lines go to the providers' log.
log = logging.getLogger("assetdesk.providers")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Which failures are tried again, how often and how long to wait.

    Only what can succeed is retried (DESIGN.md): network errors and 5xx other than 596, and 429
    when the service's own wait is short enough to sit out. 400/401/403/596 never are.
    """

    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A 429 whose Retry-After is longer than this is reported, not waited out.
    max_throttle_wait: float = 15.0

    def delay(self, attempt: int) -> float:
        raw: float = min(self.max_delay, self.base_delay * (2**attempt))
        return raw * (0.5 + random.random() / 2)


DEFAULT_RETRY = RetryPolicy()

#: A `Retry-After` beyond a week is nonsense (or NaN/inf) and is ignored.
MAX_RETRY_AFTER = 7 * 24 * 3600.0
NO_RETRY = RetryPolicy(attempts=1)


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    what: str,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call`, trying again on retryable typed errors as `policy` allows."""
    attempt = 0
    while True:
        try:
            return await call()
        except AssetDeskError as error:
            if not error.retryable or attempt + 1 >= policy.attempts:
                raise
            asked: float | None = getattr(error, "retry_after", None)
            if asked is None and isinstance(error, Throttled):
                raise  # a 429 without a time: trying again at once would only repeat it
            if asked is not None and asked > policy.max_throttle_wait:
                raise  # the service asked for a long wait: report it, don't sit it out
            delay = asked if asked is not None else policy.delay(attempt)
            log.info("%s failed (%s); trying again in %.1f s", what, error.kind, delay)
            await sleep(delay)
        attempt += 1


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if 0 <= seconds <= MAX_RETRY_AFTER else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, seconds), MAX_RETRY_AFTER)
