"""An account's pause after a 429 on a link lookup, shared by every download of that account.

A Google Flow resolve or a Runway get that the service answers with 429 pauses *every* lookup
of the account (the CLI's batch and the window's downloads alike) for the service's
`Retry-After`, then the lookup is tried again: downloads slow down instead of failing. The
lookups that go through a gate are a download's first one and the ones made while it runs (a
link that expired mid-transfer and is looked up again). Limits: MAX_THROTTLE_WAITS pauses for
one lookup, and a single wait over MAX_THROTTLE_WAIT is reported instead of waited out.

For the gate to see every 429, the lookups go through a useapi.net connection whose retry
policy hands 429s back at once (`BATCH_RETRY`, `handing_429s_back`) instead of sitting them out
for the one call.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from assetdesk.core.errors import Throttled
from assetdesk.net.retry import RetryPolicy
from assetdesk.providers.useapi import UseapiConnection

__all__ = [
    "BATCH_RETRY",
    "DEFAULT_THROTTLE_WAIT",
    "MAX_THROTTLE_WAIT",
    "MAX_THROTTLE_WAITS",
    "AccountGates",
    "LookupGate",
    "OnWait",
    "ThrottleGate",
    "handing_429s_back",
]

log = logging.getLogger("assetdesk.services.batch")

P = TypeVar("P")

#: A connection with this policy hands every 429 to the account's `ThrottleGate` (which pauses
#: the whole account) instead of sitting it out for the one call; other failures as usual.
BATCH_RETRY = RetryPolicy(max_throttle_wait=0.0)

#: A 429 without a Retry-After is waited out this long.
DEFAULT_THROTTLE_WAIT = 5.0
#: A Retry-After longer than this is reported on the item rather than waited out.
MAX_THROTTLE_WAIT = 300.0
#: Pauses for 429 on one item before its error is reported.
MAX_THROTTLE_WAITS = 8

#: Told the seconds a lookup now waits for the account's pause, and 0.0 when it goes on.
OnWait = Callable[[float], None]


class LookupGate(Protocol):
    """Where a download's link lookups go through (services/downloads.py's sources)."""

    async def call(self, lookup: Callable[[], Awaitable[P]], *, what: str) -> P: ...


class ThrottleGate:
    """One account's pause after a 429: every lookup waits until the pause is over."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0

    def pause(self, seconds: float) -> None:
        self._until = max(self._until, self._clock() + seconds)

    def left(self) -> float:
        """Seconds until the pause is over (0 when there is none)."""
        return max(0.0, self._until - self._clock())

    async def call(
        self, lookup: Callable[[], Awaitable[P]], *, what: str, on_wait: OnWait | None = None
    ) -> P:
        """`lookup` once the account's pause is over; a 429 pauses the account and tries
        again, up to MAX_THROTTLE_WAITS times and for waits up to MAX_THROTTLE_WAIT each.
        `on_wait` hears of each wait (its seconds) and of its end (0.0)."""
        waits = 0
        while True:
            if (left := self.left()) > 0:
                if on_wait is not None:
                    on_wait(left)
                await asyncio.sleep(left)  # another lookup may have lengthened the pause
                if on_wait is not None and self.left() <= 0:
                    on_wait(0.0)
                continue
            try:
                return await lookup()
            except Throttled as error:
                seconds = error.retry_after
                if seconds is None:
                    seconds = DEFAULT_THROTTLE_WAIT
                if waits >= MAX_THROTTLE_WAITS or seconds > MAX_THROTTLE_WAIT:
                    raise
                waits += 1
                log.info("%s was throttled; the account waits %.1f s", what, seconds)
                self.pause(seconds)

    def reporting(self, on_wait: OnWait | None) -> LookupGate:
        """This gate, telling `on_wait` of the waits (a window row says it waits)."""
        return _Reporting(self, on_wait)


class _Reporting:
    def __init__(self, gate: ThrottleGate, on_wait: OnWait | None) -> None:
        self._gate = gate
        self._on_wait = on_wait

    async def call(self, lookup: Callable[[], Awaitable[P]], *, what: str) -> P:
        return await self._gate.call(lookup, what=what, on_wait=self._on_wait)


class AccountGates:
    """One `ThrottleGate` per account, made on first use (the window's downloads share them)."""

    def __init__(self) -> None:
        self._gates: dict[int, ThrottleGate] = {}

    def of(self, account_id: int) -> ThrottleGate:
        return self._gates.setdefault(account_id, ThrottleGate())


def handing_429s_back(connection: UseapiConnection) -> UseapiConnection:
    """`connection` (its pooled client and token, shared) with `BATCH_RETRY`, for lookups made
    through a gate; the account's other calls keep their own policy. Never closed itself: the
    account's connection owns the client."""
    if connection.retry == BATCH_RETRY:
        return connection
    view = copy.copy(connection)
    view.retry = BATCH_RETRY
    return view
